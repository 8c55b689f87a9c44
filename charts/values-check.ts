/**
 * Checks that every values key and every `set` name passed to a Helm chart exists in that chart release.
 * Helm silently ignores an unknown key (a misspelled `replicaCount` simply leaves the chart default in place),
 * so this is the only check that catches one before production.
 *
 * Facts come from `charts/upstream/<chart>/<version>.json` (committed; written by
 * scripts/convert-upstream-charts.ts from the upstream defaults of the exact release) and, for the platform's
 * own charts under `charts/local/<name>/`, from that chart's values.yaml and values.schema.json. See
 * charts/facts.ts for how free-form maps (`podAnnotations`, `nodeSelector`, `extraArgs`, ...) and lists are
 * represented: below an open map or a list nothing is checked.
 *
 * Reusable by every construct that installs a chart:
 *
 *   unknownValuesPaths("external-dns", "1.21.1", { txtOwnerId: "x" }, ["policy"])   // -> []
 *   releaseValuesProblems(synthesizedStackJson)                                     // every helm_release
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { chartValuesFacts, type ChartFacts, type JsonSchema, type ValuesMap, type ValuesNode } from "./facts";

export const CHARTS_DIR = __dirname;
export const UPSTREAM_FACTS_DIR = join(CHARTS_DIR, "upstream");
export const LOCAL_CHARTS_DIR = join(CHARTS_DIR, "local");

/** Prefix of the asset directory of a local chart in a synthesized stack (see charts/release.ts). */
export const LOCAL_CHART_ASSET_PREFIX = "chart-";

export class ChartFactsError extends Error {}

const upstreamCache = new Map<string, ChartFacts>();
const localCache = new Map<string, ValuesMap>();

/** Committed facts of an upstream chart release. */
export function upstreamChartFacts(chart: string, version: string): ChartFacts {
  const key = `${chart}@${version}`;
  const cached = upstreamCache.get(key);
  if (cached) return cached;
  const path = join(UPSTREAM_FACTS_DIR, chart, `${version}.json`);
  if (!existsSync(path)) {
    throw new ChartFactsError(
      `no upstream facts for chart "${chart}" version "${version}" (expected ${path}); pin a version present under ` +
        "../shared/upstream/charts and run npx tsx scripts/convert-upstream-charts.ts",
    );
  }
  const facts = JSON.parse(readFileSync(path, "utf8")) as ChartFacts;
  upstreamCache.set(key, facts);
  return facts;
}

/** Facts of a local chart (`charts/local/<name>`), derived from its values.yaml and values.schema.json. */
export function localChartFacts(name: string): ValuesMap {
  const cached = localCache.get(name);
  if (cached) return cached;
  const dir = join(LOCAL_CHARTS_DIR, name);
  if (!existsSync(join(dir, "Chart.yaml"))) throw new ChartFactsError(`no local chart "${name}" at ${dir}`);
  const valuesPath = join(dir, "values.yaml");
  const schemaPath = join(dir, "values.schema.json");
  const defaults = existsSync(valuesPath) ? parseYaml(readFileSync(valuesPath, "utf8"), valuesPath)[0] : {};
  const schema = existsSync(schemaPath) ? (JSON.parse(readFileSync(schemaPath, "utf8")) as JsonSchema) : undefined;
  const facts = chartValuesFacts(defaults, schema);
  localCache.set(name, facts);
  return facts;
}

/** Splits a Helm `--set` name into key segments: `a.b\.c[0].d` -> ["a", "b.c", "[0]", "d"]. */
export function parseSetName(name: string): string[] {
  const segments: string[] = [];
  let current = "";
  for (let i = 0; i < name.length; i += 1) {
    const char = name[i];
    if (char === "\\" && i + 1 < name.length) {
      current += name[i + 1];
      i += 1;
    } else if (char === ".") {
      segments.push(current);
      current = "";
    } else if (char === "[") {
      const end = name.indexOf("]", i);
      if (end < 0) throw new ChartFactsError(`malformed set name "${name}": unclosed [`);
      if (current !== "") segments.push(current);
      segments.push(name.slice(i, end + 1));
      current = "";
      i = end;
      if (name[i + 1] === ".") i += 1;
    } else {
      current += char;
    }
  }
  if (current !== "" || segments.length === 0) segments.push(current);
  return segments;
}

