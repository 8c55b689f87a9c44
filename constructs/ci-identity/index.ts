/**
 * The CI identity of one AWS account: GitHub Actions' OIDC provider and, for each environment with stacks in the
 * account, a plan role and a deploy role. CI authenticates directly into the account of the stack it plans or
 * applies (no role chaining), so the AWS provider and the Kubernetes/Helm token use the same credentials.
 *
 * Trust (constructs/core/github-oidc.ts: the repository's OIDC subject is customized to carry the job's workflow):
 * - deploy role: ONLY the deploy workflow, on the deploy branch, in the environment's GitHub environment (whose
 *   protection rules hold the approvals);
 * - plan role: pull requests of this repository through the pull-request workflow (forks get no token), and the
 *   deploy branch's workflows without a GitHub environment or in this environment's. Never another environment.
 *
 * Permissions:
 * - plan role: `ReadOnlyAccess` (Terraform refreshes every resource type), reading its environment's state objects
 *   and writing only their lock files; denied every data read (objects outside its state, messages, items, log
 *   events, secret values): it runs code from pull requests.
 * - deploy role: `PowerUserAccess` for the services (everything but IAM, Organizations and Account), IAM exactly as
 *   the action map needs on its environment's names (`<project>-<env>-*`) — creating or changing a role only with the
 *   account's permissions boundary, attaching only allow-listed managed policies, passing roles only to the services
 *   the stacks pass them to — its environment's state objects, and guard denies: no resource tagged with another
 *   environment, no role chaining, no service-linked role outside the list, never the CI identity or the boundary.
 * Both roles carry the permissions boundary themselves.
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { partitionOf, type AccountScope } from "../core/aws";
import type { CiRoleNames } from "../core/ci-roles";
import { deploySubject, GITHUB_OIDC_HOST, GITHUB_OIDC_URL, planSubjects, STS_AUDIENCE, type GithubRepository } from "../core/github-oidc";
import { environmentStatePrefix, LOCK_SUFFIX } from "../core/state-keys";
import { API_CREATED_SLR_SERVICES } from "../service-linked-roles/catalog";
import { ATTACHABLE_AWS_MANAGED_POLICIES, BOUNDED_ROLE_ACTIONS, iamActionsByResource, PASS_ROLE_SERVICES } from "./grants";

export { GITHUB_OIDC_HOST, GITHUB_OIDC_URL, STS_AUDIENCE };
export type { CiRoleNames };

/** One hour is enough for `cdktf diff`. */
export const PLAN_SESSION_SECONDS = 3600;
/** Creating a cluster and its databases can take more than an hour. */
export const DEPLOY_SESSION_SECONDS = 7200;
/** The tag every environment's resources carry (provider default tags): the deploy role's guard keys on it. */
export const ENVIRONMENT_TAG = "Environment";

/**
 * Data reads the plan role never makes (ReadOnlyAccess includes them): it runs code from pull requests, and Terraform
 * never reads data, only configuration.
 */
export const PLAN_DENIED_DATA_READS: readonly string[] = [
  "sqs:ReceiveMessage", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
  "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetLogRecord", "secretsmanager:GetSecretValue", "ssm:GetParameterHistory",
  "kinesis:GetRecords", "athena:GetQueryResults",
];

export interface CiEnvironment {
  /** The environment's name (its state prefix and tag value). */
  readonly name: string;
  /** GitHub environment whose jobs deploy it (deployment.githubEnvironment). */
  readonly githubEnvironment: string;
  readonly roleNames: CiRoleNames;
  /** `<project>-<env>-`: every IAM name the environment's stacks create starts with it. */
  readonly iamPrefix: string;
}

export interface CiStateAccess {
  /** The state bucket's name (in the bootstrap account). */
  readonly bucketName: string;
  /** The bootstrap account and region holding the bucket and its key. */
  readonly account: AccountScope;
}

export interface CiIdentityProps {
  readonly account: AccountScope;
  readonly repository: GithubRepository;
  /** Branch whose pushes deploy. */
  readonly deployBranch: string;
  /** Environments with stacks in this account: each gets its plan and deploy role. */
  readonly environments: readonly CiEnvironment[];
  /** Project prefix (protection patterns cover every environment's CI roles). */
  readonly project: string;
  /** The account's permissions boundary (a reference, so the roles are created after it). */
  readonly boundaryArn: string;
  /** The boundary's ARN as a literal (conditions compare the request's value with it). */
  readonly boundaryLiteralArn: string;
  readonly state: CiStateAccess;
  /** Regions the environments' stacks use in this account (plan-time data sources are called there). */
  readonly regions: readonly string[];
  /**
   * Whether this account's GitHub OIDC provider is created here. Only one provider per URL may exist in an account.
   * @default true
   */
  readonly createOidcProvider?: boolean;
}

