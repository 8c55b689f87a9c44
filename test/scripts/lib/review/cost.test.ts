/**
 * The price catalogs and the cost estimate: every price names a source with a date, nothing the platform needs is
 * silently missing (it is priced or listed as unpriced), and what cannot be priced is listed, never counted as zero.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { estimateStack, loadCatalog, parseCatalog, PRICE_DIR, PriceCatalogError, type PriceCatalog } from "../../../../scripts/lib/review/cost";
import { changeReport } from "../../../../scripts/lib/review/report";
import { bundledStackJson, bundledSynth } from "../../../support/synth";

const catalogFiles = readdirSync(PRICE_DIR).filter((file) => file.endsWith(".json"));
const catalogOf = (file: string) => parseCatalog(readFileSync(join(PRICE_DIR, file), "utf8"), file);
/** `aws_kms_key (kms.key in eu-west-1)` -> [kms.key, eu-west-1] */
const keyOf = (unknown: string) => (/\((\S+) in (\S+)\)$/.exec(unknown) ?? []).slice(1) as [string, string];

describe("price catalogs", () => {
  it("give every price a source: a URL, a YYYY-MM-DD date, what the date is, and the words that state the price", () => {
    expect(catalogFiles.sort()).toEqual(["eu-central-1.json", "eu-west-1.json", "us-east-1.json"]);
    for (const file of catalogFiles) {
      const catalog = catalogOf(file);
      expect(`${catalog.region}.json`).toBe(file);
      expect(catalog.method).toMatch(/No price was entered from memory/);
      for (const [key, price] of Object.entries(catalog.prices)) {
        expect(price.sources.length, `${file} ${key}`).toBeGreaterThan(0);
        for (const source of price.sources) {
          expect(source.url, `${file} ${key}`).toMatch(/^https:\/\//);
          expect(source.date, `${file} ${key}`).toMatch(/^20\d\d-\d\d-\d\d$/);
          expect(["published", "read"]).toContain(source.dateOf);
          expect(source.evidence.length, `${file} ${key}`).toBeGreaterThan(10);
        }
      }
      for (const [key, why] of Object.entries(catalog.unpriced)) expect(why, `${file} ${key}`).toMatch(/prices:refresh/);
    }
  });

  it("cover every price key the bundled stacks need: priced with a source, or listed as unpriced", () => {
    const needed = new Set<string>();
    for (const [name, text] of bundledSynth()) {
      for (const unknown of estimateStack(name, JSON.parse(text) as SynthesizedStack, "/nonexistent-catalogs").unknown) needed.add(keyOf(unknown).join(" in "));
    }
    expect(needed.size).toBeGreaterThan(10);
    const uncovered = [...needed].filter((entry) => {
      const [key, region] = entry.split(" in ") as [string, string];
      const catalog = loadCatalog(region);
      return !catalog || !(key in catalog.prices || key in catalog.unpriced);
    });
    expect(uncovered).toEqual([]);
  });

  it("reject a price without a source, and a key both priced and unpriced, naming the file and the entry", () => {
    const valid: PriceCatalog = { region: "eu-west-1", currency: "USD", hoursPerMonth: 730, method: "m", prices: {}, unpriced: {} };
    const text = (catalog: unknown) => JSON.stringify(catalog);
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month", sources: [] } } }), "prices/eu-west-1.json")).toThrow(PriceCatalogError);
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month", sources: [] } } }), "prices/eu-west-1.json")).toThrow(/prices\/eu-west-1\.json: prices\.kms\.key\.sources/);
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month" } } }), "f.json")).toThrow(/f\.json: prices\.kms\.key\.sources/);
    const source = { url: "https://aws.amazon.com/kms/pricing/", date: "2026-12-06", dateOf: "read", evidence: "costs $1/month" };
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month", sources: [{ ...source, date: "December 2026" }] } } }), "f.json")).toThrow(/prices\.kms\.key\.sources\.0\.date/);
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 0, per: "month", sources: [source] } } }), "f.json")).toThrow(/prices\.kms\.key\.usd/);
    expect(() => parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month", sources: [source] } }, unpriced: { "kms.key": "x" } }), "f.json")).toThrow(/kms\.key both priced and listed as unpriced/);
    expect(parseCatalog(text({ ...valid, prices: { "kms.key": { usd: 1, per: "month", sources: [source] } } }), "f.json").prices["kms.key"]?.usd).toBe(1);
  });
});

describe("cost estimate", () => {
  const prodInfra = bundledStackJson("prod-infra") as SynthesizedStack;

  it("prices what the catalog has a source for and lists every other resource as not priced, never as zero", () => {
    const estimate = estimateStack("prod-infra", prodInfra);
    const keys = new Set(estimate.lines.map((line) => line.key));
    // The EKS control plane at the standard rate (extended support costs more only after the version's end of standard support).
    expect(keys).toContain("eks.cluster.standard");
    expect(keys).toContain("kms.key");
    expect(estimate.lines.find((line) => line.key === "eks.cluster.standard")?.monthly).toBeCloseTo(0.1 * 730);
    expect(estimate.monthly).toBeCloseTo(estimate.lines.reduce((sum, line) => sum + line.monthly, 0));
    // Aurora, DocumentDB, caches, search, brokers and node groups are not priced in eu-west-1 until `npm run prices:refresh` sources them.
    expect(estimate.unknown).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_rds_cluster_instance \(rds\.aurora-postgresql\.db\.\S+ in eu-west-1\)$/), expect.stringMatching(/^aws_eks_node_group \(ec2\./)]));
    const catalog = loadCatalog("eu-west-1");
    for (const unknown of estimate.unknown) expect(Object.keys(catalog?.unpriced ?? {}), unknown).toContain(keyOf(unknown)[0]);
    expect(estimate.lines.every((line) => line.monthly > 0)).toBe(true);
    expect(estimate.catalog).toMatch(/^eu-west-1 catalog, sources dated \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
  });

  it("lists a size the catalog does not know by its key and region", () => {
    const instances = (prodInfra.resource?.aws_rds_cluster_instance ?? {}) as Record<string, Record<string, unknown>>;
    const [first] = Object.keys(instances);
    const changed = { ...prodInfra, resource: { ...prodInfra.resource, aws_rds_cluster_instance: { ...instances, [first as string]: { ...instances[first as string], instance_class: "db.x9.mega" } } } } as SynthesizedStack;
    expect(estimateStack("prod-infra", changed).unknown).toContain("aws_rds_cluster_instance (rds.aurora-postgresql.db.x9.mega in eu-west-1)");
  });

  it("shows the unknown prices in the report's cost section", () => {
    const report = changeReport({ base: new Map(), head: new Map([["prod-infra", prodInfra]]), baseLabel: "main", profileOf: () => "production", estimate: estimateStack });
    expect(report.cost?.unknown.length).toBeGreaterThan(0);
    expect(report.cost?.after).toBeGreaterThan(0);
    expect(report.markdown).toMatch(/\*\*Not priced\*\* \(no sourced price in the catalog — not counted as zero\): .*`aws_rds_cluster_instance \(rds\.aurora-postgresql\.db\.[^)]+ in eu-west-1\)`/);
    expect(report.markdown).toMatch(/On-demand list prices \(eu-west-1 catalog, sources dated /);
  });
});