/** Formats key segments the way Helm `--set` names them (dots inside a key escaped). */
export function formatValuesPath(segments: readonly string[]): string {
  return segments.map((segment) => (segment.startsWith("[") ? segment : segment.replace(/\./g, "\\."))).join(".").replace(/\.\[/g, "[");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Unknown key paths of a values object, checked against a facts tree. */
function unknownInValues(node: ValuesNode, value: unknown, path: string[], out: string[][]): void {
  if (node === "open" || node === "list" || !isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    if (node === "leaf") {
      out.push(childPath);
      continue;
    }
    const childNode = node[key];
    if (childNode === undefined) out.push(childPath);
    else unknownInValues(childNode, child, childPath, out);
  }
}

/** The first unknown prefix of a set name, or undefined when the name is valid. */
function unknownInSetName(root: ValuesMap, segments: readonly string[]): string[] | undefined {
  let node: ValuesNode = root;
  for (const [index, segment] of segments.entries()) {
    if (node === "open" || node === "list") return undefined;
    if (segment.startsWith("[")) return node === "leaf" ? segments.slice(0, index + 1) : undefined;
    if (node === "leaf") return segments.slice(0, index + 1);
    const child: ValuesNode | undefined = node[segment];
    if (child === undefined) return segments.slice(0, index + 1);
    node = child;
  }
  return undefined;
}

/** Unknown values paths and set names against a facts tree, formatted as Helm set names. */
export function unknownPathsIn(facts: ValuesMap, values: unknown, setNames: readonly string[] = []): string[] {
  const found: string[][] = [];
  unknownInValues(facts, values, [], found);
  for (const name of setNames) {
    const unknown = unknownInSetName(facts, parseSetName(name));
    if (unknown) found.push(unknown);
  }
  return [...new Set(found.map(formatValuesPath))];
}

/**
 * Values paths and `set` names that do not exist in the given upstream chart release. Empty when every key is
 * known. Throws when no facts exist for the chart version.
 */
export function unknownValuesPaths(chart: string, version: string, values: unknown, setNames: readonly string[] = []): string[] {
  return unknownPathsIn(upstreamChartFacts(chart, version).values, values, setNames);
}

/** Known keys at the parent of `path`, for "did you mean" hints. */
function siblingsOf(facts: ValuesMap, segments: readonly string[]): string[] {
  let node: ValuesNode = facts;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node !== "object") return [];
    const child: ValuesNode | undefined = node[segment];
    if (child === undefined) return [];
    node = child;
  }
  return typeof node === "object" ? Object.keys(node) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** A message per unknown path, with the closest known key when one is near. */
export function describeUnknownPaths(facts: ValuesMap, paths: readonly string[]): string[] {
  return paths.map((path) => {
    const segments = parseSetName(path);
    const last = segments[segments.length - 1] ?? "";
    const candidates = siblingsOf(facts, segments)
      .map((key) => ({ key, distance: editDistance(last, key) }))
      .filter(({ distance }) => distance <= Math.max(2, Math.floor(last.length / 4)))
      .sort((a, b) => a.distance - b.distance);
    const hint = candidates[0] ? `; did you mean "${formatValuesPath([...segments.slice(0, -1), candidates[0].key])}"?` : "";
    return `"${path}" is not a values key of this chart${hint}`;
  });
}

function parseYaml(text: string, where: string): unknown[] {
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document) => {
    if (document.errors.length > 0) throw new ChartFactsError(`${where}: not YAML: ${document.errors[0]?.message ?? ""}`);
    return document.toJS() as unknown;
  });
}

export interface ReleaseProblem {
  /** Terraform address of the helm_release. */
  readonly release: string;
  readonly chart: string;
  readonly version?: string;
  readonly problems: readonly string[];
}

type Synthesized = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/** The local chart a release installs, when its chart is a local chart asset (`assets/chart-<name>/<hash>`). */
export function localChartOf(chartAttribute: string): string | undefined {
  const match = new RegExp(`^assets/${LOCAL_CHART_ASSET_PREFIX}([a-z0-9-]+)/`).exec(chartAttribute);
  return match?.[1];
}

/**
 * Checks every `helm_release` of a synthesized stack: its values documents and `set` names must exist in the
 * chart release it installs (upstream facts by chart name and version, or the local chart's own facts).
 * Returns only releases with problems.
 */
export function releaseValuesProblems(json: Synthesized): ReleaseProblem[] {
  const out: ReleaseProblem[] = [];
  for (const [name, release] of Object.entries(json.resource?.helm_release ?? {})) {
    const chart = String(release.chart ?? "");
    const version = release.version === undefined ? undefined : String(release.version);
    const address = `helm_release.${name}`;
    const problems: string[] = [];
    let facts: ValuesMap | undefined;
    try {
      const local = localChartOf(chart);
      if (local) facts = localChartFacts(local);
      else if (version === undefined) problems.push("upstream chart without an exact version");
      else facts = upstreamChartFacts(chart, version).values;
    } catch (error) {
      if (!(error instanceof ChartFactsError)) throw error;
      problems.push(error.message);
    }
    if (facts) {
      const documents: unknown[] = [];
      for (const [index, text] of ((release.values as string[] | undefined) ?? []).entries()) {
        try {
          documents.push(...parseYaml(text, `values[${index}]`));
        } catch (error) {
          if (!(error instanceof ChartFactsError)) throw error;
          problems.push(error.message);
        }
      }
      const setNames = ["set", "set_list", "set_sensitive", "set_wo"].flatMap((attribute) =>
        ((release[attribute] as { name: string }[] | undefined) ?? []).map((entry) => entry.name),
      );
      const unknown = [...new Set([...documents.flatMap((document) => unknownPathsIn(facts, document)), ...unknownPathsIn(facts, {}, setNames)])];
      problems.push(...describeUnknownPaths(facts, unknown));
    }
    if (problems.length > 0) out.push({ release: address, chart, ...(version ? { version } : {}), problems });
  }
  return out;
}
