/**
 * What `main.ts` does, callable in-process: read the runtime options, load and validate the configuration, synthesize
 * the selected stacks (./run.ts) and report a failure on stderr. Used by main.ts (the app cdktf.json names, run by
 * `cdktf synth`/`diff`/`deploy`) and by `npm run synth`'s fast path (scripts/cdktf.ts), which runs it without starting
 * the cdktf CLI.
 */
import { ConfigError } from "../../../config/errors";
import { loadConfig, type PlatformConfig } from "../../../config/loader";
import { readRuntimeOptions, RuntimeOptionError } from "../../../config/runtime-options";
import { NameError } from "../../../constructs/core/naming";
import { StackSelectionError } from "../../../stacks/app";
import { disableTokenStackTraces, reuseAssetArchives } from "../../../stacks/fast-synth";
import { formatSynthesisProblems } from "../../../stacks/synthesis-report";
import { SynthesisError } from "../../../stacks/synthesize";
import { runSynthesis, WorkerFailure } from "./run";

/** Errors whose message is the whole report (no stack trace), also when a synthesis worker raised them. */
const KNOWN_ERRORS = new Set(["ConfigError", "StackSelectionError", "RuntimeOptionError", "NameError"]);

export interface SynthOutcome {
  /** 0 on success, 1 after a reported failure. */
  readonly exitCode: number;
  /** The stacks written (catalog order); empty on failure. */
  readonly stacks: readonly string[];
}

/**
 * Synthesizes as main.ts does with the options of `env` (config/runtime-options.ts); `outdir` overrides CDKTF_OUTDIR.
 * Failures are written to `stderr` (every configuration or stack problem at once) and give exit code 1.
 */
export async function synthesizeFromEnvironment(env: NodeJS.ProcessEnv, defaultConfigDir: string, stderr: (text: string) => void = (text) => process.stderr.write(text)): Promise<SynthOutcome> {
  let loaded: PlatformConfig | undefined;
  try {
    const options = readRuntimeOptions(env, defaultConfigDir);
    if (!options.tokenStackTraces) disableTokenStackTraces();
    reuseAssetArchives();
    const config = loadConfig(options.configDir);
    loaded = config;
    const stacks = await runSynthesis({
      config,
      outdir: options.outdir,
      build: { stackPatterns: options.stackPatterns, bootstrapBackend: options.bootstrapBackend, bootstrapStateDir: options.bootstrapStateDir },
      workers: options.synthWorkers,
      tokenStackTraces: options.tokenStackTraces,
    });
    return { exitCode: 0, stacks };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StackSelectionError || error instanceof RuntimeOptionError || error instanceof NameError) {
      stderr(`${error.message}\n`);
    } else if (error instanceof SynthesisError && loaded) {
      stderr(formatSynthesisProblems(loaded, error.problems));
    } else if (error instanceof WorkerFailure) {
      stderr(`${KNOWN_ERRORS.has(error.errorName) ? error.message : (error.detail ?? error.message)}\n`);
    } else {
      stderr(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return { exitCode: 1, stacks: [] };
  }
}
