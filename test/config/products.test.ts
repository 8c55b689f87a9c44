import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { ProductFileSchema, ProductSchema } from "../../config/schema/products";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";
import type { Json } from "../constructs/workload/fixtures";
import { only, problems } from "../support/config-problems";

const RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };

/** A valid product in input form; tests break one rule at a time. */
function product(): Json {
  return {
    services: { database: { kind: "postgres", name: "shop-db" } },
    secrets: { "api-key": {}, oauth: { properties: ["client-id", "client-secret"] } },
    configMaps: { flags: { FEATURE_X: true } },
    domain: "shop.example.com",
    workloads: {
      web: {
        kind: "web",
        image: "registry.example.com/shop/web:1.2.3",
        ports: { http: 8080, metrics: 9090 },
        replicas: 2,
        resources: structuredClone(RESOURCES),
        health: { path: "/healthz" },
        env: { API_KEY: { secret: "api-key" }, OAUTH_ID: { secret: "oauth", property: "client-id" } },
        uses: ["database"],
        connectsTo: ["api"],
        ingress: { hosts: ["app"] },
      },
      api: {
        kind: "web",
        image: "registry.example.com/shop/api@sha256:" + "a".repeat(64),
        ports: { http: 8000 },
        autoscaling: { minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 },
        resources: structuredClone(RESOURCES),
        health: { path: "/health" },
        envFrom: ["flags"],
        ingress: { hosts: ["app"], paths: ["/api"] },
      },
      jobs: {
        kind: "worker",
        image: "registry.example.com/shop/jobs:1.2.3",
        replicas: 2,
        resources: structuredClone(RESOURCES),
        probes: { liveness: { exec: { command: ["/bin/check"] } }, readiness: { exec: { command: ["/bin/check"] } } },
      },
      nightly: { kind: "cron", image: "registry.example.com/shop/jobs:1.2.3", schedule: "0 3 * * *", resources: structuredClone(RESOURCES) },
      migrate: { kind: "pre-rollout", image: "registry.example.com/shop/api:1.2.3", command: ["migrate"], uses: ["database"], resources: structuredClone(RESOURCES) },
    },
  };
}

type Issue = { path: string; message: string };

