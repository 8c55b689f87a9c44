import { describe, expect, it } from "vitest";
import { DocumentDb, type DocumentDbProps } from "../../../constructs/documentdb";
import { resourceList, synthConstruct } from "../../support/synth";
import { connectionKeys, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

type Overrides = Partial<Omit<DocumentDbProps, "naming" | "account" | "name" | "dataTier" | "encryptionKey" | "logging">>;

function documentDb(overrides: Overrides = {}) {
  return synthConstruct((scope) => new DocumentDb(scope, "docdb", { ...serviceProps(scope, "docs"), instanceClass: "db.r6g.xlarge", ...overrides }));
}

describe("DocumentDb defaults (protected, highly available)", () => {
  const { json } = documentDb();
  const cluster = only(json, "aws_docdb_cluster");

  it("creates an encrypted cluster with a managed master password, pinned version, protection and backup tag", () => {
    expect(cluster).toMatchObject({
      cluster_identifier: "acme-test-docdb-docs",
      engine: "docdb",
      engine_version: "5.0.0",
      storage_encrypted: true,
      manage_master_user_password: true,
      backup_retention_period: 14,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "acme-test-docdb-docs-final",
      lifecycle: { prevent_destroy: true },
      tags: { "platform:backup": "default" },
      enabled_cloudwatch_logs_exports: ["audit", "profiler"],
    });
    expect(cluster.kms_key_id).toContain("aws_kms_key.data-key");
    expect(cluster.master_password).toBeUndefined();
  });

  it("spreads three instances over the zones", () => {
    const instances = resourceList(json, "aws_docdb_cluster_instance");
    expect(instances.map((instance) => instance.availability_zone)).toEqual(["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    for (const instance of instances) expect(instance).toMatchObject({ instance_class: "db.r6g.xlarge", enable_performance_insights: true });
  });

  it("requires TLS and enables audit logs and the profiler in its cluster parameter group", () => {
    const group = only(json, "aws_docdb_cluster_parameter_group");
    expect(group.family).toBe("docdb5.0");
    expect(group.parameter).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "tls", value: "enabled" }),
        expect.objectContaining({ name: "audit_logs", value: "enabled" }),
        expect.objectContaining({ name: "profiler", value: "enabled" }),
      ]),
    );
  });

  it("creates the audit and profiler log groups with retention and the logs key", () => {
    const groups = resourceList(json, "aws_cloudwatch_log_group");
    expect(groups.map((g) => g.name).sort()).toEqual(["/aws/docdb/acme-test-docdb-docs/audit", "/aws/docdb/acme-test-docdb-docs/profiler"]);
    for (const g of groups) expect(g).toMatchObject({ retention_in_days: 30 });
  });

  it("admits 27017 from the workload group only and publishes the secret ARN", () => {
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toEqual([expect.objectContaining({ from_port: 27017, referenced_security_group_id: WORKLOAD_SG })]);
    const keys = connectionKeys(only(json, "aws_ssm_parameter").value);
    expect(keys).toMatchObject({ kind: '"mongodb"', port: "27017", tls: "true" });
    expect(keys.secretArn).toContain("master_user_secret[0].secret_arn");
  });
});

describe("DocumentDb: production vs development", () => {
  it("development runs one unprotected instance, still encrypted", () => {
    const { json } = documentDb({ instances: 1, instanceClass: "db.t4g.medium", protectState: false, highAvailability: false, backup: { retentionDays: 1, window: "02:00-03:00" } });
    expect(resourceList(json, "aws_docdb_cluster_instance")).toHaveLength(1);
    expect(only(json, "aws_docdb_cluster")).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, storage_encrypted: true, lifecycle: { prevent_destroy: false } });
  });

  it("production refuses fewer than 3 instances or under a week of backups", () => {
    expect(() => documentDb({ instances: 2 })).toThrow(/instances: production needs at least 3 instances/);
    expect(() => documentDb({ backup: { retentionDays: 3, window: "02:00-03:00" } })).toThrow(/backup\.retentionDays: production keeps at least 7 days/);
  });
});

describe("DocumentDb validation (one failing input per rule)", () => {
  const cases: [string, Overrides, RegExp][] = [
    ["unknown engine version", { engineVersion: "6.0.0" }, /engineVersion: Amazon DocumentDB 6\.0\.0 is not in the version catalog .*allowed: 4\.0\.0, 5\.0\.0, 8\.0\.0/],
    ["instance class DocumentDB does not offer", { instanceClass: "db.m6g.large" }, /instanceClass: is not an instance class DocumentDB offers/],
    ["too many instances", { instances: 17 }, /instances: instances \(primary plus replicas\) must be an integer from 1 to 16/],
    ["reserved master user", { masterUsername: "admin" }, /masterUsername: .*not be reserved/],
    ["port out of range", { port: 99 }, /port: port must be an integer from 1150 to 65535/],
    ["backup retention out of range", { backup: { retentionDays: 0, window: "02:00-03:00" } }, /backup\.retentionDays: backup retention \(days\) must be an integer from 1 to 35/],
    ["malformed backup window", { backup: { retentionDays: 7, window: "02-03" } }, /backup\.window: must be a daily UTC window/],
    ["malformed maintenance window", { maintenanceWindow: "weekly" }, /maintenanceWindow: must be a weekly UTC window/],
    ["backup window overlapping maintenance", { backup: { retentionDays: 7, window: "03:00-04:00" } }, /backup\.window: must not overlap the maintenance window/],
    ["profiler threshold below the engine minimum", { profilerThresholdMs: 10 }, /profilerThresholdMs: profiler threshold \(ms\) must be an integer from 50/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["192.168.0.0/24"] }, /is a CIDR block/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => documentDb(overrides)).toThrow(message);
  });
});
