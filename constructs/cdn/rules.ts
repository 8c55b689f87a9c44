/** CloudFront settings shared with the configuration schema (no provider imports). */

export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** A path inside the origin bucket: /public, /site/v2 (no trailing slash). */
export const ORIGIN_PATH = /^(\/[\w.-]+)+$/;

/** CloudFront is a global service whose logs, certificates and web ACLs live in us-east-1. */
export const CLOUDFRONT_REGION = "us-east-1";
