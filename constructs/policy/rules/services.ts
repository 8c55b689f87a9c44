/**
 * Managed data service rules: ElastiCache (Redis / Valkey), OpenSearch, Amazon MQ.
 */
import { type Block, describe, dig, isExpression, isSet, isTrue, literal, numberOf, one, type PolicyStatement, strings } from "../model";
import type { Rule } from "../types";
import { each, problems } from "./support";

/** TLS policies of OpenSearch domain endpoints that require TLS 1.2 or newer. */
export const OPENSEARCH_TLS12_POLICIES = ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"];
/** Quorum of dedicated master nodes: survives one loss. */
export const MIN_DEDICATED_MASTERS = 3;
export const MIN_CACHE_NODES = 2;
export const MIN_SNAPSHOT_RETENTION = 1;
/** Amazon MQ deployment modes that survive the loss of an AZ. */
export const MQ_HA_MODES = ["CLUSTER_MULTI_AZ", "ACTIVE_STANDBY_MULTI_AZ"];

const REDIS_GROUPS = ["aws_elasticache_replication_group"];

/** An Allow statement open to anyone: principal `*` / AWS `*` and no condition. */
export function openToEveryone(statement: PolicyStatement): boolean {
  const anyone = statement.principals.some((principal) => principal.type === "*" || (principal.type === "AWS" && principal.identifiers.includes("*")));
  return statement.effect === "Allow" && anyone && statement.conditions.length === 0;
}

function cacheNodes(group: Block): number | undefined {
  const clusters = numberOf(group.body.num_cache_clusters);
  if (clusters !== undefined) return clusters;
  const replicas = numberOf(group.body.replicas_per_node_group);
  return replicas === undefined ? undefined : replicas + 1;
}

