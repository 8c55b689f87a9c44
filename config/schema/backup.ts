/**
 * `backup` section of an environment file: the backup and disaster-recovery policy as data.
 *
 * - `plans.<name>`: one AWS Backup plan per entry. Stateful resources join a plan with the tag
 *   `platform:backup = <name>` (constructs/core/backup-tag.ts); `default` is the plan every resource uses unless
 *   its configuration names another. A plan states its objectives (RPO, RTO), its schedule tiers
 *   (frequent / daily / weekly / monthly / yearly) with retention and cold-storage transition, continuous backup
 *   (point-in-time recovery) and restore testing. The RPO is enforced at synth time against every stateful
 *   resource the plan covers (constructs/rpo).
 * - `copy`: where copies go — a disaster-recovery region of the same account and optionally another account.
 * - `vaultLock`: WORM protection of the vaults; every retention of every plan must lie inside its range.
 * - `velero`: Kubernetes backups (cluster objects and persistent volumes) into the environment's Velero bucket.
 *
 * Durations are written `15m`, `6h` or `2d` and parsed to minutes; times of day are `HH:MM` in the plan's
 * `timezone`.
 */
import { z } from "zod";
import { planRules, ruleWindowOverlaps } from "../../constructs/backup/schedules";
import { CronError } from "../../constructs/rpo/cron";
import { awsAccountId, awsRegion, duplicatesOf, ianaTimeZone, kubernetesCron, kubernetesCronProblem } from "./primitives";

const DURATION = /^([1-9]\d{0,5})(m|h|d)$/;
const MINUTES_PER_UNIT = { m: 1, h: 60, d: 1440 } as const;

/** Minutes of a duration such as `15m`, `6h`, `2d`; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * MINUTES_PER_UNIT[match[2] as keyof typeof MINUTES_PER_UNIT];
}

/** Formats minutes as the shortest exact duration (`90m`, `6h`, `2d`). */
export function formatDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** A duration written `15m`, `6h` or `2d`, parsed to minutes. */
export const duration = z
  .string({ error: "expected a duration such as 15m, 6h or 2d" })
  .regex(DURATION, { error: "expected a duration: a positive whole number followed by m, h or d, e.g. 15m, 6h, 2d" })
  .transform((text) => parseDuration(text) as number);

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A time of day `HH:MM` (24-hour clock). */
export const timeOfDay = z
  .string({ error: "expected a time of day HH:MM such as 02:00" })
  .regex(TIME_OF_DAY, { error: "expected a 24-hour time of day HH:MM, e.g. 02:00 or 23:30" });

/** An IANA time zone (`UTC`, `Europe/Dublin`) as AWS Backup's `schedule_expression_timezone` accepts it. */
export const timeZone = ianaTimeZone;

/**
 * Why a 5-field cron schedule cannot be an AWS Backup restore-testing schedule, or undefined. Parsed as Kubernetes
 * reads cron (the croner library, see kubernetesCronProblem), then what AWS cron expressions cannot say: a macro or
 * @every, a day of the month together with a day of the week (AWS needs `?` in one of them), a step in the day of the
 * week (AWS counts days of the week from 1).
 */
export function restoreTestScheduleProblem(value: string): string | undefined {
  const problem = kubernetesCronProblem(value);
  if (problem) return problem;
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) return "expected a 5-field cron schedule such as \"0 6 * * 1\" (AWS Backup takes no macros or @every)";
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string];
  if (dayOfMonth !== "*" && dayOfWeek !== "*") return `day-of-month "${dayOfMonth}" and day-of-week "${dayOfWeek}" are both set; an AWS cron schedule takes one of them (set the other to *)`;
  if (dayOfWeek.includes("/")) return `day-of-week "${dayOfWeek}" has a step; list the days instead (e.g. 1,3,5)`;
  return undefined;
}

