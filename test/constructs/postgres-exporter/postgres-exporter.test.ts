/**
 * Issue 17 gap 2 (exporters): prometheus-postgres-exporter per PostgreSQL service, off by default, connecting as the
 * service's monitoring user (constructs/postgres-monitor-user). Proven on the construct's synthesized JSON and on the
 * bundled production stacks (where it is enabled): credentials only through the platform ClusterSecretStore, restarted
 * by Reloader after a rotation, TLS verified against the region's RDS authorities, a ServiceMonitor, a network policy
 * limited to Prometheus in and the data tier out, and values the chart knows.
 */
import { X509Certificate } from "node:crypto";
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { loadConfig } from "../../../config/loader";
import { PostgresExporter, type PostgresExporterProps } from "../../../constructs/postgres-exporter";
import { resourceList, synthConstruct, tempConfig, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, type Json } from "../workload/fixtures";

const DATA_TIER = ["10.0.8.0/24", "10.0.9.0/24"];

function build(scope: TerraformStack, overrides: Partial<PostgresExporterProps> = {}): PostgresExporter {
  return new PostgresExporter(scope, "postgres-exporter-shop-db", { naming, serviceName: "shop-db", region: TEST_ACCOUNT.region, dataTierCidrs: DATA_TIER, dependsOn: [], ...overrides });
}

function values(json: Synthesized): Json {
  const release = (resourceList(json, "helm_release") as Json[]).find((candidate: Json) => candidate.chart === "prometheus-postgres-exporter") as Json;
  return { release, overrides: parse(String(release.values[1])) as Json, base: parse(String(release.values[0])) as Json };
}

describe("PostgresExporter", () => {
  const { json } = synthConstruct((scope) => build(scope as TerraformStack));

  it("connects as the synced monitoring user, with TLS verified against the region's RDS authorities", () => {
    const { release, overrides, base } = values(json);
    expect(release).toMatchObject({ name: "postgres-exporter-shop-db", namespace: "monitoring" });
    // Ready only after the monitoring user's first (asynchronous) rotation: the apply does not wait, nor roll back.
    expect(release).toMatchObject({ wait: false, atomic: false });
    const { datasource } = overrides.config;
    expect(datasource.host).toMatch(/^\$\{jsondecode\(data\.aws_ssm_parameter\.postgres-exporter-shop-db_connection_\w+\.insecure_value\)\.host\}$/);
    expect(datasource.database).toMatch(/\.database\}$/);
    expect(datasource).toMatchObject({
      port: "5432",
      userSecret: { name: "postgres-exporter-shop-db-credentials", key: "username" },
      passwordSecret: { name: "postgres-exporter-shop-db-credentials", key: "password" },
      extraParams: "sslrootcert=/etc/platform/rds-ca/ca.pem",
    });
    expect(base.config.datasource.sslmode).toBe("verify-full");
    const [externalSecret, authorities] = overrides.extraManifests as Json[];
    expect(externalSecret.spec).toMatchObject({
      // A rotation reaches the exporter within 15 minutes (Reloader restarts it on the change).
      refreshInterval: "15m",
      secretStoreRef: { kind: "ClusterSecretStore", name: "aws-secrets-manager" },
      target: { name: "postgres-exporter-shop-db-credentials" },
      data: ["username", "password"].map((key) => ({ secretKey: key, remoteRef: { key: "acme-test/exporters/postgres-shop-db", property: key } })),
    });
    expect(authorities).toMatchObject({ kind: "ConfigMap", metadata: { name: "postgres-exporter-shop-db-rds-ca", namespace: "monitoring" } });
    const names = String(authorities.data["ca.pem"])
      .split(/(?<=-----END CERTIFICATE-----)\n/)
      .filter((pem) => pem.trim())
      .map((pem) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1]);
    expect(names).toContain(`Amazon RDS ${TEST_ACCOUNT.region} Root CA RSA2048 G1`);
    expect(names.every((name) => name?.startsWith(`Amazon RDS ${TEST_ACCOUNT.region} `))).toBe(true);
    expect(overrides.extraVolumes).toEqual([{ name: "platform-rds-ca", configMap: { name: "postgres-exporter-shop-db-rds-ca" } }]);
    expect(overrides.extraVolumeMounts).toEqual([{ name: "platform-rds-ca", mountPath: "/etc/platform/rds-ca", readOnly: true }]);
  });

  it("is restarted by Reloader when its credentials change, runs read-only and non-root, and has a ServiceMonitor", () => {
    const { overrides, base } = values(json);
    expect(overrides.deployment.annotations).toEqual({ "secret.reloader.stakater.com/reload": "postgres-exporter-shop-db-credentials" });
    expect(base.serviceMonitor.enabled).toBe(true);
    expect(base.automountServiceAccountToken).toBe(false);
    expect(base.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(base.podSecurityContext).toMatchObject({ runAsNonRoot: true });
    expect(releaseValuesProblems(json as never)).toEqual([]);
  });

  it("admits Prometheus's namespace on the metrics port, and reaches only the data tier on the database port and DNS", () => {
    const [policy] = resourceList(json, "kubernetes_network_policy_v1") as Json[];
    expect(policy.spec.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus-postgres-exporter", "app.kubernetes.io/instance": "postgres-exporter-shop-db" });
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "9187", protocol: "TCP" }]);
    expect(policy.spec.egress[0]).toEqual({ to: DATA_TIER.map((cidr) => ({ ip_block: { cidr } })), ports: [{ port: "5432", protocol: "TCP" }] });
  });

  it("uses the configured port", () => {
    const { json: custom } = synthConstruct((scope) => build(scope as TerraformStack, { port: 6432 }));
    expect(values(custom).overrides.config.datasource.port).toBe("6432");
    expect((resourceList(custom, "kubernetes_network_policy_v1") as Json[])[0].spec.egress[0].ports).toEqual([{ port: "6432", protocol: "TCP" }]);
  });

  it("rejects an empty data tier", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    expect(() => build(stack, { dataTierCidrs: [] })).toThrow("PostgresExporter postgres-exporter-shop-db: dataTierCidrs is empty");
  });
});

describe("observability.exporters.postgres", () => {
  it("is off by default and on in the bundled production environment", () => {
    const environments = loadConfig(tempConfig({})).environments.map(({ config }) => [config.name, config.observability.exporters.postgres.enabled]);
    expect(Object.fromEntries(environments)).toEqual({ dev: false, staging: false, prod: true });
  });
});
