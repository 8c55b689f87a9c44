/**
 * The synthesis driver of `main.ts` and of `npm run synth`'s fast path: selects the stacks, synthesizes them in this
 * process or sharded over worker processes, and installs the result all or nothing (stacks/synthesize.ts).
 *
 * Sharding: the selected stacks (catalog order, stacks/app.ts) are dealt round-robin to N shares. This process
 * synthesizes the first; each other share goes to a worker process that loads the same configuration directory,
 * builds only its share and checks it (./shard.ts). This process then
 *
 * - collects every share's problems and, when there are any, throws one SynthesisError listing them in catalog
 *   order — exactly the list a single-process synthesis reports; nothing is written;
 * - otherwise moves every share's stacks into one staging directory and writes `manifest.json` as cdktf writes it
 *   (json-stable-stringify, 2 spaces), with each stack's `dependencies` computed as `buildApp` records them in a
 *   single app (its catalog dependencies that are selected and come before it), and installs the staging directory.
 *
 * The output is byte-identical to a single-process synthesis for any number of workers (test/scripts/synth.test.ts).
 * Worker processes pay the app's start-up (Node, tsx, cdktf, the construct modules, loading the configuration) once
 * each, so they are used only when the selection is large enough to repay it (see `workerCount`); N shares start
 * N - 1 workers.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { supportDate } from "../../../config/runtime-options";
import type { PlatformConfig } from "../../../config/loader";
import { selectStacks, stackCatalog, type BuildOptions } from "../../../stacks/app";
import { installOutput, stagingDirectory, SynthesisError, type SynthesisProblem } from "../../../stacks/synthesize";
import { synthesizeShard, type ManifestStack, type ShardResult } from "./shard";
import type { WorkerReply, WorkerRequest } from "./worker";

/** Below this many selected stacks per worker, another worker costs more (its start-up) than it saves. */
export const MIN_STACKS_PER_WORKER = 40;

export interface SynthesisRun {
  readonly config: PlatformConfig;
  /** Output directory (cdktf.out, or the one the cdktf CLI passes). */
  readonly outdir: string;
  readonly build: BuildOptions;
  /**
   * Worker processes: 1 synthesizes in this process; "auto" uses one per core when the selection repays it.
   * @default "auto"
   */
  readonly workers?: number | "auto";
  /** Keep cdktf's per-token stack traces in the workers (stacks/fast-synth.ts). @default false */
  readonly tokenStackTraces?: boolean;
  /** Stacks per cdktf App inside a share (./shard.ts). @default DEFAULT_BATCH_SIZE */
  readonly batchSize?: number;
}

/** A worker failed with an error other than stack problems (e.g. a construct rejected its input). */
export class WorkerFailure extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    /** The worker's stack trace, when it had one. */
    readonly detail: string | undefined,
  ) {
    super(message);
    this.name = "WorkerFailure";
  }
}

/** How many workers synthesize `selected` stacks when `requested` is "auto": one per core, each with enough stacks. */
export function workerCount(selected: number, requested: number | "auto" = "auto", cores = availableParallelism()): number {
  if (requested !== "auto") return Math.max(1, Math.min(requested, selected));
  return Math.max(1, Math.min(cores, Math.floor(selected / MIN_STACKS_PER_WORKER)));
}

/** Deals `names` round-robin into `count` shares (deterministic; each share keeps catalog order). */
export function shares(names: readonly string[], count: number): string[][] {
  const result: string[][] = Array.from({ length: count }, () => []);
  names.forEach((name, index) => result[index % count]?.push(name));
  return result.filter((share) => share.length > 0);
}

/** tsx's loader (the app runs as `node --import tsx`), by absolute URL so the working directory does not matter. */
const TSX_LOADER = pathToFileURL(createRequire(__filename).resolve("tsx")).href;
const stringify = createRequire(require.resolve("cdktf"))("json-stable-stringify") as (value: unknown, options: { space: number }) => string;

/**
 * Synthesizes the selected stacks of `run.config` into `run.outdir`, all or nothing. Returns the names of the stacks
 * written, in catalog order. Throws StackSelectionError (a pattern selects nothing), SynthesisError (every problem of
 * every stack) or WorkerFailure.
 */
