/**
 * Rollouts in configuration: restarts on Secret changes (addons.reloader) and progressive delivery of web workloads
 * (addons.argoRollouts, a workload's progressiveDelivery). Both are off by default; bad input is reported at its key.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../charts/values-check";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { buildApp } from "../../stacks/app";
import { formatSynthesisProblems } from "../../stacks/synthesis-report";
import { SynthesisError, synthesizeInto } from "../../stacks/synthesize";
import { buildStacks, resourceList, synthJson, tempConfigsRemovedAfterAll } from "../support/synth";
import type { Json } from "../constructs/workload/fixtures";

/** Temporary configuration directories, removed after this file's tests. */
const config = tempConfigsRemovedAfterAll();
/** Output directories of the checked synthesis, removed after this file's tests. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const backend = (delivery: Record<string, unknown>) => ({ products: { noor: { workloads: { backend: { progressiveDelivery: delivery } } } } });
const dev = (patch: Record<string, unknown>) => problems(config({ set: { "environments/dev.yaml": patch } })).filter((issue) => issue.file.endsWith("environments/dev.yaml"));

async function devPlatform(dir: string) {
  const platform = (await buildStacks(loadConfig(dir), { stackPatterns: ["dev-platform"] })).get("dev-platform");
  return synthJson(platform as NonNullable<typeof platform>);
}

describe("rollouts: defaults", () => {
  it("installs neither Reloader nor Argo Rollouts and annotates nothing", async () => {
    const dir = config({});
    const environments = Object.fromEntries(loadConfig(dir).environments.map(({ config: environment }) => [environment.name, environment.addons]));
    expect(environments.dev?.reloader).toEqual({ enabled: false, replicas: 1 });
    expect(environments.prod?.argoRollouts).toEqual({ enabled: false, replicas: 2 });
    // The bundled prod turns Reloader on for its data-service exporters (observability.exporters needs it); the
    // profile's default replica count stays.
    expect(environments.prod?.reloader).toEqual({ enabled: true, replicas: 2 });
    const json = await devPlatform(dir);
    expect(resourceList(json, "helm_release").map((release) => release.chart)).not.toEqual(expect.arrayContaining(["reloader"]));
    expect(resourceList(json, "helm_release").map((release) => release.chart)).not.toContain("argo-rollouts");
    for (const deployment of (resourceList(json, "kubernetes_deployment_v1") as Json[])) expect(deployment.metadata.annotations ?? {}).not.toHaveProperty(["secret.reloader.stakater.com/reload"]);
  });

  it("with both on, annotates the Secret readers and rolls NOOR's backend out as a canary judged by its product's thresholds", async () => {
    const dir = config({ set: { "environments/dev.yaml": { addons: { reloader: { enabled: true }, argoRollouts: { enabled: true } }, ...backend({ strategy: "canary" }) } } });
    const json = await devPlatform(dir);
    const charts = resourceList(json, "helm_release").map((release) => release.chart);
    expect(charts).toEqual(expect.arrayContaining(["reloader", "argo-rollouts"]));
    const deployments = (resourceList(json, "kubernetes_deployment_v1") as Json[]);
    const noorBackend = deployments.find((deployment) => deployment.metadata.name === "backend" && deployment.metadata.namespace === "noor");
    expect(noorBackend?.metadata.annotations["secret.reloader.stakater.com/reload"]).toMatch(/^[a-z0-9-]+(,[a-z0-9-]+)*$/);
    const release = resourceList(json, "helm_release").find((candidate) => candidate.name === "workload-rollouts" && candidate.namespace === "noor");
    const values = parse(String((release?.values as string[] | undefined)?.[0])) as { rollouts: { name: string; analysis: { metrics: { successCondition: string; query: string }[] } }[] };
    expect(values.rollouts.map((rollout) => rollout.name)).toEqual(["backend"]);
    const environment = loadConfig(dir).environments.find(({ config: candidate }) => candidate.name === "dev")?.config;
    const threshold = environment?.observability.alertRules.product.httpErrorRatePercent.threshold;
    expect(values.rollouts[0]?.analysis.metrics[0]?.successCondition).toBe(`len(result) == 0 || isNaN(result[0]) || result[0] <= ${threshold}`);
    expect(values.rollouts[0]?.analysis.metrics[0]?.query).toContain('pod=~"backend-{{args.pod-hash}}-.*"');
    expect(releaseValuesProblems(json)).toEqual([]);
  });
});

describe("rollouts: the checked synthesis", () => {
  it("passes the policy pack and the apply-order checks (Rollouts after the CRDs) with blue-green and Reloader on", async () => {
    const dir = config({ set: { "environments/dev.yaml": { addons: { reloader: { enabled: true }, argoRollouts: { enabled: true } }, ...backend({ strategy: "blueGreen" }) } } });
    const outdir = join(mkdtempSync(join(tmpdir(), "platform-out-")), "cdktf.out");
    dirs.push(outdir);
    const loaded = loadConfig(dir);
    try {
      await synthesizeInto(outdir, async (staging) => {
        const app = new App({ outdir: staging });
        await buildApp(app, loaded, { stackPatterns: ["dev-*"] });
        return app;
      });
    } catch (error) {
      throw new Error(error instanceof SynthesisError ? formatSynthesisProblems(loaded, error.problems) : String(error), { cause: error });
    }
    expect(existsSync(join(outdir, "stacks", "dev-platform", "cdk.tf.json"))).toBe(true);
  });
});

describe("rollouts: bad input", () => {
  it("rejects a data-service exporter without Reloader (it reads its rotated password when it starts)", () => {
    const issues = problems(config({ set: { "environments/prod.yaml": { addons: { reloader: { enabled: false } } } } })).filter((issue) => issue.file.endsWith("environments/prod.yaml"));
    const issue = only(issues, "observability.exporters.redis.enabled");
    expect(issue.message).toBe(
      "the redis exporter reads its rotated password when it starts and needs Stakater Reloader to restart it after each rotation: set addons.reloader.enabled: true in this environment",
    );
    expect(issue.line).toBeGreaterThan(0);
  });

  it("rejects progressive delivery without the Argo Rollouts controller", () => {
    expect(only(dev(backend({ strategy: "canary" })), "products.noor.workloads.backend.progressiveDelivery").message).toBe(
      "progressive delivery needs the Argo Rollouts controller: set addons.argoRollouts.enabled: true in this environment",
    );
  });

  it("rejects an unknown strategy, steps on blue-green and shrinking canary weights", () => {
    const on = { addons: { argoRollouts: { enabled: true } } };
    expect(only(dev({ ...on, ...backend({ strategy: "linear" }) }), "products.noor.workloads.backend.progressiveDelivery.strategy").message).toBe("expected one of canary, blueGreen");
    expect(only(dev({ ...on, ...backend({ strategy: "blueGreen", steps: [{ weight: 50, pause: "1m" }] }) }), "products.noor.workloads.backend.progressiveDelivery.steps").message).toBe(
      "steps apply to the canary strategy; blue-green switches all traffic at once",
    );
    expect(only(dev({ ...on, ...backend({ strategy: "canary", steps: [{ weight: 50, pause: "1m" }, { weight: 30, pause: "1m" }] }) }), "products.noor.workloads.backend.progressiveDelivery.steps.1.weight").message).toBe(
      "weights must grow from step to step (50 then 30)",
    );
    expect(only(dev({ ...on, ...backend({ strategy: "canary", analysis: { errorRatePercent: 100 } }) }), "products.noor.workloads.backend.progressiveDelivery.analysis.errorRatePercent").message).toMatch(/100/);
  });

  it("rejects progressive delivery on a workload without metrics, and on a worker", () => {
    const on = { addons: { argoRollouts: { enabled: true } } };
    const frontend = dev({ ...on, products: { noor: { workloads: { frontend: { progressiveDelivery: { strategy: "canary" } } } } } });
    expect(only(frontend, "products.noor.workloads.frontend.progressiveDelivery").message).toBe(
      "the rollback analysis reads the workload's own HTTP metrics: declare metrics (port and path) so Prometheus scrapes them",
    );
  });

  it("rejects a Reloader or Argo Rollouts replica count out of range", () => {
    expect(only(dev({ addons: { reloader: { enabled: true, replicas: 0 } } }), "addons.reloader.replicas").message).toMatch(/1/);
    expect(only(dev({ addons: { argoRollouts: { enabled: true, replicas: 11 } } }), "addons.argoRollouts.replicas").message).toMatch(/10/);
  });
});
