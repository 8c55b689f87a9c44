import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import { Cdn, type CdnProps } from "../../../constructs/cdn";
import { awsProvider } from "../../../constructs/core/aws";
import { ObjectStorage } from "../../../constructs/object-storage";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, only } from "../data-access/fixture";

function cdn(overrides: Partial<CdnProps> = {}, logs = true) {
  return synthConstruct((scope) => {
    const storage = new ObjectStorage(scope, "storage", {
      naming,
      account: TEST_ACCOUNT,
      buckets: { uploads: { versioning: true, transitions: [], noncurrentVersionExpirationDays: 30, abortIncompleteUploadDays: 7 } },
      encryptionKey: new KmsKey(scope, "data-key", {}),
      accessLogs: { enabled: logs, retentionDays: 30 },
    });
    const usEast1 = awsProvider(scope, "aws-us-east-1", { region: "us-east-1", accountId: TEST_ACCOUNT.accountId, tags: {}, alias: "us-east-1" });
    return new Cdn(scope, "cdn", {
      naming,
      account: TEST_ACCOUNT,
      name: "assets",
      aliases: ["cdn.acme.example.com"],
      bucket: storage.bucket("uploads").bucket,
      originPath: "/public",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
      zoneId: "Z123",
      webAclArn: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
      ...(storage.accessLogBucket ? { logs: { bucket: storage.accessLogBucket, provider: usEast1 } } : {}),
      ...overrides,
    });
  });
}

function bucketPolicy(json: Synthesized, fragment: string): { statement: Record<string, unknown>[] } {
  return Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes(fragment))?.[1] as { statement: Record<string, unknown>[] };
}

describe("Cdn", () => {
  const { json } = cdn();
  const distribution = only(json, "aws_cloudfront_distribution");

  it("serves the aliases over HTTPS only with TLS 1.2 (2021), SNI and the given certificate and web ACL", () => {
    expect(distribution).toMatchObject({
      enabled: true,
      aliases: ["cdn.acme.example.com"],
      is_ipv6_enabled: true,
      http_version: "http2and3",
      price_class: "PriceClass_100",
      web_acl_id: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
      viewer_certificate: { acm_certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" },
      default_cache_behavior: { viewer_protocol_policy: "redirect-to-https", compress: true },
    });
    expect((distribution.viewer_certificate as Record<string, unknown>).cloudfront_default_certificate).toBeUndefined();
  });

  it("reads the private bucket through origin access control, granted to this distribution only", () => {
    const [origin] = distribution.origin as Record<string, unknown>[];
    expect(origin).toMatchObject({ origin_path: "/public" });
    expect(origin?.origin_access_control_id).toContain("aws_cloudfront_origin_access_control");
    expect(only(json, "aws_cloudfront_origin_access_control")).toMatchObject({ origin_access_control_origin_type: "s3", signing_behavior: "always", signing_protocol: "sigv4" });
    const grant = bucketPolicy(json, "bucket-uploads_policy-document").statement.find((statement) => statement.sid === "CloudFrontReadassets") as Record<string, unknown>;
    expect(grant.actions).toEqual(["s3:GetObject"]);
    expect(grant.resources).toEqual([expect.stringMatching(/\/public\/\*$/)]);
    expect(grant.condition).toEqual([{ test: "StringEquals", variable: "AWS:SourceArn", values: [expect.stringContaining("aws_cloudfront_distribution.cdn_distribution")] }]);
  });

  it("points A and AAAA alias records at the distribution", () => {
    const records = resourceList(json, "aws_route53_record");
    expect(records.map((record) => record.type).sort()).toEqual(["A", "AAAA"]);
    for (const record of records) expect(record).toMatchObject({ name: "cdn.acme.example.com", zone_id: "Z123", alias: { evaluate_target_health: false } });
  });

  it("delivers access logs (standard logging v2, from us-east-1) to the access-log bucket", () => {
    expect(only(json, "aws_cloudwatch_log_delivery_source")).toMatchObject({ log_type: "ACCESS_LOGS", provider: "aws.us-east-1" });
    expect(only(json, "aws_cloudwatch_log_delivery")).toMatchObject({ s3_delivery_configuration: [{ suffix_path: "assets" }] });
    const grant = bucketPolicy(json, "access-logs_policy-document").statement.find((statement) => statement.sid === "CloudFrontLogDeliveryassets") as Record<string, unknown>;
    expect(grant.principals).toEqual([{ type: "Service", identifiers: ["delivery.logs.amazonaws.com"] }]);
    // AWS prepends AWSLogs/<account>/CloudFront/ to the suffix path: the policy admits exactly where the objects land.
    expect(grant.resources).toEqual([expect.stringMatching(/\.arn\}\/AWSLogs\/123456789012\/CloudFront\/assets\/\*$/)]);
  });

  it("adds SPA fallbacks only when asked, and logs nothing without a log bucket", () => {
    const { json: spa } = cdn({ defaultRootObject: "index.html", singlePageApp: true }, false);
    expect(only(spa, "aws_cloudfront_distribution").custom_error_response).toEqual([
      { error_code: 403, response_code: 200, response_page_path: "/index.html" },
      { error_code: 404, response_code: 200, response_page_path: "/index.html" },
    ]);
    expect(resourceList(spa, "aws_cloudwatch_log_delivery")).toHaveLength(0);
    expect(distribution.custom_error_response).toBeUndefined();
  });

  it("rejects missing aliases, a malformed origin path, an unknown price class and a SPA without a root object", () => {
    expect(() => cdn({ aliases: [] })).toThrow(/at least one alias is required/);
    expect(() => cdn({ originPath: "public/" })).toThrow(/originPath "public\/" must look like \/public/);
    expect(() => cdn({ priceClass: "PriceClass_Cheap" as never })).toThrow(/priceClass "PriceClass_Cheap" must be one of/);
    expect(() => cdn({ singlePageApp: true })).toThrow(/singlePageApp needs a defaultRootObject/);
  });
});
