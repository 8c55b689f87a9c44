/**
 * `npm run prices:refresh -- --region eu-west-1`: refreshes the committed price catalog
 * (scripts/lib/review/data/prices/<region>.json) from the AWS Price List bulk API's regional offer files
 * (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<service>/current/<region>/index.json; no credentials).
 *
 * Every key the catalog prices or lists as unpriced is looked up; each one found is written with the offer file as
 * its source (the file's URL, its `publicationDate`, and the SKU, unit and description of the price), replacing the
 * sources it had, and leaves the unpriced list. A key no offer file has keeps what it had and is reported. The file
 * is written only when every offer file was read (nothing half-written). Needs network access (not available to the
 * tests: they check the parsing on an excerpt in the offer file format).
 *
 * Which products a key means follows infracost's product filters over the same Price List data (cited per rule),
 * so the refresh selects the products a reviewed price list tool selects: on-demand, Linux, shared tenancy, no
 * pre-installed software for EC2; Aurora Standard (not I/O-Optimized) instances; and so on.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { parseCatalog, PRICE_DIR, type CatalogPrice, type PriceCatalog } from "./lib/review/cost";

/** The part of an offer file the refresh reads (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html). */
export interface OfferFile {
  readonly offerCode?: string;
  readonly version?: string;
  readonly publicationDate?: string;
  readonly products: Record<string, { readonly sku: string; readonly productFamily?: string; readonly attributes: Record<string, string> }>;
  readonly terms: {
    readonly OnDemand?: Record<string, Record<string, { readonly priceDimensions: Record<string, { readonly unit: string; readonly description?: string; readonly beginRange?: string; readonly pricePerUnit: { readonly USD?: string } }> }>>;
  };
}

export const OFFER_SERVICES = ["AmazonEC2", "AmazonRDS", "AmazonDocDB", "AmazonElastiCache", "AmazonES", "AmazonMQ", "AmazonEKS", "AmazonVPC", "awskms", "AWSSecretsManager", "awswaf", "AmazonCloudWatch"] as const;
export type OfferService = (typeof OFFER_SERVICES)[number];

/** The regional offer file of a service (the Price List bulk API). */
export function offerUrl(service: OfferService, region: string): string {
  return `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/${region}/index.json`;
}

type Per = CatalogPrice["per"];
type Product = OfferFile["products"][string];

const has = (value: string | undefined, pattern: RegExp) => value !== undefined && pattern.test(value);

/**
 * Catalog key and billing unit of an offer product (undefined for products the catalog does not price). The
 * attribute filters are infracost's for the same resource, named at each rule: files of
 * https://github.com/infracost/infracost/tree/95ba4f49a7abf5567b04f751a115543281a4ab18/internal/resources/aws
 */
