/**
 * Evaluates the rule catalog over one synthesized stack: runs every rule that applies to the profile, places
 * each violation at its construct path, and applies suppressions.
 */
import { PROFILE_DEFAULTS } from "../../config/defaults";
import type { Profile } from "../../config/schema/environment";
import type { Severity, Suppression } from "../../config/schema/policy";
import { StackModel, type SynthesizedStack } from "./model";
import { RULES } from "./rules";
import { suppressionErrors, suppressionFor } from "./suppressions";
import { atOrAbove, type Finding, type Rule, ruleApplies, severityRank } from "./types";

export interface EvaluateOptions {
  /** Stack name; read from the JSON's metadata when absent. */
  readonly stack?: string;
  readonly profile: Profile;
  /**
   * Severity at and above which unsuppressed findings fail.
   * @default the profile's `policy.failAt` default (config/defaults.ts)
   */
  readonly failAt?: Severity;
  /** @default none */
  readonly suppressions?: readonly Suppression[];
  /** @default every rule of the catalog */
  readonly rules?: readonly Rule[];
  /** Other stacks evaluated together (for cross-stack rules such as BACKUP-COVERAGE). @default none */
  readonly peers?: readonly StackModel[];
  /**
   * Whether this stack and `peers` are every stack of the configuration (rules about what must exist somewhere, such
   * as ACCOUNT-BASELINE-COVERAGE, judge only a complete set). @default false
   */
  readonly complete?: boolean;
  /** Clock for suppression expiry. @default now */
  readonly now?: Date;
}

export interface StackEvaluation {
  readonly stack: string;
  readonly profile: Profile;
  readonly failAt: Severity;
  /** Unsuppressed findings, most severe first. */
  readonly findings: readonly Finding[];
  /** Findings a suppression accepted (reported with its reason). */
  readonly suppressed: readonly Finding[];
  /** Rejected suppressions: they fail the evaluation whatever the threshold. */
  readonly errors: readonly string[];
}

/** The failing findings of an evaluation: unsuppressed, at or above its threshold. */
export function failing(evaluation: StackEvaluation): Finding[] {
  return evaluation.findings.filter((finding) => atOrAbove(finding.severity, evaluation.failAt));
}

export function passed(evaluation: StackEvaluation): boolean {
  return evaluation.errors.length === 0 && failing(evaluation).length === 0;
}

/** The profile's default threshold (production: low, staging: medium, development: high). */
export function defaultFailAt(profile: Profile): Severity {
  const failAt = PROFILE_DEFAULTS[profile].policy?.failAt;
  if (!failAt) throw new Error(`config/defaults.ts sets no policy.failAt for profile ${profile}`);
  return failAt;
}

/** Runs the rules over one stack. Findings are sorted most severe first, then by rule and path. */
export function evaluateStack(json: SynthesizedStack | StackModel, options: EvaluateOptions): StackEvaluation {
  const model = json instanceof StackModel ? json : new StackModel(json, options.stack);
  const stack = options.stack ?? model.stackName;
  const rules = options.rules ?? RULES;
  const suppressions = options.suppressions ?? [];
  const context = { model, profile: options.profile, production: options.profile === "production", peers: options.peers ?? [], complete: options.complete ?? false };
  const all: Finding[] = [];
  for (const rule of rules) {
    if (!ruleApplies(rule, options.profile)) continue;
    let violations;
    try {
      violations = rule.check(context);
    } catch (error) {
      throw new Error(`policy rule ${rule.id} failed on stack ${stack}: ${(error as Error).message}`, { cause: error });
    }
    for (const violation of violations) {
      all.push({
        rule: rule.id,
        title: rule.title,
        severity: rule.severity,
        scope: rule.scope,
        stack,
        path: violation.block?.path ?? stack,
        ...(violation.block ? { address: violation.block.address } : {}),
        message: violation.message,
        fix: rule.fix,
      });
    }
  }
  all.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  // The platform's exceptions accepted in code, carried in each resource's `//` block (constructs/policy/exceptions.ts).
  const inCode = model.all().flatMap((block) => block.exceptions.map((exception) => ({ rule: exception.rule, path: block.path, reason: exception.reason, origin: `${block.path} (accepted in code)`, address: block.address })));
  const findings: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const finding of all) {
    const accepted = finding.address === undefined ? undefined : inCode.find((exception) => exception.address === finding.address && exception.rule === finding.rule);
    if (accepted) {
      suppressed.push({ ...finding, suppression: { reason: accepted.reason, inCode: true } });
      continue;
    }
    const suppression = suppressionFor(finding, suppressions);
    if (suppression) {
      suppressed.push({ ...finding, suppression: { reason: suppression.reason, ...(suppression.expires ? { expires: suppression.expires } : {}) } });
    } else {
      findings.push(finding);
    }
  }
  return {
    stack,
    profile: options.profile,
    failAt: options.failAt ?? defaultFailAt(options.profile),
    findings,
    suppressed,
    errors: [...suppressionErrors(inCode, stack, options.profile, options.now, { inCode: true }), ...staleExceptions(inCode, all, rules, options.profile), ...suppressionErrors(suppressions, stack, options.profile, options.now)],
  };
}

/**
 * Exceptions accepted in code that accept nothing: their rule ran on the stack and found nothing on their resource. A
 * stale exception is an error, not noise: left in place it would silently accept the next regression of that resource.
 */
function staleExceptions(
  inCode: readonly { rule: string; address: string; origin: string }[],
  findings: readonly Finding[],
  rules: readonly Rule[],
  profile: Profile,
): string[] {
  return inCode
    .filter((exception) => rules.some((rule) => rule.id === exception.rule && ruleApplies(rule, profile)))
    .filter((exception) => !findings.some((finding) => finding.rule === exception.rule && finding.address === exception.address))
    .map((exception) => `${exception.origin}: the exception for ${exception.rule} accepts nothing (the rule finds nothing on this resource any more); remove the acceptPolicyFinding call`);
}

/** One line per finding: `[RULE] (severity) path: message. Fix: ...`. */
export function formatFinding(finding: Finding): string {
  return `[${finding.rule}] (${finding.severity}) ${finding.path}: ${finding.message}. Fix: ${finding.fix}`;
}
