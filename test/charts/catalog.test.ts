import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baseValues, baseValuesPath, CHART_CATALOG, VALUES_DIR, type CatalogChart } from "../../charts/catalog";
import { UPSTREAM_FACTS_DIR, upstreamChartFacts, unknownValuesPaths } from "../../charts/values-check";

const charts = Object.entries(CHART_CATALOG) as [CatalogChart, (typeof CHART_CATALOG)[CatalogChart]][];

describe("chart catalog", () => {
  it("pins every chart to an exact version from an https repository (Karpenter: its OCI registry)", () => {
    for (const [name, source] of charts) expect(source.version, name).toMatch(/^v?\d+\.\d+\.\d+$/);
    expect(CHART_CATALOG.karpenter.repository).toBe("oci://public.ecr.aws/karpenter");
    for (const [name, source] of charts.filter(([chart]) => chart !== "karpenter")) expect(source.repository, name).toMatch(/^https:\/\//);
  });

  it("pins exactly the versions whose upstream facts are committed, and catalogs every converted chart", () => {
    for (const [name, source] of charts) {
      const facts = upstreamChartFacts(source.chart, source.version);
      expect(facts).toMatchObject({ chart: source.chart, version: source.version });
      expect(facts.source.commit, name).toMatch(/^[0-9a-f]{40}$/);
      expect(facts.sha256["values.yaml"], name).toMatch(/^[0-9a-f]{64}$/);
    }
    const converted = readdirSync(UPSTREAM_FACTS_DIR).flatMap((chart) =>
      readdirSync(join(UPSTREAM_FACTS_DIR, chart)).map((file) => `${chart}@${file.replace(/\.json$/, "")}`),
    );
    expect(converted.sort()).toEqual(charts.map(([, source]) => `${source.chart}@${source.version}`).sort());
  });

  it("keeps base values that use only keys the pinned release has", () => {
    const withBaseValues = charts.filter(([name]) => existsSync(baseValuesPath(name)));
    expect(withBaseValues.map(([name]) => name)).toEqual(
      expect.arrayContaining(["aws-load-balancer-controller", "cert-manager", "external-dns", "external-secrets", "karpenter", "metrics-server"]),
    );
    for (const [name, source] of withBaseValues) {
      expect(unknownValuesPaths(source.chart, source.version, baseValues(name)), name).toEqual([]);
    }
  });

  it("has a catalog entry for every base values file", () => {
    const files = readdirSync(VALUES_DIR).filter((file) => file.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(Object.keys(CHART_CATALOG), file).toContain(file.replace(/\.yaml$/, ""));
  });
});