export interface EnvironmentCiRoles {
  readonly plan: IamRole;
  readonly deploy: IamRole;
}

export class CiIdentity extends Construct {
  readonly oidcProvider?: IamOpenidConnectProvider;
  readonly oidcProviderArn: string;
  /** Each environment's roles, by environment name. */
  readonly roles: ReadonlyMap<string, EnvironmentCiRoles>;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    const { owner, repository } = props.repository;
    if (!/^[A-Za-z0-9-]+$/.test(owner) || !/^[A-Za-z0-9._-]+$/.test(repository)) {
      throw new Error(`CiIdentity: repository must be "owner/name", got "${owner}/${repository}"`);
    }
    if (props.environments.length === 0) throw new Error("CiIdentity: at least one environment is required (an account without environment stacks needs no CI identity)");
    const names = props.environments.map((environment) => environment.name);
    if (new Set(names).size !== names.length) throw new Error(`CiIdentity: environments must be unique, got ${names.join(", ")}`);
    const githubEnvironments = props.environments.map((environment) => environment.githubEnvironment);
    if (new Set(githubEnvironments).size !== githubEnvironments.length) {
      throw new Error(`CiIdentity: each environment needs its own GitHub environment, got ${githubEnvironments.join(", ")}`);
    }

    const partition = partitionOf(props.account.region);
    const iam = (resource: string) => `arn:${partition}:iam::${props.account.accountId}:${resource}`;
    this.oidcProviderArn = iam(`oidc-provider/${GITHUB_OIDC_HOST}`);
    if (props.createOidcProvider ?? true) {
      this.oidcProvider = new IamOpenidConnectProvider(this, "github-oidc", { url: GITHUB_OIDC_URL, clientIdList: [STS_AUDIENCE] });
    }
    const providerArn = this.oidcProvider?.arn ?? this.oidcProviderArn;
    const audience = { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [STS_AUDIENCE] };
    const webIdentity = (condition: DataAwsIamPolicyDocumentStatement["condition"]): DataAwsIamPolicyDocumentStatement => ({
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [providerArn] }],
      condition,
    });

    const statePartition = partitionOf(props.state.account.region);
    const bucketArn = `arn:${statePartition}:s3:::${props.state.bucketName}`;
    // The state key is used only through S3 (SSE-KMS with a bucket key: the encryption context is the bucket's ARN).
    const stateKey: DataAwsIamPolicyDocumentStatement = {
      sid: "UseStateKeyThroughS3",
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
      resources: [`arn:${statePartition}:kms:${props.state.account.region}:${props.state.account.accountId}:key/*`],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${props.state.account.region}.amazonaws.com`] },
        { test: "StringEquals", variable: "kms:EncryptionContext:aws:s3:arn", values: [bucketArn] },
      ],
    };
    // Listing is needed even to read a fresh stack's (missing) state object: without s3:ListBucket S3 answers 403
    // instead of 404 and Terraform fails (S3 API reference, GetObject: "If the object you request doesn't exist, the
    // error that Amazon S3 returns depends on whether you also have the s3:ListBucket permission").
    const listState: DataAwsIamPolicyDocumentStatement = { sid: "ListState", actions: ["s3:ListBucket"], resources: [bucketArn] };
    const protectCi: DataAwsIamPolicyDocumentStatement = {
      sid: "ProtectCiIdentity",
      effect: "Deny",
      actions: ["iam:*"],
      resources: [iam(`role/${props.project}-*-ci-plan`), iam(`role/${props.project}-*-ci-deploy`), this.oidcProviderArn, props.boundaryLiteralArn],
    };
    const noChaining: DataAwsIamPolicyDocumentStatement = {
      sid: "NoRoleChaining",
      effect: "Deny",
      actions: ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:GetFederationToken"],
      resources: ["*"],
    };

    const roles = new Map<string, EnvironmentCiRoles>();
    for (const environment of props.environments) {
      const prefix = environmentStatePrefix(environment.name);
      const objects = `${bucketArn}/${prefix}*`;
      const plans = planSubjects(props.repository, environment.githubEnvironment, props.deployBranch);
      const planTrust = new DataAwsIamPolicyDocument(this, `${environment.name}-plan-trust`, {
        statement: [
          { sid: "DeployBranch", ...webIdentity([audience, { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...plans.exact] }]) },
          { sid: "PullRequests", ...webIdentity([audience, { test: "StringLike", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...plans.patterns] }]) },
        ],
      });
      const plan = new IamRole(this, `${environment.name}-plan`, {
        name: environment.roleNames.plan,
        description: `CI: read-only plans of environment ${environment.name} (pull requests, deploy branch)`,
        assumeRolePolicy: planTrust.json,
        maxSessionDuration: PLAN_SESSION_SECONDS,
        permissionsBoundary: props.boundaryArn,
      });
      new IamRolePolicyAttachment(this, `${environment.name}-plan-readonly`, { role: plan.name, policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess` });
      const planPolicy = new DataAwsIamPolicyDocument(this, `${environment.name}-plan-policy`, {
        statement: [
          listState,
          { sid: "ReadOwnState", actions: ["s3:GetObject"], resources: [objects] },
          { sid: "WriteOwnLocksOnly", actions: ["s3:PutObject", "s3:DeleteObject"], resources: [`${objects}${LOCK_SUFFIX}`] },
          stateKey,
          // Data sources Terraform reads during a plan that ReadOnlyAccess does not cover (random bytes, no data).
          {
            sid: "PlanTimeDataSources",
            actions: ["secretsmanager:GetRandomPassword"],
            resources: ["*"],
            condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [...props.regions] }],
          },
          { sid: "NoObjectReadsOutsideOwnState", effect: "Deny", actions: ["s3:GetObject", "s3:GetObjectVersion"], notResources: [objects] },
          { sid: "NoDataReads", effect: "Deny", actions: [...PLAN_DENIED_DATA_READS], resources: ["*"] },
          noChaining,
          protectCi,
        ],
      });
      new IamRolePolicy(this, `${environment.name}-plan-inline`, { name: "terraform-plan", role: plan.id, policy: planPolicy.json });

      const deployTrust = new DataAwsIamPolicyDocument(this, `${environment.name}-deploy-trust`, {
        statement: [
          {
            sid: "DeployWorkflowInGithubEnvironment",
            ...webIdentity([audience, { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [deploySubject(props.repository, environment.githubEnvironment, props.deployBranch)] }]),
          },
        ],
      });
      const deploy = new IamRole(this, `${environment.name}-deploy`, {
        name: environment.roleNames.deploy,
        description: `CI: deploys environment ${environment.name} (deploy workflow, GitHub environment ${environment.githubEnvironment})`,
        assumeRolePolicy: deployTrust.json,
        maxSessionDuration: DEPLOY_SESSION_SECONDS,
        permissionsBoundary: props.boundaryArn,
      });
      new IamRolePolicyAttachment(this, `${environment.name}-deploy-power-user`, { role: deploy.name, policyArn: `arn:${partition}:iam::aws:policy/PowerUserAccess` });
      const deployIam = new DataAwsIamPolicyDocument(this, `${environment.name}-deploy-iam`, {
        statement: deployIamStatements({ iam, partition, prefix: environment.iamPrefix, boundaryArn: props.boundaryLiteralArn }),
      });
      new IamRolePolicy(this, `${environment.name}-deploy-iam-policy`, { name: "environment-iam", role: deploy.id, policy: deployIam.json });
      const deployGuard = new DataAwsIamPolicyDocument(this, `${environment.name}-deploy-guard`, {
        statement: [
          listState,
          { sid: "WriteOwnState", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [objects] },
          stateKey,
          {
            sid: "NoOtherEnvironmentsResources",
            effect: "Deny",
            actions: ["*"],
            resources: ["*"],
            condition: [
              { test: "Null", variable: `aws:ResourceTag/${ENVIRONMENT_TAG}`, values: ["false"] },
              { test: "StringNotEquals", variable: `aws:ResourceTag/${ENVIRONMENT_TAG}`, values: [environment.name] },
            ],
          },
          {
            sid: "NoResourcesTaggedForOtherEnvironments",
            effect: "Deny",
            actions: ["*"],
            resources: ["*"],
            condition: [
              { test: "Null", variable: `aws:RequestTag/${ENVIRONMENT_TAG}`, values: ["false"] },
              { test: "StringNotEquals", variable: `aws:RequestTag/${ENVIRONMENT_TAG}`, values: [environment.name] },
            ],
          },
          {
            // PowerUserAccess reads every secret value in the account, and RDS-managed master secrets carry no
            // Environment tag for the guard above to key on: where environments share an account, another
            // environment's deploy job must never read this one's credentials. Secrets the platform names
            // (constructs/core/secrets.ts) start with `<project>-<env>/`, `<project>-<env>-<tenant>/` or
            // `/<project>/<env>/`; the loader rejects an environment named with another's prefix and a hyphen.
            sid: "NoSecretValuesOutsideTheEnvironment",
            effect: "Deny",
            actions: ["secretsmanager:GetSecretValue"],
            notResources: [
              `arn:${partition}:secretsmanager:*:${props.account.accountId}:secret:${props.project}-${environment.name}/*`,
              `arn:${partition}:secretsmanager:*:${props.account.accountId}:secret:${props.project}-${environment.name}-*`,
              `arn:${partition}:secretsmanager:*:${props.account.accountId}:secret:/${props.project}/${environment.name}/*`,
            ],
          },
          { sid: "NeverLeaveTheBoundary", effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"], resources: ["*"] },
          {
            sid: "OnlyBoundedRoles",
            effect: "Deny",
            actions: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"],
            resources: ["*"],
            condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [props.boundaryLiteralArn] }],
          },
          {
            sid: "OnlyListedServiceLinkedRoles",
            effect: "Deny",
            actions: ["iam:CreateServiceLinkedRole"],
            resources: ["*"],
            condition: [{ test: "StringNotEquals", variable: "iam:AWSServiceName", values: [...API_CREATED_SLR_SERVICES] }],
          },
          { sid: "ServiceLinkedRolesStay", effect: "Deny", actions: ["iam:DeleteServiceLinkedRole"], resources: ["*"] },
          noChaining,
          protectCi,
        ],
      });
      new IamRolePolicy(this, `${environment.name}-deploy-guard-policy`, { name: "state-and-guardrails", role: deploy.id, policy: deployGuard.json });
      roles.set(environment.name, { plan, deploy });
    }
    this.roles = roles;
  }
}

