/**
 * Reusable zod primitives for the configuration schemas. Every message says what is allowed, because the
 * loader prints it next to the file, the key path and the value found.
 */
import { Cron } from "croner";
import { Address4 } from "ip-address";
import { z } from "zod";
import { AWS_REGIONS } from "./aws-regions";

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Private IPv4 ranges a VPC may use (RFC 1918 plus the RFC 6598 shared range AWS allows). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(
  (cidr) => new Address4(cidr),
);

/** Parses an IPv4 CIDR; returns undefined when it is not one. */
export function parseCidr(value: string): Address4 | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value) || !Address4.isValid(value)) return undefined;
  return new Address4(value);
}

/** True when every address of `inner` lies inside `outer`. */
export function cidrWithin(inner: Address4, outer: Address4): boolean {
  return inner.isInSubnet(outer);
}

/** True when two CIDR blocks share at least one address. */
export function cidrsOverlap(a: Address4, b: Address4): boolean {
  return a.isInSubnet(b) || b.isInSubnet(a);
}

/**
 * An IPv4 network in CIDR notation whose host bits are zero.
 * @param minPrefix smallest prefix length allowed (largest network)
 * @param maxPrefix largest prefix length allowed (smallest network)
 */
export function ipv4Cidr(options: { minPrefix?: number; maxPrefix?: number; privateOnly?: boolean } = {}) {
  const { minPrefix = 0, maxPrefix = 32, privateOnly = false } = options;
  return z
    .string({ error: "expected an IPv4 CIDR string such as 10.20.0.0/16" })
    .superRefine((value, ctx) => {
      const parsed = parseCidr(value);
      if (!parsed) {
        ctx.addIssue({ code: "custom", message: "not an IPv4 CIDR; expected a.b.c.d/n such as 10.20.0.0/16", input: value });
        return;
      }
      const network = parsed.startAddress().correctForm();
      if (network !== parsed.addressMinusSuffix) {
        ctx.addIssue({
          code: "custom",
          message: `not a network address (host bits are set); did you mean ${network}/${parsed.subnetMask}?`,
          input: value,
        });
      }
      if (parsed.subnetMask < minPrefix || parsed.subnetMask > maxPrefix) {
        ctx.addIssue({
          code: "custom",
          message: `prefix length /${parsed.subnetMask} is out of range; allowed /${minPrefix} to /${maxPrefix}`,
          input: value,
        });
      }
      if (privateOnly && !PRIVATE_RANGES.some((range) => parsed.isInSubnet(range))) {
        ctx.addIssue({
          code: "custom",
          message: "must lie in a private range: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10",
          input: value,
        });
      }
    });
}

/** A 12-digit AWS account id. YAML must quote it so leading zeros survive. */
export const awsAccountId = z
  .string({ error: "expected a quoted 12-digit AWS account id, e.g. \"123456789012\"" })
  .regex(/^\d{12}$/, { error: "expected exactly 12 digits, e.g. \"123456789012\"" });

/** Edit distance of two short strings (for "did you mean" hints). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The closest of `candidates` to `value`, when it is close enough to be a likely typo. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates.map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate.toLowerCase()) })).sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best && best.distance <= Math.max(2, Math.floor(value.length / 4)) ? best.candidate : undefined;
}

const REGION_CODES: readonly string[] = Object.keys(AWS_REGIONS);

/**
 * An AWS region that exists: one of the regions of config/schema/aws-regions.ts (converted from botocore's partition
 * data by scripts/convert-aws-regions.ts), e.g. eu-west-1, us-gov-west-1, cn-north-1.
 */
export const awsRegion = z.string({ error: "expected an AWS region code such as eu-west-1" }).superRefine((value, ctx) => {
  if (REGION_CODES.includes(value)) return;
  const hint = closest(value, REGION_CODES);
  const regionsOf = (partition: string) => REGION_CODES.filter((code) => AWS_REGIONS[code as keyof typeof AWS_REGIONS].partition === partition);
  ctx.addIssue({
    code: "custom",
    message: `not an AWS region${hint ? `; did you mean ${hint} (${AWS_REGIONS[hint as keyof typeof AWS_REGIONS].description})?` : ""} Regions: ${regionsOf("aws").join(", ")}; other partitions: ${REGION_CODES.filter((code) => !regionsOf("aws").includes(code)).join(", ")}`,
    input: value,
  });
});

