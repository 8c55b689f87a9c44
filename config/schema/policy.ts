/**
 * Policy pack configuration.
 *
 * - `policy` section of an environment file: the severity at and above which a finding fails synthesis and
 *   `npm run policy` (defaults per profile in `config/defaults.ts`: production is strictest).
 *   A production environment cannot raise it above PRODUCTION_FAIL_AT_FLOOR.
 * - `policy/suppressions.yaml`: accepted exceptions. Each names one rule, the construct path(s) it applies to
 *   (glob, starting with the stack name), a reason of at least 10 characters and optionally an expiry date. A
 *   suppression of a high or critical rule needs an exact path (no glob) and an expiry at most a year away.
 *   Expired suppressions, and suppressions of a critical rule that match a production stack, are rejected
 *   where the stacks are known (see `constructs/policy/suppressions.ts`).
 */
import { z } from "zod";

/** Finding severities, lowest first. */
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The highest `policy.failAt` a production environment may set: findings of this severity and above always fail
 * production synthesis, whatever the environment file says (the gate cannot be switched off by configuration).
 */
export const PRODUCTION_FAIL_AT_FLOOR: Severity = "high";

/** Severities whose suppressions need an exact path and an expiry (see MAX_SUPPRESSION_DAYS). */
export const STRICT_SUPPRESSION_SEVERITIES: readonly Severity[] = ["high", "critical"];

/** The longest a suppression of a high or critical rule may run: it is revisited at least once a year. */
export const MAX_SUPPRESSION_DAYS = 366;

export function severityIndex(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A reason must say why, not just "ok": cdk-nag's minimum, adopted here. */
export const MIN_SUPPRESSION_REASON_LENGTH = 10;

/** Rule ids are upper-case words joined by '-', e.g. `RDS-FINAL-SNAPSHOT`. */
const RULE_ID = /^[A-Z0-9]+(-[A-Z0-9]+)*$/;

export const PolicySchema = z.strictObject({
  /** Findings of this severity or higher fail synthesis (and `npm run policy`); lower ones are warnings. */
  failAt: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(", ")}` }),
});

/** ISO calendar date `YYYY-MM-DD` that exists. */
const isoDate = z
  .string({ error: "expected a date YYYY-MM-DD, e.g. 2026-12-31" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "expected a date YYYY-MM-DD, e.g. 2026-12-31" })
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, { error: "not a calendar date" });

export const SuppressionSchema = z.strictObject({
  /** Id of the rule whose findings are suppressed, e.g. `S3-BACKUP-IMMUTABLE`. */
  rule: z.string({ error: "expected a rule id such as S3-VERSIONING" }).regex(RULE_ID, {
    error: "expected a rule id: upper-case letters, digits and '-', e.g. S3-VERSIONING",
  }),
  /**
   * Construct path of the resource(s), starting with the stack name: `bootstrap/state/bucket`. Globs are
   * allowed for low and medium rules (`*-infra/network/flow-log-role`, `prod-platform/ingress/**`); a high or
   * critical rule's suppression names one exact path.
   */
  path: z.string({ error: "expected a construct path such as prod-infra/keys/data" }).min(1).refine((value) => !value.startsWith("/"), {
    error: "construct paths start with the stack name, not '/'",
  }),
  /** Why the finding is accepted (and what compensates for it). */
  reason: z
    .string({ error: `a reason is required (at least ${MIN_SUPPRESSION_REASON_LENGTH} characters)` })
    .trim()
    .min(MIN_SUPPRESSION_REASON_LENGTH, { error: `the reason must say why, in at least ${MIN_SUPPRESSION_REASON_LENGTH} characters` }),
  /**
   * Last day the suppression applies; afterwards it is rejected, so the exception is revisited. Required for high
   * and critical rules, at most a year away.
   */
  expires: isoDate.optional(),
});

export const SuppressionsFileSchema = z.strictObject({
  suppressions: z.array(SuppressionSchema),
});

export type PolicyConfig = z.output<typeof PolicySchema>;
export type Suppression = z.output<typeof SuppressionSchema>;

export interface LoadedSuppression extends Suppression {
  /** `config/policy/suppressions.yaml suppressions[2]`, for messages. */
  readonly origin: string;
}
