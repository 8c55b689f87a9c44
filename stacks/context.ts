/**
 * Values every stack derives from configuration in the same way: names, tags, the state backend, the CI role
 * names. Computed here once so stacks stay thin and never disagree.
 */
import type { EnvironmentConfig } from "../config/schema/environment";
import type { ProjectConfig } from "../config/schema/project";
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

/** Whether stateful resources of an environment get `prevent_destroy` and deletion protection. */
export function protectsState(environment: EnvironmentConfig): boolean {
  return environment.profile !== "development";
}

export interface EnvironmentContext {
  readonly project: ProjectConfig;
  readonly environment: EnvironmentConfig;
  readonly naming: Naming;
  readonly account: AccountScope;
}

export function environmentContext(project: ProjectConfig, environment: EnvironmentConfig): EnvironmentContext {
  return {
    project,
    environment,
    naming: new Naming({ project: project.name, environment: environment.name }),
    account: { accountId: environment.account.id, region: environment.account.region },
  };
}

/** Standard tags of a stack in an environment (project tags, then environment tags, then the standard keys). */
export function environmentTags(context: EnvironmentContext, stack: string): Record<string, string> {
  const { project, environment } = context;
  return standardTags({
    project: project.name,
    environment: environment.name,
    owner: environment.owner ?? project.owner,
    costCentre: environment.costCentre ?? project.costCentre,
    repository: repositoryOf(project),
    stack,
    extra: { ...project.tags, ...environment.tags },
  });
}