function issuesOf(input: unknown): Issue[] {
  const result = ProductSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

/** The single issue at `path`, failing with every issue found otherwise. */
function issueAt(input: unknown, path: string): string {
  const found = issuesOf(input);
  const matching = found.filter((issue) => issue.path === path);
  expect(matching, `issues: ${JSON.stringify(found, null, 1)}`).toHaveLength(1);
  return (matching[0] as Issue).message;
}

function broken(edit: (p: Json) => void): Json {
  const p = product();
  edit(p);
  return p;
}

describe("product schema", () => {
  it("accepts a product with every workload kind and fills in defaults", () => {
    const parsed: Json = ProductSchema.parse(product());
    expect(parsed.workloads.web.ingress.paths).toEqual(["/"]);
    expect(parsed.workloads.jobs.ports).toEqual({});
    expect(parsed.configMaps.flags).toEqual({ FEATURE_X: "true" });
    expect(Object.values(parsed.workloads as Record<string, { kind: string }>).map((w) => w.kind).sort()).toEqual(["cron", "pre-rollout", "web", "web", "worker"]);
  });

  it("rejects HPA minReplicas above maxReplicas", () => {
    const message = issueAt(broken((p) => (p.workloads.api.autoscaling = { minReplicas: 5, maxReplicas: 3, cpuUtilization: 70 })), "workloads.api.autoscaling.minReplicas");
    expect(message).toBe("HPA minReplicas 5 is above maxReplicas 3; minReplicas must be <= maxReplicas");
  });

  it("rejects an HPA without a CPU or memory target", () => {
    expect(issueAt(broken((p) => (p.workloads.api.autoscaling = { minReplicas: 2, maxReplicas: 3 })), "workloads.api.autoscaling")).toMatch(/needs a target: cpuUtilization and\/or memoryUtilization/);
  });

  it("rejects requests above limits, for CPU and for memory", () => {
    const cpu = broken((p) => (p.workloads.web.resources.requests.cpu = "2"));
    expect(issueAt(cpu, "workloads.web.resources.requests.cpu")).toBe("requests.cpu 2 is above limits.cpu 1; a request must not exceed its limit");
    const memory = broken((p) => (p.workloads.web.resources.requests.memory = "1Gi"));
    expect(issueAt(memory, "workloads.web.resources.requests.memory")).toBe("requests.memory 1Gi is above limits.memory 512Mi; a request must not exceed its limit");
  });

  it("rejects unparseable quantities, naming what is allowed", () => {
    expect(issueAt(broken((p) => (p.workloads.web.resources.requests.cpu = "two")), "workloads.web.resources.requests.cpu")).toMatch(/^unparseable quantity; expected a CPU quantity such as 250m/);
    expect(issueAt(broken((p) => (p.workloads.web.resources.limits.memory = "4GB")), "workloads.web.resources.limits.memory")).toMatch(/^unparseable quantity; expected a memory quantity such as 512Mi/);
    // Binary suffixes are for bytes, not cores.
    expect(issueAt(broken((p) => (p.workloads.web.resources.requests.cpu = "500Mi")), "workloads.web.resources.requests.cpu")).toMatch(/unparseable quantity/);
  });

  it("rejects the same host and path routed to two workloads", () => {
    const message = issueAt(broken((p) => (p.workloads.api.ingress.paths = ["/"])), "workloads.api.ingress");
    expect(message).toBe('host app path / is already routed to workload "web"; each host and path may be routed once');
  });

  it("rejects duplicate hosts or paths within one workload", () => {
    expect(issueAt(broken((p) => (p.workloads.web.ingress.hosts = ["app", "app"])), "workloads.web.ingress.hosts")).toBe("duplicate hosts: app; each may appear once");
    expect(issueAt(broken((p) => (p.workloads.api.ingress.paths = ["/api", "/api"])), "workloads.api.ingress.paths")).toBe("duplicate paths: /api; each may appear once");
  });

  it("rejects a probe on a port the container does not expose", () => {
    const health = broken((p) => (p.workloads.web.health.port = "admin"));
    expect(issueAt(health, "workloads.web.health.port")).toBe("health uses port admin, which the container does not expose (declared ports: http: 8080, metrics: 9090)");
    const tcp = broken((p) => (p.workloads.web.probes = { startup: { tcp: { port: 9999 } } }));
    expect(issueAt(tcp, "workloads.web.probes.startup.tcp.port")).toMatch(/^the startup probe uses port 9999, which the container does not expose/);
    const portless = broken((p) => (p.workloads.jobs.health = { path: "/health" }));
    expect(issueAt(portless, "workloads.jobs.health.port")).toBe("health needs a port: name one, or declare ports.http (declared ports: none)");
  });

  it("rejects an ingress on a port the container does not expose", () => {
    expect(issueAt(broken((p) => (p.workloads.web.ingress.port = 3000)), "workloads.web.ingress.port")).toMatch(/^the ingress uses port 3000, which the container does not expose/);
  });

  it("rejects a reference to an undeclared secret, an undeclared property, or a JSON secret without a property", () => {
    expect(issueAt(broken((p) => (p.workloads.web.env.TOKEN = { secret: "tokn" })), "workloads.web.env.TOKEN.secret")).toBe(
      'secret "tokn" is not declared under secrets (declared: api-key, oauth)',
    );
    expect(issueAt(broken((p) => (p.workloads.web.env.OAUTH_ID.property = "id")), "workloads.web.env.OAUTH_ID.property")).toBe(
      'secret "oauth" declares properties client-id, client-secret; "id" is not one of them',
    );
    expect(issueAt(broken((p) => (p.workloads.web.env.OAUTH_ID = { secret: "oauth" })), "workloads.web.env.OAUTH_ID")).toMatch(/is a JSON secret; name one of its properties/);
    expect(issueAt(broken((p) => (p.workloads.web.env.API_KEY.property = "x")), "workloads.web.env.API_KEY.property")).toMatch(/declares no properties/);
  });

  it("rejects a worker (or any non-web workload) with an ingress", () => {
    const message = issueAt(broken((p) => (p.workloads.jobs.ingress = { hosts: ["jobs"] })), "workloads.jobs.ingress");
    expect(message).toBe("a worker has no Service, so it cannot have an ingress; use kind: web");
    expect(issueAt(broken((p) => (p.workloads.nightly.ingress = { hosts: ["x"] })), "workloads.nightly.ingress")).toMatch(/a cron has no Service/);
  });

  it("rejects replicas together with autoscaling", () => {
    expect(issueAt(broken((p) => (p.workloads.api.replicas = 4)), "workloads.api.replicas")).toMatch(/^replicas 4 conflicts with autoscaling \(minReplicas 2, maxReplicas 6\)/);
  });

  it("requires health checks on long-running workloads and ports on web workloads", () => {
    expect(issueAt(broken((p) => delete p.workloads.jobs.probes), "workloads.jobs.health")).toMatch(/needs health checks: set health.path/);
    expect(issueAt(broken((p) => delete p.workloads.jobs.probes.readiness), "workloads.jobs.health")).toMatch(/needs health checks/);
    const portless = issuesOf(broken((p) => (p.workloads.api.ports = {})));
    expect(portless.map((issue) => issue.path)).toContain("workloads.api.ports");
  });

  it("rejects a probe with no handler or two", () => {
    expect(issueAt(broken((p) => (p.workloads.jobs.probes.liveness = { periodSeconds: 5 })), "workloads.jobs.probes.liveness")).toBe("a probe needs exactly one of http, tcp or exec; found none");
    expect(issueAt(broken((p) => (p.workloads.jobs.probes.liveness.tcp = { port: 80 })), "workloads.jobs.probes.liveness")).toMatch(/found tcp, exec/);
  });

  it("checks schedules and job-only settings by kind", () => {
    expect(issueAt(broken((p) => delete p.workloads.nightly.schedule), "workloads.nightly.schedule")).toMatch(/a cron workload needs a schedule/);
    expect(issueAt(broken((p) => (p.workloads.web.schedule = "0 1 * * *")), "workloads.web.schedule")).toBe("only cron workloads have a schedule (this is a web)");
    expect(issueAt(broken((p) => (p.workloads.migrate.replicas = 2)), "workloads.migrate.replicas")).toMatch(/applies to long-running workloads \(web, worker\), not to a pre-rollout/);
    expect(issueAt(broken((p) => (p.workloads.web.backoffLimit = 1)), "workloads.web.backoffLimit")).toMatch(/applies to jobs/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "daily")), "workloads.nightly.schedule")).toMatch(/5-field cron schedule/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "0 2 31 13 *")), "workloads.nightly.schedule")).toMatch(/^month value 13 is out of range/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "61 2 * * *")), "workloads.nightly.schedule")).toMatch(/^minute value 61 is out of range/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "0 2 * * 7")), "workloads.nightly.schedule")).toMatch(/Kubernetes accepts 0-6/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "0 2 L * *")), "workloads.nightly.schedule")).toMatch(/uses L, W or #, which Kubernetes does not support/);
    expect(issueAt(broken((p) => (p.workloads.nightly.schedule = "@every 90x")), "workloads.nightly.schedule")).toMatch(/^unknown macro;/);
    for (const schedule of ["@every 1h30m", "@midnight", "0 2 ? * MON-FRI", "*/15 * * * *"]) {
      expect(issuesOf(broken((p) => (p.workloads.nightly.schedule = schedule))).filter((issue) => issue.path === "workloads.nightly.schedule")).toEqual([]);
    }
    expect(issueAt(broken((p) => (p.workloads.nightly.timeZone = "Europe/Atlantis")), "workloads.nightly.timeZone")).toMatch(/^unknown time zone/);
  });

  it("rejects references to undeclared config maps, services and workloads", () => {
    expect(issueAt(broken((p) => (p.workloads.api.envFrom = ["flagz"])), "workloads.api.envFrom.0")).toMatch(/config map "flagz" is not declared/);
    expect(issueAt(broken((p) => (p.workloads.api.env = { X: { configMap: "flags", key: "Y" } })), "workloads.api.env.X.key")).toBe('config map "flags" has no key "Y"');
    expect(issueAt(broken((p) => (p.workloads.api.uses = ["cache"])), "workloads.api.uses.0")).toBe('service "cache" is not declared under services (declared: database)');
    expect(issueAt(broken((p) => (p.workloads.web.connectsTo = ["payments"])), "workloads.web.connectsTo.0")).toMatch(/no workload "payments" in this product/);
    expect(issueAt(broken((p) => (p.workloads.web.connectsTo = ["jobs"])), "workloads.web.connectsTo.0")).toBe('"jobs" is a worker and has no Service to connect to');
  });

  it("keeps the platform's config map of the RDS certificate authorities' name free", () => {
    expect(issueAt(broken((p) => (p.configMaps["platform-rds-ca"] = { X: "1" })), "configMaps.platform-rds-ca")).toBe(
      "platform-rds-ca is the platform's config map of the RDS certificate authorities; choose another name",
    );
    expect(issueAt(broken((p) => (p.workloads.web.env.DATABASE_CA_FILE = "/x")), "workloads.web.env.DATABASE_CA_FILE")).toMatch(/collides with the variables injected for service "database"/);
  });

  it("rejects environment values that Terraform would interpolate and names that collide with injected ones", () => {
    expect(issueAt(broken((p) => (p.workloads.web.env.URL = "https://${domain}")), "workloads.web.env.URL")).toMatch(/use \$\(VAR\) to refer to another variable/);
    expect(issueAt(broken((p) => (p.workloads.web.env.DATABASE_HOST = "db")), "workloads.web.env.DATABASE_HOST")).toMatch(/collides with the variables injected for service "database" \(DATABASE_\*\)/);
    for (const variable of ["APP_DOMAIN", "AWS_REGION", "OBJECT_PREFIX", "TENANT_ID"]) {
      expect(issueAt(broken((p) => (p.workloads.jobs.env = { [variable]: "x" })), `workloads.jobs.env.${variable}`)).toMatch(/is set by the platform \(APP_DOMAIN, AWS_REGION, OBJECT_PREFIX, TENANT_ID\); rename this variable/);
    }
  });

  it("validates grants: one target each, the access its kind allows", () => {
    expect(issueAt(broken((p) => (p.workloads.api.grants = [{ bucket: "uploads" }])), "workloads.api.grants.0.access")).toBe("a bucket grant needs access: read or read-write");
    expect(issueAt(broken((p) => (p.workloads.api.grants = [{ queue: "jobs", access: "read" }])), "workloads.api.grants.0.access")).toBe("a queue grant needs access: publish or consume");
    expect(issueAt(broken((p) => (p.workloads.api.grants = [{ bucket: "a", queue: "b", access: "read" }])), "workloads.api.grants.0")).toMatch(/exactly one of bucket, queue or secretsPrefix; found bucket, queue/);
    expect(issueAt(broken((p) => (p.workloads.api.grants = [{ secretsPrefix: "db/", access: "read" }])), "workloads.api.grants.0.access")).toMatch(/read-only; remove access/);
  });

  it("rejects unknown keys (typos) in a workload", () => {
    const found = issuesOf(broken((p) => (p.workloads.web.replcas = 3)));
    expect(found).toEqual([expect.objectContaining({ path: "workloads.web", message: expect.stringContaining("replcas") })]);
  });

  it("requires a product file's name to be a DNS label", () => {
    const { domain: _domain, ...definition } = product();
    expect(ProductFileSchema.safeParse({ name: "Shop", ...definition }).success).toBe(false);
    expect(ProductFileSchema.safeParse({ name: "shop", ...definition }).success).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("products in the bundled environments", () => {
  const config = loadConfig(BUNDLED_CONFIG_DIR);
  const env = (name: string): Json => config.environments.find((e) => e.config.name === name)?.config;

  it("runs the three reference products in every environment and keeps the catalog for tenants", () => {
    for (const name of ["dev", "staging", "prod"]) expect(Object.keys(env(name).products).sort()).toEqual(["murima", "noor", "smartedu"]);
    expect([...config.products.keys()].sort()).toEqual(["murima", "noor", "smartedu"]);
  });

  it("runs production at the sizes the guides state", () => {
    const noor = env("prod").products.noor;
    expect(noor.workloads.backend.autoscaling).toMatchObject({ minReplicas: 4, maxReplicas: 20, cpuUtilization: 70, memoryUtilization: 80 });
    expect(noor.workloads.backend.resources).toEqual({ requests: { cpu: "2", memory: "4Gi" }, limits: { cpu: "4", memory: "8Gi" } });
    expect(noor.workloads.frontend.autoscaling).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    const murima = env("prod").products.murima;
    expect(murima.workloads["auth-service"].autoscaling).toMatchObject({ minReplicas: 3, maxReplicas: 10, cpuUtilization: 70 });
    expect(murima.workloads["api-gateway"].replicas).toBe(3);
    expect(Object.keys(murima.services).sort()).toEqual(["cache", "database", "documents", "queue", "search"]);
  });

  it("layers an environment's overrides over the product file, key by key", () => {
    const backend = env("dev").products.noor.workloads.backend;
    expect(backend.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 2, cpuUtilization: 70, memoryUtilization: 80 });
    expect(backend.resources).toEqual({ requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "4", memory: "8Gi" } });
    expect(backend.env.APP_ENV).toBe("development");
    expect(backend.env.ANTHROPIC_API_KEY).toEqual({ secret: "anthropic-api-key" });
    expect(env("dev").products.murima.configMaps["murima-config"]).toMatchObject({ NODE_ENV: "development", API_TIMEOUT: "30000" });
    expect(env("prod").products.murima.configMaps["murima-config"].NODE_ENV).toBe("production");
  });
});

