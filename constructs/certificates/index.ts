/**
 * An ACM certificate validated through DNS records in a Route 53 zone, e.g. `acme.example.com` plus the wildcard
 * `*.acme.example.com` for the regional load balancer, or the same in us-east-1 for CloudFront (pass the us-east-1
 * provider). Consumers use `arn`, which resolves only once validation has completed, so nothing attaches a
 * pending certificate. Renewal is automatic for as long as the validation records exist.
 */
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { TerraformIterator, Token, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { DOMAIN_NAME } from "../dns/rules";

/** RSA 2048: accepted by every client and by both ALB and CloudFront. */
export const KEY_ALGORITHM = "RSA_2048";
/** TTL of validation records. */
export const VALIDATION_RECORD_TTL = 300;

export interface DnsValidatedCertificateProps {
  /** Primary name, e.g. "acme.example.com". */
  readonly domainName: string;
  /**
   * Further names, e.g. "*.acme.example.com".
   * @default none
   */
  readonly subjectAlternativeNames?: readonly string[];
  /** Zone the validation records are written to; every name must be in it. */
  readonly zoneId: string;
  /** Domain of the zone, to check the names belong to it. */
  readonly zoneDomain: string;
  /**
   * Provider (region) of the certificate: the us-east-1 alias for CloudFront.
   * @default the stack's default provider
   */
  readonly provider?: TerraformProvider;
}

export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  /** ARN of the certificate once validated. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    const names = [props.domainName, ...(props.subjectAlternativeNames ?? [])];
    const problems = names.flatMap((name) => {
      const bare = name.replace(/^\*\./, "");
      if (!DOMAIN_NAME.test(bare)) return [`"${name}" is not a DNS name (a leading "*." is allowed)`];
      if (bare !== props.zoneDomain && !bare.endsWith(`.${props.zoneDomain}`)) return [`"${name}" is not in the zone ${props.zoneDomain}, so it cannot be validated there`];
      return [];
    });
    if (new Set(names).size !== names.length) problems.push(`names repeat: ${names.join(", ")}`);
    if (problems.length > 0) throw new Error(`DnsValidatedCertificate ${id}:\n  - ${problems.join("\n  - ")}`);

    const provider = props.provider ? { provider: props.provider } : {};
    this.certificate = new AcmCertificate(this, "certificate", {
      ...provider,
      domainName: props.domainName,
      ...(props.subjectAlternativeNames?.length ? { subjectAlternativeNames: [...props.subjectAlternativeNames] } : {}),
      validationMethod: "DNS",
      keyAlgorithm: KEY_ALGORITHM,
      lifecycle: { createBeforeDestroy: true },
    });
    // One record per distinct name; a wildcard and its apex share a record, hence allow_overwrite.
    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, "domain_name");
    const records = new Route53Record(this, "validation-record", {
      forEach: options,
      zoneId: props.zoneId,
      name: options.getString("resource_record_name"),
      type: options.getString("resource_record_type"),
      records: [options.getString("resource_record_value")],
      ttl: VALIDATION_RECORD_TTL,
      allowOverwrite: true,
    });
    this.validation = new AcmCertificateValidation(this, "validation", {
      ...provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty("fqdn")),
    });
    this.arn = this.validation.certificateArn;
  }
}
