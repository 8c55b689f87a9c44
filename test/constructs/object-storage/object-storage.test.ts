import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { bucketName, ObjectStorage, type DataBucketConfig, type ObjectStorageProps } from "../../../constructs/object-storage";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { connectionKeys, naming } from "../data-access/fixture";

const BASE: DataBucketConfig = { versioning: true, transitions: [], noncurrentVersionExpirationDays: 90, abortIncompleteUploadDays: 7 };

function storage(buckets: Record<string, Partial<DataBucketConfig>>, overrides: Partial<ObjectStorageProps> = {}) {
  return synthConstruct((scope) =>
    new ObjectStorage(scope, "storage", {
      naming,
      account: TEST_ACCOUNT,
      buckets: Object.fromEntries(Object.entries(buckets).map(([name, settings]) => [name, { ...BASE, ...settings }])),
      encryptionKey: new KmsKey(scope, "data-key", {}),
      accessLogs: { enabled: true, retentionDays: 365 },
      ...overrides,
    }),
  );
}

/** Resources of `type` whose synthesized id contains `fragment`. */
function byId(json: Synthesized, type: string, fragment: string): Record<string, unknown>[] {
  return Object.entries(resourcesOf(json, type)).filter(([id]) => id.includes(fragment)).map(([, value]) => value);
}

function policyOf(json: Synthesized, fragment: string): { statement: Record<string, unknown>[] } {
  return Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes(fragment))?.[1] as { statement: Record<string, unknown>[] };
}

