/**
 * Synthesis worker process (forked by ./run.ts): loads and validates the configuration directory it is given, waits
 * for its share of the stacks, synthesizes it (./shard.ts) and reports the manifest entries and problems back.
 * Nothing here decides what is selected or how problems are reported: the parent does, once for every share.
 */
import { loadConfig, type PlatformConfig } from "../../../config/loader";
import { disableTokenStackTraces, reuseAssetArchives } from "../../../stacks/fast-synth";
import { replyAndDisconnect } from "./ipc";
import { synthesizeShard, type ShardResult } from "./shard";

/** What the parent sends: the configuration to load first, then the share. */
export type WorkerRequest =
  | { readonly kind: "load"; readonly configDir: string; readonly tokenStackTraces: boolean }
  | { readonly kind: "share"; readonly names: readonly string[]; readonly outdir: string; readonly bootstrapBackend?: "s3" | "local"; readonly bootstrapStateDir?: string; readonly batchSize?: number };

/** What the worker answers to a share. */
export type WorkerReply = { readonly kind: "done"; readonly result: ShardResult } | { readonly kind: "failed"; readonly name: string; readonly message: string; readonly stack?: string };

let config: PlatformConfig | undefined;
let loadError: unknown;

process.on("message", (request: WorkerRequest) => {
  if (request.kind === "load") {
    if (!request.tokenStackTraces) disableTokenStackTraces();
    reuseAssetArchives();
    try {
      config = loadConfig(request.configDir);
    } catch (error) {
      loadError = error; // reported with the share (the parent has loaded the same directory and normally fails first)
    }
    return;
  }
  const run = async (): Promise<ShardResult> => {
    if (!config) throw loadError instanceof Error ? loadError : new Error(`configuration not loaded: ${String(loadError)}`);
    return synthesizeShard({ config, names: request.names, outdir: request.outdir, build: { bootstrapBackend: request.bootstrapBackend, bootstrapStateDir: request.bootstrapStateDir }, batchSize: request.batchSize });
  };
  run().then(
    (result) => replyAndDisconnect({ kind: "done", result }),
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      replyAndDisconnect({ kind: "failed", name: failure.constructor.name, message: failure.message, stack: failure.stack });
    },
  );
});
