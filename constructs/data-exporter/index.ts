/**
 * What the data-service exporters (constructs/redis-exporter, constructs/postgres-exporter) share: the ExternalSecret
 * that syncs an exporter's own credentials from the platform's ClusterSecretStore into its release, and the
 * NetworkPolicy that lets only Prometheus's namespace scrape it and lets it reach only the data tier on the service's
 * port and the cluster DNS.
 */
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { MONITORING_NAMESPACE, SECRETS_MANAGER_STORE } from "../core/platform-contracts";

/**
 * How often External Secrets re-reads an exporter's credentials: a rotation reaches the exporter (restarted by
 * Reloader) within this, which bounds the outage of two rotations in a row. Four GetSecretValue calls an hour per
 * exporter.
 */
export const EXPORTER_SECRET_REFRESH = "15m";
const DNS_PORT = 53;

/**
 * The ExternalSecret (an `extraManifests` entry of the exporter's chart) syncing `keys` of the platform secret
 * `secretName` into the Kubernetes Secret `name` of the monitoring namespace.
 */
export function exporterCredentials(name: string, secretName: string, keys: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace: MONITORING_NAMESPACE },
    spec: {
      refreshInterval: EXPORTER_SECRET_REFRESH,
      secretStoreRef: { kind: "ClusterSecretStore", name: SECRETS_MANAGER_STORE },
      target: { name, creationPolicy: "Owner" },
      data: keys.map((key) => ({ secretKey: key, remoteRef: { key: secretName, property: key } })),
    },
  };
}

export interface ExporterNetworkPolicyProps {
  /** Name of the policy (the exporter's release). */
  readonly name: string;
  /** Labels of the exporter's pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** The metrics port Prometheus scrapes. */
  readonly metricsPort: number;
  /** CIDRs of the data tier: the only place the exporter connects to. */
  readonly dataTierCidrs: readonly string[];
  /** The data service's port. */
  readonly port: number;
  readonly dependsOn: readonly ITerraformDependable[];
}

/** The exporter's NetworkPolicy, construct id `network-policy` under `scope` (ids are API). */
export function exporterNetworkPolicy(scope: Construct, props: ExporterNetworkPolicyProps): NetworkPolicyV1 {
  return new NetworkPolicyV1(scope, "network-policy", {
    metadata: { name: props.name, namespace: MONITORING_NAMESPACE, labels: { ...props.labels } },
    spec: {
      podSelector: { matchLabels: { ...props.labels } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": MONITORING_NAMESPACE } } }],
          ports: [{ port: String(props.metricsPort), protocol: "TCP" }],
        },
      ],
      egress: [
        { to: props.dataTierCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: String(props.port), protocol: "TCP" }] },
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
          ports: [
            { port: String(DNS_PORT), protocol: "UDP" },
            { port: String(DNS_PORT), protocol: "TCP" },
          ],
        },
      ],
    },
    dependsOn: [...props.dependsOn],
  });
}
