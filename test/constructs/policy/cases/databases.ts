import { DbInstance, type DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DocdbCluster, type DocdbClusterConfig } from "@cdktf/provider-aws/lib/docdb-cluster";
import { DocdbClusterParameterGroup } from "@cdktf/provider-aws/lib/docdb-cluster-parameter-group";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { RdsCluster, type RdsClusterConfig } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance, type RdsClusterInstanceConfig } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

/** A production-grade Aurora PostgreSQL cluster with two instances; `overrides` break one property. */
export function aurora(
  scope: Construct,
  overrides: Partial<RdsClusterConfig> = {},
  options: { instances?: number; forceSsl?: string; instance?: Partial<RdsClusterInstanceConfig> } = {},
): RdsCluster {
  const group = new RdsClusterParameterGroup(scope, "db-params", {
    family: "aurora-postgresql16",
    parameter: [{ name: "rds.force_ssl", value: options.forceSsl ?? "1" }],
  });
  const cluster = new RdsCluster(scope, "db", {
    clusterIdentifier: "acme-prod-db",
    engine: "aurora-postgresql",
    engineVersion: "16.4",
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    manageMasterUserPassword: true,
    masterUsername: "app",
    backupRetentionPeriod: 14,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "acme-prod-db-final",
    dbClusterParameterGroupName: group.name,
    enabledCloudwatchLogsExports: ["postgresql"],
    ...overrides,
  });
  for (let index = 0; index < (options.instances ?? 2); index += 1) {
    new RdsClusterInstance(scope, `db-${index}`, {
      clusterIdentifier: cluster.id,
      instanceClass: "db.r7g.large",
      engine: "aurora-postgresql",
      ...options.instance,
    });
  }
  return cluster;
}

export function rdsInstance(scope: Construct, overrides: Partial<DbInstanceConfig> = {}): DbInstance {
  const group = new DbParameterGroup(scope, "pg-params", { family: "postgres16", parameter: [{ name: "rds.force_ssl", value: "1" }] });
  return new DbInstance(scope, "pg", {
    identifier: "acme-prod-pg",
    engine: "postgres",
    instanceClass: "db.m7g.large",
    allocatedStorage: 100,
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    manageMasterUserPassword: true,
    username: "app",
    backupRetentionPeriod: 7,
    deletionProtection: true,
    finalSnapshotIdentifier: "acme-prod-pg-final",
    multiAz: true,
    parameterGroupName: group.name,
    enabledCloudwatchLogsExports: ["postgresql"],
    ...overrides,
  });
}

export function docdb(scope: Construct, overrides: Partial<DocdbClusterConfig> = {}, parameters: Record<string, string> = { tls: "enabled", audit_logs: "enabled" }): DocdbCluster {
  const group = new DocdbClusterParameterGroup(scope, "docdb-params", {
    family: "docdb5.0",
    parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
  });
  return new DocdbCluster(scope, "docdb", {
    clusterIdentifier: "acme-prod-docdb",
    engine: "docdb",
    masterUsername: "app",
    manageMasterUserPassword: true,
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "acme-prod-docdb-final",
    dbClusterParameterGroupName: group.name,
    enabledCloudwatchLogsExports: ["audit", "profiler"],
    ...overrides,
  });
}

