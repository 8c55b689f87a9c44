/**
 * An AWS WAF web ACL, ready to attach: regional (load balancers, through the ingress annotation
 * `alb.ingress.kubernetes.io/wafv2-acl-arn`) or CloudFront (created in us-east-1: pass that provider).
 *
 * Rules, in evaluation order: the configured rate limits (per client IP, optionally only for a path prefix, e.g.
 * 10 requests/second on /api), then the configured AWS managed rule groups (common rule set, known bad inputs, IP
 * reputation, ...). Everything else is allowed. Every rule publishes CloudWatch metrics and sampled requests; the
 * ACL logs to an encrypted log group when a logs key is given (the log group must live in the ACL's region, so a
 * CloudFront ACL logs only when a key in us-east-1 is provided).
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
import { rateLimitPerWindow, webAclProblems, type ManagedRuleGroup, type RateLimit } from "./rules";

export * from "./rules";

export const WAF_SCOPES = ["REGIONAL", "CLOUDFRONT"] as const;
export type WafScope = (typeof WAF_SCOPES)[number];
/** Managed rule groups start at this priority, after the rate limits. */
export const MANAGED_RULE_PRIORITY_BASE = 100;
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
  readonly managedRuleGroups?: readonly ManagedRuleGroup[];
  /**
   * Per-IP rate limits.
   * @default none
   */
  readonly rateLimits?: readonly RateLimit[];
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

export const DEFAULT_MANAGED_RULE_GROUPS: readonly ManagedRuleGroup[] = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
];

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly arn: string;
  readonly logGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const managedRuleGroups = props.managedRuleGroups ?? DEFAULT_MANAGED_RULE_GROUPS;
    const rateLimits = props.rateLimits ?? [];
    throwIfProblems(`WebAcl ${props.purpose}`, webAclProblems({ managedRuleGroups, rateLimits }));
    const name = props.naming.name("waf-web-acl", props.purpose);
    const provider = props.provider ? { provider: props.provider } : {};

    const rules: Wafv2WebAclRule[] = [
      ...rateLimits.map((rule, index): Wafv2WebAclRule => {
        const rateBased: Record<string, unknown> = {
          limit: rateLimitPerWindow(rule),
          aggregate_key_type: "IP",
          evaluation_window_sec: rule.windowSeconds,
        };
        if (rule.pathPrefix !== undefined) {
          rateBased.scope_down_statement = {
            byte_match_statement: {
              search_string: rule.pathPrefix,
              positional_constraint: "STARTS_WITH",
              field_to_match: { uri_path: {} },
              text_transformation: [{ priority: 0, type: "NONE" }],
            },
          };
        }
        return {
          name: `rate-${rule.name}`,
          priority: index,
          action: { block: {} },
          // The statement is untyped in the provider bindings (too deeply nested); written in Terraform's own shape.
          statement: { rate_based_statement: rateBased },
          visibilityConfig: visibility(`${name}-rate-${rule.name}`),
        };
      }),
      ...managedRuleGroups.map((group, index): Wafv2WebAclRule => ({
        name: group,
        priority: MANAGED_RULE_PRIORITY_BASE + index,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: "AWS" } },
        visibilityConfig: visibility(`${name}-${group}`),
      })),
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
