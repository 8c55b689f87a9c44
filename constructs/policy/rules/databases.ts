/**
 * Relational and document database rules: Aurora / RDS and DocumentDB.
 */
import { type Block, blocks, describe, isExpression, isFalse, isSet, isTrue, numberOf, type StackModel, strings } from "../model";
import type { Rule } from "../types";
import { each, engineOf, isMysql, isPostgres, isReplica, parameterGroupOf, parameters, problems } from "./support";

/** Backup retention below which production databases fail (days). Ours, per the reference list. */
export const PROD_MIN_BACKUP_RETENTION_DAYS = 7;
export const MIN_BACKUP_RETENTION_DAYS = 1;

const RDS_TYPES = ["aws_rds_cluster", "aws_db_instance"];

/** RDS instances and Aurora clusters that own their backups and credentials (not read replicas). */
function rdsDatabases(model: StackModel): Block[] {
  return model.resources(...RDS_TYPES).filter((block) => !isReplica(block));
}

/** Restored from a snapshot, or a secondary of a global cluster: credentials come from the source. */
function inheritsCredentials(block: Block): boolean {
  const secondary = block.body.global_cluster_identifier !== undefined && block.body.master_username === undefined;
  return block.body.snapshot_identifier !== undefined || secondary;
}

function retentionProblem(block: Block, production: boolean): string | undefined {
  const value = block.body.backup_retention_period;
  if (value === undefined) return "backup_retention_period is not set explicitly (the default may be 0 or 1 depending on how it is created)";
  const days = numberOf(value);
  if (days === undefined) return `backup_retention_period is ${describe(value)}, known only at plan time: it cannot be compared with the minimum`;
  const minimum = production ? PROD_MIN_BACKUP_RETENTION_DAYS : MIN_BACKUP_RETENTION_DAYS;
  return days < minimum ? `backup_retention_period is ${days} days; at least ${minimum} required${production ? " in production" : ""}` : undefined;
}

function finalSnapshotProblems(block: Block): string[] {
  return problems(
    isTrue(block.body.skip_final_snapshot) && "skip_final_snapshot is true: deleting it leaves no snapshot",
    isExpression(block.body.skip_final_snapshot) && `skip_final_snapshot is ${describe(block.body.skip_final_snapshot)}, known only at plan time`,
    !isSet(block.body.final_snapshot_identifier) && "final_snapshot_identifier is not set",
  );
}

function literalSecret(value: unknown): boolean {
  return typeof value === "string" && value !== "" && !isExpression(value);
}

