/**
 * A PostgreSQL database: Aurora PostgreSQL (default) or RDS PostgreSQL, in the data tier, reachable only from the
 * security groups passed in.
 *
 * - Aurora: one writer plus `readers` instances spread over the data-tier availability zones; RDS: a primary
 *   (Multi-AZ standby when configured) plus `readers` read replicas, with storage autoscaling.
 * - Encryption at rest with the data key; the master password is generated and rotated by RDS in Secrets Manager
 *   (`manage_master_user_password`, encrypted with the data key) and never appears in configuration, synthesized
 *   JSON or Terraform state.
 * - A (cluster) parameter group forcing TLS (`rds.force_ssl = 1`) with tunables from configuration; the group's
 *   name carries the major version so an upgrade swaps groups instead of editing one in use.
 * - Backups with point-in-time recovery for `backup.retentionDays`, Performance Insights (data key), enhanced
 *   monitoring, the `postgresql` log exported to a log group created beforehand (retention, logs key).
 * - Protected environments: deletion protection, a final snapshot, `prevent_destroy`, automated backups kept.
 * - Publishes its ServiceConnection (writer/reader endpoints, port, TLS, master secret ARN, and the resource id
 *   `rds-db:connect` grants are scoped to) as an SSM parameter.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { partitionOf, servicePrincipal } from "../core/aws";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import { validateName } from "../core/naming";
import { pickDefined, publishConnection, serviceLogGroup, ServiceSecurityGroup, type DataServiceProps, type PublishedConnection } from "../data-access";
import { throwIfProblems } from "../data-access/problems";
import {
  defaultDatabaseName,
  postgresHighAvailabilityProblems,
  postgresMajor,
  postgresParameterFamily,
  postgresProblems,
  type PostgresEngine,
  type PostgresParameters,
  type PostgresSettings,
} from "./rules";

export * from "./rules";

/** Settings used where props give none. Environments take theirs from the profile defaults (config/defaults.ts). */
export const POSTGRES_DEFAULTS = {
  engine: "aurora-postgresql",
  readers: 1,
  masterUsername: "platform_admin",
  port: 5432,
  storage: { allocatedGb: 100, maxAllocatedGb: 1000 },
  multiAz: true,
  backup: { retentionDays: 14, window: "02:00-03:00" },
  maintenanceWindow: "sun:03:30-sun:04:30",
  iamAuthentication: true,
  performanceInsightsRetentionDays: 7,
  monitoringIntervalSeconds: 60,
  parameters: {},
} as const satisfies Omit<PostgresSettings, "engineVersion" | "instanceClass">;

const POSTGRES_OPTIONAL_KEYS = [
  "readers", "databaseName", "masterUsername", "port", "storage", "multiAz", "backup", "maintenanceWindow",
  "iamAuthentication", "performanceInsightsRetentionDays", "monitoringIntervalSeconds", "parameters",
] as const;

/** Certificate authority of the server certificate clients verify. */
export const RDS_CA_CERTIFICATE = "rds-ca-rsa2048-g1";
/** Log types exported to CloudWatch Logs. */
export const POSTGRES_LOG_EXPORTS = ["postgresql"] as const;
/** RDS gp3 storage. */
export const RDS_STORAGE_TYPE = "gp3";

