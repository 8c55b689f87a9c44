/**
 * `npm run policy:mutations`: the policy pack's mutation suite (scripts/lib/mutations). Synthesizes the configuration
 * once, applies each realistic regression alone (a patch of one synthesized stack, or one edit of a copy of the
 * configuration directory), and checks that the expected rule catches it. Prints one line per mutation and the catch
 * rate; exits 1 unless every mutation is caught and the unmutated stacks pass.
 *
 * Options: --only <id,...>  run only these mutations
 *          --json <file>    also write the results as JSON
 * Environment: PLATFORM_CONFIG_DIR (the configuration to mutate; default the bundled one).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { readRuntimeOptions } from "../config/runtime-options";
import { runMutationSuite } from "./lib/mutations/run";
import { runCommand } from "./lib/run-command";

async function main(argv: string[]): Promise<number> {
  process.setSourceMapsEnabled(false);
  const program = new Command().name("policy:mutations").option("--only <ids>", "comma-separated mutation ids").option("--json <file>", "write the results as JSON").parse(argv, { from: "user" });
  const options = program.opts<{ only?: string; json?: string }>();
  const runtime = readRuntimeOptions(process.env, join(__dirname, "..", "config"));
  const suite = await runMutationSuite({ configDir: runtime.configDir, now: new Date(), ...(options.only ? { only: options.only.split(",").map((id) => id.trim()) } : {}) });
  for (const failure of suite.baselineFailures) process.stdout.write(`BASELINE FAILS  ${failure}\n`);
  for (const result of suite.results) {
    process.stdout.write(`${result.caught ? "caught " : "MISSED "} ${result.id.padEnd(52)} ${result.expected}\n`);
    if (!result.caught) for (const line of result.observed) process.stdout.write(`        ${line}\n`);
  }
  const rate = suite.total === 0 ? 0 : (100 * suite.caught) / suite.total;
  process.stdout.write(`\n${suite.caught}/${suite.total} regressions caught (${rate.toFixed(1)} %)\n`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(suite, null, 2)}\n`);
  return suite.caught === suite.total && suite.total > 0 && suite.baselineFailures.length === 0 ? 0 : 1;
}

runCommand(() => main(process.argv.slice(2)));
