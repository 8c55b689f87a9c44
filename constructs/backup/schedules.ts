/**
 * A backup policy (config/schema/backup.ts) turned into AWS Backup rules: one rule per enabled schedule tier plus
 * one continuous-backup rule, each with its AWS cron expression, lifecycle and copy flag; and the check that no two
 * rules of a plan may start in overlapping windows.
 *
 * Pure functions over a structural view of a plan (no configuration, cdktf or provider imports), so the
 * configuration schema validates with exactly the rules the construct emits, and the reference products' policies
 * can be checked against the schedules their guides state.
 */
import { runTimes } from "../rpo/cron";

export type Weekday = "sunday" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday";
export type ScheduleTier = "frequent" | "daily" | "weekly" | "monthly" | "yearly";
export type RestoreTestFrequency = "none" | "weekly" | "monthly" | "quarterly";

interface TierView {
  readonly enabled: boolean;
  readonly retentionDays: number;
  readonly copy: boolean;
  readonly at: string;
}
interface ColdTierView extends TierView {
  readonly coldStorageAfterDays: number | null;
}

/** The parts of a backup plan (config `backup.plans.<name>`) the rules are derived from. */
export interface PlanScheduleView {
  readonly startWindow: number;
  readonly frequent: TierView & { readonly everyHours: number };
  readonly daily: ColdTierView;
  readonly weekly: ColdTierView & { readonly day: Weekday };
  readonly monthly: ColdTierView & { readonly dayOfMonth: number };
  readonly yearly: ColdTierView & { readonly month: number; readonly dayOfMonth: number };
  readonly continuous: { readonly enabled: boolean; readonly retentionDays: number; readonly at: string };
}

export interface RuleSpec {
  /** Rule name: the tier (`frequent`, `daily`, `weekly`, `monthly`, `yearly`) or `continuous`. */
  readonly name: ScheduleTier | "continuous";
  /** AWS cron expression, evaluated in the plan's time zone. */
  readonly schedule: string;
  readonly deleteAfterDays: number;
  readonly coldStorageAfterDays?: number;
  /** Copy recovery points to the configured destinations. */
  readonly copy: boolean;
  readonly continuous: boolean;
}

const AWS_WEEKDAYS: Readonly<Record<Weekday, string>> = {
  sunday: "SUN",
  monday: "MON",
  tuesday: "TUE",
  wednesday: "WED",
  thursday: "THU",
  friday: "FRI",
  saturday: "SAT",
};

function clock(at: string): { hour: number; minute: number } {
  const [hour, minute] = at.split(":").map(Number);
  return { hour: hour ?? 0, minute: minute ?? 0 };
}

/** `cron(M H ? * * *)`: every day at `at`. */
export function dailyCron(at: string): string {
  const { hour, minute } = clock(at);
  return `cron(${minute} ${hour} ? * * *)`;
}

/** Every `everyHours` hours, starting at `at` (e.g. 02:00 every 6h = 02:00, 08:00, 14:00, 20:00). */
export function frequentCron(at: string, everyHours: number): string {
  const { hour, minute } = clock(at);
  return `cron(${minute} ${hour % everyHours}/${everyHours} ? * * *)`;
}

export function weeklyCron(at: string, day: Weekday): string {
  const { hour, minute } = clock(at);
  return `cron(${minute} ${hour} ? * ${AWS_WEEKDAYS[day]} *)`;
}

export function monthlyCron(at: string, dayOfMonth: number): string {
  const { hour, minute } = clock(at);
  return `cron(${minute} ${hour} ${dayOfMonth} * ? *)`;
}

export function yearlyCron(at: string, month: number, dayOfMonth: number): string {
  const { hour, minute } = clock(at);
  return `cron(${minute} ${hour} ${dayOfMonth} ${month} ? *)`;
}

/**
 * Cold storage is emitted only when `coldStorage` says the plan protects a resource type that supports it (see
 * COLD_STORAGE_RESOURCE_TYPES in constructs/backup/coverage.ts); AWS Backup ignores the transition for the others.
 */
