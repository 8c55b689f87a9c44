/**
 * What each AWS Backup plan of an environment actually protects, derived from the environment's declared services and
 * buckets (each joins the plan its `backupPlan` names; Velero's bucket joins `default`), and the rules that depend on
 * it:
 *
 * - **Point-in-time retention** of PostgreSQL (Aurora and RDS): when the service's plan has a continuous rule, AWS
 *   Backup takes over the database's automated backups and sets their retention to the continuous rule's. A
 *   `backup_retention_period` that differs fails later applies ("The BackupRetentionPeriod can be blank, or you can
 *   use the current value", hashicorp/terraform-provider-aws#33465; the RDS guide says automated backups are managed
 *   by AWS Backup then: USER_WorkingWithAutomatedBackups.html#USER_WorkingWithAutomatedBackups.Enabling). So the plan
 *   is the one source of truth: the retention is derived from it, and a different configured value is an error.
 *   Without a continuous rule the database keeps its own retention (configured, or the profile's).
 * - **Restore testing** selects only resource types the plan protects here; an explicit type it does not protect is
 *   an error (a restore test with nothing to restore fails every run).
 * - **Cold storage**: AWS Backup moves recovery points to cold storage only for the resource types that support it
 *   (Feature availability by resource: https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-feature-availability.html).
 *   Aurora, RDS, DocumentDB and S3 — everything this platform backs up with AWS Backup — do not: the transition is
 *   silently ignored and the points stay warm (and billed as warm) for their whole retention. A transition on a plan
 *   that protects no supporting type is therefore an error, and the construct emits it only where it applies.
 */
import { DEFAULT_BACKUP_PLAN } from "../../constructs/core/backup-tag";
import type { BackupConfig, BackupPlanConfig } from "./backup";
import { SCHEDULE_TIERS } from "./backup";

/** AWS Backup resource types (the names restore testing uses) the platform's resources are backed up as. */
export type ProtectedResourceType = "Aurora" | "RDS" | "DocumentDB" | "S3" | "EFS" | "DynamoDB" | "EBS";

/**
 * Resource types whose recovery points AWS Backup can move to cold storage (feature availability table, "Lifecycle to
 * cold storage"): EFS, DynamoDB (advanced features), EBS (archive tier), Timestream, SAP HANA, VMware. Not Aurora, RDS,
 * DocumentDB or S3.
 */
export const COLD_STORAGE_RESOURCE_TYPES: readonly ProtectedResourceType[] = ["EFS", "DynamoDB", "EBS"];

/** Point-in-time retention of a database whose plan has no continuous rule and whose configuration sets none. */
export const POINT_IN_TIME_DEFAULT_DAYS: Readonly<Record<string, number>> = { production: 14, staging: 7, development: 1 };

/** The parts of an environment the coverage is derived from. */
export interface CoverageInput {
  readonly profile: string;
  readonly backup: Pick<BackupConfig, "plans"> & { readonly velero: { readonly enabled: boolean } };
  readonly services: {
    readonly postgres: Readonly<Record<string, { readonly engine: string; readonly backupPlan: string; readonly backup: { readonly retentionDays?: number | undefined } }>>;
    readonly documentdb: Readonly<Record<string, { readonly backupPlan: string }>>;
  };
  readonly storage: { readonly buckets: Readonly<Record<string, { readonly backupPlan: string }>> };
}

/** Per plan name, the resource types of the environment's resources the plan selects. */
export function protectedResourceTypes(env: CoverageInput): Map<string, Set<ProtectedResourceType>> {
  const types = new Map<string, Set<ProtectedResourceType>>();
  const add = (plan: string, type: ProtectedResourceType) => types.set(plan, new Set([...(types.get(plan) ?? []), type]));
  for (const entry of Object.values(env.services.postgres)) add(entry.backupPlan, entry.engine === "postgres" ? "RDS" : "Aurora");
  for (const entry of Object.values(env.services.documentdb)) add(entry.backupPlan, "DocumentDB");
  for (const bucket of Object.values(env.storage.buckets)) add(bucket.backupPlan, "S3");
  if (env.backup.velero.enabled) add(DEFAULT_BACKUP_PLAN, "S3");
  return types;
}

/** Whether a plan protects any resource type that supports cold storage. */
export function supportsColdStorage(types: ReadonlySet<ProtectedResourceType> | undefined): boolean {
  return [...(types ?? [])].some((type) => COLD_STORAGE_RESOURCE_TYPES.includes(type));
}

