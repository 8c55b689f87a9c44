/**
 * The CI identities, proven by IAM simulation (@cloud-copilot/iam-simulate) over the synthesized account, bootstrap
 * and environment stacks: every environment's deploy role may do everything its stacks need (the committed action
 * map) and nothing that escalates; its plan role reads and writes only lock files; state objects are isolated per
 * environment; and only the right GitHub token can assume each role (the trust policies, simulated with the token's
 * claims). Also run on a configuration with two AWS accounts (cross-account state access).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../config/loader";
import { actionsOfEntry, isKubernetesType, PLAN_ROLE_DENIED_READS, TERRAFORM_ACTIONS, TERRAFORM_BUILTIN_TYPES, typesMissingFromMap, typesOf } from "../../constructs/ci-identity/action-map";
import { ATTACHABLE_AWS_MANAGED_POLICIES, BOUNDED_ROLE_ACTIONS, FORBIDDEN_MANAGED_POLICIES, iamResourceKind, PASS_ROLE_ATTRIBUTES, PASS_ROLE_SERVICES } from "../../constructs/ci-identity/grants";
import { deploySubject, GITHUB_OIDC_HOST, githubSubject, planSubjects, PULL_REQUEST_WORKFLOW_FILE, STS_AUDIENCE, subjectCustomizationCommand, workflowRef } from "../../constructs/core/github-oidc";
import { deployRecordKey, environmentStatePrefix } from "../../constructs/core/state-keys";
import { actionProblem } from "../../constructs/policy/iam/actions";
import { StackModel, type SynthesizedStack } from "../../constructs/policy/model";
import { SERVICE_LINKED_ROLES } from "../../constructs/service-linked-roles/catalog";
import { stackCatalog, type StackEntry } from "../../stacks/app";
import { boundaryArnIn, environmentCiRoleArn, githubRepository, stateBucketArn } from "../../stacks/context";
import { actionCatalog, bundledModels, iamWorld, type IamWorld } from "../support/iam";
import { MAIN_ACCOUNT, PROD_ACCOUNT, twoAccountConfigDir } from "../support/accounts";
import { bundledConfig, ROOT, synthToTexts } from "../support/synth";

const config = bundledConfig();
const models = bundledModels();
const world = iamWorld(models);
const catalog = stackCatalog(config);
const repository = githubRepository(config.project);
const branch = config.project.github.deployBranch;
const githubEnvironment = (environment: string) => config.environments.find((item) => item.config.name === environment)!.config.deployment.githubEnvironment;

const ciStacks = (environment: string) => catalog.filter((entry) => entry.appliedBy === "ci" && entry.environment === environment);
const modelOf = (name: string) => models.find((model) => model.stackName === name)!;
const role = (environment: string, entry: Pick<StackEntry, "account">, kind: "plan" | "deploy") => environmentCiRoleArn(config.project, environment, entry.account, kind);

/** The request that exercises `action` (of Terraform type `type`) as the environment's deploy role makes it. */
function requestFor(type: string, action: string, environment: string, accountId: string): { resource: string; context: Record<string, string> } {
  const iam = (resource: string) => `arn:aws:iam::${accountId}:${resource}`;
  const prefix = `${config.project.name}-${environment}-`;
  const tags = { "aws:ResourceTag/Environment": environment, "aws:RequestTag/Environment": environment, "aws:RequestedRegion": "eu-west-1" };
  if (!action.startsWith("iam:")) return { resource: "*", context: tags };
  const boundary = { "iam:PermissionsBoundary": boundaryArnIn(config.project, { accountId, region: "eu-west-1" }) };
  switch (iamResourceKind(action)) {
    case "role":
      if (action === "iam:ListRoles") return { resource: "*", context: {} };
      if (action === "iam:AttachRolePolicy") return { resource: iam(`role/${prefix}example`), context: { ...boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" } };
      return { resource: iam(`role/${prefix}example`), context: BOUNDED_ROLE_ACTIONS.includes(action) ? boundary : {} };
    case "instance-profile":
      return { resource: iam(`instance-profile/${prefix}example`), context: {} };
    case "policy":
      return { resource: iam(`policy/${prefix}example`), context: {} };
    case "oidc-provider":
      return { resource: iam("oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"), context: {} };
    case "service-linked-role": {
      const fact = SERVICE_LINKED_ROLES.find((candidate) => candidate.createdWith?.includes(type));
      if (!fact) throw new Error(`${type} calls iam:CreateServiceLinkedRole but no service-linked role records it as createdWith`);
      return { resource: iam(`role/aws-service-role/${fact.service}/${fact.roleName}`), context: { "iam:AWSServiceName": fact.service } };
    }
    case "pass-role": {
      const service = Object.entries(PASS_ROLE_ATTRIBUTES).find(([attribute]) => attribute.startsWith(`${type}.`))?.[1][0];
      if (!service) throw new Error(`${type} passes a role but constructs/ci-identity/grants.ts PASS_ROLE_ATTRIBUTES has no attribute of it`);
      return { resource: iam(`role/${prefix}example`), context: { "iam:PassedToService": service } };
    }
    default:
      throw new Error(`no resource kind for ${action}`);
  }
}

describe("the action map (14.e)", () => {
  it("names only actions of the IAM action catalog", async () => {
    const actions = await actionCatalog();
    const problems = Object.entries(TERRAFORM_ACTIONS).flatMap(([type, entry]) => actionsOfEntry(entry).flatMap((action) => {
      const problem = actionProblem(action, actions);
      return problem ? [`${type}: ${problem}`] : [];
    }));
    expect(problems).toEqual([]);
  });

  it("has an entry for every resource type and data source the stacks CI applies emit", () => {
    const types = catalog.filter((entry) => entry.appliedBy === "ci").flatMap((entry) => typesOf(modelOf(entry.name).json));
    expect(typesMissingFromMap(types)).toEqual([]);
    // Kubernetes and Helm go through the cluster access entry; everything else names IAM actions.
    const empty = [...new Set(types)].filter((type) => {
      const entry = TERRAFORM_ACTIONS[type]!;
      return !isKubernetesType(entry) && !TERRAFORM_BUILTIN_TYPES.has(type) && actionsOfEntry(entry).length === 0;
    });
    expect(empty).toEqual([]);
  });

  it("fails when a stack emits a type it does not know", () => {
    expect(typesMissingFromMap(["aws_vpc", "aws_sagemaker_domain", "data.aws_ami"])).toEqual(["aws_sagemaker_domain", "data.aws_ami"]);
  });

  it("attaches only allow-listed AWS-managed policies in the stacks CI applies", () => {
    const attached = catalog.filter((entry) => entry.appliedBy === "ci").flatMap((entry) => modelOf(entry.name).resources("aws_iam_role_policy_attachment").map((attachment) => String(attachment.body.policy_arn)));
    const allowed = new Set(ATTACHABLE_AWS_MANAGED_POLICIES.map((name) => `arn:aws:iam::aws:policy/${name}`));
    expect([...new Set(attached)].filter((arn) => !allowed.has(arn))).toEqual([]);
    expect(attached.length).toBeGreaterThan(0);
  });

  it("covers every attribute through which the stacks pass a role, with the services they pass it to", () => {
    const passes = new Set<string>();
    const attributes = /(^|_)(role|role_arn|iam_role_arn|node_role_arn|monitoring_role_arn|service_account_role_arn)$/;
    for (const entry of catalog.filter((item) => item.appliedBy === "ci")) {
      const model = modelOf(entry.name);
      for (const block of model.all().filter((item) => item.kind === "resource")) {
        for (const [attribute, value] of Object.entries(block.body)) {
          if (!attributes.test(attribute) || block.type.startsWith("aws_iam_role_policy")) continue;
          if (model.refsIn(value).some((target) => target.type === "aws_iam_role")) passes.add(`${block.type}.${attribute}`);
        }
      }
    }
    expect([...passes].filter((attribute) => PASS_ROLE_ATTRIBUTES[attribute] === undefined)).toEqual([]);
    expect(passes.size).toBeGreaterThan(5);
  });
});

describe.each(["dev", "staging", "prod"])("environment %s: its deploy role", (environment) => {
  const entries = ciStacks(environment);
  /** Each (account, type) of the environment's stacks once. */
  const typesByAccount = () => {
    const seen = new Map<string, { entry: StackEntry; type: string }>();
    for (const entry of entries) for (const type of typesOf(modelOf(entry.name).json)) seen.set(`${entry.account.accountId}/${type}`, { entry, type });
    return [...seen.values()];
  };

  it("is allowed every action of every type in its stacks (the role can create, read back, update and delete all of it)", async () => {
    const denied: string[] = [];
    const simulated = new Set<string>();
    for (const { entry, type } of typesByAccount()) {
      const deploy = role(environment, entry, "deploy");
      for (const action of actionsOfEntry(TERRAFORM_ACTIONS[type]!)) {
        const request = requestFor(type, action, environment, entry.account.accountId);
        const key = JSON.stringify([deploy, action, request]);
        if (simulated.has(key)) continue; // the same request for another type
        simulated.add(key);
        const decision = await world.decide(deploy, action, request.resource, { context: request.context });
        if (decision !== "Allowed") denied.push(`${entry.name} ${type}: ${action} on ${request.resource} ${decision}`);
      }
    }
    expect(denied).toEqual([]);
    expect(simulated.size).toBeGreaterThan(200);
  });

  it("and its plan role every read but data (secret values), never a write", async () => {
    const denied: string[] = [];
    const decisions = new Map<string, Promise<string>>();
    const decide = (plan: string, type: string, action: string, accountId: string) => {
      const request = requestFor(type, action, environment, accountId);
      const key = JSON.stringify([plan, action, request]);
      if (!decisions.has(key)) decisions.set(key, world.decide(plan, action, request.resource, { context: request.context }));
      return decisions.get(key) as Promise<string>;
    };
    for (const { entry, type } of typesByAccount()) {
      const plan = role(environment, entry, "plan");
      const map = TERRAFORM_ACTIONS[type]!;
      if (isKubernetesType(map)) continue;
      const excluded = new Set(PLAN_ROLE_DENIED_READS[type]?.actions ?? []);
      for (const action of map.read) {
        const decision = await decide(plan, type, action, entry.account.accountId);
        if (excluded.has(action) ? decision === "Allowed" : decision !== "Allowed") denied.push(`${type}: ${action} ${decision}`);
      }
      for (const action of map.create.filter((candidate) => !candidate.startsWith("iam:") && !/:(Describe|Get|List)/.test(candidate))) {
        if ((await decide(plan, type, action, entry.account.accountId)) === "Allowed") denied.push(`${type}: plan may ${action}`);
      }
    }
    expect([...new Set(denied)]).toEqual([]);
  });
});

describe("the deploy role cannot escalate (prod)", () => {
  const entry = catalog.find((item) => item.name === "prod-infra")!;
  const deploy = role("prod", entry, "deploy");
  const account = entry.account.accountId;
  const iam = (resource: string) => `arn:aws:iam::${account}:${resource}`;
  const boundary = boundaryArnIn(config.project, entry.account);
  const decide = (action: string, resource: string, context: Record<string, string> = {}) => world.decide(deploy, action, resource, { context });

  it("creates roles only with the boundary, and only under its environment's names", async () => {
    expect(await decide("iam:CreateRole", iam("role/acme-prod-new"), { "iam:PermissionsBoundary": boundary })).toBe("Allowed");
    expect(await decide("iam:CreateRole", iam("role/acme-prod-new"))).toBe("ExplicitlyDenied");
    expect(await decide("iam:CreateRole", iam("role/acme-prod-new"), { "iam:PermissionsBoundary": iam("policy/something-else") })).toBe("ExplicitlyDenied");
    expect(await decide("iam:CreateRole", iam("role/acme-dev-new"), { "iam:PermissionsBoundary": boundary })).toBe("ImplicitlyDenied");
    expect(await decide("iam:PutRolePolicy", iam("role/acme-prod-app"))).toBe("ExplicitlyDenied");
  });

  it("never removes or swaps a boundary", async () => {
    expect(await decide("iam:DeleteRolePermissionsBoundary", iam("role/acme-prod-app"))).toBe("ExplicitlyDenied");
    expect(await decide("iam:PutRolePermissionsBoundary", iam("role/acme-prod-app"), { "iam:PermissionsBoundary": iam("policy/wider") })).toBe("ExplicitlyDenied");
    expect(await decide("iam:PutRolePermissionsBoundary", iam("role/acme-prod-app"), { "iam:PermissionsBoundary": boundary })).toBe("Allowed");
  });

  it("attaches only allow-listed managed policies, never AdministratorAccess or IAMFullAccess", async () => {
    for (const name of FORBIDDEN_MANAGED_POLICIES) {
      expect(await decide("iam:AttachRolePolicy", iam("role/acme-prod-app"), { "iam:PermissionsBoundary": boundary, "iam:PolicyARN": `arn:aws:iam::aws:policy/${name}` }), name).not.toBe("Allowed");
    }
    expect(await decide("iam:AttachRolePolicy", iam("role/acme-prod-app"), { "iam:PermissionsBoundary": boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" })).toBe("Allowed");
    expect(await decide("iam:AttachRolePolicy", iam("role/acme-prod-app"), { "iam:PermissionsBoundary": boundary, "iam:PolicyARN": iam("policy/acme-prod-custom") })).toBe("ImplicitlyDenied");
  });

  it("passes its roles only to the services the stacks pass them to", async () => {
    for (const service of PASS_ROLE_SERVICES) expect(await decide("iam:PassRole", iam("role/acme-prod-app"), { "iam:PassedToService": service }), service).toBe("Allowed");
    // Services no stack passes a role to (lambda.amazonaws.com is one now: the RabbitMQ password rotation function).
    for (const service of ["ecs-tasks.amazonaws.com", "cloudformation.amazonaws.com", "sagemaker.amazonaws.com"]) {
      expect(await decide("iam:PassRole", iam("role/acme-prod-app"), { "iam:PassedToService": service }), service).toBe("ImplicitlyDenied");
    }
    expect(await decide("iam:PassRole", iam("role/acme-dev-app"), { "iam:PassedToService": "eks.amazonaws.com" })).toBe("ImplicitlyDenied");
  });

  it("cannot touch the CI identity, the GitHub OIDC provider or the boundary", async () => {
    for (const target of ["role/acme-prod-ci-deploy", "role/acme-prod-ci-plan", "role/acme-dev-ci-deploy"]) {
      for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole"]) {
        expect(await decide(action, iam(target), { "iam:PermissionsBoundary": boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }), `${action} ${target}`).toBe("ExplicitlyDenied");
      }
    }
    expect(await decide("iam:UpdateOpenIDConnectProviderThumbprint", iam(`oidc-provider/${GITHUB_OIDC_HOST}`))).toBe("ExplicitlyDenied");
    expect(await decide("iam:CreatePolicyVersion", boundary)).toBe("ExplicitlyDenied");
  });

  it("creates no IAM users, chains into no other role, and lets AWS create only the listed service-linked roles", async () => {
    expect(await decide("iam:CreateUser", iam("user/backdoor"))).toBe("ExplicitlyDenied");
    expect(await decide("iam:CreateAccessKey", iam("user/backdoor"))).toBe("ExplicitlyDenied");
    expect(await decide("sts:AssumeRole", iam("role/OrganizationAccountAccessRole"))).toBe("ExplicitlyDenied");
    expect(await decide("iam:CreateServiceLinkedRole", iam("role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"), { "iam:AWSServiceName": "eks.amazonaws.com" })).toBe("Allowed");
    expect(await decide("iam:CreateServiceLinkedRole", iam("role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"), { "iam:AWSServiceName": "ecs.amazonaws.com" })).toBe("ExplicitlyDenied");
    expect(await decide("iam:DeleteServiceLinkedRole", iam("role/aws-service-role/opensearchservice.amazonaws.com/AWSServiceRoleForAmazonOpenSearchService"))).toBe("ExplicitlyDenied");
  });

  it("cannot turn off the detective controls", async () => {
    expect(await decide("cloudtrail:StopLogging", `arn:aws:cloudtrail:eu-west-1:${account}:trail/acme-audit`)).toBe("ExplicitlyDenied");
    expect(await decide("cloudtrail:PutEventSelectors", `arn:aws:cloudtrail:eu-west-1:${account}:trail/acme-audit`)).toBe("ExplicitlyDenied");
    expect(await decide("guardduty:DeleteDetector", `arn:aws:guardduty:eu-west-1:${account}:detector/12abc34d567e8fa901bc2d34e56789f0`)).toBe("ExplicitlyDenied");
    expect(await decide("config:StopConfigurationRecorder", "*")).toBe("ExplicitlyDenied");
    expect(await decide("access-analyzer:DeleteAnalyzer", `arn:aws:access-analyzer:eu-west-1:${account}:analyzer/acme-external-access`)).toBe("ExplicitlyDenied");
    expect(await decide("s3:PutBucketPolicy", `arn:aws:s3:::acme-audit-logs-${account}-eu-west-1`)).toBe("ExplicitlyDenied");
    expect(await decide("s3:PutBucketPolicy", stateBucketArn(config.project))).toBe("ExplicitlyDenied");
  });

  it("cannot change another environment's resources in a shared account (they carry its Environment tag)", async () => {
    const cluster = `arn:aws:rds:eu-west-1:${account}:cluster:acme-dev-noor-db`;
    const devDeploy = role("dev", entry, "deploy");
    expect(await world.decide(devDeploy, "rds:DeleteDBCluster", cluster, { context: { "aws:ResourceTag/Environment": "prod" } })).toBe("ExplicitlyDenied");
    expect(await world.decide(devDeploy, "rds:DeleteDBCluster", cluster, { context: { "aws:ResourceTag/Environment": "dev" } })).toBe("Allowed");
    expect(await world.decide(devDeploy, "ec2:CreateVpc", "*", { context: { "aws:RequestTag/Environment": "prod" } })).toBe("ExplicitlyDenied");
  });
});

describe("state objects are isolated per environment", () => {
  const bucket = stateBucketArn(config.project);
  const key = (environment: string, stack: string, suffix = "") => `${bucket}/${environmentStatePrefix(environment)}${stack}/terraform.tfstate${suffix}`;
  const entry = catalog.find((item) => item.name === "dev-infra")!;
  const devDeploy = role("dev", entry, "deploy");
  const devPlan = role("dev", entry, "plan");

  it("the deploy role reads and writes its environment's state, never another's", async () => {
    expect(await world.decide(devDeploy, "s3:PutObject", key("dev", "dev-infra"))).toBe("Allowed");
    expect(await world.decide(devDeploy, "s3:GetObject", key("dev", "dev-platform"))).toBe("Allowed");
    expect(await world.decide(devDeploy, "s3:PutObject", key("prod", "prod-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devDeploy, "s3:GetObject", key("prod", "prod-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devDeploy, "s3:DeleteObject", `${bucket}/stacks/bootstrap/terraform.tfstate`)).toBe("ExplicitlyDenied");
  });

  it("the plan role reads its environment's state and writes only its lock files", async () => {
    expect(await world.decide(devPlan, "s3:GetObject", key("dev", "dev-infra"))).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:PutObject", key("dev", "dev-infra", ".tflock"))).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:DeleteObject", key("dev", "dev-infra", ".tflock"))).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:PutObject", key("dev", "dev-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devPlan, "s3:GetObject", key("prod", "prod-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devPlan, "s3:PutObject", key("prod", "prod-infra", ".tflock"))).toBe("ExplicitlyDenied");
  });

  it("deploy records (environments/<env>/<stack>/deployed.json): written by the deploy role, read by the plan role, each its own environment's only", async () => {
    const record = (environment: string, stack: string) => `${bucket}/${deployRecordKey(stack, environment)}`;
    expect(await world.decide(devDeploy, "s3:PutObject", record("dev", "dev-infra"))).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:GetObject", record("dev", "dev-infra"))).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:ListBucket", bucket, { context: { "s3:prefix": "environments/dev/" } })).toBe("Allowed");
    expect(await world.decide(devPlan, "s3:PutObject", record("dev", "dev-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devDeploy, "s3:PutObject", record("prod", "prod-infra"))).toBe("ExplicitlyDenied");
    expect(await world.decide(devPlan, "s3:GetObject", record("prod", "prod-infra"))).toBe("ExplicitlyDenied");
  });

  it("both use the state key, only through S3 for this bucket", async () => {
    const stateKey = models.find((model) => model.stackName === "bootstrap")!;
    const keyArn = world.stacks.find((stack) => stack.stack === stateKey.stackName)!.resourcePolicies.find((policy) => policy.kind === "key")!.resourceArn;
    const viaS3 = { "kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket };
    expect(await world.decide(devDeploy, "kms:GenerateDataKey", keyArn, { context: viaS3 })).toBe("Allowed");
    expect(await world.decide(devPlan, "kms:Decrypt", keyArn, { context: viaS3 })).toBe("Allowed");
    expect(await world.decide(devPlan, "kms:Decrypt", keyArn)).not.toBe("Allowed");
  });

  it("the plan role reads no data outside its state (objects, secret values)", async () => {
    expect(await world.decide(devPlan, "s3:GetObject", "arn:aws:s3:::acme-dev-noor-uploads/private/report.pdf")).toBe("ExplicitlyDenied");
    expect(await world.decide(devPlan, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:eu-west-1:${MAIN_ACCOUNT}:secret:acme-dev/noor-AbCdEf`)).toBe("ExplicitlyDenied");
  });
});

describe("only the right GitHub token assumes each role (trust policies simulated with the token's claims)", () => {
  const provider = `arn:aws:iam::${MAIN_ACCOUNT}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const entry = catalog.find((item) => item.name === "prod-infra")!;
  const assume = (roleArn: string, sub: string, aud = STS_AUDIENCE) => world.assumeWithWebIdentity(roleArn, provider, { sub, aud });
  const prodDeploy = role("prod", entry, "deploy");
  const prodPlan = role("prod", entry, "plan");
  const devPlan = role("dev", entry, "plan");
  const devDeploy = role("dev", entry, "deploy");
  const pullRequest = githubSubject(repository, { kind: "pull_request" }, workflowRef(repository, PULL_REQUEST_WORKFLOW_FILE, "refs/pull/42/merge"));

  it("the deploy role: only the deploy workflow on the deploy branch in its GitHub environment", async () => {
    expect(await assume(prodDeploy, deploySubject(repository, githubEnvironment("prod"), branch))).toBe("Allowed");
    expect(await assume(prodDeploy, deploySubject(repository, githubEnvironment("prod"), branch), "https://github.com/example-org")).toBe("ImplicitlyDenied");
    expect(await assume(prodDeploy, deploySubject(repository, githubEnvironment("prod"), "feature"))).toBe("ImplicitlyDenied");
    expect(await assume(prodDeploy, githubSubject(repository, { kind: "environment", environment: githubEnvironment("prod") }, workflowRef(repository, "other.yml", `refs/heads/${branch}`)))).toBe("ImplicitlyDenied");
    expect(await assume(prodDeploy, githubSubject(repository, { kind: "branch", branch }, workflowRef(repository, "deploy.yml", `refs/heads/${branch}`)))).toBe("ImplicitlyDenied");
    expect(await assume(prodDeploy, pullRequest)).toBe("ImplicitlyDenied");
    expect(await assume(prodDeploy, deploySubject({ owner: "someone-else", repository: "platform-iac" }, githubEnvironment("prod"), branch))).toBe("ImplicitlyDenied");
  });

  it("the dev GitHub environment's token cannot assume a prod role", async () => {
    const devToken = deploySubject(repository, githubEnvironment("dev"), branch);
    expect(await assume(devDeploy, devToken)).toBe("Allowed");
    expect(await assume(prodDeploy, devToken)).toBe("ImplicitlyDenied");
    expect(await assume(prodPlan, devToken)).toBe("ImplicitlyDenied");
    const devPlanToken = planSubjects(repository, githubEnvironment("dev"), branch).exact.find((subject) => subject.includes(":environment:"))!;
    expect(await assume(devPlan, devPlanToken)).toBe("Allowed");
    expect(await assume(prodPlan, devPlanToken)).toBe("ImplicitlyDenied");
  });

  it("the plan role: this repository's pull requests and the deploy branch, never another environment", async () => {
    expect(await assume(prodPlan, pullRequest)).toBe("Allowed");
    expect(await assume(prodPlan, githubSubject(repository, { kind: "branch", branch }, workflowRef(repository, "deploy.yml", `refs/heads/${branch}`)))).toBe("Allowed");
    expect(await assume(prodPlan, githubSubject(repository, { kind: "branch", branch: "feature" }, workflowRef(repository, "deploy.yml", "refs/heads/feature")))).toBe("ImplicitlyDenied");
    expect(await assume(prodPlan, githubSubject({ owner: "fork-owner", repository: "platform-iac" }, { kind: "pull_request" }, workflowRef({ owner: "fork-owner", repository: "platform-iac" }, PULL_REQUEST_WORKFLOW_FILE, "refs/pull/42/merge")))).toBe("ImplicitlyDenied");
    expect(await assume(prodPlan, githubSubject(repository, { kind: "pull_request" }, workflowRef(repository, "evil.yml", "refs/pull/42/merge")))).toBe("ImplicitlyDenied");
  });
});

describe("the repository setting the trust policies require", () => {
  it("is written in the README as the exact command for this repository", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(subjectCustomizationCommand(repository));
    expect(subjectCustomizationCommand(repository)).toBe(
      "gh api --method PUT repos/example-org/platform-iac/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'",
    );
  });

  it("models subjects of repositories with immutable subject claims and escapes colons in values", () => {
    const immutable = { ...repository, ownerId: 123, repositoryId: 456 };
    expect(deploySubject(immutable, "production", "main")).toBe("repo:example-org@123/platform-iac@456:environment:production:job_workflow_ref:example-org/platform-iac/.github/workflows/deploy.yml@refs/heads/main");
    expect(githubSubject(repository, { kind: "environment", environment: "prod:eu" }, "x")).toBe("repo:example-org/platform-iac:environment:prod%3Aeu:job_workflow_ref:x");
  });
});

describe("two AWS accounts: each environment's roles live and act in their stacks' accounts", () => {
  let twoAccounts: PlatformConfig;
  let accounts: IamWorld;
  let texts: Map<string, string>;

  beforeAll(async () => {
    twoAccounts = loadConfig(twoAccountConfigDir());
    texts = await synthToTexts(twoAccounts, { stackPatterns: ["bootstrap", "account-*"] });
    accounts = iamWorld([...texts].map(([name, text]) => new StackModel(JSON.parse(text) as SynthesizedStack, name)));
  });

  it("creates an account stack per account, with the roles of the environments deploying there", () => {
    expect([...texts.keys()]).toEqual(["account-main", "account-prod", "bootstrap"]);
    const names = (stack: string) => accounts.stacks.find((item) => item.stack === stack)!.roles.map((item) => item.name).sort();
    expect(names("account-prod")).toEqual(["acme-prod-ci-deploy", "acme-prod-ci-plan"]);
    // The dedicated tenant initech (prod) deploys into main: prod's roles exist there too.
    expect(names("account-main")).toEqual(["acme-dev-ci-deploy", "acme-dev-ci-plan", "acme-prod-ci-deploy", "acme-prod-ci-plan", "acme-staging-ci-deploy", "acme-staging-ci-plan"]);
    const catalogTwo = stackCatalog(twoAccounts);
    expect(catalogTwo.find((entry) => entry.name === "prod-infra")?.account.accountId).toBe(PROD_ACCOUNT);
    expect(catalogTwo.find((entry) => entry.name === "tenant-initech-infra")?.account.accountId).toBe(MAIN_ACCOUNT);
  });

  it("the prod deploy role in the prod account reaches prod's state in the bootstrap account, not dev's", async () => {
    const bucket = stateBucketArn(twoAccounts.project);
    const prodDeploy = `arn:aws:iam::${PROD_ACCOUNT}:role/acme-prod-ci-deploy`;
    expect(await accounts.decide(prodDeploy, "s3:PutObject", `${bucket}/environments/prod/prod-infra/terraform.tfstate`)).toBe("Allowed");
    expect(await accounts.decide(prodDeploy, "s3:GetObject", `${bucket}/environments/dev/dev-infra/terraform.tfstate`)).not.toBe("Allowed");
    const keyArn = accounts.stacks.find((stack) => stack.stack === "bootstrap")!.resourcePolicies.find((policy) => policy.kind === "key")!.resourceArn;
    expect(await accounts.decide(prodDeploy, "kms:GenerateDataKey", keyArn, { context: { "kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket } })).toBe("Allowed");
  });

  it("records S3 data events of the state bucket in the bootstrap account's trail only", () => {
    const trail = (stack: string) => Object.values((JSON.parse(texts.get(stack)!) as { resource: { aws_cloudtrail: Record<string, { advanced_event_selector: { field_selector: { field: string; starts_with?: string[] }[] }[] }> } }).resource.aws_cloudtrail)[0]!;
    const dataEvents = (stack: string) => trail(stack).advanced_event_selector.flatMap((selector) => selector.field_selector).filter((field) => field.field === "resources.ARN").flatMap((field) => field.starts_with ?? []);
    expect(dataEvents("account-main")).toEqual([`${stateBucketArn(twoAccounts.project)}/`]);
    expect(dataEvents("account-prod")).toEqual([]);
  });
});
