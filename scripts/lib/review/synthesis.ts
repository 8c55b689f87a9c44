/**
 * How the review synthesizes the two sides it compares.
 *
 * - `synthesizeCheckout` runs a checkout's app command (cdktf.json `app`) in a child process: any revision's code,
 *   any cdktf app. The review uses it when code or shared configuration changed (the base revision's code may
 *   differ from the working tree's), and for repositories other than the one it runs from.
 * - `synthesizeStacks` builds the named stacks of a loaded configuration in this process, exactly as main.ts does
 *   (same App, same stack catalog, the policy pack's validations on). It is only valid when the code of this
 *   process is the code of both sides: the scoped review, where only tenant files changed
 *   (scripts/lib/review/scope.ts), loads each side's configuration once and synthesizes only the changed tenants'
 *   stacks, so its cost follows the change, not the number of tenants.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import type { PlatformConfig } from "../../../config/loader";
import type { SynthesizedStack } from "../../../constructs/policy/model";
import { buildApp } from "../../../stacks/app";
import { disableTokenStackTraces } from "../../../stacks/fast-synth";
import { readSynthesized } from "../bundled";

/** The app command of a checkout's cdktf.json (`node --import tsx main.ts`). */
export function appCommand(checkout: string): string {
  const cdktf = JSON.parse(readFileSync(join(checkout, "cdktf.json"), "utf8")) as { app?: string };
  if (!cdktf.app) throw new Error(`${checkout}/cdktf.json has no "app" command`);
  return cdktf.app;
}

/** Runs a checkout's app into `outdir` for the selected stacks (all when undefined); resolves with the stacks. */
export function synthesizeCheckout(checkout: string, outdir: string, stacks: readonly string[] | undefined): Promise<Map<string, SynthesizedStack>> {
  if (stacks !== undefined && stacks.length === 0) return Promise.resolve(new Map());
  return new Promise((done, fail) => {
    const child = spawn(appCommand(checkout), {
      cwd: checkout,
      shell: true,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", STACKS: stacks ? stacks.join(",") : "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (status) => (status === 0 ? done(readSynthesized(outdir)) : fail(new Error(`synthesis of ${checkout} failed (exit ${status}):\n${stderr.slice(-4000)}`))));
  });
}

let tracesDisabled = false;

/**
 * Synthesizes the named stacks of `config` in this process as main.ts does (see the module comment); resolves with
 * their JSON by name, in catalog order. `tokenStackTraces` keeps cdktf's token traces (PLATFORM_TOKEN_STACK_TRACES).
 */
export async function synthesizeStacks(config: PlatformConfig, stacks: readonly string[], options: { tokenStackTraces?: boolean } = {}): Promise<Map<string, SynthesizedStack>> {
  if (stacks.length === 0) return new Map();
  if (!options.tokenStackTraces && !tracesDisabled) {
    disableTokenStackTraces();
    tracesDisabled = true;
  }
  const outdir = mkdtempSync(join(tmpdir(), "platform-review-synth-"));
  try {
    const app = new App({ outdir });
    // Exact names: a stack name holds no glob characters ([a-z0-9-]), so each pattern selects that stack only.
    await buildApp(app, config, { stackPatterns: stacks });
    app.synth();
    return readSynthesized(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
