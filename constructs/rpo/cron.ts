/**
 * Interval of an AWS cron expression (`cron(minutes hours day-of-month month day-of-week year)`, as AWS Backup and
 * EventBridge use it): the longest gap between two consecutive runs. That gap is the worst-case recovery point
 * age a schedule gives, so the RPO check compares it with the target.
 *
 * The expression is evaluated run by run over a fixed three-year window (long enough for yearly schedules and a
 * leap day), so uneven schedules (`0 2,20 * * ? *`, weekdays only, the 1st and 15th) get their true worst gap
 * rather than an average. Supported: numbers, names (JAN-DEC, SUN-SAT), `*`, `?`, lists, ranges, steps and `L`
 * (last day of the month); `W` and `#` are rejected with a clear error.
 */

export class CronError extends Error {}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** First day of the evaluation window (UTC) and its length: three years, one of them a leap year. */
const WINDOW_START = Date.UTC(2027, 0, 1);
const WINDOW_DAYS = 3 * 366;
const MINUTES_PER_DAY = 1440;

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Value of names[0] (1 for months and AWS weekdays, where SUN = 1). */
  readonly nameBase?: number;
}

const FIELDS: readonly Field[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: "day-of-week", min: 1, max: 7, names: WEEKDAYS, nameBase: 1 },
  { name: "year", min: 1970, max: 2199 },
];

type Matcher = { readonly any: boolean; readonly values: ReadonlySet<number>; readonly last: boolean };

function parseValue(text: string, field: Field, expression: string): number {
  const upper = text.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + (field.nameBase ?? 0) : Number(upper);
  if (!Number.isInteger(value) || value < field.min || value > field.max) {
    throw new CronError(`${expression}: ${field.name} value "${text}" is out of range ${field.min}-${field.max}`);
  }
  return value;
}

function parseField(text: string, field: Field, expression: string): Matcher {
  if (text === "*" || text === "?") return { any: true, values: new Set(), last: false };
  if (/[W#]/i.test(text)) throw new CronError(`${expression}: ${field.name} "${text}" uses W or #, which this check does not evaluate`);
  const values = new Set<number>();
  let last = false;
  for (const part of text.split(",")) {
    if (part.toUpperCase() === "L") {
      if (field.name !== "day-of-month") throw new CronError(`${expression}: L is only supported in the day-of-month field`);
      last = true;
      continue;
    }
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`${expression}: ${field.name} step "${stepText}" is not a positive integer`);
    let from: number;
    let to: number;
    if (range === "*" || range === undefined) {
      from = field.min;
      to = field.max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      from = parseValue(a ?? "", field, expression);
      to = parseValue(b ?? "", field, expression);
    } else {
      from = parseValue(range, field, expression);
      to = stepText === undefined ? from : field.max;
    }
    if (from > to) throw new CronError(`${expression}: ${field.name} range "${range}" runs backwards`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return { any: false, values, last };
}

function matches(matcher: Matcher, value: number): boolean {
  return matcher.any || matcher.values.has(value);
}

/** Parses `cron(...)` into its six field matchers. */
function parse(expression: string): Matcher[] {
  const inner = /^cron\((.*)\)$/.exec(expression.trim())?.[1];
  if (inner === undefined) throw new CronError(`${expression}: expected an AWS cron expression cron(minutes hours day-of-month month day-of-week year)`);
  const parts = inner.trim().split(/\s+/);
  if (parts.length !== 6) throw new CronError(`${expression}: expected 6 fields, found ${parts.length}`);
  if (parts[2] !== "?" && parts[4] !== "?") throw new CronError(`${expression}: one of day-of-month and day-of-week must be "?"`);
  return parts.map((part, index) => parseField(part, FIELDS[index] as Field, expression));
}

/**
 * Run times (minutes since the window start, UTC) of `expression` inside the evaluation window: the first `days`
 * days from 2027-01-01 (default three years).
 */
export function runTimes(expression: string, days: number = WINDOW_DAYS): number[] {
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parse(expression) as [Matcher, Matcher, Matcher, Matcher, Matcher, Matcher];
  // Minutes of the day the expression runs at (the same every matching day).
  const offsets: number[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    if (!matches(hours, hour)) continue;
    for (let minute = 0; minute < 60; minute += 1) if (matches(minutes, minute)) offsets.push(hour * 60 + minute);
  }
  const times: number[] = [];
  for (let day = 0; day < days; day += 1) {
    const date = new Date(WINDOW_START + day * MINUTES_PER_DAY * 60_000);
    const dom = date.getUTCDate();
    const domOk = dayOfMonth.any || dayOfMonth.values.has(dom) || (dayOfMonth.last && dom === new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate());
    if (!domOk || !matches(month, date.getUTCMonth() + 1) || !matches(dayOfWeek, date.getUTCDay() + 1) || !matches(year, date.getUTCFullYear())) continue;
    for (const offset of offsets) times.push(day * MINUTES_PER_DAY + offset);
  }
  return times;
}

/**
 * Longest gap in minutes between consecutive runs of `expression`. Throws a CronError for an invalid expression
 * or one that runs fewer than twice in three years.
 */
export function cronIntervalMinutes(expression: string): number {
  const times = runTimes(expression);
  if (times.length < 2) throw new CronError(`${expression}: runs fewer than twice in three years; it gives no recovery point objective`);
  let longest = 0;
  for (let index = 1; index < times.length; index += 1) {
    longest = Math.max(longest, (times[index] as number) - (times[index - 1] as number));
  }
  return longest;
}

/** Extra minutes a schedule in a time zone with daylight saving can add to a gap (the autumn clock change). */
export const DAYLIGHT_SAVING_ALLOWANCE_MINUTES = 60;

/** Interval of a schedule evaluated in `timeZone`: zones other than UTC may stretch a gap by a clock change. */
export function scheduleIntervalMinutes(expression: string, timeZone: string | undefined): number {
  const interval = cronIntervalMinutes(expression);
  const utc = timeZone === undefined || timeZone === "UTC" || timeZone === "Etc/UTC";
  return utc ? interval : interval + DAYLIGHT_SAVING_ALLOWANCE_MINUTES;
}
