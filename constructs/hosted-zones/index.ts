/**
 * The hosted zones of an environment's DNS stage (`<env>-dns`): every `edge.domains` entry with `hostedZone: create`,
 * and the NS records that delegate a platform-created child zone from its platform-created parent (see rules.ts for
 * who delegates what). Later stacks find the zones by name.
 *
 * Adoption: before the DNS stage existed, `<env>-infra` created these zones and published their ids in the edge
 * parameter (`/<project>/<env>/edge`, constructs/edge). An existing zone must never be destroyed and re-created —
 * a new zone gets new name servers and breaks the delegation — so each zone carries an `import` block whose
 * `for_each` holds the id the edge parameter lists for that zone name: empty on a fresh deployment (the zone is
 * created), one entry where the previous layout created it (the zone is imported), and ignored once the zone is in
 * this stack's state. `<env>-infra` forgets its copy with a `removed` block (constructs/edge). The parameter is read
 * with `aws_ssm_parameters_by_path`, which returns empty lists instead of failing when nothing exists.
 */
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsSsmParametersByPath } from "@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { AdoptResource, ForgetResource, resourceAddress } from "../core/state-blocks";
import { DnsZone } from "../dns";
import type { DeclaredDomain, PlannedDelegation } from "./rules";

export * from "./rules";

/** TTL of a delegation (NS) record: the TTL Route 53 gives the NS record of a new public hosted zone (2 days). */
export const DELEGATION_TTL_SECONDS = 172_800;

/** Where zones created by an earlier layout were published (the edge parameter of constructs/edge). */
export interface FormerZoneIds {
  /** Parameter path to list (`/<project>/<env>`): listing does not fail when nothing is there. */
  readonly path: string;
  /** Full name of the parameter (`/<project>/<env>/edge`): JSON `{ "domains": { <key>: { "name", "zoneId", ... } } }`. */
  readonly name: string;
}

export interface HostedZonesProps {
  /** The environment's `edge.domains`: zones are created for `hostedZone: create` entries. */
  readonly domains: Readonly<Record<string, DeclaredDomain>>;
  /** NS records this stack writes (rules.ts planHostedZones). */
  readonly delegations: readonly PlannedDelegation[];
  /** The environment this stack belongs to: delegations of its own zones reference them directly. */
  readonly environment: string;
  /**
   * Adopt zones an earlier layout created, by the ids it published.
   * @default none — every zone is created
   */
  readonly adoptFrom?: FormerZoneIds;
  /**
   * `prevent_destroy` on the zones.
   * @default true
   */
  readonly protectState?: boolean;
  /**
   * TTL of the NS records this stack writes.
   * @default DELEGATION_TTL_SECONDS
   */
  readonly delegationTtlSeconds?: number;
}

export class HostedZones extends Construct {
  /** Created zones by domain key. */
  readonly zones: Readonly<Record<string, DnsZone>>;
  /** Delegation records by child zone name. */
  readonly delegations: Readonly<Record<string, Route53Record>>;
  /** Import blocks by domain key (when adopting). */
  readonly adoptions: Readonly<Record<string, AdoptResource>>;
  /** `removed` blocks for domains that are looked up, by domain key. */
  readonly released: Readonly<Record<string, ForgetResource>>;

  constructor(scope: Construct, id: string, props: HostedZonesProps) {
    super(scope, id);
    const entries = Object.entries(props.domains);
    const created = entries.filter(([, domain]) => domain.hostedZone === "create");
    const keyByName = new Map(entries.map(([key, domain]) => [domain.name, key]));
    for (const delegation of props.delegations) {
      const parent = props.domains[delegation.parentKey];
      if (!parent || parent.hostedZone !== "create" || parent.name !== delegation.parent) {
        throw new Error(`HostedZones: the delegation of ${delegation.child} names parent ${delegation.parent} (key ${delegation.parentKey}), which this stack does not create`);
      }
      if (!delegation.child.endsWith(`.${delegation.parent}`)) throw new Error(`HostedZones: ${delegation.child} is not inside ${delegation.parent}`);
    }

    this.zones = Object.fromEntries(
      created.map(([key, domain]) => [key, new DnsZone(this, `zone-${key}`, { domain: domain.name, mode: "create", protectState: props.protectState ?? true })]),
    );

    // Switching a domain from "create" to "lookup" releases its zone instead of destroying it.
    this.released = Object.fromEntries(
      entries
        .filter(([, domain]) => domain.hostedZone === "lookup")
        .map(([key]) => {
          const place = new Construct(new Construct(this, `zone-${key}`), "zone");
          return [key, new ForgetResource(this, `release-${key}`, { from: resourceAddress("aws_route53_zone", place) })];
        }),
    );

    this.adoptions = props.adoptFrom ? this.adopt(props.adoptFrom, created.map(([key]) => key)) : {};

    const ttl = props.delegationTtlSeconds ?? DELEGATION_TTL_SECONDS;
    this.delegations = Object.fromEntries(
      props.delegations.map((delegation) => {
        const label = delegation.child.replace(/\./g, "-");
        const childKey = delegation.childEnvironment === props.environment ? keyByName.get(delegation.child) : undefined;
        const child = childKey === undefined ? undefined : this.zones[childKey];
        // A child created by another environment's DNS stack (same account) is read by name: that stack runs first.
        const nameServers = child ? child.nameServers : new DataAwsRoute53Zone(this, `delegated-${label}`, { name: delegation.child, privateZone: false }).nameServers;
        const parent = this.zones[delegation.parentKey] as DnsZone;
        const record = new Route53Record(this, `delegation-${label}`, {
          zoneId: parent.zoneId,
          name: delegation.child,
          type: "NS",
          ttl,
          records: nameServers,
        });
        return [delegation.child, record];
      }),
    );
  }

  private adopt(former: FormerZoneIds, keys: readonly string[]): Record<string, AdoptResource> {
    if (keys.length === 0) return {};
    const published = new DataAwsSsmParametersByPath(this, "former-zone-ids", { path: former.path, recursive: false });
    const listing = `data.${published.terraformResourceType}.${published.friendlyUniqueId}`;
    const empty = JSON.stringify(JSON.stringify({ domains: {} }));
    // zone name -> zone id, from the parameter when it exists. Its values are marked sensitive by the provider
    // (the listing may hold SecureStrings); the edge parameter is a plain String, so nonsensitive() is exact.
    const zoneIds = new TerraformLocal(
      this,
      "former-zone-ids-by-name",
      `\${{ for domain in values(jsondecode(lookup(zipmap(${listing}.names, nonsensitive(${listing}.values)), ${JSON.stringify(former.name)}, ${empty})).domains) : domain.name => domain.zoneId }}`,
    );
    const byName = `local.${zoneIds.friendlyUniqueId}`;
    return Object.fromEntries(
      keys.map((key) => {
        const zone = this.zones[key] as DnsZone;
        const forEach = `\${{ for name, id in ${byName} : name => id if name == ${JSON.stringify(zone.domain)} }}`;
        return [key, new AdoptResource(this, `adopt-${key}`, { to: zone.zone as NonNullable<DnsZone["zone"]>, forEach })];
      }),
    );
  }
}
