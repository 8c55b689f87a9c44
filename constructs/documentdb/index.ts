/**
 * A MongoDB-compatible database: an Amazon DocumentDB cluster in the data tier, reachable only from the security
 * groups passed in.
 *
 * - `instances` instances spread over the data-tier zones (production: at least 3), engine version pinned.
 * - Storage encrypted with the data key; the master password is generated and rotated by DocumentDB in Secrets
 *   Manager (`manage_master_user_password`), never in configuration, synthesized JSON or Terraform state. Known
 *   limit: the AWS provider has no argument for the key of that managed secret, so DocumentDB encrypts it with
 *   the account's `aws/secretsmanager` key (RDS and Aurora use the data key).
 * - A cluster parameter group with TLS required, audit logs and the profiler on; `audit` and `profiler` logs are
 *   exported to log groups created beforehand (retention, logs key).
 * - Backups for `backup.retentionDays`; deletion protection, a final snapshot and `prevent_destroy` in protected
 *   environments. Performance Insights on every instance (data key).
 * - Publishes its ServiceConnection (endpoints, port, TLS, secret ARN) as an SSM parameter.
 */
import { DocdbCluster } from "@cdktf/provider-aws/lib/docdb-cluster";
import { DocdbClusterInstance } from "@cdktf/provider-aws/lib/docdb-cluster-instance";
import { DocdbClusterParameterGroup } from "@cdktf/provider-aws/lib/docdb-cluster-parameter-group";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import { validateName } from "../core/naming";
import { pickDefined, publishConnection, serviceLogGroup, ServiceSecurityGroup, type DataServiceProps, type PublishedConnection } from "../data-access";
import { throwIfProblems } from "../data-access/problems";
import { DOCUMENTDB_ENGINE_VERSIONS, documentDbHighAvailabilityProblems, documentDbProblems, type DocumentDbSettings } from "./rules";
import { defaultVersion } from "../core/versions";

export * from "./rules";

export const DOCUMENTDB_DEFAULTS = {
  // The version catalog's default (constructs/core/versions.ts).
  engineVersion: defaultVersion("documentdb"),
  instances: 3,
  masterUsername: "platformadmin",
  port: 27017,
  backup: { retentionDays: 14, window: "02:00-03:00" },
  maintenanceWindow: "sun:03:30-sun:04:30",
  profilerThresholdMs: 100,
} as const satisfies Omit<DocumentDbSettings, "instanceClass">;

const DOCUMENTDB_OPTIONAL_KEYS = ["engineVersion", "instances", "masterUsername", "port", "backup", "maintenanceWindow", "profilerThresholdMs"] as const;

/** Log types exported to CloudWatch Logs. */
export const DOCUMENTDB_LOG_EXPORTS = ["audit", "profiler"] as const;
/** Certificate authority of the server certificate clients verify. */
export const DOCUMENTDB_CA_CERTIFICATE = "rds-ca-rsa2048-g1";

export interface DocumentDbProps extends DataServiceProps {
  readonly instanceClass: string;
  /**
   * Engine version (pinned).
   * @default the version catalog's default for documentdb ("5.0.0", constructs/core/versions.ts)
   */
  readonly engineVersion?: string;
  /**
   * Instances (primary plus replicas), spread over the data-tier zones.
   * @default 3 — one per zone
   */
  readonly instances?: number;
  /**
   * Master user name (its password is managed by DocumentDB in Secrets Manager).
   * @default "platformadmin"
   */
  readonly masterUsername?: string;
  /**
   * Port clients connect to.
   * @default 27017
   */
  readonly port?: number;
  /**
   * Backup retention and the daily UTC backup window.
   * @default { retentionDays: 14, window: "02:00-03:00" }
   */
  readonly backup?: DocumentDbSettings["backup"];
  /**
   * Weekly UTC maintenance window.
   * @default "sun:03:30-sun:04:30"
   */
  readonly maintenanceWindow?: string;
  /**
   * Operations slower than this many milliseconds go to the profiler log.
   * @default 100
   */
  readonly profilerThresholdMs?: number;
}

