/**
 * `npm run synth` without the cdktf CLI (scripts/cdktf.ts, scripts/lib/synth/cli-post.ts) writes exactly what
 * `cdktf synth` writes: both run on the bundled configuration into output directories prepared alike (a stale stack
 * directory the CLI deletes, a kept stack's `.terraform/` it keeps), and every file is compared byte for byte.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fastSynthOutput } from "../../scripts/cdktf";
import { ROOT, tempConfig } from "../support/synth";

const CLI_TIMEOUT_MS = 300_000;
const work = mkdtempSync(join(tmpdir(), "platform-cdktf-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` (relative path -> bytes). */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(full.slice(dir.length + 1), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

/** An output directory a previous run left: a stack that no longer exists and a kept stack's Terraform directory. */
function previousOutput(name: string): string {
  const outdir = join(work, name);
  mkdirSync(join(outdir, "stacks", "retired-stack"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "retired-stack", "cdk.tf.json"), "{}\n");
  mkdirSync(join(outdir, "stacks", "prod-infra", ".terraform"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "prod-infra", ".terraform", "terraform.tfstate"), "{}\n");
  return outdir;
}

const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", FORCE_COLOR: "0" };

describe("npm run synth without the cdktf CLI", () => {
  it("writes byte for byte what `cdktf synth` writes, and deletes and keeps the same directories", () => {
    const viaCli = previousOutput("cli");
    const cli = spawnSync(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", viaCli], { cwd: ROOT, encoding: "utf8", timeout: CLI_TIMEOUT_MS, env: ENV });
    expect(cli.status, `${cli.stdout}\n${cli.stderr}`).toBe(0);
    const viaFast = previousOutput("fast");
    const fast = spawnSync("npm", ["run", "--silent", "synth", "--", "--output", viaFast], { cwd: ROOT, encoding: "utf8", timeout: CLI_TIMEOUT_MS, env: ENV });
    expect(fast.status, `${fast.stdout}\n${fast.stderr}`).toBe(0);
    expect(fast.stdout).toMatch(/^Generated Terraform code for the stacks: account-main, bootstrap, /m);

    const expected = files(viaCli);
    const actual = files(viaFast);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.has("manifest.json")).toBe(true);
    expect([...expected.keys()].some((path) => path.includes("/assets/"))).toBe(true);
    for (const [path, bytes] of expected) expect(actual.get(path)?.equals(bytes), path).toBe(true);
    expect(existsSync(join(viaFast, "stacks", "retired-stack"))).toBe(false);
    expect(readFileSync(join(viaFast, "stacks", "prod-infra", ".terraform", "terraform.tfstate"), "utf8")).toBe("{}\n");
  }, 2 * CLI_TIMEOUT_MS);

  it("fails as `cdktf synth` fails: the report, exit 1, the output directory untouched", () => {
    const dir = tempConfig();
    const prod = readFileSync(join(dir, "environments/prod.yaml"), "utf8").replace("    noor-uploads:\n", "    noor-uploads:\n      versioning: false\n");
    writeFileSync(join(dir, "environments/prod.yaml"), prod);
    const outdir = previousOutput("failing");
    const before = files(outdir);
    const result = spawnSync("npm", ["run", "--silent", "synth", "--", "--output", outdir], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: CLI_TIMEOUT_MS,
      env: { ...ENV, PLATFORM_CONFIG_DIR: dir, STACKS: "prod-infra" },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Synthesis failed: 1 problem in 1 stack/);
    expect(result.stderr).toContain("policy [S3-VERSIONING]");
    expect(files(outdir)).toEqual(before);
    expect(readdirSync(work).filter((name) => name.includes(".staging-"))).toEqual([]);
  }, CLI_TIMEOUT_MS);

  it("takes the fast path only for the options it implements, and the CLI for the rest", () => {
    expect(fastSynthOutput([])).toEqual({});
    expect(fastSynthOutput(["--output", "out"])).toEqual({ output: "out" });
    expect(fastSynthOutput(["-o", "out"])).toEqual({ output: "out" });
    expect(fastSynthOutput(["--output=out"])).toEqual({ output: "out" });
    expect(fastSynthOutput(["--hcl"])).toBeUndefined();
    expect(fastSynthOutput(["--cli"])).toBeUndefined();
    expect(fastSynthOutput(["--output", "out", "--hcl"])).toBeUndefined();
  });
});