/** The tz database names Intl lists (canonical ones; aliases such as Europe/Kyiv or US/Eastern resolve too). */
const LISTED_TIME_ZONES = new Set(Intl.supportedValuesOf("timeZone"));

const timeZoneProblems = new Map<string, string | undefined>();

/**
 * Why `value` is not an IANA time zone AWS and Kubernetes accept, or undefined. The name must exist in the tz
 * database (checked with Intl, which knows the database Node ships). Intl matches names case-insensitively, but
 * Kubernetes (Go's time.LoadLocation) and AWS read tz data by exact name, so the spelling must match too.
 * Remembered per name: every tenant's schedules repeat the same few zones.
 */
export function timeZoneProblem(value: string): string | undefined {
  if (timeZoneProblems.has(value)) return timeZoneProblems.get(value);
  const problem = checkTimeZone(value);
  if (timeZoneProblems.size < 1000) timeZoneProblems.set(value, problem);
  return problem;
}

function checkTimeZone(value: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    const hint = closest(value, [...LISTED_TIME_ZONES, "UTC"]);
    return `unknown time zone${hint ? `; did you mean ${hint}?` : "."} Expected an IANA tz database name such as UTC, Europe/Dublin or America/New_York`;
  }
  if (value === "UTC" || LISTED_TIME_ZONES.has(value)) return undefined;
  const properlyCased = value.split("/").every((segment) => /^[A-Z]/.test(segment));
  if (resolved.toLowerCase() === value.toLowerCase() || !properlyCased) {
    return `time zone names are case-sensitive (Kubernetes and AWS read the tz database by exact name); did you mean ${resolved}?`;
  }
  return undefined; // an alias of the tz database, e.g. Etc/UTC, Europe/Kyiv, US/Eastern
}

