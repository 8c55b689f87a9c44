/**
 * The environment's shared Application Load Balancer. Every Ingress the platform creates joins one IngressGroup of
 * the AWS Load Balancer Controller (IngressClass `alb`), so an environment has one ALB however many products and
 * tenants it serves. Settings the controller treats as exclusive to the group (name, scheme, TLS policy, WAF,
 * load-balancer attributes, HTTPS redirect) are computed once here and carried identically by every Ingress, so no
 * Ingress can disagree with another; certificates and listen ports merge across the group.
 *
 * - HTTP (80) only redirects to HTTPS (443); TLS policy from configuration (TLS 1.3/1.2 by default).
 * - Load-balancer attributes: idle timeout from configuration, invalid header fields dropped, HTTP desync
 *   mitigation `defensive`, deletion protection where configured (production), access logs to the environment's
 *   access-log bucket when it has one (the bucket must admit Elastic Load Balancing log delivery under `alb/`).
 * - Targets are pod IPs (`target-type: ip`), health-checked on the workload's readiness path, deregistered with the
 *   configured delay so in-flight requests finish.
 *
 * Request body size: an ALB has no body-size limit of its own. Limits belong to the WAF web ACL attached here
 * (its size-constraint rules, owned by the edge) and to the application.
 */
import { INGRESS_CLASS_NAME } from "../core/platform-contracts";
import type { Naming } from "../core/naming";
import type { WorkloadPolicy } from "../../config/schema/products";

export { INGRESS_CLASS_NAME };

const ALB = "alb.ingress.kubernetes.io";
export const ALB_ANNOTATIONS = {
  groupName: `${ALB}/group.name`,
  groupOrder: `${ALB}/group.order`,
  loadBalancerName: `${ALB}/load-balancer-name`,
  scheme: `${ALB}/scheme`,
  targetType: `${ALB}/target-type`,
  listenPorts: `${ALB}/listen-ports`,
  sslRedirect: `${ALB}/ssl-redirect`,
  sslPolicy: `${ALB}/ssl-policy`,
  certificateArn: `${ALB}/certificate-arn`,
  wafAclArn: `${ALB}/wafv2-acl-arn`,
  loadBalancerAttributes: `${ALB}/load-balancer-attributes`,
  targetGroupAttributes: `${ALB}/target-group-attributes`,
  healthcheckPath: `${ALB}/healthcheck-path`,
  successCodes: `${ALB}/success-codes`,
} as const;

export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;
/** Health-check responses the ALB counts as healthy. */
export const HEALTHY_STATUS_CODES = "200-399";

/** Settings every Ingress of the environment's group carries. */
export interface IngressGroupSettings {
  /** IngressGroup name (one ALB per group). */
  readonly groupName: string;
  /** Name of the ALB (at most 32 characters). */
  readonly loadBalancerName: string;
  readonly scheme: WorkloadPolicy["ingress"]["scheme"];
  readonly sslPolicy: string;
  readonly idleTimeoutSeconds: number;
  readonly deletionProtection: boolean;
  readonly deregistrationDelaySeconds: number;
  /** ARN of the regional WAF web ACL to attach. @default none */
  readonly webAclArn?: string;
  /** Access logs of the ALB. @default none */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string };
}

/** Key prefix of ALB access logs in the access-log bucket. */
export const ACCESS_LOG_PREFIX = "alb";

/**
 * The settings of one of an environment's load balancers (ALB ingress groups): `apps`, the environment's own
 * products, or `tenants-<n>` (`tenantGroup`), shared tenants spread over several load balancers (see the project's
 * `tenancy.tenantsPerLoadBalancer`). Every group gets the same policy, web ACL and access logging.
 */
export function ingressGroupSettings(
  environmentNaming: Naming,
  policy: WorkloadPolicy["ingress"],
  webAclArn?: string,
  accessLogBucket?: string,
  tenantGroup?: number,
): IngressGroupSettings {
  const group = tenantGroup === undefined ? ["apps"] : ["tenants", String(tenantGroup)];
  const groupName = environmentNaming.name("k8s-name", ...group);
  return {
    groupName,
    loadBalancerName: environmentNaming.name("load-balancer", ...group),
    scheme: policy.scheme,
    sslPolicy: policy.sslPolicy,
    idleTimeoutSeconds: policy.idleTimeoutSeconds,
    deletionProtection: policy.deletionProtection,
    deregistrationDelaySeconds: policy.deregistrationDelaySeconds,
    ...(webAclArn !== undefined ? { webAclArn } : {}),
    ...(accessLogBucket !== undefined ? { accessLogs: { bucket: accessLogBucket, prefix: `${ACCESS_LOG_PREFIX}/${groupName}` } } : {}),
  };
}

/** Annotations shared by the whole group (identical on every Ingress). */
export function groupAnnotations(settings: IngressGroupSettings): Record<string, string> {
  const attributes = [
    `idle_timeout.timeout_seconds=${settings.idleTimeoutSeconds}`,
    "routing.http.drop_invalid_header_fields.enabled=true",
    "routing.http.desync_mitigation_mode=defensive",
    `deletion_protection.enabled=${settings.deletionProtection}`,
    ...(settings.accessLogs
      ? ["access_logs.s3.enabled=true", `access_logs.s3.bucket=${settings.accessLogs.bucket}`, `access_logs.s3.prefix=${settings.accessLogs.prefix}`]
      : []),
  ];
  return {
    [ALB_ANNOTATIONS.groupName]: settings.groupName,
    [ALB_ANNOTATIONS.loadBalancerName]: settings.loadBalancerName,
    [ALB_ANNOTATIONS.scheme]: settings.scheme,
    [ALB_ANNOTATIONS.targetType]: "ip",
    [ALB_ANNOTATIONS.listenPorts]: JSON.stringify([{ HTTP: HTTP_PORT }, { HTTPS: HTTPS_PORT }]),
    [ALB_ANNOTATIONS.sslRedirect]: String(HTTPS_PORT),
    [ALB_ANNOTATIONS.sslPolicy]: settings.sslPolicy,
    [ALB_ANNOTATIONS.loadBalancerAttributes]: attributes.join(","),
    ...(settings.webAclArn !== undefined ? { [ALB_ANNOTATIONS.wafAclArn]: settings.webAclArn } : {}),
  };
}
