/**
 * Runs the checks over the targets and reports, per stack, each check's outcome; the exit status follows from it:
 * 0 nothing blocks the apply, 1 a problem would (an error), 2 a check could not run (credentials, permissions,
 * network, a response not recorded) — never a silent pass.
 */
import { CHECKS } from "./checks";
import { errorCode, type AwsApi } from "./aws";
import type { PreflightCheck, PreflightProblem, PreflightTarget } from "./types";
import { PreflightUsageError } from "./targets";

export type CheckStatus = "ok" | "problems" | "not-applicable" | "failed";

export interface CheckReport {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly problems: readonly PreflightProblem[];
  readonly verified: readonly string[];
  /** Why the check could not run (status `failed`). */
  readonly error?: string;
}

export interface StackReport {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly stage: string;
  readonly checks: readonly CheckReport[];
}

export interface PreflightSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly failedChecks: number;
  readonly exitCode: 0 | 1 | 2;
}

/** Fails when the credentials are not the stacks' account's (checks would read another account). */
export async function verifyAccount(targets: readonly PreflightTarget[], api: AwsApi): Promise<string> {
  const [first] = targets;
  if (!first) throw new PreflightUsageError("no stack selected");
  const identity = await api.call("sts:GetCallerIdentity", first.entry.account.region, {});
  const caller = identity.Account ?? "";
  const elsewhere = targets.filter((target) => target.entry.account.accountId !== caller);
  if (elsewhere.length > 0) {
    throw new PreflightUsageError(
      `the credentials are for account ${caller} (${identity.Arn ?? "unknown principal"}), but ${elsewhere.map((target) => `${target.stack} deploys into ${target.entry.account.accountId}`).join(", ")}: ` +
        "run the preflight with credentials of the stack's account (CI: its environment's plan role there), one account at a time",
    );
  }
  return caller;
}

function describeError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const hint = /AccessDenied|UnauthorizedOperation|AuthorizationError/i.test(code) ? " (the plan role's ReadOnlyAccess covers every call the preflight makes: check the credentials in use)" : "";
  return `${code}: ${message}${hint}`;
}

async function runCheck(check: PreflightCheck, target: PreflightTarget, api: AwsApi): Promise<CheckReport> {
  const base = { id: check.id, title: check.title };
  const requirements = check.requirements(target);
  if (requirements === undefined) return { ...base, status: "not-applicable", problems: [], verified: [] };
  let facts: unknown;
  try {
    facts = await check.collect(requirements, api, target);
  } catch (error) {
    return { ...base, status: "failed", problems: [], verified: [], error: describeError(error) };
  }
  const outcome = check.evaluate(requirements, facts, target);
  return { ...base, status: outcome.problems.length > 0 ? "problems" : "ok", problems: outcome.problems, verified: outcome.verified };
}

export async function runPreflight(targets: readonly PreflightTarget[], api: AwsApi, checks: readonly PreflightCheck[] = CHECKS): Promise<StackReport[]> {
  const reports: StackReport[] = [];
  for (const target of targets) {
    const results: CheckReport[] = [];
    for (const check of checks) results.push(await runCheck(check, target, api));
    reports.push({ stack: target.stack, accountId: target.entry.account.accountId, region: target.entry.account.region, stage: target.entry.stage, checks: results });
  }
  return reports;
}

export function summarize(reports: readonly StackReport[]): PreflightSummary {
  const checks = reports.flatMap((report) => report.checks);
  const problems = checks.flatMap((check) => check.problems);
  const errors = problems.filter((item) => item.severity === "error").length;
  const failedChecks = checks.filter((check) => check.status === "failed").length;
  return { errors, warnings: problems.length - errors, failedChecks, exitCode: failedChecks > 0 ? 2 : errors > 0 ? 1 : 0 };
}
