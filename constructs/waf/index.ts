/**
 * An AWS WAF web ACL, ready to attach: regional (load balancers, through the ingress annotation
 * `alb.ingress.kubernetes.io/wafv2-acl-arn`) or CloudFront (created in us-east-1: pass that provider).
 *
 * Rules, in evaluation order: the configured rate limits (per client IP, optionally only for a path prefix, e.g.
 * 10 requests/second on /api), then the configured AWS managed rule groups (common rule set, known bad inputs, IP
 * reputation, SQL injection, ...) with their rule action overrides, excluded rules (override to count) and excluded
 * path prefixes (a scope-down statement), then the upload scopes' body-size rules. Everything else is allowed. Every
 * rule publishes CloudWatch metrics and sampled requests; the ACL logs to an encrypted log group when a logs key is
 * given (the log group must live in the ACL's region, so a CloudFront ACL logs only when a key in us-east-1 is
 * provided).
 *
 * Uploads (see rules.ts for what WAF can inspect of a body): with upload scopes, the common rule set's
 * SizeRestrictions_BODY only counts, so it labels every body over 8 KB instead of blocking it; then, per scope,
 * `upload-<name>-too-large` blocks a request of the scope whose Content-Length exceeds the scope's maximum, and
 * `upload-<name>` allows a labelled request of the scope; last, `body-over-8kb` blocks every other labelled request —
 * exactly what SizeRestrictions_BODY would have blocked. (The Terraform provider nests logical statements three levels
 * deep at most, hence one allow rule per scope rather than a negated disjunction; allow ends evaluation, and only these
 * body rules come after it.) A body sent without Content-Length (chunked) is not limited by WAF: the application must
 * cap what it reads.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../../config/schema/primitives";
import { validateName, type Naming } from "../core/naming";
import { throwIfProblems } from "../data-access/problems";
import {
  BODY_SIZE_GROUP,
  BODY_SIZE_LABEL,
  BODY_SIZE_RULE,
  greaterThanPattern,
  groupSettings,
  rateLimitPerWindow,
  ruleOverrides,
  uploadScopeProblems,
  webAclProblems,
  type HostMatch,
  type ManagedRuleGroupEntry,
  type RateLimit,
  type UploadScope,
} from "./rules";

export * from "./rules";

export const WAF_SCOPES = ["REGIONAL", "CLOUDFRONT"] as const;
export type WafScope = (typeof WAF_SCOPES)[number];
/** Managed rule groups start at this priority, after the rate limits. */
export const MANAGED_RULE_PRIORITY_BASE = 100;
/** The upload scopes' rules start here, after the managed groups (whose labels they read). */
export const UPLOAD_RULE_PRIORITY_BASE = 200;
/** WAF requires log group names to start with this. */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

export interface WebAclProps {
  readonly naming: Naming;
  /** Name component, e.g. "regional" or "cloudfront". */
  readonly purpose: string;
  readonly scope: WafScope;
  /**
   * AWS managed rule groups, evaluated after the rate limits.
   * @default ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"]
   */
  readonly managedRuleGroups?: readonly ManagedRuleGroupEntry[];
  /**
   * Per-IP rate limits.
   * @default none
   */
  readonly rateLimits?: readonly RateLimit[];
  /**
   * Paths of products' hosts that accept bodies over the common rule set's 8 KB, up to a size of their own. Needs the
   * common rule set among the managed groups.
   * @default none: every body over 8 KB is blocked (with the common rule set)
   */
  readonly uploads?: readonly UploadScope[];
  /**
   * Log the ACL's traffic to an encrypted log group in the ACL's region.
   * @default no logging
   */
  readonly logging?: { readonly retentionDays: number; readonly kmsKey: KmsKey };
  /**
   * Provider of the ACL (the us-east-1 alias for CLOUDFRONT).
   * @default the stack's default provider
   */
  readonly provider?: TerraformProvider;
}

