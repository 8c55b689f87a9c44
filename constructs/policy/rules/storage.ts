/**
 * S3 bucket rules. Bucket settings live in companion resources (`aws_s3_bucket_versioning`, ...) that reference
 * the bucket; a bucket is judged together with its companions.
 */
import { type Block, blocks, describe, dig, isSet, isTrue, literal, type StackModel, strings } from "../model";
import type { Rule } from "../types";
import { bucketCompanions, each, problems } from "./support";

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCK_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
/** Names or construct paths of buckets that hold state or backups. */
const STATE_OR_BACKUP = /(^|[-_/.])(tfstate|state|backups?|velero)([-_/.]|$)/i;
const LOG_BUCKET_NAME = /(^|[-_.])(access-)?logs?([-_.]|$)/i;

/**
 * Buckets that receive access logs (S3 server access logging, CloudFront standard logs, ALB access logs).
 * They may use SSE-S3 and ACL-based ownership, which those log deliveries require, and are not themselves logged.
 */
export function logBuckets(model: StackModel): Set<string> {
  const out = new Set<string>();
  const mark = (value: unknown) => model.refsIn(value).filter((block) => block.type === "aws_s3_bucket").forEach((block) => out.add(block.address));
  model.resources("aws_s3_bucket_logging").forEach((logging) => mark(logging.body.target_bucket));
  model.resources("aws_cloudfront_distribution").forEach((distribution) => mark(dig(distribution.body, "logging_config", "bucket")));
  model.resources("aws_lb", "aws_alb").forEach((lb) => mark(dig(lb.body, "access_logs", "bucket")));
  for (const bucket of model.resources("aws_s3_bucket")) {
    if (LOG_BUCKET_NAME.test(literal(bucket.body.bucket) ?? bucket.path.split("/").pop() ?? "")) out.add(bucket.address);
  }
  return out;
}

/** Buckets that hold Terraform state or backups (by name or construct path). */
export function isStateOrBackupBucket(bucket: Block): boolean {
  return STATE_OR_BACKUP.test(literal(bucket.body.bucket) ?? "") || STATE_OR_BACKUP.test(bucket.path);
}

/** Whether a bucket policy (attached in this stack) denies requests without TLS. */
function deniesInsecureTransport(model: StackModel, bucket: Block): boolean {
  return bucketCompanions(model, bucket, "aws_s3_bucket_policy").some((policy) =>
    model.policyStatements(policy.body.policy)?.statements.some(
      (statement) =>
        statement.effect === "Deny" &&
        statement.conditions.some((condition) => condition.test === "Bool" && condition.variable === "aws:SecureTransport" && condition.values.includes("false")),
    ),
  );
}

