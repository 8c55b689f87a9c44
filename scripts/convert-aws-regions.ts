/**
 * Converts botocore's partition data (`botocore/data/partitions.json` of github.com/boto/botocore, the region list
 * the AWS SDKs and CLI ship) into `config/schema/aws-regions.ts`, the committed list of regions the configuration
 * may name. Run after AWS opens a region:
 *
 *   npx tsx scripts/convert-aws-regions.ts <path to botocore/data/partitions.json> [source label]
 *
 * Pseudo regions (`aws-global`, `aws-cn-global`, ...) are left out: only codes matching their partition's
 * `regionRegex` are kept. Tests never read botocore; they read the converted file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Partitions {
  readonly partitions: readonly { readonly id: string; readonly regionRegex: string; readonly regions: Readonly<Record<string, { readonly description?: string }>> }[];
}

export interface RegionFact {
  readonly partition: string;
  readonly description: string;
}

/** Region code -> partition and description, sorted by code. */
export function convertPartitions(data: Partitions): Record<string, RegionFact> {
  const out: [string, RegionFact][] = [];
  for (const partition of data.partitions) {
    const pattern = new RegExp(partition.regionRegex);
    for (const [code, region] of Object.entries(partition.regions)) {
      if (pattern.test(code)) out.push([code, { partition: partition.id, description: region.description ?? code }]);
    }
  }
  return Object.fromEntries(out.sort(([a], [b]) => a.localeCompare(b)));
}

/** The generated module's text. */
export function renderRegionsModule(regions: Record<string, RegionFact>, source: string): string {
  const lines = Object.entries(regions).map(([code, fact]) => `  ${JSON.stringify(code)}: { partition: ${JSON.stringify(fact.partition)}, description: ${JSON.stringify(fact.description)} },`);
  return [
    "/**",
    " * AWS regions the configuration may name: converted from botocore's partitions.json by",
    ` * scripts/convert-aws-regions.ts (${source}). Do not edit by hand; run the script again when AWS opens a region.`,
    " */",
    "export const AWS_REGIONS = {",
    ...lines,
    "} as const;",
    "",
    "export type AwsRegionCode = keyof typeof AWS_REGIONS;",
    "",
  ].join("\n");
}

if (require.main === module) {
  const [input, source = "botocore/data/partitions.json"] = process.argv.slice(2);
  if (!input) {
    process.stderr.write("usage: npx tsx scripts/convert-aws-regions.ts <botocore/data/partitions.json> [source label]\n");
    process.exit(2);
  }
  const regions = convertPartitions(JSON.parse(readFileSync(input, "utf8")) as Partitions);
  const target = join(__dirname, "..", "config", "schema", "aws-regions.ts");
  writeFileSync(target, renderRegionsModule(regions, source));
  process.stdout.write(`wrote ${Object.keys(regions).length} regions to config/schema/aws-regions.ts\n`);
}
