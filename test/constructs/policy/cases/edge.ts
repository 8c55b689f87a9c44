import { CloudfrontDistribution, type CloudfrontDistributionConfig } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { Lb, type LbConfig } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerConfig } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup, type LbTargetGroupConfig } from "@cdktf/provider-aws/lib/lb-target-group";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import type { Construct } from "constructs";
import { bucket } from "./storage";
import type { RuleCase } from "./support";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abcd";
const WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/acme/abcd";
const HARDENED_ATTRIBUTES = "routing.http.drop_invalid_header_fields.enabled=true,deletion_protection.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=acme-prod-access-logs";

function distribution(scope: Construct, overrides: Partial<CloudfrontDistributionConfig> = {}): CloudfrontDistribution {
  const site = bucket(scope, { name: "acme-prod-site", id: "site" });
  return new CloudfrontDistribution(scope, "cdn", {
    enabled: true,
    webAclId: WEB_ACL,
    origin: [
      { originId: "site", domainName: site.bucketRegionalDomainName, originAccessControlId: "E2OAC" },
      {
        originId: "api",
        domainName: "api.example.com",
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
      },
    ],
    defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], cachePolicyId: "658327ea" },
    orderedCacheBehavior: [{ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "https-only", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], cachePolicyId: "4135ea2d" }],
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { acmCertificateArn: CERTIFICATE, minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" },
    loggingConfig: { bucket: "acme-prod-access-logs.s3.amazonaws.com", prefix: "cdn/" },
    ...overrides,
  });
}

/** A DNS-validated certificate whose validation record goes into `zoneId`. */
function validatedCertificate(scope: Construct, zoneId: string): void {
  const certificate = new AcmCertificate(scope, "certificate", { domainName: "*.acme.example.com", validationMethod: "DNS" });
  const record = new Route53Record(scope, "validation-record", {
    zoneId,
    name: certificate.domainValidationOptions.get(0).resourceRecordName,
    type: certificate.domainValidationOptions.get(0).resourceRecordType,
    records: [certificate.domainValidationOptions.get(0).resourceRecordValue],
    ttl: 300,
  });
  new AcmCertificateValidation(scope, "validation", { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] });
}

interface AlbOptions {
  readonly lb?: Partial<LbConfig>;
  readonly http?: Partial<LbListenerConfig>;
  readonly https?: Partial<LbListenerConfig>;
  readonly targets?: Partial<LbTargetGroupConfig>;
  readonly waf?: boolean;
}

function alb(scope: Construct, options: AlbOptions = {}): Lb {
  const lb = new Lb(scope, "alb", {
    name: "acme-prod-web",
    loadBalancerType: "application",
    internal: false,
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { bucket: "acme-prod-access-logs", enabled: true },
    ...options.lb,
  });
  const targets = new LbTargetGroup(scope, "web-targets", { port: 8080, protocol: "HTTP", vpcId: "vpc-1", healthCheck: { path: "/healthz", matcher: "200" }, ...options.targets });
  new LbListener(scope, "http", {
    loadBalancerArn: lb.arn,
    port: 80,
    protocol: "HTTP",
    defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    ...options.http,
  });
  new LbListener(scope, "https", {
    loadBalancerArn: lb.arn,
    port: 443,
    protocol: "HTTPS",
    certificateArn: CERTIFICATE,
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    defaultAction: [{ type: "forward", targetGroupArn: targets.arn }],
    ...options.https,
  });
  if (options.waf ?? true) new Wafv2WebAclAssociation(scope, "alb-waf", { resourceArn: lb.arn, webAclArn: WEB_ACL });
  return lb;
}