/** A restore-testing schedule (see restoreTestScheduleProblem). */
const restoreTestSchedule = z.string({ error: 'expected a 5-field cron schedule such as "0 6 * * 1"' }).superRefine((value, ctx) => {
  const problem = restoreTestScheduleProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Hours between frequent backups: divisors of 24, so every day has the same schedule (AWS Backup's minimum is 1 h). */
export const FREQUENT_INTERVAL_HOURS = [1, 2, 3, 4, 6, 8, 12] as const;

/** AWS Backup keeps a recovery point in cold storage for at least this many days. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;
/** Continuous backup (point-in-time recovery) keeps 1 to 35 days. */
export const CONTINUOUS_RETENTION_MAX_DAYS = 35;
/** AWS Backup's shortest start window. */
export const MINIMUM_START_WINDOW_MINUTES = 60;
/** A completion window must exceed the start window by at least this much. */
export const COMPLETION_WINDOW_MARGIN_MINUTES = 60;

/**
 * Classes of stateful data, for per-class RPO targets. `cache` and `search` hold derived data that can be rebuilt
 * from the system of record, so a plan may accept a longer RPO for them (see `rpoOverrides`).
 */
export const DATA_CLASSES = ["database", "cache", "search", "object", "file"] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/** Resource types an AWS Backup restore test can restore (`protected_resource_type`). */
export const RESTORE_TEST_RESOURCE_TYPES = ["Aurora", "RDS", "DocumentDB", "S3", "EFS", "DynamoDB", "EBS"] as const;
export const RESTORE_TEST_FREQUENCIES = ["none", "weekly", "monthly", "quarterly"] as const;
export type RestoreTestFrequency = (typeof RESTORE_TEST_FREQUENCIES)[number];

/**
 * Conventional disaster-recovery partner of each home region: same partition and jurisdiction, far enough apart
 * not to share a regional failure. Used when `backup.copy.region` is `paired`.
 */
export const PAIRED_REGIONS: Readonly<Record<string, string>> = {
  "us-east-1": "us-west-2",
  "us-east-2": "us-west-2",
  "us-west-1": "us-east-1",
  "us-west-2": "us-east-1",
  "ca-central-1": "ca-west-1",
  "eu-west-1": "eu-central-1",
  "eu-west-2": "eu-west-1",
  "eu-west-3": "eu-central-1",
  "eu-central-1": "eu-west-1",
  "eu-north-1": "eu-central-1",
  "eu-south-1": "eu-central-1",
  "ap-southeast-1": "ap-southeast-2",
  "ap-southeast-2": "ap-southeast-1",
  "ap-northeast-1": "ap-northeast-3",
  "ap-northeast-2": "ap-northeast-1",
  "ap-south-1": "ap-south-2",
  "me-central-1": "me-south-1",
  "me-south-1": "me-central-1",
  "sa-east-1": "us-east-1",
  "us-gov-west-1": "us-gov-east-1",
  "us-gov-east-1": "us-gov-west-1",
};

/** The DR region a `backup.copy.region` setting means for an environment in `homeRegion` (undefined: none or unknown). */
export function resolveDrRegion(setting: string | null, homeRegion: string): string | undefined {
  if (setting === null) return undefined;
  return setting === "paired" ? PAIRED_REGIONS[homeRegion] : setting;
}

export const VAULT_LOCK_MODES = ["governance", "compliance"] as const;

const retentionDays = z.int({ error: "expected a whole number of days" }).min(1).max(36500);
const coldStorageAfterDays = z
  .int({ error: "expected a whole number of days, or null for no cold-storage transition" })
  .min(1)
  .max(36500)
  .nullable();

/** Settings every schedule tier shares. */
const tierFields = {
  /** Whether this tier creates backups. */
  enabled: z.boolean(),
  /** Days a recovery point of this tier is kept. */
  retentionDays,
  /** Copy this tier's recovery points to the `copy` destinations (DR region, other account) with the same lifecycle. */
  copy: z.boolean(),
};

const FrequentTierSchema = z.strictObject({
  ...tierFields,
  /** Time of day of the first backup (in the plan's `timezone`); the next ones follow every `everyHours`. */
  at: timeOfDay,
  /** Hours between backups ("incrementals"). */
  everyHours: z.union(FREQUENT_INTERVAL_HOURS.map((hours) => z.literal(hours)), {
    error: `expected one of ${FREQUENT_INTERVAL_HOURS.join(", ")} hours (a divisor of 24)`,
  }),
});

const coldTierFields = {
  ...tierFields,
  /**
   * Days after which recovery points move to cold storage (for resource types that support it), or null.
   * Cold storage keeps a point at least 90 days, so `retentionDays` must be at least this plus 90.
   */
  coldStorageAfterDays,
  /** Time of day the backup starts (in the plan's `timezone`). */
  at: timeOfDay,
};

const DailyTierSchema = z.strictObject(coldTierFields);
const WeeklyTierSchema = z.strictObject({ ...coldTierFields, day: z.enum(WEEKDAYS) });
const MonthlyTierSchema = z.strictObject({
  ...coldTierFields,
  /** Day of the month (1–28, so every month has it). */
  dayOfMonth: z.int().min(1).max(28, { error: "expected a day from 1 to 28 (every month has it)" }),
});
const YearlyTierSchema = z.strictObject({
  ...coldTierFields,
  month: z.int().min(1).max(12),
  dayOfMonth: z.int().min(1).max(28, { error: "expected a day from 1 to 28 (every month has it)" }),
});

export const SCHEDULE_TIERS = ["frequent", "daily", "weekly", "monthly", "yearly"] as const;
export type ScheduleTier = (typeof SCHEDULE_TIERS)[number];

const PlanShape = z.strictObject({
    /** Recovery point objective: the most data (time) a restore may lose. Checked against every covered resource. */
    rpo: duration,
    /** Recovery time objective: how long a restore may take (stated in the runbook; restore tests measure it). */
    rto: duration,
    /** Longer RPO targets per data class (derived data such as caches and search indexes). */
    rpoOverrides: z.strictObject({
      database: duration.optional(),
      cache: duration.optional(),
      search: duration.optional(),
      object: duration.optional(),
      file: duration.optional(),
    }),
    /** Time zone of every schedule of the plan (IANA name). */
    timezone: timeZone,
    /** A scheduled backup that has not started within this window is cancelled (AWS Backup minimum: 1h). */
    startWindow: duration,
    /** A started backup that has not completed within this window is cancelled. */
    completionWindow: duration,
    frequent: FrequentTierSchema,
    daily: DailyTierSchema,
    weekly: WeeklyTierSchema,
    monthly: MonthlyTierSchema,
    yearly: YearlyTierSchema,
    /**
     * Continuous backup: point-in-time recovery for Aurora, RDS and S3 (AWS Backup keeps 1–35 days). AWS Backup takes
     * over the automated backups of the databases it covers, so their point-in-time retention is this retention.
     */
    continuous: z.strictObject({
      enabled: z.boolean(),
      retentionDays: z.int().min(1).max(CONTINUOUS_RETENTION_MAX_DAYS, {
        error: `continuous backup keeps at most ${CONTINUOUS_RETENTION_MAX_DAYS} days`,
      }),
      /**
       * Time of day of the continuous rule's schedule (AWS Backup snapshots resource types without continuous support
       * on it); its start window must not overlap another rule's.
       */
      at: timeOfDay,
    }),
    /** AWS Backup restore testing: restores the latest recovery point of each listed type on a schedule. */
    restoreTesting: z.strictObject({
      frequency: z.enum(RESTORE_TEST_FREQUENCIES),
      /** Time of day restore tests start (in the plan's `timezone`): Mondays (weekly), the 2nd of the month (monthly, quarterly). */
      at: timeOfDay,
      /**
       * The day and time restore tests start, as a 5-field cron schedule ("minute hour day-of-month month
       * day-of-week", e.g. "30 5 * * 2" for Tuesdays 05:30, "0 4 15 1,4,7,10 *" for the 15th of each quarter's first
       * month). It replaces `frequency`'s day and `at`; `frequency: none` still turns testing off. AWS cron cannot
       * combine a day of the month with a day of the week: one of them must be `*`.
       */
      schedule: restoreTestSchedule.optional(),
      /** Time zone of the restore tests' schedule (IANA). Default: the plan's `timezone`. */
      timezone: timeZone.optional(),
      /**
       * Resource types to restore; each must be a type the plan protects in this environment. Absent: every
       * restore-testable type the plan protects (Aurora, RDS, DocumentDB, S3 as the environment has them).
       */
      resourceTypes: z
        .array(z.enum(RESTORE_TEST_RESOURCE_TYPES))
        .superRefine((types, ctx) => {
          const dupes = duplicatesOf(types);
          if (dupes.length > 0) ctx.addIssue({ code: "custom", message: `duplicate resource types: ${dupes.join(", ")}`, input: types });
        })
        .optional(),
      /** Hours a restored resource is kept for validation before AWS Backup deletes it (0–168). */
      validationWindowHours: z.int().min(0).max(168),
    }),
  });

export const BackupPlanSchema = PlanShape.superRefine((plan, ctx) => {
    const anyScheduled = SCHEDULE_TIERS.some((tier) => plan[tier].enabled);
    if (!anyScheduled) {
      ctx.addIssue({ code: "custom", path: ["daily", "enabled"], message: "a plan needs at least one enabled schedule tier (frequent, daily, weekly, monthly or yearly); continuous backup also runs on a schedule", input: false });
    }
    for (const tier of ["daily", "weekly", "monthly", "yearly"] as const) {
      const settings = plan[tier];
      if (settings.coldStorageAfterDays !== null && settings.retentionDays < settings.coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS) {
        ctx.addIssue({
          code: "custom",
          path: [tier, "retentionDays"],
          message: `must be at least coldStorageAfterDays + ${COLD_STORAGE_MINIMUM_DAYS} = ${settings.coldStorageAfterDays + COLD_STORAGE_MINIMUM_DAYS} (AWS Backup keeps cold-storage recovery points at least ${COLD_STORAGE_MINIMUM_DAYS} days)`,
          input: settings.retentionDays,
        });
      }
    }
    if (plan.startWindow < MINIMUM_START_WINDOW_MINUTES) {
      ctx.addIssue({ code: "custom", path: ["startWindow"], message: `must be at least ${formatDuration(MINIMUM_START_WINDOW_MINUTES)} (AWS Backup minimum)`, input: formatDuration(plan.startWindow) });
    }
    if (plan.completionWindow < plan.startWindow + COMPLETION_WINDOW_MARGIN_MINUTES) {
      ctx.addIssue({
        code: "custom",
        path: ["completionWindow"],
        message: `must be at least startWindow + ${formatDuration(COMPLETION_WINDOW_MARGIN_MINUTES)} = ${formatDuration(plan.startWindow + COMPLETION_WINDOW_MARGIN_MINUTES)}`,
        input: formatDuration(plan.completionWindow),
      });
    }
    if (plan.frequent.enabled && plan.startWindow > plan.frequent.everyHours * 60) {
      ctx.addIssue({
        code: "custom",
        path: ["startWindow"],
        message: `must not exceed the frequent tier's interval (${plan.frequent.everyHours}h), or a late backup overlaps the next one`,
        input: formatDuration(plan.startWindow),
      });
    }
    if (plan.restoreTesting.frequency === "none" && plan.restoreTesting.schedule !== undefined) {
      ctx.addIssue({ code: "custom", path: ["restoreTesting", "schedule"], message: "restore testing is off (frequency: none), so the schedule would never be used; set a frequency or remove schedule", input: plan.restoreTesting.schedule });
    }
    if (plan.restoreTesting.frequency !== "none" && plan.restoreTesting.resourceTypes?.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["restoreTesting", "resourceTypes"],
        message: `restore testing is ${plan.restoreTesting.frequency}: list at least one resource type (${RESTORE_TEST_RESOURCE_TYPES.join(", ")}), or omit the key to test every type the plan protects`,
        input: [],
      });
    }
    // Only when every time of day is valid (those problems are reported above).
    const times = [...SCHEDULE_TIERS.map((tier) => plan[tier].at), plan.continuous.at];
    const overlaps = times.every((at) => TIME_OF_DAY.test(at)) ? windowOverlaps(plan) : [];
    for (const overlap of overlaps) {
      ctx.addIssue({
        code: "custom",
        path: [overlap.second, "at"],
        message: overlapMessage(plan, overlap),
        input: (plan[overlap.second as ScheduleTier | "continuous"] as { at: string }).at,
      });
    }
  });

/** Overlapping rule windows of a plan; none when a schedule field is itself invalid (reported on that field). */
function windowOverlaps(plan: z.output<typeof PlanShape>): ReturnType<typeof ruleWindowOverlaps> {
  try {
    return ruleWindowOverlaps(planRules(plan), plan.startWindow);
  } catch (error) {
    if (error instanceof CronError) return [];
    throw error;
  }
}

/** Time of a rule as written in the plan, for messages ("02:00 every 6h", "03:00 on sunday"). */
function ruleTime(plan: z.output<typeof PlanShape>, rule: string): string {
  switch (rule) {
    case "frequent":
      return `${plan.frequent.at} every ${plan.frequent.everyHours}h`;
    case "daily":
      return `${plan.daily.at} daily`;
    case "weekly":
      return `${plan.weekly.at} on ${plan.weekly.day}s`;
    case "monthly":
      return `${plan.monthly.at} on day ${plan.monthly.dayOfMonth}`;
    case "yearly":
      return `${plan.yearly.at} on ${plan.yearly.month}/${plan.yearly.dayOfMonth}`;
    default:
      return `${plan.continuous.at} daily`;
  }
}

function overlapMessage(plan: z.output<typeof PlanShape>, overlap: { first: string; second: string; at: string }): string {
  return (
    `the ${overlap.second} rule (${ruleTime(plan, overlap.second)}) and the ${overlap.first} rule (${ruleTime(plan, overlap.first)}) may start within the same ` +
    `${formatDuration(plan.startWindow)} start window (first on ${overlap.at}, ${plan.timezone}); AWS Backup then runs only the rule with the longer retention ` +
    `and silently skips the other, with its copies (plan-options-and-configuration in the AWS Backup guide). Move one rule's \`at\` so no two start windows overlap`
  );
}

/** A backup plan name: tag value and part of resource names. */
const PLAN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export const VeleroScheduleSchema = z.strictObject({
  /** Schedule name (Velero `Schedule` object name suffix). */
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, { error: "expected a lowercase name of letters, digits and '-' (at most 32)" }),
  /** Standard 5-field cron expression in UTC, e.g. `0 1 * * *` (daily at 01:00). */
  schedule: kubernetesCron,
  /** How long Velero keeps each backup (Go duration, e.g. 240h). */
  ttl: z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/, { error: "expected a Go duration in hours/minutes/seconds such as 240h or 72h30m" }).min(2),
  /** Namespaces to back up; `["*"]` means all. */
  includedNamespaces: z.array(z.string().regex(/^(\*|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/, { error: "expected a namespace name or *" })).min(1),
  /** Namespaces to leave out (system namespaces whose objects the platform recreates). */
  excludedNamespaces: z.array(z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: "expected a namespace name" })),
  /** Snapshot persistent volumes (EBS snapshots through the AWS plugin). */
  snapshotVolumes: z.boolean(),
});

