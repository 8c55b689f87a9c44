import { describe, expect, it } from "vitest";
import { Postgres, type PostgresProps } from "../../../constructs/postgres";
import { resourceList, resourcesOf, synthConstruct } from "../../support/synth";
import { connectionKeys, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

type Overrides = Partial<Omit<PostgresProps, "naming" | "account" | "name" | "dataTier" | "encryptionKey" | "logging">>;

function postgres(overrides: Overrides = {}) {
  return synthConstruct((scope) =>
    new Postgres(scope, "postgres", { ...serviceProps(scope, "main"), engineVersion: "16.8", instanceClass: "db.r6g.2xlarge", ...overrides }),
  );
}

describe("Postgres defaults (Aurora, protected, highly available)", () => {
  const { json } = postgres();
  const cluster = only(json, "aws_rds_cluster");
  const instances = resourceList(json, "aws_rds_cluster_instance");

  it("creates an encrypted Aurora PostgreSQL cluster with a managed master password in Secrets Manager", () => {
    expect(cluster).toMatchObject({
      cluster_identifier: "acme-test-pg-main",
      engine: "aurora-postgresql",
      engine_version: "16.8",
      storage_encrypted: true,
      manage_master_user_password: true,
      database_name: "main",
      port: 5432,
    });
    expect(cluster.kms_key_id).toContain("aws_kms_key.data-key");
    expect(cluster.master_user_secret_kms_key_id).toContain("aws_kms_key.data-key");
    expect(cluster.master_password).toBeUndefined();
  });

  it("protects the cluster: deletion protection, final snapshot, prevent_destroy, retained backups, backup tag", () => {
    expect(cluster).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "acme-test-pg-main-final",
      delete_automated_backups: false,
      lifecycle: { prevent_destroy: true },
      tags: { "platform:backup": "default" },
      backup_retention_period: 14,
      preferred_backup_window: "02:00-03:00",
      preferred_maintenance_window: "sun:03:30-sun:04:30",
      copy_tags_to_snapshot: true,
    });
  });

  it("runs a writer and a reader in different zones, private, with Performance Insights and enhanced monitoring", () => {
    expect(instances).toHaveLength(2);
    expect(instances.map((instance) => instance.availability_zone)).toEqual(["eu-west-1a", "eu-west-1b"]);
    for (const instance of instances) {
      expect(instance).toMatchObject({ instance_class: "db.r6g.2xlarge", publicly_accessible: false, performance_insights_enabled: true, monitoring_interval: 60 });
      expect(instance.monitoring_role_arn).toContain("aws_iam_role.postgres_monitoring-role");
    }
    expect(only(json, "aws_iam_role_policy_attachment").policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
  });

  it("forces TLS in a versioned cluster parameter group", () => {
    const group = only(json, "aws_rds_cluster_parameter_group");
    expect(group).toMatchObject({ family: "aurora-postgresql16", name: "acme-test-pg-main-v16", lifecycle: { create_before_destroy: true } });
    expect(group.parameter).toEqual([{ name: "rds.force_ssl", value: "1", apply_method: "immediate" }]);
    expect(cluster.db_cluster_parameter_group_name).toContain("aws_rds_cluster_parameter_group.postgres_parameter-group");
  });

  it("exports the postgresql log to a pre-created encrypted log group with retention", () => {
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(["postgresql"]);
    const group = only(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({ name: "/aws/rds/cluster/acme-test-pg-main/postgresql", retention_in_days: 30 });
    expect(group.kms_key_id).toContain("aws_kms_key.logs-key");
    expect(cluster.depends_on).toEqual([expect.stringContaining("aws_cloudwatch_log_group.postgres_log-group-postgresql")]);
  });

  it("admits port 5432 only from the workload security group", () => {
    const rules = resourceList(json, "aws_vpc_security_group_ingress_rule");
    expect(rules).toEqual([expect.objectContaining({ from_port: 5432, to_port: 5432, referenced_security_group_id: WORKLOAD_SG })]);
    expect(cluster.vpc_security_group_ids).toEqual([expect.stringContaining("aws_security_group.postgres_security-group")]);
  });

  it("publishes writer and reader endpoints and the secret ARN (no secret value) as its connection", () => {
    const parameter = only(json, "aws_ssm_parameter");
    expect(parameter.name).toBe("/acme/test/services/main/connection");
    const keys = connectionKeys(parameter.value);
    expect(keys.host).toMatch(/aws_rds_cluster\.postgres_cluster_\w+\.endpoint/);
    expect(keys.readerHost).toMatch(/\.reader_endpoint/);
    expect(keys.secretArn).toMatch(/\.master_user_secret\[0\]\.secret_arn/);
    // IAM authentication is on by default (product instances connect as their own users); rds-db:connect is scoped to
    // the resource id published here.
    expect(keys).toMatchObject({ port: "5432", tls: "true", database: '"main"', iamAuth: "true" });
    expect(keys.resourceId).toMatch(/aws_rds_cluster\.postgres_cluster_\w+\.cluster_resource_id/);
  });
});

describe("Postgres: production vs development", () => {
  const dev = postgres({ protectState: false, highAvailability: false, readers: 0, instanceClass: "db.t4g.medium", backup: { retentionDays: 1, window: "02:00-03:00" }, monitoringIntervalSeconds: 0 }).json;

  it("development drops protection and the reader, keeps encryption and TLS", () => {
    const cluster = only(dev, "aws_rds_cluster");
    expect(cluster).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, lifecycle: { prevent_destroy: false }, storage_encrypted: true, backup_retention_period: 1 });
    expect(cluster.final_snapshot_identifier).toBeUndefined();
    expect(resourceList(dev, "aws_rds_cluster_instance")).toHaveLength(1);
    expect(only(dev, "aws_rds_cluster_parameter_group").parameter).toContainEqual(expect.objectContaining({ name: "rds.force_ssl", value: "1" }));
    expect(resourcesOf(dev, "aws_iam_role")).toEqual({});
  });

  it("production refuses the development shape", () => {
    expect(() => postgres({ readers: 0 })).toThrow(/readers: production needs at least 1 reader/);
    expect(() => postgres({ backup: { retentionDays: 3, window: "02:00-03:00" } })).toThrow(/backup\.retentionDays: production keeps at least 7 days of point-in-time recovery/);
    expect(() => postgres({ engine: "postgres", engineVersion: "16.11", instanceClass: "db.m6g.large", multiAz: false })).toThrow(/multiAz: production RDS instances need a Multi-AZ standby/);
  });
});