function cold(days: number | null, coldStorage: boolean): { coldStorageAfterDays?: number } {
  return days === null || !coldStorage ? {} : { coldStorageAfterDays: days };
}

/**
 * The AWS Backup rules a plan consists of, in a stable order. `coldStorage`: whether any resource the plan protects
 * supports a cold-storage transition (default true: the configured transitions as written).
 */
export function planRules(plan: PlanScheduleView, coldStorage = true): RuleSpec[] {
  const rules: RuleSpec[] = [];
  if (plan.frequent.enabled) {
    rules.push({ name: "frequent", schedule: frequentCron(plan.frequent.at, plan.frequent.everyHours), deleteAfterDays: plan.frequent.retentionDays, copy: plan.frequent.copy, continuous: false });
  }
  if (plan.daily.enabled) {
    rules.push({ name: "daily", schedule: dailyCron(plan.daily.at), deleteAfterDays: plan.daily.retentionDays, ...cold(plan.daily.coldStorageAfterDays, coldStorage), copy: plan.daily.copy, continuous: false });
  }
  if (plan.weekly.enabled) {
    rules.push({ name: "weekly", schedule: weeklyCron(plan.weekly.at, plan.weekly.day), deleteAfterDays: plan.weekly.retentionDays, ...cold(plan.weekly.coldStorageAfterDays, coldStorage), copy: plan.weekly.copy, continuous: false });
  }
  if (plan.monthly.enabled) {
    rules.push({ name: "monthly", schedule: monthlyCron(plan.monthly.at, plan.monthly.dayOfMonth), deleteAfterDays: plan.monthly.retentionDays, ...cold(plan.monthly.coldStorageAfterDays, coldStorage), copy: plan.monthly.copy, continuous: false });
  }
  if (plan.yearly.enabled) {
    rules.push({ name: "yearly", schedule: yearlyCron(plan.yearly.at, plan.yearly.month, plan.yearly.dayOfMonth), deleteAfterDays: plan.yearly.retentionDays, ...cold(plan.yearly.coldStorageAfterDays, coldStorage), copy: plan.yearly.copy, continuous: false });
  }
  if (plan.continuous.enabled) {
    // A continuous rule still has a schedule: AWS Backup takes snapshots on it for selected resource types without
    // continuous support (DocumentDB, EFS, ...). It runs at its own time (`continuous.at`), so its window never
    // overlaps a tier's (see ruleWindowOverlaps).
    rules.push({ name: "continuous", schedule: dailyCron(plan.continuous.at), deleteAfterDays: plan.continuous.retentionDays, copy: false, continuous: true });
  }
  return rules;
}

/** Days over which rule windows are compared: 28 years, the cycle after which weekdays and dates repeat. */
export const OVERLAP_EVALUATION_DAYS = 28 * 365 + 7;

/** Start of the evaluation window of constructs/rpo/cron.ts (minute 0). */
const EVALUATION_START = Date.UTC(2027, 0, 1);

export interface RuleWindow {
  readonly name: string;
  readonly schedule: string;
}

