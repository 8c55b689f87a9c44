/**
 * Terraform state storage: a versioned S3 bucket encrypted with its own customer-managed key, closed to the
 * public, reachable only over TLS 1.2+, with superseded state versions expired after a retention period.
 * Terraform's S3 backend locks with a lock file in the same bucket (`use_lockfile`), so no DynamoDB table.
 */
import { acceptPolicyFinding } from "../policy/exceptions";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { accountRootArn, type AccountScope } from "../core/aws";
import { s3TlsOnlyStatements } from "../core/secure-transport";

/** Incomplete multipart uploads are removed after this many days. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;
/** Newest superseded versions kept regardless of age, so a recent bad apply can always be rolled back. */
export const KEEP_NEWER_NONCURRENT_VERSIONS = 10;

export interface StateStoreProps {
  readonly account: AccountScope;
  /** Bucket name (validated by the naming helper). */
  readonly bucketName: string;
  /** KMS alias of the state key, e.g. `alias/acme-tfstate`. */
  readonly keyAlias: string;
  /** Days a superseded state version is kept (beyond the newest ten). */
  readonly noncurrentVersionRetentionDays: number;
  /**
   * `lifecycle.prevent_destroy` on the bucket and key.
   * @default true — losing state orphans every resource of every stack
   */
  readonly preventDestroy?: boolean;
}

export class StateStore extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  readonly keyAlias: string;

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);
    if (!Number.isInteger(props.noncurrentVersionRetentionDays) || props.noncurrentVersionRetentionDays < 1) {
      throw new Error(`StateStore: noncurrentVersionRetentionDays must be a positive integer, got ${props.noncurrentVersionRetentionDays}`);
    }
    const preventDestroy = props.preventDestroy ?? true;

    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(props.account)] }],
        },
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: "Terraform state encryption",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy.json,
      lifecycle: { preventDestroy },
    });
    this.keyAlias = props.keyAlias;
    new KmsAlias(this, "key-alias", { name: props.keyAlias, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy },
    });
    // Accepted exceptions (the state bucket is the first thing an empty account gets; see also the README's bootstrap).
    acceptPolicyFinding(
      this.bucket,
      "S3-BACKUP-IMMUTABLE",
      "Terraform state is versioned, keeps the newest superseded versions plus their history for stateVersionRetentionDays and is protected by prevent_destroy; an immutable cross-region copy needs a second bootstrap region, which the project does not configure",
    );
    acceptPolicyFinding(
      this.bucket,
      "BACKUP-COVERAGE",
      "the bootstrap account has no AWS Backup plan (it holds only state and the CI identity); state history is kept by S3 versioning",
    );
    acceptPolicyFinding(
      this.bucket,
      "ACCESS-LOGS",
      "access to Terraform state is audited with CloudTrail in the bootstrap account; S3 server access logs would need a log bucket that itself needs bootstrapping",
    );
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "bucket-policy-document", { statement: s3TlsOnlyStatements(this.bucket.arn) });
    new S3BucketPolicy(this, "bucket-policy", { bucket: this.bucket.id, policy: tlsOnly.json });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-superseded-state",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [
            { noncurrentDays: props.noncurrentVersionRetentionDays, newerNoncurrentVersions: KEEP_NEWER_NONCURRENT_VERSIONS },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
        },
      ],
    });
  }
}
