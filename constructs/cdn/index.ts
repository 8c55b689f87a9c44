/**
 * A CloudFront distribution in front of a private S3 bucket (static sites and asset domains such as
 * `cdn.acme.example.com`).
 *
 * - The bucket stays private: CloudFront reads it through origin access control (SigV4, always signed), and the
 *   bucket policy admits `s3:GetObject` for this distribution only (the data key's policy lets CloudFront decrypt).
 * - HTTPS: viewers are redirected to HTTPS, TLS 1.2 (policy TLSv1.2_2021) minimum, SNI with an ACM certificate
 *   that must live in us-east-1; HTTP/2 and HTTP/3; IPv6.
 * - Managed cache policy (CachingOptimized) and security headers policy (HSTS, nosniff, frame options, ...).
 * - Optional WAF web ACL (a CLOUDFRONT-scope ACL) and access logs (CloudFront standard logging v2 to the access-log
 *   bucket, delivered by CloudWatch Logs; its resources live in us-east-1 with the distribution's logs).
 * - Route 53 alias records (A and AAAA) for every alias.
 */
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { DOMAIN_NAME } from "../dns/rules";
import { CLOUDFRONT_REGION, cloudFrontLogLocation, ORIGIN_PATH, PRICE_CLASSES, type PriceClass } from "./rules";
import type { SecureBucket } from "../object-storage/bucket";

export * from "./rules";

/** AWS managed cache policy "CachingOptimized". */
export const CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/** AWS managed response headers policy "SecurityHeadersPolicy". */
export const SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03";
export const MINIMUM_PROTOCOL_VERSION = "TLSv1.2_2021";
const ORIGIN_ID = "s3-origin";

export interface CdnProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Distribution name from configuration (construct ids and resource names). */
  readonly name: string;
  /** Host names served, e.g. ["cdn.acme.example.com"]. */
  readonly aliases: readonly string[];
  /** Private bucket served (its policy receives the CloudFront read grant). */
  readonly bucket: SecureBucket;
  /**
   * Path inside the bucket served as the root, e.g. "/public".
   * @default the whole bucket
   */
  readonly originPath?: string;
  /** Validated ACM certificate in us-east-1 covering every alias. */
  readonly certificateArn: string;
  /** Zone the alias records are written to. */
  readonly zoneId: string;
  /**
   * CloudFront-scope WAF web ACL.
   * @default none
   */
  readonly webAclArn?: string;
  /**
   * Edge locations used.
   * @default "PriceClass_100" (North America and Europe)
   */
  readonly priceClass?: PriceClass;
  /**
   * Object returned for "/" (static sites).
   * @default none
   */
  readonly defaultRootObject?: string;
  /**
   * Serve `/<defaultRootObject>` with status 200 for 403/404 (client-side routed single-page apps).
   * @default false
   */
  readonly singlePageApp?: boolean;
  /**
   * Access logs to this bucket (under `AWSLogs/<account>/CloudFront/<name>/`, cloudFrontLogLocation), delivered through
   * CloudWatch Logs from us-east-1.
   * @default no access logs
   */
  readonly logs?: { readonly bucket: SecureBucket; readonly provider: TerraformProvider };
}


