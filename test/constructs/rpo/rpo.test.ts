import { DocdbCluster } from "@cdktf/provider-aws/lib/docdb-cluster";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { Backup } from "../../../constructs/backup";
import { awsProvider } from "../../../constructs/core/aws";
import { backupTag } from "../../../constructs/core/backup-tag";
import { Naming } from "../../../constructs/core/naming";
import { assessStack, backupExemption, BACKUP_EXEMPT_TAG_KEY, type Assessment } from "../../../constructs/rpo";
import { backupPlan, MURIMA_POLICY, NOOR_POLICY, SMARTEDU_POLICY } from "../../fixtures/backup-policies";
import { TEST_ACCOUNT } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });

/** A stack with the environment's default tags, a Backup construct for `policy`, and the resources `build` adds. */
function fixture(policy: Record<string, unknown>, build: (scope: Construct) => void) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "prod-infra");
  awsProvider(stack, "aws", { ...TEST_ACCOUNT, tags: { Environment: "prod" } });
  const dr = awsProvider(stack, "aws-dr", { accountId: TEST_ACCOUNT.accountId, region: "eu-central-1", tags: { Environment: "prod" }, alias: "dr" });
  const backup = new Backup(stack, "backup", {
    naming,
    account: TEST_ACCOUNT,
    plans: { default: backupPlan(policy) },
    vaultKey: new KmsKey(stack, "backup-key", {}),
    alertsTopicArn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts",
    disasterRecovery: { provider: dr, region: "eu-central-1", key: new KmsKey(stack, "dr-key", { provider: dr }) },
    selectionConditions: { Environment: "prod" },
  });
  build(stack);
  const assessments = assessStack(stack, backup.rpoTargets);
  const at = (path: string): Assessment => {
    const found = assessments.find((assessment) => assessment.path === `prod-infra/${path}`);
    if (!found) throw new Error(`no assessment for ${path}: ${assessments.map((a) => a.path).join(", ")}`);
    return found;
  };
  return { stack, assessments, at };
}

const tagged = backupTag();

function aurora(scope: Construct): void {
  new RdsCluster(scope, "aurora", { engine: "aurora-postgresql", tags: tagged });
}

function databases(scope: Construct): void {
  aurora(scope);
  new DocdbCluster(scope, "docdb", { tags: tagged });
}

describe("RPO check: reference policies", () => {
  it("SmartEdu (15 min): continuous backup and DocumentDB's point-in-time recovery meet it; a 6-hourly schedule does not", () => {
    const { at } = fixture(SMARTEDU_POLICY, (scope) => {
      new RdsCluster(scope, "aurora", { engine: "aurora-postgresql", clusterIdentifier: "acme-prod-pg", tags: tagged });
      new DocdbCluster(scope, "docdb", { backupRetentionPeriod: 7, tags: tagged });
      new S3Bucket(scope, "uploads", { bucket: "acme-prod-uploads", tags: tagged });
      new EfsFileSystem(scope, "files", { tags: tagged });
    });
    expect(at("aurora")).toMatchObject({ effectiveRpoMinutes: 5, targetMinutes: 15, plans: ["acme-prod-default"], problems: [] });
    expect(at("docdb")).toMatchObject({ effectiveRpoMinutes: 5, problems: [] });
    expect(at("uploads")).toMatchObject({ effectiveRpoMinutes: 15, problems: [] });
    expect(at("files").effectiveRpoMinutes).toBe(360);
    expect(at("files").problems).toEqual([
      expect.stringMatching(/^prod-infra\/files \(EFS file system, aws_efs_file_system\): effective RPO 6h exceeds the target 15m \(backup\.plans\.default\.rpo\); its most frequent protection is rule "frequent" of acme-prod-default: cron\(0 0\/6 \? \* \* \*\)/),
    ]);
  });

  it("Murima (1 h): databases meet it through point-in-time recovery; without continuous backup the daily schedule fails", () => {
    const met = fixture(MURIMA_POLICY, databases);
    expect(met.at("aurora").problems).toEqual([]);
    expect(met.at("docdb")).toMatchObject({ effectiveRpoMinutes: 5, problems: [] });

    const withoutPitr = fixture({ ...MURIMA_POLICY, continuous: { enabled: false } }, databases);
    for (const path of ["aurora", "docdb"]) {
      expect(withoutPitr.at(path).effectiveRpoMinutes).toBe(24 * 60);
      expect(withoutPitr.at(path).problems[0]).toMatch(/effective RPO 1d exceeds the target 1h \(backup\.plans\.default\.rpo\).*Fix: enable point-in-time recovery \(backup\.plans\.default\.continuous\.enabled\)/);
    }
  });

  it("NOOR (6 h): the 6-hourly incrementals meet it exactly; daily backups alone do not", () => {
    expect(fixture(NOOR_POLICY, aurora).at("aurora")).toMatchObject({ effectiveRpoMinutes: 360, targetMinutes: 360, problems: [] });
    const dailyOnly = fixture({ ...NOOR_POLICY, frequent: { enabled: false } }, aurora).at("aurora");
    expect(dailyOnly.problems[0]).toContain("effective RPO 1d exceeds the target 6h (backup.plans.default.rpo)");
  });
});

