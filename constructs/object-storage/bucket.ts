/**
 * One private S3 bucket with the platform's baseline: owner-enforced object ownership (ACLs off), the full public
 * access block, default encryption (a customer-managed key with a bucket key, or SSE-S3 where AWS log delivery
 * requires it), versioning, and a bucket policy that denies plain HTTP and TLS older than 1.2. Further policy
 * statements (log delivery, CloudFront origin access) are added with `addPolicyStatements`; S3 allows one policy per
 * bucket, so they all land in this one.
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { s3TlsOnlyStatements } from "../core/secure-transport";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Customer-managed key for default encryption; absent: SSE-S3 (only for buckets AWS log delivery writes to). */
  readonly kmsKey?: KmsKey;
  readonly versioning: boolean;
  /** Object lock must be enabled when the bucket is created. */
  readonly objectLockEnabled: boolean;
  /** `lifecycle.prevent_destroy` (and never `force_destroy`). */
  readonly protect: boolean;
  readonly tags?: Readonly<Record<string, string>>;
  /** Region of the bucket when it is not the provider's (replicas). */
  readonly region?: string;
}

export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly policy: S3BucketPolicy;
  private readonly policyDocument: DataAwsIamPolicyDocument;
  private readonly statements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const region = props.region ? { region: props.region } : {};
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      objectLockEnabled: props.objectLockEnabled,
      ...region,
      ...(props.tags ? { tags: { ...props.tags } } : {}),
      lifecycle: { preventDestroy: props.protect },
    });
    const bucket = this.bucket.id;
    new S3BucketOwnershipControls(this, "ownership", { bucket, ...region, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      ...region,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.versioning = new S3BucketVersioningA(this, "versioning", {
      bucket,
      ...region,
      versioningConfiguration: { status: props.versioning ? "Enabled" : "Suspended" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      ...region,
      rule: [
        props.kmsKey
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    const arn = this.bucket.arn;
    this.statements = s3TlsOnlyStatements(arn);
    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy-document", { statement: [...this.statements] });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket,
      ...region,
      policy: this.policyDocument.json,
      // The public access block must exist first, or a policy naming a service principal could be judged public.
      dependsOn: [publicAccessBlock],
    });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }

  /** Adds statements to the bucket policy (after the TLS-only denials). */
  addPolicyStatements(...statements: DataAwsIamPolicyDocumentStatement[]): void {
    this.statements.push(...statements);
    this.policyDocument.putStatement([...this.statements]);
  }
}
