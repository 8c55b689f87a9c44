/**
 * Edge rules: CloudFront, application load balancers (as `aws_lb` resources, or as ALB ingresses the AWS Load
 * Balancer Controller turns into load balancers from annotations), WAF and access logs.
 */
import { type Block, blocks, describe, dig, isFalse, isSet, isTrue, literal, type StackModel } from "../model";
import type { Rule, Violation } from "../types";
import { annotations, bucketCompanions, each, problems } from "./support";
import { logBuckets } from "./storage";
import { certificateZoneProblems } from "../zones";

/** TLS policies of ALB HTTPS listeners that allow only TLS 1.2+ with modern ciphers. */
export const MODERN_ALB_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
];
export const CLOUDFRONT_MIN_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];
const ALB_ANNOTATION = "alb.ingress.kubernetes.io/";

// ---------------------------------------------------------------------------------------------------------
// ALB ingresses, grouped the way the controller groups them (one load balancer per `group.name`).

export interface AlbIngressGroup {
  readonly key: string;
  readonly members: readonly Block[];
  /** Group-wide annotation: the first member that sets it. */
  annotation(name: string): string | undefined;
  /** Load balancer attributes (`load-balancer-attributes` annotation) as key -> value. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly internetFacing: boolean;
}

export function albIngresses(model: StackModel): Block[] {
  const albClasses = new Set(
    ["alb", ...model.resources("kubernetes_ingress_class_v1", "kubernetes_ingress_class").filter((cls) => dig(cls.body, "spec", "controller") === "ingress.k8s.aws/alb").map((cls) => literal(dig(cls.body, "metadata", "name")) ?? "")],
  );
  return model.resources("kubernetes_ingress_v1", "kubernetes_ingress").filter((ingress) => {
    const className = literal(dig(ingress.body, "spec", "ingress_class_name")) ?? annotations(ingress.body)["kubernetes.io/ingress.class"];
    return className !== undefined && albClasses.has(className);
  });
}

export function albIngressGroups(model: StackModel): AlbIngressGroup[] {
  const groups = new Map<string, Block[]>();
  for (const ingress of albIngresses(model)) {
    const key = annotations(ingress.body)[`${ALB_ANNOTATION}group.name`] ?? `ingress:${ingress.address}`;
    groups.set(key, [...(groups.get(key) ?? []), ingress]);
  }
  return [...groups.entries()].map(([key, members]) => {
    const annotation = (name: string) => members.map((member) => annotations(member.body)[`${ALB_ANNOTATION}${name}`]).find((value) => value !== undefined);
    const attributes = new Map(
      members
        .flatMap((member) => (annotations(member.body)[`${ALB_ANNOTATION}load-balancer-attributes`] ?? "").split(","))
        .map((pair) => pair.trim().split("=") as [string, string?])
        .filter(([name, value]) => name !== "" && value !== undefined)
        .map(([name, value]) => [name.trim(), (value ?? "").trim()]),
    );
    return { key, members, annotation, attributes, internetFacing: annotation("scheme") === "internet-facing" };
  });
}

/** Listener protocols of an ALB ingress (`listen-ports`; the controller's default depends on certificate-arn). */
function listenProtocols(ingress: Block): string[] | undefined {
  const own = annotations(ingress.body);
  const raw = own[`${ALB_ANNOTATION}listen-ports`];
  if (raw === undefined) return own[`${ALB_ANNOTATION}certificate-arn`] === undefined ? ["HTTP"] : ["HTTPS"];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? parsed.flatMap((entry) => Object.keys(entry as object)) : undefined;
  } catch {
    return undefined;
  }
}

function groupLabel(group: AlbIngressGroup): string {
  return group.key.startsWith("ingress:") ? "the ALB of this ingress" : `ALB ingress group "${group.key}"`;
}

/** Application load balancers managed as resources. */
function applicationLbs(model: StackModel): Block[] {
  return model.resources("aws_lb", "aws_alb").filter((lb) => (lb.body.load_balancer_type ?? "application") === "application");
}

