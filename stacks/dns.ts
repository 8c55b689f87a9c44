/**
 * `<env>-dns`: the environment's public hosted zones (`edge.domains` with `hostedZone: create`) and the NS records
 * that delegate platform-created child zones, applied by CI before `<env>-infra` requests certificates in them. The
 * name servers are outputs; a zone nothing in the platform delegates is listed in `manual_delegations` with the
 * parent domain its NS records belong in (the README's first-deployment walkthrough; the preflight checks it).
 */
import { Fn, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { edgeParameterName } from "../constructs/edge/parameter";
import { HostedZones, type EnvironmentZonePlan } from "../constructs/hosted-zones";
import { BaseStack } from "./base-stack";
import { ciStackProps, protectsState, type BackendSettings, type EnvironmentContext } from "./context";

/** TTL of delegation records where zones are not protected (development): a re-created zone is reachable within an hour. */
const UNPROTECTED_DELEGATION_TTL_SECONDS = 3_600;

export class DnsStack extends BaseStack {
  readonly zones: HostedZones;

  constructor(scope: Construct, name: string, context: EnvironmentContext, backend: BackendSettings, plan: EnvironmentZonePlan) {
    super(scope, name, ciStackProps(context, name, backend));
    const { environment, naming } = context;
    const edgeParameter = edgeParameterName(naming);
    const protect = protectsState(context);
    this.zones = new HostedZones(this, "zones", {
      environment: environment.name,
      domains: environment.edge.domains,
      delegations: plan.delegations,
      // Zones `<env>-infra` created before the DNS stage existed are imported, never re-created.
      adoptFrom: { path: edgeParameter.slice(0, edgeParameter.lastIndexOf("/")), name: edgeParameter },
      protectState: protect,
      ...(protect ? {} : { delegationTtlSeconds: UNPROTECTED_DELEGATION_TTL_SECONDS }),
    });

    const zones = Object.values(this.zones.zones);
    new TerraformOutput(this, "name_servers", {
      description: "Name servers of each hosted zone this stack creates (the NS records its parent must list)",
      value: Object.fromEntries(zones.map((zone) => [zone.domain, zone.nameServers])),
    });
    new TerraformOutput(this, "zone_ids", {
      description: "Route 53 ids of the hosted zones this stack creates",
      value: Object.fromEntries(zones.map((zone) => [zone.domain, zone.zoneId])),
    });
    const byName = new Map(zones.map((zone) => [zone.domain, zone]));
    new TerraformOutput(this, "manual_delegations", {
      description: "Zones to delegate by hand: add NS records for the zone in the parent domain, with these name servers",
      value: Object.fromEntries(
        plan.manual.map((delegation) => [
          delegation.zone,
          { parent: delegation.parent, name_servers: Fn.tolist(byName.get(delegation.zone)?.nameServers ?? []), reason: delegation.reason },
        ]),
      ),
    });
  }
}
