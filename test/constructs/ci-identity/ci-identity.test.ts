import { describe, expect, it } from "vitest";
import { CiIdentity, type CiIdentityProps } from "../../../constructs/ci-identity";
import { ATTACHABLE_AWS_MANAGED_POLICIES, PASS_ROLE_SERVICES } from "../../../constructs/ci-identity/grants";
import { environmentCiRoleNames } from "../../../constructs/core/ci-roles";
import { deploySubject } from "../../../constructs/core/github-oidc";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const BOUNDARY = "arn:aws:iam::123456789012:policy/acme-platform-boundary";
const REPOSITORY = { owner: "example-org", repository: "platform-iac" };
const environment = (name: string, githubEnvironment = name) => ({ name, githubEnvironment, roleNames: environmentCiRoleNames("acme", name), iamPrefix: `acme-${name}-` });

function identity(props: Partial<CiIdentityProps> = {}) {
  return synthConstruct((scope) => new CiIdentity(scope, "ci", {
    account: TEST_ACCOUNT,
    repository: REPOSITORY,
    deployBranch: "main",
    environments: [environment("dev"), environment("prod", "production")],
    project: "acme",
    boundaryArn: BOUNDARY,
    boundaryLiteralArn: BOUNDARY,
    regions: ["eu-west-1"],
    state: { bucketName: "acme-tfstate-111111111111-eu-west-1", account: { accountId: "111111111111", region: "eu-west-1" } },
    ...props,
  }));
}

type Condition = { test: string; variable: string; values: string[] };
type Statement = { sid?: string; effect?: string; actions?: string[]; resources?: string[]; not_resources?: string[]; condition?: Condition[] };
const document = (json: Synthesized, prefix: string) => Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix))![1].statement as Statement[];

