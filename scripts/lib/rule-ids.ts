/**
 * Renders constructs/policy/rule-ids.ts: the rule catalog's ids with their severity and title, as a pure module the
 * configuration loader can import (the rules themselves import configuration, so the loader cannot import them).
 * Written by `npm run schema:export`; a test fails when it is stale.
 */
import { RULES } from "../../constructs/policy/rules";

export const RULE_IDS_FILE = "constructs/policy/rule-ids.ts";

export function renderRuleIds(): string {
  const sorted = [...RULES].sort((a, b) => a.id.localeCompare(b.id));
  return [
    "/**",
    " * The policy pack's rule ids with their severity and title (pure: the configuration loader checks suppressions",
    " * against it). Generated from constructs/policy/rules by `npm run schema:export`; do not edit.",
    " */",
    "export const POLICY_RULES = {",
    ...sorted.map((rule) => `  ${JSON.stringify(rule.id)}: { severity: ${JSON.stringify(rule.severity)}, title: ${JSON.stringify(rule.title)} },`),
    "} as const;",
    "",
    "export type PolicyRuleId = keyof typeof POLICY_RULES;",
    "",
  ].join("\n");
}
