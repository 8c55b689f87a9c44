/**
 * cdktf entry point: load and validate configuration, build the selected stacks, synthesize
 * (scripts/lib/synth/entry.ts; `npm run synth` runs the same code in its own process, without the cdktf CLI).
 *
 * Invalid configuration prints every problem and exits 1 before any stack is constructed. Synthesis checks every
 * stack before it writes any (stacks/synthesize.ts): policy and RPO problems of all stacks are printed together, each
 * at the configuration key behind the resource, and the run exits 1. The stacks are written into a staging directory
 * beside the output directory (CDKTF_OUTDIR, set by the cdktf CLI; default cdktf.out) and moved into place only when
 * every stack succeeded, so a failed run leaves the output directory exactly as it was. Large selections are sharded
 * over worker processes, one per core (PLATFORM_SYNTH_WORKERS; scripts/lib/synth/run.ts), with identical output.
 */
import { join } from "node:path";
import { synthesizeFromEnvironment } from "./scripts/lib/synth/entry";

synthesizeFromEnvironment(process.env, join(__dirname, "config")).then(
  ({ exitCode }) => process.exit(exitCode),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