export const STORAGE_RULES: readonly Rule[] = [
  {
    id: "S3-BLOCK-PUBLIC",
    title: "Buckets block every form of public access",
    severity: "critical",
    scope: "all",
    upstream: "CKV2_AWS_6, CKV_AWS_53-56; TV AWS-0086..0094; NAG S2",
    unknown: { decision: "finding", reason: "Each flag must be the literal true on a public access block that names the bucket by reference or literal name." },
    fix: "Add an aws_s3_bucket_public_access_block with all four flags true (CloudFront reads through origin access control, not public access).",
    check: ({ model }) => {
      const accountBlock = model.resources("aws_s3_account_public_access_block").some((block) => BLOCK_FLAGS.every((flag) => isTrue(block.body[flag])));
      if (accountBlock) return [];
      return each(model.resources("aws_s3_bucket"), (bucket) => {
        const blocksFound = bucketCompanions(model, bucket, "aws_s3_bucket_public_access_block");
        if (blocksFound.length === 0) return "no aws_s3_bucket_public_access_block";
        const missing = BLOCK_FLAGS.filter((flag) => !blocksFound.some((block) => isTrue(block.body[flag])));
        return missing.length > 0 ? `public access block does not set ${missing.join(", ")}` : undefined;
      });
    },
  },
  {
    id: "S3-KMS",
    title: "Buckets are encrypted with a KMS key (log buckets may use SSE-S3)",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_145; TV AWS-0132",
    unknown: { decision: "finding", reason: "The algorithm must be literal; a kms_master_key_id that is an expression is a reference to a key and counts as set." },
    fix: "Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm \"aws:kms\" and kms_master_key_id = keys.data.arn (bucket_key_enabled).",
    check: ({ model }) => {
      const logs = logBuckets(model);
      return each(model.resources("aws_s3_bucket"), (bucket) => {
        const rules = bucketCompanions(model, bucket, "aws_s3_bucket_server_side_encryption_configuration").flatMap((config) => blocks(config.body.rule));
        const defaults = rules.map((rule) => dig(rule, "apply_server_side_encryption_by_default")).filter((item) => item !== undefined);
        if (defaults.length === 0) return "no server-side encryption configuration";
        if (logs.has(bucket.address)) return undefined;
        const kms = rules.some((rule) => {
          const algorithm = String(dig(rule, "apply_server_side_encryption_by_default", "sse_algorithm"));
          return algorithm.startsWith("aws:kms") && isSet(dig(rule, "apply_server_side_encryption_by_default", "kms_master_key_id"));
        });
        return kms ? undefined : "default encryption is not aws:kms with a customer-managed key";
      });
    },
  },
  {
    id: "S3-TLS-ONLY",
    title: "Bucket policies deny requests without TLS",
    severity: "high",
    scope: "all",
    upstream: "NAG S10; CKV_AWS_379",
    unknown: { decision: "finding", reason: "The bucket policy must be readable and hold the literal Deny; an unreadable policy is not counted (and is an IAM-DOCUMENT-UNREADABLE finding)." },
    fix: "Attach a bucket policy with a Deny on s3:* when aws:SecureTransport is false (and s3:TlsVersion < 1.2).",
    check: ({ model }) =>
      each(model.resources("aws_s3_bucket"), (bucket) => (deniesInsecureTransport(model, bucket) ? undefined : "no bucket policy denies aws:SecureTransport = false")),
  },
  {
    id: "S3-VERSIONING",
    title: "Buckets keep object versions",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_21; TV AWS-0090",
    unknown: { decision: "finding", reason: "The status must be the literal Enabled." },
    fix: "Add aws_s3_bucket_versioning with status \"Enabled\" (lifecycle rules expire old versions).",
    check: ({ model }) => {
      const logs = logBuckets(model);
      return each(
        model.resources("aws_s3_bucket").filter((bucket) => !logs.has(bucket.address)),
        (bucket) =>
          bucketCompanions(model, bucket, "aws_s3_bucket_versioning").some((versioning) => dig(versioning.body, "versioning_configuration", "status") === "Enabled")
            ? undefined
            : "versioning is not Enabled",
      );
    },
  },
  {
    id: "S3-OWNERSHIP",
    title: "Bucket owner enforced; no public ACL",
    severity: "medium",
    scope: "all",
    upstream: "CKV2_AWS_65, CKV_AWS_20/57; TV AWS-0092",
    unknown: { decision: "finding", reason: "object_ownership must be a literal allowed value." },
    fix: "Add aws_s3_bucket_ownership_controls with object_ownership \"BucketOwnerEnforced\" (log buckets written by CloudFront: BucketOwnerPreferred); never a public ACL.",
    check: ({ model }) => {
      const logs = logBuckets(model);
      return each(model.resources("aws_s3_bucket"), (bucket) => {
        const ownership = bucketCompanions(model, bucket, "aws_s3_bucket_ownership_controls").map((control) => dig(control.body, "rule", "object_ownership"));
        const allowed = logs.has(bucket.address) ? ["BucketOwnerEnforced", "BucketOwnerPreferred"] : ["BucketOwnerEnforced"];
        const acls = [bucket.body.acl, ...bucketCompanions(model, bucket, "aws_s3_bucket_acl").map((acl) => acl.body.acl)];
        return problems(
          !ownership.some((value) => allowed.includes(String(value))) && `object ownership is ${describe(ownership[0])}; expected ${allowed.join(" or ")}`,
          acls.some((acl) => PUBLIC_ACLS.includes(String(acl))) && `a public ACL is set (${acls.filter((acl) => PUBLIC_ACLS.includes(String(acl))).join(", ")})`,
        );
      });
    },
  },
  {
    id: "S3-BACKUP-IMMUTABLE",
    title: "State and backup buckets are immutable or replicated",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_AWS_143/144",
    unknown: { decision: "finding", reason: "Object lock or an enabled replication rule must be present literally." },
    fix: "Enable object lock (object_lock_enabled + aws_s3_bucket_object_lock_configuration) or cross-region replication (aws_s3_bucket_replication_configuration).",
    check: ({ model }) =>
      each(model.resources("aws_s3_bucket").filter(isStateOrBackupBucket), (bucket) => {
        const locked = isTrue(bucket.body.object_lock_enabled) || bucketCompanions(model, bucket, "aws_s3_bucket_object_lock_configuration").length > 0;
        const replicated = bucketCompanions(model, bucket, "aws_s3_bucket_replication_configuration").some((config) => strings(blocks(config.body.rule).map((rule) => rule.status)).includes("Enabled"));
        return locked || replicated ? undefined : "a state or backup bucket has neither object lock nor cross-region replication";
      }),
  },
];
