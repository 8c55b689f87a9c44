/**
 * Vocabulary of the policy pack: rules, their scope, and the findings they produce.
 */
import type { Profile } from "../../config/schema/environment";
import { SEVERITIES, type Severity } from "../../config/schema/policy";
import type { Block, StackModel } from "./model";

export { SEVERITIES, type Severity };

/**
 * Where a rule applies:
 * - `all`: every environment, same check;
 * - `prod`: production profile only;
 * - `all-strict-prod`: every environment, with a stricter check in production (e.g. longer retention).
 */
export type RuleScope = "all" | "prod" | "all-strict-prod";

export const SCOPE_LABELS: Readonly<Record<RuleScope, string>> = {
  all: "all environments",
  prod: "production only",
  "all-strict-prod": "all environments (stricter in production)",
};

/** What a rule's check receives. */
export interface RuleContext {
  readonly model: StackModel;
  readonly profile: Profile;
  /** True for the production profile. */
  readonly production: boolean;
  /**
   * Other stacks evaluated together with this one (`npm run policy`), for rules that may be satisfied across
   * stacks (a tag-based backup selection in `<env>-infra` covers a tenant stack's database). Empty when one
   * stack is evaluated alone (synthesis).
   */
  readonly peers: readonly StackModel[];
  /** Whether the model and its peers are every synthesized stack of the configuration (`npm run policy` without STACKS). */
  readonly complete: boolean;
}

/** One problem a rule found on one resource (or the stack, when `block` is absent). */
export interface Violation {
  readonly block?: Block;
  /** What is wrong, with the value found. */
  readonly message: string;
}

/**
 * What a rule does with a value it cannot know offline (a Terraform expression resolved at plan time, a document it
 * cannot read, a resource of another stack): every rule makes this decision explicitly.
 * - `finding`: the unknown value is reported (fail closed);
 * - `safe`: it is treated as compliant, and `reason` says why that is safe.
 */
export interface UnknownDecision {
  readonly decision: "finding" | "safe";
  readonly reason: string;
}

export interface Rule {
  /** Stable id, used in suppressions and reports, e.g. `RDS-FINAL-SNAPSHOT`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly scope: RuleScope;
  /** How to fix a finding (shown next to every finding). */
  readonly fix: string;
  /** Equivalent ids in common scanners, for traceability (`CKV_AWS_16`, `NAG RDS2`). */
  readonly upstream?: string;
  /**
   * The rule's decision for values it cannot know offline. Optional in the type so that rules written elsewhere still
   * compile, but a test (test/constructs/policy/rules.test.ts) fails for every rule that does not declare it.
   */
  readonly unknown?: UnknownDecision;
  check(context: RuleContext): Violation[];
}

/** A violation placed in its stack, with the rule's metadata. */
export interface Finding {
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  readonly scope: RuleScope;
  readonly stack: string;
  /** Construct path of the resource (`prod-infra/keys/data`), or the stack name for stack-level findings. */
  readonly path: string;
  /** Terraform address (`aws_kms_key.keys_data_488379EE`), when the finding is about one resource. */
  readonly address?: string;
  readonly message: string;
  readonly fix: string;
  /**
   * Set when a suppression accepted the finding: `inCode` for the platform's own exceptions declared next to the
   * construct (constructs/policy/exceptions.ts), otherwise from the operator's `policy/suppressions.yaml`.
   */
  readonly suppression?: { readonly reason: string; readonly expires?: string; readonly inCode?: boolean };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** Whether a rule runs for a profile. */
export function ruleApplies(rule: Rule, profile: Profile): boolean {
  return rule.scope !== "prod" || profile === "production";
}
