/**
 * Shared fixtures of the workload construct tests: environment policies per profile and a small typed product.
 */
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import type { Profile } from "../../../config/schema/environment";
import { ProductSchema, WorkloadPolicySchema, WorkloadSchema, type ProductConfig, type WorkloadConfig, type WorkloadPolicy } from "../../../config/schema/products";
import { Naming } from "../../../constructs/core/naming";

export const naming = new Naming({ project: "acme", environment: "test" });

/** The workload policy a profile's defaults give. */
export function policyOf(profile: Profile): WorkloadPolicy {
  return WorkloadPolicySchema.parse(PROFILE_DEFAULTS[profile].workloads);
}

export const DIGEST = `sha256:${"c".repeat(64)}`;

/** A parsed workload spec (defaults applied) from input-form overrides. */
export function workloadSpec(input: Record<string, unknown>): WorkloadConfig {
  return WorkloadSchema.parse({
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    ...input,
  });
}

export const WEB = {
  kind: "web",
  image: `registry.example.com/shop/web:1.2.3@${DIGEST}`,
  ports: { http: 8080 },
  autoscaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 70, memoryUtilization: 80 },
  health: { path: "/healthz" },
  ingress: { hosts: ["app"] },
};

/** A product with one workload of each kind, as an environment would run it. */
export function shopProduct(overrides: Record<string, unknown> = {}): ProductConfig {
  return ProductSchema.parse({
    domain: "shop.example.com",
    services: { database: { kind: "postgres", name: "shop-db" }, cache: { kind: "redis", name: "shop-cache", envPrefix: "REDIS" } },
    secrets: { "api-key": { description: "Payment provider key" }, oauth: { properties: ["client-id", "client-secret"] } },
    configMaps: { flags: { CHECKOUT_V2: true } },
    workloads: {
      web: {
        ...WEB,
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        uses: ["database", "cache"],
        connectsTo: ["api"],
        envFrom: ["flags"],
        env: { API_KEY: { secret: "api-key" }, OAUTH_CLIENT_ID: { secret: "oauth", property: "client-id" }, ORIGIN: "https://app.$(APP_DOMAIN)" },
        grants: [{ bucket: "uploads", access: "read-write", env: "UPLOADS_BUCKET" }],
        egress: { externalPorts: [443] },
      },
      api: {
        kind: "web",
        image: `registry.example.com/shop/api:2.0.0@${DIGEST}`,
        ports: { http: 8000, metrics: 9090 },
        replicas: 2,
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        health: { path: "/health" },
        uses: ["database"],
      },
      worker: {
        kind: "worker",
        image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`,
        replicas: 2,
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
        probes: { liveness: { exec: { command: ["/bin/check"] } }, readiness: { exec: { command: ["/bin/check"] } } },
        grants: [{ queue: "orders", access: "consume" }],
      },
      nightly: {
        kind: "cron",
        image: `registry.example.com/shop/worker:1.0.0@${DIGEST}`,
        schedule: "0 3 * * *",
        timeZone: "Europe/Paris",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      },
      migrate: {
        kind: "pre-rollout",
        image: `registry.example.com/shop/api:2.0.0@${DIGEST}`,
        command: ["migrate", "up"],
        uses: ["database"],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      },
    },
    ...overrides,
  });
}

/**
 * A node of synthesized Terraform JSON. Tests navigate deep into provider-shaped objects whose types cdktf does
 * not export for the synthesized form, so the node is deliberately untyped.
 */
// oxlint-disable-next-line typescript/no-explicit-any
export type Json = any;