export const DEFAULT_MANAGED_RULE_GROUPS: readonly ManagedRuleGroupEntry[] = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
];

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/** Terraform's byte_match_statement on a field, lowercase-compared where the field is a host name. */
function byteMatch(field: Record<string, unknown>, search: string, position: "STARTS_WITH" | "ENDS_WITH" | "EXACTLY", lowercase = false): Record<string, unknown> {
  return { byte_match_statement: { search_string: search, positional_constraint: position, field_to_match: field, text_transformation: [{ priority: 0, type: lowercase ? "LOWERCASE" : "NONE" }] } };
}

function pathStartsWith(prefix: string): Record<string, unknown> {
  return byteMatch({ uri_path: {} }, prefix, "STARTS_WITH");
}

const HOST_HEADER = { single_header: { name: "host" } };

/**
 * The statements matching one host of a scope: the product's instance and its shared tenants'
 * (`<host>.<tenant>.<domain>`): the header ends with `.<domain>` (or is the domain) and starts with `<host>.`.
 */
function hostStatements(match: HostMatch): Record<string, unknown>[] {
  const suffix = byteMatch(HOST_HEADER, `.${match.domain}`, "ENDS_WITH", true);
  if (match.host === "*") return [suffix];
  if (match.host === "apex") return [{ or_statement: { statement: [byteMatch(HOST_HEADER, match.domain, "EXACTLY", true), suffix] } }];
  return [byteMatch(HOST_HEADER, `${match.host}.`, "STARTS_WITH", true), suffix];
}

/** The statements (ANDed) of a scope and one of its hosts: the host, and a path prefix. */
function scopeStatements(scope: UploadScope, host: HostMatch): Record<string, unknown>[] {
  const paths = scope.paths.length === 1 ? pathStartsWith(scope.paths[0] as string) : { or_statement: { statement: scope.paths.map(pathStartsWith) } };
  return [...hostStatements(host), paths];
}

/** The body-size rules of the upload scopes (see the module comment). */
function uploadRules(scopes: readonly UploadScope[], aclName: string): Wafv2WebAclRule[] {
  if (scopes.length === 0) return [];
  const rules: Wafv2WebAclRule[] = [];
  const label = { label_match_statement: { scope: "LABEL", key: BODY_SIZE_LABEL } };
  let priority = UPLOAD_RULE_PRIORITY_BASE;
  for (const scope of scopes) {
    scope.hosts.forEach((host, index) => {
      const suffix = scope.hosts.length > 1 ? `${scope.name}-${index + 1}` : scope.name;
      const tooLarge = {
        regex_match_statement: {
          regex_string: greaterThanPattern(scope.maxBodyBytes),
          field_to_match: { single_header: { name: "content-length" } },
          text_transformation: [{ priority: 0, type: "NONE" }],
        },
      };
      rules.push({
        name: `upload-${suffix}-too-large`,
        priority: priority++,
        action: { block: {} },
        statement: { and_statement: { statement: [...scopeStatements(scope, host), tooLarge] } },
        visibilityConfig: visibility(`${aclName}-upload-${suffix}-too-large`),
      });
      rules.push({
        name: `upload-${suffix}`,
        priority: priority++,
        action: { allow: {} },
        statement: { and_statement: { statement: [label, ...scopeStatements(scope, host)] } },
        visibilityConfig: visibility(`${aclName}-upload-${suffix}`),
      });
    });
  }
  rules.push({ name: "body-over-8kb", priority, action: { block: {} }, statement: label, visibilityConfig: visibility(`${aclName}-body-over-8kb`) });
  return rules;
}

