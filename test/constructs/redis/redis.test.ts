import { describe, expect, it } from "vitest";
import { Redis, redisConnectArns, redisUserId, type RedisProps } from "../../../constructs/redis";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { connectionKeys, naming, only, serviceProps, WORKLOAD_SG } from "../data-access/fixture";

type Overrides = Partial<Omit<RedisProps, "naming" | "account" | "name" | "dataTier" | "encryptionKey" | "logging">>;

function redis(overrides: Overrides = {}) {
  return synthConstruct((scope) => new Redis(scope, "redis", { ...serviceProps(scope, "cache"), nodeType: "cache.r7g.large", ...overrides }));
}

describe("Redis defaults (Valkey, protected, highly available)", () => {
  const { json } = redis();
  const group = only(json, "aws_elasticache_replication_group");

  it("replicates over two zones with automatic failover, leaving placement to the subnet group", () => {
    expect(group.preferred_cache_cluster_azs).toBeUndefined();
    expect(group).toMatchObject({
      replication_group_id: "acme-test-redis-cache",
      engine: "valkey",
      engine_version: "8.0",
      node_type: "cache.r7g.large",
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      subnet_group_name: "acme-test-data",
    });
  });

  it("encrypts at rest with the data key and requires TLS", () => {
    expect(group).toMatchObject({ at_rest_encryption_enabled: "true", transit_encryption_enabled: true, transit_encryption_mode: "required" });
    expect(group.kms_key_id).toContain("aws_kms_key.data-key");
  });

  it("authenticates through an RBAC user group holding only the disabled default user; instances' users join it from their own stacks", () => {
    expect(group.auth_token).toBeUndefined();
    expect(group.user_group_ids).toEqual([expect.stringContaining("aws_elasticache_user_group.redis_user-group")]);
    // No shared application user (formerly `on ~* +@all`): each product instance brings its own (constructs/cache-user).
    const users = resourceList(json, "aws_elasticache_user");
    expect(users).toEqual([expect.objectContaining({ user_name: "default", access_string: "off -@all", authentication_mode: { type: "no-password-required" } })]);
    for (const user of users) expect(user.passwords).toBeUndefined();
    const userGroup = only(json, "aws_elasticache_user_group");
    expect(userGroup).toMatchObject({ user_group_id: "acme-test-redis-cache", user_ids: [expect.stringContaining("default-user")], lifecycle: { ignore_changes: ["user_ids"] } });
  });

  it("keeps snapshots, a final snapshot and prevent_destroy, and carries the backup tag", () => {
    expect(group).toMatchObject({
      snapshot_retention_limit: 7,
      snapshot_window: "01:00-02:00",
      maintenance_window: "sun:04:00-sun:05:00",
      final_snapshot_identifier: "acme-test-redis-cache-final",
      lifecycle: { prevent_destroy: true },
      tags: { "platform:backup": "default" },
    });
  });

  it("delivers slow and engine logs to encrypted log groups", () => {
    expect(group.log_delivery_configuration).toEqual([
      expect.objectContaining({ log_type: "slow-log", destination_type: "cloudwatch-logs", log_format: "json" }),
      expect.objectContaining({ log_type: "engine-log", destination_type: "cloudwatch-logs" }),
    ]);
    const groups = resourceList(json, "aws_cloudwatch_log_group");
    expect(groups.map((g) => g.name).sort()).toEqual(["/acme/test/elasticache/cache/engine-log", "/acme/test/elasticache/cache/slow-log"]);
    for (const g of groups) expect(g.kms_key_id).toContain("aws_kms_key.logs-key");
  });

  it("sets the eviction policy in a parameter group of the engine's family", () => {
    expect(only(json, "aws_elasticache_parameter_group")).toMatchObject({ family: "valkey8", parameter: [{ name: "maxmemory-policy", value: "volatile-lru" }] });
  });

  it("admits 6379 only from the workload security group and publishes an IAM-auth connection", () => {
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toEqual([expect.objectContaining({ from_port: 6379, referenced_security_group_id: WORKLOAD_SG })]);
    const keys = connectionKeys(only(json, "aws_ssm_parameter").value);
    expect(keys).toMatchObject({ kind: '"redis"', port: "6379", tls: "true", iamAuth: "true", engine: '"valkey"' });
    expect(keys.userGroupId).toContain("aws_elasticache_user_group.redis_user-group");
    expect(keys.username).toBeUndefined();
    expect(keys.host).toContain("primary_endpoint_address");
    expect(keys.secretArn).toBeUndefined();
  });

  it("names the ARNs a workload needs elasticache:Connect on", () => {
    expect(redisConnectArns(TEST_ACCOUNT, naming, "cache", redisUserId(naming.forTenant("globex"), "cache", "shop"))).toEqual([
      "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:acme-test-redis-cache",
      "arn:aws:elasticache:eu-west-1:123456789012:user:acme-test-globex-redis-cache-app-shop",
    ]);
  });
});

