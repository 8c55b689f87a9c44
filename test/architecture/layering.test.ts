/**
 * The layering is one-way: main/scripts -> stacks -> constructs -> config / charts -> pure rules and core.
 * Configuration validation shares domain rules with the constructs through pure modules (constructs/<x>/rules.ts and
 * the helpers they use), which import neither configuration, charts, stacks nor cdktf. Checked over every source file's
 * imports (type-only imports included: a type import is a dependency too).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/synth";

type Graph = ReadonlyMap<string, readonly string[]>;

const SOURCE_ROOTS = ["main.ts", "stacks", "constructs", "config", "charts", "scripts"];
/** Packages a pure module never imports: they make a module part of the construct tree. */
const CONSTRUCT_PACKAGES = /^(cdktf|constructs|@cdktf\/)/;

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return path.endsWith(".ts") ? [path] : [];
  return readdirSync(full).flatMap((entry) => (entry === "node_modules" ? [] : sourceFiles(join(path, entry))));
}

/** Relative paths (from ROOT) of the project modules a file imports, and the packages it imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)";|^\s*import\s+"([^"]+)";|\bimport\("([^"]+)"\)/gms)].map(
    (match) => (match[1] ?? match[2] ?? match[3]) as string,
  );
  return specifiers.map((specifier) => {
    if (!specifier.startsWith(".")) return specifier;
    const path = resolve(dirname(join(ROOT, file)), specifier);
    const resolved = [`${path}.ts`, join(path, "index.ts"), path].find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? path;
    return relative(ROOT, resolved);
  });
}

function layerOf(file: string): "app" | "stacks" | "constructs" | "config" | "charts" | "package" {
  if (file === "main.ts" || file.startsWith("scripts/")) return "app";
  if (file.startsWith("stacks/")) return "stacks";
  if (file.startsWith("constructs/")) return "constructs";
  if (file.startsWith("config/")) return "config";
  if (file.startsWith("charts/")) return "charts";
  return "package";
}

/** Every violation of the layering in `graph` (file -> its imports), as readable sentences. */
export function layeringViolations(graph: Graph): string[] {
  const problems: string[] = [];
  // Modules that must be pure: every rules.ts, and every construct module that configuration or charts import.
  const mustBePure = new Set([...graph.keys()].filter((file) => /^constructs\/.*rules\.ts$/.test(file)));
  for (const [file, imports] of graph) {
    const layer = layerOf(file);
    for (const target of imports) {
      const targetLayer = layerOf(target);
      if (targetLayer === "app" && layer !== "app") problems.push(`${file} imports ${target}: only the entry point and scripts may import scripts`);
      if (targetLayer === "stacks" && layer !== "app" && layer !== "stacks") problems.push(`${file} imports ${target}: ${layer} never imports the stack layer`);
      if (targetLayer === "constructs" && (layer === "config" || layer === "charts")) mustBePure.add(target);
    }
  }
  // A pure module imports only pure construct modules and no construct packages; close over what it imports.
  const pending = [...mustBePure];
  const checked = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (checked.has(file)) continue;
    checked.add(file);
    for (const target of graph.get(file) ?? []) {
      const targetLayer = layerOf(target);
      if (targetLayer === "package") {
        if (CONSTRUCT_PACKAGES.test(target)) problems.push(`${file} is a pure module (shared with configuration) but imports ${target}`);
      } else if (targetLayer === "constructs") {
        pending.push(target);
      } else {
        problems.push(`${file} is a pure module (shared with configuration) but imports ${target} (${targetLayer})`);
      }
    }
  }
  return problems;
}

function projectGraph(): Map<string, string[]> {
  return new Map(SOURCE_ROOTS.flatMap(sourceFiles).map((file) => [file, importsOf(file)]));
}

describe("layering", () => {
  it("keeps the project's imports one-way (main -> stacks -> constructs -> config/charts -> pure rules and core)", () => {
    const graph = projectGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(layeringViolations(graph)).toEqual([]);
  });

  it("charts and constructs/logging no longer import each other", () => {
    const graph = projectGraph();
    // The chart catalog reads its pinned versions from the version catalog, a pure core module (allowed above).
    expect((graph.get("charts/catalog.ts") ?? []).filter((target) => target.startsWith("constructs/") && target !== "constructs/core/versions.ts")).toEqual([]);
  });

  it("reports each kind of violation on a broken fixture", () => {
    const fixture: Graph = new Map([
      ["config/loader.ts", ["stacks/names.ts", "constructs/kms/index.ts", "constructs/postgres/rules.ts"]],
      ["charts/catalog.ts", ["constructs/logging/index.ts"]],
      ["constructs/kms/index.ts", ["cdktf", "scripts/lib/bundled.ts"]],
      ["constructs/logging/index.ts", ["charts/catalog.ts", "@cdktf/provider-helm/lib/release"]],
      ["constructs/postgres/rules.ts", ["config/schema/services.ts", "constructs/data-access/problems.ts"]],
      ["constructs/data-access/problems.ts", []],
      ["stacks/names.ts", []],
    ]);
    expect(layeringViolations(fixture).sort()).toEqual(
      [
        "config/loader.ts imports stacks/names.ts: config never imports the stack layer",
        "constructs/kms/index.ts imports scripts/lib/bundled.ts: only the entry point and scripts may import scripts",
        "constructs/kms/index.ts is a pure module (shared with configuration) but imports cdktf",
        "constructs/kms/index.ts is a pure module (shared with configuration) but imports scripts/lib/bundled.ts (app)",
        "constructs/logging/index.ts is a pure module (shared with configuration) but imports @cdktf/provider-helm/lib/release",
        "constructs/logging/index.ts is a pure module (shared with configuration) but imports charts/catalog.ts (charts)",
        "constructs/postgres/rules.ts is a pure module (shared with configuration) but imports config/schema/services.ts (config)",
      ].sort(),
    );
  });
});
