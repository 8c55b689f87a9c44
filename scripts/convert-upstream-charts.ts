/**
 * Converts the upstream chart data under `../shared/upstream/charts/<chart>/<version>/` (unmodified upstream
 * values.yaml, values.schema.json and Chart.yaml of exact chart releases) into committed facts under
 * `charts/upstream/<chart>/<version>.json`: the tree of valid values keys of that release (see charts/facts.ts
 * for how free-form maps and lists are represented), where it came from, and the SHA-256 of the source files.
 * Tests read only the committed facts, never ../shared.
 *
 * Every chart found is converted, not only the ones the platform installs today, so other charts can be
 * checked the moment someone adds them to the catalog.
 *
 *   npx tsx scripts/convert-upstream-charts.ts [upstream-dir]          write the facts
 *   npx tsx scripts/convert-upstream-charts.ts [upstream-dir] --check  exit 1 when the committed facts are stale
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { chartValuesFacts, type ChartFacts, type JsonSchema, type ValuesNode } from "../charts/facts";

const ROOT = join(__dirname, "..");
const DEFAULT_UPSTREAM = join(ROOT, "..", "shared", "upstream");
const OUTPUT = join(ROOT, "charts", "upstream");

interface ManifestRow {
  readonly repository: string;
  readonly path: string;
  readonly tag: string;
  readonly commit: string;
}

interface ChartDependency {
  readonly name: string;
  readonly alias?: string;
  readonly version: string;
}

/** Rows of the chart table in MANIFEST.md, keyed `<chart>@<version>`. */
function readManifest(upstream: string): Map<string, ManifestRow> {
  const rows = new Map<string, ManifestRow>();
  const text = readFileSync(join(upstream, "MANIFEST.md"), "utf8");
  for (const line of text.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, ""));
    if (cells.length < 6 || !/^[a-z0-9-]+$/.test(cells[0] ?? "") || cells[0] === "chart") continue;
    const [chart, version, repository, path, tag, commit] = cells as [string, string, string, string, string, string];
    rows.set(`${chart}@${version}`, { repository, path, tag, commit });
  }
  return rows;
}

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function chartDirs(upstream: string): { chart: string; version: string; dir: string }[] {
  const base = join(upstream, "charts");
  const out: { chart: string; version: string; dir: string }[] = [];
  for (const chart of readdirSync(base).sort()) {
    if (!statSync(join(base, chart)).isDirectory()) continue;
    for (const version of readdirSync(join(base, chart)).sort()) {
      const dir = join(base, chart, version);
      if (statSync(dir).isDirectory()) out.push({ chart, version, dir });
    }
  }
  return out;
}

/** Converts every chart; a dependency whose exact version is present is grafted under its key. */
export function convertAll(upstream: string): Map<string, ChartFacts> {
  const manifest = readManifest(upstream);
  const dirs = chartDirs(upstream);
  const byKey = new Map(dirs.map((entry) => [`${entry.chart}@${entry.version}`, entry]));
  const done = new Map<string, ChartFacts>();

  const convert = (key: string, stack: readonly string[]): ChartFacts => {
    const cached = done.get(key);
    if (cached) return cached;
    if (stack.includes(key)) throw new Error(`circular chart dependency: ${[...stack, key].join(" -> ")}`);
    const entry = byKey.get(key);
    if (!entry) throw new Error(`no upstream data for ${key}`);
    const source = manifest.get(key);
    if (!source) throw new Error(`${key} is not listed in MANIFEST.md; its provenance would be unknown`);
    const valuesPath = join(entry.dir, "values.yaml");
    const schemaPath = join(entry.dir, "values.schema.json");
    const chartPath = join(entry.dir, "Chart.yaml");
    const defaults: unknown = parse(readFileSync(valuesPath, "utf8"), { uniqueKeys: false });
    const schema = existsSync(schemaPath) ? (JSON.parse(readFileSync(schemaPath, "utf8")) as JsonSchema) : undefined;
    const chartYaml = parse(readFileSync(chartPath, "utf8")) as { dependencies?: ChartDependency[] };

    const subcharts: Record<string, ValuesNode> = {};
    const unchecked: string[] = [];
    for (const dependency of chartYaml.dependencies ?? []) {
      const valuesKey = dependency.alias ?? dependency.name;
      const dependencyKey = `${dependency.name}@${dependency.version}`;
      if (byKey.has(dependencyKey)) {
        subcharts[valuesKey] = convert(dependencyKey, [...stack, key]).values;
      } else {
        subcharts[valuesKey] = "open";
        unchecked.push(`${valuesKey} (${dependencyKey})`);
      }
    }
    const sums: Record<string, string> = { "values.yaml": sha256(valuesPath), "Chart.yaml": sha256(chartPath) };
    if (schema) sums["values.schema.json"] = sha256(schemaPath);
    const facts: ChartFacts = {
      chart: entry.chart,
      version: entry.version,
      source,
      sha256: sums,
      uncheckedSubcharts: unchecked.sort(),
      values: chartValuesFacts(defaults, schema, subcharts),
    };
    done.set(key, facts);
    return facts;
  };

  for (const entry of dirs) convert(`${entry.chart}@${entry.version}`, []);
  return done;
}

export function factsPath(chart: string, version: string): string {
  return join(OUTPUT, chart, `${version}.json`);
}

export function renderFacts(facts: ChartFacts): string {
  return `${JSON.stringify(facts, null, 1)}\n`;
}

function main(): void {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const upstream = args.find((arg) => !arg.startsWith("--")) ?? DEFAULT_UPSTREAM;
  if (!existsSync(join(upstream, "charts"))) {
    process.stderr.write(`no upstream charts at ${join(upstream, "charts")}\n`);
    process.exit(2);
  }
  const stale: string[] = [];
  for (const facts of convertAll(upstream).values()) {
    const path = factsPath(facts.chart, facts.version);
    const content = renderFacts(facts);
    if (check) {
      if (!existsSync(path) || readFileSync(path, "utf8") !== content) stale.push(relative(ROOT, path));
      continue;
    }
    mkdirSync(join(OUTPUT, facts.chart), { recursive: true });
    writeFileSync(path, content);
    process.stdout.write(`wrote ${relative(ROOT, path)}\n`);
  }
  if (stale.length > 0) {
    process.stderr.write(`stale chart facts (run npx tsx scripts/convert-upstream-charts.ts):\n  ${stale.join("\n  ")}\n`);
    process.exit(1);
  }
}

if (require.main === module) main();
