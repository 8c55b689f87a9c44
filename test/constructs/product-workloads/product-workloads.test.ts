import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ProductSchema, type ServiceBindingConfig } from "../../../config/schema/products";
import { namespaceQuota, ProductWorkloads, type ProductWorkloadsProps } from "../../../constructs/product-workloads";
import { ServiceConnectionRef } from "../../../constructs/product-workloads/connections";
import { ingressGroupSettings } from "../../../constructs/workload";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";
import { naming, policyOf, shopProduct } from "../workload/fixtures";
import type { Json } from "../workload/fixtures";

const production = policyOf("production");

function props(overrides: Partial<ProductWorkloadsProps> = {}): ProductWorkloadsProps {
  const policy = overrides.policy ?? production;
  return {
    name: "shop",
    product: shopProduct(),
    policy,
    naming,
    account: TEST_ACCOUNT,
    clusterName: naming.clusterName,
    network: { loadBalancerCidrs: ["10.0.0.0/24"], dataTierCidrs: ["10.0.8.0/24", "10.0.9.0/24"] },
    ingressGroup: ingressGroupSettings(naming, policy.ingress),
    dataKeyAlias: "alias/acme-test-data",
    protectSecrets: true,
    ...overrides,
  };
}

const synth = (overrides: Partial<ProductWorkloadsProps> = {}) => synthConstruct((scope) => new ProductWorkloads(scope, "shop", props(overrides)));

/** The resource of `type` whose construct path ends with `/<suffix>`. */
function byPath(json: Synthesized, type: string, suffix: string): Json {
  const marker = `_${suffix.replaceAll("/", "_")}_`;
  const found = Object.entries(resourcesOf(json, type))
    .filter(([id]) => `_${id}`.includes(marker))
    .map(([, resource]) => resource);
  expect(found, `${type} …/${suffix}`).toHaveLength(1);
  return found[0] as Json;
}

function envOf(json: Synthesized, workload: string): Json[] {
  return byPath(json, "kubernetes_deployment_v1", `workload-${workload}/deployment`).spec.template.spec.container[0].env;
}

function policyDocument(json: Synthesized, workload: string): Json {
  return byPath({ resource: json.data } as Synthesized, "aws_iam_policy_document", `workload-${workload}/identity/permissions`);
}

