import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { WebAcl, type WebAclProps } from "../../../constructs/waf";
import { resourceList, synthConstruct } from "../../support/synth";
import { naming, only } from "../data-access/fixture";

function webAcl(overrides: Partial<WebAclProps> = {}) {
  return synthConstruct((scope) =>
    new WebAcl(scope, "waf", {
      naming,
      purpose: "regional",
      scope: "REGIONAL",
      rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 60, pathPrefix: "/api" }],
      logging: { retentionDays: 30, kmsKey: new KmsKey(scope, "logs-key", {}) },
      ...overrides,
    }),
  );
}

describe("WebAcl", () => {
  const { json } = webAcl();
  const acl = only(json, "aws_wafv2_web_acl");
  const rules = acl.rule as Record<string, unknown>[];

  it("allows by default and evaluates rate limits before the managed rule groups", () => {
    expect(acl).toMatchObject({ name: "acme-test-regional", scope: "REGIONAL", default_action: { allow: {} } });
    expect(rules.map((rule) => [rule.name, rule.priority])).toEqual([
      ["rate-api", 0],
      ["AWSManagedRulesCommonRuleSet", 100],
      ["AWSManagedRulesKnownBadInputsRuleSet", 101],
      ["AWSManagedRulesAmazonIpReputationList", 102],
    ]);
  });

  it("turns 10 requests/second on /api into a per-IP limit of 600 per 60 s, scoped to the path", () => {
    expect(rules[0]).toMatchObject({
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: 600,
          aggregate_key_type: "IP",
          evaluation_window_sec: 60,
          scope_down_statement: { byte_match_statement: { search_string: "/api", positional_constraint: "STARTS_WITH", field_to_match: { uri_path: {} } } },
        },
      },
    });
  });

  it("runs managed groups with their own actions and publishes metrics for every rule", () => {
    expect(rules[1]).toMatchObject({ override_action: { none: {} }, statement: { managed_rule_group_statement: { name: "AWSManagedRulesCommonRuleSet", vendor_name: "AWS" } } });
    for (const rule of rules) expect(rule.visibility_config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
  });

  it("logs to an encrypted aws-waf-logs- group", () => {
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "aws-waf-logs-acme-test-regional", retention_in_days: 30 });
    expect(only(json, "aws_wafv2_web_acl_logging_configuration").log_destination_configs).toEqual([expect.stringContaining("aws_cloudwatch_log_group")]);
  });

  it("skips logging and the scope-down when not configured", () => {
    const { json: bare } = webAcl({ logging: undefined, rateLimits: [{ name: "all", requestsPerSecond: 50, windowSeconds: 300 }] });
    expect(resourceList(bare, "aws_wafv2_web_acl_logging_configuration")).toHaveLength(0);
    const [rate] = only(bare, "aws_wafv2_web_acl").rule as Record<string, Record<string, Record<string, unknown>>>[];
    expect(rate?.statement?.rate_based_statement).toEqual({ limit: 15000, aggregate_key_type: "IP", evaluation_window_sec: 300 });
  });
});

describe("WebAcl validation (one failing input per rule)", () => {
  const cases: [string, Partial<WebAclProps>, RegExp][] = [
    ["unknown managed rule group", { managedRuleGroups: ["AWSManagedRulesMagic" as never] }, /managedRuleGroups\.0: managed rule group must be one of/],
    ["invalid rule name", { rateLimits: [{ name: "API", requestsPerSecond: 10, windowSeconds: 60 }] }, /rateLimits\.0\.name: must be lowercase letters/],
    ["duplicate rule names", { rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 60 }, { name: "api", requestsPerSecond: 5, windowSeconds: 60 }] }, /rateLimits\.1\.name: rate limit names must be unique/],
    ["window WAF does not offer", { rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 30 }] }, /rateLimits\.0\.windowSeconds: window \(seconds\) must be one of 60, 120, 300, 600/],
    ["limit below WAF's minimum", { rateLimits: [{ name: "api", requestsPerSecond: 0.1, windowSeconds: 60 }] }, /rateLimits\.0\.requestsPerSecond: requestsPerSecond × windowSeconds must be from 10 to 2000000000 requests .* got 6/],
    ["path prefix without a leading slash", { rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 60, pathPrefix: "api" }] }, /rateLimits\.0\.pathPrefix: must be a URI path starting with "\/"/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => webAcl(overrides)).toThrow(message);
  });
});