export function catalogKey(service: OfferService, product: Pick<Product, "productFamily" | "attributes">): { key: string; per: Per } | undefined {
  const a = product.attributes;
  const family = product.productFamily;
  switch (service) {
    case "AmazonEC2":
      // infracost instance.go, nat_gateway.go, ebs_volume.go
      if (family === "Compute Instance" && a.instanceType && a.operatingSystem === "Linux" && a.tenancy === "Shared" && a.preInstalledSw === "NA" && a.capacitystatus === "Used" && (a.licenseModel ?? "No License required") === "No License required") {
        return { key: `ec2.${a.instanceType}`, per: "hour" };
      }
      if (family === "NAT Gateway" && has(a.usagetype, /NatGateway-Hours/)) return { key: "vpc.nat-gateway", per: "hour" };
      if (family === "Storage" && a.volumeApiName?.toLowerCase() === "gp3") return { key: "ebs.gp3", per: "GB-month" };
      return undefined;
    case "AmazonRDS":
      // infracost rds_cluster_instance.go: Aurora Standard instances are `InstanceUsage:<class>`, I/O-Optimized ones `InstanceUsageIOOptimized:<class>`.
      return family === "Database Instance" && a.instanceType && a.databaseEngine === "Aurora PostgreSQL" && has(a.usagetype, /InstanceUsage:/) ? { key: `rds.aurora-postgresql.${a.instanceType}`, per: "hour" } : undefined;
    case "AmazonDocDB":
      // infracost docdb_cluster_instance.go (standard storage configuration)
      return family === "Database Instance" && a.instanceType && a.volumeType === "General Purpose" ? { key: `docdb.${a.instanceType}`, per: "hour" } : undefined;
    case "AmazonElastiCache":
      // infracost elasticache_cluster.go
      return family === "Cache Instance" && a.instanceType && a.cacheEngine && a.locationType === "AWS Region" && a.currentGeneration === "Yes" ? { key: `elasticache.${a.cacheEngine.toLowerCase()}.${a.instanceType}`, per: "hour" } : undefined;
    case "AmazonES":
      // infracost search_domain.go
      if (family === "Amazon OpenSearch Service Instance" && a.instanceType && has(a.usagetype, /ESInstance/)) return { key: `opensearch.${a.instanceType}`, per: "hour" };
      if (family === "Amazon OpenSearch Service Volume" && a.storageMedia === "GP3" && has(a.usagetype, /ES.+-Storage/)) return { key: "opensearch.gp3", per: "GB-month" };
      return undefined;
    case "AmazonMQ": {
      // infracost mq_broker.go: the host instance type is part of the usage type. The catalog prices one Single-AZ broker instance (cost.ts multiplies by the deployment's instances).
      const type = /(mq\.[a-z0-9]+\.[a-z0-9]+)/.exec(a.usagetype ?? "")?.[1];
      return family === "Broker Instances" && type && a.brokerEngine && a.deploymentOption === "Single-AZ" && has(a.operation, /CreateBroker/) ? { key: `mq.${a.brokerEngine.toLowerCase()}.${type}`, per: "hour" } : undefined;
    }
    case "AmazonEKS":
      // infracost eks_cluster.go
      return family === "Compute" && has(a.usagetype, /AmazonEKS-Hours:perCluster/) ? { key: "eks.cluster.standard", per: "hour" } : undefined;
    case "AmazonVPC":
      // infracost vpc_endpoint.go (interface endpoints; Gateway Load Balancer endpoints are `VpcEndpoint-GWLBE-Hours`)
      return family === "VpcEndpoint" && has(a.usagetype, /VpcEndpoint-Hours/) && !has(a.usagetype, /GWLBE/) ? { key: "vpc.interface-endpoint-az", per: "hour" } : undefined;
    case "awskms":
      // infracost kms_key.go
      return family === "Encryption Key" && has(a.usagetype, /KMS-Keys/) ? { key: "kms.key", per: "month" } : undefined;
    case "AWSSecretsManager":
      // infracost secretsmanager_secret.go
      return family === "Secret" ? { key: "secretsmanager.secret", per: "month" } : undefined;
    case "awswaf":
      // infracost wafv2_web_acl.go (WAFv2, not Shield-protected resources)
      if (family !== "Web Application Firewall" || has(a.usagetype, /ShieldProtected-/)) return undefined;
      if (has(a.usagetype, /^[A-Z0-9]*-WebACLV2$/i)) return { key: "waf.web-acl", per: "month" };
      if (has(a.usagetype, /^[A-Z0-9]*-RuleV2$/i)) return { key: "waf.rule", per: "month" };
      return undefined;
    case "AmazonCloudWatch":
      // infracost cloudwatch_metric_alarm.go (standard-resolution alarm, per alarm metric)
      return family === "Alarm" && a.alarmType === "Standard" && has(a.usagetype, /AlarmMonitorUsage$/) ? { key: "cloudwatch.alarm-metric", per: "month" } : undefined;
  }
  return undefined;
}

/** Whether a price dimension's unit is the catalog unit (monthly fees come in per-resource units: recorded in the evidence). */
const UNITS: Record<Per, (unit: string) => boolean> = {
  hour: (unit) => /^(Hrs?|Hours?)$/i.test(unit),
  month: (unit) => !/(Hrs?|Hours?|Requests?|GB|Second|Minute|Queries)/i.test(unit),
  "GB-month": (unit) => /^GB-Mo(nth)?$/i.test(unit),
};

