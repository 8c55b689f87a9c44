/**
 * A Redis-compatible cache: an ElastiCache replication group (Valkey by default, or Redis OSS 7) in the data tier,
 * reachable only from the security groups passed in.
 *
 * Authentication: RBAC with IAM. The replication group uses a user group holding
 * - the mandatory `default` user, disabled (`off`, no command or key) so an unauthenticated connection can do nothing;
 * - one IAM-authenticated user per product instance that uses the cache, which that instance's stack creates and
 *   adds to the group (constructs/cache-user, `aws_elasticache_user_group_association`): the environment's own
 *   instances and every shared tenant's, each with its own access string (a tenant: its key prefix only). Clients sign
 *   a short-lived token (SigV4, `elasticache:Connect` on the replication group and their own user) instead of
 *   sending a password.
 * Who owns the membership: this construct creates the group with the default user only and ignores later changes
 * to `user_ids` (as the provider's aws_elasticache_user_group_association documentation prescribes), so the
 * associations other stacks add are never removed by this stack's next apply. The provider retries an association
 * while the group is `modifying` (terraform-provider-aws PR #28689), so tenants can be applied in parallel.
 * Why IAM rather than an AUTH token: a token would have to be generated somewhere and handed to Terraform, and the
 * random provider is unavailable offline; any value Terraform generates or is given lands in state and (for a
 * literal) in synthesized JSON. With IAM there is no long-lived secret at all, access is granted per workload role,
 * and revoking it is an IAM change. Trade-off: clients must support IAM token auth (TLS is required anyway).
 *
 * Also: encryption at rest with the data key and in transit (TLS required), automatic failover and Multi-AZ with 2+
 * nodes spread over the subnet group's zones, daily snapshots, slow and engine logs to encrypted log groups, a
 * parameter group with the configured eviction policy, a final snapshot and `prevent_destroy` in protected
 * environments. Publishes its ServiceConnection (primary/reader endpoints, TLS, IAM auth, the engine and user group
 * its users join) as an SSM parameter.
 */
import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { partitionOf, type AccountScope } from "../core/aws";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import type { Naming } from "../core/naming";
import { pickDefined, publishConnection, serviceLogGroup, ServiceSecurityGroup, type DataServiceProps, type PublishedConnection } from "../data-access";
import { throwIfProblems } from "../data-access/problems";
import { redisHighAvailabilityProblems, redisParameterFamily, redisProblems, type EvictionPolicy, type RedisEngine, type RedisSettings } from "./rules";
import { defaultVersion } from "../core/versions";

export * from "./rules";

export const REDIS_DEFAULTS = {
  engine: "valkey",
  // The version catalog's default (constructs/core/versions.ts).
  engineVersion: defaultVersion("valkey"),
  nodes: 2,
  port: 6379,
  snapshotRetentionDays: 7,
  snapshotWindow: "01:00-02:00",
  maintenanceWindow: "sun:04:00-sun:05:00",
  evictionPolicy: "volatile-lru",
} as const satisfies Omit<RedisSettings, "nodeType">;

const REDIS_OPTIONAL_KEYS = [
  "engine", "engineVersion", "nodes", "port", "snapshotRetentionDays", "snapshotWindow", "maintenanceWindow", "evictionPolicy",
] as const;

/** Log types delivered to CloudWatch Logs. */
export const REDIS_LOG_TYPES = ["slow-log", "engine-log"] as const;
/** The access string that disables the mandatory `default` user. */
export const DISABLED_ACCESS_STRING = "off -@all";

export interface RedisProps extends DataServiceProps {
  readonly nodeType: string;
  /**
   * Valkey or Redis OSS.
   * @default "valkey"
   */
  readonly engine?: RedisEngine;
  /**
   * Engine version (IAM authentication needs Valkey 7.2+ or Redis OSS 7+).
   * @default the version catalog's default for valkey ("8.0", constructs/core/versions.ts)
   */
  readonly engineVersion?: string;
  /**
   * Primary plus replicas, spread over the data-tier zones; 2 or more turn on automatic failover and Multi-AZ.
   * @default 2
   */
  readonly nodes?: number;
  /**
   * Port clients connect to.
   * @default 6379
   */
  readonly port?: number;
  /**
   * Days of daily snapshots kept; 0 turns snapshots off.
   * @default 7
   */
  readonly snapshotRetentionDays?: number;
  /**
   * Daily UTC snapshot window (at least 60 minutes).
   * @default "01:00-02:00"
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly UTC maintenance window (at least 60 minutes).
   * @default "sun:04:00-sun:05:00"
   */
  readonly maintenanceWindow?: string;
  /**
   * `maxmemory-policy`.
   * @default "volatile-lru" — only keys with a TTL are evicted, so queues and sessions without one survive pressure
   */
  readonly evictionPolicy?: EvictionPolicy;
}

/**
 * User id (= user name, as IAM authentication requires) of a product instance's own user on a cache: named in the
 * instance's scope (a shared tenant's naming carries the tenant id), unique per account and region.
 */
export function redisUserId(instanceNaming: Naming, serviceName: string, product: string): string {
  return instanceNaming.name("elasticache-user", "redis", serviceName, "app", product);
}