describe("Postgres on RDS", () => {
  const { json } = postgres({ engine: "postgres", engineVersion: "16.11", instanceClass: "db.m6g.large", readers: 1, storage: { allocatedGb: 200, maxAllocatedGb: 1000 }, iamAuthentication: true });
  const instances = resourceList(json, "aws_db_instance");
  const primary = instances.find((instance) => instance.replicate_source_db === undefined) as Record<string, unknown>;
  const replica = instances.find((instance) => instance.replicate_source_db !== undefined) as Record<string, unknown>;

  it("creates a Multi-AZ primary with storage autoscaling and a managed password, plus a read replica", () => {
    expect(primary).toMatchObject({
      engine: "postgres",
      multi_az: true,
      allocated_storage: 200,
      max_allocated_storage: 1000,
      storage_type: "gp3",
      storage_encrypted: true,
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      final_snapshot_identifier: "acme-test-pg-main-final",
      lifecycle: { prevent_destroy: true },
      tags: { "platform:backup": "default" },
    });
    expect(replica.replicate_source_db).toContain(".identifier");
    expect(replica).toMatchObject({ skip_final_snapshot: true, publicly_accessible: false, storage_encrypted: true });
  });

  it("forces TLS in a DB parameter group of the postgres family", () => {
    expect(only(json, "aws_db_parameter_group")).toMatchObject({ family: "postgres16" });
    expect(primary.parameter_group_name).toContain("aws_db_parameter_group");
  });
});

describe("Postgres tunables", () => {
  it("writes configured parameters in engine units with the right apply method", () => {
    const { json } = postgres({ parameters: { maxConnections: 500, sharedBuffersMb: 8192, workMemMb: 64, logMinDurationStatementMs: 1000 } });
    expect(only(json, "aws_rds_cluster_parameter_group").parameter).toEqual([
      { name: "rds.force_ssl", value: "1", apply_method: "immediate" },
      { name: "max_connections", value: "500", apply_method: "pending-reboot" },
      { name: "shared_buffers", value: String(8192 * 128), apply_method: "pending-reboot" },
      { name: "work_mem", value: String(64 * 1024), apply_method: "immediate" },
      { name: "log_min_duration_statement", value: "1000", apply_method: "immediate" },
    ]);
  });
});

