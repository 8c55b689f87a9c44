/**
 * WAF rules: production web ACLs enforce (no rule or managed rule in count mode), and no allow rule matches the whole
 * internet through an IP set (an allow rule ends evaluation: every request it matches skips the managed rules and rate
 * limits after it).
 */
import { type Block, blocks, describe, dig, isExpression, one, type StackModel, strings } from "../model";
import { coversWorld, describeWorld } from "../public-space";
import type { Rule, Violation } from "../types";

const ACL_TYPES = ["aws_wafv2_web_acl", "aws_wafv2_rule_group"];

function actionOf(value: unknown): string | undefined {
  const action = one(value);
  return action ? Object.keys(action).find((key) => one(action[key]) !== undefined || action[key] !== undefined) : undefined;
}

/** Priority of a rule (undefined when it is an expression). */
function priorityOf(rule: Record<string, unknown>): number | undefined {
  return typeof rule.priority === "number" ? rule.priority : undefined;
}

/**
 * Whether a managed rule overridden to count is still enforced: a later rule of the same web ACL blocks every request
 * carrying the label the managed rule adds (`awswaf:managed:<vendor>:<group>:<Rule>`, the rule's name in another
 * case), with nothing but that label match. That is AWS's documented way to narrow a managed rule (count it, then
 * block its label except where an earlier, narrower rule lets a request through: AWS WAF Developer Guide, "Label
 * match rule statement" and "Customizing managed rule group rules with labels").
 */
function enforcedByLabel(acl: Block, group: Record<string, unknown>, ruleName: string): boolean {
  const groupPriority = priorityOf(group);
  if (groupPriority === undefined) return false;
  return blocks(acl.body.rule).some((candidate) => {
    const priority = priorityOf(candidate);
    if (priority === undefined || priority <= groupPriority || actionOf(candidate.action) !== "block") return false;
    const statement = one(candidate.statement);
    if (!statement || Object.keys(statement).filter((key) => statement[key] !== undefined).length !== 1) return false;
    const match = one(statement.label_match_statement);
    const key = typeof match?.key === "string" ? match.key : undefined;
    return match?.scope === "LABEL" && key !== undefined && key.startsWith("awswaf:managed:") && key.split(":").pop()?.toLowerCase() === ruleName.toLowerCase();
  });
}

/** Count-mode findings of one web ACL or rule group. */
function countModes(block: Block): string[] {
  const out: string[] = [];
  for (const rule of blocks(block.body.rule)) {
    const name = describe(rule.name);
    if (actionOf(rule.action) === "count") out.push(`rule ${name} counts instead of blocking (action count)`);
    if (actionOf(rule.override_action) === "count") out.push(`rule ${name} overrides its rule group's actions to count`);
    for (const key of ["managed_rule_group_statement", "rule_group_reference_statement"]) {
      const group = one(dig(one(rule.statement), key));
      for (const override of blocks(group?.rule_action_override)) {
        if (actionOf(override.action_to_use) !== "count") continue;
        if (typeof override.name === "string" && enforcedByLabel(block, rule, override.name)) continue;
        out.push(`rule ${name}: the group's rule ${describe(override.name)} is overridden to count`);
      }
    }
  }
  return out;
}

/** IP sets by address, with their addresses. */
function ipSets(model: StackModel): Map<string, { block: Block; addresses: string[] }> {
  return new Map(model.resources("aws_wafv2_ip_set").map((set) => [set.address, { block: set, addresses: strings(set.body.addresses) }]));
}

export const WAF_RULES: readonly Rule[] = [
  {
    id: "WAF-COUNT-MODE-PROD",
    title: "Production WAF rules block: none in count mode",
    severity: "high",
    scope: "prod",
    upstream: "AWS WAF Developer Guide (testing and tuning: count mode is for testing); Security Hub WAF.10/WAF.12",
    fix: "Set the rule's action to block (override_action none for rule groups). A managed rule that blocks legitimate traffic is excluded with a scope-down statement or a label match, not left counting; a deliberate count is accepted in code with the false positive it avoids.",
    unknown: { decision: "safe", reason: "Actions are nested blocks the pack always sees; there is no expression to be unknown." },
    check: ({ model }) => model.resources(...ACL_TYPES).flatMap((block) => countModes(block).map((message): Violation => ({ block, message }))),
  },
  {
    id: "WAF-ALLOW-WORLD",
    title: "No WAF allow rule matches the whole internet",
    severity: "high",
    scope: "all",
    upstream: "custom (an allow action ends evaluation of the web ACL)",
    fix: "List only the client ranges that may skip the other rules in the IP set (partners, monitoring); never ranges that add up to the internet (0.0.0.0/0, ::/0, 0.0.0.0/1 + 128.0.0.0/1, ...).",
    unknown: { decision: "finding", reason: "An allow rule's IP set whose addresses are expressions, or that is not in the stack, is reported: it may hold anything." },
    check: ({ model }) => {
      const sets = ipSets(model);
      const out: Violation[] = [];
      for (const acl of model.resources(...ACL_TYPES)) {
        for (const rule of blocks(acl.body.rule)) {
          if (actionOf(rule.action) !== "allow") continue;
          const reference = one(dig(one(rule.statement), "ip_set_reference_statement"));
          if (!reference) continue;
          const set = model.refsIn(reference.arn).map((block) => sets.get(block.address)).find((item) => item !== undefined);
          if (!set) {
            out.push({ block: acl, message: `allow rule ${describe(rule.name)} matches IP set ${describe(reference.arn)}, which is not in this stack: its addresses cannot be judged` });
          } else if (isExpression(set.block.body.addresses) || set.addresses.some(isExpression)) {
            out.push({ block: acl, message: `allow rule ${describe(rule.name)} matches IP set ${set.block.path}, whose addresses are known only at plan time` });
          } else if (coversWorld(set.addresses)) {
            out.push({ block: acl, message: `allow rule ${describe(rule.name)} matches IP set ${set.block.path} with ${describeWorld(set.addresses)}: every request skips the rules after it` });
          }
        }
      }
      return out;
    },
  },
];
