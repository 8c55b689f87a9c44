/**
 * Logs from configuration: the products' index/stream prefixes and retention classes, the retention per class and the
 * object-locked audit archive. Bad input is reported at its key.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, bundledStackJson, resourceList, tempConfig } from "../support/synth";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function issuesOf(edits: Parameters<typeof tempConfig>[0], file: string) {
  const dir = tempConfig(edits);
  dirs.push(dir);
  return problems(dir).filter((issue) => issue.file.endsWith(file));
}

describe("logs in the bundled configuration", () => {
  const prod = loadConfig(BUNDLED_CONFIG_DIR).environments.find(({ config }) => config.name === "prod")?.config;

  it("keeps product logs 30 days, the platform's 30, audit logs a year, with Murima's archive in production", () => {
    expect(prod?.observability.logs.retention).toEqual({ application: 30, infrastructure: 30, audit: 365 });
    expect(prod?.observability.logs.auditArchive).toEqual({ bucket: "murima-audit-archive", prefix: "audit-logs/" });
    expect(prod?.products.murima?.logs).toEqual({ indexPrefix: "murima", class: "application" });
    expect(prod?.products.murima?.workloads["case-service"]?.logs).toEqual({ class: "audit" });
    expect(prod?.products.smartedu?.logs).toEqual({ class: "application" });
  });

  it("labels the products' pods for the log pipeline (prefix, class, index)", () => {
    const deployments = resourceList(bundledStackJson("prod-platform"), "kubernetes_deployment_v1") as { metadata: { name: string; namespace: string }; spec: { template: { metadata: { labels: Record<string, string> } } } }[];
    const labels = (namespace: string, name: string) => deployments.find((item) => item.metadata.namespace === namespace && item.metadata.name === name)?.spec.template.metadata.labels;
    expect(labels("murima", "case-service")).toMatchObject({ "platform.example.com/log-prefix": "murima", "platform.example.com/log-class": "audit", "platform.example.com/log-index": "logs-murima-audit" });
    expect(labels("murima", "api-gateway")).toMatchObject({ "platform.example.com/log-class": "application", "platform.example.com/log-index": "logs-murima-application" });
    expect(labels("smartedu", "backend")).toMatchObject({ "platform.example.com/log-prefix": "smartedu" });
  });

  it("gives a shared tenant's instance its own prefix", () => {
    const deployments = resourceList(bundledStackJson("prod-tenant-globex"), "kubernetes_deployment_v1") as { spec: { template: { metadata: { labels: Record<string, string> } } } }[];
    expect(deployments[0]?.spec.template.metadata.labels["platform.example.com/log-prefix"]).toBe("noor-globex");
  });

  it("copies Murima's audit logs to its archive bucket", () => {
    const release = resourceList(bundledStackJson("prod-platform"), "helm_release").find((item) => item.name === "fluent-bit") as { values: string[] };
    const outputs = (parse(release.values[1] as string) as { config: { outputs: string } }).config.outputs;
    expect(outputs).toContain("bucket acme-prod-murima-audit-archive");
  });
});

describe("logs: bad input", () => {
  it("rejects an audit archive that is not a declared bucket, not under object lock, or locked shorter than audit retention", () => {
    const missing = issuesOf({ set: { "environments/prod.yaml": { observability: { logs: { auditArchive: { bucket: "nowhere" } } } } } }, "environments/prod.yaml");
    expect(only(missing, "observability.logs.auditArchive.bucket").message).toMatch(/^no bucket "nowhere" under storage\.buckets \(declared: murima-audit-archive, noor-exports, noor-uploads\)/);
    const unlocked = issuesOf({ set: { "environments/prod.yaml": { observability: { logs: { auditArchive: { bucket: "noor-exports" } } } } } }, "environments/prod.yaml");
    expect(only(unlocked, "observability.logs.auditArchive.bucket").message).toMatch(/^bucket noor-exports has no object lock; an audit archive must be write-once/);
    const short = issuesOf({ set: { "environments/prod.yaml": { observability: { logs: { retention: { audit: 3000 } } } } } }, "environments/prod.yaml");
    expect(only(short, "observability.logs.auditArchive.bucket").message).toBe(
      "bucket murima-audit-archive locks objects for 2557 days, less than retention.audit 3000; the archive must keep audit logs at least as long as they are searchable",
    );
  });

  it("rejects audit logs in production without an archive", () => {
    const text = readFileSync(join(BUNDLED_CONFIG_DIR, "environments/prod.yaml"), "utf8");
    const archive = "    auditArchive: { bucket: murima-audit-archive }\n";
    expect(text).toContain(archive);
    const issues = issuesOf({ write: { "environments/prod.yaml": text.replace(archive, "    retention: { audit: 365 }\n") } }, "environments/prod.yaml");
    expect(issues.filter((issue) => issue.path.join(".") === "observability.logs.auditArchive").map((issue) => issue.message)).toContainEqual(
      expect.stringMatching(/^product murima writes audit logs \(auth-service, case-service\); production keeps them in an archive under object lock/),
    );
  });

  it("rejects an audit retention shorter than another class's", () => {
    const issue = only(issuesOf({ set: { "environments/dev.yaml": { observability: { logs: { retention: { application: 30 } } } } } }, "environments/dev.yaml"), "observability.logs.retention.audit");
    expect(issue.message).toBe("audit logs are kept at least as long as the other classes (application 30, infrastructure 7 days); got 7");
  });

  it("rejects an index prefix that is not a lowercase name of at most 30 characters, and an unknown class", () => {
    const prefix = issuesOf({ set: { "products/noor.yaml": { logs: { indexPrefix: "Noor_Logs" } } } }, "products/noor.yaml");
    expect(only(prefix, "logs.indexPrefix").message).toMatch(/^expected a lowercase prefix such as noor/);
    const klass = issuesOf({ set: { "products/noor.yaml": { workloads: { backend: { logs: { class: "debug" } } } } } }, "products/noor.yaml");
    expect(only(klass, "workloads.backend.logs.class").message).toMatch(/expected one of application, audit/);
  });
});