describe("Redis: production vs development", () => {
  it("development runs one node without failover or final snapshot, still encrypted with TLS", () => {
    const { json } = redis({ nodes: 1, protectState: false, highAvailability: false, nodeType: "cache.t4g.small", snapshotRetentionDays: 0 });
    const group = only(json, "aws_elasticache_replication_group");
    expect(group).toMatchObject({ num_cache_clusters: 1, automatic_failover_enabled: false, multi_az_enabled: false, at_rest_encryption_enabled: "true", transit_encryption_enabled: true, lifecycle: { prevent_destroy: false } });
    expect(group.final_snapshot_identifier).toBeUndefined();
    expect(connectionKeys(only(json, "aws_ssm_parameter").value).readerHost).toBeUndefined();
  });

  it("production refuses a single node or no snapshots", () => {
    expect(() => redis({ nodes: 1 })).toThrow(/nodes: production needs at least 2 nodes/);
    expect(() => redis({ snapshotRetentionDays: 0 })).toThrow(/snapshotRetentionDays: production keeps at least 1 day of snapshots/);
  });
});

describe("Redis validation (one failing input per rule)", () => {
  const cases: [string, Overrides, RegExp][] = [
    ["version without IAM authentication", { engine: "redis", engineVersion: "6.2" }, /engineVersion: ElastiCache for Redis OSS 6\.2 is not in the version catalog \(constructs\/core\/versions\.ts\); allowed: 7\.0, 7\.1/],
    ["node type ElastiCache does not offer", { nodeType: "cache.x9.large" }, /nodeType: is not an instance class ElastiCache valkey offers; allowed families/],
    ["size the family lacks", { nodeType: "cache.t4g.large" }, /nodeType: cache\.t4g has no size "large"/],
    ["too many nodes", { nodes: 7 }, /nodes: nodes \(primary plus replicas\) must be an integer from 1 to 6/],
    ["port out of range", { port: 80 }, /port: port must be an integer from 1024 to 65535/],
    ["snapshot retention out of range", { snapshotRetentionDays: 36 }, /snapshotRetentionDays: snapshot retention \(days\) must be an integer from 0 to 35/],
    ["snapshot window shorter than an hour", { snapshotWindow: "01:00-01:30" }, /snapshotWindow: must be at least 60 minutes long/],
    ["malformed maintenance window", { maintenanceWindow: "sun:4-5" }, /maintenanceWindow: must be a weekly UTC window/],
    ["snapshot window overlapping maintenance", { snapshotWindow: "04:00-05:00" }, /snapshotWindow: must not overlap the maintenance window/],
    ["unknown eviction policy", { evictionPolicy: "lru" as never }, /evictionPolicy: eviction policy must be one of volatile-lru/],
    ["CIDR where only security groups are allowed", { allowedSecurityGroupIds: ["10.0.0.0/16"] }, /is a CIDR block; data services admit only security groups/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => redis(overrides)).toThrow(message);
  });
});
