/**
 * PostgreSQL settings and their rules, shared by the construct (throws) and the configuration schema (reports at
 * `services.postgres.<name>`).
 */
import { instanceClassProblem, sizes, type InstanceClassTable } from "../data-access/instance-classes";
import { ProblemList, type SettingProblem } from "../data-access/problems";
import { checkDailyWindow, checkWeeklyWindow, windowsOverlap } from "../data-access/windows";

export const POSTGRES_ENGINES = ["aurora-postgresql", "postgres"] as const;
export type PostgresEngine = (typeof POSTGRES_ENGINES)[number];


/** Instance classes per engine. Aurora offers memory-optimised and burstable classes only. */
export const POSTGRES_INSTANCE_CLASSES: Readonly<Record<PostgresEngine, InstanceClassTable>> = {
  "aurora-postgresql": {
    "db.t3": ["medium", "large"],
    "db.t4g": ["medium", "large"],
    "db.r5": sizes("large", "24xlarge"),
    "db.r6g": sizes("large", "16xlarge"),
    "db.r6i": sizes("large", "32xlarge"),
    "db.r7g": sizes("large", "16xlarge"),
    "db.r7i": sizes("large", "48xlarge"),
    "db.r8g": sizes("large", "48xlarge"),
    "db.x2g": sizes("large", "16xlarge"),
  },
  postgres: {
    "db.t3": sizes("micro", "2xlarge"),
    "db.t4g": sizes("micro", "2xlarge"),
    "db.m5": sizes("large", "24xlarge"),
    "db.m6g": sizes("large", "16xlarge"),
    "db.m6i": sizes("large", "32xlarge"),
    "db.m7g": sizes("large", "16xlarge"),
    "db.m7i": sizes("large", "48xlarge"),
    "db.r5": sizes("large", "24xlarge"),
    "db.r6g": sizes("large", "16xlarge"),
    "db.r6i": sizes("large", "32xlarge"),
    "db.r7g": sizes("large", "16xlarge"),
    "db.r7i": sizes("large", "48xlarge"),
  },
};

/** Aurora allows 15 readers per cluster; RDS PostgreSQL 15 read replicas per source. */
export const MAX_READERS = 15;
/** Automated backups: 1 to 35 days (0 would disable point-in-time recovery). */
export const BACKUP_RETENTION_RANGE = [1, 35] as const;
/** Production keeps at least a week of point-in-time recovery. */
export const HA_MIN_BACKUP_RETENTION_DAYS = 7;
/** RDS gp3 storage limits (GiB). */
export const STORAGE_RANGE_GB = [20, 65536] as const;
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;
/** Performance Insights retention: the free 7 days, a multiple of 31 up to 713, or 731 (two years). */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731] as const;
/** Backup and maintenance windows must be at least this long. */
export const MIN_WINDOW_MINUTES = 30;

/** Tunables written to the (cluster) parameter group; each is optional and left at the engine default when absent. */
export interface PostgresParameters {
  /** `max_connections` (static: applied at the next reboot). */
  readonly maxConnections?: number;
  /** `shared_buffers` in MiB (static). */
  readonly sharedBuffersMb?: number;
  /** `effective_cache_size` in MiB. */
  readonly effectiveCacheSizeMb?: number;
  /** `work_mem` in MiB. */
  readonly workMemMb?: number;
  /** `maintenance_work_mem` in MiB. */
  readonly maintenanceWorkMemMb?: number;
  /** `log_min_duration_statement` in milliseconds (-1 disables slow statement logging). */
  readonly logMinDurationStatementMs?: number;
}

export interface PostgresSettings {
  readonly engine: PostgresEngine;
  /** Exact engine version, `<major>.<minor>` (e.g. "16.6"). */
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** Aurora reader instances, or RDS read replicas. */
  readonly readers: number;
  /** Initial database; defaults to the service name with '-' replaced by '_'. */
  readonly databaseName?: string;
  readonly masterUsername: string;
  readonly port: number;
  /** RDS only: allocated storage and the storage autoscaling ceiling (GiB). */
  readonly storage: { readonly allocatedGb: number; readonly maxAllocatedGb: number };
  /** RDS only: a synchronous standby in another availability zone. */
  readonly multiAz: boolean;
  readonly backup: { readonly retentionDays: number; readonly window: string };
  readonly maintenanceWindow: string;
  readonly iamAuthentication: boolean;
  readonly performanceInsightsRetentionDays: number;
  /** Enhanced monitoring interval in seconds; 0 turns it off. */
  readonly monitoringIntervalSeconds: number;
  readonly parameters: PostgresParameters;
}

const VERSION = /^(\d+)\.(\d+)$/;
const DATABASE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const USER_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const RESERVED_USERS = ["rdsadmin", "rdsrepladmin", "rds_superuser"];

/** Major version of an engine version string, or undefined when malformed. */
export function postgresMajor(engineVersion: string): number | undefined {
  const match = VERSION.exec(engineVersion);
  return match ? Number(match[1]) : undefined;
}

/** Parameter group family, e.g. `aurora-postgresql16` or `postgres16`. */
export function postgresParameterFamily(engine: PostgresEngine, engineVersion: string): string {
  return `${engine}${postgresMajor(engineVersion) ?? "unknown"}`;
}

/** Database name used when settings give none: the service name with '-' replaced by '_'. */
export function defaultDatabaseName(serviceName: string): string {
  return serviceName.replace(/-/g, "_");
}

/**
 * Settings as configuration states them: the point-in-time retention may be absent there (it is then derived from the
 * backup plan, config/schema/backup-coverage.ts); the construct always has it.
 */
