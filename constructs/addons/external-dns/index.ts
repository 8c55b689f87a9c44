/**
 * external-dns: publishes Route 53 records for Ingresses and Services in the configured public zones only.
 * The zones are looked up by name; the IAM role (bound to `external-dns/external-dns` with EKS Pod Identity)
 * may change records in exactly those zones, external-dns is told their ids (`--zone-id-filter`) and domains,
 * and TXT ownership records with an owner id per cluster keep it from touching records it did not create.
 */
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { DNS_ZONE_NAME } from "../../../config/schema/addons";
import { PLATFORM_NAMESPACES } from "../../core/platform-contracts";
import { WorkloadIdentity } from "../../workload-identity";
import { addonNamespace, type AddonBaseProps } from "../common";

export const EXTERNAL_DNS_NAMESPACE = PLATFORM_NAMESPACES.externalDns.name;
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";
export type DnsPolicy = "sync" | "upsert-only";


export interface ExternalDnsProps extends AddonBaseProps {
  /** Public hosted zones external-dns manages, by name (each must exist in the account). */
  readonly zones: readonly string[];
  /**
   * `upsert-only` never deletes a record; `sync` also deletes records whose Ingress or Service is gone.
   * @default "upsert-only" — a deleted Ingress cannot take a record down with it
   */
  readonly policy?: DnsPolicy;
  /**
   * Owner id written to the TXT ownership records.
   * @default the cluster name, so two clusters never fight over a record
   */
  readonly ownerId?: string;
}

export class ExternalDns extends Construct {
  readonly namespace: NamespaceV1;
  readonly zones: readonly DataAwsRoute53Zone[];
  readonly identity: WorkloadIdentity;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ExternalDnsProps) {
    super(scope, id);
    if (props.zones.length === 0) throw new Error("ExternalDns: at least one zone is required (external-dns would manage nothing)");
    for (const zone of props.zones) {
      if (!DNS_ZONE_NAME.test(zone)) throw new Error(`ExternalDns: "${zone}" is not a DNS zone name such as example.com`);
    }
    if (new Set(props.zones).size !== props.zones.length) throw new Error(`ExternalDns: duplicate zones in ${props.zones.join(", ")}`);

    this.namespace = addonNamespace(this, "namespace", EXTERNAL_DNS_NAMESPACE);
    // Ids derive from the zone name, so reordering the configured list changes nothing.
    this.zones = props.zones.map(
      (zone) => new DataAwsRoute53Zone(this, `zone-${zone.replace(/\./g, "-")}`, { name: zone, privateZone: false }),
    );
    const zoneArns = this.zones.map((zone) => zone.arn);
    this.identity = new WorkloadIdentity(this, "identity", {
      account: props.account,
      clusterName: props.clusterName,
      namespace: EXTERNAL_DNS_NAMESPACE,
      serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
      roleName: props.naming.name("iam-role", "external-dns"),
      statements: [
        {
          sid: "ChangeRecordsInManagedZones",
          actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
          resources: zoneArns,
        },
        {
          sid: "ListZones",
          actions: ["route53:ListHostedZones", "route53:ListTagsForResources"],
          resources: ["*"],
          justification: "ListHostedZones has no resource-level permissions; external-dns lists zones to match its domain filters",
        },
      ],
    });
    this.release = chartRelease(this, "release", {
      chart: "external-dns",
      name: "external-dns",
      namespace: EXTERNAL_DNS_NAMESPACE,
      overrides: {
        serviceAccount: { create: true, name: EXTERNAL_DNS_SERVICE_ACCOUNT },
        domainFilters: [...props.zones],
        txtOwnerId: props.ownerId ?? props.clusterName,
        policy: props.policy ?? "upsert-only",
        extraArgs: ["--aws-zone-type=public", ...this.zones.map((zone) => `--zone-id-filter=${zone.zoneId}`)],
        env: [{ name: "AWS_DEFAULT_REGION", value: props.account.region }],
      },
      dependsOn: [this.namespace, this.identity.association],
    });
  }
}