/** User group of a cache (its users join it). */
export function redisUserGroupId(naming: Naming, serviceName: string): string {
  return naming.name("elasticache-user-group", "redis", serviceName);
}

/** Replication group id of a cache. */
export function redisReplicationGroupId(naming: Naming, serviceName: string): string {
  return naming.name("elasticache-replication-group", "redis", serviceName);
}

/** Resources a workload role needs `elasticache:Connect` on to sign in as its instance's own user, and nothing else. */
export function redisConnectArns(account: AccountScope, naming: Naming, serviceName: string, userId: string): string[] {
  const prefix = `arn:${partitionOf(account.region)}:elasticache:${account.region}:${account.accountId}`;
  return [`${prefix}:replicationgroup:${redisReplicationGroupId(naming, serviceName)}`, `${prefix}:user:${userId}`];
}

export class Redis extends Construct {
  readonly settings: RedisSettings;
  readonly securityGroup: ServiceSecurityGroup;
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly userGroup: ElasticacheUserGroup;
  readonly connection: PublishedConnection;
  readonly connectionParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const settings: RedisSettings = { ...REDIS_DEFAULTS, ...pickDefined(props, REDIS_OPTIONAL_KEYS), nodeType: props.nodeType };
    const highAvailability = props.highAvailability ?? true;
    throwIfProblems(`Redis ${props.name}`, [...redisProblems(settings), ...(highAvailability ? redisHighAvailabilityProblems(settings) : [])]);
    this.settings = settings;
    const { naming, name } = props;
    const protect = props.protectState ?? true;
    const groupId = redisReplicationGroupId(naming, name);
    const family = redisParameterFamily(settings.engine, settings.engineVersion) as string;
    const replicated = settings.nodes >= 2;

    this.securityGroup = new ServiceSecurityGroup(this, "security-group", {
      naming,
      vpcId: props.dataTier.vpcId,
      component: `redis-${name}`,
      description: `Redis ${name}: port ${settings.port} from workload security groups only`,
      ports: [settings.port],
      sources: props.allowedSecurityGroupIds,
    });

    const parameterGroup = new ElasticacheParameterGroup(this, "parameter-group", {
      name: naming.name("elasticache-parameter-group", "redis", name, family),
      family,
      description: `${groupId}: eviction policy from configuration`,
      parameter: [{ name: "maxmemory-policy", value: settings.evictionPolicy }],
      lifecycle: { createBeforeDestroy: true },
    });

    const defaultUser = new ElasticacheUser(this, "default-user", {
      userId: naming.name("elasticache-user", "redis", name, "default"),
      userName: "default",
      engine: settings.engine,
      accessString: DISABLED_ACCESS_STRING,
      authenticationMode: { type: "no-password-required" },
    });
    this.userGroup = new ElasticacheUserGroup(this, "user-group", {
      userGroupId: redisUserGroupId(naming, name),
      engine: settings.engine,
      userIds: [defaultUser.userId],
      // Product instances' users join through their own stacks' associations (see the module comment).
      lifecycle: { ignoreChanges: ["user_ids"] },
    });

    const logGroups = REDIS_LOG_TYPES.map((type) => serviceLogGroup(this, `log-group-${type}`, naming.logGroup("elasticache", name, type), props.logging));
    // No preferred_cache_cluster_azs: ElastiCache spreads nodes over the subnet group's zones, and pinning them
    // would make adding a node replace the whole group (the attribute forces replacement).
    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: groupId,
      description: `${settings.engine} ${name}`,
      engine: settings.engine,
      engineVersion: settings.engineVersion,
      nodeType: settings.nodeType,
      numCacheClusters: settings.nodes,
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      port: settings.port,
      subnetGroupName: props.dataTier.cacheSubnetGroupName,
      securityGroupIds: [this.securityGroup.groupId],
      parameterGroupName: parameterGroup.name,
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.encryptionKey.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [this.userGroup.userGroupId],
      autoMinorVersionUpgrade: "true",
      snapshotRetentionLimit: settings.snapshotRetentionDays,
      snapshotWindow: settings.snapshotWindow,
      maintenanceWindow: settings.maintenanceWindow,
      ...(protect ? { finalSnapshotIdentifier: `${groupId}-final` } : {}),
      logDeliveryConfiguration: REDIS_LOG_TYPES.map((logType, index) => ({
        destination: (logGroups[index] as (typeof logGroups)[number]).name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType,
      })),
      tags: backupTag(props.backupPlan ?? DEFAULT_BACKUP_PLAN),
      lifecycle: { preventDestroy: protect },
      dependsOn: logGroups as ITerraformDependable[],
    });

    this.connection = {
      kind: "redis",
      name,
      host: this.replicationGroup.primaryEndpointAddress,
      ...(replicated ? { readerHost: this.replicationGroup.readerEndpointAddress } : {}),
      port: settings.port,
      tls: true,
      iamAuth: true,
      engine: settings.engine,
      userGroupId: this.userGroup.userGroupId,
    };
    this.connectionParameter = publishConnection(this, "connection", naming, this.connection);
  }
}
