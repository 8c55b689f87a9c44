/**
 * What the CI deploy role may do with IAM, as data (pure): which roles it may pass to which service, which managed
 * policies it may attach, which services' service-linked roles it may let AWS create, and which resource each IAM
 * action of the action map targets. Tests check the synthesized stacks against these lists, so a new construct that
 * passes a role to another service or attaches another policy fails a test instead of an apply.
 */
import { actionsOfEntry, TERRAFORM_ACTIONS } from "./action-map";

/**
 * Attributes through which a stack passes a role to a service (`iam:PassRole`), with the `iam:PassedToService`
 * values AWS sets for that call. Where the documentation does not name the value, both the calling service and the
 * principal the role trusts are listed.
 */
export const PASS_ROLE_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  "aws_eks_cluster.role_arn": ["eks.amazonaws.com"],
  "aws_eks_node_group.node_role_arn": ["eks.amazonaws.com"],
  "aws_eks_pod_identity_association.role_arn": ["pods.eks.amazonaws.com"],
  "aws_eks_addon.service_account_role_arn": ["eks.amazonaws.com"],
  "aws_backup_selection.iam_role_arn": ["backup.amazonaws.com"],
  "aws_backup_restore_testing_selection.iam_role_arn": ["backup.amazonaws.com"],
  "aws_flow_log.iam_role_arn": ["vpc-flow-logs.amazonaws.com", "ec2.amazonaws.com"],
  "aws_rds_cluster_instance.monitoring_role_arn": ["monitoring.rds.amazonaws.com", "rds.amazonaws.com"],
  "aws_s3_bucket_replication_configuration.role": ["s3.amazonaws.com"],
  // AddRoleToInstanceProfile requires iam:PassRole on the role (IAM API reference, AddRoleToInstanceProfile).
  "aws_iam_instance_profile.role": ["ec2.amazonaws.com"],
  "aws_cloudwatch_event_target.role_arn": ["events.amazonaws.com"],
  "aws_codebuild_project.service_role": ["codebuild.amazonaws.com"],
  // The execution role of a function (the RabbitMQ password rotation): CreateFunction / UpdateFunctionConfiguration.
  "aws_lambda_function.role": ["lambda.amazonaws.com"],
};

/** Every service a deploy role may pass an environment role to. */
export const PASS_ROLE_SERVICES: readonly string[] = [...new Set(Object.values(PASS_ROLE_ATTRIBUTES).flat())].sort();

/**
 * AWS-managed policies the stacks attach to the roles they create (`iam:PolicyARN` allow-list of AttachRolePolicy).
 * Never AdministratorAccess, IAMFullAccess, PowerUserAccess or anything that grants IAM writes.
 */
export const ATTACHABLE_AWS_MANAGED_POLICIES: readonly string[] = [
  "AmazonEKSClusterPolicy",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "service-role/AmazonRDSEnhancedMonitoringRole",
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
  "AWSBackupServiceRolePolicyForS3Backup",
  "AWSBackupServiceRolePolicyForS3Restore",
  // Network interfaces and logs of a function in a VPC (the RabbitMQ password rotation function).
  "service-role/AWSLambdaVPCAccessExecutionRole",
];

/** AWS-managed policies that must never be attachable (admin-equivalent or IAM-writing). */
export const FORBIDDEN_MANAGED_POLICIES: readonly string[] = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess", "AWSOrganizationsFullAccess", "IAMUserChangePassword"];

/** The resource an IAM action of the action map acts on, so each lands in the statement scoped to that kind. */
export type IamResourceKind = "role" | "instance-profile" | "policy" | "oidc-provider" | "service-linked-role" | "pass-role";

const IAM_ACTION_RESOURCE: Readonly<Record<string, IamResourceKind>> = {
  "iam:CreateRole": "role", "iam:GetRole": "role", "iam:ListRoleTags": "role", "iam:ListRolePolicies": "role", "iam:ListAttachedRolePolicies": "role",
  "iam:ListInstanceProfilesForRole": "role", "iam:UpdateRole": "role", "iam:UpdateRoleDescription": "role", "iam:UpdateAssumeRolePolicy": "role",
  "iam:PutRolePermissionsBoundary": "role", "iam:TagRole": "role", "iam:UntagRole": "role", "iam:DeleteRole": "role", "iam:DeleteRolePolicy": "role",
  "iam:DetachRolePolicy": "role", "iam:PutRolePolicy": "role", "iam:GetRolePolicy": "role", "iam:AttachRolePolicy": "role",
  "iam:CreateInstanceProfile": "instance-profile", "iam:AddRoleToInstanceProfile": "instance-profile", "iam:TagInstanceProfile": "instance-profile",
  "iam:GetInstanceProfile": "instance-profile", "iam:ListInstanceProfileTags": "instance-profile", "iam:RemoveRoleFromInstanceProfile": "instance-profile",
  "iam:UntagInstanceProfile": "instance-profile", "iam:DeleteInstanceProfile": "instance-profile",
  "iam:CreatePolicy": "policy", "iam:TagPolicy": "policy", "iam:GetPolicy": "policy", "iam:GetPolicyVersion": "policy", "iam:ListPolicyVersions": "policy",
  "iam:ListPolicyTags": "policy", "iam:CreatePolicyVersion": "policy", "iam:DeletePolicyVersion": "policy", "iam:UntagPolicy": "policy", "iam:DeletePolicy": "policy",
  "iam:CreateOpenIDConnectProvider": "oidc-provider", "iam:TagOpenIDConnectProvider": "oidc-provider", "iam:GetOpenIDConnectProvider": "oidc-provider",
  "iam:ListOpenIDConnectProviderTags": "oidc-provider", "iam:UpdateOpenIDConnectProviderThumbprint": "oidc-provider", "iam:AddClientIDToOpenIDConnectProvider": "oidc-provider",
  "iam:RemoveClientIDFromOpenIDConnectProvider": "oidc-provider", "iam:UntagOpenIDConnectProvider": "oidc-provider", "iam:DeleteOpenIDConnectProvider": "oidc-provider",
  "iam:CreateServiceLinkedRole": "service-linked-role", "iam:PassRole": "pass-role", "iam:ListRoles": "role",
};

/** The resource kind an IAM action of the action map acts on. */
export function iamResourceKind(action: string): IamResourceKind | undefined {
  return IAM_ACTION_RESOURCE[action];
}

/**
 * Role actions that change what a role may do: allowed only on roles carrying the boundary
 * (`iam:PermissionsBoundary`), so the deploy role can neither create nor widen an unbounded role.
 */
export const BOUNDED_ROLE_ACTIONS: readonly string[] = ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"];

/** The IAM actions of the action map's IAM types, by the resource kind they act on. */
export function iamActionsByResource(types: readonly string[] = Object.keys(TERRAFORM_ACTIONS)): Map<IamResourceKind, string[]> {
  const out = new Map<IamResourceKind, Set<string>>();
  for (const type of types) {
    const entry = TERRAFORM_ACTIONS[type];
    if (!entry) continue;
    for (const action of actionsOfEntry(entry).filter((candidate) => candidate.startsWith("iam:"))) {
      const kind = IAM_ACTION_RESOURCE[action];
      if (!kind) throw new Error(`constructs/ci-identity/grants.ts: IAM action ${action} (of ${type} in the action map) has no resource kind; add it to IAM_ACTION_RESOURCE`);
      out.set(kind, (out.get(kind) ?? new Set()).add(action));
    }
  }
  return new Map([...out].map(([kind, actions]) => [kind, [...actions].sort()]));
}
