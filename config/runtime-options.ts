/**
 * The only place the app reads environment variables.
 *
 * - PLATFORM_CONFIG_DIR          configuration directory (default: `config` next to main.ts)
 * - STACKS                       comma- or space-separated glob patterns of stacks to synthesize (default: all)
 * - PLATFORM_BOOTSTRAP_BACKEND   `local` for the bootstrap stack's first apply (default: `s3`)
 * - PLATFORM_BOOTSTRAP_STATE_DIR where that first apply keeps its local state (default: `.state` at the repository
 *                                root, gitignored); never inside `cdktf.out/`, which every selective synth deletes
 * - PLATFORM_TOKEN_STACK_TRACES  `1` keeps cdktf's per-token creation stack traces (slow; for debugging token errors)
 * - CDKTF_OUTDIR                 output directory of the synthesis (set by the cdktf CLI from cdktf.json; default `cdktf.out`)
 * - PLATFORM_SYNTH_WORKERS       worker processes the synthesis shards its stacks over: a positive integer, or `auto`
 *                                (default: one per core when enough stacks are selected; scripts/lib/synth/run.ts)
 * - PLATFORM_SUPPORT_DATE        YYYY-MM-DD: the day configuration validation evaluates version support on (default:
 *                                today, UTC); e.g. to see whether the configuration still validates next quarter
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
  /** Where the stacks are written (the cdktf CLI passes its output directory). */
  readonly outdir: string;
  /** Worker processes synthesizing the stacks (1: in the app's process). */
  readonly synthWorkers: number | "auto";
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
  const workers = env.PLATFORM_SYNTH_WORKERS ?? "auto";
  if (workers !== "auto" && !/^[1-9]\d{0,2}$/.test(workers)) {
    throw new RuntimeOptionError(`PLATFORM_SYNTH_WORKERS must be "auto" or a number of worker processes from 1 to 999, got "${workers}"`);
  }
  return {
    configDir: resolve(env.PLATFORM_CONFIG_DIR ?? defaultConfigDir),
    stackPatterns: (env.STACKS ?? "").split(/[\s,]+/).filter((pattern) => pattern !== ""),
    bootstrapBackend: backend,
    bootstrapStateDir,
    tokenStackTraces: env.PLATFORM_TOKEN_STACK_TRACES === "1",
    outdir: resolve(env.CDKTF_OUTDIR ?? "cdktf.out"),
    synthWorkers: workers === "auto" ? "auto" : Number(workers),
  };
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
let supportDateOverride: { readonly date: string | undefined } | undefined;

/**
 * The day configuration validation evaluates version support on (a version past its end of standard support on that
 * day is rejected, constructs/core/versions.ts): PLATFORM_SUPPORT_DATE when set, else today (UTC). Undefined only
 * inside `withSupportDate(undefined, ...)`, which checks catalog membership without dates.
 */
export function supportDate(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string | undefined {
  if (supportDateOverride) return supportDateOverride.date;
  const configured = env.PLATFORM_SUPPORT_DATE;
  if (configured === undefined || configured === "") return now.toISOString().slice(0, 10);
  const time = ISO_DAY.test(configured) ? Date.parse(`${configured}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(time) || !new Date(time).toISOString().startsWith(configured)) {
    throw new RuntimeOptionError(`PLATFORM_SUPPORT_DATE must be a day YYYY-MM-DD (the day version support is evaluated on), got "${configured}"`);
  }
  return configured;
}

/** Runs `run` with version support evaluated on `date` (undefined: catalog membership only, no dates). */
export function withSupportDate<T>(date: string | undefined, run: () => T): T {
  const previous = supportDateOverride;
  supportDateOverride = { date };
  try {
    return run();
  } finally {
    supportDateOverride = previous;
  }
}