export async function runSynthesis(run: SynthesisRun): Promise<string[]> {
  const catalog = stackCatalog(run.config, run.build);
  const order = new Map(catalog.map((entry, index) => [entry.name, index]));
  const chosen = new Set(selectStacks(catalog.map((entry) => entry.name), run.build.stackPatterns));
  const selected = catalog.filter((entry) => chosen.has(entry.name) && (run.build.stackNames?.includes(entry.name) ?? true)).map((entry) => entry.name);
  const staging = stagingDirectory(run.outdir);
  try {
    const count = workerCount(selected.length, run.workers);
    const build = { bootstrapBackend: run.build.bootstrapBackend, bootstrapStateDir: run.build.bootstrapStateDir };
    let results: ShardResult[];
    if (count === 1) {
      results = [await synthesizeShard({ config: run.config, build, names: selected, outdir: staging, batchSize: run.batchSize })];
    } else {
      const parts = shares(selected, count);
      // This process synthesizes the first share itself while count - 1 workers take the others: it has already paid
      // the start-up (modules and configuration) that each worker pays again, and one process fewer holds memory.
      // The workers get their requests before this process starts its own (synchronous) share.
      const workers = parts.slice(1).map((names, index) =>
        startWorker(run, { kind: "share", names, outdir: join(staging, `.share-${index + 1}`), bootstrapBackend: build.bootstrapBackend, bootstrapStateDir: build.bootstrapStateDir, batchSize: run.batchSize }),
      );
      await Promise.all(workers.map((worker) => worker.sent));
      // Every worker is waited for (none may still write into the staging directory when it is removed).
      const settled = await Promise.allSettled([synthesizeShard({ config: run.config, build, names: parts[0] ?? [], outdir: join(staging, ".share-0"), batchSize: run.batchSize }), ...workers.map((worker) => worker.result)]);
      const failed = settled.find((outcome) => outcome.status === "rejected");
      if (failed) throw failed.reason;
      results = settled.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    }
    const problems = results.flatMap((result) => result.problems);
    if (problems.length > 0) {
      // The order a single app reports them in: stack by stack in catalog order, each stack's in its own order.
      const rank = (problem: SynthesisProblem) => order.get(problem.stack) ?? Number.MAX_SAFE_INTEGER;
      throw new SynthesisError(problems.map((problem, index) => ({ problem, index })).sort((a, b) => rank(a.problem) - rank(b.problem) || a.index - b.index).map(({ problem }) => problem));
    }
    if (count > 1) {
      mkdirSync(join(staging, "stacks"), { recursive: true });
      for (let index = 0; index < results.length; index++) {
        const share = join(staging, `.share-${index}`);
        for (const name of readdirSync(join(share, "stacks"))) renameSync(join(share, "stacks", name), join(staging, "stacks", name));
        rmSync(share, { recursive: true, force: true });
      }
    }
    writeManifest(staging, results, selected, order, catalog);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  installOutput(staging, run.outdir);
  return selected;
}

/** manifest.json as cdktf's App writes it for the selected stacks built in one app (cdktf/lib/manifest.js). */
function writeManifest(staging: string, results: readonly ShardResult[], selected: readonly string[], order: ReadonlyMap<string, number>, catalog: ReturnType<typeof stackCatalog>): void {
  const built = new Set(selected);
  const byName = new Map(catalog.map((entry) => [entry.name, entry]));
  const stacks: Record<string, ManifestStack> = {};
  for (const result of results) {
    for (const [name, stack] of Object.entries(result.stacks)) {
      const entry = byName.get(name);
      const position = order.get(name) ?? -1;
      // buildApp adds a dependency on each catalog dependency built before the stack (TerraformStack.addDependency skips repeats).
      const dependencies = [...new Set((entry?.dependsOn ?? []).filter((dependency) => built.has(dependency) && (order.get(dependency) ?? Infinity) < position))];
      stacks[name] = { ...stack, dependencies };
    }
  }
  const version = results.find((result) => result.version !== "")?.version ?? "";
  writeFileSync(join(staging, "manifest.json"), stringify({ version, stacks }, { space: 2 }));
}

interface StartedWorker {
  /** Settles once both requests are handed to the worker's channel. */
  readonly sent: Promise<void>;
  /** The worker's result. */
  readonly result: Promise<ShardResult>;
}

/** Forks a worker and has it load the configuration and synthesize its share. */
function startWorker(run: SynthesisRun, share: Extract<WorkerRequest, { kind: "share" }>): StartedWorker {
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const result = new Promise<ShardResult>((resolve, reject) => {
    const child: ChildProcess = fork(join(__dirname, "worker.ts"), [], {
      // Same working directory as this process: the problems name files relative to it (config/source.ts displayPath).
      cwd: process.cwd(),
      execArgv: ["--import", TSX_LOADER],
      // The worker validates on the parent's day, so both agree on version support even across midnight.
      env: { ...process.env, PLATFORM_SUPPORT_DATE: supportDate() ?? "" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let settled = false;
    const fail = (error: Error) => {
      markSent();
      if (!settled) reject(error);
      settled = true;
    };
    child.on("message", (reply: WorkerReply) => {
      settled = true;
      if (reply.kind === "done") resolve(reply.result);
      else reject(new WorkerFailure(reply.name, reply.message, reply.stack));
    });
    child.on("error", fail);
    // `close`, not `exit`: it comes after the IPC channel has delivered everything the worker wrote.
    child.on("close", (code, signal) => {
      fail(new WorkerFailure("Error", `synthesis worker exited (${signal ?? `code ${code}`}) before reporting its stacks: ${share.names.slice(0, 3).join(", ")}${share.names.length > 3 ? ", ..." : ""}`, undefined));
    });
    child.send({ kind: "load", configDir: resolvePath(run.config.directory), tokenStackTraces: run.tokenStackTraces ?? false } satisfies WorkerRequest);
    child.send(share, (error) => (error ? fail(error) : markSent()));
  });
  return { sent, result };
}
