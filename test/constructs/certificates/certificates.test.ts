import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { describe, expect, it } from "vitest";
import { DnsValidatedCertificate } from "../../../constructs/certificates";
import { DnsZone } from "../../../constructs/dns";
import { resourceList, synthConstruct } from "../../support/synth";
import { only } from "../data-access/fixture";

describe("DnsZone", () => {
  it("creates a protected public zone, or looks one up", () => {
    const created = synthConstruct((scope) => new DnsZone(scope, "zone", { domain: "acme.example.com", mode: "create" })).json;
    expect(only(created, "aws_route53_zone")).toMatchObject({ name: "acme.example.com", force_destroy: false, lifecycle: { prevent_destroy: true } });
    const { json, construct } = synthConstruct((scope) => new DnsZone(scope, "zone", { domain: "acme.example.com" }));
    expect(resourceList(json, "aws_route53_zone")).toHaveLength(0);
    expect(json.data?.aws_route53_zone).toBeDefined();
    expect(construct.contains("*.api.acme.example.com")).toBe(true);
    expect(construct.contains("acme.example.org")).toBe(false);
  });

  it("rejects a domain that is not a DNS name", () => {
    expect(() => synthConstruct((scope) => new DnsZone(scope, "zone", { domain: "Acme.Example" }))).toThrow(/domain "Acme.Example" is not a lowercase DNS name/);
  });
});

describe("DnsValidatedCertificate", () => {
  const { json } = synthConstruct((scope) => {
    const certificate = new DnsValidatedCertificate(scope, "certificate", { domainName: "*.acme.example.com", subjectAlternativeNames: ["acme.example.com"], zoneId: "Z123", zoneDomain: "acme.example.com" });
    new SsmParameter(scope, "consumer", { name: "/consumer", type: "String", value: certificate.arn });
  });

  it("requests a DNS-validated wildcard certificate, replaced before destroy", () => {
    expect(only(json, "aws_acm_certificate")).toMatchObject({
      domain_name: "*.acme.example.com",
      subject_alternative_names: ["acme.example.com"],
      validation_method: "DNS",
      key_algorithm: "RSA_2048",
      lifecycle: { create_before_destroy: true },
    });
  });

  it("writes one validation record per name into the zone and exposes the ARN only after validation", () => {
    const record = only(json, "aws_route53_record");
    expect(record).toMatchObject({ zone_id: "Z123", allow_overwrite: true, ttl: 300 });
    expect(record.for_each).toMatch(/domain_validation_options.*val\.domain_name => val/);
    expect(only(json, "aws_acm_certificate_validation").validation_record_fqdns).toMatch(/aws_route53_record\.certificate_validation-record_\w+: val\.fqdn/);
    expect(only(json, "aws_ssm_parameter").value).toMatch(/^\$\{aws_acm_certificate_validation\.certificate_validation_\w+\.certificate_arn\}$/);
  });

  it("rejects names outside the zone and repeated names", () => {
    expect(() =>
      synthConstruct((scope) => new DnsValidatedCertificate(scope, "c", { domainName: "*.other.example.org", zoneId: "Z1", zoneDomain: "acme.example.com" })),
    ).toThrow(/"\*\.other\.example\.org" is not in the zone acme\.example\.com/);
    expect(() =>
      synthConstruct((scope) => new DnsValidatedCertificate(scope, "c", { domainName: "acme.example.com", subjectAlternativeNames: ["acme.example.com"], zoneId: "Z1", zoneDomain: "acme.example.com" })),
    ).toThrow(/names repeat/);
  });
});
