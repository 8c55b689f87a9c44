import { TerraformStack, Testing } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { describe, expect, it } from "vitest";
import { BaseStack } from "../../stacks/base-stack";
import { resolveStack } from "../../stacks/fast-synth";
import { buildStacks, bundledConfig } from "../support/synth";

const props = {
  account: { accountId: "111111111111", region: "eu-west-1" },
  tags: { project: "acme" },
  backend: { kind: "local", directory: "." },
} as const;

describe("BaseStack", () => {
  it("fails synthesis on a reference to another stack's resource instead of wiring remote state", () => {
    const app = Testing.app();
    const owner = new BaseStack(app, "owner", props);
    const bucket = new S3Bucket(owner, "bucket", { bucket: "acme-owner-bucket" });
    const consumer = new BaseStack(app, "consumer", props);
    new S3BucketVersioningA(consumer, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    expect(() => app.synth()).toThrow(/consumer.*resource\.aws_s3_bucket_versioning\.versioning\.bucket refers to aws_s3_bucket\.bucket, which this stack does not declare/s);
    expect(consumer.node.findAll().some((node) => node.node.id.startsWith("cross-stack"))).toBe(false);
  });

  it("synthesizes references inside the stack, resolving the stack once for validations and output", () => {
    const app = Testing.app();
    const stack = new BaseStack(app, "owner", props);
    const bucket = new S3Bucket(stack, "bucket", { bucket: "acme-owner-bucket" });
    new S3BucketVersioningA(stack, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    const synthesized = JSON.parse(Testing.synth(stack, true)) as { resource: Record<string, Record<string, { bucket: string }>> };
    expect(Object.values(synthesized.resource.aws_s3_bucket_versioning ?? {})[0]?.bucket).toMatch(/^\$\{aws_s3_bucket\.bucket[_A-Z0-9]*\.id\}$/);
    const first = stack.resolveForValidation();
    expect(stack.resolveForValidation()).toBe(first);
    expect(stack.toTerraform()).toBe(first);
    expect(stack.toTerraform()).not.toBe(first); // handed over once: later calls resolve afresh
  });
});

describe("resolveStack", () => {
  it("applies stack overrides as cdktf does: tokens resolved, undefined deletes", () => {
    const app = Testing.app();
    const stack = new BaseStack(app, "owner", props);
    const bucket = new S3Bucket(stack, "bucket", { bucket: "acme-owner-bucket" });
    stack.addOverride("terraform.required_version", ">= 1.10");
    stack.addOverride("locals.bucket_arn", bucket.arn);
    stack.addOverride("terraform.backend", undefined);
    const ours = resolveStack(stack);
    expect(ours).toStrictEqual(TerraformStack.prototype.toTerraform.call(stack));
    expect((ours.terraform as Record<string, unknown>).backend).toBeUndefined();
    expect((ours.locals as Record<string, string>).bucket_arn).toMatch(/^\$\{aws_s3_bucket\.bucket[_A-Z0-9]*\.arn\}$/);
  });

  it("resolves afresh at each synthesis, never handing over a previous one", () => {
    const app = Testing.app();
    const stack = new BaseStack(app, "owner", props);
    const first = stack.resolveForValidation();
    new S3Bucket(stack, "bucket", { bucket: "acme-owner-bucket" });
    stack.prepareStack();
    expect(stack.toTerraform()).not.toBe(first);
    expect(JSON.stringify(stack.toTerraform())).toContain("acme-owner-bucket");
  });

  it("produces exactly cdktf's toTerraform() for every bundled stack", async () => {
    const stacks = await buildStacks(bundledConfig());
    expect(stacks.size).toBeGreaterThan(5);
    for (const [name, stack] of stacks) {
      expect(resolveStack(stack), name).toStrictEqual(TerraformStack.prototype.toTerraform.call(stack));
    }
  });
});
