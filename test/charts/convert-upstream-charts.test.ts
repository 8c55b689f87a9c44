import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertAll, renderFacts } from "../../scripts/convert-upstream-charts";
import { defined } from "../constructs/addons/support";

/** A miniature ../shared/upstream: a parent chart with one available and one missing dependency. */
function upstreamFixture(options: { listChild?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "upstream-"));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const rows = [
    "| parent | 2.0.0 | example/charts | `charts/parent` | `parent-2.0.0` | `" + "a".repeat(40) + "` | 1 B | — | 1 B |",
    ...(options.listChild === false ? [] : ["| child | 1.0.0 | example/charts | `charts/child` | `child-1.0.0` | `" + "b".repeat(40) + "` | 1 B | — | 1 B |"]),
  ];
  write("MANIFEST.md", ["# test", "", "| chart | version | upstream repo | path | release tag | commit | values.yaml | values.schema.json | Chart.yaml |", "|---|---|---|---|---|---|---|---|---|", ...rows].join("\n"));
  write("charts/parent/2.0.0/Chart.yaml", "name: parent\nversion: 2.0.0\ndependencies:\n  - name: child\n    version: 1.0.0\n  - name: gone\n    alias: other\n    version: 9.9.9\n");
  write("charts/parent/2.0.0/values.yaml", "replicas: 1\nchild:\n  enabled: true\npodAnnotations: {}\n");
  write("charts/parent/2.0.0/values.schema.json", JSON.stringify({ type: "object", properties: { schemaOnly: { type: "string" } } }));
  write("charts/child/1.0.0/Chart.yaml", "name: child\nversion: 1.0.0\n");
  write("charts/child/1.0.0/values.yaml", "image:\n  tag: v1\n");
  return dir;
}

describe("convert-upstream-charts", () => {
  const facts = convertAll(upstreamFixture());
  const parent = defined(facts.get("parent@2.0.0"), "parent facts");

  it("converts every chart with its provenance and source checksums", () => {
    expect([...facts.keys()].sort()).toEqual(["child@1.0.0", "parent@2.0.0"]);
    expect(parent.source).toEqual({ repository: "example/charts", path: "charts/parent", tag: "parent-2.0.0", commit: "a".repeat(40) });
    expect(Object.keys(parent.sha256).sort()).toEqual(["Chart.yaml", "values.schema.json", "values.yaml"]);
  });

  it("merges defaults with the schema and grafts available subcharts; missing ones stay unchecked", () => {
    expect(parent.values).toEqual({
      child: { enabled: "leaf", image: { tag: "leaf" } },
      other: "open",
      podAnnotations: "open",
      replicas: "leaf",
      schemaOnly: "leaf",
    });
    expect(parent.uncheckedSubcharts).toEqual(["other (gone@9.9.9)"]);
  });

  it("renders deterministic JSON", () => {
    expect(renderFacts(parent)).toBe(renderFacts(defined(convertAll(upstreamFixture()).get("parent@2.0.0"))));
  });

  it("refuses a chart whose provenance is not in MANIFEST.md", () => {
    expect(() => convertAll(upstreamFixture({ listChild: false }))).toThrow(/child@1\.0\.0 is not listed in MANIFEST\.md/);
  });
});