export interface OfferPrice {
  readonly usd: number;
  readonly per: Per;
  readonly sku: string;
  readonly unit: string;
  readonly description: string;
}

/** On-demand prices of an offer file by catalog key (the first tier where a price has tiers). */
export function offerPrices(service: OfferService, offer: OfferFile): Map<string, OfferPrice> {
  const out = new Map<string, OfferPrice>();
  for (const product of Object.values(offer.products)) {
    const match = catalogKey(service, product);
    if (!match) continue;
    for (const term of Object.values(offer.terms.OnDemand?.[product.sku] ?? {})) {
      const dimensions = Object.values(term.priceDimensions);
      const dimension = dimensions.find((item) => item.beginRange === undefined || item.beginRange === "0") ?? dimensions[0];
      if (!dimension) continue;
      const usd = Number(dimension.pricePerUnit.USD);
      if (!UNITS[match.per](dimension.unit) || !Number.isFinite(usd) || usd <= 0) continue;
      out.set(match.key, { usd, per: match.per, sku: product.sku, unit: dimension.unit, description: dimension.description ?? "" });
    }
  }
  return out;
}

/** A price found in one offer file, with where it came from. */
export interface FoundPrice extends OfferPrice {
  readonly url: string;
  /** The offer file's publicationDate. */
  readonly published: string;
}

/** The offer file's prices, each with the file's URL and publication date. */
export function foundPrices(service: OfferService, region: string, offer: OfferFile): Map<string, FoundPrice> {
  const url = offerUrl(service, region);
  const published = offer.publicationDate?.slice(0, 10);
  if (!published || !/^\d{4}-\d{2}-\d{2}$/.test(published)) throw new Error(`${url}: no publicationDate (not a Price List offer file?)`);
  return new Map([...offerPrices(service, offer)].map(([key, price]) => [key, { ...price, url, published }]));
}

/**
 * The catalog with every key it prices or lists as unpriced replaced by the offer files' price where one was found;
 * `missing` lists the keys none of the offer files had (kept as they were).
 */
export function refreshCatalog(catalog: PriceCatalog, found: ReadonlyMap<string, FoundPrice>): { catalog: PriceCatalog; missing: string[] } {
  const prices: Record<string, CatalogPrice> = { ...catalog.prices };
  const unpriced: Record<string, string> = { ...catalog.unpriced };
  const missing: string[] = [];
  for (const key of [...new Set([...Object.keys(catalog.prices), ...Object.keys(catalog.unpriced)])].sort()) {
    const fresh = found.get(key);
    if (!fresh) {
      missing.push(key);
      continue;
    }
    prices[key] = {
      usd: fresh.usd,
      per: fresh.per,
      sources: [{ url: fresh.url, date: fresh.published, dateOf: "published", evidence: `SKU ${fresh.sku}, on-demand, ${fresh.usd} USD per ${fresh.unit}${fresh.description ? ` ("${fresh.description}")` : ""}` }],
    };
    delete unpriced[key];
  }
  return { catalog: { ...catalog, prices: Object.fromEntries(Object.entries(prices).sort(([a], [b]) => a.localeCompare(b))), unpriced }, missing };
}

async function main(): Promise<void> {
  const { region } = new Command().name("prices:refresh").requiredOption("--region <region>", "catalog region, e.g. eu-west-1").parse().opts<{ region: string }>();
  const file = join(PRICE_DIR, `${region}.json`);
  const catalog = parseCatalog(readFileSync(file, "utf8"), file);
  const found = new Map<string, FoundPrice>();
  for (const service of OFFER_SERVICES) {
    const url = offerUrl(service, region);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} (nothing was written)`);
    for (const [key, price] of foundPrices(service, region, (await response.json()) as OfferFile)) found.set(key, price);
  }
  const { catalog: refreshed, missing } = refreshCatalog(catalog, found);
  writeFileSync(file, `${JSON.stringify(refreshed, null, 2)}\n`);
  process.stdout.write(`wrote ${file}${missing.length > 0 ? `; not in the offer files (kept as they were): ${missing.join(", ")}` : ""}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`prices:refresh: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
