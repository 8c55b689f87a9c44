/**
 * The permissions boundary of an account: a managed policy every role the platform creates carries (the CI roles,
 * and through the deploy role's conditions and the stacks' boundary aspect every role CI creates). A boundary grants
 * nothing; it caps what a role's own policies can grant:
 *
 * - only the AWS services the platform uses (PLATFORM_SERVICES; a test proves every action any platform role is
 *   granted, and every action of the deploy role's action map, is inside);
 * - no way out: a bounded role cannot remove a boundary, and can create or widen a role (CreateRole, PutRolePolicy,
 *   AttachRolePolicy, PutRolePermissionsBoundary) only when the target carries THIS boundary;
 * - no IAM users, groups or access keys;
 * - no change to the CI identity (every environment's CI roles, the GitHub OIDC provider) or to this policy;
 * - no tampering with the detective controls: CloudTrail, GuardDuty, AWS Config, IAM Access Analyzer, the audit log
 *   bucket and its key, and in the bootstrap account the Terraform state bucket's configuration and key.
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { partitionOf, type AccountScope } from "../core/aws";
import { GITHUB_OIDC_HOST } from "../core/github-oidc";

/**
 * IAM service prefixes a platform role may ever use. Adding a service the platform starts to use is a reviewed
 * change to this list (and an administrator's apply of the account stacks).
 */
export const PLATFORM_SERVICES: readonly string[] = [
  "acm", "autoscaling", "backup", "backup-storage", "cloudfront", "cloudwatch", "codebuild", "codeconnections", "codestar-connections", "cognito-idp", "ds", "dynamodb", "ebs", "ec2", "ecr",
  "eks", "eks-auth", "elasticache", "elasticfilesystem", "elasticloadbalancing", "es", "events", "guardduty", "iam", "kms", "lambda", "logs", "mq",
  "pricing", "rds", "rds-db", "route53", "s3", "secretsmanager", "shield", "sns", "sqs", "ssm", "sts", "tag", "waf-regional", "wafv2",
  // Read by `npm run preflight` with the plan role (quotas; GitHub connections): scripts/lib/preflight/operations.ts IAM_ACTIONS.
  "servicequotas", "codestar-connections",
];

/** Detective-control actions no platform role may call: they stop, delete, weaken or silence a control. */
export const DETECTIVE_CONTROL_TAMPERING: readonly string[] = [
  "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors",
  "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:UpdateMalwareScanSettings", "guardduty:DisassociateFromMasterAccount",
  "guardduty:DisassociateFromAdministratorAccount", "guardduty:DeleteMembers", "guardduty:StopMonitoringMembers", "guardduty:CreateFilter",
  "guardduty:UpdateFilter", "guardduty:CreateIPSet", "guardduty:UpdateIPSet", "guardduty:ArchiveFindings", "guardduty:UpdateFindingsFeedback",
  "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:PutConfigurationRecorder", "config:DeleteDeliveryChannel",
  "config:PutDeliveryChannel", "config:DeleteRetentionConfiguration", "config:PutRetentionConfiguration",
  "access-analyzer:DeleteAnalyzer", "access-analyzer:CreateArchiveRule", "access-analyzer:UpdateArchiveRule", "access-analyzer:ApplyArchiveRule",
  "access-analyzer:UpdateFindings",
];

/** Changes to a protected bucket's configuration (the audit log bucket, the state bucket). */
const BUCKET_CONFIGURATION_CHANGES = [
  "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning",
  "s3:PutBucketObjectLockConfiguration", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
  "s3:PutBucketAcl", "s3:PutReplicationConfiguration",
];
/** Changes to a protected key. */
const KEY_CHANGES = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant"];

