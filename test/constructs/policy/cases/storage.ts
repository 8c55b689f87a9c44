import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketAcl } from "@cdktf/provider-aws/lib/s3-bucket-acl";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

export interface BucketOptions {
  readonly name?: string;
  readonly id?: string;
  readonly publicAccessBlock?: boolean | "partial";
  readonly encryption?: "kms" | "sse-s3" | "none";
  readonly tlsPolicy?: boolean;
  readonly versioning?: "Enabled" | "Suspended" | "none";
  readonly ownership?: string;
  readonly acl?: string;
  readonly logging?: boolean;
  readonly objectLock?: boolean;
  /** Cross-region replication: true for a DR bucket elsewhere, or the destination bucket's ARN. */
  readonly replication?: boolean | string;
  readonly forceDestroy?: boolean;
  readonly preventDestroy?: boolean;
}

/** A bucket with its companion resources; every option defaults to the compliant setting. */
export function bucket(scope: Construct, options: BucketOptions = {}): S3Bucket {
  const id = options.id ?? "uploads";
  const resource = new S3Bucket(scope, id, {
    bucket: options.name ?? "acme-prod-uploads",
    forceDestroy: options.forceDestroy ?? false,
    ...(options.objectLock ? { objectLockEnabled: true } : {}),
    lifecycle: { preventDestroy: options.preventDestroy ?? true },
  });
  if (options.publicAccessBlock !== false) {
    const all = options.publicAccessBlock !== "partial";
    new S3BucketPublicAccessBlock(scope, `${id}-pab`, { bucket: resource.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: all, restrictPublicBuckets: all });
  }
  const encryption = options.encryption ?? "kms";
  if (encryption !== "none") {
    new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-sse`, {
      bucket: resource.id,
      rule: [{ applyServerSideEncryptionByDefault: encryption === "kms" ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN } : { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    });
  }
  if (options.tlsPolicy !== false) {
    const document = new DataAwsIamPolicyDocument(scope, `${id}-policy-document`, {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          resources: [resource.arn, `${resource.arn}/*`],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(scope, `${id}-policy`, { bucket: resource.id, policy: document.json });
  }
  const versioning = options.versioning ?? "Enabled";
  if (versioning !== "none") new S3BucketVersioningA(scope, `${id}-versioning`, { bucket: resource.id, versioningConfiguration: { status: versioning } });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, { bucket: resource.id, rule: { objectOwnership: options.ownership ?? "BucketOwnerEnforced" } });
  if (options.acl) new S3BucketAcl(scope, `${id}-acl`, { bucket: resource.id, acl: options.acl });
  if (options.logging ?? true) new S3BucketLoggingA(scope, `${id}-logging`, { bucket: resource.id, targetBucket: "acme-prod-access-logs", targetPrefix: `${id}/` });
  if (options.objectLock) new S3BucketObjectLockConfigurationA(scope, `${id}-lock`, { bucket: resource.id, rule: { defaultRetention: { mode: "COMPLIANCE", days: 35 } } });
  if (options.replication) {
    new S3BucketReplicationConfigurationA(scope, `${id}-replication`, {
      bucket: resource.id,
      role: "arn:aws:iam::123456789012:role/acme-prod-replication",
      rule: [{ id: "dr", status: "Enabled", destination: { bucket: typeof options.replication === "string" ? options.replication : "arn:aws:s3:::acme-prod-backups-dr" } }],
    });
  }
  return resource;
}

/** An access-log bucket and a bucket that logs into it (by reference). */
function logBucketPair(scope: Construct, logBucketOptions: BucketOptions): void {
  const logs = bucket(scope, { name: "acme-prod-access-logs", id: "access-logs", logging: false, versioning: "none", ...logBucketOptions });
  const data = bucket(scope, { logging: false });
  new S3BucketLoggingA(scope, "uploads-to-logs", { bucket: data.id, targetBucket: logs.id, targetPrefix: "uploads/" });
}

export const STORAGE_CASES: readonly RuleCase[] = [
  {
    rule: "S3-BLOCK-PUBLIC",
    compliant: (s) => bucket(s),
    violating: (s) => bucket(s, { publicAccessBlock: false }),
    expect: /no aws_s3_bucket_public_access_block/,
  },
  {
    rule: "S3-BLOCK-PUBLIC",
    name: "partial block",
    compliant: (s) => bucket(s),
    violating: (s) => bucket(s, { publicAccessBlock: "partial" }),
    expect: /does not set ignore_public_acls, restrict_public_buckets/,
  },
  {
    rule: "S3-KMS",
    compliant: (s) => logBucketPair(s, { encryption: "sse-s3" }),
    violating: (s) => bucket(s, { encryption: "sse-s3" }),
    expect: /default encryption is not aws:kms/,
  },
  {
    rule: "S3-TLS-ONLY",
    compliant: (s) => bucket(s),
    violating: (s) => bucket(s, { tlsPolicy: false }),
    expect: /no bucket policy denies aws:SecureTransport = false/,
  },
  {
    rule: "S3-VERSIONING",
    compliant: (s) => logBucketPair(s, {}),
    violating: (s) => bucket(s, { versioning: "Suspended" }),
    expect: /versioning is not Enabled/,
  },
  {
    rule: "S3-OWNERSHIP",
    compliant: (s) => logBucketPair(s, { ownership: "BucketOwnerPreferred" }),
    violating: (s) => bucket(s, { ownership: "ObjectWriter", acl: "public-read" }),
    expect: [/object ownership is "ObjectWriter"/, /a public ACL is set \(public-read\)/],
  },
  {
    rule: "S3-BACKUP-IMMUTABLE",
    compliant: (s) => {
      bucket(s, { name: "acme-prod-backups", id: "backups", objectLock: true });
      bucket(s, { name: "acme-tfstate-123456789012-eu-west-1", id: "state", replication: true });
    },
    violating: (s) => bucket(s, { name: "acme-prod-velero", id: "velero" }),
    expect: /neither object lock nor cross-region replication/,
  },
];
