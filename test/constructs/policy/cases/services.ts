import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ElasticacheReplicationGroup, type ElasticacheReplicationGroupConfig } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheServerlessCache, type ElasticacheServerlessCacheConfig } from "@cdktf/provider-aws/lib/elasticache-serverless-cache";
import { MqBroker, type MqBrokerConfig } from "@cdktf/provider-aws/lib/mq-broker";
import { OpensearchDomain, type OpensearchDomainConfig } from "@cdktf/provider-aws/lib/opensearch-domain";
import { OpensearchDomainPolicy } from "@cdktf/provider-aws/lib/opensearch-domain-policy";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

function redis(scope: Construct, overrides: Partial<ElasticacheReplicationGroupConfig> = {}): ElasticacheReplicationGroup {
  return new ElasticacheReplicationGroup(scope, "cache", {
    replicationGroupId: "acme-prod-cache",
    description: "sessions",
    engine: "valkey",
    nodeType: "cache.r7g.large",
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    atRestEncryptionEnabled: "true",
    kmsKeyId: KEY_ARN,
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    userGroupIds: ["acme-prod-cache-users"],
    snapshotRetentionLimit: 7,
    ...overrides,
  });
}

function serverless(scope: Construct, overrides: Partial<ElasticacheServerlessCacheConfig> = {}): ElasticacheServerlessCache {
  return new ElasticacheServerlessCache(scope, "serverless", {
    name: "acme-prod-sessions",
    engine: "valkey",
    kmsKeyId: KEY_ARN,
    userGroupId: "acme-prod-users",
    snapshotRetentionLimit: 3,
    ...overrides,
  });
}

function search(scope: Construct, overrides: Partial<OpensearchDomainConfig> = {}): OpensearchDomain {
  return new OpensearchDomain(scope, "search", {
    domainName: "acme-prod-search",
    engineVersion: "OpenSearch_2.17",
    encryptAtRest: { enabled: true, kmsKeyId: KEY_ARN },
    nodeToNodeEncryption: { enabled: true },
    domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
    vpcOptions: { subnetIds: ["subnet-a", "subnet-b", "subnet-c"], securityGroupIds: ["sg-search"] },
    advancedSecurityOptions: { enabled: true, masterUserOptions: { masterUserArn: "arn:aws:iam::123456789012:role/acme-prod-search-admin" } },
    clusterConfig: { zoneAwarenessEnabled: true, zoneAwarenessConfig: { availabilityZoneCount: 3 }, dedicatedMasterEnabled: true, dedicatedMasterCount: 3, instanceCount: 3 },
    ...overrides,
  });
}

/** An access policy attached with aws_opensearch_domain_policy, open to "*" or scoped to a role. */
function searchWithPolicy(scope: Construct, principal: string): void {
  const domain = search(scope);
  const document = new DataAwsIamPolicyDocument(scope, "search-access", {
    statement: [{ actions: ["es:ESHttp*"], resources: [`${domain.arn}/*`], principals: [{ type: "AWS", identifiers: [principal] }] }],
  });
  new OpensearchDomainPolicy(scope, "search-policy", { domainName: domain.domainName, accessPolicies: document.json });
}

function broker(scope: Construct, overrides: Partial<MqBrokerConfig> = {}): MqBroker {
  return new MqBroker(scope, "broker", {
    brokerName: "acme-prod-mq",
    engineType: "RabbitMQ",
    engineVersion: "3.13",
    hostInstanceType: "mq.m7g.large",
    deploymentMode: "CLUSTER_MULTI_AZ",
    publiclyAccessible: false,
    logs: { general: true },
    user: [{ username: "admin", password: "${aws_secretsmanager_secret_version.mq.secret_string}" }],
    ...overrides,
  });
}

