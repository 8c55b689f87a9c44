/**
 * `npm run manifest`: the stack manifest of a CI run (scripts/lib/manifest.ts), as JSON and as the matrices of the
 * workflow's fixed jobs.
 *
 *   npm run manifest -- deploy --out-dir cdktf.out --records records [--stacks changed|all|'<glob> ...']
 *   npm run manifest -- drift --out-dir cdktf.out [--records records]
 *   npm run manifest -- pull-request --affected reports/affected.json
 *   npm run manifest -- scopes                       where each environment's deploy records are read from
 *
 * Common options: --json FILE (the manifest), --github-output FILE (matrices as step outputs: `<job key>` and
 * `<job key>-count`), --summary FILE (markdown appended, e.g. $GITHUB_STEP_SUMMARY). Exit 1 on bad input.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { computeManifest, ManifestError, readDeployRecords, recordScopes, synthesizedHashes, type Manifest, type ManifestMode } from "./lib/manifest";

interface CommonOptions {
  json?: string;
  githubOutput?: string;
  summary?: string;
}

function write(file: string | undefined, text: string, append = false): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  if (append) appendFileSync(file, text);
  else writeFileSync(file, text);
}

/** `name=value` lines for $GITHUB_OUTPUT (values are single-line JSON). */
export function githubOutputs(manifest: Manifest): string {
  const lines: string[] = [];
  for (const [key, matrix] of Object.entries(manifest.jobs)) {
    lines.push(`${key}=${JSON.stringify(matrix)}`, `${key}-count=${matrix.include.length}`);
  }
  lines.push(`stacks=${JSON.stringify(manifest.stacks.map((stack) => stack.stack))}`, `deferred-count=${manifest.deferred.length}`, `stack-count=${manifest.stacks.length}`);
  return `${lines.join("\n")}\n`;
}

/** The manifest as the run's job summary. */
export function manifestSummary(manifest: Manifest): string {
  const lines = [`### Stack manifest (${manifest.mode}${manifest.mode === "deploy" ? `: ${manifest.selection}` : ""})`, ""];
  if (manifest.stacks.length === 0) lines.push("Nothing to do: every stack CI applies matches its last successful deploy.", "");
  else {
    lines.push("| stack | tier | stage | environment | runner | why |", "|---|---|---|---|---|---|");
    for (const stack of manifest.stacks) lines.push(`| \`${stack.stack}\` | ${stack.tier} | ${stack.stage} | ${stack.environment} | ${stack.runner || "GitHub-hosted"} | ${stack.reason}${stack.after.length > 0 ? ` (after ${stack.after.join(", ")})` : ""} |`);
    lines.push("");
  }
  if (manifest.deferred.length > 0) {
    lines.push("**Deferred** (a dependency is deployed later in this run or deferred; a follow-up run deploys them):", "");
    for (const item of manifest.deferred) lines.push(`- \`${item.stack}\` waits for ${item.waitingFor.map((name) => `\`${name}\``).join(", ")}`);
    lines.push("");
  }
  if (manifest.mode === "deploy") lines.push(`Unchanged: ${manifest.unchanged.length} stack(s).`, "");
  if (manifest.administrator.length > 0) {
    lines.push(`> [!NOTE]\n> Applied by an administrator, never by CI: ${manifest.administrator.map((name) => `\`${name}\``).join(", ")} (\`npm run deploy -- <stack>\` with administrator credentials when they change).`, "");
  }
  for (const problem of manifest.problems) lines.push(`> [!WARNING]\n> ${problem}`, "");
  return `${lines.join("\n")}\n`;
}

function loadProjectConfig() {
  return loadConfig(readRuntimeOptions(process.env, join(__dirname, "..", "config")).configDir);
}

function emit(manifest: Manifest, options: CommonOptions): void {
  write(options.json, `${JSON.stringify(manifest, null, 1)}\n`);
  write(options.githubOutput, githubOutputs(manifest), true);
  write(options.summary, manifestSummary(manifest), true);
  if (!options.json) process.stdout.write(`${JSON.stringify(manifest, null, 1)}\n`);
  process.stderr.write(`manifest (${manifest.mode}): ${manifest.stacks.length} stack(s), ${manifest.deferred.length} deferred, ${Object.entries(manifest.jobs).filter(([, matrix]) => matrix.include.length > 0).length} job(s) with work\n`);
}

function records(directory: string | undefined) {
  return directory ? readDeployRecords(directory) : { records: new Map(), problems: [] };
}

function common(command: Command): Command {
  return command
    .option("--json <file>", "write the manifest as JSON")
    .option("--github-output <file>", "append the matrices as step outputs (e.g. $GITHUB_OUTPUT)")
    .option("--summary <file>", "append a markdown summary (e.g. $GITHUB_STEP_SUMMARY)");
}

const program = new Command().name("manifest").description("The stack manifest of a CI run").showHelpAfterError();

common(program.command("deploy").description("stacks whose synthesized output differs from their last successful deploy (or all, or patterns)"))
  .requiredOption("--out-dir <dir>", "synthesized output (cdktf.out)")
  .option("--records <dir>", "deploy records downloaded from the state bucket")
  .option("--stacks <selection>", "changed (default), all, or space/comma-separated glob patterns", "changed")
  .action((options: CommonOptions & { outDir: string; records?: string; stacks: string }) => {
    const config = loadProjectConfig();
    const read = records(options.records);
    const text = options.stacks.trim();
    const selection = text === "" || text === "changed" ? "changed" : text === "all" ? "all" : text.split(/[\s,]+/).filter(Boolean);
    emit(computeManifest({ config, mode: "deploy", hashes: synthesizedHashes(options.outDir), records: read.records, recordProblems: read.problems, selection }), options);
  });

common(program.command("drift").description("every stack CI applies, to plan for drift"))
  .requiredOption("--out-dir <dir>", "synthesized output (cdktf.out)")
  .option("--records <dir>", "deploy records downloaded from the state bucket")
  .action((options: CommonOptions & { outDir: string; records?: string }) => {
    const config = loadProjectConfig();
    const read = records(options.records);
    emit(computeManifest({ config, mode: "drift" as ManifestMode, hashes: synthesizedHashes(options.outDir), records: read.records, recordProblems: read.problems }), options);
  });

common(program.command("pull-request").description("the stacks a pull request affects, to plan with their plan roles"))
  .requiredOption("--affected <file>", "JSON array of affected stacks (npm run review -- --affected-output)")
  .action((options: CommonOptions & { affected: string }) => {
    const affected = JSON.parse(readFileSync(options.affected, "utf8")) as unknown;
    if (!Array.isArray(affected) || !affected.every((item) => typeof item === "string")) throw new ManifestError(`${options.affected}: expected a JSON array of stack names`);
    emit(computeManifest({ config: loadProjectConfig(), mode: "pull-request", selection: affected as string[] }), options);
  });

program
  .command("scopes")
  .description("where each environment's deploy records are read from (its plan role, the state bucket)")
  .option("--github-output <file>", "append `scopes` (a matrix) to this file")
  .action((options: { githubOutput?: string }) => {
    const scopes = { include: recordScopes(loadProjectConfig()) };
    if (options.githubOutput) write(options.githubOutput, `scopes=${JSON.stringify(scopes)}\n`, true);
    else process.stdout.write(`${JSON.stringify(scopes, null, 1)}\n`);
  });

if (require.main === module) {
  try {
    program.parse();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ManifestError || error instanceof SyntaxError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