describe("rejecting bad product configuration", () => {
  it("rejects an environment instance of an unknown product, listing the defined ones", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { products: { nor: { domain: "nor.example.com" } } } } })), "products.nor");
    expect(issue.file).toMatch(/environments\/prod\.yaml$/);
    expect(issue.message).toBe('unknown product "nor"; products are defined in products/<name>.yaml (defined: murima, noor, smartedu)');
  });

  it("rejects an override of a workload the product does not have", () => {
    const issue = only(problems(tempConfig({ set: { "environments/dev.yaml": { products: { noor: { workloads: { bakend: { replicas: 1 } } } } } } })), "products.noor.workloads.bakend");
    expect(issue.message).toBe('product noor has no workload "bakend" (workloads: frontend, backend, migrate, db-export)');
  });

  it("requires images pinned by digest in production, and never latest", () => {
    const tagOnly = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { workloads: { backend: { image: "registry.example.com/noor/backend:1.0.1" } } } } } } }));
    expect(only(tagOnly, "products.noor.workloads.backend.image").message).toMatch(/requires images pinned by digest \(workloads.requireImageDigest\)/);
    const latest = problems(tempConfig({ set: { "environments/dev.yaml": { products: { noor: { workloads: { backend: { image: "registry.example.com/noor/backend:latest" } } } } } } }));
    expect(only(latest, "products.noor.workloads.backend.image").message).toBe("the tag latest is not allowed (it moves); use a version tag or a digest");
    const unpinned = problems(tempConfig({ set: { "environments/dev.yaml": { products: { noor: { workloads: { backend: { image: "registry.example.com/noor/backend" } } } } } } }));
    expect(only(unpinned, "products.noor.workloads.backend.image").message).toMatch(/^the image is not pinned/);
  });

  it("requires production's minimum replicas", () => {
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { workloads: { backend: { autoscaling: { minReplicas: 1 } } } } } } } }));
    expect(only(issues, "products.noor.workloads.backend.autoscaling.minReplicas").message).toBe(
      "runs 1 replica(s) at least; this environment requires at least 2 (workloads.minReplicas) for availability",
    );
  });

  it("rejects limits above the namespace LimitRange maximum", () => {
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { workloads: { backend: { resources: { limits: { memory: "32Gi" } } } } } } } } }));
    expect(only(issues, "products.noor.workloads.backend.resources.limits.memory").message).toMatch(/^32Gi is above the namespace LimitRange maximum 16Gi/);
  });

  it("rejects a CPU request above the default CPU limit a container without one receives", () => {
    const text = "name: demo\nworkloads:\n  nightly: { kind: cron, image: registry.example.com/x:1.0.0, schedule: '@daily', resources: { requests: { cpu: '1', memory: 64Mi }, limits: { memory: 128Mi } } }\n";
    const issues = problems(tempConfig({ write: { "products/demo.yaml": text }, set: { "environments/dev.yaml": { products: { demo: {} } } } }));
    // Written in the product file, so reported there (naming the environment whose limit range it breaks).
    const issue = only(issues, "workloads.nightly.resources.requests.cpu");
    expect(issue.file).toMatch(/products\/demo\.yaml$/);
    expect(issue.line).toBe(3);
    expect(issue.message).toMatch(
      /^1 is above the CPU limit 500m the namespace gives containers without one \(workloads\.namespace\.limitRange\.default\.cpu\); set resources\.limits\.cpu \(in environment dev, which runs product demo from .*environments\/dev\.yaml\)$/,
    );
  });

  it("rejects the same host and path in two products (they share the environment's load balancer)", () => {
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { murima: { domain: "noor.example.com" } } } } }));
    // The hosts are written in products/murima.yaml: reported there, naming the environment.
    const gateway = only(issues, "workloads.api-gateway.ingress.hosts");
    expect(gateway.file).toMatch(/products\/murima\.yaml$/);
    expect(gateway.message).toMatch(/^api\.noor\.example\.com\/ is already routed to noor\/backend; products share the environment's load balancer, so each host and path may be routed once \(in environment prod/);
    expect(only(issues, "workloads.frontend.ingress.hosts").message).toMatch(/^app\.noor\.example\.com\/ is already routed to noor\/frontend/);
  });

  it("rejects two product instances in one namespace", () => {
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { smartedu: { namespace: "noor" } } } } }));
    expect(only(issues, "products.smartedu.namespace").message).toMatch(/namespace noor is already used by product noor/);
  });

  it("requires a domain for a product with hosts", () => {
    const demo = "name: demo\nworkloads:\n  web:\n    kind: web\n    image: registry.example.com/demo:1.0.0\n    ports: { http: 80 }\n    resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 128Mi } }\n    health: { path: / }\n    ingress: { hosts: [www] }\n";
    const issues = problems(tempConfig({ write: { "products/demo.yaml": demo }, set: { "environments/dev.yaml": { products: { demo: {} } } } }));
    expect(only(issues, "products.demo.domain").message).toMatch(/routes hosts through the load balancer; set its domain/);
  });

  it("reports a broken product file at its own file and line, once", () => {
    const text = "name: demo\nworkloads:\n  jobs:\n    kind: worker\n    image: registry.example.com/demo:1.0.0\n    resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 128Mi } }\n    probes: { liveness: { exec: { command: [x] } }, readiness: { exec: { command: [x] } } }\n    ingress: { hosts: [www] }\n";
    const issues = problems(tempConfig({ write: { "products/demo.yaml": text }, set: { "environments/dev.yaml": { products: { demo: { domain: "demo.example.com" } } } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: expect.stringMatching(/products\/demo\.yaml$/), path: ["workloads", "jobs", "ingress"], line: 8 });
    expect(issues[0]?.message).toBe("a worker has no Service, so it cannot have an ingress; use kind: web");
  });

  it("rejects a binding to a data service the environment does not declare", () => {
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { services: { database: { name: "noor-database" } } } } } } }));
    expect(only(issues, "products.noor.services.database").message).toBe(
      'service "noor-database" (postgres) is not declared under services.postgres (declared: noor-db, smartedu-db, murima-db)',
    );
  });

  it("rejects a grant on a bucket the environment does not declare", () => {
    const grants = [{ bucket: "noor-upload", access: "read" }];
    const issues = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { workloads: { backend: { grants } } } } } } }));
    expect(only(issues, "products.noor.workloads.backend.grants.0.bucket").message).toMatch(/^bucket "noor-upload" is not declared under storage\.buckets \(declared: noor-uploads/);
  });

  it("requires the product's domain to be an edge domain whose certificate covers every host", () => {
    const undeclared = problems(tempConfig({ set: { "environments/prod.yaml": { products: { noor: { domain: "noor.example.org" } } } } }));
    expect(undeclared.filter((issue) => issue.path.join(".") === "products.noor.domain").map((issue) => issue.message)).toContainEqual(expect.stringMatching(/^no certificate for noor\.example\.org: .*declare noor\.example\.org there/));
    const deep = problems(tempConfig({ set: { "environments/prod.yaml": { products: { smartedu: { workloads: { backend: { ingress: { hosts: ["api.v2"] } } } } } } } }));
    expect(only(deep, "products.smartedu.domain").message).toBe(
      "host api.v2.smartedu.example.com is not covered by the certificate of edge.domains.smartedu (*.smartedu.example.com, smartedu.example.com); add it to its subjectAlternativeNames",
    );
  });

  it("requires a product file's name to match its file name", () => {
    const text = "name: other\nworkloads:\n  nightly: { kind: cron, image: registry.example.com/x:1.0.0, schedule: '@daily', resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 128Mi } } }\n";
    const issue = only(problems(tempConfig({ write: { "products/demo.yaml": text } })), "name");
    expect(issue.message).toBe('must equal the file name "demo" (one file per product, named after it)');
  });
});