export interface PostgresProps extends DataServiceProps {
  /** Exact engine version `<major>.<minor>`, major 14 to 17 (pinned: minor upgrades are a config change). */
  readonly engineVersion: string;
  /** Instance class; must exist for the engine (see POSTGRES_INSTANCE_CLASSES). */
  readonly instanceClass: string;
  /**
   * Aurora PostgreSQL or RDS PostgreSQL.
   * @default "aurora-postgresql"
   */
  readonly engine?: PostgresEngine;
  /**
   * Aurora reader instances (or RDS read replicas), placed in the zones after the writer's.
   * @default 1 — a reader in a second zone to fail over to
   */
  readonly readers?: number;
  /**
   * Database created with the cluster.
   * @default the service name with '-' replaced by '_'
   */
  readonly databaseName?: string;
  /**
   * Master user name (its password is managed by RDS in Secrets Manager).
   * @default "platform_admin"
   */
  readonly masterUsername?: string;
  /**
   * Port clients connect to.
   * @default 5432
   */
  readonly port?: number;
  /**
   * RDS only: allocated storage and the autoscaling ceiling in GiB.
   * @default { allocatedGb: 100, maxAllocatedGb: 1000 }
   */
  readonly storage?: PostgresSettings["storage"];
  /**
   * RDS only: a synchronous standby in another zone.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Automated backup retention (point-in-time recovery) and the daily UTC backup window.
   * @default { retentionDays: 14, window: "02:00-03:00" }
   */
  readonly backup?: PostgresSettings["backup"];
  /**
   * Weekly UTC maintenance window.
   * @default "sun:03:30-sun:04:30"
   */
  readonly maintenanceWindow?: string;
  /**
   * Allow IAM database authentication (tokens instead of passwords) in addition to the managed password. Product
   * instances connect only this way, each as its own user (constructs/database-user); the master password is for
   * the bootstrap Jobs alone.
   * @default true
   */
  readonly iamAuthentication?: boolean;
  /**
   * Performance Insights retention in days (always on, encrypted with the data key).
   * @default 7 (the free tier)
   */
  readonly performanceInsightsRetentionDays?: number;
  /**
   * Enhanced monitoring interval in seconds; 0 turns it off.
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;
  /**
   * Parameter group tunables; absent keys keep the engine's defaults.
   * @default {} (only rds.force_ssl is set)
   */
  readonly parameters?: PostgresParameters;
}

interface ParameterSpec {
  readonly name: string;
  readonly value: string;
  readonly applyMethod: "immediate" | "pending-reboot";
}

/** 8 KiB pages per MiB (shared_buffers and effective_cache_size are set in pages). */
const PAGES_PER_MIB = 128;
const KIB_PER_MIB = 1024;

/** The parameter group entries: TLS always forced, then the configured tunables in their engine units. */
export function postgresParameterEntries(parameters: PostgresParameters): ParameterSpec[] {
  const entries: ParameterSpec[] = [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }];
  const add = (name: string, value: number | undefined, applyMethod: ParameterSpec["applyMethod"], factor = 1) => {
    if (value !== undefined) entries.push({ name, value: String(value * factor), applyMethod });
  };
  add("max_connections", parameters.maxConnections, "pending-reboot");
  add("shared_buffers", parameters.sharedBuffersMb, "pending-reboot", PAGES_PER_MIB);
  add("effective_cache_size", parameters.effectiveCacheSizeMb, "immediate", PAGES_PER_MIB);
  add("work_mem", parameters.workMemMb, "immediate", KIB_PER_MIB);
  add("maintenance_work_mem", parameters.maintenanceWorkMemMb, "immediate", KIB_PER_MIB);
  add("log_min_duration_statement", parameters.logMinDurationStatementMs, "immediate");
  return entries;
}

export class Postgres extends Construct {
  readonly settings: PostgresSettings;
  readonly securityGroup: ServiceSecurityGroup;
  /** The Aurora cluster (engine "aurora-postgresql"). */
  readonly cluster?: RdsCluster;
  readonly clusterInstances: readonly RdsClusterInstance[] = [];
  /** The RDS primary (engine "postgres"). */
  readonly primary?: DbInstance;
  readonly replicas: readonly DbInstance[] = [];
  /** ARN of the Secrets Manager secret RDS manages for the master user. */
  readonly secretArn: string;
  readonly connection: PublishedConnection;
  readonly connectionParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const settings: PostgresSettings = {
      ...POSTGRES_DEFAULTS,
      ...pickDefined(props, POSTGRES_OPTIONAL_KEYS),
      engine: props.engine ?? POSTGRES_DEFAULTS.engine,
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
    };
    const highAvailability = props.highAvailability ?? true;
    throwIfProblems(`Postgres ${props.name}`, [
      ...postgresProblems(settings),
      ...(highAvailability ? postgresHighAvailabilityProblems(settings) : []),
    ]);
    this.settings = settings;
    const { naming, name } = props;
    const protect = props.protectState ?? true;
    const tags = backupTag(props.backupPlan ?? DEFAULT_BACKUP_PLAN);
    const identifier = naming.name("db-cluster", "pg", name);
    const major = postgresMajor(settings.engineVersion) as number;
    const databaseName = settings.databaseName ?? defaultDatabaseName(name);

