/**
 * The shape of a preflight check. A check is one module under checks/ with three parts:
 *
 * - `requirements(target)`: PURE, what the stack needs from the account, read from its synthesized JSON (and the
 *   configuration and stack catalog); undefined when the check does not apply to the stack;
 * - `collect(requirements, api, target)`: the AWS calls that answer it, through the thin layer (aws.ts) — no
 *   decisions, only documents (errors AWS answers, such as NoSuchEntity, are facts too);
 * - `evaluate(requirements, facts, target)`: PURE, the problems (what, where, how to fix) and what was verified.
 *
 * Adding a check is adding a module and listing it in checks/index.ts.
 */
import type { PlatformConfig } from "../../../config/loader";
import type { EnvironmentConfig } from "../../../config/schema/environment";
import type { StackModel } from "../../../constructs/policy/model";
import type { StackEntry } from "../../../stacks/app";
import type { AwsApi } from "./aws";

/** `error`: the apply would fail or leave something broken (exit 1). `warning`: worth knowing, the apply works. */
export type Severity = "error" | "warning";

export interface PreflightProblem {
  readonly severity: Severity;
  /** What: the zone, principal, secret, version, quota... */
  readonly subject: string;
  /** Where: the resource addresses (or configuration keys) that need it. */
  readonly where: readonly string[];
  /** What is wrong, as AWS says it. */
  readonly message: string;
  /** How to fix it: the command or the step. */
  readonly fix: string;
}

export interface CheckOutcome {
  readonly problems: readonly PreflightProblem[];
  /** What was found in order, one line each (e.g. "zone acme.example.com delegated by example.com"). */
  readonly verified: readonly string[];
}

/** Where the stack's Terraform state lives (its S3 backend, from the synthesized JSON). */
export interface StateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** Where it lived before environments had their own prefix, when that differs (constructs/core/state-keys.ts). */
  readonly legacyKey?: string;
}

/** One stack to check, with everything the pure parts may read. */
export interface PreflightTarget {
  readonly stack: string;
  readonly entry: Pick<StackEntry, "name" | "stage" | "appliedBy" | "account" | "accountName" | "environment" | "dependsOn">;
  readonly model: StackModel;
  /** Every stack synthesized for this run (the selected ones and the DNS stacks): zones are created and delegated there. */
  readonly models: ReadonlyMap<string, StackModel>;
  readonly config: PlatformConfig;
  /** The configuration the stack is built from (a tenant's environment with the tenant's settings applied). */
  readonly environment?: EnvironmentConfig;
  /** Undefined for a stack with a local backend (the bootstrap stack's first apply). */
  readonly state?: StateLocation;
}

export interface PreflightCheck<R = unknown, F = unknown> {
  readonly id: string;
  readonly title: string;
  requirements(target: PreflightTarget): R | undefined;
  collect(requirements: R, api: AwsApi, target: PreflightTarget): Promise<F>;
  evaluate(requirements: R, facts: F, target: PreflightTarget): CheckOutcome;
}

/** Declares a check with its types inferred (checks/index.ts lists them erased). */
export function defineCheck<R, F>(check: PreflightCheck<R, F>): PreflightCheck<R, F> {
  return check;
}

export function problem(severity: Severity, subject: string, where: readonly string[], message: string, fix: string): PreflightProblem {
  return { severity, subject, where: [...new Set(where)].sort(), message, fix };
}