export const VeleroSchema = z
  .strictObject({
    /** Install Velero in the cluster (and create its bucket). */
    enabled: z.boolean(),
    schedules: z.array(VeleroScheduleSchema),
    /** Days Velero's bucket keeps superseded object versions (protection against deletion by a compromised client). */
    noncurrentVersionRetentionDays: z.int().min(1).max(3650),
  })
  .superRefine((velero, ctx) => {
    const dupes = duplicatesOf(velero.schedules.map((schedule) => schedule.name));
    if (dupes.length > 0) ctx.addIssue({ code: "custom", path: ["schedules"], message: `duplicate schedule names: ${dupes.join(", ")}`, input: dupes });
  });

export const BackupSchema = z
  .strictObject({
    plans: z.record(z.string(), BackupPlanSchema).superRefine((plans, ctx) => {
      for (const name of Object.keys(plans)) {
        if (!PLAN_NAME.test(name)) {
          ctx.addIssue({ code: "custom", path: [name], message: "plan names are tag values and name parts: lowercase letters, digits and '-', starting with a letter, at most 40 characters", input: name });
        }
      }
      if (!("default" in plans)) {
        ctx.addIssue({ code: "custom", message: "a plan named `default` is required: stateful resources use it unless their configuration names another", input: Object.keys(plans) });
      }
    }),
    /** Where copies of recovery points go, for tiers with `copy: true`. */
    copy: z.strictObject({
      /**
       * Disaster-recovery region of this account (a second vault there, encrypted with a key of that region):
       * a region code, `paired` for the conventional partner of the home region (see PAIRED_REGIONS), or null.
       */
      region: z.union([z.literal("paired"), awsRegion]).nullable(),
      /** Another account's vault (its access policy must allow this account to copy into it); null for none. */
      account: z
        .strictObject({
          id: awsAccountId,
          region: awsRegion,
          /** Name of the vault in that account. */
          vaultName: z.string().regex(/^[a-zA-Z0-9_-]{2,50}$/, { error: "expected a backup vault name: 2-50 letters, digits, '-' or '_'" }),
        })
        .nullable(),
    }),
    /** Vault lock (WORM): recovery points cannot be deleted early or kept outside [min, max]. */
    vaultLock: z.strictObject({
      enabled: z.boolean(),
      /** `compliance` becomes immutable after `changeableForDays` (nobody, not even root, can remove it); `governance` can be removed with special permissions. */
      mode: z.enum(VAULT_LOCK_MODES),
      /** Grace period before a compliance lock becomes immutable (at least 3 days). */
      changeableForDays: z.int().min(3).max(36500),
      minRetentionDays: z.int().min(1).max(36500),
      maxRetentionDays: z.int().min(1).max(36500),
    }),
    velero: VeleroSchema,
  })
  .superRefine((backup, ctx) => {
    const copyConfigured = backup.copy.region !== null || backup.copy.account !== null;
    const lock = backup.vaultLock;
    if (lock.enabled && lock.minRetentionDays > lock.maxRetentionDays) {
      ctx.addIssue({ code: "custom", path: ["vaultLock", "minRetentionDays"], message: `must not exceed maxRetentionDays (${lock.maxRetentionDays})`, input: lock.minRetentionDays });
    }
    for (const [name, plan] of Object.entries(backup.plans)) {
      for (const tier of SCHEDULE_TIERS) {
        const settings = plan[tier];
        if (!settings.enabled) continue;
        if (settings.copy && !copyConfigured) {
          ctx.addIssue({ code: "custom", path: ["plans", name, tier, "copy"], message: "copies need a destination: set backup.copy.region (disaster-recovery region) or backup.copy.account", input: true });
        }
        if (lock.enabled && (settings.retentionDays < lock.minRetentionDays || settings.retentionDays > lock.maxRetentionDays)) {
          ctx.addIssue({
            code: "custom",
            path: ["plans", name, tier, "retentionDays"],
            message: `is outside the vault lock range ${lock.minRetentionDays}–${lock.maxRetentionDays} days (backup.vaultLock); the vault would reject these recovery points`,
            input: settings.retentionDays,
          });
        }
      }
      if (plan.continuous.enabled && lock.enabled && (plan.continuous.retentionDays < lock.minRetentionDays || plan.continuous.retentionDays > lock.maxRetentionDays)) {
        ctx.addIssue({
          code: "custom",
          path: ["plans", name, "continuous", "retentionDays"],
          message: `is outside the vault lock range ${lock.minRetentionDays}–${lock.maxRetentionDays} days (backup.vaultLock)`,
          input: plan.continuous.retentionDays,
        });
      }
    }
  });

export type BackupConfig = z.output<typeof BackupSchema>;
export type BackupPlanConfig = z.output<typeof BackupPlanSchema>;
export type VeleroConfig = z.output<typeof VeleroSchema>;
export type VeleroScheduleConfig = z.output<typeof VeleroScheduleSchema>;

/** Checks of the backup section that need the environment's home region. */
export function backupRegionIssues(backup: BackupConfig, homeRegion: string): { path: (string | number)[]; message: string; input: unknown }[] {
  const setting = backup.copy.region;
  if (setting === null) return [];
  const region = resolveDrRegion(setting, homeRegion);
  if (region === undefined) {
    return [{ path: ["copy", "region"], message: `no paired disaster-recovery region is known for ${homeRegion}; name one explicitly (e.g. ${Object.values(PAIRED_REGIONS)[0]})`, input: setting }];
  }
  if (region === homeRegion) {
    return [{ path: ["copy", "region"], message: `the disaster-recovery region must differ from the environment's region ${homeRegion}`, input: setting }];
  }
  return [];
}
