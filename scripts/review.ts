/**
 * `npm run review -- --base <git-ref>`: the change report. Synthesizes the base revision in a temporary git
 * worktree (reusing this checkout's node_modules through a symlink) and the working tree, both with the app
 * command of cdktf.json — only the stacks the changed files can affect (scripts/lib/review/scope.ts) — then
 * prints markdown (scripts/lib/review/report.ts). Needs no cloud credentials; with `--plans` (CI: `terraform show
 * -json` of each stack's plan) the plan decides each row.
 *
 * Options: --base <ref>              git revision to compare with (required), e.g. origin/main, HEAD~1
 *          --output <file>           also write the markdown (cut to --max-length) to a file
 *          --full-output <file>      write the whole report, never cut (the CI artifact and job summary)
 *          --affected-output <file>  write the changed stacks as a JSON array (the CI diff matrix)
 *          --plans <dir>             plan JSON per stack, <dir>/<stack>.json
 *          --full-report-url <url>   linked when the comment is cut
 *          --max-length <n>          truncate the markdown to n characters (default 65,536)
 *          --all                     synthesize and compare every stack, whatever changed
 *          --repo <dir>              repository to review (default: this checkout)
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import type { SynthesizedStack } from "../constructs/policy/model";
import type { LoadedSuppression } from "../constructs/policy/suppressions";
import { profileOf, readSynthesized } from "./lib/bundled";
import { estimateStack } from "./lib/review/cost";
import { changedDiagrams } from "./lib/review/diagram";
import { readPlans } from "./lib/review/plan";
import { changeReport, MAX_COMMENT_LENGTH } from "./lib/review/report";
import { reviewScope, tenantStacks } from "./lib/review/scope";

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }).trim();
}

/** The app command of a checkout's cdktf.json (`node --import tsx main.ts`). */
function appCommand(checkout: string): string {
  const cdktf = JSON.parse(readFileSync(join(checkout, "cdktf.json"), "utf8")) as { app?: string };
  if (!cdktf.app) throw new Error(`${checkout}/cdktf.json has no "app" command`);
  return cdktf.app;
}