export class DocumentDb extends Construct {
  readonly settings: DocumentDbSettings;
  readonly securityGroup: ServiceSecurityGroup;
  readonly cluster: DocdbCluster;
  readonly instances: readonly DocdbClusterInstance[];
  readonly secretArn: string;
  readonly connection: PublishedConnection;
  readonly connectionParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: DocumentDbProps) {
    super(scope, id);
    const settings: DocumentDbSettings = { ...DOCUMENTDB_DEFAULTS, ...pickDefined(props, DOCUMENTDB_OPTIONAL_KEYS), instanceClass: props.instanceClass };
    const highAvailability = props.highAvailability ?? true;
    throwIfProblems(`DocumentDb ${props.name}`, [
      ...documentDbProblems(settings),
      ...(highAvailability ? documentDbHighAvailabilityProblems(settings) : []),
    ]);
    this.settings = settings;
    const { naming, name } = props;
    const protect = props.protectState ?? true;
    const identifier = naming.name("db-cluster", "docdb", name);
    const family = DOCUMENTDB_ENGINE_VERSIONS[settings.engineVersion] as string;

    this.securityGroup = new ServiceSecurityGroup(this, "security-group", {
      naming,
      vpcId: props.dataTier.vpcId,
      component: `docdb-${name}`,
      description: `DocumentDB ${name}: port ${settings.port} from workload security groups only`,
      ports: [settings.port],
      sources: props.allowedSecurityGroupIds,
    });

    const parameterGroup = new DocdbClusterParameterGroup(this, "parameter-group", {
      name: naming.name("db-parameter-group", "docdb", name, family.replace(".", "-")),
      family,
      description: `${identifier}: TLS required, audit logs and profiler on`,
      parameter: [
        { name: "tls", value: "enabled", applyMethod: "pending-reboot" },
        { name: "audit_logs", value: "enabled", applyMethod: "immediate" },
        { name: "profiler", value: "enabled", applyMethod: "immediate" },
        { name: "profiler_threshold_ms", value: String(settings.profilerThresholdMs), applyMethod: "immediate" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    const logGroups = DOCUMENTDB_LOG_EXPORTS.map((type) =>
      serviceLogGroup(this, `log-group-${type}`, validateName("log-group", `/aws/docdb/${identifier}/${type}`), props.logging),
    );
    this.cluster = new DocdbCluster(this, "cluster", {
      clusterIdentifier: identifier,
      engine: "docdb",
      engineVersion: settings.engineVersion,
      allowMajorVersionUpgrade: true,
      masterUsername: settings.masterUsername,
      manageMasterUserPassword: true,
      port: settings.port,
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.arn,
      dbSubnetGroupName: props.dataTier.dbSubnetGroupName,
      vpcSecurityGroupIds: [this.securityGroup.groupId],
      dbClusterParameterGroupName: parameterGroup.name,
      backupRetentionPeriod: settings.backup.retentionDays,
      preferredBackupWindow: settings.backup.window,
      preferredMaintenanceWindow: settings.maintenanceWindow,
      enabledCloudwatchLogsExports: [...DOCUMENTDB_LOG_EXPORTS],
      deletionProtection: protect,
      skipFinalSnapshot: !protect,
      ...(protect ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
      tags: backupTag(props.backupPlan ?? DEFAULT_BACKUP_PLAN),
      lifecycle: { preventDestroy: protect },
      dependsOn: logGroups as ITerraformDependable[],
    });
    const cluster = this.cluster;
    const zones = props.dataTier.availabilityZones;
    this.instances = Array.from({ length: settings.instances }, (_, index) =>
      new DocdbClusterInstance(this, `instance-${index}`, {
        identifier: naming.name("db-instance", "docdb", name, String(index + 1)),
        clusterIdentifier: cluster.id,
        instanceClass: settings.instanceClass,
        ...(zones.length > 0 ? { availabilityZone: zones[index % zones.length] } : {}),
        autoMinorVersionUpgrade: true,
        caCertIdentifier: DOCUMENTDB_CA_CERTIFICATE,
        preferredMaintenanceWindow: settings.maintenanceWindow,
        promotionTier: index === 0 ? 0 : 1,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: props.encryptionKey.arn,
      }),
    );
    this.secretArn = cluster.masterUserSecret.get(0).secretArn;
    this.connection = {
      kind: "mongodb",
      name,
      host: cluster.endpoint,
      readerHost: cluster.readerEndpoint,
      port: settings.port,
      tls: true,
      secretArn: this.secretArn,
    };
    this.connectionParameter = publishConnection(this, "connection", naming, this.connection);
  }
}
