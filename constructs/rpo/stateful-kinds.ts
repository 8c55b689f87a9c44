/**
 * What the RPO check knows about each stateful Terraform resource type: its data class, whether AWS Backup can
 * protect it (and continuously), what point-in-time recovery or snapshots the service itself provides, and how
 * to restore it. Classified by type, so data services other constructs add are checked without a list of paths.
 */
import type { DataClass } from "../../config/schema/backup";

/** Age of the newest restorable point under point-in-time recovery (RDS/Aurora/DocumentDB/DynamoDB report ~5 min). */
export const PITR_RPO_MINUTES = 5;
/** AWS Backup continuous backup of S3 is event-driven; allow a conservative lag for the newest restorable point. */
export const S3_CONTINUOUS_RPO_MINUTES = 15;
/** ElastiCache / MemoryDB take one automatic snapshot a day (in `snapshot_window`). */
export const DAILY_SNAPSHOT_MINUTES = 1440;
/** OpenSearch Service takes automated snapshots every hour (engine 5.3 and later) and keeps them 14 days. */
export const OPENSEARCH_SNAPSHOT_MINUTES = 60;

export type Attributes = Readonly<Record<string, unknown>>;

/** A protection the service provides on its own (outside AWS Backup). */
export interface NativeProtection {
  readonly minutes: number;
  /** What provides it, for messages and the runbook. */
  readonly how: string;
  /**
   * True when the native mechanism is point-in-time recovery, which counts only when the plan asks for it
   * (`continuous.enabled`); false for snapshots of services AWS Backup cannot protect, which always count.
   */
  readonly pointInTime: boolean;
}

export interface StatefulKind {
  readonly label: string;
  readonly dataClass: DataClass;
  /** AWS Backup can back it up, so it must be selected by a plan. */
  readonly awsBackup: boolean;
  /** Newest-point age under AWS Backup continuous backup, when AWS Backup supports continuous backup for it. */
  readonly continuousMinutes?: number;
  /** The service's own protection, given the resource's attributes. */
  native?(attributes: Attributes): NativeProtection | undefined;
  /** Physical name of the resource (when it is a literal). */
  identifier(attributes: Attributes): string | undefined;
  /** Restore procedure (markdown) for the runbook. */
  restore(name: string): string;
  /** When set, the type is intentionally not backed up (the runbook says why) and never fails the check. */
  readonly notBackedUp?: string;
}

function numberAttribute(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  return typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
}

