/**
 * Values every stack derives from configuration in the same way: names, tags, the state backend, the CI role
 * names. Computed here once so stacks stay thin and never disagree.
 */
import type { EnvironmentConfig } from "../config/schema/environment";
import type { ProjectConfig } from "../config/schema/project";
import type { TenantConfig } from "../config/schema/tenant";
import { kmsAliasArn, roleArn, type AccountScope } from "../constructs/core/aws";
import { Naming } from "../constructs/core/naming";
import { standardTags } from "../constructs/core/tagging";
import type { CiRoleNames } from "../constructs/ci-identity";

export type BackendSettings =
  | { readonly kind: "s3"; readonly bucket: string; readonly region: string; readonly kmsKeyArn: string }
  | { readonly kind: "local"; readonly directory: string };

export function projectNaming(project: ProjectConfig): Naming {
  return new Naming({ project: project.name });
}

export function bootstrapAccount(project: ProjectConfig): AccountScope {
  return { accountId: project.bootstrap.accountId, region: project.bootstrap.region };
}

/** The state bucket: `<project>-tfstate-<account>-<region>` (globally unique by account and region). */
export function stateBucketName(project: ProjectConfig): string {
  return projectNaming(project).name("s3-bucket", "tfstate", project.bootstrap.accountId, project.bootstrap.region);
}

export function stateKeyAlias(project: ProjectConfig): string {
  return projectNaming(project).kmsAlias("tfstate");
}

export function s3Backend(project: ProjectConfig): BackendSettings {
  return {
    kind: "s3",
    bucket: stateBucketName(project),
    region: project.bootstrap.region,
    kmsKeyArn: kmsAliasArn(bootstrapAccount(project), stateKeyAlias(project)),
  };
}

/** State object key of a stack: one per stack, never shared. */
export function stateKey(stackName: string): string {
  return `stacks/${stackName}/terraform.tfstate`;
}

export function ciRoleNames(project: ProjectConfig): CiRoleNames {
  const naming = projectNaming(project);
  return { plan: naming.name("iam-role", "ci-plan"), deploy: naming.name("iam-role", "ci-deploy") };
}

/** ARN of the CI deploy role (for cluster access entries and key policies in environment stacks). */
export function ciDeployRoleArn(project: ProjectConfig): string {
  return roleArn(bootstrapAccount(project), ciRoleNames(project).deploy);
}

export function repositoryOf(project: ProjectConfig): string {
  return `${project.github.owner}/${project.github.repository}`;
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
}

export function environmentContext(project: ProjectConfig, environment: EnvironmentConfig, tenant?: TenantConfig): EnvironmentContext {
  const naming = new Naming({ project: project.name, environment: environment.name });
  return {
    project,
    environment,
    ...(tenant ? { tenant } : {}),
    naming: tenant ? naming.forTenant(tenant.id, tenant.cluster?.name) : naming,
    account: { accountId: environment.account.id, region: environment.account.region },
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
