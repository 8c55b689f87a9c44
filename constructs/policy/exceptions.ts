/**
 * The platform's own accepted exceptions to policy rules, declared in code next to the construct they concern, with
 * the reason: `acceptPolicyFinding(resource, rule, reason)`. They are written into the resource's `//` metadata block
 * of the synthesized JSON (Terraform ignores `//` keys), so the policy pack honours them wherever it evaluates a
 * stack — at synthesis, in `npm run policy` and in `npm run review` — and a reviewer sees them in the JSON. An
 * operator's configuration directory therefore needs no copy of the platform's exceptions:
 * `policy/suppressions.yaml` holds only the operator's own.
 *
 * The same rules apply as to suppressions: the reason must say why (at least 10 characters), the rule must exist,
 * and a critical rule cannot be accepted in a production stack (the evaluation fails closed).
 */
import type { TerraformResource } from "cdktf";
import type { PolicyRuleId } from "./rule-ids";

/** Key of a resource's `//` metadata block holding its accepted exceptions. */
export const POLICY_EXCEPTIONS_KEY = "policyExceptions";

/** The shortest reason accepted (as for suppressions, cdk-nag's minimum). */
export const MIN_EXCEPTION_REASON_LENGTH = 10;

export interface PolicyException {
  readonly rule: string;
  readonly reason: string;
}

const declared = new WeakMap<TerraformResource, PolicyException[]>();

/** Accepts the findings of `rule` on `resource`, with the reason (what makes the exception acceptable). */
export function acceptPolicyFinding(resource: TerraformResource, rule: PolicyRuleId, reason: string): void {
  const text = reason.replace(/\s+/g, " ").trim();
  if (text.length < MIN_EXCEPTION_REASON_LENGTH) {
    throw new Error(`acceptPolicyFinding(${resource.node.path}, ${rule}): the reason must say why, in at least ${MIN_EXCEPTION_REASON_LENGTH} characters`);
  }
  const exceptions = [...(declared.get(resource) ?? []), { rule, reason: text }];
  declared.set(resource, exceptions);
  resource.addOverride(`//.${POLICY_EXCEPTIONS_KEY}`, exceptions);
}

/** The exceptions a synthesized resource's `//` block carries (none when absent or malformed). */
export function exceptionsIn(meta: unknown): PolicyException[] {
  const list = (meta as Record<string, unknown> | undefined)?.[POLICY_EXCEPTIONS_KEY];
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is PolicyException => typeof item?.rule === "string" && typeof item?.reason === "string");
}
