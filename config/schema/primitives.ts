/**
 * Reusable zod primitives for the configuration schemas. Every message says what is allowed, because the
 * loader prints it next to the file, the key path and the value found.
 */
import { Address4 } from "ip-address";
import { z } from "zod";

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

/** An AWS region code such as eu-west-1 or us-gov-west-1. */
export const awsRegion = z
  .string({ error: "expected an AWS region code such as eu-west-1" })
  .regex(/^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d$/, {
    error: "expected an AWS region code such as eu-west-1, us-east-1 or ap-southeast-2",
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
  z.string().max(256, { error: "tag values must be at most 256 characters" }),
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
