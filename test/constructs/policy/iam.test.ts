import { describe, expect, it } from "vitest";
import { actionProblem, unknownActions } from "../../../constructs/policy/iam/actions";
import { documentsOf, parameterLookups, stackIam } from "../../../constructs/policy/iam/documents";
import { ReferenceResolver, secretArnSuffix } from "../../../constructs/policy/iam/resolve";
import { StackModel, type SynthesizedStack } from "../../../constructs/policy/model";
import { actionCatalog, bundledModels, iamWorld } from "../../support/iam";

const SCOPE = { partition: "aws", accountId: "123456789012", region: "eu-west-1" };

function model(json: SynthesizedStack): StackModel {
  return new StackModel(
    {
      provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["123456789012"] }, { alias: "dr", region: "eu-central-1", allowed_account_ids: ["123456789012"] }] },
      ...json,
    },
    "fixture",
  );
}

describe("reference resolution", () => {
  const fixture = model({
    resource: {
      aws_s3_bucket: { logs: { bucket: "acme-logs" } },
      aws_kms_key: { data: {}, replica: { provider: "aws.dr" } },
      aws_kms_alias: { data: { name: "alias/acme-data", target_key_id: "${aws_kms_key.data.key_id}" } },
      aws_secretsmanager_secret: { db: { name: "acme-prod/db" } },
      aws_iam_role: { app: { name: "acme-app", path: "/workloads/", assume_role_policy: "${data.aws_iam_policy_document.trust.json}" } },
    },
    data: {
      aws_kms_key: { data: { key_id: "alias/acme-data" } },
      aws_caller_identity: { current: {} },
      aws_iam_policy_document: { trust: { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }] }] } },
    },
  });
  const resolver = new ReferenceResolver(fixture, SCOPE);

  it("forms ARNs as AWS does, with the provider's region", () => {
    expect(resolver.resolve("${aws_s3_bucket.logs.arn}/*")).toBe("arn:aws:s3:::acme-logs/*");
    expect(resolver.resolve("${aws_iam_role.app.arn}")).toBe("arn:aws:iam::123456789012:role/workloads/acme-app");
    expect(resolver.resolve("${aws_kms_key.replica.arn}")).toMatch(/^arn:aws:kms:eu-central-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(resolver.resolve("arn:aws:s3:::x-${data.aws_caller_identity.current.account_id}")).toBe("arn:aws:s3:::x-123456789012");
  });

  it("gives a key looked up by alias the ARN of the key that alias names", () => {
    expect(resolver.resolve("${data.aws_kms_key.data.arn}")).toBe(resolver.resolve("${aws_kms_key.data.arn}"));
  });

  it("appends the six characters AWS adds to a secret's ARN, so policies must use a wildcard", () => {
    expect(resolver.resolve("${aws_secretsmanager_secret.db.arn}")).toBe(`arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/db-${secretArnSuffix("acme-prod/db")}`);
    expect(secretArnSuffix("acme-prod/db")).toMatch(/^[A-Za-z0-9]{6}$/);
  });

  it("leaves what it cannot know unresolved", () => {
    expect(resolver.resolve("${aws_s3_bucket.missing.arn}")).toBeUndefined();
    expect(resolver.resolve("${jsonencode(var.x)}")).toBeUndefined();
  });
});

