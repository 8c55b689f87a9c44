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
    ["limit below WAF's minimum", { rateLimits: [{ name: "api", requestsPerSecond: 0.1, windowSeconds: 60 }] }, /rateLimits\.0\.requestsPerSecond: requestsPerSecond × windowSeconds must be a whole number of requests from 10 to 2000000000 .* got 6 per 60 s/],
    ["path prefix without a leading slash", { rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 60, pathPrefix: "api" }] }, /rateLimits\.0\.pathPrefix: must be a URI path starting with "\/"/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => webAcl(overrides)).toThrow(message);
  });
});

describe("WebAcl tuning of managed rule groups", () => {
  const { json } = webAcl({
    rateLimits: [{ name: "ai", requestsPerMinute: 2, windowSeconds: 300, pathPrefix: "/api/ai" }],
    managedRuleGroups: [
      { name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: { NoUserAgent_HEADER: "count", CrossSiteScripting_BODY: "challenge" }, excludedRules: ["GenericRFI_BODY"], excludedPathPrefixes: ["/healthz", "/metrics"] },
      { name: "AWSManagedRulesSQLiRuleSet", excludedPathPrefixes: ["/internal"] },
    ],
  });
  const rules = only(json, "aws_wafv2_web_acl").rule as Record<string, Record<string, Record<string, unknown>>>[];

  it("turns 2 requests/minute over 5 minutes into a limit of 10 per 300 s", () => {
    expect(rules[0]?.statement?.rate_based_statement).toMatchObject({ limit: 10, evaluation_window_sec: 300 });
  });

  it("writes rule action overrides and excluded rules (an override to count), sorted by rule", () => {
    expect(rules[1]?.statement?.managed_rule_group_statement?.rule_action_override).toEqual([
      { name: "CrossSiteScripting_BODY", action_to_use: { challenge: {} } },
      { name: "GenericRFI_BODY", action_to_use: { count: {} } },
      { name: "NoUserAgent_HEADER", action_to_use: { count: {} } },
    ]);
    expect(rules[1]?.override_action).toEqual({ none: {} });
  });

  it("scopes a group away from excluded path prefixes", () => {
    expect(rules[1]?.statement?.managed_rule_group_statement?.scope_down_statement).toEqual({
      not_statement: {
        statement: [
          {
            or_statement: {
              statement: ["/healthz", "/metrics"].map((prefix) => ({
                byte_match_statement: { search_string: prefix, positional_constraint: "STARTS_WITH", field_to_match: { uri_path: {} }, text_transformation: [{ priority: 0, type: "NONE" }] },
              })),
            },
          },
        ],
      },
    });
    expect(rules[2]?.statement?.managed_rule_group_statement?.scope_down_statement).toMatchObject({ not_statement: { statement: [{ byte_match_statement: { search_string: "/internal" } }] } });
    expect(rules[2]?.statement?.managed_rule_group_statement?.rule_action_override).toBeUndefined();
  });
});

