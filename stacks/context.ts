/**
 * Values every stack derives from configuration in the same way: names, tags, the state backend, the CI role
 * names. Computed here once so stacks stay thin and never disagree.
 */
import type { AccountConfig } from "../config/schema/accounts";
import { accountNameOf } from "../config/schema/accounts";
import type { PlatformConfig } from "../config/loader";
import type { EnvironmentConfig } from "../config/schema/environment";
import type { ProjectConfig } from "../config/schema/project";
import type { TenantConfig } from "../config/schema/tenant";
import { kmsAliasArn, partitionOf, type AccountScope } from "../constructs/core/aws";
import { ciRoleArn, environmentCiRoleNames, permissionsBoundaryArn, type CiRoleKind } from "../constructs/core/ci-roles";
import type { GithubRepository } from "../constructs/core/github-oidc";
import { Naming } from "../constructs/core/naming";
import { accountStackName } from "../constructs/core/stack-names";
import { stateObjectKey } from "../constructs/core/state-keys";
import { standardTags } from "../constructs/core/tagging";

export type BackendSettings =
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly region: string;
      readonly kmsKeyArn: string;
      /** The environment of a stack CI applies: its state lives under `environments/<environment>/` (constructs/core/state-keys.ts). */
      readonly environment?: string;
    }
  | { readonly kind: "local"; readonly directory: string };

export function projectNaming(project: ProjectConfig): Naming {
  return new Naming({ project: project.name });
}

/** An account of project.yaml `accounts` by name (the loader guarantees every name used exists). */
export function accountNamed(project: ProjectConfig, name: string): AccountConfig {
  const account = project.accounts[name];
  if (!account) throw new Error(`project.yaml declares no account "${name}" (accounts: ${Object.keys(project.accounts).join(", ")})`);
  return account;
}

/** The name (in `accounts`) of the account with `id`. */
export function accountNameById(project: ProjectConfig, id: string): string {
  const name = accountNameOf(project.accounts, id);
  if (name === undefined) throw new Error(`account ${id} is not declared in project.yaml accounts`); // the loader rejects this first
  return name;
}

export function bootstrapAccount(project: ProjectConfig): AccountScope {
  const account = accountNamed(project, project.bootstrap.account);
  return { accountId: account.id, region: account.region };
}

/** The state bucket: `<project>-tfstate-<account>-<region>` (globally unique by account and region). */
export function stateBucketName(project: ProjectConfig): string {
  const { accountId, region } = bootstrapAccount(project);
  return projectNaming(project).name("s3-bucket", "tfstate", accountId, region);
}

/** ARN of the state bucket (S3 ARNs carry neither region nor account). */
export function stateBucketArn(project: ProjectConfig): string {
  return `arn:${partitionOf(bootstrapAccount(project).region)}:s3:::${stateBucketName(project)}`;
}

export function stateKeyAlias(project: ProjectConfig): string {
  return projectNaming(project).kmsAlias("tfstate");
}

/** The S3 backend of a stack; `environment` for the stacks CI applies (their state lives under the environment). */
export function s3Backend(project: ProjectConfig, environment?: string): BackendSettings {
  return {
    kind: "s3",
    bucket: stateBucketName(project),
    region: bootstrapAccount(project).region,
    kmsKeyArn: kmsAliasArn(bootstrapAccount(project), stateKeyAlias(project)),
    ...(environment === undefined ? {} : { environment }),
  };
}

/** State object key of a stack: one per stack, never shared; under its environment when CI applies it. */
export function stateKey(stackName: string, environment?: string): string {
  return stateObjectKey(stackName, environment);
}

/**
 * ARN of an environment's CI role in an account: `<project>-<env>-ci-plan|deploy`, created by that account's
 * `account-<name>` stack. Cluster access entries and the workflows use it; CI authenticates directly into the account
 * of the stack it plans or applies.
 */
export function environmentCiRoleArn(project: ProjectConfig, environment: string, account: AccountScope, kind: CiRoleKind): string {
  return ciRoleArn(partitionOf(account.region), account.accountId, environmentCiRoleNames(project.name, environment)[kind]);
}

/** The permissions boundary every role the platform creates in `account` carries (created by its account stack). */
export function boundaryArnIn(project: ProjectConfig, account: AccountScope): string {
  return permissionsBoundaryArn(partitionOf(account.region), account.accountId, project.name);
}

export function repositoryOf(project: ProjectConfig): string {
  return `${project.github.owner}/${project.github.repository}`;
}

/** The repository as the OIDC subject names it (constructs/core/github-oidc.ts). */
export function githubRepository(project: ProjectConfig): GithubRepository {
  const { owner, repository, ownerId, repositoryId } = project.github;
  return { owner, repository, ...(ownerId !== undefined && repositoryId !== undefined ? { ownerId, repositoryId } : {}) };
}

/**
 * Whether stateful resources get `prevent_destroy` and deletion protection: everywhere but development profiles,
 * and not for a tenant marked `decommission: true` (so its stacks can be destroyed). Pass the context where there is
 * one, so tenants are taken into account.
 */
export function protectsState(target: EnvironmentConfig | EnvironmentContext): boolean {
  const environment = "environment" in target ? target.environment : target;
  const decommissioning = "environment" in target && target.tenant?.decommission === true;
  return environment.profile !== "development" && !decommissioning;
}

