/**
 * `npm run prices:refresh -- --region eu-west-1`: refreshes the instance-hour prices of the committed catalog
 * (scripts/lib/review/data/prices/<region>.json) from the AWS Price List bulk API's regional offer files
 * (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json; no credentials).
 * Only the keys already in the catalog are looked up; a key the offer files do not have is reported, and the
 * file is written only when every offer file was read. Needs network access (not available to the tests: they
 * check the parsing on a recorded excerpt of the offer format).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { PRICE_DIR, type PriceCatalog } from "./lib/review/cost";

/** The part of an offer file the refresh reads (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html). */
export interface OfferFile {
  readonly products: Record<string, { readonly sku: string; readonly productFamily?: string; readonly attributes: Record<string, string> }>;
  readonly terms: { readonly OnDemand?: Record<string, Record<string, { readonly priceDimensions: Record<string, { readonly unit: string; readonly pricePerUnit: { readonly USD?: string } }> }>> };
}

export const OFFER_SERVICES = ["AmazonEC2", "AmazonRDS", "AmazonDocDB", "AmazonElastiCache", "AmazonES", "AmazonMQ"] as const;
export type OfferService = (typeof OFFER_SERVICES)[number];

/** Catalog key of an offer product (undefined for products the catalog does not price). */
export function catalogKey(service: OfferService, attributes: Record<string, string>): string | undefined {
  const type = attributes.instanceType;
  if (!type) return undefined;
  switch (service) {
    case "AmazonEC2":
      return attributes.operatingSystem === "Linux" && attributes.tenancy === "Shared" && attributes.preInstalledSw === "NA" && attributes.capacitystatus === "Used" ? `ec2.${type}` : undefined;
    case "AmazonRDS":
      // Aurora Standard (I/O-Optimized instances carry "IO Optimization" in their storage attribute).
      return attributes.databaseEngine === "Aurora PostgreSQL" && !String(attributes.storage ?? "").includes("IO Optimization") ? `rds.aurora-postgresql.${type}` : undefined;
    case "AmazonDocDB":
      return `docdb.${type}`;
    case "AmazonElastiCache":
      return attributes.cacheEngine ? `elasticache.${attributes.cacheEngine.toLowerCase()}.${type}` : undefined;
    case "AmazonES":
      return `opensearch.${type}`;
    case "AmazonMQ":
      return attributes.brokerEngine && attributes.deploymentOption === "Single-AZ" ? `mq.${attributes.brokerEngine.toLowerCase()}.${type}` : undefined;
  }
  return undefined;
}

/** Hourly on-demand prices of an offer file, by catalog key. */
export function offerPrices(service: OfferService, offer: OfferFile): Map<string, { usd: number; sku: string }> {
  const out = new Map<string, { usd: number; sku: string }>();
  for (const product of Object.values(offer.products)) {
    const key = catalogKey(service, product.attributes);
    if (!key) continue;
    for (const term of Object.values(offer.terms.OnDemand?.[product.sku] ?? {})) {
      for (const dimension of Object.values(term.priceDimensions)) {
        const usd = Number(dimension.pricePerUnit.USD);
        if (!/^(Hrs|Hours?)$/i.test(dimension.unit) || !Number.isFinite(usd) || usd <= 0) continue;
        out.set(key, { usd, sku: product.sku });
      }
    }
  }
  return out;
}

/** The catalog with the prices found applied; `missing` lists instance keys none of the offers had. */
export function refreshCatalog(catalog: PriceCatalog, found: ReadonlyMap<string, { usd: number; sku: string }>, retrieved: string): { catalog: PriceCatalog; missing: string[] } {
  const prices = { ...catalog.prices };
  const missing: string[] = [];
  for (const [key, price] of Object.entries(catalog.prices)) {
    if (price.per !== "hour" || !/^(ec2|rds|docdb|elasticache|opensearch|mq)\./.test(key)) continue;
    const fresh = found.get(key);
    if (fresh) prices[key] = { usd: fresh.usd, per: "hour", sku: fresh.sku };
    else missing.push(key);
  }
  return {
    catalog: { ...catalog, prices, retrieved, source: `AWS Price List bulk API, regional offer files (${OFFER_SERVICES.join(", ")}); fixed monthly fees as published on the services' pricing pages` },
    missing,
  };
}

async function main(): Promise<void> {
  const { region } = new Command().name("prices:refresh").requiredOption("--region <region>", "catalog region, e.g. eu-west-1").parse().opts<{ region: string }>();
  const file = join(PRICE_DIR, `${region}.json`);
  const catalog = JSON.parse(readFileSync(file, "utf8")) as PriceCatalog;
  const found = new Map<string, { usd: number; sku: string }>();
  for (const service of OFFER_SERVICES) {
    const url = `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/${region}/index.json`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} (nothing was written)`);
    for (const [key, price] of offerPrices(service, (await response.json()) as OfferFile)) found.set(key, price);
  }
  const { catalog: refreshed, missing } = refreshCatalog(catalog, found, new Date().toISOString().slice(0, 10));
  writeFileSync(file, `${JSON.stringify(refreshed, null, 2)}\n`);
  process.stdout.write(`wrote ${file}${missing.length > 0 ? `; not in the offer files (kept as they were): ${missing.join(", ")}` : ""}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`prices:refresh: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
