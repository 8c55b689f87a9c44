import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { describe, expect, it } from "vitest";
import type { EdgeConfig } from "../../../config/schema/edge";
import { awsProvider } from "../../../constructs/core/aws";
import { Edge, edgeParameterName } from "../../../constructs/edge";
import { ObjectStorage } from "../../../constructs/object-storage";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { naming, only } from "../data-access/fixture";

const EDGE: EdgeConfig = {
  domains: {
    platform: { name: "acme.example.com", hostedZone: "create", subjectAlternativeNames: [] },
    shop: { name: "shop.example.com", hostedZone: "lookup", subjectAlternativeNames: ["*.tenants.shop.example.com"] },
  },
  waf: { regional: true, cloudfront: true, managedRuleGroups: ["AWSManagedRulesCommonRuleSet"], rateLimits: [{ name: "api", requestsPerSecond: 10, windowSeconds: 60, pathPrefix: "/api" }] },
  defaults: { domain: { hostedZone: "lookup", subjectAlternativeNames: [] }, cdn: { priceClass: "PriceClass_100", singlePageApp: false, waf: true } },
  cdn: { assets: { domain: "shop", subdomain: "cdn", bucket: "uploads", priceClass: "PriceClass_All", singlePageApp: false, waf: true } },
};

function edge(config: EdgeConfig = EDGE) {
  return synthConstruct((scope) => {
    const storage = new ObjectStorage(scope, "storage", {
      naming,
      account: TEST_ACCOUNT,
      buckets: { uploads: { versioning: true, transitions: [], noncurrentVersionExpirationDays: 30, abortIncompleteUploadDays: 7 } },
      encryptionKey: new KmsKey(scope, "data-key", {}),
      accessLogs: { enabled: true, retentionDays: 30 },
    });
    const usEast1 = awsProvider(scope, "aws-us-east-1", { region: "us-east-1", accountId: TEST_ACCOUNT.accountId, tags: {}, alias: "us-east-1" });
    return new Edge(scope, "edge", { naming, account: TEST_ACCOUNT, edge: config, storage, usEast1, logging: { retentionDays: 30, kmsKey: new KmsKey(scope, "logs-key", {}) } });
  });
}

describe("Edge", () => {
  const { json } = edge();
  const certificates = resourceList(json, "aws_acm_certificate");

  it("looks every zone up by name (the DNS stage creates and delegates them), whatever its hostedZone mode", () => {
    expect(resourceList(json, "aws_route53_zone")).toEqual([]);
    expect(Object.values(json.data?.aws_route53_zone ?? {}).map((zone) => [zone.name, zone.private_zone])).toEqual([
      ["acme.example.com", false],
      ["shop.example.com", false],
    ]);
  });

  it("releases the zones it created before the DNS stage from its state without destroying them (removed blocks at their former addresses)", () => {
    const removed = (json as { removed?: unknown[] }).removed;
    // The former zone resource sat exactly where the lookup sits now: same logical id, resource instead of data source.
    expect(removed).toEqual(Object.keys(json.data?.aws_route53_zone ?? {}).map((id) => ({ from: `aws_route53_zone.${id}`, lifecycle: { destroy: false } })));
    expect(removed).toContainEqual({ from: "aws_route53_zone.edge_zone-platform_zone_D0A67EAA", lifecycle: { destroy: false } });
    expect((json.terraform as { required_version?: string }).required_version).toBe(">= 1.7.0");
  });

  it("issues a regional wildcard certificate per domain (wildcard first, so ingresses find *.<domain>) and one in us-east-1 per distribution", () => {
    const regional = certificates.filter((certificate) => certificate.provider === undefined);
    expect(regional.map((certificate) => [certificate.domain_name, certificate.subject_alternative_names])).toEqual([
      ["*.acme.example.com", ["acme.example.com"]],
      ["*.shop.example.com", ["shop.example.com", "*.tenants.shop.example.com"]],
    ]);
    expect(certificates.filter((certificate) => certificate.provider === "aws.us-east-1").map((certificate) => certificate.domain_name)).toEqual(["cdn.shop.example.com"]);
  });

  it("creates a regional web ACL with logging and a CloudFront web ACL in us-east-1 attached to the distribution", () => {
    const acls = resourceList(json, "aws_wafv2_web_acl");
    expect(acls.map((acl) => [acl.scope, acl.provider]).sort()).toEqual([
      ["CLOUDFRONT", "aws.us-east-1"],
      ["REGIONAL", undefined],
    ]);
    expect(resourceList(json, "aws_wafv2_web_acl_logging_configuration")).toHaveLength(1);
    const distribution = only(json, "aws_cloudfront_distribution");
    expect(distribution).toMatchObject({ aliases: ["cdn.shop.example.com"], price_class: "PriceClass_All" });
    expect(distribution.web_acl_id).toContain("aws_wafv2_web_acl.edge_cloudfront-web-acl");
    expect((distribution.viewer_certificate as Record<string, unknown>).acm_certificate_arn).toContain("aws_acm_certificate_validation.edge_cdn-assets-certificate_validation");
  });

  it("publishes zones, certificates and the regional web ACL for the cluster's ingresses", () => {
    const edgeParameter = resourceList(json, "aws_ssm_parameter").find((p) => p.name === edgeParameterName(naming)) as Record<string, unknown>;
    expect(edgeParameter.name).toBe("/acme/test/edge");
    expect(edgeParameter.value).toMatch(/"webAclArn" = aws_wafv2_web_acl\.edge_regional-web-acl/);
    expect(edgeParameter.value).toMatch(/"shop" = \{"name" = "shop\.example\.com"/);
  });

  it("without WAF toggles creates no web ACL and leaves the distribution unprotected only when told to", () => {
    const { json: bare } = edge({ ...EDGE, waf: { ...EDGE.waf, regional: false, cloudfront: false }, cdn: { assets: { ...(EDGE.cdn.assets as EdgeConfig["cdn"][string]), waf: false } } });
    expect(resourceList(bare, "aws_wafv2_web_acl")).toHaveLength(0);
    expect(only(bare, "aws_cloudfront_distribution").web_acl_id).toBeUndefined();
  });

  it("requires a domain", () => {
    expect(() => edge({ ...EDGE, domains: {}, cdn: {} })).toThrow(/declare at least one domain under edge.domains/);
  });
});
