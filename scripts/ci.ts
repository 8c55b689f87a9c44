/**
 * `npm run ci -- <command>`: what the generated workflows run per matrix entry (scripts/lib/ci/*). Each command
 * takes everything from its arguments; GitHub's files ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY) are passed as options.
 *
 *   plan    --stacks 'a b' --environment E [--after 'a'] [--preflight] --out-dir cdktf.out --plans DIR
 *   review  --tier T --plans DIR [--summary F] [--github-output F] [--run-url U]
 *   check   --stacks 'a b' [--recheck 'a'] [--preflight] --out-dir cdktf.out --plans DIR --approvals DIR --cleared F --outcomes DIR
 *   apply   --cleared F --out-dir cdktf.out --plans DIR --outcomes DIR [--commit SHA] [--run-url U]
 *   outcome --manifest F --outcomes DIR --plans DIR --chain N [--summary F] [--github-output F]
 *   drift   --manifest F --plans DIR --out F [--run-url U]
 *
 * Exit codes: 0 when every stack of the entry ended as expected, 1 when one failed, was blocked or must be planned
 * again (the job turns red and the promotion stops), 2 on bad input.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { z } from "zod";
import { loadConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import { deployRecordKey } from "../constructs/core/state-keys";
import { bootstrapAccount, stateBucketName } from "../stacks/context";
import { type Manifest, deployRecord, stackHash, TIERS } from "./lib/manifest";
import type { Profile } from "../config/schema/environment";
import { ApplyStatusSchema, PlanStatusSchema, reviewSummary, type ApplyStatus, type PlanStatus } from "./lib/ci/plans";
import { driftFindings, runOutcome, tierPromotes } from "./lib/ci/reports";
import { applyChunk, checkChunk, PLAN_FILES, planChunk, spawnExecutor } from "./lib/ci/stack-jobs";

function words(text: string | undefined): string[] {
  return (text ?? "").split(/[\s,]+/).filter(Boolean);
}

function append(file: string | undefined, text: string): void {
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, text);
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 1)}\n`);
}

/** Every plan status under a directory of downloaded plan artifacts (`<dir>/**\/<stack>/status.json`). */
function planStatuses(directory: string): { status: PlanStatus; folder: string }[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(PLAN_FILES.status))
    .map((path) => ({ status: PlanStatusSchema.parse(JSON.parse(readFileSync(join(directory, path), "utf8"))), folder: dirname(join(directory, path)) }));
}

function applyStatuses(directory: string): ApplyStatus[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".json"))
    .flatMap((path) => z.array(ApplyStatusSchema).parse(JSON.parse(readFileSync(join(directory, path), "utf8"))));
}

function planTexts(found: readonly { status: PlanStatus; folder: string }[]): Map<string, string> {
  return new Map(found.flatMap(({ status, folder }) => (existsSync(join(folder, PLAN_FILES.text)) ? [[status.stack, readFileSync(join(folder, PLAN_FILES.text), "utf8")] as const] : [])));
}

function config() {
  return loadConfig(readRuntimeOptions(process.env, join(__dirname, "..", "config")).configDir);
}

/** The CLI; exported so tests can run a command in process (`program.parseAsync(argv, { from: "user" })`). */
export const program = new Command().name("ci").description("The per-entry work of the CI workflows").showHelpAfterError();

program
  .command("plan")
  .description("plan each stack of a chunk into a saved plan file, with its text, JSON, lock file and status")
  .requiredOption("--stacks <names>", "space-separated stacks")
  .requiredOption("--environment <name>", "the chunk's environment")
  .option("--after <names>", "stacks whose dependencies this run deploys first (a failed plan defers them)")
  .option("--preflight", "run npm run preflight -- <stack> before planning", false)
  .requiredOption("--out-dir <dir>", "synthesized output (cdktf.out)")
  .requiredOption("--plans <dir>", "where to write <stack>/tfplan, plan.txt, plan.json, status.json")
  .action(async (options: { stacks: string; environment: string; after?: string; preflight: boolean; outDir: string; plans: string }) => {
    const statuses = await planChunk({
      stacks: words(options.stacks),
      afterOthers: new Set(words(options.after)),
      outDir: options.outDir,
      plansDir: options.plans,
      environmentOf: () => options.environment,
      hashOf: (stack) => (existsSync(join(options.outDir, "stacks", stack, "cdk.tf.json")) ? stackHash(join(options.outDir, "stacks", stack)) : ""),
      preflight: options.preflight,
      exec: spawnExecutor,
    });
    for (const status of statuses) process.stdout.write(`${status.stack}: ${status.outcome}${status.message ? ` (${status.message})` : ""}\n`);
    if (statuses.some((status) => status.outcome === "failed" || status.outcome === "blocked")) process.exitCode = 1;
  });