export interface PermissionsBoundaryProps {
  readonly account: AccountScope;
  /** The policy's name (constructs/core/ci-roles.ts permissionsBoundaryName). */
  readonly name: string;
  /** Project prefix: every environment's CI roles `<project>-<env>-ci-plan|deploy` are protected. */
  readonly project: string;
  /** The audit log bucket (CloudTrail, Config) and its key alias, when this account's baseline creates them. */
  readonly auditLogs?: { readonly bucketName: string; readonly keyAlias: string };
  /** The Terraform state bucket and its key alias, in the bootstrap account. */
  readonly state?: { readonly bucketName: string; readonly keyAlias: string };
  /** @default PLATFORM_SERVICES */
  readonly allowedServices?: readonly string[];
}

export class PermissionsBoundary extends Construct {
  readonly policy: IamPolicy;
  /** The boundary's ARN as AWS forms it (known before the policy exists, for conditions of other policies). */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const services = props.allowedServices ?? PLATFORM_SERVICES;
    if (services.length === 0) throw new Error("PermissionsBoundary: allowedServices must name at least one service");
    const partition = partitionOf(props.account.region);
    const iam = (resource: string) => `arn:${partition}:iam::${props.account.accountId}:${resource}`;
    this.arn = iam(`policy/${props.name}`);
    const protectedBuckets = [props.auditLogs?.bucketName, props.state?.bucketName].filter((name): name is string => name !== undefined);
    const protectedAliases = [props.auditLogs?.keyAlias, props.state?.keyAlias].filter((alias): alias is string => alias !== undefined);

    const statements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "PlatformServicesOnly", actions: services.map((service) => `${service}:*`), resources: ["*"] },
      { sid: "NeverLeaveTheBoundary", effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"], resources: ["*"] },
      {
        sid: "OnlyBoundedRoles",
        effect: "Deny",
        actions: ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:AttachRolePolicy"],
        resources: ["*"],
        condition: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [this.arn] }],
      },
      {
        sid: "NoIamUsers",
        effect: "Deny",
        actions: [
          "iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AttachUserPolicy",
          "iam:PutUserPolicy", "iam:AddUserToGroup", "iam:CreateGroup", "iam:AttachGroupPolicy", "iam:PutGroupPolicy",
        ],
        resources: ["*"],
      },
      {
        sid: "ProtectCiIdentityAndBoundary",
        effect: "Deny",
        actions: ["iam:*"],
        resources: [iam(`role/${props.project}-*-ci-plan`), iam(`role/${props.project}-*-ci-deploy`), iam(`oidc-provider/${GITHUB_OIDC_HOST}`), this.arn],
      },
      { sid: "ProtectDetectiveControls", effect: "Deny", actions: [...DETECTIVE_CONTROL_TAMPERING], resources: ["*"] },
    ];
    if (protectedBuckets.length > 0) {
      const buckets = protectedBuckets.map((name) => `arn:${partition}:s3:::${name}`);
      statements.push({ sid: "ProtectAuditAndStateBuckets", effect: "Deny", actions: BUCKET_CONFIGURATION_CHANGES, resources: buckets });
    }
    if (props.auditLogs) {
      const logs = `arn:${partition}:s3:::${props.auditLogs.bucketName}/*`;
      statements.push({
        sid: "ProtectAuditLogObjects",
        effect: "Deny",
        actions: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
        resources: [logs],
      });
    }
    if (protectedAliases.length > 0) {
      statements.push({
        sid: "ProtectAuditAndStateKeys",
        effect: "Deny",
        actions: KEY_CHANGES,
        resources: ["*"],
        condition: [{ test: "ForAnyValue:StringEquals", variable: "kms:ResourceAliases", values: protectedAliases }],
      });
      statements.push({
        sid: "ProtectAuditAndStateKeyAliases",
        effect: "Deny",
        actions: ["kms:DeleteAlias", "kms:UpdateAlias"],
        resources: protectedAliases.map((alias) => `arn:${partition}:kms:*:${props.account.accountId}:${alias}`),
      });
    }
    const document = new DataAwsIamPolicyDocument(this, "document", { statement: statements });
    this.policy = new IamPolicy(this, "policy", {
      name: props.name,
      description: "Permissions boundary of every role the platform creates: platform services only, no escape, no change to CI identity or detective controls",
      policy: document.json,
    });
  }
}