export type PostgresSettingsInput = Omit<PostgresSettings, "backup"> & { readonly backup: { readonly retentionDays?: number | undefined; readonly window: string } };

/**
 * Problems of the settings. `asOf` (configuration validation): also reject an engine version past its end of standard
 * support on that day (constructs/core/versions.ts); the construct checks catalog membership only.
 */
export function postgresProblems(settings: PostgresSettingsInput, asOf?: string): SettingProblem[] {
  const p = new ProblemList();
  p.oneOf(settings.engine, POSTGRES_ENGINES, ["engine"], "engine");
  // Exact versions from the catalog: Aurora's long-term-support minors, RDS minors (minor upgrades are a config change).
  if ((POSTGRES_ENGINES as readonly string[]).includes(settings.engine)) p.version(settings.engine, settings.engineVersion, ["engineVersion"], asOf);
  const classes = POSTGRES_INSTANCE_CLASSES[settings.engine];
  if (classes) {
    const problem = instanceClassProblem(settings.instanceClass, classes, settings.engine);
    p.check(problem === undefined, ["instanceClass"], problem ?? "", settings.instanceClass);
  }
  p.range(settings.readers, 0, MAX_READERS, ["readers"], "readers");
  if (settings.databaseName !== undefined) {
    p.check(DATABASE_NAME.test(settings.databaseName), ["databaseName"], "must start with a lowercase letter and contain only a-z, 0-9 and '_' (at most 63 characters)", settings.databaseName);
  }
  p.check(
    USER_NAME.test(settings.masterUsername) && !RESERVED_USERS.includes(settings.masterUsername),
    ["masterUsername"],
    `must start with a lowercase letter, contain only a-z, 0-9 and '_' and not be reserved (${RESERVED_USERS.join(", ")})`,
    settings.masterUsername,
  );
  p.range(settings.port, 1150, 65535, ["port"], "port");
  if (settings.engine === "postgres") {
    p.range(settings.storage.allocatedGb, STORAGE_RANGE_GB[0], STORAGE_RANGE_GB[1], ["storage", "allocatedGb"], "allocated storage (GiB)");
    p.check(
      settings.storage.maxAllocatedGb > settings.storage.allocatedGb && settings.storage.maxAllocatedGb <= STORAGE_RANGE_GB[1],
      ["storage", "maxAllocatedGb"],
      `the storage autoscaling ceiling must be above allocatedGb (${settings.storage.allocatedGb}) and at most ${STORAGE_RANGE_GB[1]}`,
      settings.storage.maxAllocatedGb,
    );
  }
  if (settings.backup.retentionDays !== undefined) {
    p.range(settings.backup.retentionDays, BACKUP_RETENTION_RANGE[0], BACKUP_RETENTION_RANGE[1], ["backup", "retentionDays"], "backup retention (days)");
  }
  checkDailyWindow(p, settings.backup.window, ["backup", "window"], MIN_WINDOW_MINUTES);
  checkWeeklyWindow(p, settings.maintenanceWindow, ["maintenanceWindow"], MIN_WINDOW_MINUTES);
  p.check(
    !windowsOverlap(settings.backup.window, settings.maintenanceWindow),
    ["backup", "window"],
    `must not overlap the maintenance window ${settings.maintenanceWindow}`,
    settings.backup.window,
  );
  p.oneOf(settings.performanceInsightsRetentionDays, PERFORMANCE_INSIGHTS_RETENTION_DAYS, ["performanceInsightsRetentionDays"], "Performance Insights retention (days)");
  p.oneOf(settings.monitoringIntervalSeconds, MONITORING_INTERVALS, ["monitoringIntervalSeconds"], "enhanced monitoring interval (seconds)");
  const params = settings.parameters;
  const positive = (value: number | undefined, max: number, key: keyof PostgresParameters, what: string) => {
    if (value !== undefined) p.range(value, 1, max, ["parameters", key], what);
  };
  positive(params.maxConnections, 262143, "maxConnections", "max_connections");
  positive(params.sharedBuffersMb, 1048576, "sharedBuffersMb", "shared_buffers (MiB)");
  positive(params.effectiveCacheSizeMb, 16777216, "effectiveCacheSizeMb", "effective_cache_size (MiB)");
  positive(params.workMemMb, 2097151, "workMemMb", "work_mem (MiB)");
  positive(params.maintenanceWorkMemMb, 2097151, "maintenanceWorkMemMb", "maintenance_work_mem (MiB)");
  if (params.logMinDurationStatementMs !== undefined) {
    p.range(params.logMinDurationStatementMs, -1, 2147483647, ["parameters", "logMinDurationStatementMs"], "log_min_duration_statement (ms)");
  }
  return p.items;
}

/** Production minimums: a reader in another zone, a standby for RDS, a week of point-in-time recovery. */
export function postgresHighAvailabilityProblems(settings: PostgresSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(settings.readers >= 1, ["readers"], "production needs at least 1 reader so a zone failure does not take the database down", settings.readers);
  if (settings.engine === "postgres") {
    p.check(settings.multiAz, ["multiAz"], "production RDS instances need a Multi-AZ standby", settings.multiAz);
  }
  p.check(
    settings.backup.retentionDays >= HA_MIN_BACKUP_RETENTION_DAYS,
    ["backup", "retentionDays"],
    `production keeps at least ${HA_MIN_BACKUP_RETENTION_DAYS} days of point-in-time recovery`,
    settings.backup.retentionDays,
  );
  return p.items;
}