export const SERVICE_RULES: readonly Rule[] = [
  {
    id: "REDIS-ENCRYPT-AT-REST",
    title: "Caches are encrypted at rest (customer-managed key in production)",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_29/191; TV AWS-0045; NAG AEC3",
    fix: "Set at_rest_encryption_enabled = true and kms_key_id to the environment's data key.",
    check: ({ model, production }) => [
      ...each(model.resources(...REDIS_GROUPS), (group) =>
        problems(
          !isTrue(group.body.at_rest_encryption_enabled) && `at_rest_encryption_enabled is ${describe(group.body.at_rest_encryption_enabled)}`,
          production && !isSet(group.body.kms_key_id) && "kms_key_id is not set",
        ),
      ),
      ...each(model.resources("aws_elasticache_serverless_cache"), (cache) =>
        production && !isSet(cache.body.kms_key_id) ? "kms_key_id is not set (serverless caches default to an AWS-owned key)" : undefined,
      ),
    ],
  },
  {
    id: "REDIS-TLS-AUTH",
    title: "Caches require TLS and authenticate clients without a literal token",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_30/31; TV AWS-0051; NAG AEC3/AEC6",
    fix: "Set transit_encryption_enabled = true (mode required) and authenticate with user_group_ids (RBAC, IAM users) or an auth_token taken from a generated secret.",
    check: ({ model }) => [
      ...each(model.resources(...REDIS_GROUPS), (group) => {
        const token = group.body.auth_token;
        return problems(
          !isTrue(group.body.transit_encryption_enabled) && `transit_encryption_enabled is ${describe(group.body.transit_encryption_enabled)}`,
          group.body.transit_encryption_mode === "preferred" && "transit_encryption_mode is \"preferred\": clients may still connect without TLS",
          typeof token === "string" && token !== "" && !isExpression(token) && "auth_token is a literal value in code",
          !isSet(token) && strings(group.body.user_group_ids).length === 0 && "neither user_group_ids nor auth_token is set: any client in the network can connect",
        );
      }),
      ...each(model.resources("aws_elasticache_serverless_cache"), (cache) =>
        isSet(cache.body.user_group_id) ? undefined : "user_group_id is not set: the default user has full access without a password",
      ),
    ],
  },
  {
    id: "REDIS-MULTI-AZ",
    title: "Production caches fail over across AZs",
    severity: "high",
    scope: "prod",
    upstream: "CKV2_AWS_50; NAG AEC4",
    fix: "Set automatic_failover_enabled = true, multi_az_enabled = true and at least 2 cache nodes per shard.",
    check: ({ model }) =>
      each(model.resources(...REDIS_GROUPS), (group) => {
        const nodes = cacheNodes(group);
        return problems(
          !isTrue(group.body.automatic_failover_enabled) && `automatic_failover_enabled is ${describe(group.body.automatic_failover_enabled)}`,
          !isTrue(group.body.multi_az_enabled) && `multi_az_enabled is ${describe(group.body.multi_az_enabled)}`,
          nodes !== undefined && nodes < MIN_CACHE_NODES && `${nodes} node(s) per shard; at least ${MIN_CACHE_NODES} required`,
        );
      }),
  },
  {
    id: "REDIS-SNAPSHOTS",
    title: "Production caches keep daily snapshots",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_AWS_134; TV AWS-0050",
    fix: `Set snapshot_retention_limit to at least ${MIN_SNAPSHOT_RETENTION} day (from config).`,
    check: ({ model }) =>
      each(model.resources(...REDIS_GROUPS, "aws_elasticache_serverless_cache"), (cache) => {
        const days = numberOf(cache.body.snapshot_retention_limit);
        if (isExpression(cache.body.snapshot_retention_limit)) return undefined;
        return days === undefined || days < MIN_SNAPSHOT_RETENTION ? `snapshot_retention_limit is ${describe(cache.body.snapshot_retention_limit)}` : undefined;
      }),
  },
  {
    id: "OS-ENCRYPTION",
    title: "OpenSearch encrypts at rest and between nodes",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_5/6/247; TV AWS-0048/0043; NAG OS8/OS2",
    fix: "Set encrypt_at_rest { enabled = true, kms_key_id = data key } and node_to_node_encryption { enabled = true }.",
    check: ({ model }) =>
      each(model.resources("aws_opensearch_domain"), (domain) =>
        problems(
          !isTrue(dig(domain.body, "encrypt_at_rest", "enabled")) && "encrypt_at_rest is not enabled",
          !isTrue(dig(domain.body, "node_to_node_encryption", "enabled")) && "node_to_node_encryption is not enabled",
        ),
      ),
  },
  {
    id: "OS-HTTPS-TLS12",
    title: "OpenSearch enforces HTTPS with TLS 1.2+",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_83/228; TV AWS-0046/0126",
    fix: `Set domain_endpoint_options { enforce_https = true, tls_security_policy = "${OPENSEARCH_TLS12_POLICIES[1]}" }.`,
    check: ({ model }) =>
      each(model.resources("aws_opensearch_domain"), (domain) => {
        const policy = literal(dig(domain.body, "domain_endpoint_options", "tls_security_policy"));
        return problems(
          !isTrue(dig(domain.body, "domain_endpoint_options", "enforce_https")) && "domain_endpoint_options.enforce_https is not true",
          (policy === undefined || !OPENSEARCH_TLS12_POLICIES.includes(policy)) && `tls_security_policy is ${describe(policy)}; allowed: ${OPENSEARCH_TLS12_POLICIES.join(", ")}`,
        );
      }),
  },
  {
    id: "OS-VPC-FGAC",
    title: "OpenSearch lives in the VPC with fine-grained access control and no open access policy",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_137/248, CKV2_AWS_52; NAG OS1/OS3/OS5",
    fix: "Set vpc_options.subnet_ids (data subnets), advanced_security_options { enabled = true } with an IAM master role, and an access policy naming roles, not \"*\".",
    check: ({ model }) =>
      each(model.resources("aws_opensearch_domain"), (domain) => {
        const policies = [
          domain.body.access_policies,
          ...model.referrers(domain, ["aws_opensearch_domain_policy"], "domain_name").map((policy) => policy.body.access_policies),
        ];
        const open = policies.some((policy) => model.policyStatements(policy)?.statements.some(openToEveryone));
        return problems(
          strings(dig(domain.body, "vpc_options", "subnet_ids")).length === 0 && !isExpression(dig(domain.body, "vpc_options", "subnet_ids")) && "vpc_options.subnet_ids is not set: the domain has a public endpoint",
          !isTrue(dig(domain.body, "advanced_security_options", "enabled")) && "advanced_security_options (fine-grained access control) is not enabled",
          open && "the access policy allows principal \"*\" without a condition",
        );
      }),
  },
  {
    id: "OS-HA",
    title: "Production OpenSearch spans AZs with three dedicated masters",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_AWS_318, CKV2_AWS_59; NAG OS4/OS7",
    fix: `Set cluster_config { zone_awareness_enabled = true, dedicated_master_enabled = true, dedicated_master_count = ${MIN_DEDICATED_MASTERS} }.`,
    check: ({ model }) =>
      each(model.resources("aws_opensearch_domain"), (domain) => {
        const config = dig(domain.body, "cluster_config");
        const masters = numberOf(dig(domain.body, "cluster_config", "dedicated_master_count"));
        return problems(
          !isTrue(dig(domain.body, "cluster_config", "zone_awareness_enabled")) && "cluster_config.zone_awareness_enabled is not true",
          !isTrue(dig(domain.body, "cluster_config", "dedicated_master_enabled")) && "cluster_config.dedicated_master_enabled is not true",
          config !== undefined && (masters ?? 0) < MIN_DEDICATED_MASTERS && `dedicated_master_count is ${describe(masters)}; at least ${MIN_DEDICATED_MASTERS} required`,
        );
      }),
  },
  {
    id: "MQ-PRIVATE",
    title: "Message brokers are not publicly accessible",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_69",
    fix: "Set publicly_accessible = false and place the broker in the data subnets with its own security group.",
    check: ({ model }) =>
      each(model.resources("aws_mq_broker"), (broker) => (isTrue(broker.body.publicly_accessible) ? "publicly_accessible is true" : undefined)),
  },
  {
    id: "MQ-HA",
    title: "Production message brokers survive the loss of an AZ",
    severity: "medium",
    scope: "prod",
    upstream: "custom",
    fix: `Use deployment_mode ${MQ_HA_MODES.join(" or ")} in production.`,
    check: ({ model }) =>
      each(model.resources("aws_mq_broker"), (broker) =>
        MQ_HA_MODES.includes(String(broker.body.deployment_mode)) ? undefined : `deployment_mode is ${describe(broker.body.deployment_mode)}`,
      ),
  },
  {
    id: "MQ-ENCRYPTION",
    title: "RabbitMQ brokers set no encryption options (AWS-owned key); ActiveMQ brokers use a customer-managed key in production",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "NAG MQ (AmazonMQ EncryptionOptions) — corrected for RabbitMQ; terraform-provider-aws#25998",
    fix:
      "RabbitMQ: remove encryption_options — Amazon MQ rejects them for RabbitMQ (\"encryptionOptions is not supported for RabbitMQ brokers\") and always encrypts " +
      "with an AWS-owned key (accepted exception). ActiveMQ in production: encryption_options { use_aws_owned_key = false, kms_key_id = <data key> }.",
    check: ({ model, production }) =>
      each(model.resources("aws_mq_broker"), (broker) => {
        const options = one(broker.body.encryption_options);
        if (String(broker.body.engine_type).toUpperCase() === "RABBITMQ") {
          return options ? "encryption_options is set on a RabbitMQ broker: CreateBroker fails (\"encryptionOptions is not supported for RabbitMQ brokers\")" : undefined;
        }
        return problems(
          production && (!options || options.use_aws_owned_key !== false) && "encryption_options.use_aws_owned_key is not false: production ActiveMQ data is encrypted with a customer-managed key",
          production && options?.use_aws_owned_key === false && !isSet(options.kms_key_id) && "encryption_options.kms_key_id is not set",
        );
      }),
  },
  {
    id: "MQ-LOGS",
    title: "Message brokers publish general logs",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_48",
    fix: "Set logs { general = true }.",
    check: ({ model }) =>
      each(model.resources("aws_mq_broker"), (broker) => (isTrue(dig(broker.body, "logs", "general")) ? undefined : "logs.general is not enabled")),
  },
];

