/**
 * Web ACL settings and their rules, shared by the construct and the configuration schema.
 *
 * Facts used here (AWS WAF developer guide and API reference):
 * - Rate-based rules count over an evaluation window of 60, 120, 300 or 600 seconds, with a limit from 10 to
 *   2,000,000,000 requests per window and aggregation key (docs.aws.amazon.com/waf/latest/developerguide/
 *   waf-rule-statement-type-rate-based-high-level-settings.html; API_RateBasedStatement).
 * - AWS WAF inspects at most the first 8 KB (8,192 bytes) of a request body behind an Application Load Balancer, a
 *   fixed limit; CloudFront, API Gateway, Cognito, App Runner and Verified Access forward 16 KB by default, up to 64 KB
 *   (web-acl-setting-body-inspection-limit.html, API_Body). Nothing beyond that is inspected, so WAF cannot read a
 *   50 MB upload: the common rule set's SizeRestrictions_BODY blocks every body over 8 KB instead. What WAF can check
 *   of a large body is the Content-Length header the client declares.
 * - Rule action overrides replace the action of single rules inside a managed group ("excluded rules" are the older
 *   form of an override to Count); a rule whose action is Count still adds its labels, which later rules of the web
 *   ACL can match (`awswaf:managed:aws:core-rule-set:SizeRestrictions_Body`).
 * - Capacity: a web ACL may use 1,500 WCUs before AWS charges for more (up to 5,000); each managed group has a fixed
 *   capacity (aws-managed-rule-groups-list.html).
 */
import { ProblemList, type SettingProblem } from "../data-access/problems";

/** AWS managed rule groups the platform may enable (vendor "AWS"), with their capacity in WCUs. */
export const MANAGED_RULE_GROUP_CAPACITY = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesLinuxRuleSet: 200,
  AWSManagedRulesUnixRuleSet: 100,
  AWSManagedRulesAdminProtectionRuleSet: 100,
  AWSManagedRulesBotControlRuleSet: 50,
} as const;
export const MANAGED_RULE_GROUPS = Object.keys(MANAGED_RULE_GROUP_CAPACITY) as (keyof typeof MANAGED_RULE_GROUP_CAPACITY)[];
export type ManagedRuleGroup = keyof typeof MANAGED_RULE_GROUP_CAPACITY;

/** WCUs a web ACL may use at the base price. */
export const WEB_ACL_CAPACITY = 1500;

/**
 * The rules of the groups whose rule names are stable and documented: an override naming another rule is a typo (WAF
 * would accept it and change nothing). Groups not listed accept any rule name.
 */
export const MANAGED_GROUP_RULES: Partial<Record<ManagedRuleGroup, readonly string[]>> = {
  AWSManagedRulesCommonRuleSet: [
    "NoUserAgent_HEADER", "UserAgent_BadBots_HEADER", "SizeRestrictions_QUERYSTRING", "SizeRestrictions_Cookie_HEADER",
    "SizeRestrictions_BODY", "SizeRestrictions_URIPATH", "EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_COOKIE",
    "EC2MetaDataSSRF_URIPATH", "EC2MetaDataSSRF_QUERYARGUMENTS", "GenericLFI_QUERYARGUMENTS", "GenericLFI_URIPATH",
    "GenericLFI_BODY", "RestrictedExtensions_URIPATH", "RestrictedExtensions_QUERYARGUMENTS", "GenericRFI_QUERYARGUMENTS",
    "GenericRFI_BODY", "GenericRFI_URIPATH", "CrossSiteScripting_COOKIE", "CrossSiteScripting_QUERYARGUMENTS",
    "CrossSiteScripting_BODY", "CrossSiteScripting_URIPATH",
  ],
  AWSManagedRulesKnownBadInputsRuleSet: [
    "JavaDeserializationRCE_HEADER", "JavaDeserializationRCE_BODY", "JavaDeserializationRCE_URIPATH", "JavaDeserializationRCE_QUERYSTRING",
    "Host_localhost_HEADER", "PROPFIND_METHOD", "ExploitablePaths_URIPATH", "Log4JRCE_HEADER", "Log4JRCE_QUERYSTRING", "Log4JRCE_BODY", "Log4JRCE_URIPATH",
  ],
  AWSManagedRulesSQLiRuleSet: ["SQLi_QUERYARGUMENTS", "SQLiExtendedPatterns_QUERYARGUMENTS", "SQLi_BODY", "SQLiExtendedPatterns_BODY", "SQLi_COOKIE", "SQLi_URIPATH"],
  AWSManagedRulesAmazonIpReputationList: ["AWSManagedIPReputationList", "AWSManagedReconnaissanceList", "AWSManagedIPDDoSList"],
  AWSManagedRulesAnonymousIpList: ["AnonymousIPList", "HostingProviderIPList"],
  AWSManagedRulesLinuxRuleSet: ["LFI_URIPATH", "LFI_QUERYSTRING", "LFI_HEADER"],
  AWSManagedRulesAdminProtectionRuleSet: ["AdminProtection_URIPATH"],
};

