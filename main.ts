/**
 * cdktf entry point: load and validate configuration, build the selected stacks, synthesize.
 *
 * Invalid configuration prints every problem and exits 1 before any stack is constructed. Synthesis checks every
 * stack before it writes any (stacks/synthesize.ts): policy and RPO problems of all stacks are printed together, each
 * at the configuration key behind the resource, and the run exits 1. The stacks are written into a staging directory
 * beside the output directory (CDKTF_OUTDIR, set by the cdktf CLI; default cdktf.out) and moved into place only when
 * every stack succeeded, so a failed run leaves the output directory exactly as it was.
 */
import { join } from "node:path";
import { App } from "cdktf";
import { ConfigError } from "./config/errors";
import { loadConfig, type PlatformConfig } from "./config/loader";
import { readRuntimeOptions, RuntimeOptionError } from "./config/runtime-options";
import { NameError } from "./constructs/core/naming";
import { buildApp, StackSelectionError } from "./stacks/app";
import { disableTokenStackTraces } from "./stacks/fast-synth";
import { formatSynthesisProblems } from "./stacks/synthesis-report";
import { SynthesisError, synthesizeInto } from "./stacks/synthesize";

let loaded: PlatformConfig | undefined;

async function main(): Promise<void> {
  const options = readRuntimeOptions(process.env, join(__dirname, "config"));
  if (!options.tokenStackTraces) disableTokenStackTraces();
  const config = loadConfig(options.configDir);
  loaded = config;
  await synthesizeInto(options.outdir, async (outdir) => {
    const app = new App({ outdir });
    await buildApp(app, config, { stackPatterns: options.stackPatterns, bootstrapBackend: options.bootstrapBackend, bootstrapStateDir: options.bootstrapStateDir });
    return app;
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StackSelectionError || error instanceof RuntimeOptionError || error instanceof NameError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof SynthesisError && loaded) {
    process.stderr.write(formatSynthesisProblems(loaded, error.problems));
    process.exit(1);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
