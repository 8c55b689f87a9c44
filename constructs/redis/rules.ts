/**
 * Redis-compatible cache settings (ElastiCache for Valkey or Redis OSS) and their rules, shared by the construct
 * and the configuration schema.
 */
import { instanceClassProblem, sizes, type InstanceClassTable } from "../data-access/instance-classes";
import { ProblemList, type SettingProblem } from "../data-access/problems";
import { catalogComponent } from "../core/versions";
import { checkDailyWindow, checkWeeklyWindow, windowsOverlap } from "../data-access/windows";

export const REDIS_ENGINES = ["valkey", "redis"] as const;
export type RedisEngine = (typeof REDIS_ENGINES)[number];

/**
 * Engine versions and their parameter group families, from the version catalog (constructs/core/versions.ts), which
 * lists only versions with IAM authentication (Valkey 7.2+, Redis OSS 7+).
 */
export const REDIS_ENGINE_VERSIONS: Readonly<Record<RedisEngine, Readonly<Record<string, string>>>> = {
  valkey: parameterFamilies("valkey"),
  redis: parameterFamilies("redis"),
};

function parameterFamilies(component: "valkey" | "redis"): Record<string, string> {
  return Object.fromEntries(catalogComponent(component).versions.map((entry) => [entry.version, entry.parameterFamily ?? `${component}${entry.version.split(".")[0]}`]));
}

/** Node types (families and sizes) ElastiCache offers for Valkey and Redis OSS. */
export const REDIS_NODE_TYPES: InstanceClassTable = {
  "cache.t3": ["micro", "small", "medium"],
  "cache.t4g": ["micro", "small", "medium"],
  "cache.m5": sizes("large", "24xlarge", ["8xlarge", "16xlarge"]),
  "cache.m6g": sizes("large", "16xlarge"),
  "cache.m7g": sizes("large", "16xlarge"),
  "cache.r5": sizes("large", "24xlarge", ["8xlarge", "16xlarge"]),
  "cache.r6g": sizes("large", "16xlarge"),
  "cache.r7g": sizes("large", "16xlarge"),
};

export const EVICTION_POLICIES = [
  "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** A replication group without cluster mode holds a primary and up to 5 replicas. */
export const MAX_NODES = 6;
export const MAX_SNAPSHOT_RETENTION_DAYS = 35;
/** ElastiCache snapshot windows must be at least an hour; maintenance windows too. */
export const MIN_WINDOW_MINUTES = 60;

export interface RedisSettings {
  readonly engine: RedisEngine;
  /** `<major>.<minor>`, e.g. "8.0". */
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Primary plus replicas; 2 or more turn on automatic failover and Multi-AZ. */
  readonly nodes: number;
  readonly port: number;
  /** Days of daily snapshots kept; 0 turns snapshots off. */
  readonly snapshotRetentionDays: number;
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
  /** `maxmemory-policy`. */
  readonly evictionPolicy: EvictionPolicy;
}

export function redisParameterFamily(engine: RedisEngine, engineVersion: string): string | undefined {
  return REDIS_ENGINE_VERSIONS[engine]?.[engineVersion];
}

/** Problems of the settings; `asOf` (configuration validation) also rejects a version past its end of standard support. */
export function redisProblems(settings: RedisSettings, asOf?: string): SettingProblem[] {
  const p = new ProblemList();
  p.oneOf(settings.engine, REDIS_ENGINES, ["engine"], "engine");
  if ((REDIS_ENGINES as readonly string[]).includes(settings.engine)) p.version(settings.engine, settings.engineVersion, ["engineVersion"], asOf);
  const nodeProblem = instanceClassProblem(settings.nodeType, REDIS_NODE_TYPES, `ElastiCache ${settings.engine}`);
  p.check(nodeProblem === undefined, ["nodeType"], nodeProblem ?? "", settings.nodeType);
  p.range(settings.nodes, 1, MAX_NODES, ["nodes"], "nodes (primary plus replicas)");
  p.range(settings.port, 1024, 65535, ["port"], "port");
  p.range(settings.snapshotRetentionDays, 0, MAX_SNAPSHOT_RETENTION_DAYS, ["snapshotRetentionDays"], "snapshot retention (days)");
  checkDailyWindow(p, settings.snapshotWindow, ["snapshotWindow"], MIN_WINDOW_MINUTES);
  checkWeeklyWindow(p, settings.maintenanceWindow, ["maintenanceWindow"], MIN_WINDOW_MINUTES);
  p.check(
    !windowsOverlap(settings.snapshotWindow, settings.maintenanceWindow),
    ["snapshotWindow"],
    `must not overlap the maintenance window ${settings.maintenanceWindow}`,
    settings.snapshotWindow,
  );
  p.oneOf(settings.evictionPolicy, EVICTION_POLICIES, ["evictionPolicy"], "eviction policy");
  return p.items;
}

/** Production minimums: a replica in another zone with automatic failover, and daily snapshots. */
export function redisHighAvailabilityProblems(settings: RedisSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(settings.nodes >= 2, ["nodes"], "production needs at least 2 nodes (a replica in another zone for automatic failover)", settings.nodes);
  p.check(settings.snapshotRetentionDays >= 1, ["snapshotRetentionDays"], "production keeps at least 1 day of snapshots", settings.snapshotRetentionDays);
  return p.items;
}
