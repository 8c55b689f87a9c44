/**
 * A backup policy (config/schema/backup.ts) turned into AWS Backup rules: one rule per enabled schedule tier plus
 * one continuous-backup rule, each with its AWS cron expression, lifecycle and copy flag. Pure functions, so the
 * reference products' policies can be checked against the schedules their guides state.
 */
import type { BackupPlanConfig, RestoreTestFrequency, ScheduleTier, Weekday } from "../../config/schema/backup";

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

function cold(days: number | null): { coldStorageAfterDays?: number } {
  return days === null ? {} : { coldStorageAfterDays: days };
}

/** The AWS Backup rules a plan consists of, in a stable order. */
export function planRules(plan: BackupPlanConfig): RuleSpec[] {
  const rules: RuleSpec[] = [];
  if (plan.frequent.enabled) {
    rules.push({ name: "frequent", schedule: frequentCron(plan.frequent.at, plan.frequent.everyHours), deleteAfterDays: plan.frequent.retentionDays, copy: plan.frequent.copy, continuous: false });
  }
  if (plan.daily.enabled) {
    rules.push({ name: "daily", schedule: dailyCron(plan.daily.at), deleteAfterDays: plan.daily.retentionDays, ...cold(plan.daily.coldStorageAfterDays), copy: plan.daily.copy, continuous: false });
  }
  if (plan.weekly.enabled) {
    rules.push({ name: "weekly", schedule: weeklyCron(plan.weekly.at, plan.weekly.day), deleteAfterDays: plan.weekly.retentionDays, ...cold(plan.weekly.coldStorageAfterDays), copy: plan.weekly.copy, continuous: false });
  }
  if (plan.monthly.enabled) {
    rules.push({ name: "monthly", schedule: monthlyCron(plan.monthly.at, plan.monthly.dayOfMonth), deleteAfterDays: plan.monthly.retentionDays, ...cold(plan.monthly.coldStorageAfterDays), copy: plan.monthly.copy, continuous: false });
  }
  if (plan.yearly.enabled) {
    rules.push({ name: "yearly", schedule: yearlyCron(plan.yearly.at, plan.yearly.month, plan.yearly.dayOfMonth), deleteAfterDays: plan.yearly.retentionDays, ...cold(plan.yearly.coldStorageAfterDays), copy: plan.yearly.copy, continuous: false });
  }
  if (plan.continuous.enabled) {
    // A continuous rule still has a schedule: AWS Backup uses it for maintenance of the continuous recovery point
    // and takes snapshots on it for selected resource types without continuous support. It runs with the daily
    // backup so the two coincide.
    rules.push({ name: "continuous", schedule: dailyCron(plan.daily.at), deleteAfterDays: plan.continuous.retentionDays, copy: false, continuous: true });
  }
  return rules;
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
