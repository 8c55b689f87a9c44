/**
 * Synthesis checks every stack before it writes any, reports every stack's problems at the configuration key behind
 * each resource, and writes all or nothing: an existing output directory survives a failed synthesis unchanged,
 * both for the app run directly and through the cdktf CLI (which passes its output directory to the app).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { App } from "cdktf";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { buildApp, stackCatalog } from "../../stacks/app";
import { formatSynthesisProblems } from "../../stacks/synthesis-report";
import { SynthesisError, synthesizeInto } from "../../stacks/synthesize";
import { BUNDLED_CONFIG_DIR, ROOT, tempConfig } from "../support/synth";

const CLI_TIMEOUT_MS = 240_000;

/** A configuration with an unversioned bucket in two stacks (prod-infra and staging-infra): a policy finding in each. */
function failingConfig(): { dir: string; prod: string; staging: string } {
  const dir = tempConfig();
  const prod = readFileSync(join(dir, "environments/prod.yaml"), "utf8").replace("    noor-uploads:\n", "    noor-uploads:\n      versioning: false\n");
  const staging = readFileSync(join(dir, "environments/staging.yaml"), "utf8").replace("    noor-uploads: {}", "    noor-uploads: { versioning: false }");
  writeFileSync(join(dir, "environments/prod.yaml"), prod);
  writeFileSync(join(dir, "environments/staging.yaml"), staging);
  return { dir, prod, staging };
}

/** Every file under `dir` with its content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[full.slice(dir.length + 1)] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** An output directory as a previous run and a first apply left it. */
function existingOutput(): string {
  const outdir = join(mkdtempSync(join(tmpdir(), "platform-out-")), "cdktf.out");
  mkdirSync(join(outdir, "stacks", "prod-infra", ".terraform"), { recursive: true });
  writeFileSync(join(outdir, "manifest.json"), '{"previous":true}\n');
  writeFileSync(join(outdir, "stacks", "prod-infra", "cdk.tf.json"), '{"previous":true}\n');
  writeFileSync(join(outdir, "stacks", "prod-infra", ".terraform", "terraform.tfstate"), "{}\n");
  mkdirSync(join(outdir, "stacks", "bootstrap"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "bootstrap", "bootstrap.tfstate"), '{"serial":1}\n');
  return outdir;
}

async function synth(dir: string, outdir: string, stackPatterns: string[]): Promise<void> {
  const config = loadConfig(dir);
  await synthesizeInto(outdir, async (staging) => {
    const app = new App({ outdir: staging });
    await buildApp(app, config, { stackPatterns });
    return app;
  });
}

function stagingLeftovers(outdir: string): string[] {
  return readdirSync(dirname(outdir)).filter((name) => name.includes(".staging-") || name.includes(".old-"));
}