describe("WebAcl upload scopes (bodies over 8 KB on products' upload paths)", () => {
  const scope = { name: "murima-api-gateway", hosts: [{ domain: "murima.example.com", host: "api" }], paths: ["/"], maxBodyBytes: 50 * 1024 * 1024 };
  const { json } = webAcl({ uploads: [scope, { name: "noor-backend", hosts: [{ domain: "noor.example.com", host: "apex" }], paths: ["/uploads", "/files"], maxBodyBytes: 20 * 1024 * 1024 }] });
  const rules = only(json, "aws_wafv2_web_acl").rule as Record<string, unknown>[];
  const named = (name: string) => rules.find((rule) => rule.name === name) as Record<string, Record<string, Record<string, unknown>>>;
  const host = (search: string, position: string) => ({
    byte_match_statement: { search_string: search, positional_constraint: position, field_to_match: { single_header: { name: "host" } }, text_transformation: [{ priority: 0, type: "LOWERCASE" }] },
  });
  const path = (search: string) => ({ byte_match_statement: { search_string: search, positional_constraint: "STARTS_WITH", field_to_match: { uri_path: {} }, text_transformation: [{ priority: 0, type: "NONE" }] } });
  const label = { label_match_statement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } };

  it("makes the common rule set's 8 KB body rule only count (and label)", () => {
    expect(named("AWSManagedRulesCommonRuleSet").statement?.managed_rule_group_statement?.rule_action_override).toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
  });

  it("blocks a scope's request declaring more than its maximum, allows its labelled requests, blocks every other labelled one", () => {
    expect(rules.filter((rule) => Number(rule.priority) >= 200).map((rule) => [rule.name, rule.priority, Object.keys(rule.action as object)[0]])).toEqual([
      ["upload-murima-api-gateway-too-large", 200, "block"],
      ["upload-murima-api-gateway", 201, "allow"],
      ["upload-noor-backend-too-large", 202, "block"],
      ["upload-noor-backend", 203, "allow"],
      ["body-over-8kb", 204, "block"],
    ]);
    // api.murima.example.com and its tenants' api.<tenant>.murima.example.com, any path, Content-Length above 50 MiB.
    expect(named("upload-murima-api-gateway-too-large").statement?.and_statement?.statement).toEqual([
      host("api.", "STARTS_WITH"),
      host(".murima.example.com", "ENDS_WITH"),
      path("/"),
      {
        regex_match_statement: {
          regex_string: "^0*([1-9][0-9]{8,}|[6-9][0-9]{7}|5[3-9][0-9]{6}|52[5-9][0-9]{5}|524[3-9][0-9]{4}|52429[0-9]{3}|524289[0-9]{2}|524288[1-9][0-9]{1}|5242880[1-9])$",
          field_to_match: { single_header: { name: "content-length" } },
          text_transformation: [{ priority: 0, type: "NONE" }],
        },
      },
    ]);
    expect(named("upload-murima-api-gateway").statement?.and_statement?.statement).toEqual([label, host("api.", "STARTS_WITH"), host(".murima.example.com", "ENDS_WITH"), path("/")]);
    // The apex and its tenants' <tenant>.noor.example.com; two paths.
    expect(named("upload-noor-backend").statement?.and_statement?.statement).toEqual([
      label,
      { or_statement: { statement: [host("noor.example.com", "EXACTLY"), host(".noor.example.com", "ENDS_WITH")] } },
      { or_statement: { statement: [path("/uploads"), path("/files")] } },
    ]);
    expect(named("body-over-8kb").statement).toEqual(label);
  });

  it("keeps logical statements within the three levels the Terraform provider nests", () => {
    const depth = (node: unknown): number => {
      if (Array.isArray(node)) return Math.max(0, ...node.map(depth));
      if (node === null || typeof node !== "object") return 0;
      return Math.max(0, ...Object.entries(node).map(([key, value]) => (["and_statement", "or_statement", "not_statement"].includes(key) ? 1 : 0) + depth(value)));
    };
    for (const rule of rules) expect(depth(rule.statement), String(rule.name)).toBeLessThanOrEqual(2);
  });

  it("adds nothing without upload scopes (the common rule set blocks bodies over 8 KB)", () => {
    const plain = only(webAcl().json, "aws_wafv2_web_acl").rule as Record<string, Record<string, Record<string, unknown>>>[];
    expect(plain.map((rule) => rule.name)).not.toContain("body-over-8kb");
    expect(plain[1]?.statement?.managed_rule_group_statement?.rule_action_override).toBeUndefined();
  });

  it("rejects upload scopes without the common rule set, or when configuration overrides its body rule", () => {
    expect(() => webAcl({ uploads: [scope], managedRuleGroups: ["AWSManagedRulesSQLiRuleSet"] })).toThrow(/upload scopes relax AWSManagedRulesCommonRuleSet's SizeRestrictions_BODY, which is not among the managed rule groups/);
    expect(() => webAcl({ uploads: [scope], managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", excludedRules: ["SizeRestrictions_BODY"] }] })).toThrow(/SizeRestrictions_BODY is overridden in configuration and by the upload scopes/);
  });

  it("rejects a maximum the common rule set already allows, a path without a slash and duplicate names", () => {
    expect(() => webAcl({ uploads: [{ ...scope, maxBodyBytes: 8192 }] })).toThrow(/0\.maxBodyBytes: must be more than 8192 bytes/);
    expect(() => webAcl({ uploads: [{ ...scope, paths: ["uploads"] }] })).toThrow(/0\.paths\.0: must be a URI path starting with "\/"/);
    expect(() => webAcl({ uploads: [scope, scope] })).toThrow(/1\.name: upload scope names must be unique/);
  });
});

describe("WebAcl tuning validation (one failing input per rule)", () => {
  const cases: [string, Partial<WebAclProps>, RegExp][] = [
    ["an override of a rule the group does not have", { managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: { SizeRestrictions_Body: "count" } }] }, /managedRuleGroups\.0\.ruleActionOverrides\.SizeRestrictions_Body: AWSManagedRulesCommonRuleSet has no rule SizeRestrictions_Body/],
    ["an unknown override action", { managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: { NoUserAgent_HEADER: "ignore" as never } }] }, /override action must be one of allow, block, count, captcha, challenge/],
    ["a rule both excluded and overridden", { managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", excludedRules: ["NoUserAgent_HEADER"], ruleActionOverrides: { NoUserAgent_HEADER: "block" } }] }, /NoUserAgent_HEADER is also in excludedRules/],
    ["a group listed twice", { managedRuleGroups: ["AWSManagedRulesSQLiRuleSet", "AWSManagedRulesSQLiRuleSet"] }, /managedRuleGroups\.1: AWSManagedRulesSQLiRuleSet is already listed/],
    ["groups over the web ACL's capacity", { managedRuleGroups: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesUnixRuleSet", "AWSManagedRulesAdminProtectionRuleSet", "AWSManagedRulesAnonymousIpList"] }, /the groups need 1550 WCUs; a web ACL has 1500/],
    ["a rate given per second and per minute", { rateLimits: [{ name: "api", requestsPerSecond: 1, requestsPerMinute: 60, windowSeconds: 60 }] }, /needs exactly one of requestsPerSecond or requestsPerMinute/],
    ["a per-minute rate below WAF's minimum in its window", { rateLimits: [{ name: "ai", requestsPerMinute: 2, windowSeconds: 120 }] }, /requestsPerMinute × windowSeconds \/ 60 must be a whole number .* got 4 per 120 s; windowSeconds 300, 600 would give 10, 20 requests/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => webAcl(overrides)).toThrow(message);
  });
});
