/**
 * The only place the app reads environment variables.
 *
 * - PLATFORM_CONFIG_DIR          configuration directory (default: `config` next to main.ts)
 * - STACKS                       comma- or space-separated glob patterns of stacks to synthesize (default: all)
 * - PLATFORM_BOOTSTRAP_BACKEND   `local` for the bootstrap stack's first apply (default: `s3`)
 * - PLATFORM_BOOTSTRAP_STATE_DIR where that first apply keeps its local state (default: `.state` at the repository
 *                                root, gitignored); never inside `cdktf.out/`, which every selective synth deletes
 * - PLATFORM_TOKEN_STACK_TRACES  `1` keeps cdktf's per-token creation stack traces (slow; for debugging token errors)
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** Default directory of the bootstrap stack's local state, relative to the repository root. */
export const BOOTSTRAP_STATE_DIR = ".state";
/** cdktf's output directory (cdktf.json `output`), relative to the repository root. */
export const CDKTF_OUTPUT_DIR = "cdktf.out";

export interface RuntimeOptions {
  readonly configDir: string;
  readonly stackPatterns: readonly string[];
  readonly bootstrapBackend: "s3" | "local";
  /** Absolute directory of the bootstrap stack's local state (first apply). */
  readonly bootstrapStateDir: string;
  readonly tokenStackTraces: boolean;
}

export class RuntimeOptionError extends Error {}

export function readRuntimeOptions(env: NodeJS.ProcessEnv, defaultConfigDir: string): RuntimeOptions {
  const backend = env.PLATFORM_BOOTSTRAP_BACKEND ?? "s3";
  if (backend !== "s3" && backend !== "local") {
    throw new RuntimeOptionError(`PLATFORM_BOOTSTRAP_BACKEND must be "s3" or "local", got "${backend}"`);
  }
  // The repository root: main.ts's directory, where the bundled config/ lives.
  const root = dirname(resolve(defaultConfigDir));
  const bootstrapStateDir = resolve(root, env.PLATFORM_BOOTSTRAP_STATE_DIR ?? BOOTSTRAP_STATE_DIR);
  const inOutput = relative(join(root, CDKTF_OUTPUT_DIR), bootstrapStateDir);
  if (inOutput === "" || (!inOutput.startsWith("..") && !isAbsolute(inOutput))) {
    throw new RuntimeOptionError(
      `PLATFORM_BOOTSTRAP_STATE_DIR must be outside ${CDKTF_OUTPUT_DIR}/ (every synth of selected stacks deletes it, and with it the only copy of the state bucket's state), got "${bootstrapStateDir}"`,
    );
  }
  return {
    configDir: resolve(env.PLATFORM_CONFIG_DIR ?? defaultConfigDir),
    stackPatterns: (env.STACKS ?? "").split(/[\s,]+/).filter((pattern) => pattern !== ""),
    bootstrapBackend: backend,
    bootstrapStateDir,
    tokenStackTraces: env.PLATFORM_TOKEN_STACK_TRACES === "1",
  };
}
