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
import { createRequire } from "node:module";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { App } from "cdktf";
import type { PlatformConfig } from "../../../config/loader";
import { buildApp, type BuildOptions } from "../../../stacks/app";
import { SynthesisError, synthesizeChecked, type SynthesisProblem } from "../../../stacks/synthesize";

/**
 * Stacks per cdktf App inside one share; at a batch boundary, a full collection once the heap has grown enough
 * (collectGarbageIfGrown), so memory follows the batch (the per-app overhead is a few milliseconds). 1000 shared
 * tenants on two processes, summed peak RSS: 1213 MiB with 100 and no collection, 1016 MiB with 50 and 958 MiB with 25
 * and a collection after each, 571 MiB once the written batches' tokens are forgotten too (`forgetTokensSince`;
 * 2026-12-06).
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

/** How far the heap may grow past what the last collection left before the next batch boundary collects. */
const GC_BUDGET_BYTES = 64 * 2 ** 20;

/** Heap in use right after the last collection (0: none yet). */
let liveAfterLastCollection = 0;

/**
 * A full garbage collection at a batch boundary once the heap has grown by GC_BUDGET_BYTES since the last one: the
 * dropped apps' construct trees are garbage, and V8 otherwise lets the heap grow to several times the live data
 * before it collects the old generation (1000 tenants in batches of 20 without it: 630 + 583 MiB). A forced
 * collection costs more than its pause (50–110 ms at 1000 tenants, about 90 MiB live, 35 MiB of garbage per batch):
 * collecting after every batch took 4–16% more wall time and 6–15% more CPU than this budget, which collects about
 * every other batch for 35–70 MiB more per process (1000 tenants, `node --import tsx main.ts` in four interleaved
 * pairs: 37.4/31.2, 40.2/35.5, 39.2/37.8 and 41.0/38.9 s; summed peak RSS 498–502 against 564–571 MiB in
 * `npm run bench -- --config <1000 tenants> --runs 3`). `--expose-gc` is set at run time, so the
 * app command stays as cdktf.json has it.
 */
function collectGarbageIfGrown(): void {
  if (process.memoryUsage().heapUsed < liveAfterLastCollection + GC_BUDGET_BYTES) return;
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  liveAfterLastCollection = process.memoryUsage().heapUsed;
}

/** cdktf's process-wide token registry (cdktf/lib/tokens/private/token-map.js; private in its typings). */
interface TokenRegistry {
  readonly stringTokenMap: Map<string, unknown>;
  readonly numberTokenMap: Map<number, unknown>;
}

const TOKEN_REGISTRY = (createRequire(require.resolve("cdktf"))("./tokens/private/token-map") as { TokenMap: { instance(): TokenRegistry } }).TokenMap.instance();

/** The keys of every token registered so far. */
function tokenKeys(): { readonly strings: ReadonlySet<string>; readonly numbers: ReadonlySet<number> } {
  return { strings: new Set(TOKEN_REGISTRY.stringTokenMap.keys()), numbers: new Set(TOKEN_REGISTRY.numberTokenMap.keys()) };
}

/**
 * Forgets the tokens registered since `known`: those of a batch that is written. cdktf registers every token in a
 * process-wide map and never removes one, and each token refers to its resource, so without this every batch's whole
 * construct tree stays alive (about 150 tokens per tenant stack; 5000 tenants reached 1141 MiB per process and every
 * collection scanned the growing heap). A later use of a forgotten token fails loudly ("Unrecognized token key"); the
 * batch tests synthesize in batches of two and compare the bytes with one app.
 */
function forgetTokensSince(known: ReturnType<typeof tokenKeys>): void {
  // Deleting the entry being visited is safe while iterating a Map.
  for (const key of TOKEN_REGISTRY.stringTokenMap.keys()) if (!known.strings.has(key)) TOKEN_REGISTRY.stringTokenMap.delete(key);
  for (const key of TOKEN_REGISTRY.numberTokenMap.keys()) if (!known.numbers.has(key)) TOKEN_REGISTRY.numberTokenMap.delete(key);
}

export async function synthesizeShard(request: ShardRequest): Promise<ShardResult> {
  const batchSize = request.batchSize ?? DEFAULT_BATCH_SIZE;
  const problems: SynthesisProblem[] = [];
  const stacks: Record<string, ManifestStack> = {};
  let version = "";
  for (let start = 0; start < request.names.length; start += batchSize) {
    const known = tokenKeys();
    try {
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
    } finally {
      // Between batches (the last batch's tokens stay, as in a single app, for callers that inspect its stacks).
      if (start + batchSize < request.names.length) {
        forgetTokensSince(known);
        collectGarbageIfGrown();
      }
    }
  }
  return { version, stacks: problems.length > 0 ? {} : stacks, problems };
}
