/**
 * Names of the CI identities and of the permissions boundary. Each environment has its own plan (read-only) and
 * deploy role in every AWS account that holds stacks of that environment, so a job of one environment can never
 * obtain credentials that change another. Every role the platform creates carries the account's permissions
 * boundary. Pure: used by configuration checks, the stacks that create or trust the roles, and the workflow
 * generator.
 */
import { Naming } from "./naming";

export interface CiRoleNames {
  readonly plan: string;
  readonly deploy: string;
}

export type CiRoleKind = keyof CiRoleNames;

/** `<project>-<env>-ci-plan` and `<project>-<env>-ci-deploy`. */
export function environmentCiRoleNames(project: string, environment: string): CiRoleNames {
  const naming = new Naming({ project, environment });
  return { plan: naming.name("iam-role", "ci-plan"), deploy: naming.name("iam-role", "ci-deploy") };
}

/** ARN of a role by name in an account (CI roles live at the root path). */
export function ciRoleArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/** The managed policy every role the platform creates in an account carries as its permissions boundary. */
export function permissionsBoundaryName(project: string): string {
  return new Naming({ project }).name("iam-policy", "platform-boundary");
}

export function permissionsBoundaryArn(partition: string, accountId: string, project: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${permissionsBoundaryName(project)}`;
}

/**
 * IAM names an environment's stacks create (roles, instance profiles, policies) start with `<project>-<env>-`: the
 * environment's deploy role manages only those (the loader rejects an environment named like another's prefix).
 */
export function environmentIamPrefix(project: string, environment: string): string {
  return `${new Naming({ project, environment }).prefix}-`;
}
