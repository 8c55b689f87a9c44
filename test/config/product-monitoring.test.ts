/**
 * A product's own monitoring from its configuration directory (products/<name>.yaml `monitoring`): the HTTP metric
 * names its generated rules read, its Grafana dashboards (JSON files next to the product file, resolved and checked by
 * the loader) and its own alert rules. Every bad input is a problem at the product file's key, with its line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { ProductFileSchema } from "../../config/schema/products";
import { only, problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, tempConfigsRemovedAfterAll } from "../support/synth";

/** Temporary configuration directories, removed after this file's tests. */
const config = tempConfigsRemovedAfterAll();

function bundled(file: string): string {
  return readFileSync(join(BUNDLED_CONFIG_DIR, file), "utf8");
}

/** Issues reported in one file of `dir`. */
function issuesIn(dir: string, file: string): ConfigIssue[] {
  return problems(dir).filter((issue) => issue.file.endsWith(file));
}

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((line) => line.includes(needle)) + 1;
}

const DASHBOARD = { uid: "shop-x", title: "Shop X", panels: [{ type: "stat", datasource: { type: "prometheus", uid: "prometheus" }, targets: [{ expr: "up" }] }] };
const NOOR_DASHBOARDS = "  dashboards: [noor/dashboards/noor-overview.json]";

/** products/noor.yaml with its dashboards list replaced by `entries`. */
function noorWithDashboards(entries: string): string {
  const text = bundled("products/noor.yaml");
  expect(text).toContain(NOOR_DASHBOARDS);
  return text.replace(NOOR_DASHBOARDS, `  dashboards: [${entries}]`);
}

describe("product monitoring defaults", () => {
  it("reads the Prometheus client conventions, no dashboards and no rules of its own when monitoring is absent", () => {
    const parsed = ProductFileSchema.parse({
      name: "shop",
      workloads: { web: { kind: "worker", image: "registry.example.com/shop:1.0.0", replicas: 2, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } }, probes: { liveness: { exec: { command: ["true"] } }, readiness: { exec: { command: ["true"] } } } } },
    });
    expect(parsed.monitoring).toEqual({
      httpMetrics: { requests: "http_requests_total", statusLabel: "status", duration: "http_request_duration_seconds", durationKind: "histogram" },
      dashboards: [],
      rules: [],
    });
  });

  it("resolves the bundled products' dashboards against their files and checks them", () => {
    const loaded = loadConfig(BUNDLED_CONFIG_DIR);
    const noor = loaded.environments[0]?.config.products.noor;
    expect(noor?.monitoring.dashboards).toEqual([join(BUNDLED_CONFIG_DIR, "products", "noor", "dashboards", "noor-overview.json")]);
    expect(loaded.environments[0]?.config.products.murima?.monitoring.httpMetrics.durationKind).toBe("summary");
  });

  it("works from any configuration directory (paths are relative to the product file)", () => {
    const copy = config({});
    const loaded = loadConfig(copy);
    expect(loaded.environments[0]?.config.products.noor?.monitoring.dashboards).toEqual([join(copy, "products", "noor", "dashboards", "noor-overview.json")]);
  });
});

