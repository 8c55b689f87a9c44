/**
 * Chart facts for charts that ../shared/upstream does not carry (Argo Rollouts, Stakater Reloader): their values.yaml,
 * values.schema.json and Chart.yaml are read at the exact release tag from a local git clone of the chart's upstream
 * repository, staged in the layout scripts/convert-upstream-charts.ts reads (MANIFEST.md + charts/<chart>/<version>/),
 * and converted by the same code into `charts/upstream/<chart>/<version>.json`. Tests read only the committed facts.
 *
 *   npx tsx scripts/convert-fetched-charts.ts <argoproj/argo-helm clone> <stakater/Reloader clone> [--check]
 *
 * (a clone is any git directory holding the release tag, e.g. `git clone --bare https://github.com/argoproj/argo-helm`)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { convertAll, factsPath, renderFacts } from "./convert-upstream-charts";

const ROOT = join(__dirname, "..");

/** The pinned releases (charts/catalog.ts) and where their chart lives upstream. */
export const FETCHED_CHARTS = [
  { chart: "argo-rollouts", version: "2.41.0", repository: "argoproj/argo-helm", path: "charts/argo-rollouts", tag: "argo-rollouts-2.41.0", clone: 0 },
  { chart: "reloader", version: "2.2.16", repository: "stakater/Reloader", path: "deployments/kubernetes/chart/reloader", tag: "chart-v2.2.16", clone: 1 },
] as const;

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["--git-dir", dir, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

function gitDir(clone: string): string {
  return existsSync(join(clone, ".git")) ? join(clone, ".git") : clone;
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const clones = args.filter((arg) => !arg.startsWith("--")).map(gitDir);
  if (clones.length !== 2) {
    process.stderr.write("usage: npx tsx scripts/convert-fetched-charts.ts <argo-helm clone> <Reloader clone> [--check]\n");
    process.exit(2);
  }
  const staging = mkdtempSync(join(tmpdir(), "fetched-charts-"));
  try {
    const rows = ["| chart | version | upstream repo | path | release tag | commit |", "|---|---|---|---|---|---|"];
    for (const entry of FETCHED_CHARTS) {
      const clone = clones[entry.clone] as string;
      const commit = git(clone, "rev-list", "-n", "1", entry.tag).trim();
      const dir = join(staging, "charts", entry.chart, entry.version);
      mkdirSync(dir, { recursive: true });
      for (const file of ["values.yaml", "Chart.yaml", "values.schema.json"]) {
        const listed = git(clone, "ls-tree", "--name-only", commit, `${entry.path}/${file}`).trim();
        if (listed !== "") writeFileSync(join(dir, file), git(clone, "show", `${commit}:${entry.path}/${file}`));
      }
      const chartYaml = readFileSync(join(dir, "Chart.yaml"), "utf8");
      if (!new RegExp(`^version: "?${entry.version.replace(/\./g, "\\.")}"?$`, "m").test(chartYaml)) {
        throw new Error(`${entry.repository} ${entry.tag}: Chart.yaml is not version ${entry.version}`);
      }
      rows.push(`| ${entry.chart} | ${entry.version} | ${entry.repository} | \`${entry.path}\` | \`${entry.tag}\` | \`${commit}\` |`);
    }
    writeFileSync(join(staging, "MANIFEST.md"), `${rows.join("\n")}\n`);
    const stale: string[] = [];
    for (const facts of convertAll(staging).values()) {
      const path = factsPath(facts.chart, facts.version);
      const content = renderFacts(facts);
      if (check) {
        if (!existsSync(path) || readFileSync(path, "utf8") !== content) stale.push(relative(ROOT, path));
        continue;
      }
      mkdirSync(join(ROOT, "charts", "upstream", facts.chart), { recursive: true });
      writeFileSync(path, content);
      process.stdout.write(`wrote ${relative(ROOT, path)}\n`);
    }
    if (stale.length > 0) {
      process.stderr.write(`stale chart facts:\n  ${stale.join("\n  ")}\n`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) main();