export class Cdn extends Construct {
  readonly distribution: CloudfrontDistribution;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.aliases.length === 0) problems.push("at least one alias is required (the distribution is served only on its own domains)");
    for (const alias of props.aliases) if (!DOMAIN_NAME.test(alias)) problems.push(`alias "${alias}" is not a DNS name`);
    if (props.originPath !== undefined && !ORIGIN_PATH.test(props.originPath)) problems.push(`originPath "${props.originPath}" must look like /public (no trailing slash)`);
    if (props.priceClass !== undefined && !PRICE_CLASSES.includes(props.priceClass)) problems.push(`priceClass "${props.priceClass}" must be one of ${PRICE_CLASSES.join(", ")}`);
    if (props.singlePageApp && !props.defaultRootObject) problems.push("singlePageApp needs a defaultRootObject (e.g. index.html) to serve for unknown paths");
    if (problems.length > 0) throw new Error(`Cdn ${props.name}:\n  - ${problems.join("\n  - ")}`);
    const { naming, name } = props;

    const oac = new CloudfrontOriginAccessControl(this, "origin-access-control", {
      name: naming.name("cloudfront-origin-access-control", "cdn", name),
      description: `CloudFront ${name} reads its bucket`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${naming.prefix} ${name}`,
      aliases: [...props.aliases],
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: props.priceClass ?? "PriceClass_100",
      ...(props.defaultRootObject ? { defaultRootObject: props.defaultRootObject } : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      origin: [
        {
          originId: ORIGIN_ID,
          domainName: props.bucket.bucket.bucketRegionalDomainName,
          originAccessControlId: oac.id,
          ...(props.originPath ? { originPath: props.originPath } : {}),
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: CACHING_OPTIMIZED_POLICY_ID,
        responseHeadersPolicyId: SECURITY_HEADERS_POLICY_ID,
      },
      ...(props.singlePageApp
        ? {
            customErrorResponse: [403, 404].map((errorCode) => ({
              errorCode,
              responseCode: 200,
              responsePagePath: `/${props.defaultRootObject}`,
            })),
          }
        : {}),
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: MINIMUM_PROTOCOL_VERSION,
      },
    });

    props.bucket.addPolicyStatements({
      sid: `CloudFrontRead${name.replace(/-/g, "")}`,
      actions: ["s3:GetObject"],
      resources: [`${props.bucket.arn}${props.originPath ?? ""}/*`],
      principals: [{ type: "Service", identifiers: [servicePrincipal("cloudfront")] }],
      condition: [{ test: "StringEquals", variable: "AWS:SourceArn", values: [this.distribution.arn] }],
    });

    for (const alias of props.aliases) {
      for (const type of ["A", "AAAA"]) {
        new Route53Record(this, `record-${alias.replace(/[^a-z0-9]+/g, "-")}-${type.toLowerCase()}`, {
          zoneId: props.zoneId,
          name: alias,
          type,
          alias: { name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false },
        });
      }
    }

    if (props.logs) this.deliverLogs(props, props.logs);
  }

  private deliverLogs(props: CdnProps, logs: NonNullable<CdnProps["logs"]>): void {
    const { naming, name, account } = props;
    const provider = logs.provider;
    const deliveryName = naming.name("log-delivery", "cdn", name);
    // One definition of the log path for the delivery and the bucket policy (see cloudFrontLogLocation).
    const location = cloudFrontLogLocation(account.accountId, name);
    logs.bucket.addPolicyStatements({
      sid: `CloudFrontLogDelivery${name.replace(/-/g, "")}`,
      actions: ["s3:PutObject"],
      resources: [`${logs.bucket.arn}/${location.objectPrefix}*`],
      principals: [{ type: "Service", identifiers: [servicePrincipal("delivery.logs")] }],
      condition: [
        { test: "StringEquals", variable: "s3:x-amz-acl", values: ["bucket-owner-full-control"] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
        {
          test: "ArnLike",
          variable: "aws:SourceArn",
          values: [`arn:${partitionOf(account.region)}:logs:${CLOUDFRONT_REGION}:${account.accountId}:delivery-source:*`],
        },
      ],
    });
    const source = new CloudwatchLogDeliverySource(this, "log-source", {
      provider,
      name: deliveryName,
      logType: "ACCESS_LOGS",
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, "log-destination", {
      provider,
      name: deliveryName,
      outputFormat: "json",
      deliveryDestinationConfiguration: [{ destinationResourceArn: logs.bucket.arn }],
    });
    new CloudwatchLogDelivery(this, "log-delivery", {
      provider,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
      s3DeliveryConfiguration: [{ suffixPath: location.suffixPath, enableHiveCompatiblePath: false }],
    });
  }
}
