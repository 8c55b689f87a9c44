/**
 * MongoDB-compatible database settings (Amazon DocumentDB) and their rules, shared by the construct and the
 * configuration schema.
 */
import { instanceClassProblem, sizes, type InstanceClassTable } from "../data-access/instance-classes";
import { ProblemList, type SettingProblem } from "../data-access/problems";
import { catalogComponent } from "../core/versions";
import { checkDailyWindow, checkWeeklyWindow, windowsOverlap } from "../data-access/windows";

/** Engine versions and their cluster parameter group families, from the version catalog (constructs/core/versions.ts). */
export const DOCUMENTDB_ENGINE_VERSIONS: Readonly<Record<string, string>> = Object.fromEntries(
  catalogComponent("documentdb").versions.map((entry) => [entry.version, entry.parameterFamily ?? `docdb${entry.version.slice(0, 3)}`]),
);

export const DOCUMENTDB_INSTANCE_CLASSES: InstanceClassTable = {
  "db.t3": ["medium"],
  "db.t4g": ["medium"],
  "db.r5": sizes("large", "24xlarge", ["16xlarge"]),
  "db.r6g": sizes("large", "16xlarge"),
  "db.r6gd": sizes("xlarge", "16xlarge"),
  "db.r8g": sizes("large", "16xlarge"),
};

/** A cluster has 1 primary and up to 15 replicas. */
export const MAX_INSTANCES = 16;
export const BACKUP_RETENTION_RANGE = [1, 35] as const;
export const HA_MIN_INSTANCES = 3;
export const HA_MIN_BACKUP_RETENTION_DAYS = 7;
export const MIN_WINDOW_MINUTES = 30;

export interface DocumentDbSettings {
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** Instances (primary plus replicas), spread over the data-tier zones. */
  readonly instances: number;
  readonly masterUsername: string;
  readonly port: number;
  readonly backup: { readonly retentionDays: number; readonly window: string };
  readonly maintenanceWindow: string;
  /** Operations slower than this are written to the profiler log. */
  readonly profilerThresholdMs: number;
}

const USER_NAME = /^[a-zA-Z][a-zA-Z0-9]{0,62}$/;
const RESERVED_USERS = ["admin", "root", "serviceadmin"];

/** Problems of the settings; `asOf` (configuration validation) also rejects a version past its end of standard support. */
export function documentDbProblems(settings: DocumentDbSettings, asOf?: string): SettingProblem[] {
  const p = new ProblemList();
  p.version("documentdb", settings.engineVersion, ["engineVersion"], asOf);
  const classProblem = instanceClassProblem(settings.instanceClass, DOCUMENTDB_INSTANCE_CLASSES, "DocumentDB");
  p.check(classProblem === undefined, ["instanceClass"], classProblem ?? "", settings.instanceClass);
  p.range(settings.instances, 1, MAX_INSTANCES, ["instances"], "instances (primary plus replicas)");
  p.check(
    USER_NAME.test(settings.masterUsername) && !RESERVED_USERS.includes(settings.masterUsername.toLowerCase()),
    ["masterUsername"],
    `must start with a letter, contain only letters and digits (at most 63) and not be reserved (${RESERVED_USERS.join(", ")})`,
    settings.masterUsername,
  );
  p.range(settings.port, 1150, 65535, ["port"], "port");
  p.range(settings.backup.retentionDays, BACKUP_RETENTION_RANGE[0], BACKUP_RETENTION_RANGE[1], ["backup", "retentionDays"], "backup retention (days)");
  checkDailyWindow(p, settings.backup.window, ["backup", "window"], MIN_WINDOW_MINUTES);
  checkWeeklyWindow(p, settings.maintenanceWindow, ["maintenanceWindow"], MIN_WINDOW_MINUTES);
  p.check(
    !windowsOverlap(settings.backup.window, settings.maintenanceWindow),
    ["backup", "window"],
    `must not overlap the maintenance window ${settings.maintenanceWindow}`,
    settings.backup.window,
  );
  p.range(settings.profilerThresholdMs, 50, 2147483646, ["profilerThresholdMs"], "profiler threshold (ms)");
  return p.items;
}

/** Production minimums: three instances (one per zone) and a week of point-in-time recovery. */
export function documentDbHighAvailabilityProblems(settings: DocumentDbSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(settings.instances >= HA_MIN_INSTANCES, ["instances"], `production needs at least ${HA_MIN_INSTANCES} instances across availability zones`, settings.instances);
  p.check(
    settings.backup.retentionDays >= HA_MIN_BACKUP_RETENTION_DAYS,
    ["backup", "retentionDays"],
    `production keeps at least ${HA_MIN_BACKUP_RETENTION_DAYS} days of backups`,
    settings.backup.retentionDays,
  );
  return p.items;
}