export const SERVICE_CASES: readonly RuleCase[] = [
  {
    rule: "REDIS-ENCRYPT-AT-REST",
    compliant: (s) => redis(s),
    violating: (s) => redis(s, { atRestEncryptionEnabled: "false" }),
    expect: /at_rest_encryption_enabled is "false"/,
  },
  {
    rule: "REDIS-ENCRYPT-AT-REST",
    name: "serverless without a customer key",
    compliant: (s) => serverless(s),
    violating: (s) => serverless(s, { kmsKeyId: undefined }),
    expect: /kms_key_id is not set/,
  },
  {
    rule: "REDIS-TLS-AUTH",
    compliant: (s) => redis(s),
    violating: (s) => redis(s, { transitEncryptionEnabled: false, userGroupIds: undefined }),
    expect: [/transit_encryption_enabled is false/, /neither user_group_ids nor auth_token/],
  },
  {
    rule: "REDIS-TLS-AUTH",
    name: "literal auth token",
    compliant: (s) => redis(s, { userGroupIds: undefined, authToken: "${random_password.cache.result}" }),
    violating: (s) => redis(s, { userGroupIds: undefined, authToken: "a-long-static-token-value" }),
    expect: /auth_token is a literal value/,
  },
  {
    rule: "REDIS-MULTI-AZ",
    compliant: (s) => redis(s),
    violating: (s) => redis(s, { multiAzEnabled: false, numCacheClusters: 1, automaticFailoverEnabled: false }),
    expect: [/automatic_failover_enabled is false/, /1 node\(s\) per shard/],
  },
  {
    rule: "REDIS-SNAPSHOTS",
    compliant: (s) => redis(s),
    violating: (s) => redis(s, { snapshotRetentionLimit: 0 }),
    expect: /snapshot_retention_limit is 0/,
  },
  {
    rule: "OS-ENCRYPTION",
    compliant: (s) => search(s),
    violating: (s) => search(s, { nodeToNodeEncryption: { enabled: false } }),
    expect: /node_to_node_encryption is not enabled/,
  },
  {
    rule: "OS-HTTPS-TLS12",
    compliant: (s) => search(s),
    violating: (s) => search(s, { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-0-2019-07" } }),
    expect: /tls_security_policy is "Policy-Min-TLS-1-0-2019-07"/,
  },
  {
    rule: "OS-VPC-FGAC",
    compliant: (s) => searchWithPolicy(s, "arn:aws:iam::123456789012:role/acme-prod-search-writer"),
    violating: (s) => searchWithPolicy(s, "*"),
    expect: /allows principal "\*" without a condition/,
  },
  {
    rule: "OS-VPC-FGAC",
    name: "public endpoint without fine-grained access control",
    compliant: (s) => search(s),
    violating: (s) => search(s, { vpcOptions: undefined, advancedSecurityOptions: { enabled: false } }),
    expect: [/vpc_options\.subnet_ids is not set/, /fine-grained access control/],
  },
  {
    rule: "OS-HA",
    compliant: (s) => search(s),
    violating: (s) => search(s, { clusterConfig: { zoneAwarenessEnabled: false, dedicatedMasterEnabled: false, instanceCount: 1 } }),
    expect: /zone_awareness_enabled is not true/,
  },
  {
    rule: "MQ-PRIVATE",
    compliant: (s) => broker(s),
    violating: (s) => broker(s, { publiclyAccessible: true }),
    expect: /publicly_accessible is true/,
  },
  {
    rule: "MQ-HA",
    compliant: (s) => broker(s),
    violating: (s) => broker(s, { deploymentMode: "SINGLE_INSTANCE" }),
    expect: /deployment_mode is "SINGLE_INSTANCE"/,
  },
  {
    rule: "MQ-ENCRYPTION",
    name: "RabbitMQ rejects encryption options",
    compliant: (s) => broker(s),
    violating: (s) => broker(s, { encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: KEY_ARN } }),
    expect: /encryption_options is set on a RabbitMQ broker: CreateBroker fails/,
  },
  {
    rule: "MQ-ENCRYPTION",
    name: "production ActiveMQ uses a customer-managed key",
    compliant: (s) => broker(s, { engineType: "ActiveMQ", engineVersion: "5.18", encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: KEY_ARN } }),
    violating: (s) => broker(s, { engineType: "ActiveMQ", engineVersion: "5.18" }),
    expect: /use_aws_owned_key is not false: production ActiveMQ data is encrypted with a customer-managed key/,
  },
  {
    rule: "MQ-LOGS",
    compliant: (s) => broker(s),
    violating: (s) => broker(s, { logs: { general: false } }),
    expect: /logs\.general is not enabled/,
  },
];