/** An ALB ingress of the AWS Load Balancer Controller with hardened annotations; `annotations` override them. */
function ingress(scope: Construct, annotations: Record<string, string | undefined> = {}): IngressV1 {
  const merged: Record<string, string> = {};
  const defaults: Record<string, string> = {
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    "alb.ingress.kubernetes.io/group.name": "acme-prod",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
    "alb.ingress.kubernetes.io/certificate-arn": CERTIFICATE,
    "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "alb.ingress.kubernetes.io/wafv2-acl-arn": WEB_ACL,
    "alb.ingress.kubernetes.io/load-balancer-attributes": HARDENED_ATTRIBUTES,
  };
  for (const [key, value] of Object.entries({ ...defaults, ...annotations })) if (value !== undefined) merged[key] = value;
  return new IngressV1(scope, "web", {
    metadata: { name: "web", namespace: "shop", annotations: merged },
    spec: {
      ingressClassName: "alb",
      rule: [{ host: "shop.example.com", http: { path: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }],
    },
  });
}

export const EDGE_CASES: readonly RuleCase[] = [
  {
    rule: "CF-HTTPS-TLS",
    compliant: (s) => distribution(s),
    violating: (s) => distribution(s, { viewerCertificate: { cloudfrontDefaultCertificate: true } }),
    expect: [/default \*\.cloudfront\.net certificate/, /minimum_protocol_version is not set/],
  },
  {
    rule: "CF-HTTPS-TLS",
    name: "plain HTTP behavior",
    compliant: (s) => distribution(s),
    violating: (s) =>
      distribution(s, { defaultCacheBehavior: { targetOriginId: "site", viewerProtocolPolicy: "allow-all", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] } }),
    expect: /1 cache behavior\(s\) allow plain HTTP/,
  },
  {
    rule: "CF-ORIGIN-ACCESS",
    compliant: (s) => distribution(s),
    violating: (s) => {
      distribution(s, {
        origin: [
          { originId: "site", domainName: "acme-prod-site.s3.eu-west-1.amazonaws.com" },
          { originId: "api", domainName: "api.example.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "http-only", originSslProtocols: ["TLSv1.2"] } },
        ],
      });
    },
    expect: [/S3 origin "site" has no origin_access_control_id/, /custom origin "api" uses origin_protocol_policy "http-only"/],
  },
  {
    rule: "EDGE-WAF",
    compliant: (s) => {
      distribution(s);
      alb(s);
      ingress(s);
    },
    violating: (s) => {
      distribution(s, { webAclId: undefined });
      alb(s, { waf: false });
      ingress(s, { "alb.ingress.kubernetes.io/wafv2-acl-arn": undefined });
    },
    expect: [/web_acl_id is not set/, /no aws_wafv2_web_acl_association/, /internet-facing without a wafv2-acl-arn/],
  },
  {
    rule: "ALB-HTTPS",
    compliant: (s) => alb(s),
    violating: (s) => alb(s, { http: { defaultAction: [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1" }] } }),
    expect: /HTTP listener forwards traffic instead of redirecting/,
  },
  {
    rule: "ALB-HTTPS",
    name: "ingress without HTTPS",
    compliant: (s) => ingress(s),
    violating: (s) => ingress(s, { "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80}]', "alb.ingress.kubernetes.io/certificate-arn": undefined }),
    expect: /listens on HTTP only/,
  },
  {
    rule: "ALB-TLS-POLICY",
    compliant: (s) => {
      alb(s);
      ingress(s);
    },
    violating: (s) => {
      alb(s, { https: { sslPolicy: "ELBSecurityPolicy-2016-08" } });
      ingress(s, { "alb.ingress.kubernetes.io/ssl-policy": undefined });
    },
    expect: [/ssl_policy is "ELBSecurityPolicy-2016-08"/, /ssl-policy is not set/],
  },
  {
    rule: "ALB-HARDENING",
    compliant: (s) => {
      alb(s);
      ingress(s);
    },
    violating: (s) => {
      alb(s, { lb: { dropInvalidHeaderFields: false, desyncMitigationMode: "monitor" }, targets: { healthCheck: { enabled: false } } });
      ingress(s, { "alb.ingress.kubernetes.io/load-balancer-attributes": "deletion_protection.enabled=true" });
    },
    expect: [/drop_invalid_header_fields is not true/, /desync_mitigation_mode is monitor/, /no health_check configured/, /ALB ingress group "acme-prod": routing\.http\.drop_invalid_header_fields/],
  },
  {
    rule: "ALB-DELETION-PROTECTION",
    compliant: (s) => {
      alb(s);
      ingress(s);
    },
    violating: (s) => {
      alb(s, { lb: { enableDeletionProtection: false } });
      ingress(s, { "alb.ingress.kubernetes.io/load-balancer-attributes": "routing.http.drop_invalid_header_fields.enabled=true" });
    },
    expect: [/enable_deletion_protection is not true/, /deletion_protection\.enabled is not true/],
  },
  {
    rule: "ACM-ZONE-DELEGATED",
    name: "zone created in the same stack",
    compliant: (s) => validatedCertificate(s, new DataAwsRoute53Zone(s, "zone", { name: "acme.example.com", privateZone: false }).zoneId),
    violating: (s) => validatedCertificate(s, new Route53Zone(s, "zone", { name: "acme.example.com" }).zoneId),
    expect: [/writes the DNS validation record of aws_acm_certificate\.certificate into zone acme\.example\.com \(fixture\/zone\), which this stack creates/, /waits for validation records in zone acme\.example\.com/],
  },
  {
    rule: "ACM-ZONE-DELEGATED",
    name: "lookup of a zone created in the same stack",
    compliant: (s) => validatedCertificate(s, "Z0123456789ABCDEFGHIJ"),
    violating: (s) => {
      const zone = new Route53Zone(s, "zone", { name: "acme.example.com" });
      validatedCertificate(s, new DataAwsRoute53Zone(s, "lookup", { name: "acme.example.com", privateZone: false, dependsOn: [zone] }).zoneId);
    },
    expect: /into zone acme\.example\.com \(fixture\/zone\), which this stack creates/,
  },
  {
    rule: "ACCESS-LOGS",
    compliant: (s) => {
      alb(s);
      ingress(s);
      const cdn = distribution(s, { loggingConfig: undefined });
      new CloudwatchLogDeliverySource(s, "cdn-logs", { name: "cdn", logType: "ACCESS_LOGS", resourceArn: cdn.arn });
    },
    violating: (s) => {
      alb(s, { lb: { accessLogs: { bucket: "acme-prod-access-logs", enabled: false } } });
      distribution(s, { loggingConfig: undefined });
      bucket(s, { name: "acme-prod-documents", id: "documents", logging: false });
    },
    expect: [/access_logs are not enabled/, /no logging_config or log delivery/, /no aws_s3_bucket_logging/],
  },
];
