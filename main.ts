/**
 * cdktf entry point: load and validate configuration, build the selected stacks, synthesize.
 * Invalid configuration prints every problem and exits 1 before any stack is constructed, so nothing is written.
 */
import { join } from "node:path";
import { App } from "cdktf";
import { ConfigError } from "./config/errors";
import { loadConfig } from "./config/loader";
import { readRuntimeOptions, RuntimeOptionError } from "./config/runtime-options";
import { NameError } from "./constructs/core/naming";
import { buildApp, StackSelectionError } from "./stacks/app";
import { disableTokenStackTraces } from "./stacks/fast-synth";

/** How cdktf begins the error it throws when construct validations fail. */
const SYNTH_VALIDATION_FAILURE = "Validation failed with the following errors";

async function main(): Promise<void> {
  const options = readRuntimeOptions(process.env, join(__dirname, "config"));
  if (!options.tokenStackTraces) disableTokenStackTraces();
  const config = loadConfig(options.configDir);
  const app = new App();
  await buildApp(app, config, { stackPatterns: options.stackPatterns, bootstrapBackend: options.bootstrapBackend, bootstrapStateDir: options.bootstrapStateDir });
  app.synth();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StackSelectionError || error instanceof RuntimeOptionError || error instanceof NameError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // Construct validations (policy pack, RPO check) fail synthesis with a list of errors: print them, no stack trace.
  if (error instanceof Error && error.message.startsWith(SYNTH_VALIDATION_FAILURE)) {
    process.stderr.write(`${error.message.replace(/\n\s*If you wish to ignore these validations.*$/s, "")}\n`);
    process.exit(1);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
