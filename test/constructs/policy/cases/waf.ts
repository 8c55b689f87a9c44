import { Wafv2IpSet } from "@cdktf/provider-aws/lib/wafv2-ip-set";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import type { Construct } from "constructs";
import type { RuleCase } from "./support";

const VISIBILITY = { cloudwatchMetricsEnabled: true, metricName: "m", sampledRequestsEnabled: true };

function acl(scope: Construct, rules: Wafv2WebAclRule[]): void {
  new Wafv2WebAcl(scope, "acl", { name: "acme-prod-edge", scope: "REGIONAL", defaultAction: { allow: {} }, visibilityConfig: VISIBILITY, rule: rules });
}

function managed(options: { count?: boolean; overrideRule?: string } = {}): Wafv2WebAclRule {
  return {
    name: "AWSManagedRulesCommonRuleSet",
    priority: 100,
    overrideAction: options.count ? { count: {} } : { none: {} },
    // `statement` is passed to Terraform as written (the binding types it loosely): snake_case, as the WAF construct writes it.
    statement: {
      managed_rule_group_statement: {
        name: "AWSManagedRulesCommonRuleSet",
        vendor_name: "AWS",
        ...(options.overrideRule ? { rule_action_override: [{ name: options.overrideRule, action_to_use: { count: {} } }] } : {}),
      },
    },
    visibilityConfig: VISIBILITY,
  };
}

function allowList(scope: Construct, addresses: string[]): void {
  const set = new Wafv2IpSet(scope, "partners", { name: "acme-partners", scope: "REGIONAL", ipAddressVersion: "IPV4", addresses });
  acl(scope, [{ name: "partners", priority: 0, action: { allow: {} }, statement: { ip_set_reference_statement: { arn: set.arn } }, visibilityConfig: VISIBILITY }, managed()]);
}

export const WAF_CASES: readonly RuleCase[] = [
  {
    rule: "WAF-COUNT-MODE-PROD",
    compliant: (s) => acl(s, [managed(), { name: "rate", priority: 0, action: { block: {} }, statement: { rate_based_statement: { limit: 600, aggregate_key_type: "IP" } }, visibilityConfig: VISIBILITY }]),
    violating: (s) => acl(s, [managed({ count: true }), { name: "rate", priority: 0, action: { count: {} }, statement: { rate_based_statement: { limit: 600, aggregate_key_type: "IP" } }, visibilityConfig: VISIBILITY }]),
    expect: [/rule "AWSManagedRulesCommonRuleSet" overrides its rule group's actions to count/, /rule "rate" counts instead of blocking/],
  },
  {
    rule: "WAF-COUNT-MODE-PROD",
    name: "a managed rule overridden to count",
    compliant: (s) => acl(s, [managed()]),
    violating: (s) => acl(s, [managed({ overrideRule: "SizeRestrictions_BODY" })]),
    expect: /the group's rule "SizeRestrictions_BODY" is overridden to count/,
  },
  {
    rule: "WAF-COUNT-MODE-PROD",
    name: "a managed rule counted and its label blocked by a later rule (how a managed rule is narrowed)",
    compliant: (s) =>
      acl(s, [
        managed({ overrideRule: "SizeRestrictions_BODY" }),
        { name: "body-over-8kb", priority: 200, action: { block: {} }, statement: { label_match_statement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } }, visibilityConfig: VISIBILITY },
      ]),
    // The label rule before the group sees no label; a label rule that only counts, or matches more than the label, enforces nothing.
    violating: (s) =>
      acl(s, [
        managed({ overrideRule: "SizeRestrictions_BODY" }),
        { name: "too-early", priority: 50, action: { block: {} }, statement: { label_match_statement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } }, visibilityConfig: VISIBILITY },
        { name: "counting", priority: 200, action: { count: {} }, statement: { label_match_statement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } }, visibilityConfig: VISIBILITY },
      ]),
    expect: [/the group's rule "SizeRestrictions_BODY" is overridden to count/, /rule "counting" counts instead of blocking/],
  },
  {
    rule: "WAF-ALLOW-WORLD",
    compliant: (s) => allowList(s, ["203.0.113.0/24", "52.94.10.0/24"]),
    violating: (s) => allowList(s, ["0.0.0.0/1", "128.0.0.0/1"]),
    expect: /allow rule "partners" matches IP set fixture\/partners with 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together .*\): every request skips the rules after it/,
  },
];
