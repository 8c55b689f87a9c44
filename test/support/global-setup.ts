/**
 * Synthesizes the bundled configuration once per test run (a real cdktf App writing cdktf.out-style files), so
 * stack-level tests read the JSON instead of each synthesizing every stack again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import type { TestProject } from "vitest/node";
import { loadConfig } from "../../config/loader";
import { buildApp } from "../../stacks/app";
import { disableTokenStackTraces, reuseAssetArchives } from "../../stacks/fast-synth";

export default async function setup(project: TestProject): Promise<() => void> {
  disableTokenStackTraces(); // as main.ts does
  reuseAssetArchives();
  const outdir = mkdtempSync(join(tmpdir(), "platform-bundled-"));
  const app = new App({ outdir }); // exactly as main.ts
  await buildApp(app, loadConfig(join(__dirname, "..", "..", "config")));
  app.synth();
  project.provide("bundledOutdir", outdir);
  return () => rmSync(outdir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    bundledOutdir: string;
  }
}
