/**
 * One share of a synthesis: builds the named stacks in apps of at most `batchSize` stacks each, checks every stack
 * (stacks/synthesize.ts: aspects, validations, the policy pack) and writes them under `outdir/stacks/` while no
 * problem is known. Runs in a worker process (./worker.ts) or in the calling process (./run.ts with one worker).
 *
 * Each batch is a fresh cdktf App that is dropped once written, so memory follows the batch, not the number of
 * tenants: a stack's JSON depends only on its own construct tree (stacks never reference one another, see
 * stacks/base-stack.ts), which the shard equivalence test proves byte for byte.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { App } from "cdktf";
import type { PlatformConfig } from "../../../config/loader";
import { buildApp, type BuildOptions } from "../../../stacks/app";
import { SynthesisError, synthesizeChecked, type SynthesisProblem } from "../../../stacks/synthesize";

/**
 * Stacks per cdktf App inside one share, with a full collection after each (memory follows the batch; the per-app
 * overhead is a few milliseconds). 1000 shared tenants on two processes, summed peak RSS: 958 MiB with 25 and a
 * collection, 1016 MiB with 50, 1213 MiB with 100 and no collection (`npm run bench -- --tenants 1000`, 2026-12-06).
 */
export const DEFAULT_BATCH_SIZE = 25;

/** A stack's entry in cdktf's manifest.json (cdktf/lib/manifest.js `forStack`). */
export interface ManifestStack {
  readonly name: string;
  readonly constructPath: string;
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
  readonly stackMetadataPath: string;
  readonly annotations: readonly unknown[];
  readonly dependencies: readonly string[];
}

export interface ShardResult {
  /** cdktf's version, as its manifest records it. */
  readonly version: string;
  /** The manifest entries of the stacks written (none when a problem was found). */
  readonly stacks: Readonly<Record<string, ManifestStack>>;
  /** Every problem of every stack of the share, in stack order. */
  readonly problems: readonly SynthesisProblem[];
}

export interface ShardRequest {
  readonly config: PlatformConfig;
  /** Bootstrap backend options (the stack selection comes from `names`). */
  readonly build: Pick<BuildOptions, "bootstrapBackend" | "bootstrapStateDir">;
  /** The stacks of this share, in catalog order. */
  readonly names: readonly string[];
  /** Directory the share writes `stacks/<name>/` (and a scratch manifest.json) into. */
  readonly outdir: string;
  readonly batchSize?: number;
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection between batches: the dropped app's construct trees are garbage, and V8 otherwise lets
 * the heap grow to several times the live data before it collects the old generation (1000 tenants in batches of
 * 20 without it: 630 + 583 MiB). `--expose-gc` is set at run time, so the app command stays as cdktf.json has it.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

export async function synthesizeShard(request: ShardRequest): Promise<ShardResult> {
  const batchSize = request.batchSize ?? DEFAULT_BATCH_SIZE;
  const problems: SynthesisProblem[] = [];
  const stacks: Record<string, ManifestStack> = {};
  let version = "";
  for (let start = 0; start < request.names.length; start += batchSize) {
    const app = new App({ outdir: request.outdir });
    await buildApp(app, request.config, { ...request.build, stackNames: request.names.slice(start, start + batchSize) });
    try {
      synthesizeChecked(app, problems);
    } catch (error) {
      if (!(error instanceof SynthesisError)) throw error;
      continue; // the remaining batches are still checked, and nothing more is written
    }
    const manifest = JSON.parse(readFileSync(join(request.outdir, "manifest.json"), "utf8")) as { version: string; stacks: Record<string, ManifestStack> };
    version = manifest.version;
    Object.assign(stacks, manifest.stacks);
    if (start + batchSize < request.names.length) collectGarbage();
  }
  return { version, stacks: problems.length > 0 ? {} : stacks, problems };
}