/** The common rule set's rule that blocks bodies over 8 KB, and the label it adds. */
export const BODY_SIZE_GROUP: ManagedRuleGroup = "AWSManagedRulesCommonRuleSet";
export const BODY_SIZE_RULE = "SizeRestrictions_BODY";
export const BODY_SIZE_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body";
/** Bytes of a body AWS WAF inspects behind an Application Load Balancer (fixed). */
export const ALB_BODY_INSPECTION_BYTES = 8192;

/** Actions a managed group's rule may be overridden to. */
export const RULE_ACTIONS = ["allow", "block", "count", "captcha", "challenge"] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Evaluation windows a rate-based rule may count over (seconds). */
export const RATE_WINDOWS = [60, 120, 300, 600] as const;
/** Smallest and largest request count per window WAF accepts. */
export const RATE_LIMIT_RANGE = [10, 2_000_000_000] as const;
/** WAF allows 100 rules per web ACL in practice well below the capacity limit; keep configurations reviewable. */
export const MAX_RATE_LIMITS = 20;
/** Path prefixes a managed group may be scoped away from. */
export const MAX_EXCLUDED_PATHS = 10;

export interface RateLimit {
  /** Rule name (also its metric name). */
  readonly name: string;
  /** Requests per second allowed from one client IP, averaged over the window (e.g. 10). Exactly one of the two. */
  readonly requestsPerSecond?: number;
  /** Requests per minute allowed from one client IP, averaged over the window (e.g. 2). */
  readonly requestsPerMinute?: number;
  /** Window WAF counts requests over; the limit is the rate × windowSeconds. */
  readonly windowSeconds: number;
  /** Only requests whose path starts with this prefix count (e.g. "/api"); absent: every request. */
  readonly pathPrefix?: string;
}

/** A managed rule group with its tuning. */
export interface ManagedRuleGroupSettings {
  readonly name: ManagedRuleGroup;
  /** Rule name -> the action it takes instead of its own. @default none */
  readonly ruleActionOverrides?: Readonly<Record<string, RuleAction>>;
  /** Rules that only count (and label) instead of acting: an override to count. @default none */
  readonly excludedRules?: readonly string[];
  /** Requests whose path starts with one of these are not evaluated by the group (a scope-down statement). @default none */
  readonly excludedPathPrefixes?: readonly string[];
}

/** A managed group by name (its defaults) or with its tuning. */
export type ManagedRuleGroupEntry = ManagedRuleGroup | ManagedRuleGroupSettings;

export interface WebAclSettings {
  readonly managedRuleGroups: readonly ManagedRuleGroupEntry[];
  readonly rateLimits: readonly RateLimit[];
}

const RULE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const MANAGED_RULE_NAME = /^[0-9A-Za-z_-]{1,128}$/;
export const PATH_PREFIX = /^\/[\w\-./~%]*$/;

/** A group's settings, whichever way it was written. */
export function groupSettings(entry: ManagedRuleGroupEntry): ManagedRuleGroupSettings {
  return typeof entry === "string" ? { name: entry } : entry;
}

/** Requests per second of a rate limit, whichever unit it was written in. */
export function requestsPerSecond(rule: RateLimit): number {
  return rule.requestsPerSecond ?? (rule.requestsPerMinute ?? 0) / 60;
}

/** Requests per window for a rate limit (what WAF's `limit` takes). */
export function rateLimitPerWindow(rule: RateLimit): number {
  if (rule.requestsPerMinute !== undefined) return (rule.requestsPerMinute * rule.windowSeconds) / 60;
  return (rule.requestsPerSecond ?? 0) * rule.windowSeconds;
}

/** The windows in which a rate limit is a whole number WAF accepts. */
function windowsThatFit(rule: RateLimit): number[] {
  return RATE_WINDOWS.filter((window) => {
    const limit = rateLimitPerWindow({ ...rule, windowSeconds: window });
    return Number.isInteger(Math.round(limit * 1e6) / 1e6) && limit >= RATE_LIMIT_RANGE[0] && limit <= RATE_LIMIT_RANGE[1];
  });
}

