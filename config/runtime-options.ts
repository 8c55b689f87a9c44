/**
 * The only place the app reads environment variables.
 *
 * - PLATFORM_CONFIG_DIR          configuration directory (default: `config` next to main.ts)
 * - STACKS                       comma- or space-separated glob patterns of stacks to synthesize (default: all)
 * - PLATFORM_BOOTSTRAP_BACKEND   `local` for the bootstrap stack's first apply (default: `s3`)
 * - PLATFORM_TOKEN_STACK_TRACES  `1` keeps cdktf's per-token creation stack traces (slow; for debugging token errors)
 * - CDKTF_OUTDIR                 output directory of the synthesis (set by the cdktf CLI from cdktf.json; default `cdktf.out`)
 */
import { resolve } from "node:path";

export interface RuntimeOptions {
  readonly configDir: string;
  readonly stackPatterns: readonly string[];
  readonly bootstrapBackend: "s3" | "local";
  readonly tokenStackTraces: boolean;
  /** Where the stacks are written (the cdktf CLI passes its output directory). */
  readonly outdir: string;
}

export class RuntimeOptionError extends Error {}

export function readRuntimeOptions(env: NodeJS.ProcessEnv, defaultConfigDir: string): RuntimeOptions {
  const backend = env.PLATFORM_BOOTSTRAP_BACKEND ?? "s3";
  if (backend !== "s3" && backend !== "local") {
    throw new RuntimeOptionError(`PLATFORM_BOOTSTRAP_BACKEND must be "s3" or "local", got "${backend}"`);
  }
  return {
    configDir: resolve(env.PLATFORM_CONFIG_DIR ?? defaultConfigDir),
    stackPatterns: (env.STACKS ?? "").split(/[\s,]+/).filter((pattern) => pattern !== ""),
    bootstrapBackend: backend,
    tokenStackTraces: env.PLATFORM_TOKEN_STACK_TRACES === "1",
    outdir: resolve(env.CDKTF_OUTDIR ?? "cdktf.out"),
  };
}
