/** Regressions of stateful services, storage, keys, logs and backups. */
import { addResource, blocksAt, child, data, removeResources, resource, resourceKey, statements } from "./json";
import type { StackMutation } from "./types";

const INFRA = "prod-infra";

export const DATA_MUTATIONS: readonly StackMutation[] = [
  {
    kind: "stack",
    id: "rds-public",
    description: "an Aurora instance is made publicly accessible",
    stack: INFRA,
    expect: "RDS-NOT-PUBLIC",
    apply: (json) => {
      resource(json, "aws_rds_cluster_instance").publicly_accessible = true;
    },
  },
  {
    kind: "stack",
    id: "rds-unencrypted",
    description: "an Aurora cluster's storage is no longer encrypted",
    stack: INFRA,
    expect: "RDS-ENCRYPTED",
    apply: (json) => {
      const cluster = resource(json, "aws_rds_cluster");
      cluster.storage_encrypted = false;
      delete cluster.kms_key_id;
    },
  },
  {
    kind: "stack",
    id: "rds-backup-retention-zero",
    description: "an Aurora cluster keeps automated backups 1 day (the minimum; 0 is what a careless change aims for)",
    stack: INFRA,
    expect: "RDS-BACKUP-RETENTION",
    apply: (json) => {
      resource(json, "aws_rds_cluster").backup_retention_period = 1;
    },
  },
  {
    kind: "stack",
    id: "rds-deletion-protection-off",
    description: "deletion protection is switched off on an Aurora cluster",
    stack: INFRA,
    expect: "RDS-DELETION-PROTECTION",
    apply: (json) => {
      resource(json, "aws_rds_cluster").deletion_protection = false;
    },
  },
  {
    kind: "stack",
    id: "rds-skip-final-snapshot",
    description: "an Aurora cluster skips its final snapshot",
    stack: INFRA,
    expect: "RDS-FINAL-SNAPSHOT",
    apply: (json) => {
      const cluster = resource(json, "aws_rds_cluster");
      cluster.skip_final_snapshot = true;
      delete cluster.final_snapshot_identifier;
    },
  },
  {
    kind: "stack",
    id: "rds-force-ssl-off",
    description: "rds.force_ssl is set to 0 in a cluster parameter group",
    stack: INFRA,
    expect: "RDS-FORCE-SSL",
    apply: (json) => {
      const parameter = blocksAt(resource(json, "aws_rds_cluster_parameter_group"), "parameter").find((item) => item.name === "rds.force_ssl");
      if (!parameter) throw new Error("no rds.force_ssl parameter");
      parameter.value = "0";
    },
  },
  {
    kind: "stack",
    id: "rds-literal-master-password",
    description: "an Aurora cluster gets a literal master password instead of the RDS-managed secret",
    stack: INFRA,
    expect: "DB-MANAGED-SECRET",
    apply: (json) => {
      const cluster = resource(json, "aws_rds_cluster");
      delete cluster.manage_master_user_password;
      delete cluster.master_user_secret_kms_key_id;
      cluster.master_password = "correct-horse-battery-staple";
    },
  },
  {
    kind: "stack",
    id: "rds-log-exports-removed",
    description: "an Aurora cluster stops exporting its PostgreSQL log",
    stack: INFRA,
    expect: "DB-LOG-EXPORTS",
    apply: (json) => {
      resource(json, "aws_rds_cluster").enabled_cloudwatch_logs_exports = [];
    },
  },
  {
    kind: "stack",
    id: "rds-single-instance-in-production",
    description: "a production Aurora cluster loses its reader (one instance, one zone)",
    stack: INFRA,
    expect: "RDS-MULTI-AZ",
    apply: (json) => {
      const cluster = resourceKey(json, "aws_rds_cluster", "postgres-noor-db");
      removeResources(json, "aws_rds_cluster_instance", (key, body) => String(body.cluster_identifier).includes(cluster) && !key.includes("instance-0"));
    },
  },
  {
    kind: "stack",
    id: "redis-at-rest-unencrypted",
    description: "a Valkey replication group is not encrypted at rest",
    stack: INFRA,
    expect: "REDIS-ENCRYPT-AT-REST",
    apply: (json) => {
      const group = resource(json, "aws_elasticache_replication_group");
      group.at_rest_encryption_enabled = "false";
      delete group.kms_key_id;
    },
  },
  {
    kind: "stack",
    id: "redis-no-tls",
    description: "a Valkey replication group accepts plaintext connections",
    stack: INFRA,
    expect: "REDIS-TLS-AUTH",
    apply: (json) => {
      resource(json, "aws_elasticache_replication_group").transit_encryption_enabled = false;
    },
  },
  {
    kind: "stack",
    id: "redis-single-node-in-production",
    description: "a production Valkey group runs one node without failover",
    stack: INFRA,
    expect: "REDIS-MULTI-AZ",
    apply: (json) => {
      const group = resource(json, "aws_elasticache_replication_group");
      group.automatic_failover_enabled = false;
      group.multi_az_enabled = false;
      group.num_cache_clusters = 1;
    },
  },
  {
    kind: "stack",
    id: "docdb-unencrypted",
    description: "the DocumentDB cluster is not encrypted",
    stack: INFRA,
    expect: "DOCDB-ENCRYPTED",
    apply: (json) => {
      const cluster = resource(json, "aws_docdb_cluster");
      cluster.storage_encrypted = false;
      delete cluster.kms_key_id;
    },
  },
  {
    kind: "stack",
    id: "docdb-retention-one-day",
    description: "DocumentDB keeps backups one day",
    stack: INFRA,
    expect: "DOCDB-BACKUP-RETENTION",
    apply: (json) => {
      resource(json, "aws_docdb_cluster").backup_retention_period = 1;
    },
  },
  {
    kind: "stack",
    id: "opensearch-unencrypted",
    description: "the OpenSearch domain is not encrypted at rest",
    stack: INFRA,
    expect: "OS-ENCRYPTION",
    apply: (json) => {
      resource(json, "aws_opensearch_domain").encrypt_at_rest = { enabled: false };
    },
  },
  {
    kind: "stack",
    id: "opensearch-tls-1-0",
    description: "the OpenSearch endpoint accepts TLS 1.0",
    stack: INFRA,
    expect: "OS-HTTPS-TLS12",
    apply: (json) => {
      child(resource(json, "aws_opensearch_domain"), "domain_endpoint_options").tls_security_policy = "Policy-Min-TLS-1-0-2019-07";
    },
  },
  {
    kind: "stack",
    id: "opensearch-access-policy-anyone",
    description: "the OpenSearch domain's access policy admits principal * without a condition",
    stack: INFRA,
    expect: "RESOURCE-POLICY-NO-PUBLIC",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", "opensearch-murima-search_access-policy")).push({ sid: "Anyone", actions: ["es:ESHttp*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] });
    },
  },
  {
    kind: "stack",
    id: "mq-public",
    description: "the RabbitMQ broker is made publicly accessible",
    stack: INFRA,
    expect: "MQ-PRIVATE",
    apply: (json) => {
      resource(json, "aws_mq_broker").publicly_accessible = true;
    },
  },
  {
    kind: "stack",
    id: "mq-single-instance-in-production",
    description: "the production broker runs as a single instance",
    stack: INFRA,
    expect: "MQ-HA",
    apply: (json) => {
      const broker = resource(json, "aws_mq_broker");
      broker.deployment_mode = "SINGLE_INSTANCE";
      broker.subnet_ids = [(broker.subnet_ids as unknown[])[0]];
    },
  },
  {
    kind: "stack",
    id: "s3-public-access-block-off",
    description: "a bucket's public access block stops blocking public policies and ACLs",
    stack: INFRA,
    expect: "S3-BLOCK-PUBLIC",
    apply: (json) => {
      const block = resource(json, "aws_s3_bucket_public_access_block", "bucket-noor-uploads");
      block.block_public_acls = false;
      block.block_public_policy = false;
      block.restrict_public_buckets = false;
    },
  },
  {
    kind: "stack",
    id: "s3-unencrypted-default",
    description: "a bucket's default encryption falls back from the customer key to SSE-S3",
    stack: INFRA,
    expect: "S3-KMS",
    apply: (json) => {
      const configuration = resource(json, "aws_s3_bucket_server_side_encryption_configuration", "bucket-noor-uploads");
      configuration.rule = [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }];
    },
  },
  {
    kind: "stack",
    id: "s3-versioning-suspended",
    description: "versioning is suspended on a data bucket",
    stack: INFRA,
    expect: "S3-VERSIONING",
    apply: (json) => {
      child(resource(json, "aws_s3_bucket_versioning", "bucket-noor-uploads"), "versioning_configuration").status = "Suspended";
    },
  },
  {
    kind: "stack",
    id: "s3-tls-only-statement-removed",
    description: "a bucket policy loses its deny of non-TLS requests",
    stack: INFRA,
    expect: "S3-TLS-ONLY",
    apply: (json) => {
      const document = data(json, "aws_iam_policy_document", "bucket-noor-uploads_policy-document");
      const kept = statements(document).filter((statement) => !JSON.stringify(statement).includes("aws:SecureTransport"));
      if (kept.length === statements(document).length) throw new Error("no aws:SecureTransport statement");
      document.statement = kept;
    },
  },
  {
    kind: "stack",
    id: "s3-bucket-policy-public-read",
    description: "a bucket policy grants s3:GetObject to principal *",
    stack: INFRA,
    expect: "RESOURCE-POLICY-NO-PUBLIC",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", "bucket-noor-uploads_policy-document")).push({ sid: "PublicRead", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-prod-noor-uploads/*"], principals: [{ type: "AWS", identifiers: ["*"] }] });
    },
  },
  {
    kind: "stack",
    id: "s3-force-destroy",
    description: "a data bucket is made force_destroy without prevent_destroy",
    stack: INFRA,
    expect: "STATEFUL-PREVENT-DESTROY",
    apply: (json) => {
      const bucket = resource(json, "aws_s3_bucket", "bucket-noor-uploads");
      bucket.force_destroy = true;
      delete bucket.lifecycle;
    },
  },
  {
    kind: "stack",
    id: "backup-plan-short-retention",
    description: "the backup plan keeps recovery points one day",
    stack: INFRA,
    expect: "BACKUP-PLAN-RETENTION",
    apply: (json) => {
      for (const rule of blocksAt(resource(json, "aws_backup_plan"), "rule")) if (rule.enable_continuous_backup !== true) rule.lifecycle = { delete_after: 1 };
    },
  },
  {
    kind: "stack",
    id: "backup-vault-lock-removed",
    description: "the production backup vault loses its vault lock",
    stack: INFRA,
    expect: "BACKUP-VAULT-LOCK",
    apply: (json) => removeResources(json, "aws_backup_vault_lock_configuration", "backup_vault-lock"),
  },
  {
    kind: "stack",
    id: "backup-selection-removed",
    description: "the backup selection is removed: no database is backed up",
    stack: INFRA,
    expect: "BACKUP-COVERAGE",
    apply: (json) => {
      removeResources(json, "aws_backup_selection");
      removeResources(json, "aws_backup_restore_testing_selection");
    },
  },
  {
    kind: "stack",
    id: "log-retention-one-day",
    description: "the EKS control-plane log group keeps one day",
    stack: INFRA,
    expect: "LOG-RETENTION",
    apply: (json) => {
      resource(json, "aws_cloudwatch_log_group", "control-plane-logs").retention_in_days = 1;
    },
  },
  {
    kind: "stack",
    id: "kms-rotation-off",
    description: "automatic rotation is switched off on the data key",
    stack: INFRA,
    expect: "KMS-ROTATION",
    apply: (json) => {
      const key = resource(json, "aws_kms_key", "keys_data");
      key.enable_key_rotation = false;
      delete key.rotation_period_in_days;
    },
  },
  {
    kind: "stack",
    id: "kms-key-policy-principal-star",
    description: "the data key's policy grants kms:Decrypt to principal * without a condition",
    stack: INFRA,
    expect: "KMS-KEY-POLICY-PUBLIC",
    apply: (json) => {
      statements(data(json, "aws_iam_policy_document", "keys_data-policy")).push({ sid: "Anyone", actions: ["kms:Decrypt"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] });
    },
  },
  {
    kind: "stack",
    id: "secret-in-ssm-parameter",
    description: "a literal database password lands in an SSM String parameter",
    stack: INFRA,
    expect: "SECRET-LITERAL-CREDENTIAL",
    apply: (json) => addResource(json, INFRA, "aws_ssm_parameter", "db-password", { name: "/acme/prod/noor/DB_PASSWORD", type: "String", value: "Sup3rS3cretPassw0rd!" }),
  },
];
