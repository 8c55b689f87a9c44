/**
 * ACCOUNT-BASELINE-COVERAGE judges only a complete set of stacks: `npm run policy` with a STACKS selection (or one
 * stack at synthesis) cannot see every account stack, so it must not report a missing baseline there.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { describe, expect, it } from "vitest";
import { evaluateStack } from "../../../constructs/policy/engine";
import { StackModel } from "../../../constructs/policy/model";
import { ruleById } from "../../../constructs/policy/rules";
import { fixture } from "./cases/support";

const rule = ruleById("ACCOUNT-BASELINE-COVERAGE");
const stack = fixture((scope) => new S3Bucket(scope, "uploads", { bucket: "acme-prod-uploads" }));
const unrelatedPeer = new StackModel(fixture((scope) => new S3Bucket(scope, "logs", { bucket: "acme-prod-logs" }), {}, "peer"), "peer");

describe("ACCOUNT-BASELINE-COVERAGE over partial selections", () => {
  it("reports the missing baseline over a complete set", () => {
    const found = evaluateStack(stack, { profile: "production", rules: rule ? [rule] : [], peers: [unrelatedPeer], complete: true }).findings;
    expect(found.map((finding) => finding.message)).toEqual([expect.stringMatching(/has no account baseline among the evaluated stacks/)]);
  });

  it("stays silent over a STACKS selection or a stack synthesized alone", () => {
    expect(evaluateStack(stack, { profile: "production", rules: rule ? [rule] : [], peers: [unrelatedPeer] }).findings).toEqual([]);
    expect(evaluateStack(stack, { profile: "production", rules: rule ? [rule] : [] }).findings).toEqual([]);
  });
});
