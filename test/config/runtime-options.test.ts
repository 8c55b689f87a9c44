import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readRuntimeOptions, RuntimeOptionError } from "../../config/runtime-options";
import { ROOT, tempConfig } from "../support/synth";

describe("readRuntimeOptions", () => {
  it("defaults to the bundled config, every stack and the S3 bootstrap backend", () => {
    expect(readRuntimeOptions({}, "config")).toEqual({ configDir: resolve("config"), stackPatterns: [], bootstrapBackend: "s3", bootstrapStateDir: resolve(".state"), tokenStackTraces: false, outdir: resolve("cdktf.out"), synthWorkers: "auto" });
  });

  it("reads PLATFORM_CONFIG_DIR, STACKS (comma or space separated), PLATFORM_BOOTSTRAP_BACKEND and the CLI's CDKTF_OUTDIR", () => {
    const options = readRuntimeOptions(
      { PLATFORM_CONFIG_DIR: "/tmp/cfg", STACKS: "prod-*, bootstrap  dev-infra", PLATFORM_BOOTSTRAP_BACKEND: "local", PLATFORM_TOKEN_STACK_TRACES: "1", CDKTF_OUTDIR: "/tmp/out", PLATFORM_SYNTH_WORKERS: "3" },
      "config",
    );
    expect(options).toEqual({ configDir: "/tmp/cfg", stackPatterns: ["prod-*", "bootstrap", "dev-infra"], bootstrapBackend: "local", bootstrapStateDir: resolve(".state"), tokenStackTraces: true, outdir: "/tmp/out", synthWorkers: 3 });
  });

  it("keeps the bootstrap stack's local state outside cdktf.out/ (a selective synth deletes that folder)", () => {
    const root = join(tmpdir(), "repo");
    expect(readRuntimeOptions({}, join(root, "config")).bootstrapStateDir).toBe(join(root, ".state"));
    expect(readRuntimeOptions({ PLATFORM_BOOTSTRAP_STATE_DIR: "/var/lib/platform-state" }, join(root, "config")).bootstrapStateDir).toBe("/var/lib/platform-state");
    expect(() => readRuntimeOptions({ PLATFORM_BOOTSTRAP_STATE_DIR: "cdktf.out/state" }, join(root, "config"))).toThrow(/must be outside cdktf\.out\/ \(every synth of selected stacks deletes it/);
    expect(() => readRuntimeOptions({ PLATFORM_BOOTSTRAP_STATE_DIR: join(root, "cdktf.out") }, join(root, "config"))).toThrow(RuntimeOptionError);
  });

  it("rejects an unknown bootstrap backend", () => {
    expect(() => readRuntimeOptions({ PLATFORM_BOOTSTRAP_BACKEND: "gcs" }, "config")).toThrow(RuntimeOptionError);
  });

  it("rejects a PLATFORM_SYNTH_WORKERS that is neither auto nor a positive number of workers", () => {
    for (const value of ["0", "-1", "two", "1.5", ""]) {
      expect(() => readRuntimeOptions({ PLATFORM_SYNTH_WORKERS: value }, "config"), value).toThrow(/PLATFORM_SYNTH_WORKERS must be "auto" or a number of worker processes from 1 to 999, got/);
    }
  });
});

describe("the app's switches end to end", () => {
  const run = (env: NodeJS.ProcessEnv) => {
    const outdir = mkdtempSync(join(tmpdir(), "platform-out-"));
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
      encoding: "utf8",
    });
    return { result, outdir, stacks: () => readdirSync(join(outdir, "stacks")).sort() };
  };

  // One run of the app serves the first two cases (each start of the app costs seconds): an operator's configuration
  // directory, a STACKS selection of two patterns, and the local bootstrap backend.
  let selective: ReturnType<typeof run>;
  beforeAll(() => {
    const dir = tempConfig({ remove: ["environments/staging.yaml", "tenants/initech.yaml"] });
    selective = run({ PLATFORM_CONFIG_DIR: dir, STACKS: "*-platform bootstrap", PLATFORM_BOOTSTRAP_BACKEND: "local" });
  });

  it("loads configuration from PLATFORM_CONFIG_DIR and synthesizes only the STACKS selection", () => {
    const { result, stacks } = selective;
    expect(result.status, result.stderr).toBe(0);
    expect(stacks()).toEqual(["bootstrap", "dev-platform", "prod-platform"]);
  });

  it("writes the bootstrap stack's first local state to .state/ at the repository root, outside the output directory", () => {
    const { result, outdir } = selective;
    expect(result.status, result.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(outdir, "stacks", "bootstrap", "cdk.tf.json"), "utf8")) as { terraform: { backend: { local: { path: string } } } };
    expect(json.terraform.backend.local.path).toBe(join(ROOT, ".state", "bootstrap.tfstate"));
  });

  it("exits 1 with the list of stacks when STACKS matches nothing", () => {
    const { result } = run({ STACKS: "qa-*" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/STACKS pattern "qa-\*" matches no stack\. Stacks: bootstrap, account-main, dev-dns/);
  });
});