describe("CiIdentity", () => {
  const { json } = identity();

  it("registers GitHub's OIDC provider and a plan and deploy role per environment, each carrying the boundary", () => {
    expect(resourceList(json, "aws_iam_openid_connect_provider")).toEqual([expect.objectContaining({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] })]);
    const roles = resourceList(json, "aws_iam_role");
    expect(roles.map((role) => role.name).sort()).toEqual(["acme-dev-ci-deploy", "acme-dev-ci-plan", "acme-prod-ci-deploy", "acme-prod-ci-plan"]);
    for (const role of roles) expect(role.permissions_boundary).toBe(BOUNDARY);
    const attached = resourceList(json, "aws_iam_role_policy_attachment").map((attachment) => attachment.policy_arn);
    expect(attached.sort()).toEqual(["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("trusts the deploy role for exactly one subject: the deploy workflow, deploy branch, its GitHub environment", () => {
    const [trust] = document(json, "ci_prod-deploy-trust");
    expect(trust!.condition).toEqual([
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: [deploySubject(REPOSITORY, "production", "main")] },
    ]);
    expect(deploySubject(REPOSITORY, "production", "main")).toBe("repo:example-org/platform-iac:environment:production:job_workflow_ref:example-org/platform-iac/.github/workflows/deploy.yml@refs/heads/main");
  });

  it("trusts the plan role for pull requests and the deploy branch, never another environment's GitHub environment", () => {
    const [branch, pulls] = document(json, "ci_dev-plan-trust");
    const subjects = branch!.condition!.find((condition) => condition.variable.endsWith(":sub"))!;
    expect(subjects.test).toBe("StringEquals");
    expect(subjects.values.every((value) => value.includes(":ref:refs/heads/main:") || value.includes(":environment:dev:"))).toBe(true);
    expect(subjects.values.some((value) => value.includes("production"))).toBe(false);
    expect(pulls!.condition!.find((condition) => condition.variable.endsWith(":sub"))).toEqual({
      test: "StringLike",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:example-org/platform-iac:pull_request:job_workflow_ref:example-org/platform-iac/.github/workflows/pull-request.yml@refs/pull/*/merge"],
    });
  });

  it("gives the plan role its environment's state and lock files only, and no data reads", () => {
    const statements = document(json, "ci_dev-plan-policy");
    const sid = (name: string) => statements.find((statement) => statement.sid === name)!;
    expect(sid("ReadOwnState").resources).toEqual(["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/environments/dev/*"]);
    expect(sid("WriteOwnLocksOnly").resources).toEqual(["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/environments/dev/*.tflock"]);
    expect(sid("NoObjectReadsOutsideOwnState")).toMatchObject({ effect: "Deny", not_resources: ["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/environments/dev/*"] });
    expect(sid("NoDataReads").actions).toEqual(expect.arrayContaining(["secretsmanager:GetSecretValue", "sqs:ReceiveMessage", "logs:GetLogEvents"]));
    expect(sid("UseStateKeyThroughS3").condition?.map((condition) => condition.variable)).toEqual(["kms:ViaService", "kms:EncryptionContext:aws:s3:arn"]);
  });

  it("grants the deploy role IAM on its environment's names only, with the boundary, allow-listed policies and pass-role services", () => {
    const statements = document(json, "ci_prod-deploy-iam");
    const sid = (name: string) => statements.find((statement) => statement.sid === name)!;
    expect(sid("ManageEnvironmentRoles").resources).toEqual(["arn:aws:iam::123456789012:role/acme-prod-*"]);
    expect(sid("ManageEnvironmentRoles").actions).toEqual(expect.arrayContaining(["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:GetRolePolicy", "iam:DeleteRole"]));
    expect(sid("ManageEnvironmentRoles").actions).not.toContain("iam:CreateRole");
    expect(sid("ChangeOnlyBoundedRoles")).toMatchObject({ actions: ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"], condition: [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY] }] });
    expect(sid("AttachAllowedPolicies").condition?.[1]).toEqual({ test: "ArnEquals", variable: "iam:PolicyARN", values: ATTACHABLE_AWS_MANAGED_POLICIES.map((name) => `arn:aws:iam::aws:policy/${name}`) });
    expect(sid("PassEnvironmentRolesToListedServices").condition).toEqual([{ test: "StringEquals", variable: "iam:PassedToService", values: [...PASS_ROLE_SERVICES] }]);
    expect(sid("ManageEnvironmentInstanceProfiles").resources).toEqual(["arn:aws:iam::123456789012:instance-profile/acme-prod-*"]);
  });

  it("guards the deploy role: no other environment's resources, no role chaining, never the CI identity", () => {
    const statements = document(json, "ci_prod-deploy-guard");
    const sid = (name: string) => statements.find((statement) => statement.sid === name)!;
    expect(sid("NoOtherEnvironmentsResources")).toMatchObject({ effect: "Deny", actions: ["*"], condition: [{ test: "Null", variable: "aws:ResourceTag/Environment", values: ["false"] }, { test: "StringNotEquals", variable: "aws:ResourceTag/Environment", values: ["prod"] }] });
    expect(sid("NoRoleChaining").effect).toBe("Deny");
    expect(sid("ProtectCiIdentity").resources).toEqual([
      "arn:aws:iam::123456789012:role/acme-*-ci-plan",
      "arn:aws:iam::123456789012:role/acme-*-ci-deploy",
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      BOUNDARY,
    ]);
    expect(sid("WriteOwnState").resources).toEqual(["arn:aws:s3:::acme-tfstate-111111111111-eu-west-1/environments/prod/*"]);
  });

  it("can use a provider that exists already (one provider per URL and account)", () => {
    const { json: shared } = identity({ createOidcProvider: false });
    expect(resourceList(shared, "aws_iam_openid_connect_provider")).toEqual([]);
    const [trust] = document(shared, "ci_dev-deploy-trust") as (Statement & { principals: { identifiers: string[] }[] })[];
    expect(trust!.principals[0]!.identifiers).toEqual(["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]);
  });

  it("rejects a malformed repository, no environment, a duplicate environment and a shared GitHub environment", () => {
    expect(() => identity({ repository: { owner: "bad owner", repository: "x" } })).toThrow(/repository must be "owner\/name"/);
    expect(() => identity({ environments: [] })).toThrow(/at least one environment/);
    expect(() => identity({ environments: [environment("dev"), environment("dev")] })).toThrow(/environments must be unique/);
    expect(() => identity({ environments: [environment("dev", "shared"), environment("prod", "shared")] })).toThrow(/each environment needs its own GitHub environment/);
  });
});