/** Restore-test types of a plan: the configured list (or every protected type when absent), kept to what the plan protects. */
export function restoreTestTypes(plan: BackupPlanConfig, protectedTypes: ReadonlySet<ProtectedResourceType> | undefined): string[] {
  const present = protectedTypes ?? new Set<ProtectedResourceType>();
  const wanted: readonly string[] = plan.restoreTesting.resourceTypes ?? [...present].sort();
  return wanted.filter((type) => present.has(type as ProtectedResourceType));
}

export interface PointInTime {
  readonly days: number;
  /** Where the value comes from: the plan's continuous rule, the service's configuration, or the profile default. */
  readonly source: "continuous" | "configured" | "default";
  /** A configured value that differs from the continuous rule's retention (a configuration error). */
  readonly conflict?: { readonly configured: number; readonly continuous: number; readonly plan: string };
}

/** The point-in-time retention (backup_retention_period) of a PostgreSQL service: see the module comment. */
export function pointInTimeRetention(
  entry: { readonly backupPlan: string; readonly backup: { readonly retentionDays?: number | undefined } },
  plans: Readonly<Record<string, BackupPlanConfig>>,
  profile: string,
): PointInTime {
  const configured = entry.backup.retentionDays;
  const plan = plans[entry.backupPlan];
  if (plan?.continuous.enabled) {
    const continuous = plan.continuous.retentionDays;
    return configured !== undefined && configured !== continuous
      ? { days: continuous, source: "continuous", conflict: { configured, continuous, plan: entry.backupPlan } }
      : { days: continuous, source: "continuous" };
  }
  if (configured !== undefined) return { days: configured, source: "configured" };
  return { days: POINT_IN_TIME_DEFAULT_DAYS[profile] ?? POINT_IN_TIME_DEFAULT_DAYS.production ?? 14, source: "default" };
}

export interface CoverageIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

/** Configuration errors of the backup policy against what the environment holds (see the module comment). */
export function backupCoverageIssues(env: CoverageInput): CoverageIssue[] {
  const issues: CoverageIssue[] = [];
  const covered = protectedResourceTypes(env);
  for (const [name, entry] of Object.entries(env.services.postgres)) {
    const { conflict } = pointInTimeRetention(entry, env.backup.plans, env.profile);
    if (!conflict) continue;
    issues.push({
      path: ["services", "postgres", name, "backup", "retentionDays"],
      message:
        `plan ${conflict.plan} has continuous backup, so AWS Backup manages this database's automated backups with the continuous rule's retention ` +
        `(backup.plans.${conflict.plan}.continuous.retentionDays = ${conflict.continuous}); a different backup_retention_period fails later applies ` +
        `("The BackupRetentionPeriod can be blank, or you can use the current value", terraform-provider-aws#33465). Remove backup.retentionDays ` +
        `(it is derived from the plan) or set it to ${conflict.continuous}, in the environment file or its services.defaults.postgres.backup`,
      input: conflict.configured,
    });
  }
  for (const [planName, plan] of Object.entries(env.backup.plans)) {
    const types = covered.get(planName);
    const present = [...(types ?? [])].sort();
    if (plan.restoreTesting.frequency !== "none") {
      plan.restoreTesting.resourceTypes?.forEach((type, index) => {
        if (types?.has(type as ProtectedResourceType)) return;
        issues.push({
          path: ["backup", "plans", planName, "restoreTesting", "resourceTypes", index],
          message: `plan ${planName} protects no ${type} resource in this environment (it protects: ${present.join(", ") || "nothing"}); a restore test of it would fail every run. Remove it, or omit resourceTypes to test every protected type`,
          input: type,
        });
      });
    }
    if (supportsColdStorage(types)) continue;
    for (const tier of SCHEDULE_TIERS) {
      if (tier === "frequent") continue;
      const settings = plan[tier];
      if (!settings.enabled || settings.coldStorageAfterDays === null) continue;
      issues.push({
        path: ["backup", "plans", planName, tier, "coldStorageAfterDays"],
        message:
          `plan ${planName} protects ${present.length > 0 ? `only ${present.join(", ")} here, which AWS Backup never moves` : "nothing here that AWS Backup can move"} to cold storage (supported: ${COLD_STORAGE_RESOURCE_TYPES.join(", ")}): ` +
          `the recovery points would stay in warm storage for all ${settings.retentionDays} days. Set coldStorageAfterDays: null`,
        input: settings.coldStorageAfterDays,
      });
    }
  }
  return issues;
}