describe("product dashboards: bad input", () => {
  it("rejects a path that is absolute or leaves the configuration directory", () => {
    const absolute = noorWithDashboards("/etc/dashboards/x.json");
    expect(only(issuesIn(config({ write: { "products/noor.yaml": absolute } }), "products/noor.yaml"), "monitoring.dashboards.0")).toMatchObject({
      line: lineOf(absolute, "dashboards: ["),
      value: "/etc/dashboards/x.json",
      message: expect.stringMatching(/^write the path relative to the product file/),
    });
    const outside = noorWithDashboards("../../x.json");
    expect(only(issuesIn(config({ write: { "products/noor.yaml": outside } }), "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/outside the configuration directory/);
  });

  it("rejects a file that does not exist", () => {
    const text = noorWithDashboards("noor/dashboards/missing.json");
    expect(only(issuesIn(config({ write: { "products/noor.yaml": text } }), "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/^no dashboard file at .*noor\/dashboards\/missing\.json/);
  });

  it("rejects a file that is not JSON, and one without a uid", () => {
    const dir = config({ write: { "products/noor/dashboards/noor-overview.json": "{ not json" } });
    expect(only(issuesIn(dir, "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/^not JSON: /);
    const noUid = config({ write: { "products/noor/dashboards/noor-overview.json": JSON.stringify({ ...DASHBOARD, uid: undefined }) } });
    expect(only(issuesIn(noUid, "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/^needs a "uid" of 1 to 40 characters/);
  });

  it("rejects an unknown data source and a Terraform template sequence", () => {
    const ds = config({ write: { "products/noor/dashboards/noor-overview.json": JSON.stringify({ ...DASHBOARD, panels: [{ datasource: { uid: "${DS_PROMETHEUS}" } }] }) } });
    expect(only(issuesIn(ds, "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/Terraform would interpolate/);
    const unknown = config({ write: { "products/noor/dashboards/noor-overview.json": JSON.stringify({ ...DASHBOARD, panels: [{ datasource: { uid: "influx" } }] }) } });
    expect(only(issuesIn(unknown, "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/^unknown data source uid\(s\) influx; provisioned: prometheus, loki, cloudwatch/);
  });

  it("rejects two dashboards of a product with one uid", () => {
    const text = noorWithDashboards("noor/dashboards/noor-overview.json, noor/dashboards/copy.json");
    const copy = JSON.parse(bundled("products/noor/dashboards/noor-overview.json")) as Record<string, unknown>;
    const dir = config({ write: { "products/noor.yaml": text, "products/noor/dashboards/copy.json": JSON.stringify({ ...copy, title: "Other title" }) } });
    expect(only(issuesIn(dir, "products/noor.yaml"), "monitoring.dashboards.1").message).toMatch(/^has the same uid "noor-overview" as noor\/dashboards\/noor-overview\.json/);
  });

  it("rejects a uid the platform's dashboards or another product's already use (one Grafana per environment)", () => {
    const platform = config({ write: { "products/noor/dashboards/noor-overview.json": JSON.stringify({ ...DASHBOARD, uid: "platform-workloads" }) } });
    const issues = issuesIn(platform, "products/noor.yaml").filter((issue) => issue.path.join(".") === "monitoring.dashboards.0");
    // Reported once per environment that runs NOOR, naming the environment.
    expect(issues.map((issue) => issue.message)).toEqual(
      ["dev", "prod", "staging"].map((env) => expect.stringMatching(new RegExp(`^dashboard uid "platform-workloads" is also the platform's dashboards/platform-workloads\\.json's, and environment ${env} provisions both`))),
    );
    const murima = JSON.parse(bundled("products/murima/dashboards/murima-overview.json")) as Record<string, unknown>;
    const products = config({ write: { "products/noor/dashboards/noor-overview.json": JSON.stringify({ ...DASHBOARD, title: murima.title }) } });
    expect(issuesIn(products, "products/noor.yaml")[0]?.message).toMatch(/^dashboard title "Murima Overview" is also products\/murima\.yaml's murima-overview\.json's/);
  });

  it("rejects a dashboard reading Loki in an environment whose logs go to OpenSearch", () => {
    const loki = { ...DASHBOARD, panels: [{ datasource: { type: "loki", uid: "loki" }, targets: [{ expr: '{namespace="noor"}' }] }] };
    const dir = config({
      write: { "products/noor/dashboards/noor-overview.json": JSON.stringify(loki) },
      set: { "environments/prod.yaml": { observability: { logs: { backend: "opensearch", opensearchService: "murima-search" } } } },
    });
    expect(only(issuesIn(dir, "products/noor.yaml"), "monitoring.dashboards.0").message).toMatch(/^reads the loki data source, but environment prod stores logs in opensearch/);
  });

  it("rejects an environment that lists a product's dashboards (they are relative to the product file)", () => {
    const dir = config({ set: { "environments/prod.yaml": { products: { noor: { monitoring: { dashboards: ["x.json"] } } } } } });
    expect(only(issuesIn(dir, "environments/prod.yaml"), "products.noor.monitoring.dashboards").message).toBe("dashboards are listed in products/noor.yaml, relative to it; remove them here");
  });
});

describe("product HTTP metrics and rules: bad input", () => {
  it("rejects a status label that is not a Prometheus label name and an unknown duration kind", () => {
    const text = bundled("products/murima.yaml").replace("httpMetrics: { durationKind: summary }", "httpMetrics: { durationKind: gauge, statusLabel: status-code }");
    const issues = issuesIn(config({ write: { "products/murima.yaml": text } }), "products/murima.yaml");
    expect(only(issues, "monitoring.httpMetrics.statusLabel")).toMatchObject({ value: "status-code", line: lineOf(text, "httpMetrics:") });
    expect(only(issues, "monitoring.httpMetrics.durationKind").message).toMatch(/expected one of histogram, summary/);
  });

  it("rejects two rules of a product with one alert name", () => {
    const text = bundled("products/murima.yaml");
    // The rule runs until the next top-level line (a comment or key).
    const start = text.indexOf("    - alert: MurimaHighErrorRate");
    const rule = text.slice(start, start + (/\n(?=\S)/.exec(text.slice(start))?.index ?? 0) + 1);
    const doubled = text.replace(rule, `${rule}${rule}`);
    const issue = only(issuesIn(config({ write: { "products/murima.yaml": doubled } }), "products/murima.yaml"), "monitoring.rules.1.alert");
    expect(issue.message).toBe("MurimaHighErrorRate is already the name of rules[0]; alert names are unique in a product");
    expect(issue.line).toBe(doubled.split("\n").findLastIndex((line) => line.includes("- alert: MurimaHighErrorRate")) + 1);
  });

  it("rejects an expression that is not PromQL, at its line", () => {
    const text = bundled("products/murima.yaml").replace("sum by (namespace) (rate(http_requests_total[5m])) > 0.05", "sum by (namespace) (rate(http_requests_total[5m]) > 0.05");
    const issue = only(issuesIn(config({ write: { "products/murima.yaml": text } }), "products/murima.yaml"), "monitoring.rules.0.expr");
    expect(issue.message).toMatch(/^not valid PromQL: syntax error at column \d+/);
    expect(issue.line).toBe(lineOf(text, "expr: sum by"));
  });

  it("rejects a product namespace that has the form of another product's tenant namespace", () => {
    const dir = config({ set: { "environments/prod.yaml": { products: { smartedu: { namespace: "acme-noor" } } } } });
    expect(only(issuesIn(dir, "environments/prod.yaml"), "products.smartedu.namespace").message).toMatch(/^namespace acme-noor has the form <tenant>-noor of a shared tenant's instance of product noor/);
  });
});
