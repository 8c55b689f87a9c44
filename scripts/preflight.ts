/**
 * `npm run preflight -- <stack|glob>... [--json] [--verbose] [--recorded <dir>]... [--record <dir>] [--synthesized <dir>]`
 *
 * Read-only AWS checks of what Terraform cannot create or must find, before a stack is applied, with the credentials
 * of the stack's account (CI: its environment's plan role there): zones exist and are delegated, access-entry
 * principals exist, secret values are seeded, service-linked roles exist, instance types and versions are offered in
 * the region and its zones, quotas leave room for what the apply adds, the state key was migrated, GitHub connections
 * are authorized. The checks are in scripts/lib/preflight/checks (one module each); what each reads from the
 * synthesized stack is pure, and so is what it concludes from AWS's answers.
 *
 *   --json             the report as JSON
 *   --verbose          also list what was verified
 *   --recorded <dir>   answer every AWS call from recorded responses (<dir>/<service>/<Operation>.json; repeatable,
 *                      the first directory wins) — no AWS access, e.g. for tests or to replay a report
 *   --record <dir>     call AWS and also write every response there (in the --recorded format)
 *   --synthesized <dir> read the stacks from a cdktf output directory instead of synthesizing them
 *
 * Exit status: 0 nothing blocks the apply; 1 a problem would (an error; warnings alone exit 0); 2 usage,
 * configuration, credentials or an AWS call that failed (a check that could not run never passes).
 * Environment: PLATFORM_CONFIG_DIR (config/runtime-options.ts); AWS credentials through the default chain.
 */
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions, RuntimeOptionError } from "../config/runtime-options";
import { StackSelectionError } from "../stacks/app";
import { liveApi, memoized, NotRecordedError, recordedApi, recordingApi, type AwsApi } from "./lib/preflight/aws";
import { formatReport, reportJson } from "./lib/preflight/report";
import { runPreflight, summarize, verifyAccount } from "./lib/preflight/run";
import { buildTargets, PreflightUsageError } from "./lib/preflight/targets";

const ROOT = join(__dirname, "..");

export interface PreflightCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The AWS layer (tests). @default live SDK clients, or the recorded layer with --recorded */
  readonly api?: AwsApi;
}

interface Options {
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly recorded?: string[];
  readonly record?: string;
  readonly synthesized?: string;
}

/** Runs the command; returns the exit status. */
export async function runPreflightCommand(argv: readonly string[], io: PreflightCommandIo): Promise<number> {
  let status = 0;
  const program = new Command()
    .name("preflight")
    .description("Read-only AWS checks before a stack is applied (run with the credentials of the stack's account)")
    .argument("<stacks...>", "stack names or globs, e.g. prod-infra or 'prod-*'")
    .option("--json", "the report as JSON")
    .option("--verbose", "also list what was verified")
    .option("--recorded <dir>", "answer AWS calls from recorded responses (repeatable; the first directory wins)", (value: string, previous: string[] = []) => [...previous, value])
    .option("--record <dir>", "also write every AWS response to this directory")
    .option("--synthesized <dir>", "read the stacks from this cdktf output directory instead of synthesizing them")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (stacks: string[], options: Options) => {
      if (options.recorded && options.record) throw new PreflightUsageError("--recorded and --record exclude each other");
      const runtime = readRuntimeOptions(io.env, join(ROOT, "config"));
      const config = loadConfig(runtime.configDir);
      const targets = await buildTargets(config, stacks, options.synthesized ? { synthesized: options.synthesized } : {});
      const recording = options.record ? recordingApi(io.api ?? liveApi(), options.record) : undefined;
      const api = memoized(recording ?? io.api ?? (options.recorded ? recordedApi(options.recorded) : liveApi()));
      try {
        await verifyAccount(targets, api);
        const reports = await runPreflight(targets, api);
        const summary = summarize(reports);
        io.stdout(options.json ? reportJson(reports, summary) : formatReport(reports, summary, { verbose: options.verbose === true }));
        status = summary.exitCode;
      } finally {
        recording?.flush();
      }
    });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError || error instanceof StackSelectionError || error instanceof PreflightUsageError || error instanceof RuntimeOptionError || error instanceof NotRecordedError) {
      io.stderr(`preflight: ${error.message}\n`);
      return 2;
    }
    const name = error instanceof Error ? error.name : "Error";
    io.stderr(`preflight: ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  return status;
}

if (require.main === module) {
  runPreflightCommand(process.argv.slice(2), { env: process.env, stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
