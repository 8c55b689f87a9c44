import { describe, expect, it } from "vitest";
import { DELEGATION_TTL_SECONDS, HostedZones, type HostedZonesProps } from "../../../constructs/hosted-zones";
import { resourceList, synthConstruct } from "../../support/synth";

const PROPS: HostedZonesProps = {
  environment: "prod",
  domains: {
    top: { name: "acme.example.com", hostedZone: "create" },
    app: { name: "app.acme.example.com", hostedZone: "create" },
    shop: { name: "shop.example.com", hostedZone: "lookup" },
  },
  delegations: [
    { parentKey: "top", parent: "acme.example.com", child: "app.acme.example.com", childEnvironment: "prod" },
    { parentKey: "top", parent: "acme.example.com", child: "staging.acme.example.com", childEnvironment: "staging" },
  ],
  adoptFrom: { path: "/acme/prod", name: "/acme/prod/edge" },
};

function zones(props: Partial<HostedZonesProps> = {}) {
  return synthConstruct((scope) => new HostedZones(scope, "zones", { ...PROPS, ...props }));
}

type Json = ReturnType<typeof zones>["json"] & { import?: Record<string, string>[]; removed?: unknown[]; locals?: Record<string, string> };

describe("HostedZones", () => {
  const { json: raw, construct } = zones();
  const json = raw as Json;

  it("creates a protected public zone per domain with hostedZone: create (defaults)", () => {
    expect(resourceList(json, "aws_route53_zone").map((zone) => [zone.name, zone.force_destroy, (zone.lifecycle as { prevent_destroy?: boolean }).prevent_destroy]).sort()).toEqual([
      ["acme.example.com", false, true],
      ["app.acme.example.com", false, true],
    ]);
    expect(Object.keys(construct.zones)).toEqual(["top", "app"]);
  });

  it("delegates a child zone of this stack from its parent with the child's own name servers", () => {
    const records = resourceList(json, "aws_route53_record");
    const app = records.find((record) => record.name === "app.acme.example.com");
    expect(app).toMatchObject({ type: "NS", ttl: DELEGATION_TTL_SECONDS });
    expect(app?.zone_id).toMatch(/^\$\{aws_route53_zone\.zones_zone-top_zone_[0-9A-F]{8}\.zone_id\}$/);
    expect(app?.records).toMatch(/^\$\{aws_route53_zone\.zones_zone-app_zone_[0-9A-F]{8}\.name_servers\}$/);
  });

  it("delegates a child zone of another environment with the name servers of a lookup by name", () => {
    const staging = resourceList(json, "aws_route53_record").find((record) => record.name === "staging.acme.example.com");
    expect(staging?.records).toMatch(/^\$\{data\.aws_route53_zone\.zones_delegated-staging-acme-example-com_[0-9A-F]{8}\.name_servers\}$/);
    expect(Object.values(json.data?.aws_route53_zone ?? {}).map((lookup) => [lookup.name, lookup.private_zone])).toEqual([["staging.acme.example.com", false]]);
  });

  it("adopts each zone an earlier layout created: an import whose for_each holds the id the edge parameter lists for that name", () => {
    const listing = Object.entries(json.data?.aws_ssm_parameters_by_path ?? {});
    expect(listing.map(([, data]) => [data.path, data.recursive])).toEqual([["/acme/prod", false]]);
    const [listingId] = listing[0] ?? [];
    const [[localName, local]] = Object.entries(json.locals ?? {}) as [[string, string]];
    expect(local).toBe(
      `\${{ for domain in values(jsondecode(lookup(zipmap(data.aws_ssm_parameters_by_path.${listingId}.names, nonsensitive(data.aws_ssm_parameters_by_path.${listingId}.values)), "/acme/prod/edge", "{\\"domains\\":{}}")).domains) : domain.name => domain.zoneId }}`,
    );
    expect(json.import).toEqual([
      { for_each: `\${{ for name, id in local.${localName} : name => id if name == "acme.example.com" }}`, to: expect.stringMatching(/^aws_route53_zone\.zones_zone-top_zone_/), id: "${each.value}" },
      { for_each: `\${{ for name, id in local.${localName} : name => id if name == "app.acme.example.com" }}`, to: expect.stringMatching(/^aws_route53_zone\.zones_zone-app_zone_/), id: "${each.value}" },
    ]);
  });

  it("releases (never destroys) the zone of a domain switched to lookup", () => {
    expect(json.removed).toEqual([{ from: expect.stringMatching(/^aws_route53_zone\.zones_zone-shop_zone_[0-9A-F]{8}$/), lifecycle: { destroy: false } }]);
    // The address is the one a created zone of that key would have.
    const { json: created } = zones({ domains: { ...PROPS.domains, shop: { name: "shop.example.com", hostedZone: "create" } } });
    const [released] = (json.removed ?? []) as { from: string }[];
    expect(Object.keys(created.resource?.aws_route53_zone ?? {}).map((id) => `aws_route53_zone.${id}`)).toContain(released?.from);
  });

  it("unprotected, adopting nothing: no prevent_destroy, no import", () => {
    const { json: bare } = zones({ protectState: false, adoptFrom: undefined, delegationTtlSeconds: 3600 }) as { json: Json };
    expect(resourceList(bare, "aws_route53_zone").every((zone) => (zone.lifecycle as { prevent_destroy?: boolean }).prevent_destroy === false)).toBe(true);
    expect(bare.import).toBeUndefined();
    expect(resourceList(bare, "aws_route53_record").map((record) => record.ttl)).toEqual([3600, 3600]);
  });

  it("rejects a delegation from a zone it does not create", () => {
    expect(() => zones({ delegations: [{ parentKey: "shop", parent: "shop.example.com", child: "eu.shop.example.com", childEnvironment: "prod" }] })).toThrow(
      /the delegation of eu\.shop\.example\.com names parent shop\.example\.com \(key shop\), which this stack does not create/,
    );
  });

  it("rejects a delegation of a zone outside its parent", () => {
    expect(() => zones({ delegations: [{ parentKey: "top", parent: "acme.example.com", child: "other.example.com", childEnvironment: "prod" }] })).toThrow(/other\.example\.com is not inside acme\.example\.com/);
  });
});
