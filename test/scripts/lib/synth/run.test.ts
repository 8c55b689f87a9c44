/**
 * Sharded synthesis (scripts/lib/synth/run.ts) writes byte for byte what one cdktf App writes (stacks/synthesize.ts
 * `synthesizeInto`, the synthesis before sharding), for 1, 2 and 3 worker processes and small batches of apps, and
 * reports the problems of every share at once in the order a single app reports them.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../../../config/loader";
import { configWithTenants } from "../../../../scripts/bench";
import { runSynthesis, shares, workerCount } from "../../../../scripts/lib/synth/run";
import { buildApp } from "../../../../stacks/app";
import { SynthesisError, synthesizeInto } from "../../../../stacks/synthesize";

const TIMEOUT_MS = 600_000;
/** The generated shared tenants, the platform stack they follow, and an administrator stack. */
const PATTERNS = ["prod-tenant-*", "prod-platform", "bootstrap"];
/**
 * Few tenants, spread over three ingress groups (load balancers) as many tenants would be, in batches of two: every
 * share of every worker count below holds several batches (the property does not depend on the number of stacks;
 * each worker process costs its start-up, so the test keeps the selection small).
 */
const TENANTS = 6;
const TENANTS_PER_LOAD_BALANCER = 3;
const BATCH_SIZE = 2;

let dir: string;
let config: PlatformConfig;
const work = mkdtempSync(join(tmpdir(), "platform-shards-"));

beforeAll(() => {
  dir = configWithTenants(TENANTS, "prod", TENANTS_PER_LOAD_BALANCER);
  config = loadConfig(dir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function files(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(full.slice(root.length + 1), readFileSync(full));
    }
  };
  walk(root);
  return out;
}

/** One cdktf App for every selected stack, as main.ts synthesized before sharding. */
async function singleApp(configuration: PlatformConfig, outdir: string, stackPatterns: string[]): Promise<void> {
  await synthesizeInto(outdir, async (staging) => {
    const app = new App({ outdir: staging });
    await buildApp(app, configuration, { stackPatterns });
    return app;
  });
}

describe("sharded synthesis", () => {
  it("deals the stacks round-robin in catalog order and uses workers only for large selections", () => {
    expect(shares(["a", "b", "c", "d", "e"], 2)).toEqual([["a", "c", "e"], ["b", "d"]]);
    expect(shares(["a"], 3)).toEqual([["a"]]);
    expect(workerCount(14, "auto", 2)).toBe(1);
    expect(workerCount(1014, "auto", 2)).toBe(2);
    expect(workerCount(1014, "auto", 1)).toBe(1);
    expect(workerCount(5, 3, 2)).toBe(3);
    expect(workerCount(2, 3, 2)).toBe(2);
  });

  it(
    "writes the same bytes with 1, 2 and 3 workers as one app",
    async () => {
      const reference = join(work, "single");
      await singleApp(config, reference, PATTERNS);
      const expected = files(reference);
      expect([...expected.keys()].filter((path) => path.endsWith("cdk.tf.json"))).toHaveLength(TENANTS + 1 + 2); // + the bundled prod tenant, platform, bootstrap
      const manifest = JSON.parse(expected.get("manifest.json")?.toString() ?? "{}") as { stacks: Record<string, { dependencies: string[] }> };
      expect(manifest.stacks["prod-tenant-bench0000"]?.dependencies).toEqual(["prod-platform"]);
      // The tenants are on three load balancers (ingress groups), as many tenants would be.
      const tenantGroups = new Set(
        [...expected]
          .filter(([path]) => path.startsWith("stacks/prod-tenant-"))
          .flatMap(([, bytes]) => [...bytes.toString().matchAll(/"alb\.ingress\.kubernetes\.io\/group\.name":\s*"([^"]+)"/g)].map((match) => match[1])),
      );
      expect(tenantGroups.size).toBe(3);
      for (const workers of [1, 2, 3]) {
        const outdir = join(work, `workers-${workers}`);
        const written = await runSynthesis({ config, outdir, build: { stackPatterns: PATTERNS }, workers, batchSize: BATCH_SIZE });
        expect(written).toHaveLength(TENANTS + 3);
        // Every share holds more than one batch (a fresh cdktf App each).
        for (const share of shares(written, workers)) expect(share.length, `${workers} workers`).toBeGreaterThan(BATCH_SIZE);
        const actual = files(outdir);
        expect([...actual.keys()].sort(), `${workers} workers`).toEqual([...expected.keys()].sort());
        for (const [path, bytes] of expected) expect(actual.get(path)?.equals(bytes), `${workers} workers: ${path}`).toBe(true);
      }
    },
    TIMEOUT_MS,
  );

  it(
    "reports every share's problems at once, in the order of a single app, and writes nothing",
    async () => {
      // Two failing stacks that land in different shares: an unversioned bucket in prod-infra and in staging-infra.
      const failing = mkdtempSync(join(tmpdir(), "platform-shards-config-"));
      rmSync(failing, { recursive: true });
      cpSync(dir, failing, { recursive: true });
      const prod = readFileSync(join(failing, "environments/prod.yaml"), "utf8").replace("    noor-uploads:\n", "    noor-uploads:\n      versioning: false\n");
      const staging = readFileSync(join(failing, "environments/staging.yaml"), "utf8").replace("    noor-uploads: {}", "    noor-uploads: { versioning: false }");
      writeFileSync(join(failing, "environments/prod.yaml"), prod);
      writeFileSync(join(failing, "environments/staging.yaml"), staging);
      const broken = loadConfig(failing);
      const patterns = ["staging-infra", "prod-infra", "prod-tenant-bench000*"];
      const single = await singleApp(broken, join(work, "failing-single"), patterns).then(() => undefined, (error: unknown) => error);
      expect(single).toBeInstanceOf(SynthesisError);
      const outdir = join(work, "failing-sharded");
      const sharded = await runSynthesis({ config: broken, outdir, build: { stackPatterns: patterns }, workers: 3 }).then(() => undefined, (error: unknown) => error);
      expect(sharded).toBeInstanceOf(SynthesisError);
      const expected = (single as SynthesisError).problems;
      expect(new Set(expected.map((problem) => problem.stack))).toEqual(new Set(["prod-infra", "staging-infra"]));
      expect((sharded as SynthesisError).problems).toEqual(expected);
      expect(readdirSync(work).filter((name) => name.startsWith("failing-sharded") || name.includes(".staging-"))).toEqual([]);
      rmSync(failing, { recursive: true, force: true });
    },
    TIMEOUT_MS,
  );
});
