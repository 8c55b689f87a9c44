import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { ExternalDns, type ExternalDnsProps } from "../../../constructs/addons/external-dns";
import { Naming } from "../../../constructs/core/naming";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { expectExplicitActions, expectTrustScopedTo, identityPolicies } from "./iam-assertions";
import { overridesOf, releaseNamed } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const props: ExternalDnsProps = { naming, account: TEST_ACCOUNT, clusterName: "acme-prod-eks", zones: ["acme.example.com", "acme.example.org"] };

describe("ExternalDns", () => {
  const { json } = synthConstruct((scope) => new ExternalDns(scope, "dns", props));
  const release = releaseNamed(json, "external-dns");
  const zoneIds = Object.keys(json.data?.aws_route53_zone ?? {});

  it("looks the public zones up by name, keyed by zone name", () => {
    expect(Object.values(json.data?.aws_route53_zone ?? {})).toEqual([
      { name: "acme.example.com", private_zone: false },
      { name: "acme.example.org", private_zone: false },
    ]);
    expect(zoneIds[0]).toMatch(/^dns_zone-acme-example-com_/);
  });

  it("manages only those zones, upsert-only by default, with the cluster as TXT owner", () => {
    expect(release.attributes).toMatchObject({ chart: "external-dns", version: "1.21.1", namespace: "external-dns" });
    expect(overridesOf(release)).toEqual({
      serviceAccount: { create: true, name: "external-dns" },
      domainFilters: ["acme.example.com", "acme.example.org"],
      txtOwnerId: "acme-prod-eks",
      policy: "upsert-only",
      extraArgs: ["--aws-zone-type=public", ...zoneIds.map((id) => `--zone-id-filter=\${data.aws_route53_zone.${id}.zone_id}`)],
      env: [{ name: "AWS_DEFAULT_REGION", value: "eu-west-1" }],
    });
    expect(releaseValuesProblems(json)).toEqual([]);
    expect(resourceList(json, "kubernetes_namespace_v1")[0]).toMatchObject({ metadata: { name: "external-dns" } });
  });

  it("trusts exactly external-dns/external-dns and may change records only in the managed zones", () => {
    expectTrustScopedTo(json, "dns_identity", { cluster: "acme-prod-eks", namespace: "external-dns", serviceAccount: "external-dns" });
    const { permissions } = identityPolicies(json, "dns_identity");
    expectExplicitActions(permissions);
    expect(permissions.find((statement) => statement.sid === "ChangeRecordsInManagedZones")?.resources).toEqual(
      zoneIds.map((id) => `\${data.aws_route53_zone.${id}.arn}`),
    );
    expect(permissions.find((statement) => statement.resources?.includes("*"))?.actions).toEqual(["route53:ListHostedZones", "route53:ListTagsForResources"]);
  });

  it("honours the sync policy and an explicit owner id", () => {
    const synced = synthConstruct((scope) => new ExternalDns(scope, "dns", { ...props, policy: "sync", ownerId: "blue" })).json;
    expect(overridesOf(releaseNamed(synced, "external-dns"))).toMatchObject({ policy: "sync", txtOwnerId: "blue" });
  });

  const invalid: [string, Partial<ExternalDnsProps>, RegExp][] = [
    ["no zone", { zones: [] }, /at least one zone is required/],
    ["a malformed zone", { zones: ["not a zone"] }, /"not a zone" is not a DNS zone name/],
    ["a duplicate zone", { zones: ["a.example.com", "a.example.com"] }, /duplicate zones/],
  ];
  for (const [what, change, message] of invalid) {
    it(`rejects ${what}`, () => {
      expect(() => new ExternalDns(new TerraformStack(Testing.app(), "t"), "dns", { ...props, ...change })).toThrow(message);
    });
  }
});
