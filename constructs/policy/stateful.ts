/**
 * Stateful resource types: resources whose destruction loses data (or, for KMS keys, makes data unreadable).
 * Classified by Terraform type, so resources other constructs add later are covered without a list of
 * construct paths. Used by the refactor-safety record, the change report and STATEFUL-PREVENT-DESTROY.
 *
 * `replaceOn` lists the main arguments whose change makes Terraform destroy and re-create the resource
 * (`ForceNew` in the AWS provider 6.x schema); nested arguments are dotted (`encrypt_at_rest.kms_key_id`).
 */

export interface StatefulType {
  /** What is lost when it is destroyed. */
  readonly holds: string;
  readonly replaceOn: readonly string[];
}

export const STATEFUL_TYPES: Readonly<Record<string, StatefulType>> = {
  aws_rds_cluster: {
    holds: "database cluster storage (all data and automated backups)",
    replaceOn: [
      "cluster_identifier", "cluster_identifier_prefix", "engine", "engine_mode", "database_name", "master_username",
      "kms_key_id", "storage_encrypted", "db_subnet_group_name", "availability_zones", "snapshot_identifier",
      "restore_to_point_in_time", "cluster_scalability_type", "db_system_id",
    ],
  },
  aws_db_instance: {
    holds: "database storage and automated backups",
    replaceOn: [
      "identifier_prefix", "engine", "kms_key_id", "storage_encrypted", "username", "db_name", "availability_zone",
      "character_set_name", "nchar_character_set_name", "snapshot_identifier", "timezone", "restore_to_point_in_time",
    ],
  },
  aws_rds_global_cluster: { holds: "global database", replaceOn: ["global_cluster_identifier", "engine", "storage_encrypted", "database_name"] },
  aws_docdb_cluster: {
    holds: "document database storage and automated backups",
    replaceOn: [
      "cluster_identifier", "cluster_identifier_prefix", "engine", "master_username", "kms_key_id", "storage_encrypted",
      "db_subnet_group_name", "availability_zones", "snapshot_identifier", "restore_to_point_in_time",
    ],
  },
  aws_docdbelastic_cluster: { holds: "document database storage", replaceOn: ["name", "kms_key_id", "admin_user_name", "auth_type"] },
  aws_elasticache_replication_group: {
    holds: "cache data (sessions, queues, counters) and its snapshots",
    replaceOn: [
      "replication_group_id", "at_rest_encryption_enabled", "kms_key_id", "subnet_group_name", "port", "snapshot_arns",
      "snapshot_name", "preferred_cache_cluster_azs", "data_tiering_enabled", "global_replication_group_id",
    ],
  },
  aws_elasticache_cluster: {
    holds: "cache data",
    replaceOn: ["cluster_id", "engine", "port", "subnet_group_name", "availability_zone", "snapshot_arns", "snapshot_name"],
  },
  aws_elasticache_serverless_cache: { holds: "cache data", replaceOn: ["name", "engine", "kms_key_id", "subnet_ids"] },
  aws_memorydb_cluster: { holds: "in-memory database", replaceOn: ["name", "kms_arn", "subnet_group_name", "tls_enabled", "port"] },
  aws_opensearch_domain: {
    holds: "search indices",
    replaceOn: ["domain_name", "encrypt_at_rest.kms_key_id"],
  },
  aws_elasticsearch_domain: { holds: "search indices", replaceOn: ["domain_name", "encrypt_at_rest.kms_key_id"] },
  aws_mq_broker: {
    holds: "message broker queues and messages",
    replaceOn: ["broker_name", "engine_type", "deployment_mode", "storage_type", "subnet_ids", "encryption_options", "publicly_accessible"],
  },
  aws_s3_bucket: { holds: "bucket objects and their versions", replaceOn: ["bucket", "bucket_prefix", "object_lock_enabled"] },
  aws_kms_key: {
    holds: "key material (everything encrypted with it becomes unreadable)",
    replaceOn: ["customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"],
  },
  aws_backup_vault: { holds: "recovery points", replaceOn: ["name", "kms_key_arn"] },
  aws_backup_logically_air_gapped_vault: { holds: "recovery points", replaceOn: ["name", "min_retention_days", "max_retention_days"] },
  aws_eks_cluster: {
    holds: "the Kubernetes control plane and everything stored in etcd",
    replaceOn: [
      "name", "role_arn", "kubernetes_network_config.service_ipv4_cidr", "kubernetes_network_config.ip_family",
      "bootstrap_self_managed_addons", "encryption_config.provider.key_arn",
    ],
  },
  aws_efs_file_system: { holds: "file system data", replaceOn: ["creation_token", "encrypted", "kms_key_id", "performance_mode", "availability_zone_name"] },
  // A re-created zone gets new name servers: every delegation to it (NS records in the parent zone, at the registrar)
  // breaks until someone updates them by hand, and every record in it is lost.
  aws_route53_zone: { holds: "the zone's records and its name servers (the parent's delegation points at them)", replaceOn: ["name", "delegation_set_id"] },
  aws_dynamodb_table: { holds: "table items", replaceOn: ["name", "hash_key", "range_key"] },
  aws_ecr_repository: { holds: "container images", replaceOn: ["name", "encryption_configuration"] },
  kubernetes_persistent_volume_claim_v1: { holds: "volume data", replaceOn: ["metadata.name", "metadata.namespace", "spec.storage_class_name"] },
  kubernetes_persistent_volume_claim: { holds: "volume data", replaceOn: ["metadata.name", "metadata.namespace", "spec.storage_class_name"] },
};

export function isStatefulType(type: string): boolean {
  return Object.hasOwn(STATEFUL_TYPES, type);
}
