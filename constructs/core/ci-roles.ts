/**
 * Names of the CI identities. Each environment has its own plan (read-only) and deploy role in every AWS account
 * that holds stacks of that environment, so a job of one environment can never obtain credentials that change
 * another. Pure: used by configuration checks, the stacks that create or trust the roles, and the workflow
 * generator.
 */
import { Naming } from "./naming";

export interface CiRoleNames {
  readonly plan: string;
  readonly deploy: string;
}

/** `<project>-<env>-ci-plan` and `<project>-<env>-ci-deploy`. */
export function environmentCiRoleNames(project: string, environment: string): CiRoleNames {
  const naming = new Naming({ project, environment });
  return { plan: naming.name("iam-role", "ci-plan"), deploy: naming.name("iam-role", "ci-deploy") };
}

/** ARN of a role by name in an account (CI roles live at the root path). */
export function ciRoleArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}