/** Runs a checkout's app into `outdir` for the selected stacks (all when undefined); resolves with the stacks. */
function synthesize(checkout: string, outdir: string, stacks: readonly string[] | undefined): Promise<Map<string, SynthesizedStack>> {
  if (stacks !== undefined && stacks.length === 0) return Promise.resolve(new Map());
  return new Promise((done, fail) => {
    const child = spawn(appCommand(checkout), {
      cwd: checkout,
      shell: true,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", STACKS: stacks ? stacks.join(",") : "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (status) => (status === 0 ? done(readSynthesized(outdir)) : fail(new Error(`synthesis of ${checkout} failed (exit ${status}):\n${stderr.slice(-4000)}`))));
  });
}

function optionalConfig(directory: string): { config?: PlatformConfig; suppressions: LoadedSuppression[] } {
  if (!existsSync(join(directory, "project.yaml"))) return { suppressions: [] };
  try {
    const config = loadConfig(directory);
    return { config, suppressions: [...config.suppressions] };
  } catch {
    return { suppressions: [] }; // the synthesis reports configuration errors itself
  }
}

function gitShow(repo: string, sha: string, path: string): string | undefined {
  try {
    return git(repo, "show", `${sha}:${path}`);
  } catch {
    return undefined;
  }
}

/** The stacks to compare on each side, or undefined for all (see scripts/lib/review/scope.ts). */
function selection(repo: string, sha: string, configDir: string, all: boolean): { base?: string[]; head?: string[]; reason: string } {
  if (all) return { reason: "--all" };
  const changed = [...new Set([...git(repo, "diff", "--name-only", sha).split("\n"), ...git(repo, "ls-files", "--others", "--exclude-standard").split("\n")].filter((file) => file !== ""))];
  const inRepo = relative(repo, configDir);
  const scope = reviewScope(changed, inRepo.startsWith("..") ? undefined : inRepo);
  if (scope.kind === "all") return { reason: scope.reason };
  const base: string[] = [];
  const head: string[] = [];
  for (const id of scope.ids) {
    const path = join(inRepo, "tenants", `${id}.yaml`);
    const before = tenantStacks(gitShow(repo, sha, path));
    const after = tenantStacks(existsSync(join(repo, path)) ? readFileSync(join(repo, path), "utf8") : undefined);
    if (!before || !after) return { reason: `${path} could not be read as a tenant file` };
    base.push(...before);
    head.push(...after);
  }
  return { base, head, reason: scope.ids.length > 0 ? `only tenant files changed (${scope.ids.join(", ")})` : "no file that reaches synthesis changed" };
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1000) throw new InvalidArgumentError("expected an integer of at least 1000");
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  const options = new Command()
    .name("review")
    .requiredOption("--base <ref>", "git revision to compare with, e.g. origin/main")
    .option("--output <file>", "write the markdown (cut to --max-length) to a file")
    .option("--full-output <file>", "write the whole report to a file")
    .option("--affected-output <file>", "write the changed stacks as a JSON array")
    .option("--plans <dir>", "plan JSON per stack (<dir>/<stack>.json, from terraform show -json)")
    .option("--full-report-url <url>", "where the full report is, linked when the comment is cut")
    .option("--max-length <n>", "maximum markdown length", positiveInt, MAX_COMMENT_LENGTH)
    .option("--all", "compare every stack, whatever changed", false)
    .option("--repo <dir>", "repository to review", join(__dirname, ".."))
    .parse(argv, { from: "user" })
    .opts<{ base: string; output?: string; fullOutput?: string; affectedOutput?: string; plans?: string; fullReportUrl?: string; maxLength: number; all: boolean; repo: string }>();

  const plans = options.plans ? readPlans(resolve(options.plans)) : undefined; // bad plan files fail before any work
  const repo = git(resolve(options.repo), "rev-parse", "--show-toplevel");
  const sha = git(repo, "rev-parse", "--verify", `${options.base}^{commit}`);
  const configDir = readRuntimeOptions(process.env, join(repo, "config")).configDir;
  const selected = selection(repo, sha, resolve(repo, configDir), options.all);
  const scratch = mkdtempSync(join(tmpdir(), "platform-review-"));
  const worktree = join(scratch, "base");
  try {
    git(repo, "worktree", "add", "--detach", worktree, sha);
    if (existsSync(join(repo, "node_modules")) && !existsSync(join(worktree, "node_modules"))) symlinkSync(join(repo, "node_modules"), join(worktree, "node_modules"), "dir");
    const [base, head] = await Promise.all([synthesize(worktree, join(scratch, "base.out"), selected.base), synthesize(repo, join(scratch, "head.out"), selected.head)]);

    const { config, suppressions } = optionalConfig(resolve(repo, configDir));
    const baseConfig = optionalConfig(resolve(worktree, relative(repo, resolve(repo, configDir)))).config;
    const total = config ? config.environments.length * 2 + config.tenants.reduce((sum, tenant) => sum + (tenant.config.isolation === "dedicated" ? 2 : 1), 1) : undefined;
    const compared = new Set([...base.keys(), ...head.keys()]).size;
    const input = {
      base,
      head,
      baseLabel: sha.startsWith(options.base) ? sha.slice(0, 7) : `${options.base} (${sha.slice(0, 7)})`,
      headLabel: "working tree",
      profileOf: (_: string, json: SynthesizedStack) => profileOf(json, config),
      suppressions,
      command: `npm run review -- --base ${options.base}`,
      estimate: estimateStack,
      diagrams: changedDiagrams(baseConfig, config, base, head),
      ...(plans ? { plans } : {}),
      ...(options.fullReportUrl ? { fullReportUrl: options.fullReportUrl } : {}),
      scope: `${compared} stack(s) compared: ${selected.reason}`,
      ...(total !== undefined && selected.head ? { notCompared: Math.max(0, total - compared) } : {}),
    };
    const report = changeReport({ ...input, maxLength: options.maxLength });
    process.stdout.write(report.markdown);
    const full = options.fullOutput ? changeReport({ ...input, maxLength: Number.MAX_SAFE_INTEGER }).markdown : undefined;
    for (const [file, content] of [[options.output, report.markdown], [options.fullOutput, full], [options.affectedOutput, `${JSON.stringify(report.affected)}\n`]] as const) {
      if (!file || content === undefined) continue;
      mkdirSync(dirname(resolve(file)), { recursive: true });
      writeFileSync(resolve(file), content);
    }
    return 0;
  } finally {
    try {
      git(repo, "worktree", "remove", "--force", worktree);
    } catch {
      git(repo, "worktree", "prune");
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`review: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
