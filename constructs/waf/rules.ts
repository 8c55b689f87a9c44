/**
 * Web ACL settings and their rules, shared by the construct and the configuration schema.
 */
import { ProblemList, type SettingProblem } from "../data-access/problems";

/** AWS managed rule groups the platform may enable (vendor "AWS"). */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesAnonymousIpList",
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesLinuxRuleSet",
  "AWSManagedRulesUnixRuleSet",
  "AWSManagedRulesAdminProtectionRuleSet",
  "AWSManagedRulesBotControlRuleSet",
] as const;
export type ManagedRuleGroup = (typeof MANAGED_RULE_GROUPS)[number];

/** Evaluation windows a rate-based rule may count over (seconds). */
export const RATE_WINDOWS = [60, 120, 300, 600] as const;
/** Smallest and largest request count per window WAF accepts. */
export const RATE_LIMIT_RANGE = [10, 2_000_000_000] as const;
/** WAF allows 100 rules per web ACL in practice well below the capacity limit; keep configurations reviewable. */
export const MAX_RATE_LIMITS = 20;

export interface RateLimit {
  /** Rule name (also its metric name). */
  readonly name: string;
  /** Requests per second allowed from one client IP, averaged over the window (e.g. 10). */
  readonly requestsPerSecond: number;
  /** Window WAF counts requests over; the limit is requestsPerSecond × windowSeconds. */
  readonly windowSeconds: number;
  /** Only requests whose path starts with this prefix count (e.g. "/api"); absent: every request. */
  readonly pathPrefix?: string;
}

export interface WebAclSettings {
  readonly managedRuleGroups: readonly ManagedRuleGroup[];
  readonly rateLimits: readonly RateLimit[];
}

const RULE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const PATH_PREFIX = /^\/[\w\-./~%]*$/;

/** Requests per window for a rate limit (what WAF's `limit` takes). */
export function rateLimitPerWindow(rule: RateLimit): number {
  return Math.round(rule.requestsPerSecond * rule.windowSeconds);
}

export function webAclProblems(settings: WebAclSettings): SettingProblem[] {
  const p = new ProblemList();
  settings.managedRuleGroups.forEach((group, index) => p.oneOf(group, MANAGED_RULE_GROUPS, ["managedRuleGroups", index], "managed rule group"));
  p.check(settings.rateLimits.length <= MAX_RATE_LIMITS, ["rateLimits"], `at most ${MAX_RATE_LIMITS} rate limits`, settings.rateLimits.length);
  const names = settings.rateLimits.map((rule) => rule.name);
  settings.rateLimits.forEach((rule, index) => {
    p.check(RULE_NAME.test(rule.name), ["rateLimits", index, "name"], "must be lowercase letters, digits and '-', starting with a letter (at most 63)", rule.name);
    p.check(names.indexOf(rule.name) === index, ["rateLimits", index, "name"], "rate limit names must be unique", rule.name);
    p.oneOf(rule.windowSeconds, RATE_WINDOWS, ["rateLimits", index, "windowSeconds"], "window (seconds)");
    const limit = rateLimitPerWindow(rule);
    p.check(
      rule.requestsPerSecond > 0 && limit >= RATE_LIMIT_RANGE[0] && limit <= RATE_LIMIT_RANGE[1],
      ["rateLimits", index, "requestsPerSecond"],
      `requestsPerSecond × windowSeconds must be from ${RATE_LIMIT_RANGE[0]} to ${RATE_LIMIT_RANGE[1]} requests (WAF's limit per window); got ${limit}`,
      rule.requestsPerSecond,
    );
    if (rule.pathPrefix !== undefined) {
      p.check(PATH_PREFIX.test(rule.pathPrefix), ["rateLimits", index, "pathPrefix"], 'must be a URI path starting with "/", e.g. /api', rule.pathPrefix);
    }
  });
  return p.items;
}