export interface WindowOverlap {
  readonly first: string;
  readonly second: string;
  /** The first time both rules may run within one start window (plan time zone), e.g. "2027-01-03 02:00 (Sunday)". */
  readonly at: string;
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function describeMinute(minute: number): string {
  const date = new Date(EVALUATION_START + minute * 60_000);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} (${DAY_NAMES[date.getUTCDay()]})`;
}

/**
 * Pairs of rules whose start windows overlap: a run of one starts less than `startWindowMinutes` before or after a
 * run of the other. AWS Backup then runs only the rule with the longer retention ("If you have a backup plan with
 * multiple rules and the time frames of the two rules overlap, AWS Backup optimizes the backup and takes a backup for
 * the rule with the longer retention time. The optimization takes into account the full start window",
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html), so the other rule's
 * recovery points — and its copies to the DR region — silently do not exist. Every rule of a plan shares the plan's
 * time zone, so schedules are compared as written; the continuous rule is included because AWS Backup takes
 * snapshots on its schedule for resource types without continuous support.
 */
export function ruleWindowOverlaps(rules: readonly RuleWindow[], startWindowMinutes: number): WindowOverlap[] {
  // Plans repeat across environments and tenants (profile defaults): evaluate each combination once.
  const key = JSON.stringify([startWindowMinutes, rules.map((rule) => [rule.name, rule.schedule])]);
  const known = OVERLAP_CACHE.get(key);
  if (known) return [...known];
  const overlaps = computeOverlaps(rules, startWindowMinutes);
  OVERLAP_CACHE.set(key, overlaps);
  return [...overlaps];
}

const OVERLAP_CACHE = new Map<string, readonly WindowOverlap[]>();
const RUN_TIMES_CACHE = new Map<string, number[]>();

function computeOverlaps(rules: readonly RuleWindow[], startWindowMinutes: number): WindowOverlap[] {
  const times = rules.map((rule) => {
    const known = RUN_TIMES_CACHE.get(rule.schedule);
    if (known) return known;
    const computed = runTimes(rule.schedule, OVERLAP_EVALUATION_DAYS);
    RUN_TIMES_CACHE.set(rule.schedule, computed);
    return computed;
  });
  const overlaps: WindowOverlap[] = [];
  for (let i = 0; i < rules.length; i += 1) {
    for (let j = i + 1; j < rules.length; j += 1) {
      const at = firstCloseRun(times[i] as number[], times[j] as number[], startWindowMinutes);
      if (at !== undefined) overlaps.push({ first: (rules[i] as RuleWindow).name, second: (rules[j] as RuleWindow).name, at: describeMinute(at) });
    }
  }
  return overlaps;
}

/** The earliest run of `a` or `b` that has a run of the other less than `window` minutes away (both lists sorted). */
function firstCloseRun(a: readonly number[], b: readonly number[], window: number): number | undefined {
  let j = 0;
  for (const time of a) {
    while (j < b.length && (b[j] as number) <= time - window) j += 1;
    const candidate = b[j];
    if (candidate !== undefined && candidate < time + window) return Math.min(time, candidate);
  }
  return undefined;
}

/** Weekday of weekly restore tests: the day after the weekly backup's usual Sunday. */
export const RESTORE_TEST_WEEKDAY: Weekday = "monday";
/** Day of the month of monthly and quarterly restore tests. */
export const RESTORE_TEST_DAY_OF_MONTH = 2;
/** Months of quarterly restore tests. */
export const QUARTER_MONTHS = "1,4,7,10";

/**
 * A 5-field cron schedule (checked by config/schema/backup.ts restoreTestScheduleProblem) as an AWS cron expression:
 * `?` for the unused day field, days of the week counted from 1 (Sunday) instead of 0, any year.
 */
export function awsCronOf(schedule: string): string {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = schedule.trim().split(/\s+/) as [string, string, string, string, string];
  const weekday = dayOfWeek === "*" ? "?" : dayOfWeek.replace(/\d+/g, (day) => String(Number(day) + 1));
  return `cron(${minute} ${hour} ${dayOfWeek === "*" ? dayOfMonth : "?"} ${month} ${weekday} *)`;
}

/** Schedule of a restore-testing plan, or undefined for `none`; `schedule` (5-field cron) replaces the frequency's day and time. */
export function restoreTestCron(frequency: RestoreTestFrequency, at: string, schedule?: string): string | undefined {
  if (frequency === "none") return undefined;
  if (schedule !== undefined) return awsCronOf(schedule);
  const { hour, minute } = clock(at);
  switch (frequency) {
    case "weekly":
      return weeklyCron(at, RESTORE_TEST_WEEKDAY);
    case "monthly":
      return monthlyCron(at, RESTORE_TEST_DAY_OF_MONTH);
    case "quarterly":
      return `cron(${minute} ${hour} ${RESTORE_TEST_DAY_OF_MONTH} ${QUARTER_MONTHS} ? *)`;
    default:
      return undefined;
  }
}
