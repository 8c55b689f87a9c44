/**
 * `npm run ci` as the workflows call it (scripts/ci.ts): the promotion gate reads the run's manifest and the apply
 * outcomes, and never promotes past a tier that did not deploy all its stacks.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { program } from "../../scripts/ci";
import { computeManifest } from "../../scripts/lib/manifest";
import { stackCatalog } from "../../stacks/app";
import { bundledConfig } from "../support/synth";

const dir = mkdtempSync(join(tmpdir(), "ci-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = bundledConfig();
const hashes = new Map(stackCatalog(config).map((entry) => [entry.name, `sha256:${"a".repeat(64)}`]));
const manifest = computeManifest({ config, mode: "deploy", hashes, records: new Map() });

/**
 * Runs `ci gate` on a manifest and applied outcomes; returns what it appends to $GITHUB_OUTPUT. `spawn`: as the
 * workflow runs it (`npx tsx scripts/ci.ts`, a process); otherwise the same command line through the script's own
 * CLI in this process (each process start costs seconds; one spawned run proves the entry point).
 */
async function gate(tier: string, earlier: string, applied: readonly string[], spawn = false): Promise<string> {
  const work = mkdtempSync(join(dir, "gate-"));
  writeFileSync(join(work, "manifest.json"), JSON.stringify(manifest));
  mkdirSync(join(work, "outcomes"));
  writeFileSync(join(work, "outcomes", "applied.json"), JSON.stringify(applied.map((stack) => ({ stack, environment: "dev", outcome: "applied" }))));
  const args = ["gate", "--tier", tier, "--manifest", join(work, "manifest.json"), "--outcomes", join(work, "outcomes"), "--github-output", join(work, "out"), "--earlier", earlier];
  if (spawn) {
    execFileSync("npx", ["tsx", "scripts/ci.ts", ...args], { cwd: join(__dirname, "..", ".."), stdio: "pipe" });
  } else {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await program.parseAsync(args, { from: "user" });
    } finally {
      write.mockRestore();
    }
  }
  return readFileSync(join(work, "out"), "utf8");
}

describe("npm run ci -- gate", () => {
  it("promotes a tier whose planned stacks were all deployed, and never past an earlier tier that was not", async () => {
    const development = manifest.stacks.filter((stack) => stack.tier === "development").map((stack) => stack.stack);
    expect(development.length).toBeGreaterThan(0);
    expect(await gate("development", "", development, true)).toBe("promote=true\n");
    expect(await gate("development", "", development.slice(1))).toBe("promote=false\n");
    const staging = manifest.stacks.filter((stack) => stack.tier === "staging").map((stack) => stack.stack);
    expect(await gate("staging", "true", staging)).toBe("promote=true\n");
    expect(await gate("staging", "false", staging)).toBe("promote=false\n");
    // An earlier gate that did not run gives no output: not promoted.
    expect(await gate("production", "true", [])).toBe("promote=false\n");
  }, 180_000);
});
