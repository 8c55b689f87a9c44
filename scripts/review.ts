/**
 * `npm run review -- --base <git-ref>`: the offline change report. Synthesizes the base revision in a
 * temporary git worktree (reusing this checkout's node_modules through a symlink) and the working tree, both
 * with the app command of cdktf.json, then prints markdown per stack (see constructs/policy/review.ts). Needs
 * no cloud credentials.
 *
 * Options: --base <ref>              git revision to compare with (required), e.g. origin/main, HEAD~1
 *          --output <file>           also write the markdown to a file
 *          --affected-output <file>  write the changed stacks as a JSON array (the CI diff matrix)
 *          --max-length <n>          truncate the markdown to n characters (default 65,536)
 *          --repo <dir>              repository to review (default: this checkout)
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Command } from "commander";
import { loadConfig, type PlatformConfig } from "../config/loader";
import { changeReport, MAX_COMMENT_LENGTH } from "../constructs/policy/review";
import type { LoadedSuppression } from "../constructs/policy/suppressions";
import { profileOf, readSynthesized } from "./lib/bundled";

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The app command of a checkout's cdktf.json (`node_modules/.bin/tsx main.ts`). */
function appCommand(checkout: string): string {
  const cdktf = JSON.parse(readFileSync(join(checkout, "cdktf.json"), "utf8")) as { app?: string };
  if (!cdktf.app) throw new Error(`${checkout}/cdktf.json has no "app" command`);
  return cdktf.app;
}

/** Runs a checkout's app into `outdir`; resolves with its stderr on failure. */
function synthesize(checkout: string, outdir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(appCommand(checkout), {
      cwd: checkout,
      shell: true,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", STACKS: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (status) => (status === 0 ? done() : fail(new Error(`synthesis of ${checkout} failed (exit ${status}):\n${stderr.slice(-4000)}`))));
  });
}

function optionalConfig(checkout: string): { config?: PlatformConfig; suppressions: LoadedSuppression[] } {
  const directory = join(checkout, "config");
  if (!existsSync(join(directory, "project.yaml"))) return { suppressions: [] };
  try {
    const config = loadConfig(directory);
    return { config, suppressions: [...config.suppressions] };
  } catch {
    return { suppressions: [] }; // the synthesis reports configuration errors itself
  }
}

async function main(argv: string[]): Promise<number> {
  const options = new Command()
    .name("review")
    .requiredOption("--base <ref>", "git revision to compare with, e.g. origin/main")
    .option("--output <file>", "write the markdown to a file")
    .option("--affected-output <file>", "write the changed stacks as a JSON array")
    .option("--max-length <n>", "maximum markdown length", String(MAX_COMMENT_LENGTH))
    .option("--repo <dir>", "repository to review", join(__dirname, ".."))
    .parse(argv, { from: "user" })
    .opts<{ base: string; output?: string; affectedOutput?: string; maxLength: string; repo: string }>();

  const repo = git(resolve(options.repo), "rev-parse", "--show-toplevel");
  const sha = git(repo, "rev-parse", "--verify", `${options.base}^{commit}`);
  const scratch = mkdtempSync(join(tmpdir(), "platform-review-"));
  const worktree = join(scratch, "base");
  try {
    git(repo, "worktree", "add", "--detach", worktree, sha);
    if (existsSync(join(repo, "node_modules")) && !existsSync(join(worktree, "node_modules"))) symlinkSync(join(repo, "node_modules"), join(worktree, "node_modules"), "dir");
    const baseOut = join(scratch, "base.out");
    const headOut = join(scratch, "head.out");
    await Promise.all([synthesize(worktree, baseOut), synthesize(repo, headOut)]);

    const { config, suppressions } = optionalConfig(repo);
    const report = changeReport({
      base: readSynthesized(baseOut),
      head: readSynthesized(headOut),
      baseLabel: sha.startsWith(options.base) ? sha.slice(0, 7) : `${options.base} (${sha.slice(0, 7)})`,
      headLabel: "working tree",
      profileOf: (_, json) => profileOf(json, config),
      suppressions,
      maxLength: Number(options.maxLength),
      command: `npm run review -- --base ${options.base}`,
    });
    process.stdout.write(report.markdown);
    for (const [file, content] of [[options.output, report.markdown], [options.affectedOutput, `${JSON.stringify(report.affected)}\n`]] as const) {
      if (!file) continue;
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
