/** CloudFront settings shared with the configuration schema (no provider imports). */

export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** A path inside the origin bucket: /public, /site/v2 (no trailing slash). */
export const ORIGIN_PATH = /^(\/[\w.-]+)+$/;

/** CloudFront is a global service whose logs, certificates and web ACLs live in us-east-1. */
export const CLOUDFRONT_REGION = "us-east-1";

/** Prefix AWS prepends to the suffix path of every CloudFront log delivery to S3 (standard logging v2). */
export const CLOUDFRONT_DELIVERY_PREFIX = "AWSLogs/{account-id}/CloudFront/";

export interface CloudFrontLogLocation {
  /** `s3_delivery_configuration.suffix_path` of the log delivery. */
  readonly suffixPath: string;
  /** Key prefix (without the bucket) the log objects are written under: what the bucket policy must admit. */
  readonly objectPrefix: string;
}

/**
 * Where a distribution's access logs land in the log bucket: the one definition both the log delivery's suffix path
 * and the bucket policy's allowed path are taken from. CloudFront standard logging (v2) delivers through CloudWatch
 * Logs vended logs, and AWS prepends `AWSLogs/<account-id>/CloudFront/` to the configured suffix path ("AWS
 * automatically prepends account and service-specific prefixes (e.g., AWSLogs/{account-id}/CloudFront/ for CloudFront
 * sources) to the configured value", aws_cloudwatch_log_delivery in the terraform-provider-aws documentation; the
 * vended-logs S3 policy in the CloudWatch Logs guide, AWS-logs-infrastructure-V2-S3, admits
 * `arn:aws:s3:::<bucket>/AWSLogs/<account-id>/*`). A policy admitting only `cloudfront/<name>/*` therefore refuses every
 * delivery.
 */
export function cloudFrontLogLocation(accountId: string, distribution: string): CloudFrontLogLocation {
  const suffixPath = distribution;
  return { suffixPath, objectPrefix: `${CLOUDFRONT_DELIVERY_PREFIX.replace("{account-id}", accountId)}${suffixPath}/` };
}