function groupViolation(group: AlbIngressGroup, message: string): Violation {
  return { block: group.members[0], message: `${groupLabel(group)}: ${message}` };
}

export const EDGE_RULES: readonly Rule[] = [
  {
    id: "CF-HTTPS-TLS",
    title: "CloudFront serves HTTPS only with TLS 1.2 (2021) or newer and its own certificate",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_34/174, CKV2_AWS_42; TV AWS-0012/0013; NAG CFR4",
    unknown: { decision: "finding", reason: "Viewer policies and the minimum protocol version must be literal allowed values." },
    fix: `viewer_protocol_policy "redirect-to-https" on every cache behavior; viewer_certificate with an ACM certificate (us-east-1) and minimum_protocol_version ${CLOUDFRONT_MIN_TLS[0]}.`,
    check: ({ model }) =>
      each(model.resources("aws_cloudfront_distribution"), (distribution) => {
        const behaviors = [...blocks(distribution.body.default_cache_behavior), ...blocks(distribution.body.ordered_cache_behavior)];
        const plain = behaviors.filter((behavior) => !HTTPS_VIEWER_POLICIES.includes(String(behavior.viewer_protocol_policy)));
        const minimum = literal(dig(distribution.body, "viewer_certificate", "minimum_protocol_version"));
        return problems(
          plain.length > 0 && `${plain.length} cache behavior(s) allow plain HTTP`,
          isTrue(dig(distribution.body, "viewer_certificate", "cloudfront_default_certificate")) && "uses the default *.cloudfront.net certificate",
          (minimum === undefined || !CLOUDFRONT_MIN_TLS.includes(minimum)) && `minimum_protocol_version is ${describe(minimum)}`,
        );
      }),
  },
  {
    id: "CF-ORIGIN-ACCESS",
    title: "CloudFront reaches S3 through origin access control and custom origins over HTTPS",
    severity: "high",
    scope: "all",
    upstream: "CKV2_AWS_46/72; NAG CFR7/CFR5",
    unknown: { decision: "finding", reason: "The origin protocol policy must be literal; an origin access control id that is an expression is a reference and counts as set." },
    fix: "S3 origins: origin_access_control_id (an aws_cloudfront_origin_access_control, signing always). Custom origins: custom_origin_config.origin_protocol_policy \"https-only\".",
    check: ({ model }) =>
      each(model.resources("aws_cloudfront_distribution"), (distribution) =>
        blocks(distribution.body.origin).flatMap((origin) => {
          const id = describe(origin.origin_id);
          const custom = dig(origin, "custom_origin_config");
          const s3 = !custom && (dig(origin, "s3_origin_config") !== undefined || model.refsIn(origin.domain_name).some((block) => block.type === "aws_s3_bucket") || String(origin.domain_name).includes(".s3."));
          return problems(
            s3 && !isSet(origin.origin_access_control_id) && `S3 origin ${id} has no origin_access_control_id`,
            custom !== undefined && dig(origin, "custom_origin_config", "origin_protocol_policy") !== "https-only" &&
              `custom origin ${id} uses origin_protocol_policy ${describe(dig(origin, "custom_origin_config", "origin_protocol_policy"))}`,
          );
        }),
      ),
  },
  {
    id: "EDGE-WAF",
    title: "Internet-facing edges are protected by a WAF web ACL",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_AWS_68, CKV2_AWS_28; TV AWS-0011; NAG CFR2",
    unknown: { decision: "finding", reason: "A web ACL id that is an expression is a reference and counts as set; an association must reference the load balancer." },
    fix: "CloudFront: web_acl_id. ALB resources: an aws_wafv2_web_acl_association. ALB ingresses: the alb.ingress.kubernetes.io/wafv2-acl-arn annotation.",
    check: ({ model }) => [
      ...each(model.resources("aws_cloudfront_distribution"), (distribution) => (isSet(distribution.body.web_acl_id) ? undefined : "web_acl_id is not set")),
      ...each(
        applicationLbs(model).filter((lb) => !isTrue(lb.body.internal)),
        (lb) => (model.referrers(lb, ["aws_wafv2_web_acl_association"], "resource_arn").length > 0 ? undefined : "no aws_wafv2_web_acl_association references this internet-facing load balancer"),
      ),
      ...albIngressGroups(model)
        .filter((group) => group.internetFacing && group.annotation("wafv2-acl-arn") === undefined)
        .map((group) => groupViolation(group, "internet-facing without a wafv2-acl-arn annotation")),
    ],
  },
  {
    id: "ALB-HTTPS",
    title: "Load balancers listen on HTTPS; HTTP only redirects",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_2, CKV2_AWS_20; TV AWS-0054",
    unknown: { decision: "finding", reason: "Listener protocols and redirects must be literal; a listen-ports annotation that is not JSON is reported." },
    fix: "Listen on HTTPS 443 with an ACM certificate; an HTTP listener's default action redirects to HTTPS (ingress: listen-ports [{\"HTTP\":80},{\"HTTPS\":443}] and ssl-redirect \"443\").",
    check: ({ model }) => [
      ...each(model.resources("aws_lb_listener", "aws_alb_listener"), (listener) => {
        if (listener.body.protocol !== "HTTP") return undefined;
        const redirects = blocks(listener.body.default_action).every((action) => action.type === "redirect" && dig(action, "redirect", "protocol") === "HTTPS");
        return redirects ? undefined : "an HTTP listener forwards traffic instead of redirecting to HTTPS";
      }),
      ...albIngressGroups(model).flatMap((group) =>
        group.members.flatMap((ingress): Violation[] => {
          const protocols = listenProtocols(ingress);
          if (!protocols) return [{ block: ingress, message: "the listen-ports annotation is not valid JSON" }];
          return problems(
            !protocols.includes("HTTPS") && `listens on ${protocols.join(", ")} only`,
            protocols.includes("HTTP") && protocols.includes("HTTPS") && group.annotation("ssl-redirect") === undefined && "listens on HTTP without the ssl-redirect annotation",
          ).map((message) => ({ block: ingress, message }));
        }),
      ),
    ],
  },
  {
    id: "ALB-TLS-POLICY",
    title: "HTTPS listeners use a modern TLS policy",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_103; TV AWS-0047",
    unknown: { decision: "finding", reason: "The TLS policy must be a literal allowed value." },
    fix: `ssl_policy (ingress: alb.ingress.kubernetes.io/ssl-policy) ${MODERN_ALB_TLS_POLICIES[0]} or another TLS 1.3/1.2 policy of 2021 or later.`,
    check: ({ model }) => [
      ...each(
        model.resources("aws_lb_listener", "aws_alb_listener").filter((listener) => listener.body.protocol === "HTTPS"),
        (listener) => (MODERN_ALB_TLS_POLICIES.includes(String(listener.body.ssl_policy)) ? undefined : `ssl_policy is ${describe(listener.body.ssl_policy)} (the default allows TLS 1.0)`),
      ),
      ...albIngressGroups(model)
        .filter((group) => group.members.some((ingress) => listenProtocols(ingress)?.includes("HTTPS")))
        .filter((group) => !MODERN_ALB_TLS_POLICIES.includes(group.annotation("ssl-policy") ?? ""))
        .map((group) => groupViolation(group, `ssl-policy is ${describe(group.annotation("ssl-policy"))} (the controller's default allows TLS 1.0)`)),
    ],
  },
  {
    id: "ALB-HARDENING",
    title: "Load balancers drop invalid headers, mitigate desync and health-check targets",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_131/328/261; TV AWS-0052",
    unknown: { decision: "finding", reason: "The hardening flags must be literal." },
    fix: "drop_invalid_header_fields = true, desync_mitigation_mode defensive or strictest, target groups with a health_check (ingress: load-balancer-attributes routing.http.drop_invalid_header_fields.enabled=true).",
    check: ({ model }) => [
      ...each(applicationLbs(model), (lb) =>
        problems(
          !isTrue(lb.body.drop_invalid_header_fields) && "drop_invalid_header_fields is not true",
          lb.body.desync_mitigation_mode === "monitor" && "desync_mitigation_mode is monitor",
        ),
      ),
      ...each(model.resources("aws_lb_target_group", "aws_alb_target_group"), (group) => {
        const check = dig(group.body, "health_check");
        return check === undefined || isFalse(dig(group.body, "health_check", "enabled")) ? "no health_check configured" : undefined;
      }),
      ...albIngressGroups(model).flatMap((group) =>
        problems(
          group.attributes.get("routing.http.drop_invalid_header_fields.enabled") !== "true" && "routing.http.drop_invalid_header_fields.enabled is not true",
          group.attributes.get("routing.http.desync_mitigation_mode") === "monitor" && "routing.http.desync_mitigation_mode is monitor",
        ).map((message) => groupViolation(group, message)),
      ),
    ],
  },
  {
    id: "ALB-DELETION-PROTECTION",
    title: "Production load balancers have deletion protection",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_AWS_150",
    unknown: { decision: "finding", reason: "Deletion protection must be the literal true." },
    fix: "enable_deletion_protection = true (ingress: load-balancer-attributes deletion_protection.enabled=true).",
    check: ({ model }) => [
      ...each(applicationLbs(model), (lb) => (isTrue(lb.body.enable_deletion_protection) ? undefined : "enable_deletion_protection is not true")),
      ...albIngressGroups(model)
        .filter((group) => group.attributes.get("deletion_protection.enabled") !== "true")
        .map((group) => groupViolation(group, "deletion_protection.enabled is not true")),
    ],
  },
  {
    id: "ACM-ZONE-DELEGATED",
    title: "Certificates validate only in zones created (and delegated) before the stack",
    severity: "critical",
    scope: "all",
    upstream: "custom (AWS ACM DNS validation needs a publicly resolvable record)",
    unknown: { decision: "safe", reason: "A validation record whose zone is not created or looked up in the stack is not judged here: the preflight checks every zone a stack looks up exists and is delegated (constructs/policy/zones.ts zoneRequirements)." },
    fix: "Create hosted zones in the DNS stage (<env>-dns: edge.domains with hostedZone: create), delegate them, and look them up by name (data aws_route53_zone) in the stack that validates certificates.",
    check: ({ model }) => certificateZoneProblems(model).map((problem) => ({ block: problem.block, message: problem.message })),
  },
  {
    id: "ACCESS-LOGS",
    title: "Production edges and buckets write access logs",
    severity: "low",
    scope: "prod",
    upstream: "CKV_AWS_91/86/18; NAG ELB2/CFR3/S1",
    unknown: { decision: "finding", reason: "Access logging must be switched on literally." },
    fix: "ALB: access_logs (ingress: access_logs.s3.enabled=true); CloudFront: logging_config or a CloudWatch log delivery; S3: aws_s3_bucket_logging to the log bucket.",
    check: ({ model }) => {
      const logs = logBuckets(model);
      const deliveries = model.resources("aws_cloudwatch_log_delivery_source");
      return [
        ...each(applicationLbs(model), (lb) => (isTrue(dig(lb.body, "access_logs", "enabled")) ? undefined : "access_logs are not enabled")),
        ...each(model.resources("aws_cloudfront_distribution"), (distribution) =>
          dig(distribution.body, "logging_config") !== undefined || deliveries.some((source) => model.refersTo(source.body.resource_arn, distribution)) ? undefined : "no logging_config or log delivery",
        ),
        ...each(
          model.resources("aws_s3_bucket").filter((bucket) => !logs.has(bucket.address)),
          (bucket) => (bucketCompanions(model, bucket, "aws_s3_bucket_logging").length > 0 ? undefined : "no aws_s3_bucket_logging"),
        ),
        ...albIngressGroups(model)
          .filter((group) => group.attributes.get("access_logs.s3.enabled") !== "true")
          .map((group) => groupViolation(group, "access_logs.s3.enabled is not true")),
      ];
    },
  },
];
