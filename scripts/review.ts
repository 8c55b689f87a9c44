/**
 * `npm run review -- --base <git-ref>`: the change report. Compares the base revision with the working tree — only
 * the stacks the changed files can affect (scripts/lib/review/scope.ts) — and prints markdown
 * (scripts/lib/review/report.ts). Needs no cloud credentials; with `--plans` (CI: `terraform show -json` of each
 * stack's plan) the plan decides each row.
 *
 * Two ways to synthesize the sides (scripts/lib/review/synthesis.ts):
 * - only tenant files changed, in this repository: the code is the same on both sides and is the code of this
 *   process, so each side's configuration is loaded once (the base as the working tree's directory with the changed
 *   tenant files as they were; unchanged tenants are not validated twice) and only the changed tenants' stacks are
 *   synthesized here, plus an environment's stacks when its diagram changes (a shared tenant added or removed). The
 *   cost follows the change, not the number of tenants.
 * - anything else: the base revision is checked out in a temporary git worktree (reusing this checkout's
 *   node_modules through a symlink) and both sides run the app command of cdktf.json in child processes.
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
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../config/errors";
import { loadConfig, type LoadOptions, type PlatformConfig } from "../config/loader";
import { readRuntimeOptions } from "../config/runtime-options";
import type { SynthesizedStack } from "../constructs/policy/model";
import type { LoadedSuppression } from "../constructs/policy/suppressions";
import { stackCatalog } from "../stacks/app";
import { profileOf } from "./lib/bundled";
import { estimateStack } from "./lib/review/cost";
import { changedDiagrams, targetsChangedByConfig } from "./lib/review/diagram";
import { readPlans } from "./lib/review/plan";
import { changeReport, MAX_COMMENT_LENGTH, type Diagram } from "./lib/review/report";
import { reviewScope, tenantStacks } from "./lib/review/scope";
import { synthesizeCheckout, synthesizeStacks } from "./lib/review/synthesis";

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }).trim();
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
    // Not git(): a file's text keeps its trailing newline.
    return execFileSync("git", ["show", `${sha}:${path}`], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

interface Selection {
  /** Stacks to compare on each side; undefined: every stack. */
  readonly base?: string[];
  readonly head?: string[];
  readonly reason: string;
  /** Only tenant files changed: the changed tenant files' text in the base revision by file name (undefined: absent). */
  readonly baseTenantFiles?: ReadonlyMap<string, string | undefined>;
}

/** The stacks to compare on each side, or undefined for all (see scripts/lib/review/scope.ts). */
function selection(repo: string, sha: string, configDir: string, all: boolean): Selection {
  if (all) return { reason: "--all" };
  const inRepo = relative(repo, configDir);
  // Configuration files git ignores still reach synthesis (the app loads the directory), and the base revision has none.
  const ignored = inRepo.startsWith("..") ? [] : git(repo, "ls-files", "--others", "--ignored", "--exclude-standard", "--", inRepo || ".").split("\n").filter((file) => /\.ya?ml$/.test(file));
  const changed = [...new Set([...git(repo, "diff", "--name-only", sha).split("\n"), ...git(repo, "ls-files", "--others", "--exclude-standard").split("\n"), ...ignored].filter((file) => file !== ""))];
  const scope = reviewScope(changed, inRepo.startsWith("..") ? undefined : inRepo);
  if (scope.kind === "all") return { reason: scope.reason };
  const base: string[] = [];
  const head: string[] = [];
  const baseTenantFiles = new Map<string, string | undefined>();
  for (const path of scope.files) {
    const before = gitShow(repo, sha, path);
    const current = existsSync(join(repo, path)) ? readFileSync(join(repo, path), "utf8") : undefined;
    const beforeStacks = tenantStacks(before);
    const afterStacks = tenantStacks(current);
    if (!beforeStacks || !afterStacks) return { reason: `${path} could not be read as a tenant file` };
    base.push(...beforeStacks);
    head.push(...afterStacks);
    baseTenantFiles.set(basename(path), before);
  }
  return { base: [...new Set(base)], head: [...new Set(head)], baseTenantFiles, reason: scope.ids.length > 0 ? `only tenant files changed (${scope.ids.join(", ")})` : "no file that reaches synthesis changed" };
}

/** What the report is built from. */
interface Sides {
  readonly base: Map<string, SynthesizedStack>;
  readonly head: Map<string, SynthesizedStack>;
  /** The working tree's configuration (profiles, stack count); undefined for an app without one. */
  readonly config?: PlatformConfig;
  readonly suppressions: readonly LoadedSuppression[];
  readonly diagrams: readonly Diagram[];
}

