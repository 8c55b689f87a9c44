import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { CHART_CATALOG } from "../../../charts/catalog";
import { releaseValuesProblems, unknownValuesPaths } from "../../../charts/values-check";
import type { VeleroScheduleConfig } from "../../../config/schema/backup";
import { Naming } from "../../../constructs/core/naming";
import { Velero, VeleroStorage, veleroBucketName, veleroValues, type VeleroProps, type VeleroStorageProps } from "../../../constructs/velero";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const DAILY: VeleroScheduleConfig = {
  name: "daily",
  schedule: "0 1 * * *",
  ttl: "240h",
  includedNamespaces: ["murima", "database"],
  excludedNamespaces: [],
  snapshotVolumes: true,
};

function storage(props: Partial<VeleroStorageProps> & { replicate?: boolean } = {}) {
  const { replicate = true, ...rest } = props;
  return synthConstruct((scope) =>
    new VeleroStorage(scope, "velero", {
      naming,
      account: TEST_ACCOUNT,
      key: new KmsKey(scope, "backup-key", {}),
      noncurrentVersionRetentionDays: 30,
      ...(replicate ? { replication: { region: "eu-central-1", key: new KmsKey(scope, "dr-key", { region: "eu-central-1" }) } } : {}),
      ...rest,
    }),
  );
}

function velero(props: Partial<VeleroProps> = {}) {
  return synthConstruct((scope) =>
    new Velero(scope, "velero", { naming, account: TEST_ACCOUNT, clusterName: "acme-prod-eks", schedules: [DAILY], volumeKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data", ...props }),
  );
}

type Statement = { sid?: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };
const statements = (json: Synthesized, prefix: string): Statement[] =>
  (Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix))?.[1].statement ?? []) as Statement[];