program
  .command("review")
  .description("the plans of a tier for its reviewers, and the environments that wait for an approval")
  .requiredOption("--tier <profile>", "promotion tier")
  .requiredOption("--plans <dir>", "downloaded plan artifacts")
  .option("--summary <file>", "append the markdown (e.g. $GITHUB_STEP_SUMMARY)")
  .option("--github-output <file>", "append `approvals` (a matrix) and `approvals-count`")
  .option("--run-url <url>", "the run's URL (for plans too large for the summary)")
  .action((options: { tier: string; plans: string; summary?: string; githubOutput?: string; runUrl?: string }) => {
    const found = planStatuses(options.plans);
    const approvalEnvironments = new Map(config().environments.map(({ config: environment }) => [environment.name, environment.deployment.approvalEnvironment]));
    const result = reviewSummary({ tier: options.tier, statuses: found.map(({ status }) => status), planTexts: planTexts(found), approvalEnvironments, ...(options.runUrl ? { runUrl: options.runUrl } : {}) });
    append(options.summary, result.markdown);
    append(options.githubOutput, `approvals=${JSON.stringify({ include: result.approvals })}\napprovals-count=${result.approvals.length}\n`);
    if (!options.summary) process.stdout.write(result.markdown);
  });

program
  .command("check")
  .description("between approval and apply, with the plan role: approval, preflight, and a fresh plan of stacks whose dependencies were applied first")
  .requiredOption("--stacks <names>", "space-separated stacks")
  .option("--recheck <names>", "stacks to plan again and compare with their approved plan")
  .option("--preflight", "run npm run preflight -- <stack> again", false)
  .requiredOption("--out-dir <dir>", "synthesized output (cdktf.out)")
  .requiredOption("--plans <dir>", "this chunk's plan artifacts")
  .requiredOption("--approvals <dir>", "approval markers (<environment>.json)")
  .requiredOption("--cleared <file>", "where to write the stacks cleared for apply")
  .requiredOption("--outcomes <file>", "where to write the outcome of the stacks not cleared")
  .option("--manifest <file>", "the run's manifest: a stack whose dependencies in this run were not deployed is deferred")
  .option("--github-output <file>", "append `cleared-count`")
  .option("--done <dir>", "outcomes of the jobs before this one")
  .action(async (options: { stacks: string; recheck?: string; preflight: boolean; outDir: string; plans: string; approvals: string; cleared: string; outcomes: string; manifest?: string; done?: string; githubOutput?: string }) => {
    const manifest = options.manifest ? (JSON.parse(readFileSync(options.manifest, "utf8")) as Manifest) : undefined;
    const deployed = new Set(applyStatuses(options.done ?? "").filter((status) => status.outcome === "applied" || status.outcome === "recorded").map((status) => status.stack));
    const after = new Map((manifest?.stacks ?? []).map((stack) => [stack.stack, stack.after]));
    const result = await checkChunk({
      stacks: words(options.stacks),
      recheck: new Set(words(options.recheck)),
      outDir: options.outDir,
      plansDir: options.plans,
      approvalsDir: options.approvals,
      preflight: options.preflight,
      exec: spawnExecutor,
      undeployedDependencies: (stack) => (after.get(stack) ?? []).filter((name) => !deployed.has(name)),
    });
    writeJson(options.cleared, result.cleared);
    writeJson(options.outcomes, result.settled);
    for (const status of result.settled) process.stdout.write(`${status.stack}: ${status.outcome} (${status.message ?? ""})\n`);
    append(options.githubOutput, `cleared-count=${result.cleared.length}\n`);
  });

program
  .command("apply")
  .description("apply the cleared stacks' saved plans (with the deploy role) and write their deploy records")
  .requiredOption("--cleared <file>", "written by `check`")
  .requiredOption("--out-dir <dir>", "synthesized output (cdktf.out)")
  .requiredOption("--plans <dir>", "this chunk's plan artifacts")
  .requiredOption("--outcomes <file>", "where to write each stack's outcome")
  .option("--settled <file>", "the outcomes `check` wrote: counted in the exit code")
  .option("--commit <sha>", "the deployed commit (recorded)")
  .option("--run-url <url>", "the run (recorded)")
  .action(async (options: { cleared: string; outDir: string; plans: string; outcomes: string; settled?: string; commit?: string; runUrl?: string }) => {
    const project = config().project;
    const cleared = existsSync(options.cleared) ? z.array(PlanStatusSchema).parse(JSON.parse(readFileSync(options.cleared, "utf8"))) : [];
    const appliedAt = new Date().toISOString();
    const results = await applyChunk({
      cleared,
      outDir: options.outDir,
      plansDir: options.plans,
      scratchDir: join(options.plans, ".records"),
      exec: spawnExecutor,
      record: {
        bucket: stateBucketName(project),
        region: bootstrapAccount(project).region,
        keyOf: deployRecordKey,
        bodyOf: (status) => `${JSON.stringify(deployRecord(status.stack, status.hash, { appliedAt, ...(options.commit ? { commit: options.commit } : {}), ...(options.runUrl ? { run: options.runUrl } : {}) }), null, 1)}\n`,
      },
    });
    writeJson(options.outcomes, results);
    for (const status of results) process.stdout.write(`${status.stack}: ${status.outcome} (${status.message ?? ""})\n`);
    const settled = options.settled && existsSync(options.settled) ? z.array(ApplyStatusSchema).parse(JSON.parse(readFileSync(options.settled, "utf8"))) : [];
    // Deferred stacks are not a failure: a follow-up run deploys them.
    if ([...settled, ...results].some((status) => !["applied", "recorded", "deferred"].includes(status.outcome))) process.exitCode = 1;
  });