export interface EnvironmentContext {
  readonly project: ProjectConfig;
  /** The environment, or for a dedicated tenant the environment with the tenant's network applied. */
  readonly environment: EnvironmentConfig;
  /** Present for tenant stacks: names, tags and ownership carry the tenant. */
  readonly tenant?: TenantConfig;
  readonly naming: Naming;
  readonly account: AccountScope;
  /** The account's name in project.yaml `accounts` (its `account-<name>` stack holds the CI roles and the boundary). */
  readonly accountName: string;
}

/**
 * The account a stack of `environment` (or of a dedicated `tenant`) deploys into: a dedicated tenant's own `account`
 * (by name, in its environment's region) or the environment's.
 */
export function stackAccount(project: ProjectConfig, environment: EnvironmentConfig, tenant?: TenantConfig): { readonly name: string; readonly scope: AccountScope } {
  if (tenant?.isolation === "dedicated" && tenant.account !== undefined) {
    return { name: tenant.account, scope: { accountId: accountNamed(project, tenant.account).id, region: environment.account.region } };
  }
  return { name: accountNameById(project, environment.account.id), scope: { accountId: environment.account.id, region: environment.account.region } };
}

export function environmentContext(project: ProjectConfig, environment: EnvironmentConfig, tenant?: TenantConfig): EnvironmentContext {
  const naming = new Naming({ project: project.name, environment: environment.name });
  const account = stackAccount(project, environment, tenant);
  return {
    project,
    environment,
    ...(tenant ? { tenant } : {}),
    naming: tenant ? naming.forTenant(tenant.id, tenant.cluster?.name) : naming,
    account: account.scope,
    accountName: account.name,
  };
}

/** Standard tags of a stack (project tags, then environment tags, then tenant tags, then the standard keys). */
export function environmentTags(context: EnvironmentContext, stack: string): Record<string, string> {
  const { project, environment, tenant } = context;
  return standardTags({
    project: project.name,
    environment: environment.name,
    ...(tenant ? { tenant: tenant.id } : {}),
    owner: tenant?.owner ?? environment.owner ?? project.owner,
    costCentre: tenant?.costCentre ?? environment.costCentre ?? project.costCentre,
    repository: repositoryOf(project),
    stack,
    extra: { ...project.tags, ...environment.tags, ...tenant?.tags },
  });
}

/**
 * Base-stack settings of a stack CI applies: pinned to its account, tagged, its state under its environment (the
 * catalog passes that backend), and every IAM role bounded by the account's permissions boundary.
 */
export function ciStackProps(context: EnvironmentContext, stack: string, backend: BackendSettings): { account: AccountScope; backend: BackendSettings; tags: Record<string, string>; permissionsBoundaryArn: string; serviceLinkedRolesFrom: string } {
  return {
    account: context.account,
    backend,
    tags: environmentTags(context, stack),
    permissionsBoundaryArn: boundaryArnIn(context.project, context.account),
    serviceLinkedRolesFrom: accountStackName(context.accountName),
  };
}

/** What deploys into one AWS account: the environments with stacks there, and the settings each stack is built from. */
export interface AccountDeployments {
  /** Environments with stacks in the account (their CI roles live in its account stack), by name. */
  readonly environments: ReadonlyMap<string, EnvironmentConfig>;
  /** The settings of every environment and dedicated tenant deploying here (service-linked roles, regions). */
  readonly stacks: readonly EnvironmentConfig[];
}

/**
 * Per account (by name in project.yaml `accounts`), what deploys into it: each environment's stacks go to its
 * account, a dedicated tenant's to its own account when it names one. The bootstrap account is always present (it
 * holds the state bucket), possibly with no environment.
 */
export function accountDeployments(config: PlatformConfig): Map<string, AccountDeployments> {
  const out = new Map<string, { environments: Map<string, EnvironmentConfig>; stacks: EnvironmentConfig[] }>();
  const entry = (name: string) => {
    let found = out.get(name);
    if (!found) {
      found = { environments: new Map(), stacks: [] };
      out.set(name, found);
    }
    return found;
  };
  entry(config.project.bootstrap.account);
  const environments = new Map(config.environments.map(({ config: environment }) => [environment.name, environment]));
  for (const environment of environments.values()) {
    const account = entry(stackAccount(config.project, environment).name);
    account.environments.set(environment.name, environment);
    account.stacks.push(environment);
  }
  for (const { config: tenant, environment: settings } of config.tenants) {
    const environment = environments.get(tenant.environment);
    if (!environment || tenant.isolation !== "dedicated") continue;
    const account = entry(stackAccount(config.project, environment, tenant).name);
    account.environments.set(environment.name, environment);
    account.stacks.push(settings);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** Every account an environment's stacks deploy into (its CI roles exist in each). */
export function environmentAccounts(config: PlatformConfig): Map<string, AccountScope[]> {
  const out = new Map<string, AccountScope[]>();
  for (const [name, deployments] of accountDeployments(config)) {
    const account = accountNamed(config.project, name);
    for (const environment of deployments.environments.keys()) {
      out.set(environment, [...(out.get(environment) ?? []), { accountId: account.id, region: account.region }]);
    }
  }
  return out;
}
