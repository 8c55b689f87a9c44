import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { layer } from "../../../config/layering";
import { rmSync } from "node:fs";
import { loadConfig } from "../../../config/loader";
import { ObservabilitySchema, observabilityIssues, ProductAlertOverridesSchema, ProductAlertThresholdsSchema } from "../../../config/schema/observability";
import { WorkloadSchema } from "../../../config/schema/products";
import { tempConfig } from "../../support/synth";

const defaults = (profile: keyof typeof PROFILE_DEFAULTS) => PROFILE_DEFAULTS[profile].observability as Record<string, unknown>;

/** Messages of a failed parse, as `path: message`. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

function withObservability(patch: Record<string, unknown>) {
  return layer(defaults("production"), patch);
}

describe("observability defaults", () => {
  it("are valid in every profile", () => {
    for (const profile of ["production", "staging", "development"] as const) expect(problems(ObservabilitySchema, defaults(profile)), profile).toEqual([]);
  });

  it("run Prometheus and Alertmanager twice and page on critical alerts in production only", () => {
    const prod = ObservabilitySchema.parse(defaults("production"));
    const dev = ObservabilitySchema.parse(defaults("development"));
    expect([prod.prometheus.replicas, prod.alertmanager.replicas]).toEqual([2, 2]);
    expect([dev.prometheus.replicas, dev.alertmanager.replicas]).toEqual([1, 1]);
    expect(prod.alertRules.product.httpErrorRatePercent).toEqual({ threshold: 1, for: "5m", severity: "critical" });
    expect(dev.alertRules.product.httpErrorRatePercent.severity).toBe("warning");
    expect(prod.alertmanager.alertsTopicSeverities).toEqual(["critical", "warning"]);
    expect(dev.alertmanager.alertsTopicSeverities).toEqual([]);
    expect([prod.cloudwatchExporter.enabled, dev.cloudwatchExporter.enabled]).toEqual([true, false]);
    expect([prod.logs.retention, dev.logs.retention]).toEqual([
      { application: 30, infrastructure: 30, audit: 365 },
      { application: 7, infrastructure: 7, audit: 7 },
    ]);
    expect(prod.logs.auditArchive).toBeUndefined();
  });
});

describe("observability validation", () => {
  it("refuses a credential pasted where the secret's name belongs", () => {
    const receiver = { name: "team", type: "slack", channel: "#alerts", severities: ["critical"], credentialsSecret: ["https://hooks.slack.com", "services", "T000", "B000", "XXXX"].join("/") }; // built at run time: no webhook-shaped literal in the repository
    expect(problems(ObservabilitySchema, withObservability({ alertmanager: { receivers: [receiver] } }))).toEqual([
      "alertmanager.receivers.0.credentialsSecret: this looks like a URL: store the webhook URL or key in Secrets Manager and put the secret's name here",
    ]);
  });

  it("refuses duplicate receiver names and an unknown receiver type", () => {
    const receiver = { name: "oncall", type: "pagerduty", severities: ["critical"], credentialsSecret: "alertmanager/pagerduty" };
    expect(problems(ObservabilitySchema, withObservability({ alertmanager: { receivers: [receiver, receiver] } }))).toEqual([
      "alertmanager.receivers: duplicate receiver names: oncall; each may appear once",
    ]);
    expect(problems(ObservabilitySchema, withObservability({ alertmanager: { receivers: [{ ...receiver, type: "teams" }] } }))[0]).toMatch(/receivers\.0\.type/);
  });

  it("refuses a retention size that fills the volume", () => {
    expect(problems(ObservabilitySchema, withObservability({ prometheus: { retentionSizeGiB: 60 } }))).toEqual([
      "prometheus.retentionSizeGiB: retentionSizeGiB 60 must be below storageGiB 50: the volume also holds the write-ahead log",
    ]);
  });

  it("requires the OpenSearch service for backend opensearch, and only then", () => {
    expect(problems(ObservabilitySchema, withObservability({ logs: { backend: "opensearch" } }))).toEqual([
      "logs.opensearchService: backend opensearch needs the name of the environment's opensearch data service to ship logs to",
    ]);
    expect(problems(ObservabilitySchema, withObservability({ logs: { opensearchService: "logs" } }))).toEqual([
      "logs.opensearchService: opensearchService applies to backend opensearch only; remove it or set backend: opensearch",
    ]);
  });

  it("refuses a malformed duration, a percentage of 100 and a plain-http runbook URL", () => {
    expect(problems(ObservabilitySchema, withObservability({ prometheus: { retention: "two weeks" } }))[0]).toMatch(/prometheus\.retention: expected a Prometheus duration/);
    expect(problems(ObservabilitySchema, withObservability({ alertRules: { product: { containerMemoryPercent: { threshold: 100 } } } }))).toEqual([
      "alertRules.product.containerMemoryPercent.threshold: a percentage must be below 100",
    ]);
    expect(problems(ObservabilitySchema, withObservability({ alertRules: { runbookBaseUrl: "http://runbooks.example.com" } }))[0]).toMatch(/runbookBaseUrl: expected an https:\/\/ URL/);
  });

  it("refuses unknown keys (strict objects)", () => {
    expect(problems(ObservabilitySchema, withObservability({ grafana: { adminPassword: "secret" } }))[0]).toMatch(/grafana: Unrecognized key/);
  });
});

describe("product alert overrides", () => {
  it("cover exactly the product-scoped rules", () => {
    expect(Object.keys(ProductAlertOverridesSchema.shape).sort()).toEqual(Object.keys(ProductAlertThresholdsSchema.shape).sort());
  });

  it("accept a partial rule and refuse an unknown rule or field", () => {
    expect(problems(ProductAlertOverridesSchema, { httpLatencyP95Seconds: { threshold: 1 } })).toEqual([]);
    expect(problems(ProductAlertOverridesSchema, { nodeNotReady: { for: "1m" } })[0]).toMatch(/Unrecognized key: "nodeNotReady"/);
    expect(problems(ProductAlertOverridesSchema, { crashLooping: { threshold: 3 } })[0]).toMatch(/crashLooping: Unrecognized key: "threshold"/);
  });
});

describe("workload metrics endpoint", () => {
  const web = {
    kind: "web",
    image: "registry.example.com/app:1.0.0",
    ports: { http: 8000 },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    health: { path: "/health" },
  };

  it("defaults the path to /metrics", () => {
    expect(WorkloadSchema.parse({ ...web, metrics: { port: "http" } }).metrics).toEqual({ port: "http", path: "/metrics" });
  });

  it("must name a declared port", () => {
    expect(problems(WorkloadSchema, { ...web, metrics: { port: "metrics" } })).toEqual(['metrics.port: port "metrics" is not declared in ports (declared: http)']);
  });

  it("is refused on jobs", () => {
    const cron = { kind: "cron", image: web.image, ports: { http: 8000 }, resources: web.resources, schedule: "0 2 * * *", metrics: { port: "http" } };
    expect(problems(WorkloadSchema, cron)).toEqual(["metrics: metrics are scraped from long-running workloads (web, worker), not from a cron"]);
  });
});

describe("logs to OpenSearch", () => {
  const logs = { backend: "opensearch" as const, retention: { application: 7, infrastructure: 7, audit: 7 }, loki: { replicas: 1, storageGiB: 10 }, opensearchService: "logs" };

  it("must name one of the environment's opensearch services", () => {
    expect(observabilityIssues({ observability: { logs }, services: { opensearch: { logs: {} } } })).toEqual([]);
    expect(observabilityIssues({ observability: { logs }, services: { opensearch: { search: {} } } })).toEqual([
      { path: ["observability", "logs", "opensearchService"], message: 'no opensearch service "logs" in services.opensearch (defined: search)', input: "logs" },
    ]);
  });

  it("is reported by the loader with the file and key path", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { observability: { logs: { backend: "opensearch", opensearchService: "missing" } } } } });
    try {
      expect(() => loadConfig(dir)).toThrow(/observability\.logs\.opensearchService[\s\S]*no opensearch service "missing" in services\.opensearch/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