export const DATABASE_RULES: readonly Rule[] = [
  {
    id: "RDS-ENCRYPTED",
    title: "RDS / Aurora storage is encrypted (customer-managed key in production)",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_16/96/327; TV AWS-0080/0079; NAG RDS2",
    unknown: { decision: "finding", reason: "storage_encrypted must be the literal true; a kms_key_id that is an expression is a reference to a key and counts as set." },
    fix: "Set storage_encrypted = true and kms_key_id to the environment's data key (keys.data).",
    check: ({ model, production }) =>
      each(model.resources(...RDS_TYPES), (db) =>
        problems(
          !isTrue(db.body.storage_encrypted) && `storage_encrypted is ${describe(db.body.storage_encrypted)}`,
          production && !isSet(db.body.kms_key_id) && "kms_key_id is not set: production data is encrypted with a customer-managed key",
        ),
      ),
  },
  {
    id: "RDS-NOT-PUBLIC",
    title: "Database instances are not publicly accessible",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_17; TV AWS-0180",
    unknown: { decision: "finding", reason: "publicly_accessible that is an expression may be true and is reported." },
    fix: "Remove publicly_accessible (or set false); databases live in the data subnets, reached from workloads only.",
    check: ({ model }) =>
      each(model.resources("aws_db_instance", "aws_rds_cluster_instance"), (db) =>
        isTrue(db.body.publicly_accessible) ? "publicly_accessible is true" : isExpression(db.body.publicly_accessible) ? `publicly_accessible is ${describe(db.body.publicly_accessible)}, known only at plan time` : undefined,
      ),
  },
  {
    id: "RDS-BACKUP-RETENTION",
    title: "RDS / Aurora backup retention is explicit: >= 1 day, >= 7 in production",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_133; TV AWS-0077; NAG RDS13",
    unknown: { decision: "finding", reason: "A retention that is an expression cannot be compared with the minimum and is reported." },
    fix: "Set backup_retention_period from the environment config (>= 7 days in production).",
    check: ({ model, production }) => each(rdsDatabases(model), (db) => retentionProblem(db, production)),
  },
  {
    id: "RDS-DELETION-PROTECTION",
    title: "Production databases have deletion protection",
    severity: "high",
    scope: "prod",
    upstream: "CKV_AWS_293/139; TV AWS-0177/0343; NAG RDS10",
    unknown: { decision: "finding", reason: "deletion_protection must be the literal true." },
    fix: "Set deletion_protection = true (constructs do so when protectsState() is true).",
    check: ({ model }) =>
      each(model.resources(...RDS_TYPES), (db) => (isTrue(db.body.deletion_protection) ? undefined : `deletion_protection is ${describe(db.body.deletion_protection)}`)),
  },
  {
    id: "RDS-FINAL-SNAPSHOT",
    title: "Production databases keep a final snapshot",
    severity: "high",
    scope: "prod",
    upstream: "custom",
    unknown: { decision: "finding", reason: "skip_final_snapshot that is an expression may be true and is reported." },
    fix: "Set skip_final_snapshot = false and a final_snapshot_identifier.",
    check: ({ model }) => each(rdsDatabases(model), finalSnapshotProblems),
  },
  {
    id: "RDS-MULTI-AZ",
    title: "Production databases survive the loss of an AZ",
    severity: "high",
    scope: "prod",
    upstream: "CKV_AWS_157; NAG RDS3",
    unknown: { decision: "finding", reason: "multi_az must be the literal true; Aurora instances are counted by reference." },
    fix: "RDS: multi_az = true. Aurora: at least 2 cluster instances (a writer and a reader) not pinned to one availability zone.",
    check: ({ model }) => [
      ...each(model.resources("aws_db_instance").filter((db) => !isReplica(db)), (db) => (isTrue(db.body.multi_az) ? undefined : `multi_az is ${describe(db.body.multi_az)}`)),
      ...each(model.resources("aws_rds_cluster"), (cluster) => {
        const instances = model.referrers(cluster, ["aws_rds_cluster_instance"], "cluster_identifier");
        const serverless = cluster.body.engine_mode === "serverless";
        if (serverless) return undefined;
        if (instances.length < 2) return `${instances.length} cluster instance(s); at least 2 required so a reader can take over`;
        const zones = new Set(instances.map((instance) => JSON.stringify(instance.body.availability_zone ?? null)));
        return zones.size === 1 && !zones.has("null") ? `all instances are pinned to availability zone ${[...zones][0]}` : undefined;
      }),
    ],
  },
  {
    id: "RDS-FORCE-SSL",
    title: "Databases reject unencrypted connections",
    severity: "high",
    scope: "all",
    upstream: "CKV2_AWS_69",
    unknown: { decision: "finding", reason: "The parameter group must be in the stack; an engine or a parameter value that is an expression is reported." },
    fix: "Use a parameter group defined next to the database with rds.force_ssl = 1 (PostgreSQL) or require_secure_transport = ON (MySQL).",
    check: ({ model }) =>
      each(model.resources(...RDS_TYPES), (db) => {
        const [attribute, groupTypes] =
          db.type === "aws_rds_cluster"
            ? ["db_cluster_parameter_group_name", ["aws_rds_cluster_parameter_group"]]
            : ["parameter_group_name", ["aws_db_parameter_group"]];
        if (isExpression(db.body.engine)) return `engine is ${describe(db.body.engine)}, known only at plan time: whether its parameter group forces TLS cannot be judged`;
        const group = parameterGroupOf(model, db, attribute as string, groupTypes as string[]);
        if (!group) return `${attribute} does not name a parameter group of this stack (the default group does not force TLS)`;
        const values = parameters(group);
        if (isPostgres(db)) return values.get("rds.force_ssl") === "1" ? undefined : `parameter group ${group.path} sets rds.force_ssl to ${describe(values.get("rds.force_ssl"))}, not 1`;
        if (isMysql(db)) {
          const value = (values.get("require_secure_transport") ?? "").toUpperCase();
          return value === "ON" || value === "1" ? undefined : `parameter group ${group.path} does not set require_secure_transport = ON`;
        }
        return undefined;
      }),
  },
  {
    id: "DB-MANAGED-SECRET",
    title: "Database credentials are managed by the service, never literal",
    severity: "high",
    scope: "all",
    upstream: "NAG DOC3, SMG4; CKV2_AWS_57",
    unknown: { decision: "safe", reason: "A password that is an expression is taken from a generated value (random password, Secrets Manager), which is what the rule asks for; literal passwords are findings." },
    fix: "Set manage_master_user_password = true (RDS, Aurora, DocumentDB) or take the password from a generated secret; never write one in code or config.",
    check: ({ model }) => [
      ...each([...rdsDatabases(model), ...model.resources("aws_docdb_cluster")], (db) => {
        if (inheritsCredentials(db)) return undefined;
        const literalPassword = ["master_password", "password"].find((key) => literalSecret(db.body[key]));
        if (literalPassword) return `${literalPassword} is a literal value in code`;
        const generated = ["master_password", "password", "master_password_wo", "password_wo"].some((key) => isExpression(db.body[key]));
        return isTrue(db.body.manage_master_user_password) || generated ? undefined : "manage_master_user_password is not true and no generated password is referenced";
      }),
      ...each(model.resources("aws_mq_broker"), (broker) =>
        blocks(broker.body.user).some((user) => literalSecret(user.password)) ? "a broker user has a literal password" : undefined,
      ),
    ],
  },
  {
    id: "DB-LOG-EXPORTS",
    title: "Database and search logs are exported to CloudWatch",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_129/324/85/84/317; NAG DOC5, OS9",
    unknown: { decision: "finding", reason: "Log exports must list the literal log types; an engine that is an expression is reported." },
    fix: "PostgreSQL: enabled_cloudwatch_logs_exports [\"postgresql\"]; MySQL: [\"error\"]; DocumentDB: [\"audit\", \"profiler\"]; OpenSearch: log_publishing_options for AUDIT_LOGS and ES_APPLICATION_LOGS.",
    check: ({ model }) => [
      ...each(rdsDatabases(model), (db) => {
        if (isExpression(db.body.engine)) return `engine is ${describe(db.body.engine)}, known only at plan time: the log exports it needs cannot be judged`;
        const exports = strings(db.body.enabled_cloudwatch_logs_exports);
        const required = isPostgres(db) ? "postgresql" : isMysql(db) ? "error" : undefined;
        return required && !exports.includes(required) ? `enabled_cloudwatch_logs_exports ${describe(exports)} lacks "${required}" (engine ${engineOf(db)})` : undefined;
      }),
      ...each(model.resources("aws_docdb_cluster"), (cluster) => {
        const missing = ["audit", "profiler"].filter((log) => !strings(cluster.body.enabled_cloudwatch_logs_exports).includes(log));
        return missing.length > 0 ? `enabled_cloudwatch_logs_exports lacks ${missing.join(", ")}` : undefined;
      }),
      ...each(model.resources("aws_opensearch_domain"), (domain) => {
        const enabled = blocks(domain.body.log_publishing_options).filter((option) => !isFalse(option.enabled)).map((option) => String(option.log_type));
        const missing = ["AUDIT_LOGS", "ES_APPLICATION_LOGS"].filter((log) => !enabled.includes(log));
        return missing.length > 0 ? `log_publishing_options lacks ${missing.join(", ")}` : undefined;
      }),
    ],
  },
  {
    id: "DOCDB-ENCRYPTED",
    title: "DocumentDB storage is encrypted (customer-managed key in production)",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_74/182; TV AWS-0021/0022; NAG DOC1",
    unknown: { decision: "finding", reason: "storage_encrypted must be the literal true; a kms_key_id that is an expression counts as set." },
    fix: "Set storage_encrypted = true and kms_key_id to the environment's data key.",
    check: ({ model, production }) =>
      each(model.resources("aws_docdb_cluster"), (cluster) =>
        problems(
          !isTrue(cluster.body.storage_encrypted) && `storage_encrypted is ${describe(cluster.body.storage_encrypted)}`,
          production && !isSet(cluster.body.kms_key_id) && "kms_key_id is not set: production data is encrypted with a customer-managed key",
        ),
      ),
  },
  {
    id: "DOCDB-BACKUP-RETENTION",
    title: "DocumentDB backup retention is explicit: >= 1 day, >= 7 in production",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_360; NAG DOC4",
    unknown: { decision: "finding", reason: "A retention that is an expression is reported." },
    fix: "Set backup_retention_period from the environment config (>= 7 days in production).",
    check: ({ model, production }) => each(model.resources("aws_docdb_cluster"), (cluster) => retentionProblem(cluster, production)),
  },
  {
    id: "DOCDB-TLS-AUDIT",
    title: "DocumentDB cluster parameter group keeps TLS on and audit logs enabled",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_90/104",
    unknown: { decision: "finding", reason: "The cluster parameter group must be in the stack with literal tls and audit_logs values." },
    fix: "Reference a aws_docdb_cluster_parameter_group with tls = enabled and audit_logs = enabled.",
    check: ({ model }) =>
      each(model.resources("aws_docdb_cluster"), (cluster) => {
        const group = parameterGroupOf(model, cluster, "db_cluster_parameter_group_name", ["aws_docdb_cluster_parameter_group"]);
        if (!group) return "db_cluster_parameter_group_name does not name a parameter group of this stack (the default one has audit logs disabled)";
        const values = parameters(group);
        const tls = values.get("tls");
        const audit = values.get("audit_logs");
        return problems(
          tls !== undefined && tls.toLowerCase() === "disabled" && `parameter group ${group.path} disables tls`,
          (audit === undefined || ["disabled", "none"].includes(audit.toLowerCase())) && `parameter group ${group.path} sets audit_logs to ${describe(audit)}`,
        );
      }),
  },
  {
    id: "DOCDB-DELETION-SNAPSHOT",
    title: "Production DocumentDB clusters have deletion protection and a final snapshot",
    severity: "high",
    scope: "prod",
    upstream: "custom",
    unknown: { decision: "finding", reason: "deletion_protection must be the literal true; skip_final_snapshot that is an expression is reported." },
    fix: "Set deletion_protection = true, skip_final_snapshot = false and a final_snapshot_identifier.",
    check: ({ model }) =>
      each(model.resources("aws_docdb_cluster"), (cluster) => [
        ...problems(!isTrue(cluster.body.deletion_protection) && `deletion_protection is ${describe(cluster.body.deletion_protection)}`),
        ...finalSnapshotProblems(cluster),
      ]),
  },
];

