/**
 * The cluster's access entries (authentication mode API: no aws-auth ConfigMap), created in the Cluster construct's
 * scope so their addresses stay those of earlier versions:
 *
 * - the environment's CI deploy role and the configured admin roles: AmazonEKSClusterAdminPolicy;
 * - configured viewer roles: AmazonEKSViewPolicy;
 * - IAM Identity Center permission sets: their role in the cluster's account, found at plan time with the
 *   `aws_iam_roles` data source (name regex and path prefix, access-rules.ts); postconditions fail the plan with a
 *   clear message when the permission set has no role there, or more than one matches. The entry names the role's
 *   full ARN, path included, as EKS requires;
 * - the environment's CI plan role: no access policy, only the Kubernetes group CI_PLAN_KUBERNETES_GROUP, which the
 *   platform stack binds to read-only RBAC (constructs/plan-access), so `terraform plan` of the platform and tenant
 *   stacks can read what they manage and nothing can be written.
 */
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { Fn } from "cdktf";
import type { Construct } from "constructs";
import { CI_PLAN_KUBERNETES_GROUP, roleArnProblem, SSO_ROLE_PATH_PREFIX, ssoRoleNameRegex, permissionSetProblem } from "./access-rules";

export type AccessKind = "admin" | "viewer";

/** EKS access policies by kind (EKS user guide, "Review access policy permissions"). */
export function accessPolicyArn(partition: string, kind: AccessKind): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${kind === "admin" ? "AmazonEKSClusterAdminPolicy" : "AmazonEKSViewPolicy"}`;
}

export interface ClusterAccessProps {
  readonly clusterName: string;
  readonly partition: string;
  /** The cluster's account (where permission sets' roles are looked up). */
  readonly accountId: string;
  /** The environment's CI deploy role: cluster admin. */
  readonly ciDeployRoleArn: string;
  /** The environment's CI plan role: read-only through CI_PLAN_KUBERNETES_GROUP. */
  readonly ciPlanRoleArn?: string;
  readonly adminRoleArns: readonly string[];
  readonly viewerRoleArns: readonly string[];
  readonly adminPermissionSets: readonly string[];
  readonly viewerPermissionSets: readonly string[];
}

export interface ClusterAccess {
  /** Access entries by construct id. */
  readonly entries: Readonly<Record<string, EksAccessEntry>>;
  /** Permission set role lookups by permission set name. */
  readonly ssoRoles: Readonly<Record<string, DataAwsIamRoles>>;
}

/** Validates the principals; throws with every problem. */
export function validateClusterAccess(props: ClusterAccessProps): void {
  const problems: string[] = [];
  const roles = [props.ciDeployRoleArn, ...(props.ciPlanRoleArn ? [props.ciPlanRoleArn] : []), ...props.adminRoleArns, ...props.viewerRoleArns];
  for (const arn of roles) {
    const problem = roleArnProblem(arn);
    if (problem) problems.push(`"${arn}" ${problem}`);
  }
  for (const name of [...props.adminPermissionSets, ...props.viewerPermissionSets]) {
    const problem = permissionSetProblem(name);
    if (problem) problems.push(`permission set "${name}": ${problem}`);
  }
  if (props.ciPlanRoleArn && props.adminRoleArns.includes(props.ciPlanRoleArn)) {
    problems.push(`"${props.ciPlanRoleArn}" is the CI plan role, which is read-only by design: remove it from the admin roles`);
  }
  if (props.viewerRoleArns.includes(props.ciDeployRoleArn)) {
    problems.push(`"${props.ciDeployRoleArn}" is the CI deploy role, which is cluster admin: remove it from the viewer roles`);
  }
  for (const arn of props.viewerRoleArns.filter((candidate) => props.adminRoleArns.includes(candidate))) problems.push(`"${arn}" is both an admin and a viewer role; a principal has one access entry`);
  for (const name of props.viewerPermissionSets.filter((candidate) => props.adminPermissionSets.includes(candidate))) {
    problems.push(`permission set "${name}" is both admin and viewer; its role has one access entry`);
  }
  if (problems.length > 0) throw new Error(`Cluster access:\n  - ${problems.join("\n  - ")}`);
}

/** `arn:aws:iam::123456789012:role/path/Admin` -> `123456789012-admin`. */
function accessEntryKey(roleArn: string): string {
  const [, , , , accountId = "", resource = ""] = roleArn.split(":");
  const name = resource.split("/").pop() ?? resource;
  return `${accountId}-${slug(name)}`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/** Creates the access entries in `scope` (the Cluster construct). */
export function grantClusterAccess(scope: Construct, props: ClusterAccessProps): ClusterAccess {
  validateClusterAccess(props);
  const entries: Record<string, EksAccessEntry> = {};
  const ssoRoles: Record<string, DataAwsIamRoles> = {};
  const grant = (id: string, kind: AccessKind, principalArn: string) => {
    const entry = new EksAccessEntry(scope, id, { clusterName: props.clusterName, principalArn, type: "STANDARD" });
    new EksAccessPolicyAssociation(scope, `${id}-policy`, {
      clusterName: props.clusterName,
      principalArn: entry.principalArn,
      policyArn: accessPolicyArn(props.partition, kind),
      accessScope: { type: "cluster" },
    });
    entries[id] = entry;
  };
  const notCi = (arn: string) => arn !== props.ciDeployRoleArn && arn !== props.ciPlanRoleArn;
  // Ids derive from the role's account and name, so reordering the configured lists changes nothing.
  grant(`access-admin-${accessEntryKey(props.ciDeployRoleArn)}`, "admin", props.ciDeployRoleArn);
  for (const arn of props.adminRoleArns.filter(notCi)) grant(`access-admin-${accessEntryKey(arn)}`, "admin", arn);
  for (const arn of props.viewerRoleArns.filter(notCi)) grant(`access-viewer-${accessEntryKey(arn)}`, "viewer", arn);

  const permissionSets: [AccessKind, string][] = [...props.adminPermissionSets.map((name) => ["admin", name] as [AccessKind, string]), ...props.viewerPermissionSets.map((name) => ["viewer", name] as [AccessKind, string])];
  for (const [kind, name] of permissionSets) {
    const where = `cluster.access.${kind}PermissionSets`;
    const roles = new DataAwsIamRoles(scope, `sso-role-${slug(name)}`, {
      nameRegex: ssoRoleNameRegex(name),
      pathPrefix: SSO_ROLE_PATH_PREFIX,
      lifecycle: {
        postcondition: [
          {
            condition: "${length(self.arns) > 0}",
            errorMessage:
              `IAM Identity Center permission set "${name}" (${where}) has no role in account ${props.accountId}: assign the permission set to a user or group in ` +
              `this account (IAM Identity Center then provisions its role AWSReservedSSO_${name}_<hash> under ${SSO_ROLE_PATH_PREFIX}), or remove it from the configuration.`,
          },
          {
            condition: "${length(self.arns) < 2}",
            errorMessage: `IAM Identity Center permission set "${name}" (${where}) matches more than one role in account ${props.accountId}: \${join(", ", self.arns)}.`,
          },
        ],
      },
    });
    ssoRoles[name] = roles;
    // The role's full ARN, path included (EKS rejects an IAM Identity Center role's ARN without its path).
    grant(`access-${kind}-sso-${slug(name)}`, kind, Fn.one(roles.arns));
  }

  if (props.ciPlanRoleArn) {
    entries["access-ci-plan"] = new EksAccessEntry(scope, "access-ci-plan", {
      clusterName: props.clusterName,
      principalArn: props.ciPlanRoleArn,
      type: "STANDARD",
      kubernetesGroups: [CI_PLAN_KUBERNETES_GROUP],
    });
  }
  return { entries, ssoRoles };
}
