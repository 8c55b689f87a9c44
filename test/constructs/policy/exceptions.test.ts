/**
 * The platform's accepted exceptions, declared in code on the resource (acceptPolicyFinding): carried in the
 * synthesized JSON, honoured at synthesis and by the engine reading cdk.tf.json, with the same rules as suppressions.
 */
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { awsProvider } from "../../../constructs/core/aws";
import { applyPolicy, type PolicyOptions } from "../../../constructs/policy";
import { evaluateStack, passed } from "../../../constructs/policy/engine";
import { acceptPolicyFinding, POLICY_EXCEPTIONS_KEY } from "../../../constructs/policy/exceptions";
import { TEST_ACCOUNT } from "../../support/synth";
import { bucket } from "./cases/storage";
import { FIXTURE_STACK } from "./cases/support";

function stackWith(build: (scope: Construct) => void, options?: PolicyOptions): TerraformStack {
  const stack = new TerraformStack(Testing.app(), FIXTURE_STACK);
  awsProvider(stack, "aws", { region: TEST_ACCOUNT.region, accountId: TEST_ACCOUNT.accountId, tags: {} });
  build(stack);
  if (options) applyPolicy(stack, options);
  return stack;
}

function synthError(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

describe("acceptPolicyFinding", () => {
  it("accepts a finding on its resource with the reason, in synthesis and when reading cdk.tf.json", () => {
    const build = (scope: Construct) => acceptPolicyFinding(bucket(scope, { encryption: "sse-s3" }), "S3-KMS", "public website assets need no customer-managed key");
    expect(synthError(stackWith(build, { profile: "production" }))).toBe("");
    const json = stackWith(build).toTerraform() as { resource: { aws_s3_bucket: Record<string, { "//": Record<string, unknown> }> } };
    const meta = Object.values(json.resource.aws_s3_bucket)[0]?.["//"];
    expect(meta?.[POLICY_EXCEPTIONS_KEY]).toEqual([{ rule: "S3-KMS", reason: "public website assets need no customer-managed key" }]);
    const evaluation = evaluateStack(json as never, { stack: FIXTURE_STACK, profile: "production" });
    expect(passed(evaluation)).toBe(true);
    expect(evaluation.suppressed.map((finding) => [finding.rule, finding.suppression])).toEqual([["S3-KMS", { reason: "public website assets need no customer-managed key", inCode: true }]]);
  });

  it("accepts only the named rule on only that resource", () => {
    const message = synthError(
      stackWith((scope) => {
        acceptPolicyFinding(bucket(scope, { encryption: "sse-s3" }), "S3-VERSIONING", "versioning is irrelevant for this fixture");
        bucket(scope, { id: "other", name: "acme-prod-other", encryption: "sse-s3" });
      }, { profile: "production" }),
    );
    expect(message).toContain("[S3-KMS] (medium) fixture/uploads");
    expect(message).toContain("[S3-KMS] (medium) fixture/other");
  });

  it("rejects an exception that accepts nothing: left in place it would accept the next regression silently", () => {
    const message = synthError(stackWith((scope) => acceptPolicyFinding(bucket(scope), "S3-KMS", "public website assets need no customer-managed key"), { profile: "staging" }));
    expect(message).toMatch(/the exception for S3-KMS accepts nothing \(the rule finds nothing on this resource any more\); remove the acceptPolicyFinding call/);
  });

  it("requires a reason", () => {
    expect(() => stackWith((scope) => acceptPolicyFinding(bucket(scope), "S3-KMS", "ok"))).toThrow(/the reason must say why, in at least 10 characters/);
  });

  it("cannot accept a critical rule in a production stack (fails closed)", () => {
    const build = (scope: Construct) => acceptPolicyFinding(bucket(scope, { publicAccessBlock: false }), "S3-BLOCK-PUBLIC", "the bucket hosts a public website");
    expect(synthError(stackWith(build, { profile: "production" }))).toContain("S3-BLOCK-PUBLIC is a critical rule and cannot be suppressed in production stack fixture");
    expect(synthError(stackWith(build, { profile: "staging" }))).toBe("");
  });
});