export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly arn: string;
  readonly logGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const managedRuleGroups = props.managedRuleGroups ?? DEFAULT_MANAGED_RULE_GROUPS;
    const rateLimits = props.rateLimits ?? [];
    const uploads = props.uploads ?? [];
    throwIfProblems(`WebAcl ${props.purpose}`, webAclProblems({ managedRuleGroups, rateLimits }));
    throwIfProblems(`WebAcl ${props.purpose} uploads`, uploadScopeProblems(uploads));
    const groups = managedRuleGroups.map(groupSettings);
    if (uploads.length > 0) {
      const common = groups.find((group) => group.name === BODY_SIZE_GROUP);
      if (!common) throw new Error(`WebAcl ${props.purpose}: upload scopes relax ${BODY_SIZE_GROUP}'s ${BODY_SIZE_RULE}, which is not among the managed rule groups`);
      if (ruleOverrides(common)[BODY_SIZE_RULE] !== undefined) {
        throw new Error(`WebAcl ${props.purpose}: ${BODY_SIZE_RULE} is overridden in configuration and by the upload scopes; the platform manages it when products declare uploads`);
      }
    }
    const name = props.naming.name("waf-web-acl", props.purpose);
    const provider = props.provider ? { provider: props.provider } : {};

    // Statements are untyped in the provider bindings (too deeply nested): written in Terraform's own shape.
    const rules: Wafv2WebAclRule[] = [
      ...rateLimits.map((rule, index): Wafv2WebAclRule => {
        const rateBased: Record<string, unknown> = {
          limit: Math.round(rateLimitPerWindow(rule)),
          aggregate_key_type: "IP",
          evaluation_window_sec: rule.windowSeconds,
        };
        if (rule.pathPrefix !== undefined) rateBased.scope_down_statement = pathStartsWith(rule.pathPrefix);
        return {
          name: `rate-${rule.name}`,
          priority: index,
          action: { block: {} },
          statement: { rate_based_statement: rateBased },
          visibilityConfig: visibility(`${name}-rate-${rule.name}`),
        };
      }),
      ...groups.map((group, index): Wafv2WebAclRule => {
        const overrides = { ...ruleOverrides(group), ...(uploads.length > 0 && group.name === BODY_SIZE_GROUP ? { [BODY_SIZE_RULE]: "count" as const } : {}) };
        const excluded = group.excludedPathPrefixes ?? [];
        const statement: Record<string, unknown> = { name: group.name, vendor_name: "AWS" };
        const overrideList = Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b));
        if (overrideList.length > 0) statement.rule_action_override = overrideList.map(([rule, action]) => ({ name: rule, action_to_use: { [action]: {} } }));
        if (excluded.length > 0) statement.scope_down_statement = { not_statement: { statement: [excluded.length === 1 ? pathStartsWith(excluded[0] as string) : { or_statement: { statement: excluded.map(pathStartsWith) } }] } };
        return {
          name: group.name,
          priority: MANAGED_RULE_PRIORITY_BASE + index,
          overrideAction: { none: {} },
          statement: { managed_rule_group_statement: statement },
          visibilityConfig: visibility(`${name}-${group.name}`),
        };
      }),
      ...uploadRules(uploads, name),
    ];

    this.acl = new Wafv2WebAcl(this, "acl", {
      ...provider,
      name,
      description: `${props.naming.prefix} ${props.purpose} web ACL`,
      scope: props.scope,
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(name),
    });
    this.arn = this.acl.arn;

    if (props.logging) {
      if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logging.retentionDays)) {
        throw new Error(`WebAcl ${props.purpose}: logging.retentionDays ${props.logging.retentionDays} is not a CloudWatch Logs retention value`);
      }
      this.logGroup = new CloudwatchLogGroup(this, "log-group", {
        ...provider,
        name: validateName("log-group", `${WAF_LOG_GROUP_PREFIX}${name}`),
        retentionInDays: props.logging.retentionDays,
        kmsKeyId: props.logging.kmsKey.arn,
      });
      new Wafv2WebAclLoggingConfiguration(this, "logging", {
        ...provider,
        resourceArn: this.acl.arn,
        logDestinationConfigs: [this.logGroup.arn],
      });
    }
  }
}