/** Overrides of a group (action overrides and excluded rules together), by rule name. */
export function ruleOverrides(settings: ManagedRuleGroupSettings): Record<string, RuleAction> {
  return { ...Object.fromEntries((settings.excludedRules ?? []).map((rule) => [rule, "count" as const])), ...settings.ruleActionOverrides };
}

export function webAclProblems(settings: WebAclSettings): SettingProblem[] {
  const p = new ProblemList();
  const groups = settings.managedRuleGroups.map(groupSettings);
  const seen = new Map<string, number>();
  groups.forEach((group, index) => {
    const at = (...path: (string | number)[]) => ["managedRuleGroups", index, ...path];
    p.oneOf(group.name, MANAGED_RULE_GROUPS, typeof settings.managedRuleGroups[index] === "string" ? at() : at("name"), "managed rule group");
    const first = seen.get(group.name);
    p.check(first === undefined, at(), `${group.name} is already listed at managedRuleGroups[${first}]; list a group once`, group.name);
    seen.set(group.name, index);
    const known = MANAGED_GROUP_RULES[group.name];
    const named = [...Object.keys(group.ruleActionOverrides ?? {}).map((rule) => ["ruleActionOverrides", rule] as const), ...(group.excludedRules ?? []).map((rule, i) => ["excludedRules", i, rule] as const)];
    for (const entry of named) {
      const rule = entry[entry.length - 1] as string;
      const path = at(...(entry.length === 2 ? [entry[0], rule] : [entry[0], entry[1] as number]));
      if (!MANAGED_RULE_NAME.test(rule)) p.check(false, path, "rule names are 1 to 128 letters, digits, '_' and '-'", rule);
      else if (known) p.check(known.includes(rule), path, `${group.name} has no rule ${rule}; its rules: ${known.join(", ")}`, rule);
    }
    for (const [rule, action] of Object.entries(group.ruleActionOverrides ?? {})) {
      p.oneOf(action, RULE_ACTIONS, at("ruleActionOverrides", rule), "override action");
      p.check(!(group.excludedRules ?? []).includes(rule), at("ruleActionOverrides", rule), `${rule} is also in excludedRules; set its action in one place`, action);
    }
    const paths = group.excludedPathPrefixes ?? [];
    p.check(paths.length <= MAX_EXCLUDED_PATHS, at("excludedPathPrefixes"), `at most ${MAX_EXCLUDED_PATHS} path prefixes`, paths.length);
    paths.forEach((path, i) => p.check(PATH_PREFIX.test(path), at("excludedPathPrefixes", i), 'must be a URI path starting with "/", e.g. /healthz', path));
  });
  const capacity = groups.reduce((total, group) => total + (MANAGED_RULE_GROUP_CAPACITY[group.name] ?? 0), 0);
  p.check(
    capacity <= WEB_ACL_CAPACITY,
    ["managedRuleGroups"],
    `the groups need ${capacity} WCUs; a web ACL has ${WEB_ACL_CAPACITY} at the base price (${groups.map((group) => `${group.name} ${MANAGED_RULE_GROUP_CAPACITY[group.name] ?? "?"}`).join(", ")}); drop a group`,
    capacity,
  );

  p.check(settings.rateLimits.length <= MAX_RATE_LIMITS, ["rateLimits"], `at most ${MAX_RATE_LIMITS} rate limits`, settings.rateLimits.length);
  const names = settings.rateLimits.map((rule) => rule.name);
  settings.rateLimits.forEach((rule, index) => {
    const at = (...path: (string | number)[]) => ["rateLimits", index, ...path];
    p.check(RULE_NAME.test(rule.name), at("name"), "must be lowercase letters, digits and '-', starting with a letter (at most 63)", rule.name);
    p.check(names.indexOf(rule.name) === index, at("name"), "rate limit names must be unique", rule.name);
    p.oneOf(rule.windowSeconds, RATE_WINDOWS, at("windowSeconds"), "window (seconds)");
    const units = (["requestsPerSecond", "requestsPerMinute"] as const).filter((key) => rule[key] !== undefined);
    if (units.length !== 1) {
      p.check(false, at(), `a rate limit needs exactly one of requestsPerSecond or requestsPerMinute; found ${units.length === 0 ? "none" : units.join(", ")}`, rule);
    } else if ((RATE_WINDOWS as readonly number[]).includes(rule.windowSeconds)) {
      const unit = units[0] as "requestsPerSecond" | "requestsPerMinute";
      const rate = rule[unit] as number;
      const limit = rateLimitPerWindow(rule);
      const whole = Math.abs(limit - Math.round(limit)) < 1e-6;
      const fits = windowsThatFit(rule);
      const hint = fits.length > 0 ? `; windowSeconds ${fits.join(", ")} would give ${fits.map((window) => Math.round(rateLimitPerWindow({ ...rule, windowSeconds: window }))).join(", ")} requests` : "";
      p.check(
        rate > 0 && whole && limit >= RATE_LIMIT_RANGE[0] && limit <= RATE_LIMIT_RANGE[1],
        at(unit),
        `${unit === "requestsPerSecond" ? "requestsPerSecond × windowSeconds" : "requestsPerMinute × windowSeconds / 60"} must be a whole number of requests from ${RATE_LIMIT_RANGE[0]} to ${RATE_LIMIT_RANGE[1]} (WAF's limit per window); got ${Number(limit.toFixed(3))} per ${rule.windowSeconds} s${hint}`,
        rate,
      );
    }
    if (rule.pathPrefix !== undefined) {
      p.check(PATH_PREFIX.test(rule.pathPrefix), at("pathPrefix"), 'must be a URI path starting with "/", e.g. /api', rule.pathPrefix);
    }
  });
  return p.items;
}

