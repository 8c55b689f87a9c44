/**
 * Refactor safety: stateful resources keep their Terraform addresses, or carry a recorded move.
 */
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Construct } from "constructs";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { ForgetResource, resourceAddress } from "../../constructs/core/state-blocks";
import { checkAddresses, checkStack, RELEASED_PATH, statefulAddresses } from "../../constructs/policy/addresses";
import { diffStack } from "../../scripts/lib/review/report";
import type { SynthesizedStack } from "../../constructs/policy/model";
import { readSynthesized } from "../../scripts/lib/bundled";
import { readRecords } from "../../scripts/state-addresses";
import { fixture } from "../constructs/policy/cases/support";

/** A stateful construct of a fixture app: a bucket, its key, and a non-stateful sibling. */
class Archive extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new KmsKey(this, "key", { enableKeyRotation: true });
    this.bucket = new S3Bucket(this, "bucket", { bucket: "acme-prod-archive" });
    void key;
  }
}

describe("refactor safety on a fixture app", () => {
  const original = fixture((scope) => new Archive(scope, "archive"));
  const record = statefulAddresses(original);

  it("records the stateful resources by address with their construct path", () => {
    expect(record.resources.map((entry) => entry.path).sort()).toEqual(["fixture/archive/bucket", "fixture/archive/key"]);
    expect(record.resources.every((entry) => /^aws_(kms_key|s3_bucket)\./.test(entry.address))).toBe(true);
    expect(checkStack(record, original, "fixture")).toEqual([]);
  });

  it("fails when a stateful construct is renamed, explaining that Terraform would destroy and re-create it", () => {
    const renamed = fixture((scope) => new Archive(scope, "documents"));
    const problems = checkStack(record, renamed, "fixture");
    expect(problems.filter((problem) => problem.kind === "destroyed").map((problem) => problem.address).sort()).toEqual(record.resources.map((entry) => entry.address).sort());
    const bucket = problems.find((problem) => problem.address?.startsWith("aws_s3_bucket."));
    expect(bucket?.message).toContain("construct fixture/archive/bucket) is no longer in the synthesized stack");
    expect(bucket?.message).toContain("Terraform would DESTROY it and CREATE a new one: bucket objects and their versions would be lost");
    expect(bucket?.message).toContain(`.moveFromId("${bucket?.address}")`);
    expect(problems.some((problem) => problem.kind === "unrecorded")).toBe(true);
  });

  it("passes a rename that carries cdktf moves for its stateful resources", () => {
    const moved = fixture((scope) => {
      const archive = new Archive(scope, "documents");
      for (const entry of record.resources) {
        const resource = entry.address.startsWith("aws_s3_bucket.") ? archive.bucket : (archive.node.findChild("key") as KmsKey);
        resource.moveFromId(entry.address);
      }
    });
    expect((moved.moved ?? []).length).toBe(2);
    expect(checkStack(record, moved, "fixture")).toEqual([]);
  });

  it("fails when a stack with stateful resources disappears, and when a stack has no record", () => {
    const records = new Map([["fixture", record]]);
    expect(checkAddresses(records, new Map())).toEqual([expect.objectContaining({ kind: "stack-removed", stack: "fixture" })]);
    expect(checkAddresses(new Map(), new Map([["fixture", original]]))).toEqual([expect.objectContaining({ kind: "stack-unrecorded" })]);
  });
});

describe("moving a stateful resource to another stack (removed + import)", () => {
  const before = fixture((scope) => new Route53Zone(scope, "zone", { name: "acme.example.com" }));
  const record = statefulAddresses(before);
  const address = record.resources[0]?.address as string;
  /** The stack without the zone, releasing its address with a removed block (destroy = false), or not. */
  const after = (release: boolean) =>
    fixture((scope) => {
      if (release) new ForgetResource(scope, "former-zone", { from: resourceAddress("aws_route53_zone", new Construct(scope, "zone")) });
    });

  it("accepts a recorded address the stack releases without destroying it, and keeps it in the record", () => {
    expect(address).toMatch(/^aws_route53_zone\.zone$/);
    expect(checkStack(record, after(true), "fixture")).toEqual([]);
    expect(statefulAddresses(after(true)).resources).toEqual([{ address, path: RELEASED_PATH }]);
    expect(checkStack(statefulAddresses(after(true)), after(true), "fixture")).toEqual([]);
  });

  it("fails when the resource simply disappears, or when the removed block is dropped later, and says how to move it across stacks", () => {
    const problems = checkStack(record, after(false), "fixture");
    expect(problems).toEqual([expect.objectContaining({ kind: "destroyed", address })]);
    expect(problems[0]?.message).toContain("release it here with a `removed` block that keeps the object");
    expect(checkStack(statefulAddresses(after(true)), after(false), "fixture")).toEqual([expect.objectContaining({ kind: "destroyed", address })]);
  });

  it("the change report shows the release, not a destroy", () => {
    const change = diffStack("fixture", before, after(true), { profileOf: () => "production" });
    expect(change.resources).toEqual([expect.objectContaining({ action: "forget", address, stateful: true })]);
    expect(diffStack("fixture", before, after(false), { profileOf: () => "production" }).resources).toEqual([expect.objectContaining({ action: "destroy", address })]);
  });
});

describe("the committed record (state-addresses/)", () => {
  let stacks: Map<string, SynthesizedStack>;

  beforeAll(() => {
    // The bundled configuration as synthesized once for the whole run (test/support/global-setup.ts).
    stacks = readSynthesized(inject("bundledOutdir"));
  });

  it("matches every bundled stack: no stateful resource lost its address (run npm run addresses:update for deliberate changes)", () => {
    const problems = checkAddresses(readRecords(), stacks);
    expect(problems.map((problem) => problem.message)).toEqual([]);
  });
});