describe("Postgres validation (one failing input per rule)", () => {
  const cases: [string, Overrides, RegExp][] = [
    ["a version the catalog does not list (an old LTS)", { engineVersion: "13.9" }, /engineVersion: Aurora PostgreSQL 13\.9 is not in the version catalog \(constructs\/core\/versions\.ts\); allowed: 15\.10, 16\.8, 17\.7/],
    ["the former non-LTS default", { engineVersion: "16.6" }, /engineVersion: Aurora PostgreSQL 16\.6 is not in the version catalog/],
    ["version without minor", { engineVersion: "16" }, /engineVersion: Aurora PostgreSQL 16 is not in the version catalog/],
    ["an Aurora version on RDS", { engine: "postgres", instanceClass: "db.m6g.large", engineVersion: "16.8" }, /engineVersion: RDS for PostgreSQL 16\.8 is not in the version catalog .*allowed: 15\.15, 16\.11, 17\.7/],
    ["instance class the engine does not offer", { instanceClass: "db.m6g.large" }, /instanceClass: is not an instance class aurora-postgresql offers; allowed families: .*db\.r6g\.\*/],
    ["size a family does not have", { instanceClass: "db.t4g.micro" }, /instanceClass: db\.t4g has no size "micro" for aurora-postgresql/],
    ["too many readers", { readers: 16 }, /readers: readers must be an integer from 0 to 15 \(found 16\)/],
    ["invalid database name", { databaseName: "My-DB" }, /databaseName: must start with a lowercase letter/],
    ["reserved master user", { masterUsername: "rdsadmin" }, /masterUsername: .*not be reserved/],
    ["port out of range", { port: 80 }, /port: port must be an integer from 1150 to 65535/],
    ["RDS storage below the minimum", { engine: "postgres", instanceClass: "db.m6g.large", storage: { allocatedGb: 10, maxAllocatedGb: 100 } }, /storage\.allocatedGb: allocated storage \(GiB\) must be an integer from 20 to 65536/],
    ["RDS autoscaling ceiling not above allocation", { engine: "postgres", instanceClass: "db.m6g.large", storage: { allocatedGb: 100, maxAllocatedGb: 100 } }, /storage\.maxAllocatedGb: the storage autoscaling ceiling must be above allocatedGb/],
    ["backup retention out of range", { backup: { retentionDays: 36, window: "02:00-03:00" } }, /backup\.retentionDays: backup retention \(days\) must be an integer from 1 to 35/],
    ["malformed backup window", { backup: { retentionDays: 7, window: "2am" } }, /backup\.window: must be a daily UTC window hh:mm-hh:mm/],
    ["backup window too short", { backup: { retentionDays: 7, window: "02:00-02:15" } }, /backup\.window: must be at least 30 minutes long/],
    ["malformed maintenance window", { maintenanceWindow: "sunday 3am" }, /maintenanceWindow: must be a weekly UTC window/],
    ["backup window overlapping maintenance", { backup: { retentionDays: 7, window: "03:00-04:00" } }, /backup\.window: must not overlap the maintenance window/],
    ["Performance Insights retention not offered", { performanceInsightsRetentionDays: 30 }, /performanceInsightsRetentionDays: Performance Insights retention \(days\) must be one of 7, 31, 62/],
    ["monitoring interval not offered", { monitoringIntervalSeconds: 20 }, /monitoringIntervalSeconds: enhanced monitoring interval \(seconds\) must be one of 0, 1, 5, 10, 15, 30, 60/],
    ["non-positive tunable", { parameters: { maxConnections: 0 } }, /parameters\.maxConnections: max_connections must be an integer from 1 to 262143/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["0.0.0.0/0"] }, /"0\.0\.0\.0\/0" is a CIDR block; data services admit only security groups/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => postgres(overrides)).toThrow(message);
  });
});