program
  .command("outcome")
  .description("the deploy run's result, and whether a follow-up run is needed")
  .requiredOption("--manifest <file>", "the run's manifest")
  .requiredOption("--outcomes <dir>", "downloaded outcome artifacts")
  .option("--chain <n>", "follow-up runs so far", "0")
  .option("--summary <file>", "append the markdown")
  .option("--github-output <file>", "append `follow-up` (true/false) and `reason`")
  .action((options: { manifest: string; outcomes: string; chain: string; summary?: string; githubOutput?: string }) => {
    const manifest = JSON.parse(readFileSync(options.manifest, "utf8")) as Manifest;
    const chain = Number.parseInt(options.chain, 10);
    const result = runOutcome(manifest, applyStatuses(options.outcomes), Number.isInteger(chain) && chain >= 0 ? chain : 0);
    append(options.summary, result.markdown);
    append(options.githubOutput, `follow-up=${result.followUp}\nreason=${result.reason.replaceAll("\n", " ")}\n`);
    if (!options.summary) process.stdout.write(result.markdown);
  });

program
  .command("gate")
  .description("whether a tier may promote: every stack it planned was applied or recorded")
  .requiredOption("--tier <profile>", "promotion tier")
  .requiredOption("--manifest <file>", "the run's manifest")
  .requiredOption("--outcomes <dir>", "downloaded outcome artifacts")
  .option("--summary <file>", "append the markdown")
  .option("--github-output <file>", "append `promote` (true/false)")
  .option("--earlier <results>", "the promote outputs of the earlier tiers (space-separated): a tier never promotes past one that did not")
  .action((options: { tier: string; manifest: string; outcomes: string; summary?: string; githubOutput?: string; earlier?: string }) => {
    const manifest = JSON.parse(readFileSync(options.manifest, "utf8")) as Manifest;
    const tier = tierPromotes(manifest, options.tier, applyStatuses(options.outcomes));
    const earlierHeld = words(options.earlier).some((value) => value !== "true") || words(options.earlier).length < TIERS.indexOf(options.tier as Profile);
    const result = { promote: tier.promote && !earlierHeld, pending: tier.pending };
    const text = earlierHeld
      ? `Tier ${options.tier}: not promoted: an earlier tier did not deploy all its stacks.\n`
      : result.promote
        ? `Tier ${options.tier}: every planned stack was deployed; the next tier may run.\n`
        : `Tier ${options.tier}: not promoted; not deployed: ${result.pending.join(", ")}. Later tiers wait for a follow-up run.\n`;
    append(options.summary, `### Promotion\n\n${text}\n`);
    append(options.githubOutput, `promote=${result.promote}\n`);
    process.stdout.write(text);
  });

program
  .command("drift")
  .description("one finding per planned stack (drift, undeployed, failed, clean) for the drift issues")
  .requiredOption("--manifest <file>", "the drift run's manifest")
  .requiredOption("--plans <dir>", "downloaded plan artifacts")
  .requiredOption("--out <file>", "where to write the findings (JSON)")
  .option("--run-url <url>", "the run's URL", "")
  .option("--summary <file>", "append the markdown (e.g. $GITHUB_STEP_SUMMARY)")
  .action((options: { manifest: string; plans: string; out: string; runUrl: string; summary?: string }) => {
    const manifest = JSON.parse(readFileSync(options.manifest, "utf8")) as Manifest;
    const found = planStatuses(options.plans);
    const findings = driftFindings(manifest, found.map(({ status }) => status), planTexts(found), options.runUrl);
    writeJson(options.out, findings);
    const counts = new Map<string, number>();
    for (const finding of findings) counts.set(finding.state, (counts.get(finding.state) ?? 0) + 1);
    const line = `drift check: ${[...counts].map(([state, count]) => `${count} ${state}`).join(", ") || "nothing planned"}`;
    process.stdout.write(`${line}\n`);
    append(options.summary, `### Drift check\n\n${line}\n\n${findings.filter((finding) => finding.state !== "clean").map((finding) => `- \`${finding.stack}\`: ${finding.state}`).join("\n")}\n`);
  });

if (require.main === module) {
  program.parseAsync().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  });
}
