/**
 * `npm run ci` as the workflows call it (scripts/ci.ts): the promotion gate reads the run's manifest and the apply
 * outcomes, and never promotes past a tier that did not deploy all its stacks.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeManifest } from "../../scripts/lib/manifest";
import { stackCatalog } from "../../stacks/app";
import { bundledConfig } from "../support/synth";

const dir = mkdtempSync(join(tmpdir(), "ci-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = bundledConfig();
const hashes = new Map(stackCatalog(config).map((entry) => [entry.name, `sha256:${"a".repeat(64)}`]));
const manifest = computeManifest({ config, mode: "deploy", hashes, records: new Map() });

function gate(tier: string, earlier: string, applied: readonly string[]): string {
  const work = mkdtempSync(join(dir, "gate-"));
  writeFileSync(join(work, "manifest.json"), JSON.stringify(manifest));
  mkdirSync(join(work, "outcomes"));
  writeFileSync(join(work, "outcomes", "applied.json"), JSON.stringify(applied.map((stack) => ({ stack, environment: "dev", outcome: "applied" }))));
  execFileSync("npx", ["tsx", "scripts/ci.ts", "gate", "--tier", tier, "--manifest", join(work, "manifest.json"), "--outcomes", join(work, "outcomes"), "--github-output", join(work, "out"), "--earlier", earlier], { cwd: join(__dirname, "..", ".."), stdio: "pipe" });
  return readFileSync(join(work, "out"), "utf8");
}

describe("npm run ci -- gate", () => {
  it("promotes a tier whose planned stacks were all deployed, and never past an earlier tier that was not", () => {
    const development = manifest.stacks.filter((stack) => stack.tier === "development").map((stack) => stack.stack);
    expect(development.length).toBeGreaterThan(0);
    expect(gate("development", "", development)).toBe("promote=true\n");
    expect(gate("development", "", development.slice(1))).toBe("promote=false\n");
    const staging = manifest.stacks.filter((stack) => stack.tier === "staging").map((stack) => stack.stack);
    expect(gate("staging", "true", staging)).toBe("promote=true\n");
    expect(gate("staging", "false", staging)).toBe("promote=false\n");
    // An earlier gate that did not run gives no output: not promoted.
    expect(gate("production", "true", [])).toBe("promote=false\n");
  }, 180_000);
});
