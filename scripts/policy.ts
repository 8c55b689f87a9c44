/**
 * `npm run policy`: synthesizes the bundled stacks (or reads an existing output with --from), evaluates the
 * policy pack on each with its environment's profile, threshold and the suppressions in config, prints a
 * table and writes reports:
 *
 *   <out>/policy.json    every finding, suppression and rule
 *   <out>/policy.sarif   SARIF 2.1.0 for code scanning
 *   <out>/policy.md      markdown summary (job summary / PR comment)
 *
 * Exit status: 1 when a stack has an unsuppressed finding at or above its threshold or a rejected
 * suppression; 2 on usage or configuration errors.
 *
 * Options: --from <cdktf.out>  evaluate an existing synth output instead of synthesizing
 *          --out <dir>         report directory (default reports/policy)
 *          --list-rules        print the rule catalog and exit
 * Environment: STACKS (stack patterns), PLATFORM_CONFIG_DIR (see config/runtime-options.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Command } from "commander";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { evaluateStack, passed, type StackEvaluation } from "../constructs/policy/engine";
import { StackModel } from "../constructs/policy/model";
import { formatTable, jsonReport, markdownSummary, sarifReport } from "../constructs/policy/report";
import { RULES } from "../constructs/policy/rules";
import { SCOPE_LABELS } from "../constructs/policy/types";
import { failAtOf, profileOf, readSynthesized, synthesizeBundled } from "./lib/bundled";
import { runCommand } from "./lib/run-command";

const ROOT = join(__dirname, "..");

async function main(argv: string[]): Promise<number> {
  // As in main.ts: cdktf records a stack trace per token; source-mapping them dominates synthesis time.
  process.setSourceMapsEnabled(false);
  const program = new Command()
    .name("policy")
    .option("--from <dir>", "evaluate an existing synth output (cdktf.out) instead of synthesizing")
    .option("--out <dir>", "report directory", join("reports", "policy"))
    .option("--list-rules", "print the rule catalog")
    .parse(argv, { from: "user" });
  const options = program.opts<{ from?: string; out: string; listRules?: boolean }>();

  if (options.listRules) {
    for (const rule of RULES) process.stdout.write(`${rule.id.padEnd(28)} ${rule.severity.padEnd(9)} ${SCOPE_LABELS[rule.scope].padEnd(42)} ${rule.title}\n`);
    process.stdout.write(`${RULES.length} rules\n`);
    return 0;
  }

  const runtime = readRuntimeOptions(process.env, join(ROOT, "config"));
  const config = loadConfig(runtime.configDir);
  const suppressions = config.suppressions;
  const outdir = options.from ? resolve(options.from) : await synthesizeBundled(config, { stackPatterns: runtime.stackPatterns });
  const stacks = readSynthesized(outdir);

  const models = new Map([...stacks].map(([name, json]) => [name, new StackModel(json, name)]));
  const evaluations: StackEvaluation[] = [...stacks].map(([name, json]) => {
    const model = models.get(name) as StackModel;
    const failAt = failAtOf(json, config);
    return evaluateStack(model, {
      stack: name,
      profile: profileOf(json, config),
      ...(failAt ? { failAt } : {}),
      suppressions,
      peers: [...models.values()].filter((peer) => peer !== model),
      // With STACKS, only some stacks are synthesized: rules about what must exist somewhere cannot judge them.
      complete: runtime.stackPatterns.length === 0,
    });
  });

  const reportDir = resolve(options.out);
  mkdirSync(reportDir, { recursive: true });
  const artifactRoot = options.from ? relative(ROOT, outdir).split("\\").join("/") || "." : "cdktf.out";
  writeFileSync(join(reportDir, "policy.json"), `${JSON.stringify(jsonReport(evaluations), null, 2)}\n`);
  writeFileSync(join(reportDir, "policy.sarif"), `${JSON.stringify(sarifReport(evaluations, (finding) => ({ uri: `${artifactRoot}/stacks/${finding.stack}/cdk.tf.json` })), null, 2)}\n`);
  writeFileSync(join(reportDir, "policy.md"), markdownSummary(evaluations));

  process.stdout.write(formatTable(evaluations));
  const ok = evaluations.every(passed);
  process.stdout.write(`\n${RULES.length} rules, ${evaluations.length} stacks: ${ok ? "passed" : "FAILED"}. Reports in ${relative(process.cwd(), reportDir) || "."}/policy.{json,sarif,md}\n`);
  return ok ? 0 : 1;
}

runCommand(() => main(process.argv.slice(2)));
