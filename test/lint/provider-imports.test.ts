import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/synth";

/** Lints a fixture with the project's configuration (from a temp copy: the fixture folder is ignored by `npm run lint`). */
function lint(fixture: string) {
  const dir = mkdtempSync(join(tmpdir(), "lint-"));
  copyFileSync(join(ROOT, fixture), join(dir, "fixture.ts")); // stored without .ts so nothing else compiles or greps it
  return spawnSync(join(ROOT, "node_modules", ".bin", "oxlint"), ["-c", join(ROOT, ".oxlintrc.json"), "--format", "unix", "fixture.ts"], {
    cwd: dir,
    encoding: "utf8",
  });
}

describe("provider import lint rule", () => {
  it("rejects imports from a provider package root or its lib index, and allows per-resource modules", () => {
    const result = lint("test/fixtures/lint/root-import.fixture");
    expect(result.status).not.toBe(0);
    const restricted = result.stdout.split("\n").filter((line) => line.includes("no-restricted-imports"));
    expect(restricted.map((line) => line.match(/:(\d+):\d+:/)?.[1])).toEqual(["2", "3", "4"]);
    expect(result.stdout).not.toMatch(/:5:\d+:.*no-restricted-imports/);
  });

  it("rejects value imports of the three workload bindings (constructs/core/kubernetes-workload-resources replaces them) and allows their types", () => {
    const result = lint("test/fixtures/lint/workload-bindings.fixture");
    expect(result.status).not.toBe(0);
    const restricted = result.stdout.split("\n").filter((line) => line.includes("no-restricted-imports"));
    expect(restricted.map((line) => line.match(/:(\d+):\d+:/)?.[1])).toEqual(["2", "3", "4"]);
  });
});
