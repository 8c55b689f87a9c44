/**
 * `npm run review` on this project in a temporary git repository: a change to tenant files only is reviewed in
 * process (each side's configuration loaded once, only the changed tenants' stacks synthesized), and that scoped
 * report must say exactly what a review of every stack says (`--all`: base revision in a git worktree, every
 * stack synthesized by the app command). Only the lines that describe the scope itself may differ.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/synth";

const shared = (id: string) => `id: ${id}\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts:\n  noor: {}\n`;

/** This checkout's files (tracked and new) with a small configuration: one environment and a few shared tenants. */
function projectRepository(): string {
  const repo = mkdtempSync(join(tmpdir(), "review-scoped-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(join(repo, file, ".."), { recursive: true });
    cpSync(join(ROOT, file), join(repo, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
  for (const file of ["environments/dev.yaml", "environments/staging.yaml", "tenants/initech.yaml"]) rmSync(join(repo, "config", file));
  for (const id of ["delta", "echo"]) writeFileSync(join(repo, "config", "tenants", `${id}.yaml`), shared(id));
  appendFileSync(join(repo, ".gitignore"), "config/tenants/golf.yaml\n"); // an ignored tenant file still reaches synthesis
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=ci@example.com", "-c", "user.name=ci", ...args], { cwd: repo, stdio: "pipe" });
  git("init", "--quiet");
  git("add", ".");
  git("commit", "--quiet", "-m", "base");
  return repo;
}

function review(repo: string, ...extra: string[]): { markdown: string; affected: string[] } {
  const out = mkdtempSync(join(tmpdir(), "review-out-"));
  try {
    const result = spawnSync(process.execPath, ["--import", "tsx", join("scripts", "review.ts"), "--base", "HEAD", "--full-output", join(out, "full.md"), "--affected-output", join(out, "affected.json"), ...extra], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    if (result.status !== 0) throw new Error(`review ${extra.join(" ")} failed (exit ${result.status}):\n${result.stderr}`);
    return { markdown: readFileSync(join(out, "full.md"), "utf8"), affected: JSON.parse(readFileSync(join(out, "affected.json"), "utf8")) as string[] };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The report without the lines that describe the review's scope (how many stacks were compared, and why). */
const content = (markdown: string) =>
  markdown
    .split("\n")
    .filter((line) => !/^Scope: |^\d+ other stack\(s\) cannot be affected|^Unchanged: /.test(line))
    .map((line) => line.replace(/\*\*(\d+)\*\* of \d+ compared stacks change/, "**$1** of N compared stacks change"))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");

describe("npm run review: a tenant-only change", () => {
  const repo = projectRepository();
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("reports in process exactly what a review of every stack reports", () => {
    appendFileSync(join(repo, "config", "tenants", "delta.yaml"), "owner: delta-team\n"); // changed
    rmSync(join(repo, "config", "tenants", "echo.yaml")); // removed
    writeFileSync(join(repo, "config", "tenants", "foxtrot.yaml"), shared("foxtrot")); // added
    writeFileSync(join(repo, "config", "tenants", "golf.yaml"), shared("golf")); // added, and ignored by git

    const scoped = review(repo);
    const all = review(repo, "--all");

    expect(scoped.markdown).toContain("Scope: 4 stack(s) compared: only tenant files changed (delta, echo, foxtrot, golf).");
    expect(all.markdown).toContain("compared: --all.");
    expect(scoped.affected).toEqual(["prod-tenant-delta", "prod-tenant-foxtrot", "prod-tenant-golf"]);
    expect(scoped.affected).toEqual(all.affected);
    // The shared tenants of prod changed, so both show prod's architecture diagram (the scoped review synthesizes prod's stacks for it).
    expect(all.markdown).toContain("Architecture: environment prod");
    expect(content(scoped.markdown)).toBe(content(all.markdown));
    expect(execFileSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" }).trim().split("\n")).toHaveLength(1);
  }, 900_000);
});