/** An IANA time zone that exists (see timeZoneProblem), e.g. UTC, Europe/Dublin. */
export const ianaTimeZone = z.string({ error: "expected an IANA time zone such as UTC or Europe/Dublin" }).superRefine((value, ctx) => {
  const problem = timeZoneProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

/** Cron macros Kubernetes CronJobs (and Velero schedules, same parser: robfig/cron) accept. */
export const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;

const CRON_FIELDS = ["minute (0-59)", "hour (0-23)", "day-of-month (1-31)", "month (1-12 or JAN-DEC)", "day-of-week (0-6 or SUN-SAT)"] as const;

/**
 * Why `value` is not a standard 5-field cron schedule as Kubernetes CronJobs and Velero schedules read it, or
 * undefined. Parsed with the croner library (out-of-range fields, backwards ranges, zero steps, syntax), plus what
 * Kubernetes' parser (robfig/cron) does not share with croner: day-of-week 7, and the L, W and # extensions. A
 * schedule that can never fire (February 30) is rejected too.
 */
export function kubernetesCronProblem(value: string): string | undefined {
  const expected = `expected a 5-field cron schedule "minute hour day-of-month month day-of-week" (${CRON_FIELDS.join(", ")}) or one of ${CRON_MACROS.join(", ")}`;
  const text = value.trim();
  // robfig/cron's descriptors: the macros, and `@every <Go duration>` (e.g. @every 1h30m).
  if (/^@every\s+((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  if (text.startsWith("@")) return (CRON_MACROS as readonly string[]).includes(text) ? undefined : `unknown macro; ${expected} or @every <duration> such as @every 1h30m`;
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `found ${fields.length === 1 ? "1 field" : `${fields.length} fields`}; ${expected}`;
  const extension = fields.findIndex((field) => /[LW#]/i.test(field.replace(/\b(JUL|APR|AUG|SAT|MON|WED|TUE|THU|FRI|SUN|JAN|FEB|MAR|MAY|JUN|SEP|OCT|NOV|DEC)\b/gi, "")));
  if (extension >= 0) return `${CRON_FIELDS[extension]} "${fields[extension]}" uses L, W or #, which Kubernetes does not support; ${expected}`;
  if (/(^|[,-])7($|[,-/])/.test(fields[4] as string)) return `day-of-week "${fields[4]}": Kubernetes accepts 0-6 (0 is Sunday), not 7`;
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true });
  } catch (error) {
    // croner counts day-of-month and month from 0 in its messages; name the field as written instead.
    const names: Record<string, [string, number]> = { minute: ["minute", 0], hour: ["hour", 0], day: ["day-of-month", 1], month: ["month", 1], dayOfWeek: ["day-of-week", 0] };
    const detail = (error as Error).message
      .replace(/^CronPattern: /, "")
      .replace(/Invalid value for (\w+): (\d+)/, (match, field: string, n: string) => {
        const [name, offset] = names[field] ?? [];
        return name === undefined ? match : `${name} value ${Number(n) + (offset ?? 0)} is out of range`;
      });
    return `${detail}; ${expected}`;
  }
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) return "the schedule never fires (no date matches every field)";
  return undefined;
}

/** A Kubernetes (robfig/cron) 5-field schedule such as "0 2 * * *" or a macro such as @daily. */
export const kubernetesCron = z.string({ error: 'expected a 5-field cron schedule such as "0 2 * * *"' }).superRefine((value, ctx) => {
  const problem = kubernetesCronProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

/** A DNS-safe lowercase identifier (RFC 1123 label) of bounded length. */
export function dnsLabel(maxLength: number, what: string) {
  return z
    .string({ error: `expected ${what}: lowercase letters, digits and '-'` })
    .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, {
      error: `${what} must start with a lowercase letter and contain only a-z, 0-9 and '-' (not at the end)`,
    })
    .max(maxLength, { error: `${what} must be at most ${maxLength} characters (it is part of every resource name)` })
    .refine((value) => !value.includes("--"), { error: `${what} must not contain '--'` });
}

/** CloudWatch Logs retention in days. */
export const logRetentionDays = z
  .number({ error: `expected a number of days, one of ${LOG_RETENTION_DAYS.join(", ")}` })
  .refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
    error: `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} days`,
  });

/** Resource tags: AWS allows 1–128 character keys and 0–256 character values; `aws:` is reserved. */
export const tagMap = z.record(
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, { error: "tag keys may contain letters, digits, spaces and _.:/=+-@" })
    .refine((key) => !key.toLowerCase().startsWith("aws:"), { error: "tag keys must not start with 'aws:'" }),
  z
    .string()
    .max(256, { error: "tag values must be at most 256 characters" })
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, { error: "tag values may contain letters, digits, spaces and _.:/=+-@ (AWS tag rules)" }),
);

/** Returns the elements of `values` that occur more than once. */
export function duplicatesOf<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const dupes = new Set<T>();
  for (const value of values) {
    if (seen.has(value)) dupes.add(value);
    seen.add(value);
  }
  return [...dupes];
}

/** A list whose items must be unique; the error names the duplicates. */
export function uniqueList<T extends z.ZodType<string>>(item: T, what: string) {
  return z.array(item).superRefine((values, ctx) => {
    const dupes = duplicatesOf(values);
    if (dupes.length > 0) {
      ctx.addIssue({ code: "custom", message: `duplicate ${what}: ${dupes.join(", ")}; each may appear once`, input: values });
    }
  });
}

/**
 * Whether a function in the private subnets reaches Secrets Manager: through a NAT gateway, or the `secretsmanager`
 * interface endpoint (the rotation functions that run in the VPC: the brokers', the PostgreSQL monitoring users').
 */
export function reachesSecretsManager(network: { readonly natGateways: string; readonly interfaceEndpoints: readonly string[] }): boolean {
  return network.natGateways !== "none" || network.interfaceEndpoints.includes("secretsmanager");
}