describe("ObjectStorage defaults", () => {
  const { json } = storage({ uploads: { transitions: [{ days: 90, storageClass: "STANDARD_IA" }] } });
  const [bucket] = byId(json, "aws_s3_bucket", "bucket-uploads");

  it("names the bucket with the naming helper, never force-destroys it, protects it and tags it for backup", () => {
    expect(bucketName(naming, "uploads")).toBe("acme-test-uploads");
    expect(bucket).toMatchObject({ bucket: "acme-test-uploads", force_destroy: false, object_lock_enabled: false, lifecycle: { prevent_destroy: true }, tags: { "platform:backup": "default" } });
  });

  it("enforces owner ownership, blocks all public access, encrypts with the data key and versions objects", () => {
    expect(byId(json, "aws_s3_bucket_ownership_controls", "bucket-uploads")[0]).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(byId(json, "aws_s3_bucket_public_access_block", "bucket-uploads")[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const encryption = byId(json, "aws_s3_bucket_server_side_encryption_configuration", "bucket-uploads")[0] as { rule: Record<string, Record<string, unknown>>[] };
    expect(encryption.rule[0]).toMatchObject({ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true });
    expect(encryption.rule[0]?.apply_server_side_encryption_by_default?.kms_master_key_id).toContain("aws_kms_key.data-key");
    expect(byId(json, "aws_s3_bucket_versioning", "bucket-uploads")[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
  });

  it("denies plain HTTP and TLS below 1.2 in the bucket policy", () => {
    const statements = policyOf(json, "bucket-uploads_policy-document").statement;
    expect(statements).toContainEqual(expect.objectContaining({ sid: "DenyInsecureTransport", effect: "Deny", condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] }));
    expect(statements).toContainEqual(expect.objectContaining({ sid: "DenyOutdatedTls", effect: "Deny" }));
  });

  it("applies lifecycle rules from configuration: transitions, noncurrent versions, incomplete uploads", () => {
    const rules = (byId(json, "aws_s3_bucket_lifecycle_configuration", "bucket-uploads")[0] as { rule: Record<string, unknown>[] }).rule;
    expect(rules).toEqual([
      expect.objectContaining({ id: "abort-incomplete-uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
      expect.objectContaining({ id: "current-versions", transition: [{ days: 90, storage_class: "STANDARD_IA" }] }),
      expect.objectContaining({ id: "noncurrent-versions", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
    ]);
  });

  it("logs access to the SSE-S3 access-log bucket, which admits S3 and load balancer log delivery only", () => {
    expect(byId(json, "aws_s3_bucket_logging", "bucket-uploads")[0]).toMatchObject({ target_prefix: "s3/acme-test-uploads/" });
    const [logs] = byId(json, "aws_s3_bucket", "access-logs");
    expect(logs).toMatchObject({ bucket: "acme-test-access-logs", force_destroy: false });
    expect(byId(json, "aws_s3_bucket_server_side_encryption_configuration", "access-logs")[0]).toMatchObject({ rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] });
    const statements = policyOf(json, "access-logs_policy-document").statement;
    expect(statements.map((statement) => statement.sid)).toEqual(["DenyInsecureTransport", "DenyOutdatedTls", "AllowServerAccessLogDelivery", "AllowLoadBalancerAccessLogs"]);
    expect(statements[3]?.principals).toContainEqual({ type: "AWS", identifiers: ["arn:aws:iam::156460612806:root"] });
    expect((byId(json, "aws_s3_bucket_lifecycle_configuration", "access-logs")[0] as { rule: Record<string, unknown>[] }).rule[0]).toMatchObject({ expiration: [{ days: 365 }] });
  });

  it("publishes the bucket as an s3 connection", () => {
    const parameter = byId(json, "aws_ssm_parameter", "bucket-uploads")[0] as Record<string, unknown>;
    expect(parameter.name).toBe("/acme/test/services/uploads/connection");
    expect(connectionKeys(parameter.value)).toMatchObject({ kind: '"s3"', port: "443", tls: "true" });
  });
});

describe("ObjectStorage: object lock and replication (a 7-year audit archive)", () => {
  const { json } = storage({
    archive: {
      objectLock: { mode: "COMPLIANCE", retentionDays: 2557 },
      transitions: [{ days: 30, storageClass: "GLACIER_IR" }, { days: 180, storageClass: "DEEP_ARCHIVE" }],
      replication: { region: "eu-central-1", storageClass: "DEEP_ARCHIVE" },
    },
  });

  it("enables object lock at creation with a default COMPLIANCE retention", () => {
    expect(byId(json, "aws_s3_bucket", "bucket-archive_bucket")[0]).toMatchObject({ object_lock_enabled: true });
    expect(resourceList(json, "aws_s3_bucket_object_lock_configuration")[0]).toMatchObject({ rule: { default_retention: { mode: "COMPLIANCE", days: 2557 } } });
  });

  it("replicates to a locked, versioned bucket in the other region encrypted with a key of that region", () => {
    const [replica] = byId(json, "aws_s3_bucket", "bucket-archive-replica");
    expect(replica).toMatchObject({ bucket: "acme-test-archive-replica", region: "eu-central-1", object_lock_enabled: true, lifecycle: { prevent_destroy: true } });
    const keys = resourceList(json, "aws_kms_key").filter((key) => key.region === "eu-central-1");
    expect(keys).toEqual([expect.objectContaining({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } })]);
    const configuration = resourceList(json, "aws_s3_bucket_replication_configuration")[0] as { rule: Record<string, Record<string, unknown>>[] };
    expect(configuration.rule[0]).toMatchObject({ status: "Enabled", delete_marker_replication: { status: "Enabled" }, source_selection_criteria: { sse_kms_encrypted_objects: { status: "Enabled" } } });
    expect(configuration.rule[0]?.destination).toMatchObject({ storage_class: "DEEP_ARCHIVE" });
    expect(JSON.stringify(configuration.rule[0]?.destination)).toContain("storage_replica-key-eu-central-1");
    expect(byId(json, "aws_iam_role", "replication-role")[0]).toMatchObject({ name: "acme-test-s3-replication-archive" });
  });

  it("logs the replica to an access-log bucket of the replica's Region", () => {
    expect(byId(json, "aws_s3_bucket", "access-logs-eu-central-1")[0]).toMatchObject({ bucket: "acme-test-access-logs-eu-central-1", region: "eu-central-1" });
    expect(byId(json, "aws_s3_bucket_logging", "replica-logging")[0]).toMatchObject({ region: "eu-central-1", target_prefix: "s3/acme-test-archive-replica/" });
  });
});

describe("ObjectStorage: production vs development", () => {
  it("development keeps encryption and TLS but drops prevent_destroy and access logging", () => {
    const { json } = storage({ uploads: {} }, { protectState: false, accessLogs: { enabled: false, retentionDays: 30 } });
    expect(byId(json, "aws_s3_bucket", "bucket-uploads")[0]).toMatchObject({ lifecycle: { prevent_destroy: false }, force_destroy: false });
    expect(byId(json, "aws_s3_bucket", "access-logs")).toHaveLength(0);
    expect(resourceList(json, "aws_s3_bucket_logging")).toHaveLength(0);
    expect(resourceList(json, "aws_s3_bucket_server_side_encryption_configuration")).toHaveLength(1);
    expect(resourceList(json, "aws_s3_bucket_policy")).toHaveLength(1);
  });
});

describe("ObjectStorage validation (one failing input per rule)", () => {
  const cases: [string, Record<string, Partial<DataBucketConfig>>, RegExp][] = [
    ["invalid bucket name", { Uploads: {} }, /bucket name "Uploads" must be lowercase letters/],
    ["reserved bucket name", { "access-logs": {} }, /"access-logs" is reserved/],
    ["infrequent-access transition before 30 days", { a: { transitions: [{ days: 10, storageClass: "STANDARD_IA" }] } }, /a\.transitions\.0\.days: STANDARD_IA transitions need at least 30 days/],
    ["transitions out of order", { a: { transitions: [{ days: 90, storageClass: "GLACIER" }, { days: 60, storageClass: "DEEP_ARCHIVE" }] } }, /a\.transitions\.1\.days: transitions must be in ascending order of days \(previous: 90\)/],
    ["expiration before the last transition", { a: { transitions: [{ days: 90, storageClass: "GLACIER" }], expirationDays: 30 } }, /a\.expirationDays: must be later than the last transition \(day 90\)/],
    ["noncurrent expiration out of range", { a: { noncurrentVersionExpirationDays: 0 } }, /a\.noncurrentVersionExpirationDays: noncurrent version expiration days must be an integer from 1/],
    ["incomplete-upload expiry out of range", { a: { abortIncompleteUploadDays: 0 } }, /a\.abortIncompleteUploadDays: incomplete upload expiry days must be an integer from 1 to 365/],
    ["object lock without versioning", { a: { versioning: false, objectLock: { mode: "GOVERNANCE", retentionDays: 30 } } }, /a\.objectLock: object lock requires versioning: set versioning: true/],
    ["object lock retention out of range", { a: { objectLock: { mode: "COMPLIANCE", retentionDays: 0 } } }, /a\.objectLock\.retentionDays: object lock retention days must be an integer from 1 to 36500/],
    ["replication without versioning", { a: { versioning: false, replication: { region: "eu-central-1", storageClass: "STANDARD" } } }, /a\.replication: replication requires versioning/],
    ["replication into its own region", { a: { replication: { region: "eu-west-1", storageClass: "STANDARD" } } }, /a\.replication\.region: must differ from the bucket's own region eu-west-1/],
  ];
  it.each(cases)("rejects %s", (_what, buckets, message) => {
    expect(() => storage(buckets)).toThrow(message);
  });

  it("rejects an access-log retention CloudWatch-style periods do not include", () => {
    expect(() => storage({ a: {} }, { accessLogs: { enabled: true, retentionDays: 100 } })).toThrow(/accessLogs\.retentionDays: must be one of 1, 3, 5/);
  });

  it("names the declared buckets when asked for an unknown one", () => {
    const { construct } = storage({ uploads: {} });
    expect(() => construct.bucket("docs")).toThrow(/no bucket "docs" is declared; declared: uploads/);
  });
});
