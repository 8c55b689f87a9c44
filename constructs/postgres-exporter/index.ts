/**
 * prometheus-postgres-exporter for one PostgreSQL service of the environment (observability.exporters.postgres.enabled),
 * in the monitoring namespace:
 *
 * - It connects as the service's monitoring user (constructs/postgres-monitor-user: `pg_monitor`, no table access),
 *   whose user name and password the rotation function keeps in the platform secret
 *   `<prefix>/exporters/postgres-<service>`; the platform's ClusterSecretStore serves it to the monitoring namespace only
 *   (stacks/platform.ts lists it) and an ExternalSecret in the release syncs both keys. Never in configuration or state.
 * - The rotation alternates between two users; the exporter reads the credentials when it starts, so its Deployment
 *   names the Secret for Stakater Reloader (required with exporters), which restarts it after a sync. The previous
 *   user stays valid until the rotation after next.
 * - TLS with the server certificate verified (`sslmode=verify-full`) against the region's RDS authorities, mounted from
 *   a ConfigMap of the release (constructs/core/rds-ca.ts).
 * - A ServiceMonitor (the chart's) and a NetworkPolicy: only Prometheus's namespace may scrape it, and it may reach
 *   only the data tier on the database port and the cluster DNS.
 *
 * The writer endpoint and the database come from the service's connection parameter (constructs/core/connections.ts),
 * read at plan time.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { chartRelease } from "../../charts/release";
import { publishedConnection } from "../core/connection-lookup";
import type { Naming } from "../core/naming";
import { MONITORING_NAMESPACE, RDS_CA_FILE, RDS_CA_MOUNT, RDS_CA_PATH, RDS_CA_VOLUME, RELOADER_SECRETS_ANNOTATION } from "../core/platform-contracts";
import { exporterCredentials, exporterNetworkPolicy } from "../data-exporter";
import { rdsCaBundle } from "../core/rds-ca";
import { POSTGRES_DEFAULTS } from "../postgres";
import { postgresExporterSecretName } from "../postgres-monitor-user/naming";

/** Port of the exporter's metrics (the chart's target port). */
export const POSTGRES_EXPORTER_PORT = 9187;

/** Name component of the exporter's release and its objects for a database. */
export function postgresExporterName(serviceName: string): string {
  return `postgres-exporter-${serviceName}`;
}

export interface PostgresExporterProps {
  readonly naming: Naming;
  /** The PostgreSQL service (`services.postgres.<name>`). */
  readonly serviceName: string;
  /** Region of the database: whose RDS authorities verify its certificate. */
  readonly region: string;
  /** CIDRs of the data tier (the database's subnets): the only place the exporter connects to. */
  readonly dataTierCidrs: readonly string[];
  /**
   * The database's port (what the exporter dials and the network policy admits).
   * @default 5432 (POSTGRES_DEFAULTS.port)
   */
  readonly port?: number;
  /** What the release waits for: the monitoring CRDs (ServiceMonitor) and the External Secrets stores. */
  readonly dependsOn: readonly ITerraformDependable[];
}

export class PostgresExporter extends Construct {
  readonly release: Release;
  readonly networkPolicy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: PostgresExporterProps) {
    super(scope, id);
    const { naming, serviceName } = props;
    if (props.dataTierCidrs.length === 0) throw new Error(`PostgresExporter ${id}: dataTierCidrs is empty; the exporter could reach no database`);
    const port = props.port ?? POSTGRES_DEFAULTS.port;
    const name = postgresExporterName(serviceName);
    const field = publishedConnection(this, "connection", naming, serviceName);
    const credentials = `${name}-credentials`;
    const authorities = `${name}-rds-ca`;
    const labels = { "app.kubernetes.io/name": "prometheus-postgres-exporter", "app.kubernetes.io/instance": name };

    this.release = chartRelease(this, "release", {
      chart: "prometheus-postgres-exporter",
      name,
      namespace: MONITORING_NAMESPACE,
      overrides: {
        config: {
          datasource: {
            host: field("host"),
            // Strings: the chart renders them with `tpl`, which takes strings only.
            port: String(port),
            database: field("database"),
            userSecret: { name: credentials, key: "username" },
            passwordSecret: { name: credentials, key: "password" },
            extraParams: `sslrootcert=${RDS_CA_PATH}`,
          },
        },
        podLabels: { "platform.example.com/postgres-service": serviceName },
        // Reads its credentials when it starts: Reloader restarts it when External Secrets syncs a rotation.
        deployment: { annotations: { [RELOADER_SECRETS_ANNOTATION]: credentials } },
        extraVolumes: [{ name: RDS_CA_VOLUME, configMap: { name: authorities } }],
        extraVolumeMounts: [{ name: RDS_CA_VOLUME, mountPath: RDS_CA_MOUNT, readOnly: true }],
        extraManifests: [
          exporterCredentials(credentials, postgresExporterSecretName(naming, serviceName), ["username", "password"]),
          { apiVersion: "v1", kind: "ConfigMap", metadata: { name: authorities, namespace: MONITORING_NAMESPACE }, data: { [RDS_CA_FILE]: rdsCaBundle(props.region) } },
        ],
      },
      dependsOn: [...props.dependsOn],
      // Ready only once the monitoring user's first rotation (asynchronous, started by the infra stack) has put a
      // password into the secret: a slow or failed rotation must not fail and roll back the platform's apply. It shows
      // in Prometheus instead (the exporter's target down or pg_up 0) and in the rotation function's alarm.
      awaitReadiness: false,
    });

    this.networkPolicy = exporterNetworkPolicy(this, { name, labels, metricsPort: POSTGRES_EXPORTER_PORT, dataTierCidrs: props.dataTierCidrs, port, dependsOn: [this.release] });
  }
}
