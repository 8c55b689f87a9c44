/**
 * Issue 17 gap 2 (exporters): prometheus-redis-exporter per Redis service, off by default, with its own monitoring-only
 * ElastiCache user whose password the stack's rotation function generates and rotates. Proven on the construct's
 * synthesized JSON and on the bundled production platform stack (where it is enabled): no key or channel access and no
 * CONFIG, the password only through the platform ClusterSecretStore (the operator may read exactly those secrets), a
 * ServiceMonitor, a network policy limited to Prometheus in and the data tier out, and values the chart knows.
 */
import { TerraformStack, Testing } from "cdktf";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { loadConfig } from "../../../config/loader";
import { CachePasswordRotation } from "../../../constructs/cache-password-rotation";
import { REDIS_EXPORTER_ACCESS_STRING, RedisExporter, redisExporterSecretName, redisExporterUserId, type RedisExporterProps } from "../../../constructs/redis-exporter";
import { resourceList, synthConstruct, tempConfig, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, type Json } from "../workload/fixtures";

const DATA_TIER = ["10.0.8.0/24", "10.0.9.0/24"];

function build(scope: TerraformStack, overrides: Partial<RedisExporterProps> = {}): RedisExporter {
  const rotation = CachePasswordRotation.of(scope, { naming, account: TEST_ACCOUNT, dataKeyAlias: "alias/acme-test-data", logging: { retentionDays: 365, kmsKeyAlias: "alias/acme-test-logs" } });
  return new RedisExporter(scope, "redis-exporter-shop-cache", {
    naming,
    serviceName: "shop-cache",
    rotation,
    accountId: TEST_ACCOUNT.accountId,
    dataKeyAlias: "alias/acme-test-data",
    recoveryWindowDays: 30,
    protect: true,
    dataTierCidrs: DATA_TIER,
    dependsOn: [],
    ...overrides,
  });
}

function values(json: Synthesized): Json {
  const release = (resourceList(json, "helm_release") as Json[]).find((candidate: Json) => candidate.chart === "prometheus-redis-exporter") as Json;
  const overrides = parse(String(release.values[1])) as Json;
  return { release, address: overrides.redisAddress, overrides, base: parse(String(release.values[0])) as Json };
}

describe("RedisExporter", () => {
  const { json, text } = synthConstruct((scope) => build(scope as TerraformStack));

  it("has a monitoring-only user: no keys, no channels, no CONFIG, only the commands the exporter reads", () => {
    const [user] = resourceList(json, "aws_elasticache_user") as Json[];
    expect(user.user_id).toBe(redisExporterUserId(naming, "shop-cache"));
    expect(user.user_id).toBe("acme-test-redis-shop-cache-exporter");
    expect(user.access_string).toBe(REDIS_EXPORTER_ACCESS_STRING);
    const parts = REDIS_EXPORTER_ACCESS_STRING.split(" ");
    expect(parts.slice(0, 2)).toEqual(["on", "-@all"]);
    expect(parts.filter((part) => part.startsWith("~") || part.startsWith("&") || part.startsWith("+@"))).toEqual([]);
    expect(parts.filter((part) => /config|flush|keys|scan|acl|debug|monitor|shutdown/i.test(part))).toEqual([]);
    expect(user.authentication_mode).toEqual({ type: "iam" });
    expect(user.lifecycle.ignore_changes).toContain("authentication_mode");
  });

  it("keeps the password out of Terraform: a platform secret, rotated at once by the stack's function", () => {
    expect(text).not.toMatch(/"passwords"\s*:/);
    expect(text).not.toMatch(/"secret_string"\s*:/);
    const [secret] = resourceList(json, "aws_secretsmanager_secret") as Json[];
    expect(secret.name).toBe(redisExporterSecretName(naming, "shop-cache"));
    expect(secret.name).toBe("acme-test/exporters/redis-shop-cache");
    const [rotation] = resourceList(json, "aws_secretsmanager_secret_rotation") as Json[];
    expect(rotation.rotate_immediately).toBe(true);
  });

  it("runs the chart with the user, the synced password, the ElastiCache TLS address, CONFIG skipped and a ServiceMonitor", () => {
    const { release, overrides, base, address } = values(json);
    expect(release).toMatchObject({ name: "redis-exporter-shop-cache", namespace: "monitoring" });
    expect(release).toMatchObject({ wait: false, atomic: false });
    expect(address).toMatch(/^rediss:\/\/\$\{jsondecode\(data\.aws_ssm_parameter\.redis-exporter-shop-cache_connection_\w+\.insecure_value\)\.host\}:6379$/);
    expect(overrides.auth).toEqual({ enabled: true, redisUser: "acme-test-redis-shop-cache-exporter", secret: { name: "redis-exporter-shop-cache-credentials", key: "password" } });
    const [externalSecret] = overrides.extraManifests as Json[];
    expect(externalSecret.spec).toMatchObject({
      secretStoreRef: { kind: "ClusterSecretStore", name: "aws-secrets-manager" },
      target: { name: "redis-exporter-shop-cache-credentials" },
      data: [{ secretKey: "password", remoteRef: { key: "acme-test/exporters/redis-shop-cache", property: "password" } }],
    });
    // Restarted by Reloader when External Secrets syncs a rotated password (it reads the password when it starts).
    expect(overrides.annotations).toEqual({ "secret.reloader.stakater.com/reload": "redis-exporter-shop-cache-credentials" });
    expect(base.serviceMonitor.enabled).toBe(true);
    expect(base.env).toContainEqual({ name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" });
    expect(base.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(releaseValuesProblems(json as never)).toEqual([]);
    // The exporter starts once its user has a password.
    expect(release.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_secretsmanager_secret_rotation\./), expect.stringMatching(/^aws_elasticache_user_group_association\./)]));
  });

  it("admits Prometheus's namespace on the metrics port, and reaches only the data tier on the Redis port and DNS", () => {
    const [policy] = resourceList(json, "kubernetes_network_policy_v1") as Json[];
    expect(policy.spec.pod_selector.match_labels).toEqual({ "app.kubernetes.io/name": "prometheus-redis-exporter", "app.kubernetes.io/instance": "redis-exporter-shop-cache" });
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: "9121", protocol: "TCP" }]);
    expect(policy.spec.egress[0]).toEqual({ to: DATA_TIER.map((cidr) => ({ ip_block: { cidr } })), ports: [{ port: "6379", protocol: "TCP" }] });
  });

  it("rejects an empty data tier", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    expect(() => build(stack, { dataTierCidrs: [] })).toThrow("RedisExporter redis-exporter-shop-cache: dataTierCidrs is empty");
  });
});

describe("observability.exporters.redis", () => {
  it("is off by default and on in the bundled production environment", () => {
    const environments = loadConfig(tempConfig({})).environments.map(({ config }) => [config.name, config.observability.exporters.redis.enabled]);
    expect(Object.fromEntries(environments)).toEqual({ dev: false, staging: false, prod: true });
  });
});
