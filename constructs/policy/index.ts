/**
 * The policy pack as a cdktf Aspect. `applyPolicy(stack, { profile, suppressions })` is the one call that wires
 * it into a stack: at synthesis, after every other aspect has run, the stack's resolved Terraform JSON is
 * evaluated once; each finding at or above the environment's threshold fails synthesis with an error on the
 * resource's construct path naming the rule and the fix, and findings below it become warnings. Rejected
 * suppressions (critical rule in production, expired, unknown rule) fail the stack.
 *
 * The same engine runs outside synthesis in `npm run policy` (reports) and `npm run review` (findings that
 * appear or disappear), over `cdk.tf.json` files.
 */
import { Annotations, Aspects, type IAspect, TerraformElement, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { Profile } from "../../config/schema/environment";
import type { Severity } from "../../config/schema/policy";
import { defaultFailAt, evaluateStack, formatFinding, type StackEvaluation } from "./engine";
import type { SynthesizedStack } from "./model";
import { SUPPRESSIONS_FILE, type LoadedSuppression } from "./suppressions";
import { atOrAbove, type Finding, type Rule } from "./types";

export { evaluateStack, failing, passed, type StackEvaluation } from "./engine";
export { loadSuppressions, type LoadedSuppression } from "./suppressions";
export { RULES, ruleById } from "./rules";
export type { Finding, Rule, Severity } from "./types";

export interface PolicyOptions {
  /** Profile of the stack's environment: selects production-only rules and stricter checks. */
  readonly profile: Profile;
  /**
   * Findings at or above this severity fail synthesis; lower ones are warnings.
   * @default the environment's `policy.failAt` default for the profile (production: low, staging: medium, development: high)
   */
  readonly failAt?: Severity;
  /**
   * The operator's accepted exceptions (`PlatformConfig.suppressions`, from `policy/suppressions.yaml`). The platform's
   * own are declared in code on the resource (constructs/policy/exceptions.ts) and need no entry here.
   * @default none
   */
  readonly suppressions?: readonly LoadedSuppression[];
  /** @default every rule of the catalog */
  readonly rules?: readonly Rule[];
  /**
   * The suppressions file of the configuration directory in use, as messages name it.
   * @default "policy/suppressions.yaml of the configuration directory"
   */
  readonly suppressionsFile?: string;
  /** Clock for suppression expiry (tests). @default now */
  readonly now?: Date;
}

/** A stack that can hand the JSON it resolves for a validation on to its synthesizer (stacks/base-stack.ts). */
interface ResolvesForValidation {
  resolveForValidation(): unknown;
}

function resolve(stack: TerraformStack): unknown {
  const reusable = stack as TerraformStack & Partial<ResolvesForValidation>;
  return typeof reusable.resolveForValidation === "function" ? reusable.resolveForValidation() : stack.toTerraform();
}

/** How to accept a finding, naming the operator's suppressions file. */
export function suppressionHint(file: string = `${SUPPRESSIONS_FILE.replace(/\\/g, "/")} of the configuration directory`): string {
  return `To accept a finding, add { rule, path, reason } to ${file}.`;
}

/**
 * Registers one validation on the stack (evaluation, rejected suppressions, findings without a resource) and
 * one on every Terraform element (its own findings), so cdktf reports each error at its construct path.
 */
export class PolicyAspect implements IAspect {
  private readonly evaluations = new WeakMap<TerraformStack, StackEvaluation>();
  private readonly visited = new WeakSet<IConstruct>();
  private readonly elementPaths = new WeakMap<TerraformStack, Set<string>>();

  constructor(private readonly options: PolicyOptions) {}

  visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    if (node instanceof TerraformStack) {
      this.elementPaths.set(node, new Set());
      node.node.addValidation({ validate: () => this.stackErrors(node) });
      return;
    }
    if (node instanceof TerraformElement) {
      const stack = TerraformStack.of(node);
      this.elementPaths.get(stack)?.add(node.node.path);
      node.node.addValidation({ validate: () => this.errorsAt(stack, node.node.path, node) });
    }
  }

  /** The evaluation of a stack, computed once from its resolved JSON. */
  evaluation(stack: TerraformStack): StackEvaluation {
    let evaluation = this.evaluations.get(stack);
    if (!evaluation) {
      evaluation = evaluateStack(resolve(stack) as SynthesizedStack, {
        stack: stack.node.id,
        profile: this.options.profile,
        failAt: this.options.failAt ?? defaultFailAt(this.options.profile),
        ...(this.options.suppressions ? { suppressions: this.options.suppressions } : {}),
        ...(this.options.rules ? { rules: this.options.rules } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
      });
      this.evaluations.set(stack, evaluation);
    }
    return evaluation;
  }

  private stackErrors(stack: TerraformStack): string[] {
    const evaluation = this.evaluation(stack);
    const paths = this.elementPaths.get(stack) ?? new Set<string>();
    const orphans = evaluation.findings.filter((finding) => !paths.has(finding.path));
    return [
      ...evaluation.errors.map((error) => `policy suppression rejected: ${error}`),
      ...this.report(evaluation, orphans, stack),
    ];
  }

  private errorsAt(stack: TerraformStack, path: string, node: IConstruct): string[] {
    const evaluation = this.evaluation(stack);
    return this.report(evaluation, evaluation.findings.filter((finding) => finding.path === path), node);
  }

  /** Errors for failing findings; warnings (annotations) for the rest. */
  private report(evaluation: StackEvaluation, findings: readonly Finding[], node: IConstruct): string[] {
    const errors: string[] = [];
    for (const finding of findings) {
      if (atOrAbove(finding.severity, evaluation.failAt)) {
        errors.push(`policy ${formatFinding(finding)} ${suppressionHint(this.options.suppressionsFile)}`);
      } else {
        Annotations.of(node).addWarning(`policy ${formatFinding(finding)}`);
      }
    }
    return errors;
  }
}

/** Wires the policy pack into a stack (one call, e.g. from BaseStack). */
export function applyPolicy(stack: TerraformStack, options: PolicyOptions): PolicyAspect {
  const aspect = new PolicyAspect(options);
  Aspects.of(stack).add(aspect);
  return aspect;
}