// ---------------------------------------------------------------------------------------------------------------
// Large bodies on upload paths

/** How a host of an upload scope is matched against the Host header (lowercased). */
export interface HostMatch {
  /** The product's domain: the header ends with `.<domain>`, or is the domain itself (`apex`). */
  readonly domain: string;
  /**
   * `apex`: the domain itself and its tenants' (`<tenant>.<domain>`); a label such as `api`: `api.<domain>` and
   * `api.<tenant>.<domain>`; `*`: any subdomain.
   */
  readonly host: string;
}

/**
 * Requests allowed a larger body than the common rule set's 8 KB: paths of a product's hosts. The body-size rule
 * still labels such a request; the web ACL lets it through when it is in scope and declares (Content-Length) at most
 * `maxBodyBytes`, and blocks it otherwise.
 */
export interface UploadScope {
  /** Rule name suffix, unique in the ACL (e.g. `shop-api`). */
  readonly name: string;
  readonly hosts: readonly HostMatch[];
  /** Path prefixes (e.g. /api/v1/uploads). */
  readonly paths: readonly string[];
  readonly maxBodyBytes: number;
}

/** Largest body a scope may allow (Content-Length is matched as decimal digits). */
export const MAX_UPLOAD_BYTES = 100 * 1024 ** 3;

/**
 * A regular expression matching the decimal representations of integers greater than `limit` (leading zeros
 * allowed), for a Content-Length header: WAF compares text, not numbers.
 */
export function greaterThanPattern(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`greaterThanPattern: ${limit} is not a non-negative integer`);
  const digits = String(limit);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let index = 0; index < digits.length; index++) {
    const digit = Number(digits[index]);
    if (digit === 9) continue;
    const rest = digits.length - index - 1;
    const next = digit + 1 === 9 ? "9" : `[${digit + 1}-9]`;
    // The first digit of a number of the same length cannot be 0 (leading zeros are matched by 0*).
    alternatives.push(`${digits.slice(0, index)}${next}${rest > 0 ? `[0-9]{${rest}}` : ""}`);
  }
  return `^0*(${alternatives.join("|")})$`;
}

export function uploadScopeProblems(scopes: readonly UploadScope[]): SettingProblem[] {
  const p = new ProblemList();
  const names = scopes.map((scope) => scope.name);
  scopes.forEach((scope, index) => {
    p.check(RULE_NAME.test(scope.name), [index, "name"], "must be lowercase letters, digits and '-'", scope.name);
    p.check(names.indexOf(scope.name) === index, [index, "name"], "upload scope names must be unique", scope.name);
    p.check(scope.hosts.length > 0, [index, "hosts"], "an upload scope needs at least one host", scope.hosts);
    p.check(scope.paths.length > 0, [index, "paths"], "an upload scope needs at least one path", scope.paths);
    scope.paths.forEach((path, i) => p.check(PATH_PREFIX.test(path), [index, "paths", i], 'must be a URI path starting with "/"', path));
    p.check(
      Number.isInteger(scope.maxBodyBytes) && scope.maxBodyBytes > ALB_BODY_INSPECTION_BYTES && scope.maxBodyBytes <= MAX_UPLOAD_BYTES,
      [index, "maxBodyBytes"],
      `must be more than ${ALB_BODY_INSPECTION_BYTES} bytes (the common rule set allows that much everywhere) and at most ${MAX_UPLOAD_BYTES}`,
      scope.maxBodyBytes,
    );
  });
  return p.items;
}
