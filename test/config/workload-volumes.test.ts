/**
 * Workload volumes in configuration: the bundled NOOR export job's ephemeral volume (the guide's /backups), and the
 * environment-level rule for a persistent volume on a Deployment whose replica count comes from the environment.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("workload volumes in configuration", () => {
  it("gives NOOR's database export a gp3 volume of its own at /backups (the guide's dump directory)", () => {
    const noor = loadConfig(BUNDLED_CONFIG_DIR).environments.find(({ config }) => config.name === "prod")?.config.products.noor;
    expect(noor?.workloads["db-export"]?.volumes).toEqual([{ name: "backups", mountPath: "/backups", ephemeral: { size: "100Gi" } }]);
    expect(noor?.workloads.backend?.volumes).toEqual([]);
  });

  it("rejects a persistent volume on a Deployment that runs the environment's default of several replicas", () => {
    const text = readFileSync(join(BUNDLED_CONFIG_DIR, "products/smartedu.yaml"), "utf8");
    const autoscaled = "    autoscaling: { minReplicas: 2, maxReplicas: 8, cpuUtilization: 70, memoryUtilization: 80 }\n";
    expect(text).toContain(autoscaled);
    const dir = tempConfig({ write: { "products/smartedu.yaml": text.replace(autoscaled, "    volumes: [{ name: models, mountPath: /models, persistent: { size: 20Gi } }]\n") } });
    dirs.push(dir);
    // Reported at the product file's key, once per environment (development overrides the worker with autoscaling).
    const issue = only(problems(dir).filter((found) => found.file.endsWith("products/smartedu.yaml") && found.message.includes("in environment prod")), "workloads.ai-worker.volumes.0.persistent");
    expect(issue.message).toMatch(/^a persistent volume \(ReadWriteOnce\) is mounted by one pod, but the workload runs this environment's default of 2 replicas \(workloads\.minReplicas\); use ephemeral/);
    expect(issue.line).toBe(text.split("\n").findIndex((line) => line.includes("autoscaling: { minReplicas: 2, maxReplicas: 8")) + 1);
  });
});