describe("VeleroStorage", () => {
  const { json } = storage();
  const buckets = resourceList(json, "aws_s3_bucket");

  it("creates Velero's private, versioned, KMS-encrypted bucket, itself selected by the default backup plan", () => {
    const bucket = buckets.find((candidate) => candidate.bucket === "acme-prod-velero");
    expect(bucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true }, tags: { "platform:backup": "default" } });
    expect(buckets.find((candidate) => candidate.bucket === "acme-prod-velero-dr")?.tags).toEqual({ "platform:backup-exempt": "Velero backup replica in the disaster-recovery region" });
    expect(resourceList(json, "aws_s3_bucket_versioning").every((versioning) => (versioning.versioning_configuration as { status: string }).status === "Enabled")).toBe(true);
    expect(resourceList(json, "aws_s3_bucket_server_side_encryption_configuration")[0]).toMatchObject({ rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: true }] });
    expect(resourceList(json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(resourceList(json, "aws_s3_bucket_lifecycle_configuration")[0]).toMatchObject({ rule: [{ noncurrent_version_expiration: [{ noncurrent_days: 30 }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] }] });
    expect(veleroBucketName(naming)).toBe("acme-prod-velero");
  });

  it("replicates to the DR region into an object-locked replica encrypted with that region's key", () => {
    expect(buckets.find((candidate) => candidate.bucket === "acme-prod-velero-dr")).toMatchObject({ region: "eu-central-1", object_lock_enabled: true });
    expect(resourceList(json, "aws_s3_bucket_object_lock_configuration")[0]).toMatchObject({ region: "eu-central-1", rule: { default_retention: { mode: "GOVERNANCE", days: 30 } } });
    const [replication] = resourceList(json, "aws_s3_bucket_replication_configuration");
    expect(replication).toMatchObject({
      rule: [{ status: "Enabled", delete_marker_replication: { status: "Enabled" }, destination: { bucket: expect.stringContaining("velero_replica_bucket"), encryption_configuration: { replica_kms_key_id: expect.stringContaining("dr-key") } } }],
    });
    const replicate = statements(json, "velero_replication-permissions");
    expect(replicate.find((statement) => statement.actions.includes("kms:GenerateDataKey"))?.condition).toEqual([{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-central-1.amazonaws.com"] }]);
  });

  it("has no replica and allows destroy in development", () => {
    const dev = storage({ replicate: false, protect: false });
    expect(resourceList(dev.json, "aws_s3_bucket")).toEqual([expect.objectContaining({ bucket: "acme-prod-velero", lifecycle: { prevent_destroy: false } })]);
    expect(resourceList(dev.json, "aws_s3_bucket_replication_configuration")).toEqual([]);
    expect(resourceList(dev.json, "aws_s3_bucket_logging")).toEqual([]);
  });

  it("logs server access to the environment's access-log bucket and joins the configured plan", () => {
    const logged = synthConstruct((scope) =>
      new VeleroStorage(scope, "velero", { naming, account: TEST_ACCOUNT, key: new KmsKey(scope, "k", {}), noncurrentVersionRetentionDays: 7, accessLogBucket: { id: "acme-prod-access-logs" }, backupPlan: "critical" }),
    );
    expect(resourceList(logged.json, "aws_s3_bucket_logging")).toEqual([expect.objectContaining({ target_bucket: "acme-prod-access-logs", target_prefix: "s3/acme-prod-velero/" })]);
    expect(resourceList(logged.json, "aws_s3_bucket")[0]?.tags).toEqual({ "platform:backup": "critical" });
  });

  it("rejects an out-of-range version retention and a replica in its own region", () => {
    expect(() => storage({ noncurrentVersionRetentionDays: 0 })).toThrow(/noncurrentVersionRetentionDays must be an integer from 1 to 3650, got 0/);
    expect(() =>
      synthConstruct((scope) => new VeleroStorage(scope, "velero", { naming, account: TEST_ACCOUNT, key: new KmsKey(scope, "k", {}), noncurrentVersionRetentionDays: 7, replication: { region: "eu-west-1", key: new KmsKey(scope, "r", {}) } })),
    ).toThrow(/the replica region must differ from the bucket's region eu-west-1/);
  });
});

describe("Velero", () => {
  const { json } = velero();
  const [release] = resourceList(json, "helm_release");
  const values = ((release?.values as string[]) ?? []).map((text) => parse(text) as Record<string, unknown>);
  const merged = { ...values[0], ...values[1] } as Record<string, unknown>;

  it("installs the pinned chart from the catalog into its own namespace", () => {
    expect(release).toMatchObject({ name: "velero", namespace: "velero", chart: "velero", version: CHART_CATALOG.velero.version, repository: CHART_CATALOG.velero.repository, atomic: true });
    expect(resourceList(json, "kubernetes_namespace_v1")[0]).toMatchObject({ metadata: { name: "velero", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } });
  });

  it("uses the AWS plugin with a pinned image, Pod Identity instead of a credentials secret, and volume snapshots", () => {
    const plugin = (merged.initContainers as { name: string; image: string }[])[0];
    expect(plugin?.name).toBe("velero-plugin-for-aws");
    expect(plugin?.image).toMatch(/^docker\.io\/velero\/velero-plugin-for-aws:v1\.14\.\d+$/);
    expect(merged.credentials).toEqual({ useSecret: false });
    expect(merged.snapshotsEnabled).toBe(true);
    expect(merged.configuration).toMatchObject({
      backupStorageLocation: [{ name: "default", provider: "aws", bucket: "acme-prod-velero", default: true, config: { region: "eu-west-1" } }],
      volumeSnapshotLocation: [{ name: "default", provider: "aws", config: { region: "eu-west-1" } }],
    });
  });

  it("renders the configured schedules (the Murima guide's daily 01:00 kept 240 hours)", () => {
    expect(merged.schedules).toEqual({
      daily: {
        disabled: false,
        schedule: "0 1 * * *",
        useOwnerReferencesInBackup: false,
        template: { ttl: "240h", storageLocation: "default", includedNamespaces: ["murima", "database"], excludedNamespaces: [], snapshotVolumes: true, volumeSnapshotLocations: ["default"] },
      },
    });
    expect(veleroValues("b", "eu-west-1", [{ ...DAILY, snapshotVolumes: false }]).snapshotsEnabled).toBe(false);
  });

  it("sets only values keys that exist in the pinned upstream chart", () => {
    expect(releaseValuesProblems(json)).toEqual([]);
    // The checker would catch a misspelling in what this construct passes.
    expect(unknownValuesPaths("velero", CHART_CATALOG.velero.version, { schedules: {}, snapshotEnabled: true })).toEqual(["snapshotEnabled"]);
  });

  it("binds a least-privilege role to velero/velero only", () => {
    const trust = statements(json, "velero_identity_trust")[0];
    expect(trust?.condition).toEqual(expect.arrayContaining([
      { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: ["velero"] },
      { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: ["velero"] },
    ]));
    const permissions = statements(json, "velero_identity_permissions");
    expect(permissions.flatMap((statement) => statement.actions).filter((action) => action === "*" || action.endsWith(":*"))).toEqual([]);
    const wildcardActions = permissions.filter((statement) => statement.resources.includes("*")).flatMap((statement) => statement.actions);
    expect(wildcardActions).toEqual(["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]);
    const bucketObjects = permissions.find((statement) => statement.sid === "BackupObjects");
    expect(bucketObjects?.resources).toEqual(["arn:aws:s3:::acme-prod-velero/*"]);
    expect(permissions.find((statement) => statement.sid === "DeleteOwnSnapshots")?.condition).toEqual([{ test: "Null", variable: "aws:ResourceTag/velero.io/backup", values: ["false"] }]);
    expect(resourceList(json, "aws_eks_pod_identity_association")[0]).toMatchObject({ namespace: "velero", service_account: "velero", cluster_name: "acme-prod-eks" });
  });

  it("rejects duplicate schedules, malformed cron expressions and TTLs", () => {
    expect(() => velero({ schedules: [DAILY, DAILY] })).toThrow(/duplicate schedule name "daily"/);
    expect(() => velero({ schedules: [{ ...DAILY, schedule: "daily" }] })).toThrow(/schedule "daily" has "daily", expected a 5-field cron expression/);
    expect(() => velero({ schedules: [{ ...DAILY, ttl: "10 days" }] })).toThrow(/schedule "daily" has ttl "10 days", expected a Go duration such as 240h/);
  });
});
