/**
 * Maintenance and backup windows in the formats AWS uses (UTC): a daily window `hh:mm-hh:mm` and a weekly window
 * `ddd:hh:mm-ddd:hh:mm`. Validated here so a typo fails at synth, not halfway through an apply.
 */
import type { ProblemList } from "./problems";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const TIME = "([01]\\d|2[0-3]):([0-5]\\d)";
const DAILY = new RegExp(`^${TIME}-${TIME}$`);
const WEEKLY = new RegExp(`^(${DAYS.join("|")}):${TIME}-(${DAYS.join("|")}):${TIME}$`);

/** Length of a window in minutes (`hh:mm-hh:mm`, possibly crossing midnight), or undefined when malformed. */
export function dailyWindowMinutes(window: string): number | undefined {
  const match = DAILY.exec(window);
  if (!match) return undefined;
  const [, h1, m1, h2, m2] = match.map(Number) as [number, number, number, number, number];
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  return (end - start + 24 * 60) % (24 * 60);
}

function minuteOfWeek(day: string, hour: string, minute: string): number {
  return DAYS.indexOf(day as (typeof DAYS)[number]) * 24 * 60 + Number(hour) * 60 + Number(minute);
}

/** Length of a weekly window in minutes, or undefined when malformed. */
export function weeklyWindowMinutes(window: string): number | undefined {
  const match = WEEKLY.exec(window);
  if (!match) return undefined;
  const [, d1, h1, m1, d2, h2, m2] = match;
  const start = minuteOfWeek(d1 as string, h1 as string, m1 as string);
  const end = minuteOfWeek(d2 as string, h2 as string, m2 as string);
  return (end - start + 7 * 24 * 60) % (7 * 24 * 60);
}

/** A daily backup/snapshot window of at least `minMinutes` (RDS, DocumentDB: 30; ElastiCache: 60). */
export function checkDailyWindow(problems: ProblemList, window: string, path: readonly (string | number)[], minMinutes: number): void {
  const minutes = dailyWindowMinutes(window);
  if (minutes === undefined) {
    problems.check(false, path, "must be a daily UTC window hh:mm-hh:mm, e.g. 02:00-03:00", window);
    return;
  }
  problems.check(minutes >= minMinutes, path, `must be at least ${minMinutes} minutes long`, window);
}

/** A weekly maintenance window `ddd:hh:mm-ddd:hh:mm` of at least `minMinutes` (AWS requires 30 or 60). */
export function checkWeeklyWindow(problems: ProblemList, window: string, path: readonly (string | number)[], minMinutes: number): void {
  const minutes = weeklyWindowMinutes(window);
  if (minutes === undefined) {
    problems.check(false, path, "must be a weekly UTC window ddd:hh:mm-ddd:hh:mm with lowercase days, e.g. sun:03:00-sun:04:00", window);
    return;
  }
  problems.check(minutes >= minMinutes, path, `must be at least ${minMinutes} minutes long`, window);
}

/**
 * True when a daily window and a weekly window overlap on any day (AWS rejects a backup window that overlaps the
 * maintenance window). Malformed windows never overlap (they are reported on their own).
 */
export function windowsOverlap(daily: string, weekly: string): boolean {
  const d = DAILY.exec(daily);
  const w = WEEKLY.exec(weekly);
  if (!d || !w) return false;
  const day = 24 * 60;
  const week = 7 * day;
  const dStart = Number(d[1]) * 60 + Number(d[2]);
  const dLength = dailyWindowMinutes(daily) ?? 0;
  const wStart = DAYS.indexOf(w[1] as (typeof DAYS)[number]) * day + Number(w[2]) * 60 + Number(w[3]);
  const wLength = weeklyWindowMinutes(weekly) ?? 0;
  const intersects = (aStart: number, aLength: number, bStart: number, bLength: number) => {
    for (const shift of [-week, 0, week]) {
      const s = bStart + shift;
      if (aStart < s + bLength && s < aStart + aLength) return true;
    }
    return false;
  };
  for (let dayIndex = 0; dayIndex < 7; dayIndex += 1) {
    if (intersects(dayIndex * day + dStart, dLength, wStart, wLength)) return true;
  }
  return false;
}