    this.securityGroup = new ServiceSecurityGroup(this, "security-group", {
      naming,
      vpcId: props.dataTier.vpcId,
      component: `pg-${name}`,
      description: `PostgreSQL ${name}: port ${settings.port} from workload security groups only`,
      ports: [settings.port],
      sources: props.allowedSecurityGroupIds,
    });

    const monitoringRoleArn = settings.monitoringIntervalSeconds > 0 ? this.monitoringRole(props).arn : undefined;
    const monitoring = {
      monitoringInterval: settings.monitoringIntervalSeconds,
      ...(monitoringRoleArn ? { monitoringRoleArn } : {}),
    };
    const insights = {
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.encryptionKey.arn,
      performanceInsightsRetentionPeriod: settings.performanceInsightsRetentionDays,
    };
    const protection = {
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      ...(protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
    };
    const parameterGroupName = naming.name("db-parameter-group", "pg", name, `v${major}`);
    const family = postgresParameterFamily(settings.engine, settings.engineVersion);
    const parameter = postgresParameterEntries(settings.parameters);
    const zones = props.dataTier.availabilityZones;

    if (settings.engine === "aurora-postgresql") {
      const parameterGroup = new RdsClusterParameterGroup(this, "parameter-group", {
        name: parameterGroupName,
        family,
        description: `${identifier}: TLS required, tunables from configuration`,
        parameter,
        lifecycle: { createBeforeDestroy: true },
      });
      const logGroups = POSTGRES_LOG_EXPORTS.map((type) =>
        serviceLogGroup(this, `log-group-${type}`, validateName("log-group", `/aws/rds/cluster/${identifier}/${type}`), props.logging),
      );
      const cluster = new RdsCluster(this, "cluster", {
        clusterIdentifier: identifier,
        engine: settings.engine,
        engineVersion: settings.engineVersion,
        // Only a changed engineVersion in configuration upgrades the major version; AWS never does it on its own.
        allowMajorVersionUpgrade: true,
        databaseName,
        masterUsername: settings.masterUsername,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: props.encryptionKey.arn,
        port: settings.port,
        storageEncrypted: true,
        kmsKeyId: props.encryptionKey.arn,
        dbSubnetGroupName: props.dataTier.dbSubnetGroupName,
        vpcSecurityGroupIds: [this.securityGroup.groupId],
        dbClusterParameterGroupName: parameterGroup.name,
        backupRetentionPeriod: settings.backup.retentionDays,
        preferredBackupWindow: settings.backup.window,
        preferredMaintenanceWindow: settings.maintenanceWindow,
        copyTagsToSnapshot: true,
        deleteAutomatedBackups: !protect,
        enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS],
        iamDatabaseAuthenticationEnabled: settings.iamAuthentication,
        ...protection,
        tags,
        lifecycle: { preventDestroy: protect },
        dependsOn: logGroups as ITerraformDependable[],
      });
      this.cluster = cluster;
      // Instance 0 is created first and becomes the writer; readers follow in the next zones.
      this.clusterInstances = Array.from({ length: settings.readers + 1 }, (_, index) =>
        new RdsClusterInstance(this, `instance-${index}`, {
          identifier: naming.name("db-instance", "pg", name, String(index + 1)),
          clusterIdentifier: cluster.id,
          engine: settings.engine,
          engineVersion: settings.engineVersion,
          instanceClass: settings.instanceClass,
          dbSubnetGroupName: props.dataTier.dbSubnetGroupName,
          ...(zones.length > 0 ? { availabilityZone: zones[index % zones.length] } : {}),
          publiclyAccessible: false,
          autoMinorVersionUpgrade: false,
          caCertIdentifier: RDS_CA_CERTIFICATE,
          preferredMaintenanceWindow: settings.maintenanceWindow,
          promotionTier: index === 0 ? 0 : 1,
          copyTagsToSnapshot: true,
          ...monitoring,
          ...insights,
        }),
      );
      this.secretArn = cluster.masterUserSecret.get(0).secretArn;
      this.connection = {
        kind: "postgres",
        name,
        host: cluster.endpoint,
        readerHost: cluster.readerEndpoint,
        port: settings.port,
        tls: true,
        database: databaseName,
        secretArn: this.secretArn,
        iamAuth: settings.iamAuthentication,
        resourceId: cluster.clusterResourceId,
      };
    } else {
      const parameterGroup = new DbParameterGroup(this, "parameter-group", {
        name: parameterGroupName,
        family,
        description: `${identifier}: TLS required, tunables from configuration`,
        parameter,
        lifecycle: { createBeforeDestroy: true },
      });
      const primaryId = naming.name("db-instance", "pg", name);
      const logGroupsOf = (instanceId: string, key: string) =>
        [...POSTGRES_LOG_EXPORTS, "upgrade"].map((type) =>
          serviceLogGroup(this, `log-group-${key}-${type}`, validateName("log-group", `/aws/rds/instance/${instanceId}/${type}`), props.logging),
        );
      const common = {
        instanceClass: settings.instanceClass,
        storageType: RDS_STORAGE_TYPE,
        storageEncrypted: true,
        kmsKeyId: props.encryptionKey.arn,
        vpcSecurityGroupIds: [this.securityGroup.groupId],
        parameterGroupName: parameterGroup.name,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: false,
        caCertIdentifier: RDS_CA_CERTIFICATE,
        maintenanceWindow: settings.maintenanceWindow,
        copyTagsToSnapshot: true,
        enabledCloudwatchLogsExports: [...POSTGRES_LOG_EXPORTS, "upgrade"],
        iamDatabaseAuthenticationEnabled: settings.iamAuthentication,
        port: settings.port,
        ...monitoring,
        ...insights,
      };
      const primary = new DbInstance(this, "primary", {
        ...common,
        identifier: primaryId,
        engine: settings.engine,
        engineVersion: settings.engineVersion,
        allowMajorVersionUpgrade: true,
        dbName: databaseName,
        username: settings.masterUsername,
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: props.encryptionKey.arn,
        allocatedStorage: settings.storage.allocatedGb,
        maxAllocatedStorage: settings.storage.maxAllocatedGb,
        multiAz: settings.multiAz,
        dbSubnetGroupName: props.dataTier.dbSubnetGroupName,
        backupRetentionPeriod: settings.backup.retentionDays,
        backupWindow: settings.backup.window,
        deleteAutomatedBackups: !protect,
        deletionProtection: protect,
        skipFinalSnapshot: !protect,
        ...(protect ? { finalSnapshotIdentifier: `${primaryId}-final` } : {}),
        tags,
        lifecycle: { preventDestroy: protect },
        dependsOn: logGroupsOf(primaryId, "primary") as ITerraformDependable[],
      });
      this.primary = primary;
      this.replicas = Array.from({ length: settings.readers }, (_, index) => {
        const replicaId = naming.name("db-instance", "pg", name, `replica-${index + 1}`);
        return new DbInstance(this, `replica-${index}`, {
          ...common,
          identifier: replicaId,
          replicateSourceDb: primary.identifier,
          ...(zones.length > 0 ? { availabilityZone: zones[(index + 1) % zones.length] } : {}),
          // Replicas restore from the primary's backups; deleting one loses nothing, so no final snapshot.
          skipFinalSnapshot: true,
          deletionProtection: protect,
          dependsOn: logGroupsOf(replicaId, `replica-${index}`) as ITerraformDependable[],
        });
      });
      this.secretArn = primary.masterUserSecret.get(0).secretArn;
      const firstReplica = this.replicas[0];
      this.connection = {
        kind: "postgres",
        name,
        host: primary.address,
        ...(firstReplica ? { readerHost: firstReplica.address } : {}),
        port: settings.port,
        tls: true,
        database: databaseName,
        secretArn: this.secretArn,
        iamAuth: settings.iamAuthentication,
        resourceId: primary.resourceId,
      };
    }
    this.connectionParameter = publishConnection(this, "connection", naming, this.connection);
  }

  private monitoringRole(props: PostgresProps): IamRole {
    const trust = new DataAwsIamPolicyDocument(this, "monitoring-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("monitoring.rds")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.accountId] }],
        },
      ],
    });
    const role = new IamRole(this, "monitoring-role", {
      name: props.naming.name("iam-role", "pg", props.name, "monitoring"),
      description: `Enhanced monitoring of PostgreSQL ${props.name}`,
      assumeRolePolicy: trust.json,
    });
    new IamRolePolicyAttachment(this, "monitoring-policy", {
      role: role.name,
      policyArn: `arn:${partitionOf(props.account.region)}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    return role;
  }
}
