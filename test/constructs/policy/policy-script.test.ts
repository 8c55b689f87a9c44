/**
 * `npm run policy` end to end on the bootstrap stack: synthesizes, evaluates with the bundled suppressions,
 * writes the JSON / SARIF / markdown reports, and exits non-zero on a rejected suppression.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempConfig } from "../../support/synth";

function policy(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "policy.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, STACKS: "bootstrap", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run policy", () => {
  it("passes the bootstrap stack with its suppressions and writes the reports", () => {
    const out = mkdtempSync(join(tmpdir(), "policy-reports-"));
    const result = policy(["--out", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/pass\s+bootstrap\s+profile production\s+fails at low\s+0 failing, 0 warning\(s\), 3 suppressed/);
    expect(result.stdout).toMatch(/\d+ rules, 1 stacks: passed/);
    for (const file of ["policy.json", "policy.sarif", "policy.md"]) expect(existsSync(join(out, file)), file).toBe(true);
    const sarif = JSON.parse(readFileSync(join(out, "policy.sarif"), "utf8")) as { runs: { results: { ruleId: string; suppressions?: unknown[] }[] }[] };
    expect(sarif.runs[0]?.results.map((finding) => finding.ruleId).sort()).toEqual(["ACCESS-LOGS", "BACKUP-COVERAGE", "S3-BACKUP-IMMUTABLE"]);
    expect(sarif.runs[0]?.results.every((finding) => finding.suppressions?.length === 1)).toBe(true);
  });

  it("exits 1 when a critical rule is suppressed for a production stack", () => {
    const config = tempConfig({
      write: {
        "policy/suppressions.yaml": "suppressions:\n  - rule: S3-BLOCK-PUBLIC\n    path: bootstrap/state/bucket\n    reason: the state bucket must be readable by auditors\n",
      },
    });
    const result = policy(["--out", mkdtempSync(join(tmpdir(), "policy-reports-"))], { PLATFORM_CONFIG_DIR: config });
    // Rejected with the configuration's problems (exit 2, nothing evaluated), at the file and key.
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/policy\/suppressions\.yaml:2:5 {2}suppressions\[0\]\.rule/);
    expect(result.stderr).toContain("S3-BLOCK-PUBLIC is a critical rule and cannot be suppressed in production stacks (path bootstrap/state/bucket matches bootstrap)");
  });
});
