/**
 * The "done when", on the bundled configuration: each case synthesizes only the stacks it changes and
 * compares them with the bundled synthesis of the same run (test/support/global-setup.ts).
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../../config/loader";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { estimateStack, loadCatalog } from "../../../../scripts/lib/review/cost";
import { changeReport } from "../../../../scripts/lib/review/report";
import { bundledStackJson, synthToTexts, tempConfig } from "../../../support/synth";

const parse = (texts: Map<string, string>) => new Map([...texts].map(([name, text]) => [name, JSON.parse(text) as SynthesizedStack]));
const bundled = (...names: string[]) => new Map(names.map((name) => [name, bundledStackJson(name) as SynthesizedStack]));
const review = (base: Map<string, SynthesizedStack>, head: Map<string, SynthesizedStack>) =>
  changeReport({ base, head, baseLabel: "origin/main (1a2b3c4)", profileOf: () => "production", estimate: estimateStack });

describe("review acceptance", () => {
  it("reports a VPC CIDR change as replacements of the VPC and everything that depends on it", async () => {
    const config = loadConfig(tempConfig({ set: { "environments/prod.yaml": { network: { cidr: "10.60.0.0/16" } } } }));
    const head = parse(await synthToTexts(config, { stackPatterns: ["prod-infra"] }));
    const report = review(bundled("prod-infra"), head);
    const rows = report.stacks[0]?.resources ?? [];
    const actionOf = (type: string) => new Set(rows.filter((row) => row.type === type).map((row) => row.action));
    expect(actionOf("aws_vpc")).toEqual(new Set(["replace"]));
    expect(actionOf("aws_subnet")).toEqual(new Set(["replace"]));
    expect(rows.filter((row) => row.type === "aws_subnet")).toHaveLength(9);
    expect(actionOf("aws_route_table")).toEqual(new Set(["replace"])); // vpc_id known only after the VPC is replaced
    expect(report.markdown).toMatch(/`cidr_block`: `"10\.30\.0\.0\/16"` → `"10\.60\.0\.0\/16"` \*\*\(forces replacement\)\*\*/);
    expect(report.markdown).not.toMatch(/ 0 to replace/);
    // Stateful services in the VPC are flagged loudly (their subnet group and security groups are replaced).
    expect(report.markdown).toContain("> [!CAUTION]");
  }, 120_000);

  it("shows a Prometheus retention change by key path with the old and new values", async () => {
    const config = loadConfig(tempConfig({ set: { "environments/prod.yaml": { observability: { prometheus: { retention: "30d" } } } } }));
    const head = parse(await synthToTexts(config, { stackPatterns: ["prod-platform"] }));
    const report = review(bundled("prod-platform"), head);
    const release = report.stacks[0]?.resources.find((row) => row.type === "helm_release" && row.attributes.some((attribute) => attribute.path.includes("retention")));
    expect(release?.action).toBe("update");
    expect(release?.attributes.map((attribute) => attribute.path)).toContain("values: prometheus.prometheusSpec.retention");
    expect(report.markdown).toContain('`values: prometheus.prometheusSpec.retention`: `"15d"` → `"30d"`');
  }, 120_000);

  it("summarizes three new dedicated tenants within a pull-request comment, naming every stack with per-type counts and the cost delta", async () => {
    const tenant = (id: string, cidr: string) => `id: ${id}\nenvironment: prod\nisolation: dedicated\nnetwork:\n  cidr: ${cidr}\nproducts:\n  smartedu: {}\n`;
    const dir = tempConfig({ write: { "tenants/alpha.yaml": tenant("alpha", "10.129.0.0/16"), "tenants/bravo.yaml": tenant("bravo", "10.130.0.0/16"), "tenants/charlie.yaml": tenant("charlie", "10.131.0.0/16") } });
    const head = parse(await synthToTexts(loadConfig(dir), { stackPatterns: ["tenant-alpha-*", "tenant-bravo-*", "tenant-charlie-*"] }));
    expect(head.size).toBe(6);
    const report = review(new Map(), head);
    expect(report.markdown.length).toBeLessThan(65_536);
    for (const stack of head.keys()) expect(report.markdown).toMatch(new RegExp(`### \`${stack}\` — new stack: \\d+ to add`));
    expect(report.markdown).toContain("`aws_subnet` × 9");
    expect(report.omitted).toEqual([]);
    expect(report.cost?.after).toBeGreaterThan(report.cost?.before ?? 0);
    expect(report.markdown).toMatch(/### Monthly cost: \$0\.00 → \$[\d,]+\.\d\d \(\*\*\+\$[\d,]+\.\d\d\*\*\)/);
    // Prices without a source are not in the catalog: those resources are listed as not priced (never zero), and
    // each is one the catalog knows it cannot price (its `unpriced` list), not a size it forgot.
    expect(report.cost?.unknown.length).toBeGreaterThan(0);
    expect(report.markdown).toContain("**Not priced**");
    for (const unknown of report.cost?.unknown ?? []) {
      const [, key, region] = /\((\S+) in (\S+)\)$/.exec(unknown) ?? [];
      expect(Object.keys(loadCatalog(region as string)?.unpriced ?? {}), unknown).toContain(key);
    }
  }, 180_000);
});