function load(directory: string, side: string, options?: LoadOptions): PlatformConfig {
  try {
    return loadConfig(directory, options);
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`the configuration of ${side} is invalid:\n${error.message}`, { cause: error });
    throw error;
  }
}

/** Only tenant files changed, in the repository this process runs from: both sides in this process (see the module comment). */
async function scopedSides(configDir: string, sha: string, selected: Required<Pick<Selection, "base" | "head" | "baseTenantFiles">>, tokenStackTraces: boolean): Promise<Sides> {
  const config = load(configDir, "the working tree");
  const baseConfig = load(configDir, `the base revision ${sha.slice(0, 7)}`, { tenantFiles: selected.baseTenantFiles, reuse: config });
  const options = { tokenStackTraces };
  const head = await synthesizeStacks(config, selected.head, options);
  const base = await synthesizeStacks(baseConfig, selected.base, options);
  // An environment's stacks are the same on both sides (only tenant files changed); its diagram still changes when
  // its shared tenants do, so those environments' stacks are synthesized once, for the diagrams only.
  const environments = new Set(config.environments.map(({ config: environment }) => environment.name));
  const context = targetsChangedByConfig(baseConfig, config).filter((target) => environments.has(target.name));
  const shared = await synthesizeStacks(config, context.flatMap((target) => [target.dns, target.infra, target.platform].filter((name): name is string => name !== undefined)), options);
  const withShared = (side: Map<string, SynthesizedStack>) => new Map([...shared, ...side]);
  return { base, head, config, suppressions: [...config.suppressions], diagrams: changedDiagrams(baseConfig, config, withShared(base), withShared(head)) };
}

/** Anything else: the base revision in a temporary worktree, both sides by the app command in child processes. */
async function checkoutSides(repo: string, sha: string, configDir: string, selected: Selection): Promise<Sides> {
  const scratch = mkdtempSync(join(tmpdir(), "platform-review-"));
  const worktree = join(scratch, "base");
  try {
    git(repo, "worktree", "add", "--detach", worktree, sha);
    if (existsSync(join(repo, "node_modules")) && !existsSync(join(worktree, "node_modules"))) symlinkSync(join(repo, "node_modules"), join(worktree, "node_modules"), "dir");
    const [base, head] = await Promise.all([synthesizeCheckout(worktree, join(scratch, "base.out"), selected.base), synthesizeCheckout(repo, join(scratch, "head.out"), selected.head)]);
    const { config, suppressions } = optionalConfig(configDir);
    const baseConfig = optionalConfig(resolve(worktree, relative(repo, configDir))).config;
    return { base, head, ...(config ? { config } : {}), suppressions, diagrams: changedDiagrams(baseConfig, config, base, head) };
  } finally {
    try {
      git(repo, "worktree", "remove", "--force", worktree);
    } catch {
      git(repo, "worktree", "prune");
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Whether the reviewed repository is the one this process runs from (then its code is this process's code). */
function runsFrom(repo: string): boolean {
  return realpathSync(repo) === realpathSync(resolve(__dirname, ".."));
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
  const runtime = readRuntimeOptions(process.env, join(repo, "config"));
  const configDir = resolve(repo, runtime.configDir);
  const selected = selection(repo, sha, configDir, options.all);
  const scoped = selected.base && selected.head && selected.baseTenantFiles && existsSync(join(configDir, "project.yaml")) && runsFrom(repo);
  const sides = scoped
    ? await scopedSides(configDir, sha, { base: selected.base ?? [], head: selected.head ?? [], baseTenantFiles: selected.baseTenantFiles ?? new Map() }, runtime.tokenStackTraces)
    : await checkoutSides(repo, sha, configDir, selected);
  const { base, head, config } = sides;
  const total = config ? stackCatalog(config).length : undefined;
  const compared = new Set([...base.keys(), ...head.keys()]).size;
  const input = {
    base,
    head,
    baseLabel: sha.startsWith(options.base) ? sha.slice(0, 7) : `${options.base} (${sha.slice(0, 7)})`,
    headLabel: "working tree",
    profileOf: (_: string, json: SynthesizedStack) => profileOf(json, config),
    suppressions: sides.suppressions,
    command: `npm run review -- --base ${options.base}`,
    estimate: estimateStack,
    diagrams: sides.diagrams,
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
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`review: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