function literal(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

function firstBlock(value: unknown): Attributes | undefined {
  const block = Array.isArray(value) ? value[0] : value;
  return block !== null && typeof block === "object" ? (block as Attributes) : undefined;
}

/** Automated backups of RDS-family engines cannot be switched off below 1 day (Aurora, DocumentDB) — the service default is 1. */
function rdsFamilyPitr(engine: string) {
  return (attributes: Attributes): NativeProtection | undefined => {
    const retention = numberAttribute(attributes, "backup_retention_period") ?? 1;
    return retention >= 1 ? { minutes: PITR_RPO_MINUTES, how: `${engine} point-in-time recovery (automated backups kept ${retention} days)`, pointInTime: true } : undefined;
  };
}

function snapshotRetention(service: string) {
  return (attributes: Attributes): NativeProtection | undefined => {
    const retention = numberAttribute(attributes, "snapshot_retention_limit") ?? 0;
    return retention >= 1
      ? { minutes: DAILY_SNAPSHOT_MINUTES, how: `${service} daily automatic snapshot (kept ${retention} days)`, pointInTime: false }
      : undefined;
  };
}

const AWS_BACKUP_RESTORE = (name: string, metadata: string) =>
  [
    `1. Pick the recovery point: \`aws backup list-recovery-points-by-resource --resource-arn <ARN of ${name}>\` (or the DR vault's copy: add \`--region <DR region>\` to \`list-recovery-points-by-backup-vault\`).`,
    `2. Restore to a new resource: \`aws backup start-restore-job --recovery-point-arn <recovery point ARN> --iam-role-arn <backup role ARN> --metadata '${metadata}'\`, then \`aws backup describe-restore-job --restore-job-id <id>\` until COMPLETED.`,
  ].join("\n");

export const STATEFUL_KINDS: Readonly<Record<string, StatefulKind>> = {
  aws_rds_cluster: {
    label: "Aurora cluster",
    dataClass: "database",
    awsBackup: true,
    continuousMinutes: PITR_RPO_MINUTES,
    identifier: (attributes) => literal(attributes, "cluster_identifier"),
    restore: (name) =>
      [
        `Point in time (newest data): \`aws rds restore-db-cluster-to-point-in-time --source-db-cluster-identifier ${name} --db-cluster-identifier ${name}-restored --use-latest-restorable-time\` (or \`--restore-to-time <UTC>\`), then \`aws rds create-db-instance --db-cluster-identifier ${name}-restored --db-instance-identifier ${name}-restored-1 --engine aurora-postgresql --db-instance-class <class>\`.`,
        AWS_BACKUP_RESTORE(name, `{"DBClusterIdentifier":"${name}-restored","DBSubnetGroupName":"<data subnet group>"}`),
        `3. Point the service's connection parameter at the restored cluster (or rename it into place), then run the application's smoke tests.`,
      ].join("\n"),
  },
  aws_db_instance: {
    label: "RDS instance",
    dataClass: "database",
    awsBackup: true,
    continuousMinutes: PITR_RPO_MINUTES,
    identifier: (attributes) => literal(attributes, "identifier"),
    restore: (name) =>
      [
        `Point in time: \`aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier ${name} --target-db-instance-identifier ${name}-restored --use-latest-restorable-time\`.`,
        AWS_BACKUP_RESTORE(name, `{"DBInstanceIdentifier":"${name}-restored","DBSubnetGroupName":"<data subnet group>"}`),
      ].join("\n"),
  },
  aws_docdb_cluster: {
    label: "DocumentDB cluster",
    dataClass: "database",
    awsBackup: true,
    native: rdsFamilyPitr("DocumentDB"),
    identifier: (attributes) => literal(attributes, "cluster_identifier"),
    restore: (name) =>
      [
        `Point in time: \`aws docdb restore-db-cluster-to-point-in-time --source-db-cluster-identifier ${name} --db-cluster-identifier ${name}-restored --use-latest-restorable-time\`, then add instances with \`aws docdb create-db-instance --db-cluster-identifier ${name}-restored ...\`.`,
        AWS_BACKUP_RESTORE(name, `{"DBClusterIdentifier":"${name}-restored"}`),
      ].join("\n"),
  },
  aws_neptune_cluster: {
    label: "Neptune cluster",
    dataClass: "database",
    awsBackup: true,
    native: rdsFamilyPitr("Neptune"),
    identifier: (attributes) => literal(attributes, "cluster_identifier"),
    restore: (name) => `\`aws neptune restore-db-cluster-to-point-in-time --source-db-cluster-identifier ${name} --db-cluster-identifier ${name}-restored --use-latest-restorable-time\`.`,
  },
  aws_dynamodb_table: {
    label: "DynamoDB table",
    dataClass: "database",
    awsBackup: true,
    native: (attributes) =>
      firstBlock(attributes.point_in_time_recovery)?.enabled === true
        ? { minutes: PITR_RPO_MINUTES, how: "DynamoDB point-in-time recovery", pointInTime: true }
        : undefined,
    identifier: (attributes) => literal(attributes, "name"),
    restore: (name) => `\`aws dynamodb restore-table-to-point-in-time --source-table-name ${name} --target-table-name ${name}-restored --use-latest-restorable-time\`.`,
  },
  aws_s3_bucket: {
    label: "S3 bucket",
    dataClass: "object",
    awsBackup: true,
    continuousMinutes: S3_CONTINUOUS_RPO_MINUTES,
    identifier: (attributes) => literal(attributes, "bucket"),
    restore: (name) =>
      [
        `Single objects: restore a previous version (\`aws s3api list-object-versions --bucket ${name} --prefix <key>\`, then \`aws s3api copy-object\` from the version id).`,
        AWS_BACKUP_RESTORE(name, `{"DestinationBucketName":"${name}-restored","NewBucket":"true","Encrypted":"true","EncryptionType":"SSE-KMS","KMSKey":"<data key ARN>"}`),
      ].join("\n"),
  },
  aws_efs_file_system: {
    label: "EFS file system",
    dataClass: "file",
    awsBackup: true,
    identifier: (attributes) => literal(attributes, "creation_token"),
    restore: (name) => AWS_BACKUP_RESTORE(name, `{"newFileSystem":"true","Encrypted":"true","KmsKeyId":"<data key ARN>","PerformanceMode":"generalPurpose","CreationToken":"${name}-restored"}`),
  },
  aws_ebs_volume: {
    label: "EBS volume",
    dataClass: "file",
    awsBackup: true,
    identifier: () => undefined,
    restore: (name) => AWS_BACKUP_RESTORE(name, `{"availabilityZone":"<zone>","encrypted":"true","kmsKeyId":"<data key ARN>"}`),
  },
  aws_elasticache_replication_group: {
    label: "ElastiCache replication group",
    dataClass: "cache",
    awsBackup: false,
    native: snapshotRetention("ElastiCache"),
    identifier: (attributes) => literal(attributes, "replication_group_id"),
    restore: (name) =>
      `Cache data is derived: an empty cache refills from the system of record. To keep it: \`aws elasticache describe-snapshots --replication-group-id ${name} --snapshot-source automated\`, then \`aws elasticache create-replication-group --replication-group-id ${name}-restored --snapshot-name <snapshot> --replication-group-description restored\` with the original settings (subnet group, security group, KMS key, TLS, user group).`,
  },
  aws_elasticache_cluster: {
    label: "ElastiCache cluster",
    dataClass: "cache",
    awsBackup: false,
    native: snapshotRetention("ElastiCache"),
    identifier: (attributes) => literal(attributes, "cluster_id"),
    restore: (name) => `\`aws elasticache create-cache-cluster --cache-cluster-id ${name}-restored --snapshot-name <automated snapshot>\` with the original settings.`,
  },
  aws_elasticache_serverless_cache: {
    label: "ElastiCache serverless cache",
    dataClass: "cache",
    awsBackup: false,
    native: snapshotRetention("ElastiCache Serverless"),
    identifier: (attributes) => literal(attributes, "name"),
    restore: (name) => `\`aws elasticache create-serverless-cache --serverless-cache-name ${name}-restored --snapshot-arns-to-restore <snapshot ARN>\` with the original settings.`,
  },
  aws_memorydb_cluster: {
    label: "MemoryDB cluster",
    dataClass: "database",
    awsBackup: false,
    native: snapshotRetention("MemoryDB"),
    identifier: (attributes) => literal(attributes, "name"),
    restore: (name) => `\`aws memorydb create-cluster --cluster-name ${name}-restored --snapshot-name <snapshot>\` with the original settings.`,
  },
  aws_opensearch_domain: {
    label: "OpenSearch domain",
    dataClass: "search",
    awsBackup: false,
    native: () => ({ minutes: OPENSEARCH_SNAPSHOT_MINUTES, how: "OpenSearch Service hourly automated snapshots (kept 14 days)", pointInTime: false }),
    identifier: (attributes) => literal(attributes, "domain_name"),
    restore: (name) =>
      [
        `Indexes are derived data: re-index from the system of record, or restore the hourly automated snapshot into the domain:`,
        `\`GET _snapshot/cs-automated-enc/_all\` on ${name}, close or delete the affected indexes, then \`POST _snapshot/cs-automated-enc/<snapshot>/_restore {"indices":"<pattern>"}\` (signed requests with the domain's master role).`,
      ].join("\n"),
  },
  aws_mq_broker: {
    label: "Amazon MQ broker",
    dataClass: "database",
    awsBackup: false,
    identifier: (attributes) => literal(attributes, "broker_name"),
    notBackedUp: "messages are transient and queues, users and policies are recreated from configuration; Amazon MQ has no backup facility",
    restore: (name) => `Recreate ${name} from configuration (\`cdktf deploy\` of the stack); producers retry and re-publish in-flight messages.`,
  },
};

export function statefulKind(type: string): StatefulKind | undefined {
  return Object.hasOwn(STATEFUL_KINDS, type) ? STATEFUL_KINDS[type] : undefined;
}