describe("IAM documents of the bundled stacks", () => {
  const models = bundledModels();
  // Parameters other stacks publish (connection descriptions) are resolved as the publishing stack writes them.
  const lookups = parameterLookups(models);
  const stacks = models.map((m) => stackIam(m, undefined, lookups)).filter((stack) => stack !== undefined);

  it("reads every document of every stack, every reference resolved", () => {
    expect(stacks.length).toBe(models.length);
    for (const stack of stacks) {
      expect(stack.unreadable, `${stack.stack}: documents the IAM model cannot read`).toEqual([]);
      const unresolved = documentsOf(stack).flatMap((document) => document.unresolved.map((value) => `${document.path}: ${value}`));
      expect(unresolved, `${stack.stack}: unresolved references`).toEqual([]);
    }
    expect(stacks.reduce((count, stack) => count + stack.roles.length, 0)).toBeGreaterThan(20);
  });

  it("fits AWS's policy size limits: inline policies of a role 10,240, a managed policy 6,144, a trust policy 2,048 characters", () => {
    // IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): sizes count characters without whitespace. An apply
    // that exceeds one fails with LimitExceeded after half the stack exists.
    const size = (document: object) => JSON.stringify(document).replace(/\s+/g, "").length;
    const over: string[] = [];
    for (const stack of stacks) {
      for (const role of stack.roles) {
        const inline = role.inline.reduce((sum, policy) => sum + size(policy.document), 0);
        if (inline > 10_240) over.push(`${role.path}: inline policies ${inline}`);
        if (role.trust && size(role.trust.document) > 2_048) over.push(`${role.path}: trust policy ${size(role.trust.document)}`);
      }
      for (const [arn, policy] of stack.managedPolicies) if (size(policy.document) > 6_144) over.push(`${arn}: ${size(policy.document)}`);
    }
    expect(over).toEqual([]);
  });

  it("(d) names only actions that exist in the IAM action catalog", async () => {
    const catalog = await actionCatalog();
    const unknown = unknownActions(stacks, catalog).map((entry) => `${entry.stack} ${entry.path} (${entry.document}): ${entry.reason}`);
    expect(unknown).toEqual([]);
  });

  it("(d) fails on a misspelled, a retired-looking and a wildcard that matches nothing", async () => {
    const catalog = await actionCatalog();
    expect(actionProblem("s3:GetObject", catalog)).toBeUndefined();
    expect(actionProblem("s3:Get*", catalog)).toBeUndefined();
    expect(actionProblem("s3:GetObjects", catalog)).toBe('s3 has no action "GetObjects"');
    expect(actionProblem("s3:Fetch*", catalog)).toBe('"s3:Fetch*" matches no s3 action');
    expect(actionProblem("elasticsearch:ESHttpGet", catalog)).toBe('service prefix "elasticsearch" does not exist');
    const broken = stackIam(
      model({
        resource: { aws_iam_role: { r: { name: "r", assume_role_policy: "${data.aws_iam_policy_document.t.json}" } }, aws_iam_role_policy: { p: { role: "${aws_iam_role.r.id}", policy: "${data.aws_iam_policy_document.p.json}" } } },
        data: {
          aws_iam_policy_document: {
            t: { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }] },
            p: { statement: [{ actions: ["secretsmanager:GetSecretValues"], resources: ["*"] }] },
          },
        },
      }),
    );
    expect(unknownActions([broken!], catalog).map((entry) => entry.action)).toEqual(["secretsmanager:GetSecretValues"]);
  });
});

describe("IAM simulation over the bundled stacks", () => {
  const world = iamWorld(bundledModels());
  const role = (pattern: RegExp) => {
    const [found] = world.rolesNamed(pattern);
    if (!found) throw new Error(`no role matching ${pattern}`);
    return found;
  };

  it("evaluates identity and resource policies as AWS does (state bucket: deploy writes state, plan writes only locks)", async () => {
    const deploy = role(/-prod-ci-deploy$/);
    const plan = role(/-prod-ci-plan$/);
    const bucket = world.stacks.find((stack) => stack.stack === "bootstrap")?.resourcePolicies.find((policy) => policy.kind === "bucket");
    expect(bucket).toBeDefined();
    const state = `${bucket!.resourceArn}/environments/prod/prod-infra/terraform.tfstate`;
    expect(await world.decide(deploy.arn, "s3:PutObject", state)).toBe("Allowed");
    expect(await world.decide(plan.arn, "s3:GetObject", state)).toBe("Allowed");
    expect(await world.decide(plan.arn, "s3:PutObject", state)).toBe("ExplicitlyDenied"); // the bucket policy denies it
    expect(await world.decide(plan.arn, "s3:PutObject", `${state}.tflock`)).toBe("Allowed");
  });

  it("knows the document of every policy a role has (AWS-managed ones converted by scripts/convert-managed-policies.ts)", () => {
    for (const each of world.allRoles()) expect(() => world.identityPolicies(each), each.path).not.toThrow();
  });

  it("applies explicit denies and implicit denies (the deploy role cannot change itself)", async () => {
    const deploy = role(/-prod-ci-deploy$/);
    const plan = role(/-prod-ci-plan$/);
    const account = /^arn:aws:iam::(\d{12}):/.exec(deploy.arn)![1];
    expect(await world.decide(deploy.arn, "iam:PutRolePolicy", deploy.arn)).toBe("ExplicitlyDenied");
    expect(await world.decide(plan.arn, "ec2:CreateVpc", `arn:aws:ec2:eu-west-1:${account}:vpc/vpc-0123456789abcdef0`)).toBe("ImplicitlyDenied");
    // The boundary denies a role without it explicitly, whatever the role's own policies say.
    expect(await world.decide(plan.arn, "iam:CreateRole", `arn:aws:iam::${account}:role/acme-prod-anything`)).toBe("ExplicitlyDenied");
  });
});
