/**
 * `npm run tenant -- <command>`: onboard, list and decommission tenants.
 *
 *   add <id> --env <env> --isolation shared|dedicated [--products p,q] [--domain d [--certificate-arn a]] [--cidr c]
 *       [--account a] [--owner o] [--cost-centre c]
 *   allocate <id>     complete a hand-written tenant file: a dedicated tenant's VPC CIDR (next free pool block),
 *                     a shared tenant's ingress group (lowest load balancer with room); every other file lacking its
 *                     allocation is completed in the same run, in id order, and nothing is written unless the whole
 *                     configuration is valid afterwards
 *   list              tenants with isolation, CIDR and stacks
 *   remove <id>       print the decommission steps; refuses while deletion protection is on. Never deletes state.
 *
 * PLATFORM_CONFIG_DIR selects the configuration directory, as for synth.
 */
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig } from "../config/loader";
import { displayPath } from "../config/source";
import { readRuntimeOptions } from "../config/runtime-options";
import { ISOLATION_MODES } from "../config/schema/tenant";
import { addTenant, allocateTenants, decommissionPlan, readTenantFile, TenancyError, tenantStacks } from "../config/tenancy";
import { protectsState } from "../stacks/context";
import { recordNewStacks } from "./state-addresses";

const BUNDLED_CONFIG_DIR = join(__dirname, "..", "config");
const configDir = readRuntimeOptions(process.env, BUNDLED_CONFIG_DIR).configDir;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

const program = new Command().name("tenant").description("Onboard, list and decommission tenants").showHelpAfterError();

program
  .command("add")
  .argument("<id>", "tenant id (DNS-safe, unique)")
  .requiredOption("--env <environment>", "environment the tenant belongs to")
  .addOption(new Option("--isolation <mode>", "shared or dedicated").choices([...ISOLATION_MODES]).makeOptionMandatory())
  .option("--products <names>", "comma-separated products of the environment the tenant runs (shared: at least one)", (value) => value.split(",").map((name) => name.trim()).filter(Boolean))
  .option("--domain <domain>", "domain of the tenant's product (default <id>.<product domain>); outside the environment's zones it is a custom domain")
  .option("--certificate-arn <arn>", "custom domain: ACM certificate in the environment's account and region covering its hosts")
  .option("--cidr <cidr>", "dedicated tenants: use this VPC CIDR instead of the next free pool block")
  .option("--account <name>", "dedicated tenants: the AWS account (project.yaml accounts) its stacks deploy into (default: its environment's)")
  .option("--owner <owner>", "Owner tag")
  .option("--cost-centre <costCentre>", "CostCentre tag")
  .action(async (id: string, options: { env: string; isolation: "shared" | "dedicated"; products?: string[]; domain?: string; certificateArn?: string; cidr?: string; account?: string; owner?: string; costCentre?: string }) => {
    const result = addTenant(configDir, {
      id,
      environment: options.env,
      isolation: options.isolation,
      ...(options.products ? { products: options.products } : {}),
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.certificateArn ? { certificateArn: options.certificateArn } : {}),
      ...(options.cidr ? { cidr: options.cidr } : {}),
      ...(options.account ? { account: options.account } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.costCentre ? { costCentre: options.costCentre } : {}),
    });
    print(`wrote ${displayPath(result.file)}${result.tenant.network ? ` (VPC ${result.tenant.network.cidr})` : ""}`);
    // The workflows never change with tenants; the bundled configuration's state-address record gets the new stacks.
    if (resolve(configDir) === resolve(BUNDLED_CONFIG_DIR)) {
      for (const file of await recordNewStacks(loadConfig(configDir), result.stacks)) print(`wrote ${displayPath(file)}`);
    }
    print("stacks to review:");
    for (const stack of result.stacks) print(`  npm run diff -- ${stack}`);
  });

program
  .command("allocate")
  .argument("<id>", "tenant whose file lacks its allocation (dedicated: network.cidr; shared: ingressGroup)")
  .action((id: string) => {
    const current = readTenantFile(configDir, id);
    // Every other hand-written file lacking its allocation is completed too, in id order; nothing is written unless
    // the whole configuration is valid afterwards.
    for (const line of allocateTenants(configDir, id, current)) {
      const tenant = line.slice(0, line.indexOf(":"));
      print(`allocated ${line.slice(tenant.length + 2)} to ${tenant} in ${displayPath(join(configDir, "tenants", `${tenant}.yaml`))}`);
    }
  });

program.command("list").action(() => {
  const config = loadConfig(configDir);
  const rows = config.tenants.map(({ config: tenant }) => [
    tenant.id,
    tenant.environment,
    tenant.isolation,
    tenant.network?.cidr ?? "-",
    tenant.ingressGroup === undefined ? "own" : `tenants-${tenant.ingressGroup}`,
    tenantStacks(tenant).join(", "),
  ]);
  const header = ["TENANT", "ENV", "ISOLATION", "CIDR", "LOAD BALANCER", "STACKS"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  for (const row of [header, ...rows]) print(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd());
});

program
  .command("remove")
  .argument("<id>", "tenant id")
  .action((id: string) => {
    const config = loadConfig(configDir);
    const environments = new Map(config.environments.map((env) => [env.config.name, env.config]));
    const plan = decommissionPlan(config, id, (name) => {
      const environment = environments.get(name);
      return environment ? protectsState(environment) : true;
    });
    print(plan.refused ? `Refusing to remove ${id}: its resources have deletion protection. Decommission steps:` : `Decommission steps for ${id} (state is never deleted):`);
    plan.steps.forEach((step, index) => print(`  ${index + 1}. ${step}`));
    if (plan.refused) process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof TenancyError || error instanceof InvalidArgumentError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
