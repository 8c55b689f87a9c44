/**
 * The public edge of an environment, from its `edge:` configuration:
 *
 * - per declared domain: its Route 53 zone, looked up by name (zones are created and delegated in the DNS stage,
 *   `<env>-dns`, before this stack: a certificate never validates in a zone created in the same apply), and a
 *   regional certificate for `*.<domain>` and
 *   `<domain>` (plus configured names such as a tenant wildcard) for the load balancer — the wildcard is the primary
 *   name, so ingresses find it by `*.<domain>`;
 * - WAF web ACLs: regional (for load balancers, with logging) and CloudFront (us-east-1), with the managed rule
 *   groups (and their tuning) and rate limits from configuration; the regional one also lets the products' upload
 *   paths take bodies over 8 KB, up to their own size (constructs/edge/uploads.ts);
 * - per `edge.cdn` entry: a CloudFront distribution serving a declared bucket at `<subdomain>.<domain>`, with its
 *   own certificate in us-east-1.
 *
 * What the cluster's add-ons and ingresses need (zones, certificate ARNs, the regional web ACL ARN) is published as
 * a String SSM parameter at `edgeParameterName()`, so the platform stack finds it without cross-stack references.
 */
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { managedRuleGroupsOf, type EdgeConfig } from "../../config/schema/edge";
import type { AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { ForgetResource, resourceAddress } from "../core/state-blocks";
import { Cdn } from "../cdn";
import { DnsValidatedCertificate } from "../certificates";
import { DnsZone } from "../dns";
import type { ObjectStorage } from "../object-storage";
import { BODY_SIZE_GROUP, groupSettings, WebAcl, type UploadScope } from "../waf";

import { edgeParameterName, type EdgeDescription } from "./parameter";

export { edgeParameterName, type EdgeDescription } from "./parameter";

export interface EdgeProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** The resolved `edge:` section (at least one domain). */
  readonly edge: EdgeConfig;
  /** Buckets the distributions serve (and the access-log bucket their logs go to). */
  readonly storage: ObjectStorage;
  /** The AWS provider alias for us-east-1 (CloudFront certificates, web ACL and log delivery). */
  readonly usEast1: TerraformProvider;
  readonly logging: { readonly retentionDays: number; readonly kmsKey: KmsKey };
  /**
   * Paths of products' hosts that accept bodies over 8 KB (see constructs/edge/uploads.ts), on the regional web ACL.
   * Without the common rule set nothing blocks large bodies, and they are not needed.
   * @default none
   */
  readonly uploads?: readonly UploadScope[];
}

/** A declared domain with its zone and regional certificate. */
export interface EdgeDomain {
  readonly name: string;
  readonly zone: DnsZone;
  readonly certificate: DnsValidatedCertificate;
  /**
   * The `removed` block for the zone this construct created at the same place before the DNS stage existed: the
   * state forgets it (the zone itself stays; `<env>-dns` imports it), so upgrading never destroys a delegated zone.
   */
  readonly formerZone: ForgetResource;
}

export class Edge extends Construct {
  readonly domains: Readonly<Record<string, EdgeDomain>>;
  readonly regionalWebAcl?: WebAcl;
  readonly cloudFrontWebAcl?: WebAcl;
  readonly distributions: Readonly<Record<string, Cdn>>;
  readonly description: EdgeDescription;
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { edge, naming } = props;
    const declared = Object.entries(edge.domains);
    if (declared.length === 0) throw new Error("Edge: declare at least one domain under edge.domains (declaring one turns the edge on)");
    const distributions = Object.entries(edge.cdn);

    this.domains = Object.fromEntries(
      declared.map(([key, domain]) => {
        const zone = new DnsZone(this, `zone-${key}`, { domain: domain.name, mode: "lookup" });
        // The lookup sits where the zone resource was: that resource's address, released from this stack's state.
        const formerZone = new ForgetResource(this, `former-zone-${key}`, { from: resourceAddress("aws_route53_zone", zone.lookup as NonNullable<DnsZone["lookup"]>) });
        const certificate = new DnsValidatedCertificate(this, `certificate-${key}`, {
          domainName: `*.${domain.name}`,
          subjectAlternativeNames: [domain.name, ...domain.subjectAlternativeNames],
          zoneId: zone.zoneId,
          zoneDomain: domain.name,
        });
        return [key, { name: domain.name, zone, certificate, formerZone }];
      }),
    );

    const wafRules = { managedRuleGroups: managedRuleGroupsOf(edge.waf), rateLimits: edge.waf.rateLimits };
    if (edge.waf.regional) {
      const common = wafRules.managedRuleGroups.some((entry) => groupSettings(entry).name === BODY_SIZE_GROUP);
      const uploads = common ? (props.uploads ?? []) : [];
      this.regionalWebAcl = new WebAcl(this, "regional-web-acl", { naming, purpose: "regional", scope: "REGIONAL", ...wafRules, uploads, logging: props.logging });
    }
    if (edge.waf.cloudfront && distributions.length > 0) {
      this.cloudFrontWebAcl = new WebAcl(this, "cloudfront-web-acl", { naming, purpose: "cloudfront", scope: "CLOUDFRONT", ...wafRules, provider: props.usEast1 });
    }

    const logBucket = props.storage.accessLogBucket;
    this.distributions = Object.fromEntries(
      distributions.map(([name, cdn]) => {
        const domain = this.domains[cdn.domain];
        if (!domain) throw new Error(`Edge: distribution ${name} names domain "${cdn.domain}", which is not declared under edge.domains`);
        const host = `${cdn.subdomain}.${domain.name}`;
        const certificate = new DnsValidatedCertificate(this, `cdn-${name}-certificate`, {
          domainName: host,
          zoneId: domain.zone.zoneId,
          zoneDomain: domain.name,
          provider: props.usEast1,
        });
        const distribution = new Cdn(this, `cdn-${name}`, {
          naming,
          account: props.account,
          name,
          aliases: [host],
          bucket: props.storage.bucket(cdn.bucket).bucket,
          ...(cdn.originPath ? { originPath: cdn.originPath } : {}),
          certificateArn: certificate.arn,
          zoneId: domain.zone.zoneId,
          ...(cdn.waf && this.cloudFrontWebAcl ? { webAclArn: this.cloudFrontWebAcl.arn } : {}),
          priceClass: cdn.priceClass,
          ...(cdn.defaultRootObject ? { defaultRootObject: cdn.defaultRootObject } : {}),
          singlePageApp: cdn.singlePageApp,
          ...(logBucket ? { logs: { bucket: logBucket, provider: props.usEast1 } } : {}),
        });
        return [name, distribution];
      }),
    );

    this.description = {
      domains: Object.fromEntries(
        Object.entries(this.domains).map(([key, domain]) => [key, { name: domain.name, zoneId: domain.zone.zoneId, certificateArn: domain.certificate.arn }]),
      ),
      ...(this.regionalWebAcl ? { webAclArn: this.regionalWebAcl.arn } : {}),
    };
    this.parameter = new SsmParameter(this, "parameter", {
      name: edgeParameterName(naming),
      description: "Public edge of the environment: zones, regional certificates and web ACL (no secret values)",
      type: "String",
      tier: "Standard",
      value: Fn.jsonencode(this.description),
    });
  }
}
