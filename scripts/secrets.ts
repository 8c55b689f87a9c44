/**
 * `npm run secrets -- list|check [targets...]`: the secret values a human must seed, and whether they are.
 *
 *   npm run secrets -- list                 every secret value the configuration needs, by stack (offline)
 *   npm run secrets -- list prod            an environment's (its platform stack, its shared and dedicated tenants)
 *   npm run secrets -- list 'prod-tenant-*' stacks by name or glob; a tenant by id
 *   npm run secrets -- check prod           which exist and have a value (ListSecrets: metadata only)
 *   npm run secrets -- check prod --keys    also the JSON keys of each value (GetSecretValue; values are never printed)
 *   --json                                  machine-readable output
 *
 * Exit status: 0 when everything listed is seeded (list: always 0); 1 when a value is missing, empty, incomplete or
 * its secret is scheduled for deletion; 2 on usage, configuration or AWS errors. Environment: PLATFORM_CONFIG_DIR (see
 * config/runtime-options.ts); AWS credentials and the account of the environments checked (the default chain).
 */
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { allSeeded, formatRequirements, formatStatuses, requiredSecretValues, SecretSelectionError, selectRequirements, type SecretValueRequirement } from "../constructs/secret-values/inventory";
import { checkSecretValues, type ClientFactory } from "./lib/secrets";

const ROOT = join(__dirname, "..");

export interface SecretsCommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** SDK clients (tests pass recorded responses). @default the default credential chain */
  readonly clientFor?: ClientFactory;
}

function requirementsOf(io: SecretsCommandIo, targets: readonly string[]): SecretValueRequirement[] {
  const runtime = readRuntimeOptions(io.env, join(ROOT, "config"));
  return selectRequirements(requiredSecretValues(loadConfig(runtime.configDir)), targets);
}

/** Runs the command; returns the exit status. */
export async function runSecretsCommand(argv: readonly string[], io: SecretsCommandIo): Promise<number> {
  let status = 0;
  const program = new Command()
    .name("secrets")
    .description("The secret values a human must seed in Secrets Manager, and whether they are")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command("list")
    .description("list every secret value to seed (computed from configuration; no AWS call)")
    .argument("[targets...]", "stack names or globs, environment names, tenant ids (default: all)")
    .option("--json", "machine-readable output")
    .action((targets: string[], options: { json?: boolean }) => {
      const requirements = requirementsOf(io, targets);
      io.stdout(options.json ? `${JSON.stringify(requirements, null, 2)}\n` : formatRequirements(requirements));
    });
  program
    .command("check")
    .description("check in Secrets Manager which exist and have a value (values are never printed)")
    .argument("[targets...]", "stack names or globs, environment names, tenant ids (default: all)")
    .option("--keys", "also verify each value's JSON keys (GetSecretValue; needs read access to the values)")
    .option("--json", "machine-readable output")
    .action(async (targets: string[], options: { keys?: boolean; json?: boolean }) => {
      const requirements = requirementsOf(io, targets);
      const statuses = await checkSecretValues(requirements, { keys: options.keys === true, ...(io.clientFor ? { clientFor: io.clientFor } : {}) });
      io.stdout(options.json ? `${JSON.stringify(statuses, null, 2)}\n` : formatStatuses(statuses));
      status = allSeeded(statuses) ? 0 : 1;
    });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError || error instanceof SecretSelectionError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    const name = error instanceof Error ? error.name : "Error";
    io.stderr(`secrets: could not ask Secrets Manager (${name}: ${error instanceof Error ? error.message : String(error)}); use credentials of the environment's account\n`);
    return 2;
  }
  return status;
}

if (require.main === module) {
  runSecretsCommand(process.argv.slice(2), { env: process.env, stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
