/**
 * `npm run state -- <command>`: the Terraform state layout (constructs/core/state-keys.ts).
 *
 *   keys                  every stack's state object key
 *   migrate [--dry-run]   move the state objects of the stacks CI applies from `stacks/<stack>/` to
 *                         `environments/<env>/<stack>/` (an administrator, with the state bucket's account's
 *                         credentials, while CI is paused: no plan or apply may run until the steps printed after
 *                         the moves are done). `--dry-run` prints the `aws s3 mv` commands
 *                         for every stack whose key changed, without calling AWS. Never overwrites an object that
 *                         exists at the new key. Then prints the one-time steps for the CI identity's move from
 *                         `bootstrap` to the account stacks.
 *
 * Uses the AWS CLI (`aws s3api head-object`, `aws s3 mv`). PLATFORM_CONFIG_DIR selects the configuration.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { App, TerraformStack } from "cdktf";
import { Command } from "commander";
import { Construct } from "constructs";
import { ConfigError } from "../config/errors";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { GITHUB_OIDC_HOST, GITHUB_OIDC_URL, STS_AUDIENCE } from "../constructs/core/github-oidc";
import { stackCatalog } from "../stacks/app";
import { bootstrapAccount, s3Backend, stateKey } from "../stacks/context";
import { accountStackName } from "../stacks/names";
import { catalogMoves, describeStep, migrationPlan, moveCommand } from "./lib/state-migration";

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function load(): PlatformConfig {
  try {
    return loadConfig(readRuntimeOptions(process.env, join(__dirname, "..", "config")).configDir);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function aws(args: readonly string[]): { status: number; stderr: string } {
  const result = spawnSync("aws", args, { encoding: "utf8" });
  if (result.error) throw new Error(`cannot run the AWS CLI (aws ${args[0]}): ${result.error.message}`);
  return { status: result.status ?? 1, stderr: result.stderr };
}

/** The Terraform address of the GitHub OIDC provider: `ci/github-oidc` in bootstrap before, in the account stack now. */
function oidcProviderAddress(): string {
  const outdir = mkdtempSync(join(tmpdir(), "state-address-"));
  const stack = new TerraformStack(new App({ outdir }), "address");
  const provider = new IamOpenidConnectProvider(new Construct(stack, "ci"), "github-oidc", { url: GITHUB_OIDC_URL, clientIdList: [STS_AUDIENCE] });
  const address = `aws_iam_openid_connect_provider.${stack.getLogicalId(provider)}`;
  rmSync(outdir, { recursive: true, force: true });
  return address;
}

function printCiIdentitySteps(config: PlatformConfig): void {
  const account = bootstrapAccount(config.project);
  const address = oidcProviderAddress();
  const accountStack = accountStackName(config.project.bootstrap.account);
  print("");
  print("One-time move of the CI identity (it left the bootstrap stack for the account stacks):");
  print(`  1. Keep the GitHub OIDC provider: forget it in bootstrap's state, adopt it in ${accountStack} (one provider per URL and account):`);
  print(`       npm run synth && (cd cdktf.out/stacks/bootstrap && terraform init && terraform state rm '${address}')`);
  print(`       (cd cdktf.out/stacks/${accountStack} && terraform init && terraform import '${address}' arn:aws:iam::${account.accountId}:oidc-provider/${GITHUB_OIDC_HOST})`);
  print("  2. Apply every account stack (an administrator): npm run deploy -- account-<name>   (per-environment CI roles, boundary, controls)");
  print("  3. Apply bootstrap (an administrator): each environment's roles get their own state prefix; the old project-wide CI roles are deleted.");
  print("  4. Set the repository's OIDC subject template (README, 'CI identity'), merge the regenerated workflows, then let CI run again.");
}

const program = new Command().name("state").description("Terraform state layout and its migration").showHelpAfterError();

program
  .command("keys")
  .description("every stack's state object key")
  .action(() => {
    const config = load();
    for (const entry of stackCatalog(config)) print(`${entry.name}\t${stateKey(entry.name, entry.appliedBy === "ci" ? entry.environment : undefined)}`);
  });

program
  .command("migrate")
  .description("move CI stacks' state objects under their environment's prefix")
  .option("--dry-run", "print the commands without calling AWS")
  .action(async (options: { dryRun?: boolean }) => {
    const config = load();
    const backend = s3Backend(config.project);
    if (backend.kind !== "s3") throw new Error("the state backend is not S3");
    if (options.dryRun) {
      print(`# State objects that move (bucket ${backend.bucket}); run only where the old object exists and the new one does not:`);
      for (const move of catalogMoves(config)) print(moveCommand(config, move));
      printCiIdentitySteps(config);
      return;
    }
    const exists = async (key: string): Promise<boolean> => {
      const result = aws(["s3api", "head-object", "--bucket", backend.bucket, "--key", key, "--region", backend.region]);
      if (result.status === 0) return true;
      if (/Not Found|404/.test(result.stderr)) return false;
      throw new Error(`cannot read s3://${backend.bucket}/${key}: ${result.stderr.trim()}`);
    };
    const steps = await migrationPlan(config, exists);
    let failed = false;
    for (const step of steps) {
      print(describeStep(step));
      if (!step.args) continue;
      const result = spawnSync("aws", step.args, { stdio: "inherit" });
      if (result.status !== 0) {
        failed = true;
        process.stderr.write(`  moving ${step.move.stack} failed; nothing else was changed for it\n`);
      }
    }
    printCiIdentitySteps(config);
    if (failed) process.exit(1);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