function searchLogs(scope: Construct, types: string[]): OpensearchDomain {
  return new OpensearchDomain(scope, "search", {
    domainName: "acme-prod-search",
    logPublishingOptions: types.map((logType) => ({ logType, cloudwatchLogGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/acme/search" })),
  });
}

export const DATABASE_CASES: readonly RuleCase[] = [
  {
    rule: "RDS-ENCRYPTED",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { storageEncrypted: false }),
    expect: /storage_encrypted is false/,
  },
  {
    rule: "RDS-ENCRYPTED",
    name: "customer-managed key in production",
    compliant: (s) => rdsInstance(s),
    violating: (s) => rdsInstance(s, { kmsKeyId: undefined }),
    expect: /kms_key_id is not set/,
  },
  {
    rule: "RDS-NOT-PUBLIC",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, {}, { instance: { publiclyAccessible: true } }),
    expect: /publicly_accessible is true/,
  },
  {
    rule: "RDS-BACKUP-RETENTION",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { backupRetentionPeriod: 3 }),
    expect: /backup_retention_period is 3 days; at least 7 required in production/,
  },
  {
    rule: "RDS-BACKUP-RETENTION",
    name: "explicit everywhere",
    profile: "development",
    compliant: (s) => rdsInstance(s, { backupRetentionPeriod: 1 }),
    violating: (s) => rdsInstance(s, { backupRetentionPeriod: undefined }),
    expect: /backup_retention_period is not set explicitly/,
  },
  {
    rule: "RDS-DELETION-PROTECTION",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { deletionProtection: false }),
    expect: /deletion_protection is false/,
  },
  {
    rule: "RDS-FINAL-SNAPSHOT",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }),
    expect: /skip_final_snapshot is true/,
  },
  {
    rule: "RDS-MULTI-AZ",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, {}, { instances: 1 }),
    expect: /1 cluster instance\(s\); at least 2 required/,
  },
  {
    rule: "RDS-MULTI-AZ",
    name: "RDS instance",
    compliant: (s) => rdsInstance(s),
    violating: (s) => rdsInstance(s, { multiAz: false }),
    expect: /multi_az is false/,
  },
  {
    rule: "RDS-FORCE-SSL",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, {}, { forceSsl: "0" }),
    expect: /sets rds\.force_ssl to "0", not 1/,
  },
  {
    rule: "RDS-FORCE-SSL",
    name: "default parameter group",
    compliant: (s) => rdsInstance(s),
    violating: (s) => rdsInstance(s, { parameterGroupName: "default.postgres16" }),
    expect: /does not name a parameter group of this stack/,
  },
  {
    rule: "DB-MANAGED-SECRET",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { manageMasterUserPassword: undefined, masterPassword: "correct-horse-battery" }),
    expect: /master_password is a literal value in code/,
  },
  {
    rule: "DB-MANAGED-SECRET",
    name: "DocumentDB without managed password",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, { manageMasterUserPassword: false }),
    expect: /manage_master_user_password is not true/,
  },
  {
    rule: "DB-LOG-EXPORTS",
    compliant: (s) => aurora(s),
    violating: (s) => aurora(s, { enabledCloudwatchLogsExports: [] }),
    expect: /lacks "postgresql"/,
  },
  {
    rule: "DB-LOG-EXPORTS",
    name: "DocumentDB",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, { enabledCloudwatchLogsExports: ["audit"] }),
    expect: /lacks profiler/,
  },
  {
    rule: "DB-LOG-EXPORTS",
    name: "OpenSearch",
    compliant: (s) => searchLogs(s, ["AUDIT_LOGS", "ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS"]),
    violating: (s) => searchLogs(s, ["INDEX_SLOW_LOGS"]),
    expect: /lacks AUDIT_LOGS, ES_APPLICATION_LOGS/,
  },
  {
    rule: "DOCDB-ENCRYPTED",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, { storageEncrypted: false }),
    expect: /storage_encrypted is false/,
  },
  {
    rule: "DOCDB-BACKUP-RETENTION",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, { backupRetentionPeriod: 1 }),
    expect: /backup_retention_period is 1 days; at least 7 required in production/,
  },
  {
    rule: "DOCDB-TLS-AUDIT",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, {}, { tls: "disabled", audit_logs: "disabled" }),
    expect: [/disables tls/, /audit_logs to "disabled"/],
  },
  {
    rule: "DOCDB-DELETION-SNAPSHOT",
    compliant: (s) => docdb(s),
    violating: (s) => docdb(s, { deletionProtection: false, skipFinalSnapshot: true }),
    expect: [/deletion_protection is false/, /skip_final_snapshot is true/],
  },
];