describe("RPO check: coverage", () => {
  const { at, assessments } = fixture(SMARTEDU_POLICY, (scope) => {
    new RdsCluster(scope, "untagged", { engine: "aurora-postgresql" });
    new RdsCluster(scope, "other-plan", { engine: "aurora-postgresql", tags: backupTag("critical") });
    new RdsCluster(scope, "other-environment", { engine: "aurora-postgresql", tags: { ...tagged, Environment: "dev" } });
    new S3Bucket(scope, "velero", { tags: backupExemption("Velero backup store - replicated to the DR region") });
    new MqBroker(scope, "broker", { brokerName: "acme-prod-mq", engineType: "RabbitMQ", engineVersion: "3.13", hostInstanceType: "mq.m5.large", user: [] });
    new ElasticacheReplicationGroup(scope, "cache", { replicationGroupId: "acme-prod-cache", description: "cache", snapshotRetentionLimit: 5, tags: tagged });
    new ElasticacheReplicationGroup(scope, "cache-no-snapshots", { replicationGroupId: "acme-prod-cache2", description: "cache", snapshotRetentionLimit: 0, tags: tagged });
    new OpensearchDomain(scope, "search", { domainName: "acme-prod-search", tags: tagged });
    const source = new S3Bucket(scope, "documents", { bucket: "acme-prod-documents", tags: tagged });
    const replica = new S3Bucket(scope, "documents-replica", { bucket: "acme-prod-documents-replica" });
    const logs = new S3Bucket(scope, "access-logs", { bucket: "acme-prod-access-logs" });
    new S3BucketReplicationConfigurationA(scope, "replication", {
      bucket: source.id,
      role: "arn:aws:iam::123456789012:role/replication",
      rule: [{ status: "Enabled", destination: { bucket: replica.arn } }],
    });
    new S3BucketLoggingA(scope, "logging", { bucket: source.id, targetBucket: logs.id, targetPrefix: "s3/" });
  });

  it("fails a resource AWS Backup could protect that no plan selects, naming the tag to add", () => {
    expect(at("untagged").problems).toEqual([
      expect.stringContaining("prod-infra/untagged (Aurora cluster, aws_rds_cluster) is not covered by any backup plan: tag it platform:backup=<plan>"),
    ]);
    expect(at("other-plan").problems[0]).toContain("is tagged platform:backup=critical but no backup plan of this stack selects it (configured plans: default under backup.plans)");
    // Selections are scoped to the environment: another environment's resource with the same plan tag is not covered.
    expect(at("other-environment").problems[0]).toContain("is tagged platform:backup=default but no backup plan of this stack selects it");
  });

  it("accepts a reasoned exemption and resource types that hold no durable data", () => {
    expect(at("velero")).toMatchObject({ exemption: "Velero backup store - replicated to the DR region", problems: [] });
    expect(at("broker").exemption).toMatch(/messages are transient/);
    expect(at("broker").problems).toEqual([]);
    expect(() => backupExemption("because")).toThrow(/must be 10-256 characters/);
    expect(BACKUP_EXEMPT_TAG_KEY).toBe("platform:backup-exempt");
  });

  it("recognises replicas and access-log buckets from the stack's replication and logging resources", () => {
    expect(at("documents")).toMatchObject({ plans: ["acme-prod-default"], problems: [] });
    expect(at("documents-replica")).toMatchObject({ exemption: "replica of prod-infra/documents (S3 replication): it is the copy", problems: [] });
    expect(at("access-logs")).toMatchObject({ exemption: "access-log bucket (server access logs, expired by lifecycle)", problems: [] });
  });

  it("counts the service's own snapshots where AWS Backup cannot help, against the data class's target", () => {
    expect(at("cache")).toMatchObject({ effectiveRpoMinutes: 1440, targetKey: "backup.plans.default.rpo" });
    expect(at("cache").problems[0]).toContain("effective RPO 1d exceeds the target 15m (backup.plans.default.rpo); its most frequent protection is ElastiCache daily automatic snapshot (kept 5 days)");
    expect(at("cache-no-snapshots").problems[0]).toContain("has no backup at all: enable the service's snapshots");
    expect(at("search").problems[0]).toContain("effective RPO 1h exceeds the target 15m");
    expect(assessments).toHaveLength(11);
  });

  it("applies a data class override and names its key", () => {
    const relaxed = fixture({ ...SMARTEDU_POLICY, rpoOverrides: { cache: "24h", search: "1h" } }, (scope) => {
      new ElasticacheReplicationGroup(scope, "cache", { replicationGroupId: "c", description: "cache", snapshotRetentionLimit: 1, tags: tagged });
      new OpensearchDomain(scope, "search", { domainName: "s", tags: tagged });
    });
    expect(relaxed.at("cache")).toMatchObject({ targetMinutes: 1440, targetKey: "backup.plans.default.rpoOverrides.cache", problems: [] });
    expect(relaxed.at("search")).toMatchObject({ targetMinutes: 60, problems: [] });
  });
});

describe("RPO check at synth time", () => {
  it("fails synthesis with every problem, naming the construct path and the config key", () => {
    const { stack } = fixture(NOOR_POLICY, (scope) => {
      new EfsFileSystem(scope, "files", { tags: tagged });
      new RdsCluster(scope, "orphan", { engine: "aurora-postgresql" });
    });
    expect(() => Testing.synth(stack, true)).toThrow(/RPO check: prod-infra\/orphan \(Aurora cluster, aws_rds_cluster\) is not covered by any backup plan/);
  });

  it("passes when every resource meets its objective", () => {
    const { stack } = fixture(NOOR_POLICY, (scope) => {
      new EfsFileSystem(scope, "files", { tags: tagged });
    });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});
