/**
 * The audit log bucket of an account: where CloudTrail and AWS Config deliver. Write-once (S3 object lock with a
 * default retention; the bucket is created with object lock, which cannot be added later), versioned, encrypted with
 * its own rotating key, closed to the public, owner-enforced, reachable only over TLS 1.2+, expiring after the
 * retention period. Only CloudTrail (for trails of this account, `aws:SourceArn`) and AWS Config (`aws:SourceAccount`)
 * may write, each under its own prefix.
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { accountRootArn, partitionOf, type AccountScope } from "../core/aws";
import { s3TlsOnlyStatements } from "../core/secure-transport";

/** Prefix of CloudTrail's deliveries in the bucket. */
export const CLOUDTRAIL_PREFIX = "cloudtrail";
/** Prefix of AWS Config's deliveries in the bucket. */
export const CONFIG_PREFIX = "config";
/** Log objects move to Glacier Instant Retrieval after this many days (still readable at once for an investigation). */
export const AUDIT_LOG_ARCHIVE_DAYS = 90;
/** Days a superseded version (a delete marker's predecessor) is kept once the lock allows. */
export const NONCURRENT_RETENTION_DAYS = 30;
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;
export const AUDIT_KEY_DELETION_WINDOW_DAYS = 30;

export interface AuditLogsProps {
  readonly account: AccountScope;
  /** Bucket name (validated by the naming helper). */
  readonly bucketName: string;
  /** KMS alias of the bucket's key. */
  readonly keyAlias: string;
  /** Names of the CloudTrail trails of this account allowed to deliver (their ARNs condition the policy). */
  readonly trailNames: readonly string[];
  /** Whether AWS Config delivers here. */
  readonly config: boolean;
  readonly retentionDays: number;
  readonly lockDays: number;
  readonly lockMode: "COMPLIANCE" | "GOVERNANCE";
}

export class AuditLogs extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  readonly keyAlias: string;
  /** The bucket policy: a trail must be created after it (CloudTrail checks the policy on CreateTrail). */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AuditLogsProps) {
    super(scope, id);
    if (props.lockDays > props.retentionDays) throw new Error(`AuditLogs: lockDays (${props.lockDays}) must not exceed retentionDays (${props.retentionDays})`);
    if (props.trailNames.length === 0 && !props.config) throw new Error("AuditLogs: nothing delivers here (no trail, no AWS Config)");
    const { accountId, region } = props.account;
    const partition = partitionOf(region);
    const trailArns = props.trailNames.map((name) => `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${name}`);
    const bucketArn = `arn:${partition}:s3:::${props.bucketName}`;

    const keyStatements: DataAwsIamPolicyDocumentStatement[] = [
      { sid: "EnableIamPolicies", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: [accountRootArn(props.account)] }] },
    ];
    if (trailArns.length > 0) {
      keyStatements.push(
        {
          sid: "CloudTrailEncryptsLogs",
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          condition: [
            { test: "StringLike", variable: "kms:EncryptionContext:aws:cloudtrail:arn", values: [`arn:${partition}:cloudtrail:*:${accountId}:trail/*`] },
            { test: "StringEquals", variable: "aws:SourceArn", values: trailArns },
          ],
        },
        {
          sid: "CloudTrailDescribesKey",
          actions: ["kms:DescribeKey"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceArn", values: trailArns }],
        },
      );
    }
    if (props.config) {
      keyStatements.push({
        sid: "ConfigEncryptsDeliveries",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: ["*"],
        principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
      });
    }
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", { statement: keyStatements });
    this.key = new KmsKey(this, "key", {
      description: "Audit logs (CloudTrail, AWS Config) encryption",
      enableKeyRotation: true,
      deletionWindowInDays: AUDIT_KEY_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      lifecycle: { preventDestroy: true },
    });
    this.keyAlias = props.keyAlias;
    new KmsAlias(this, "key-alias", { name: props.keyAlias, targetKeyId: this.key.keyId });

    // Object lock can only be enabled when the bucket is created.
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, objectLockEnabled: true, forceDestroy: false, lifecycle: { preventDestroy: true } });
    new S3BucketOwnershipControls(this, "ownership", { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketObjectLockConfigurationA(this, "object-lock", {
      bucket: this.bucket.id,
      rule: { defaultRetention: { mode: props.lockMode, days: props.lockDays } },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "archive-then-expire-audit-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          transition: [{ days: AUDIT_LOG_ARCHIVE_DAYS, storageClass: "GLACIER_IR" }],
          expiration: [{ days: props.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_RETENTION_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
        },
      ],
    });

    const deliveries: DataAwsIamPolicyDocumentStatement[] = [];
    if (trailArns.length > 0) {
      const trail = { type: "Service", identifiers: ["cloudtrail.amazonaws.com"] };
      const fromTrails = { test: "StringEquals", variable: "aws:SourceArn", values: trailArns };
      deliveries.push(
        { sid: "CloudTrailAclCheck", actions: ["s3:GetBucketAcl"], resources: [bucketArn], principals: [trail], condition: [fromTrails] },
        {
          sid: "CloudTrailWrite",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${CLOUDTRAIL_PREFIX}/AWSLogs/${accountId}/*`],
          principals: [trail],
          condition: [fromTrails, { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
        },
      );
    }
    if (props.config) {
      const config = { type: "Service", identifiers: ["config.amazonaws.com"] };
      const fromAccount = { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] };
      deliveries.push(
        { sid: "ConfigAclCheck", actions: ["s3:GetBucketAcl", "s3:ListBucket"], resources: [bucketArn], principals: [config], condition: [fromAccount] },
        {
          sid: "ConfigWrite",
          actions: ["s3:PutObject"],
          resources: [`${bucketArn}/${CONFIG_PREFIX}/AWSLogs/${accountId}/Config/*`],
          principals: [config],
          condition: [fromAccount, { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] }],
        },
      );
    }
    const policy = new DataAwsIamPolicyDocument(this, "bucket-policy-document", { statement: [...s3TlsOnlyStatements(this.bucket.arn), ...deliveries] });
    this.policy = new S3BucketPolicy(this, "bucket-policy", { bucket: this.bucket.id, policy: policy.json });
  }
}