interface DeployIamInput {
  readonly iam: (resource: string) => string;
  readonly partition: string;
  /** `<project>-<env>-` */
  readonly prefix: string;
  readonly boundaryArn: string;
}

/**
 * The deploy role's IAM grants, from the action map (constructs/ci-identity/action-map.ts): every IAM action
 * Terraform calls for the IAM types, on the environment's names only; changes that widen a role only with the
 * boundary; managed policies from the allow-list; roles passed only to the listed services.
 */
export function deployIamStatements(input: DeployIamInput): DataAwsIamPolicyDocumentStatement[] {
  const { iam, partition, prefix, boundaryArn } = input;
  const byResource = iamActionsByResource();
  const roleArns = [iam(`role/${prefix}*`)];
  const bounded = new Set([...BOUNDED_ROLE_ACTIONS, "iam:AttachRolePolicy"]);
  const roleActions = (byResource.get("role") ?? []).filter((action) => !bounded.has(action) && action !== "iam:ListRoles");
  const withBoundary = { test: "StringEquals", variable: "iam:PermissionsBoundary", values: [boundaryArn] };
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: "ManageEnvironmentRoles", actions: roleActions, resources: roleArns },
    { sid: "ChangeOnlyBoundedRoles", actions: [...BOUNDED_ROLE_ACTIONS], resources: roleArns, condition: [withBoundary] },
    {
      sid: "AttachAllowedPolicies",
      actions: ["iam:AttachRolePolicy"],
      resources: roleArns,
      condition: [
        withBoundary,
        {
          test: "ArnEquals",
          variable: "iam:PolicyARN",
          values: ATTACHABLE_AWS_MANAGED_POLICIES.map((name) => `arn:${partition}:iam::aws:policy/${name}`),
        },
      ],
    },
    {
      sid: "PassEnvironmentRolesToListedServices",
      actions: ["iam:PassRole"],
      resources: roleArns,
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: [...PASS_ROLE_SERVICES] }],
    },
    {
      sid: "CreateServiceLinkedRolesOnFirstUse",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [iam("role/aws-service-role/*")],
      condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: [...API_CREATED_SLR_SERVICES] }],
    },
    { sid: "ReadServiceLinkedRoles", actions: ["iam:GetRole", "iam:ListRoleTags"], resources: [iam("role/aws-service-role/*")] },
  ];
  const profiles = byResource.get("instance-profile") ?? [];
  if (profiles.length > 0) statements.push({ sid: "ManageEnvironmentInstanceProfiles", actions: profiles, resources: [iam(`instance-profile/${prefix}*`)] });
  const policies = byResource.get("policy") ?? [];
  if (policies.length > 0) statements.push({ sid: "ManageEnvironmentPolicies", actions: policies, resources: [iam(`policy/${prefix}*`)] });
  const providers = byResource.get("oidc-provider") ?? [];
  if (providers.length > 0) statements.push({ sid: "ManageClusterOidcProviders", actions: providers, resources: [iam("oidc-provider/oidc.eks.*")] });
  return statements;
}
