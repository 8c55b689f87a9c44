/**
 * The public Route 53 hosted zone of an environment's domain: created (and protected like any stateful resource:
 * losing a zone changes its name servers and breaks delegation) or looked up when it already exists. Zones are
 * created only in the DNS stage (`<env>-dns`, constructs/hosted-zones); every later stack looks them up by name, so
 * no stack validates a certificate in a zone it creates (the zone would not be delegated yet).
 */
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";

import { DOMAIN_NAME, type HostedZoneMode } from "./rules";

export * from "./rules";

export interface DnsZoneProps {
  /** The zone's domain, e.g. "acme.example.com". */
  readonly domain: string;
  /**
   * Create the zone, or look up an existing public zone of that name.
   * @default "lookup" — zones usually exist before a platform does (delegation is set up outside it)
   */
  readonly mode?: HostedZoneMode;
  /**
   * `prevent_destroy` on a created zone.
   * @default true
   */
  readonly protectState?: boolean;
}

export class DnsZone extends Construct {
  readonly domain: string;
  readonly zoneId: string;
  /** Name servers of the zone (a token). */
  readonly nameServers: string[];
  /** The created zone (mode "create"). */
  readonly zone?: Route53Zone;
  /** The lookup (mode "lookup"). */
  readonly lookup?: DataAwsRoute53Zone;

  constructor(scope: Construct, id: string, props: DnsZoneProps) {
    super(scope, id);
    if (!DOMAIN_NAME.test(props.domain)) {
      throw new Error(`DnsZone: domain "${props.domain}" is not a lowercase DNS name such as acme.example.com`);
    }
    this.domain = props.domain;
    if ((props.mode ?? "lookup") === "create") {
      this.zone = new Route53Zone(this, "zone", {
        name: props.domain,
        comment: `Public zone of ${props.domain} (managed by the platform)`,
        forceDestroy: false,
        lifecycle: { preventDestroy: props.protectState ?? true },
      });
      this.zoneId = this.zone.zoneId;
      this.nameServers = this.zone.nameServers;
    } else {
      this.lookup = new DataAwsRoute53Zone(this, "zone", { name: props.domain, privateZone: false });
      this.zoneId = this.lookup.zoneId;
      this.nameServers = this.lookup.nameServers;
    }
  }

  /** True when `name` is the zone's domain or inside it. */
  contains(name: string): boolean {
    const bare = name.replace(/^\*\./, "");
    return bare === this.domain || bare.endsWith(`.${this.domain}`);
  }
}
