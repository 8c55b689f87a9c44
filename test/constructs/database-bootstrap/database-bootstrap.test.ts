import { parse } from "yaml";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { DATABASE_BOOTSTRAP_NAMESPACE, DATABASE_BOOTSTRAP_QUOTA, DatabaseBootstrap, type DatabaseBootstrapProps } from "../../../constructs/database-bootstrap";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { policyOf } from "../workload/fixtures";

const naming = new Naming({ project: "acme", environment: "prod" });
const props: DatabaseBootstrapProps = { naming, account: TEST_ACCOUNT, services: ["shop-db", "audit-db"], policy: policyOf("production") };

describe("DatabaseBootstrap", () => {
  const { json, construct } = synthConstruct((scope) => new DatabaseBootstrap(scope, "bootstrap", props));

  it("defaults: an isolated restricted namespace sized for the bootstrap Jobs", () => {
    const namespace = resourceList(json, "kubernetes_namespace_v1")[0] as { metadata: { name: string; labels: Record<string, string> } };
    expect(namespace.metadata.name).toBe(DATABASE_BOOTSTRAP_NAMESPACE);
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect((resourceList(json, "kubernetes_resource_quota_v1")[0] as { spec: { hard: Record<string, string> } }).spec.hard).toMatchObject({ pods: String(DATABASE_BOOTSTRAP_QUOTA.pods), "limits.memory": "2560Mi" });
    expect((resourceList(json, "kubernetes_network_policy_v1") as { metadata: { name: string } }[]).map((policy) => policy.metadata.name).sort()).toEqual(["allow-dns", "default-deny"]);
  });

  it("syncs each service's master credentials through the namespace's own store, whose role reads exactly those secrets", () => {
    const release = resourceList(json, "helm_release")[0] as { namespace: string; values: string[] };
    expect(release.namespace).toBe(DATABASE_BOOTSTRAP_NAMESPACE);
    const values = parse(release.values[0] as string);
    expect(values.externalSecrets.map((secret: { name: string }) => secret.name)).toEqual(["master-audit-db", "master-shop-db"]);
    expect(values.externalSecrets[0].data.map((entry: { secretKey: string; remoteRef: { key: string } }) => [entry.secretKey, entry.remoteRef.key])).toEqual([
      ["username", expect.stringMatching(/connection-audit-db.*secretArn/)],
      ["password", expect.stringMatching(/connection-audit-db.*secretArn/)],
    ]);
    const parameters = Object.values(json.data?.aws_ssm_parameter ?? {}).map((parameter) => (parameter as { name: string }).name).sort();
    expect(parameters).toEqual(["/acme/prod/services/audit-db/connection", "/acme/prod/services/shop-db/connection"]);
    const documents = Object.entries(json.data?.aws_iam_policy_document ?? {}) as [string, { statement: { resources?: string[] }[] }][];
    const permissions = documents.find(([id]) => id.includes("permissions"))?.[1];
    // Not its own path: only the two master secrets.
    expect(permissions?.statement[0]?.resources).toEqual([expect.stringContaining("connection-audit-db"), expect.stringContaining("connection-shop-db")]);
    expect(construct.ready.length).toBeGreaterThan(1);
  });

  it("holds the region's RDS certificate authorities the Jobs verify the databases with", () => {
    const configMap = resourceList(json, "kubernetes_config_map_v1")[0] as { metadata: { name: string; namespace: string }; data: Record<string, string> };
    expect(configMap.metadata).toMatchObject({ name: "platform-rds-ca", namespace: DATABASE_BOOTSTRAP_NAMESPACE });
    expect(configMap.data["ca.pem"]).toContain(`-----BEGIN CERTIFICATE-----`);
    expect(construct.ready).toContain(construct.rdsCa);
  });

  it("with no PostgreSQL service, keeps the namespace and syncs nothing", () => {
    const empty = synthConstruct((scope) => new DatabaseBootstrap(scope, "bootstrap", { ...props, services: [] })).json;
    expect(resourceList(empty, "helm_release")).toHaveLength(0);
    expect(resourceList(empty, "aws_iam_role")).toHaveLength(0);
  });

  it("rejects a service name that cannot name its Secret, and a LimitRange too small for the Jobs", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => new DatabaseBootstrap(stack(), "b", { ...props, services: ["Shop_DB"] })).toThrow(/invalid k8s-name name "master-Shop_DB"/);
    const policy = policyOf("production");
    const small = { ...policy, namespace: { ...policy.namespace, limitRange: { ...policy.namespace.limitRange, max: { cpu: "100m", memory: "1Gi" } } } };
    expect(() => new DatabaseBootstrap(stack(), "b", { ...props, policy: small })).toThrow("DatabaseBootstrap b: a bootstrap Job needs cpu 250m, more than the LimitRange maximum 100m (workloads.namespace.limitRange.max.cpu)");
  });
});
