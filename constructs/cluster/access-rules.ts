/**
 * Who may use a cluster, as configuration names them (pure: the configuration schema and the cluster construct use
 * it). Facts relied on:
 *
 * - `CreateAccessEntry` needs an existing principal, one access entry per principal, and no STS session ARNs
 *   (EKS API reference, CreateAccessEntry `principalArn`).
 * - A role ARN in an access entry may, and for a role with a path must, include the path: "If the ARN is for an IAM
 *   role, it can include a path. ARNs in aws-auth ConfigMap entries, can't include a path" (EKS user guide, "Create
 *   access entries"); the path-less ARN of an IAM Identity Center role is rejected with "The specified principalArn
 *   is invalid: invalid principal" (terraform-aws-modules/terraform-aws-eks#2969).
 * - IAM Identity Center provisions a role per permission set in each account it is assigned to, named
 *   `AWSReservedSSO_<permission set>_<hash>` under the path `/aws-reserved/sso.amazonaws.com/` (plus a region segment
 *   in newer accounts); the hash changes when the permission set is re-provisioned. So configuration names the
 *   permission set, and the plan resolves the role with the `aws_iam_roles` data source by name regex and path prefix
 *   (the provider's documented example for "Roles provisioned by AWS SSO").
 */

/** Path prefix of every role IAM Identity Center provisions. */
export const SSO_ROLE_PATH_PREFIX = "/aws-reserved/sso.amazonaws.com/";
/** Name prefix of those roles. */
export const SSO_ROLE_NAME_PREFIX = "AWSReservedSSO_";
/** A permission set name (IAM Identity Center: 1-32 of letters, digits and `+=,.@_-`). */
export const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;
/** An IAM role ARN with optional path. */
const ROLE = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const STS_SESSION = /^arn:(aws|aws-cn|aws-us-gov):sts::\d{12}:assumed-role\/([\w+=,.@-]+)\/[^/]+$/;
const IAM_USER = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:user\//;

/** Kubernetes group of the CI plan role: bound to read-only RBAC by the platform stack (constructs/plan-access). */
export const CI_PLAN_KUBERNETES_GROUP = "platform:ci-plan";

export interface ParsedRoleArn {
  readonly partition: string;
  readonly accountId: string;
  /** `/` or `/path/…/`. */
  readonly path: string;
  readonly name: string;
}

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const match = ROLE.exec(arn);
  if (!match) return undefined;
  return { partition: match[1] as string, accountId: match[2] as string, path: `/${match[3] ?? ""}`, name: match[4] as string };
}

/** Why `arn` cannot name an access entry's role, or undefined when it can. */
export function roleArnProblem(arn: string): string | undefined {
  const session = STS_SESSION.exec(arn);
  if (session) {
    return `is an STS session (assumed-role) ARN, which an access entry cannot name; use the role's IAM ARN (arn:aws:iam::<account>:role/<path>${session[2]}), or its permission set name for an IAM Identity Center role`;
  }
  if (IAM_USER.test(arn)) return "is an IAM user; access entries are granted to roles here (users have long-term credentials)";
  const role = parseRoleArn(arn);
  if (!role) return "expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admin (a path is allowed: role/team/platform-admin)";
  if (role.name.startsWith(SSO_ROLE_NAME_PREFIX) && !role.path.startsWith(SSO_ROLE_PATH_PREFIX)) {
    return (
      `is an IAM Identity Center role without its path: EKS rejects it (invalid principal); its ARN is arn:${role.partition}:iam::${role.accountId}:role${SSO_ROLE_PATH_PREFIX}[<region>/]${role.name}. ` +
      "Better, name the permission set under adminPermissionSets / viewerPermissionSets: the role's suffix changes whenever the permission set is re-provisioned"
    );
  }
  return undefined;
}

/** Why `name` is not a permission set name, or undefined. */
export function permissionSetProblem(name: string): string | undefined {
  if (name.startsWith(SSO_ROLE_NAME_PREFIX)) return `expected the permission set's name, not its role's (drop the ${SSO_ROLE_NAME_PREFIX} prefix and the hash suffix)`;
  if (!PERMISSION_SET_NAME.test(name)) return "expected an IAM Identity Center permission set name: 1-32 of letters, digits and + = , . @ _ -";
  return undefined;
}

/** RE2 (Go) regular expression matching exactly the role names IAM Identity Center gives a permission set's roles. */
export function ssoRoleNameRegex(permissionSet: string): string {
  return `^${SSO_ROLE_NAME_PREFIX}${permissionSet.replace(/[.+]/g, "\\$&")}_[0-9a-f]+$`;
}

/** The permission set a name regex of ssoRoleNameRegex was made from (undefined for any other regex). */
export function permissionSetOfRegex(regex: string): string | undefined {
  const match = new RegExp(`^\\^${SSO_ROLE_NAME_PREFIX}(.+)_\\[0-9a-f\\]\\+\\$$`).exec(regex);
  return match ? (match[1] as string).replace(/\\([.+])/g, "$1") : undefined;
}

/** Principals configured for a cluster. */
export interface ClusterAccessConfig {
  readonly adminRoleArns: readonly string[];
  readonly viewerRoleArns: readonly string[];
  readonly adminPermissionSets: readonly string[];
  readonly viewerPermissionSets: readonly string[];
}

export interface AccessProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly value: unknown;
}

/** Principals named twice (one principal has one access entry, so it cannot be both admin and viewer). */
export function accessConflicts(access: ClusterAccessConfig): AccessProblem[] {
  const problems: AccessProblem[] = [];
  access.viewerRoleArns.forEach((arn, index) => {
    if (access.adminRoleArns.includes(arn)) problems.push({ path: ["viewerRoleArns", index], message: "is also in adminRoleArns; a role has one access entry: keep it in one list", value: arn });
  });
  access.viewerPermissionSets.forEach((name, index) => {
    if (access.adminPermissionSets.includes(name)) problems.push({ path: ["viewerPermissionSets", index], message: "is also in adminPermissionSets; its role has one access entry: keep it in one list", value: name });
  });
  return problems;
}