describe("synthesis writes all or nothing", () => {
  it("reports the problems of every stack at once, at the configuration key, and writes nothing", async () => {
    const { dir, prod, staging } = failingConfig();
    const outdir = existingOutput();
    const before = snapshot(outdir);
    let error: unknown;
    try {
      await synth(dir, outdir, ["prod-infra", "staging-infra", "dev-infra"]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SynthesisError);
    const problems = (error as SynthesisError).problems;
    expect([...new Set(problems.map((problem) => problem.stack))].sort()).toEqual(["prod-infra", "staging-infra"]);
    expect(snapshot(outdir)).toEqual(before);
    expect(stagingLeftovers(outdir)).toEqual([]);

    const report = formatSynthesisProblems(loadConfig(dir), problems);
    const line = (text: string) => text.split("\n").findIndex((row) => row.includes("noor-uploads:")) + 1;
    expect(report).toMatch(/^Synthesis failed: 2 problems in 2 stacks \(every stack was checked\); nothing was written\./);
    expect(report).toContain(`${join(dir, "environments/prod.yaml")}:${line(prod)}:5  storage.buckets.noor-uploads\n    stack:    prod-infra\n    resource: prod-infra/storage/bucket-noor-uploads/bucket\n    problem:  policy [S3-VERSIONING] (high)`);
    expect(report).toContain(`${join(dir, "environments/staging.yaml")}:${line(staging)}:5  storage.buckets.noor-uploads`);
    // The hint names the operator's directory, never the bundled config/.
    expect(report).toContain(`add { rule, path, reason } to ${join(dir, "policy", "suppressions.yaml")}`);
    expect(report).not.toMatch(/(^|[\s(])config\//m);
  });

  it("reports RPO problems on each stateful resource, at the service's key", async () => {
    const dir = tempConfig();
    const text = readFileSync(join(dir, "environments/prod.yaml"), "utf8").replace("  copy:\n    region: eu-central-1\n", "  copy:\n    region: eu-central-1\n  plans:\n    default:\n      continuous: { enabled: false }\n");
    writeFileSync(join(dir, "environments/prod.yaml"), text);
    const outdir = existingOutput();
    const before = snapshot(outdir);
    const error = await synth(dir, outdir, ["prod-infra"]).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SynthesisError);
    const config = loadConfig(dir);
    const database = Object.keys(config.environments.find((environment) => environment.config.name === "prod")?.config.services.postgres ?? {})[0] as string;
    const rpo = (error as SynthesisError).problems.find((problem) => problem.path === `prod-infra/services/postgres-${database}/cluster`);
    expect(rpo?.message).toMatch(/^RPO check: .*effective RPO 6h exceeds the target 15m \(backup\.plans\.default\.rpo\)/);
    const report = formatSynthesisProblems(config, (error as SynthesisError).problems);
    const line = text.split("\n").findIndex((row) => row.startsWith(`    ${database}:`)) + 1;
    expect(report).toContain(`${join(dir, "environments/prod.yaml")}:${line}:5  services.postgres.${database}\n    stack:    prod-infra\n    resource: prod-infra/services/postgres-${database}/cluster\n    problem:  RPO check:`);
    expect(snapshot(outdir)).toEqual(before);
  });

  it("moves a successful synthesis into place and keeps what else the output directory holds", async () => {
    const outdir = existingOutput();
    await synth(BUNDLED_CONFIG_DIR, outdir, ["bootstrap", "prod-infra"]);
    const after = snapshot(outdir);
    expect(JSON.parse(after["manifest.json"] as string).stacks).toHaveProperty("prod-infra");
    expect(JSON.parse(after["stacks/prod-infra/cdk.tf.json"] as string)).toHaveProperty("resource");
    expect(after["stacks/prod-infra/.terraform/terraform.tfstate"]).toBe("{}\n");
    expect(after["stacks/bootstrap/bootstrap.tfstate"]).toBe('{"serial":1}\n');
    expect(existsSync(join(outdir, "stacks", "bootstrap", "cdk.tf.json"))).toBe(true);
    expect(stagingLeftovers(outdir)).toEqual([]);
  });

  it("synthesizes every bundled stack from a configuration directory without a suppressions file", async () => {
    const dir = tempConfig({ remove: ["policy/suppressions.yaml"] });
    expect(existsSync(join(dir, "policy", "suppressions.yaml"))).toBe(false);
    const outdir = join(mkdtempSync(join(tmpdir(), "platform-out-")), "cdktf.out");
    await synth(dir, outdir, []);
    // Every stack of the catalog (bootstrap, account baselines, DNS, infra, platform, tenants).
    const expected = stackCatalog(loadConfig(dir)).map((entry) => entry.name).sort();
    expect(expected).toEqual(expect.arrayContaining(["account-main", "bootstrap", "dev-dns", "prod-infra", "prod-tenant-globex", "tenant-initech-platform"]));
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(expected);
  });
});

describe("the entry point and the cdktf CLI leave an existing output directory unchanged on failure", () => {
  it("exits 1 with the report when the app runs directly (CDKTF_OUTDIR)", () => {
    const { dir } = failingConfig();
    const outdir = existingOutput();
    const before = snapshot(outdir);
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "main.ts")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: CLI_TIMEOUT_MS,
      env: { ...process.env, PLATFORM_CONFIG_DIR: dir, CDKTF_OUTDIR: outdir, STACKS: "prod-infra,staging-infra" },
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^Synthesis failed: 2 problems in 2 stacks/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(outdir)).toEqual(before);
    expect(stagingLeftovers(outdir)).toEqual([]);
  }, CLI_TIMEOUT_MS);

  it("fails `cdktf synth` (npm run synth) the same way", () => {
    const { dir } = failingConfig();
    const outdir = existingOutput();
    const before = snapshot(outdir);
    const result = spawnSync(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", outdir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: CLI_TIMEOUT_MS,
      env: { ...process.env, PLATFORM_CONFIG_DIR: dir, STACKS: "prod-infra,staging-infra", CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0" },
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toContain("Synthesis failed: 2 problems in 2 stacks");
    expect(snapshot(outdir)).toEqual(before);
    expect(stagingLeftovers(outdir)).toEqual([]);
  }, CLI_TIMEOUT_MS);
});
