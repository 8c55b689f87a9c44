/**
 * The preflight runs in CI with the stack's environment's plan role (`npm run preflight -- <stack>` before each
 * plan). IAM simulation over the synthesized account and bootstrap stacks proves that role is allowed every call the
 * preflight makes (scripts/lib/preflight/operations.ts IAM_ACTIONS): ReadOnlyAccess for the Describe/Get/List calls,
 * the state bucket's policy for listing the state keys (its own and the legacy one the state-key check looks for) and
 * reading its own environment's state objects — and that it still cannot read a secret value or another
 * environment's state, so running the preflight needs nothing more than planning.
 */
import { describe, expect, it } from "vitest";
import { stackCatalog } from "../../stacks/app";
import { environmentCiRoleArn } from "../../stacks/context";
import { IAM_ACTIONS, type OperationName } from "../../scripts/lib/preflight/operations";
import { legacyStateObjectKey } from "../../constructs/core/state-keys";
import { bundledModels, iamWorld } from "../support/iam";
import { bundledConfig } from "../support/synth";

const config = bundledConfig();
const world = iamWorld(bundledModels());
const catalog = stackCatalog(config);
const BUCKET = "acme-tfstate-111111111111-eu-west-1";

/** The resource and context of an operation as the preflight makes it for a stack whose state is at `stateKey`. */
function request(operation: OperationName, stateKey: string): { resource: string; context?: Record<string, string> } {
  switch (operation) {
    case "s3:ListObjectsV2":
      return { resource: `arn:aws:s3:::${BUCKET}`, context: { "s3:prefix": stateKey } };
    case "s3:GetObject":
      return { resource: `arn:aws:s3:::${BUCKET}/${stateKey}` };
    case "iam:GetRole":
      return { resource: "arn:aws:iam::111111111111:role/aws-service-role/opensearchservice.amazonaws.com/AWSServiceRoleForAmazonOpenSearchService" };
    case "ssm:GetParameter":
      // A public parameter's ARN has no account (arn:aws:ssm:<region>::parameter/aws/service/...); iam-simulate matches
      // resource types by the IAM reference's pattern, which needs one: the caller's stands in.
      return { resource: "arn:aws:ssm:eu-west-1:111111111111:parameter/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/arm64/standard/amazon-eks-node-al2023-arm64-standard-1.35-v20260512/image_id" };
    case "route53:GetHostedZone":
    case "route53:ListResourceRecordSets":
      return { resource: "arn:aws:route53:::hostedzone/Z0412345ACMEPROD01" };
    default:
      return { resource: "*" };
  }
}

describe("the plan role may make every call the preflight makes (IAM simulation)", () => {
  for (const environment of config.environments.map((item) => item.config.name)) {
    it(`${environment}: every operation, for every stack CI applies there`, async () => {
      const stacks = catalog.filter((entry) => entry.appliedBy === "ci" && entry.environment === environment);
      expect(stacks.length).toBeGreaterThan(0);
      const denied: string[] = [];
      for (const entry of stacks) {
        const role = environmentCiRoleArn(config.project, environment, entry.account, "plan");
        const stateKey = `environments/${environment}/${entry.name}/terraform.tfstate`;
        for (const [operation, action] of Object.entries(IAM_ACTIONS) as [OperationName, string | undefined][]) {
          if (!action) continue;
          const { resource, context } = request(operation, stateKey);
          const decision = await world.decide(role, action, resource, context ? { context } : {});
          if (decision !== "Allowed") denied.push(`${entry.name} ${operation} (${action} on ${resource}): ${decision}`);
        }
        // The state-key check lists the legacy key too (it must not read it).
        const legacy = await world.decide(role, "s3:ListBucket", `arn:aws:s3:::${BUCKET}`, { context: { "s3:prefix": legacyStateObjectKey(entry.name) } });
        if (legacy !== "Allowed") denied.push(`${entry.name} list the legacy key ${legacyStateObjectKey(entry.name)}: ${legacy}`);
      }
      expect(denied).toEqual([]);
    });
  }

  it("and still reads no secret value nor another environment's state", async () => {
    const role = environmentCiRoleArn(config.project, "staging", catalog.find((entry) => entry.name === "staging-infra")!.account, "plan");
    expect(await world.decide(role, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:acme-staging/noor/supabase-Ab12Cd")).not.toBe("Allowed");
    expect(await world.decide(role, "s3:GetObject", `arn:aws:s3:::${BUCKET}/environments/prod/prod-infra/terraform.tfstate`)).not.toBe("Allowed");
  });
});