describe("ProductWorkloads (production policy)", () => {
  const { json, construct } = synth();

  it("creates one workload per configured workload, in its own namespace", () => {
    expect([...construct.workloads.keys()].sort()).toEqual(["api", "migrate", "nightly", "web", "worker"]);
    expect(resourceList(json, "kubernetes_deployment_v1")).toHaveLength(3);
    expect(resourceList(json, "kubernetes_cron_job_v1")).toHaveLength(1);
    // The pre-rollout job, and the job creating the instance's own database user (in the database-bootstrap namespace).
    expect(resourceList(json, "kubernetes_job_v1")).toHaveLength(2);
    expect(byPath(json, "kubernetes_job_v1", "database-user-database/job").metadata.namespace).toBe("database-bootstrap");
    for (const type of ["kubernetes_deployment_v1", "kubernetes_service_v1", "kubernetes_ingress_v1", "kubernetes_network_policy_v1"]) {
      const inProduct = (Object.entries(resourcesOf(json, type)) as [string, Json][]).filter(([id]) => !id.includes("database-user"));
      for (const [, resource] of inProduct) expect(resource.metadata.namespace, type).toMatch(/^shop$|kubernetes_namespace_v1\.shop_namespace/);
    }
  });

  it("sizes the namespace quota for full scale plus rollout surge and the environment's headroom", () => {
    // web 5+2 pods, api 2+1, worker 2+1, one cron run, one migration; x1.25.
    expect(byPath(json, "kubernetes_resource_quota_v1", "namespace/quota").spec.hard).toEqual({
      "requests.cpu": "6500m",
      "requests.memory": "6720Mi",
      "limits.cpu": "13750m",
      "limits.memory": "13440Mi",
      pods: "19",
    });
    expect(namespaceQuota(shopProduct(), policyOf("development")).pods).toBeGreaterThan(0);
  });

  it("creates an empty Secrets Manager secret per declared secret, with the data key and prevent_destroy", () => {
    const secrets = resourceList(json, "aws_secretsmanager_secret") as Json[];
    expect(secrets.map((secret) => secret.name).sort()).toEqual(["acme-test/shop/api-key", "acme-test/shop/oauth"]);
    for (const secret of secrets) {
      expect(secret).toMatchObject({ kms_key_id: "alias/acme-test-data", recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
      expect(secret.secret_string).toBeUndefined();
    }
    expect(resourceList(json, "aws_secretsmanager_secret_version")).toHaveLength(0);
  });

  it("syncs declared secrets with ExternalSecrets from a local chart release, not kubernetes_manifest; PostgreSQL credentials never reach the namespace", () => {
    expect(resourceList(json, "kubernetes_manifest")).toHaveLength(0);
    const release = byPath(json, "helm_release", "secrets");
    expect(release).toMatchObject({ name: "workload-secrets", namespace: "shop", atomic: true });
    expect(release.chart).toMatch(/^assets\/chart-workload-secrets\//);
    const values = parse(release.values[0]);
    expect(values.externalSecrets.map((secret: { name: string }) => secret.name)).toEqual(["secret-api-key", "secret-oauth"]);
    // Read through the namespace's own SecretStore, whose role reads this namespace's path only.
    expect(values.secretStore).toEqual({ name: "secrets-manager", region: "eu-west-1", role: expect.stringMatching(/^\$\{aws_iam_role\..*secret-store_role.*\.arn\}$/) });
    expect(values.externalSecrets[0]).toEqual({
      name: "secret-api-key",
      refreshInterval: "1h",
      data: [{ secretKey: "value", remoteRef: { key: "acme-test/shop/api-key" } }],
    });
    expect(values.externalSecrets[1].data).toEqual([
      { secretKey: "client-id", remoteRef: { key: "acme-test/shop/oauth", property: "client-id" } },
      { secretKey: "client-secret", remoteRef: { key: "acme-test/shop/oauth", property: "client-secret" } },
    ]);
    expect(JSON.stringify(values)).not.toContain("secretArn");
  });

  it("syncs a password-authenticated service's credentials through the store, whose role reads exactly that secret", () => {
    const withQueue = synth({
      product: shopProduct({
        services: { ...shopProduct().services, queue: { kind: "rabbitmq", name: "shop-mq" } },
        workloads: { ...shopProduct().workloads, worker: { ...(shopProduct().workloads.worker as Json), uses: ["queue"] } },
      }),
    }).json;
    const values = parse(byPath(withQueue, "helm_release", "secrets").values[0]);
    const queue = values.externalSecrets.find((secret: { name: string }) => secret.name === "service-queue");
    expect(queue.data.map((entry: { remoteRef: { key: string } }) => entry.remoteRef.key)).toEqual([expect.stringContaining(".secretArn"), expect.stringContaining(".secretArn")]);
    expect(queue.template.data.url).toMatch(/^amqps:\/\/\{\{ \.username \| urlquery \}\}:\{\{ \.password \| urlquery \}\}@/);
    const store = byPath({ resource: withQueue.data } as Synthesized, "aws_iam_policy_document", "secret-store/permissions");
    expect(store.statement[0].resources).toEqual(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-test/shop/*", expect.stringContaining("connection-queue")]);
  });

  it("looks up each used data service's connection by its deterministic SSM name", () => {
    const parameters = Object.values(json.data?.aws_ssm_parameter ?? {}) as Json[];
    // The database user's job reads the database's connection too.
    expect([...new Set(parameters.map((parameter) => parameter.name))].sort()).toEqual(["/acme/test/services/shop-cache/connection", "/acme/test/services/shop-db/connection"]);
  });

  it("injects the domain, the connections, granted resource names, secrets and config, in that order", () => {
    const env = envOf(json, "web");
    const names = env.map((entry) => entry.name);
    expect(names).toEqual([
      "APP_DOMAIN",
      "AWS_REGION",
      "DATABASE_HOST",
      "DATABASE_PORT",
      "DATABASE_TLS",
      "DATABASE_READER_HOST",
      "DATABASE_NAME",
      "DATABASE_CA_FILE",
      "DATABASE_USERNAME",
      "DATABASE_IAM_AUTH",
      "DATABASE_URL",
      "REDIS_HOST",
      "REDIS_PORT",
      "REDIS_TLS",
      "REDIS_READER_HOST",
      "REDIS_USERNAME",
      "REDIS_IAM_AUTH",
      "REDIS_URL",
      "UPLOADS_BUCKET",
      "API_KEY",
      "OAUTH_CLIENT_ID",
      "ORIGIN",
    ]);
    const byName = Object.fromEntries(env.map((entry) => [entry.name, entry]));
    expect(byName.APP_DOMAIN.value).toBe("shop.example.com");
    expect(byName.DATABASE_HOST.value).toMatch(/^\$\{jsondecode\(data\.aws_ssm_parameter\..*\.insecure_value\)\.host\}$/);
    // The instance's own IAM-authenticated user, on the service's database; no password exists.
    expect(byName.DATABASE_USERNAME.value).toBe("shop");
    expect(byName.DATABASE_NAME.value).toMatch(/^\$\{jsondecode\(data\.aws_ssm_parameter\..*\.insecure_value\)\.database\}$/);
    expect(byName.DATABASE_IAM_AUTH.value).toBe("true");
    expect(byName.UPLOADS_BUCKET.value).toBe("acme-test-uploads");
    expect(byName.API_KEY.value_from).toEqual({ secret_key_ref: { name: "secret-api-key", key: "value" } });
    expect(byName.OAUTH_CLIENT_ID.value_from).toEqual({ secret_key_ref: { name: "secret-oauth", key: "client-id" } });
    expect(byName.ORIGIN.value).toBe("https://app.$(APP_DOMAIN)");
    expect(JSON.stringify(env)).not.toMatch(/password"\s*:\s*"[^$]/);
  });

  it("verifies the PostgreSQL server: the region's RDS authorities in a config map, mounted read-only, named by the URL", () => {
    const byName = Object.fromEntries(envOf(json, "web").map((entry) => [entry.name, entry]));
    expect(byName.DATABASE_CA_FILE.value).toBe("/etc/platform/rds-ca/ca.pem");
    expect(byName.DATABASE_URL.value).toMatch(/^postgresql:\/\/shop@\$\{.+\}:\$\{.+\}\/\$\{.+\}\?sslmode=verify-full&sslrootcert=\/etc\/platform\/rds-ca\/ca\.pem$/);
    const configMap = byPath(json, "kubernetes_config_map_v1", "rds-ca");
    expect(configMap.metadata).toMatchObject({ name: "platform-rds-ca", namespace: "shop" });
    expect(String(configMap.data["ca.pem"])).toContain("-----BEGIN CERTIFICATE-----");
    const pod = byPath(json, "kubernetes_deployment_v1", "workload-web/deployment").spec.template.spec;
    expect(pod.volume).toContainEqual({ name: "platform-rds-ca", config_map: { name: "platform-rds-ca" } });
    expect(pod.container[0].volume_mount).toContainEqual({ name: "platform-rds-ca", mount_path: "/etc/platform/rds-ca", read_only: true });
    expect(pod.container[0].security_context.read_only_root_filesystem).toBe(true);
    // A workload that uses neither PostgreSQL nor DocumentDB mounts nothing of it.
    for (const deployment of resourceList(json, "kubernetes_deployment_v1") as Json[]) {
      const usesDatabase = (deployment.spec.template.spec.container[0].env ?? []).some((entry: Json) => entry.name === "DATABASE_URL");
      const mounted = (deployment.spec.template.spec.volume ?? []).some((volume: Json) => volume.name === "platform-rds-ca");
      expect(mounted, deployment.metadata.name).toBe(usesDatabase);
    }
  });

  it("verifies the DocumentDB server too: the URL composed from the synced credentials names the same authorities", () => {
    const product = shopProduct();
    const withDocuments = {
      ...product,
      services: { ...product.services, documents: { kind: "mongodb", name: "shop-docs", envPrefix: "MONGO" } as ServiceBindingConfig },
      workloads: { ...product.workloads, worker: { ...product.workloads.worker!, uses: ["documents"] } },
    };
    const { json: documents } = synth({ product: withDocuments });
    const byName = Object.fromEntries(envOf(documents, "worker").map((entry) => [entry.name, entry]));
    expect(byName.MONGO_CA_FILE.value).toBe("/etc/platform/rds-ca/ca.pem");
    const release = (resourceList(documents, "helm_release") as Json[]).find((candidate) => candidate.name === "workload-secrets") as Json;
    const values = parse(String(release.values[0])) as Json;
    const url = values.externalSecrets.find((secret: Json) => secret.name === "service-documents").template.data.url as string;
    expect(url).toMatch(/^mongodb:\/\/\{\{ \.username \| urlquery \}\}:\{\{ \.password \| urlquery \}\}@.+\/\?tls=true&tlsCAFile=\/etc\/platform\/rds-ca\/ca\.pem&replicaSet=rs0/);
    const worker = byPath(documents, "kubernetes_deployment_v1", "workload-worker/deployment").spec.template.spec;
    expect(worker.container[0].volume_mount).toContainEqual({ name: "platform-rds-ca", mount_path: "/etc/platform/rds-ca", read_only: true });
  });

  it("loads config maps whole and rolls the pods when their content changes", () => {
    const template = byPath(json, "kubernetes_deployment_v1", "workload-web/deployment").spec.template;
    expect(template.spec.container[0].env_from).toEqual([{ config_map_ref: { name: "flags" } }]);
    const checksum = template.metadata.annotations["platform.example.com/config-checksum"];
    expect(checksum).toMatch(/^[0-9a-f]{16}$/);
    const changed = synth({ product: shopProduct({ configMaps: { flags: { CHECKOUT_V2: false } } }) }).json;
    expect(byPath(changed, "kubernetes_deployment_v1", "workload-web/deployment").spec.template.metadata.annotations["platform.example.com/config-checksum"]).not.toBe(checksum);
    expect(byPath(json, "kubernetes_config_map_v1", "config-flags").data).toEqual({ CHECKOUT_V2: "true" });
  });

  it("builds IAM policies from typed grants and IAM-authenticated services, never from written ARNs", () => {
    const web = JSON.stringify(policyDocument(json, "web").statement);
    expect(web).toContain('"arn:aws:s3:::acme-test-uploads"');
    expect(web).toContain('"arn:aws:s3:::acme-test-uploads/*"');
    expect(web).toContain("s3:PutObject");
    expect(web).toContain("kms:GenerateDataKey");
    expect(web).toContain("data.aws_kms_alias.");
    expect(web).toContain("arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:acme-test-redis-shop-cache");
    const worker = JSON.stringify(policyDocument(json, "worker").statement);
    expect(worker).toContain('"arn:aws:sqs:eu-west-1:123456789012:acme-test-orders"');
    expect(worker).toContain("sqs:ReceiveMessage");
    expect(worker).not.toContain("sqs:SendMessage");
    // PostgreSQL: rds-db:connect as the instance's own user on the service's resource id, never dbuser:*.
    const api = policyDocument(json, "api").statement as Json[];
    expect(api).toEqual([
      { actions: ["rds-db:connect"], resources: [expect.stringMatching(/^arn:aws:rds-db:eu-west-1:123456789012:dbuser:\$\{jsondecode\(data\.aws_ssm_parameter\..*\.insecure_value\)\.resourceId\}\/shop$/)] },
    ]);
  });

  it("allows exactly the declared calls between workloads, and egress to the data tier on the services' ports", () => {
    const web = byPath(json, "kubernetes_network_policy_v1", "workload-web/network-policy").spec;
    expect(web.egress).toContainEqual({
      to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "shop" } } }],
      ports: [
        { port: "8000", protocol: "TCP" },
        { port: "9090", protocol: "TCP" },
      ],
    });
    const dataTier = web.egress.find((rule: Json) => rule.to?.[0]?.ip_block);
    expect(dataTier.to).toEqual([{ ip_block: { cidr: "10.0.8.0/24" } }, { ip_block: { cidr: "10.0.9.0/24" } }]);
    // The ports come from the services' published connections (resolved at plan time).
    expect(dataTier.ports).toEqual([
      { port: expect.stringMatching(/^\$\{tostring\(jsondecode\(data\.aws_ssm_parameter\.shop_connection-database_.*\.port\)\}$/), protocol: "TCP" },
      { port: expect.stringMatching(/^\$\{tostring\(jsondecode\(data\.aws_ssm_parameter\.shop_connection-cache_.*\.port\)\}$/), protocol: "TCP" },
    ]);
    const api = byPath(json, "kubernetes_network_policy_v1", "workload-api/network-policy").spec;
    expect(api.ingress).toContainEqual({
      from: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop" } } }],
      ports: [
        { port: "8000", protocol: "TCP" },
        { port: "9090", protocol: "TCP" },
      ],
    });
    // The API has no ingress of its own: the load balancer may not reach it.
    expect(api.ingress.some((rule: Json) => rule.from.some((from: Json) => from.ip_block))).toBe(false);
  });

  it("runs the pre-rollout job before every Deployment and cron job, and the database user's job before what connects as it", () => {
    const job = Object.keys(resourcesOf(json, "kubernetes_job_v1")).find((id) => id.includes("workload-migrate")) as string;
    const databaseUser = Object.keys(resourcesOf(json, "kubernetes_job_v1")).find((id) => id.includes("database-user")) as string;
    for (const type of ["kubernetes_deployment_v1", "kubernetes_cron_job_v1"]) {
      for (const resource of resourceList(json, type)) expect(resource.depends_on, type).toContain(`kubernetes_job_v1.${job}`);
    }
    expect(resourcesOf(json, "kubernetes_job_v1")[job]?.depends_on).not.toContain(`kubernetes_job_v1.${job}`);
    expect(resourcesOf(json, "kubernetes_job_v1")[job]?.depends_on).toContain(`kubernetes_job_v1.${databaseUser}`);
  });

  it("presents the product's certificate, looked up by domain, for its qualified hosts", () => {
    expect(Object.values(json.data?.aws_acm_certificate ?? {})).toEqual([expect.objectContaining({ domain: "*.shop.example.com", statuses: ["ISSUED"], most_recent: true })]);
    const ingress = byPath(json, "kubernetes_ingress_v1", "workload-web/ingress");
    expect(ingress.spec.rule.map((rule: { host: string }) => rule.host)).toEqual(["app.shop.example.com"]);
    expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toMatch(/^\$\{data\.aws_acm_certificate\..*\.arn\}$/);
  });
});

describe("ProductWorkloads in development", () => {
  const dev = policyOf("development");
  const product = ProductSchema.parse({ ...shopProduct(), workloads: { ...shopProduct().workloads, api: { ...shopProduct().workloads.api, replicas: 1 } } });
  const { json } = synth({ policy: dev, ingressGroup: ingressGroupSettings(naming, dev.ingress), protectSecrets: false, product });

  it("keeps secrets destroyable with a short recovery window and allows single replicas", () => {
    for (const secret of resourceList(json, "aws_secretsmanager_secret")) expect(secret).toMatchObject({ recovery_window_in_days: 7, lifecycle: { prevent_destroy: false } });
    expect(byPath(json, "kubernetes_deployment_v1", "workload-api/deployment").spec.replicas).toBe("1");
    expect(Object.keys(resourcesOf(json, "kubernetes_pod_disruption_budget_v1")).some((id) => id.includes("workload-api"))).toBe(false);
  });

  it("uses a quota it is given instead of the computed one", () => {
    const quota = { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", pods: 10 };
    const given = synth({ policy: dev, ingressGroup: ingressGroupSettings(naming, dev.ingress), quota }).json;
    expect(byPath(given, "kubernetes_resource_quota_v1", "namespace/quota").spec.hard).toMatchObject({ "requests.cpu": "2", pods: "10" });
  });
});

describe("ProductWorkloads validation", () => {
  it("rejects a product with hosts but no ALB group", () => {
    const { ingressGroup: _group, ...rest } = props();
    expect(() => synthConstruct((scope) => new ProductWorkloads(scope, "shop", rest))).toThrow(/workloads have an ingress but no ingressGroup was given/);
  });

  it("rejects an invalid product with every rule that failed", () => {
    const product = { ...shopProduct(), workloads: { ...shopProduct().workloads, worker: { ...(shopProduct().workloads.worker as Json), ingress: { hosts: ["x"], paths: ["/"] } } } };
    expect(() => synth({ product })).toThrow(/product\.workloads\.worker\.ingress: a worker has no Service, so it cannot have an ingress/);
  });

  it("applies the environment's rules: minimum replicas and image pinning", () => {
    const product = { ...shopProduct(), workloads: { ...shopProduct().workloads, api: { ...(shopProduct().workloads.api as Json), replicas: 1, image: "registry.example.com/shop/api:2.0.0" } } };
    const error = (() => {
      try {
        synth({ product });
      } catch (caught) {
        return String(caught);
      }
      return "";
    })();
    expect(error).toMatch(/workloads\.api\.replicas: runs 1 replica\(s\) at least; this environment requires at least 2/);
    expect(error).toMatch(/workloads\.api\.image: this environment requires images pinned by digest/);
  });

  it("rejects a data key that is not a KMS alias", () => {
    expect(() => synth({ dataKeyAlias: "arn:aws:kms:eu-west-1:123456789012:key/abc" })).toThrow(/dataKeyAlias .* is not a KMS alias name/);
  });
});

describe("ProductWorkloads of a shared tenant", () => {
  const { json } = synth({ sharedTenant: "globex" });

  it("tells every workload its tenant, and each Redis binding the key prefix to keep to on the shared service", () => {
    const web = envOf(json, "web").map((entry) => `${entry.name}=${entry.value ?? ""}`);
    expect(web).toContain("TENANT_ID=globex");
    expect(web.indexOf("REDIS_KEY_PREFIX=globex:")).toBe(web.findIndex((entry) => entry.startsWith("REDIS_URL=")) + 1);
    const api = envOf(json, "api").map((entry) => entry.name);
    expect(api).toContain("TENANT_ID");
    expect(api.filter((name) => name.endsWith("_PREFIX"))).toEqual([]); // no Redis or OpenSearch binding
  });

  it("gives an OpenSearch binding an index prefix, and PostgreSQL none (the tenant has its own database)", () => {
    const prefixes = synthConstruct((scope) =>
      (["opensearch", "postgres"] as const).map((kind) => new ServiceConnectionRef(scope, `connection-${kind}`, "search", { kind, name: `shop-${kind}` } as ServiceBindingConfig, naming).tenantPrefixEnv("globex")),
    ).construct;
    expect(prefixes).toEqual([[{ name: "SEARCH_INDEX_PREFIX", value: "globex-" }], []]);
  });

  it("is absent from the environment's own instance", () => {
    const { json: environment } = synth();
    expect(envOf(environment, "web").map((entry) => entry.name).filter((name) => name === "TENANT_ID" || name.endsWith("_KEY_PREFIX"))).toEqual([]);
  });
});
