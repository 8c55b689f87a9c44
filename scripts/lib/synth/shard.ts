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
import { App } from "cdktf";
import type { PlatformConfig } from "../../../config/loader";
import { buildApp, type BuildOptions } from "../../../stacks/app";
import { SynthesisError, synthesizeChecked, type SynthesisProblem } from "../../../stacks/synthesize";

/** Stacks per cdktf App inside one share (memory stays bounded; the per-app overhead is a few milliseconds). */
export const DEFAULT_BATCH_SIZE = 100;

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
  }
  return { version, stacks: problems.length > 0 ? {} : stacks, problems };
}
