/**
 * The offline change report (pure diff over synthesized stacks), and one end-to-end run of
 * `scripts/review.ts` against a temporary git repository.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { Construct } from "constructs";
import { afterAll, describe, expect, it } from "vitest";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { changeReport, type ReviewInput } from "../../../../scripts/lib/review/report";
import { aurora } from "../../../constructs/policy/cases/databases";
import { bucket } from "../../../constructs/policy/cases/storage";
import { fixture } from "../../../constructs/policy/cases/support";
import { ROOT } from "../../../support/synth";

function stacks(entries: Record<string, (scope: Construct) => void>): Map<string, SynthesizedStack> {
  return new Map(Object.entries(entries).map(([name, build]) => [name, fixture(build)]));
}

function report(base: Map<string, SynthesizedStack>, head: Map<string, SynthesizedStack>, extra: Partial<ReviewInput> = {}) {
  return changeReport({ base, head, baseLabel: "origin/main (1a2b3c4)", profileOf: () => "production", ...extra });
}

describe("change report", () => {
  it("warns loudly when a database would be replaced, naming the attribute that forces it", () => {
    const result = report(stacks({ data: (s) => aurora(s) }), stacks({ data: (s) => aurora(s, { engine: "aurora-mysql" }) }));
    const [data] = result.stacks;
    expect(data?.resources).toEqual([expect.objectContaining({ action: "replace", type: "aws_rds_cluster", path: "fixture/db" }), ...(data?.resources.slice(1) ?? [])]);
    expect(result.markdown).toContain("> [!CAUTION]");
    expect(result.markdown).toMatch(/`data`: `aws_rds_cluster\.db` \(`fixture\/db`\) would be \*\*REPLACED\*\* \(destroyed and re-created\) because `engine` `"aurora-postgresql"` → `"aurora-mysql"`/);
    expect(result.markdown).toContain("**(forces replacement)**");
    expect(result.affected).toEqual(["data"]);
  });

  it("warns when a renamed stateful construct would be destroyed, and not when the rename carries a move", () => {
    const base = stacks({ data: (s) => new KmsKey(s, "key", { enableKeyRotation: true }) });
    const renamed = report(base, stacks({ data: (s) => new KmsKey(s, "data-key", { enableKeyRotation: true }) }));
    expect(renamed.markdown).toMatch(/`aws_kms_key\.key` \(`fixture\/key`\) would be \*\*DESTROYED\*\* — key material/);
    expect(renamed.markdown).toContain("| ➕ create | `aws_kms_key.data-key` | `fixture/data-key` |");

    const moved = report(base, stacks({ data: (s) => new KmsKey(s, "data-key", { enableKeyRotation: true }).moveFromId("aws_kms_key.key") }));
    expect(moved.markdown).not.toContain("[!CAUTION]");
    expect(moved.markdown).toContain("| 🚚 move | `aws_kms_key.key` → `aws_kms_key.data-key` | `fixture/data-key` |");
  });

  it("lists in-place updates with their changed attributes and masks credentials", () => {
    const result = report(
      stacks({ data: (s) => aurora(s, { manageMasterUserPassword: undefined, masterPassword: "${random_password.a.result}" }) }),
      stacks({ data: (s) => aurora(s, { backupRetentionPeriod: 21, manageMasterUserPassword: undefined, masterPassword: "${random_password.b.result}" }) }),
    );
    expect(result.markdown).not.toContain("[!CAUTION]");
    expect(result.markdown).toContain("`backup_retention_period`: `14` → `21`");
    expect(result.markdown).toContain("`master_password`: _(sensitive)_ → _(sensitive)_");
    expect(result.markdown).not.toContain("random_password");
  });

  it("reports added and removed stacks; a removed stack destroys its stateful resources", () => {
    const result = report(stacks({ old: (s) => bucket(s), same: (s) => bucket(s) }), stacks({ same: (s) => bucket(s), fresh: (s) => bucket(s) }));
    expect(result.stacks.map((change) => [change.stack, change.status])).toEqual([
      ["same", "unchanged"],
      ["fresh", "added"],
      ["old", "removed"],
    ]);
    expect(result.markdown).toMatch(/`old`: `aws_s3_bucket\.uploads` \(`fixture\/uploads`\) would be \*\*DESTROYED\*\* — bucket objects and their versions is lost \(the whole stack is removed\)/);
    expect(result.markdown).toContain("Unchanged: `same`.");
    expect(result.affected).toEqual(["fresh"]);
  });

  it("shows policy findings that appeared and disappeared", () => {
    const compliant = stacks({ data: (s) => bucket(s) });
    const unversioned = stacks({ data: (s) => bucket(s, { versioning: "Suspended" }) });
    const worse = report(compliant, unversioned);
    expect(worse.stacks[0]?.findingsAppeared.map((finding) => finding.rule)).toEqual(["S3-VERSIONING"]);
    expect(worse.markdown).toMatch(/\*\*New policy findings\*\*\n\n- \*\*S3-VERSIONING\*\* \(high\) `fixture\/uploads`: versioning is not Enabled/);
    const better = report(unversioned, compliant);
    expect(better.stacks[0]?.findingsResolved.map((finding) => finding.rule)).toEqual(["S3-VERSIONING"]);
    expect(better.markdown).toContain("**Resolved policy findings**");
  });

  it("fits a pull-request comment: truncates stack sections with a notice, keeping the warnings", () => {
    const names = Array.from({ length: 30 }, (_, index) => `stack-${index}`);
    const base = new Map(names.map((name) => [name, fixture((s) => aurora(s))]));
    const head = new Map(names.map((name) => [name, fixture((s) => aurora(s, { engine: "aurora-mysql", backupRetentionPeriod: 30 }))]));
    const full = report(base, head);
    expect(full.truncated).toBe(false);
    const short = report(base, head, { maxLength: 8_000 });
    expect(short.truncated).toBe(true);
    expect(short.markdown.length).toBeLessThanOrEqual(8_000);
    expect(short.markdown).toContain("> [!CAUTION]");
    expect(short.markdown).toMatch(/Report truncated to 8,000 characters: \d+ stack section\(s\) omitted\. Run `npm run review -- --base origin\/main` locally/);
    expect(report(base, head).markdown.length).toBeLessThanOrEqual(65_536);
  });
});

describe("npm run review (end to end, temporary git repository)", () => {
  const repo = mkdtempSync(join(tmpdir(), "review-e2e-"));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("synthesizes the base in a worktree and the working tree, and prints the report", () => {
    cpSync(join(ROOT, "test", "fixtures", "review-app"), repo, { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
    git("init", "--quiet");
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "add", ".");
    git("-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "--quiet", "-m", "base");
    writeFileSync(join(repo, "settings.json"), `${JSON.stringify({ bucketName: "acme-review-renamed" })}\n`);

    const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "review.ts"), "--base", "HEAD", "--repo", repo, "--affected-output", join(repo, "affected.json")], {
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("## Infrastructure change report");
    expect(result.stdout).toMatch(/`archive`: `aws_s3_bucket\.archive` \(`archive\/archive`\) would be \*\*REPLACED\*\* \(destroyed and re-created\) because `bucket` `"acme-review-archive"` → `"acme-review-renamed"`/);
    expect(execFileSync("git", ["worktree", "list"], { cwd: repo, encoding: "utf8" }).trim().split("\n")).toHaveLength(1);
  });
});
