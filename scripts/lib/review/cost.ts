/**
 * Monthly cost of a synthesized stack from the committed, region-specific price catalog
 * (data/prices/<region>.json; refreshed by `npm run prices:refresh`, scripts/prices.ts).
 *
 * Only what the configuration fixes is priced: instance hours (databases, caches, search, brokers, node
 * groups at their desired size), the EKS control plane, NAT gateways, public IPv4 addresses, interface
 * endpoints, keys, secrets, alarms, hosted zones and web ACLs. Usage (storage growth, requests, transfer,
 * capacity Karpenter launches at run time) is not estimated. A resource the catalog has no price for is
 * listed as unknown — never counted as zero, never guessed.
 *
 * Every price in a catalog carries its sources (URL, date, the words that state it); a price nobody could
 * source is not in the catalog but in its `unpriced` list, which `npm run prices:refresh` fills from the AWS
 * Price List offer files.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Body, SynthesizedStack } from "../../../constructs/policy/model";
import { StackModel } from "../../../constructs/policy/model";

export const PRICE_DIR = join(__dirname, "data", "prices");

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const PriceSourceSchema = z.strictObject({
  /** Where the price was read: an AWS Price List offer file, an AWS pricing page or announcement, or a public dataset derived from the Price List. */
  url: z.url(),
  /** YYYY-MM-DD: the source's own date (offer file `publicationDate`, article or commit date), or the day an undated page was read. */
  date: z.string().regex(ISO_DATE, "a YYYY-MM-DD date"),
  /** `published`: the source's own date; `read`: the day a copy of an undated page was read. */
  dateOf: z.enum(["published", "read"]),
  /** The words of the source that state the price (a page), or the SKU, unit and description (an offer file). */
  evidence: z.string().min(1),
});

const CatalogPriceSchema = z.strictObject({
  usd: z.number().positive(),
  per: z.enum(["hour", "month", "GB-month"]),
  sources: z.array(PriceSourceSchema).min(1),
});

export const PriceCatalogSchema = z.strictObject({
  region: z.string().min(1),
  currency: z.literal("USD"),
  hoursPerMonth: z.number().positive(),
  /** How the prices were obtained and what a reviewer may rely on. */
  method: z.string().min(1),
  prices: z.record(z.string(), CatalogPriceSchema),
  /** Price keys the platform's resources need in this region that no source could be found for, with why: listed as not priced. */
  unpriced: z.record(z.string(), z.string().min(1)),
});

export type PriceSource = z.infer<typeof PriceSourceSchema>;
export type CatalogPrice = z.infer<typeof CatalogPriceSchema>;
export type PriceCatalog = z.infer<typeof PriceCatalogSchema>;

export interface CostLine {
  readonly address: string;
  readonly key: string;
  readonly quantity: number;
  readonly monthly: number;
}

export interface StackEstimate {
  readonly monthly: number;
  readonly lines: readonly CostLine[];
  /** `type (price key in region)` of resources the catalog cannot price. */
  readonly unknown: readonly string[];
  /** Catalog description for the report (`eu-west-1 catalog, sources dated 2024-02-08 to 2026-09-20`). */
  readonly catalog: string;
}

export class PriceCatalogError extends Error {}

/** Parses a catalog file's text; throws naming the file and every problem. */
export function parseCatalog(text: string, file: string): PriceCatalog {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PriceCatalogError(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = PriceCatalogSchema.safeParse(data);
  if (!parsed.success) throw new PriceCatalogError(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ")}`);
  const both = Object.keys(parsed.data.prices).filter((key) => key in parsed.data.unpriced);
  if (both.length > 0) throw new PriceCatalogError(`${file}: ${both.join(", ")} both priced and listed as unpriced`);
  return parsed.data;
}

const catalogs = new Map<string, PriceCatalog | undefined>();

export function loadCatalog(region: string, dir = PRICE_DIR): PriceCatalog | undefined {
  const key = `${dir}:${region}`;
  if (!catalogs.has(key)) {
    const file = join(dir, `${region}.json`);
    catalogs.set(key, existsSync(file) ? parseCatalog(readFileSync(file, "utf8"), file) : undefined);
  }
  return catalogs.get(key);
}

/** `eu-west-1 catalog, sources dated 2024-02-08 to 2026-09-20` */
export function describeCatalog(catalog: PriceCatalog): string {
  const dates = Object.values(catalog.prices).flatMap((price) => price.sources.map((source) => source.date)).sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  return `${catalog.region} catalog, ${first === undefined ? "no sourced prices" : first === last ? `sources dated ${first}` : `sources dated ${first} to ${last}`}`;
}

type Need = { readonly key: string; readonly quantity: number };

const num = (value: unknown, fallback: number): number => {
  const parsed = typeof value === "string" ? Number(value) : value;
  return typeof parsed === "number" && Number.isFinite(parsed) ? parsed : fallback;
};
const first = (value: unknown): Body | undefined => (Array.isArray(value) ? (value[0] as Body | undefined) : (value as Body | undefined));
const BROKER_INSTANCES: Record<string, number> = { SINGLE_INSTANCE: 1, ACTIVE_STANDBY_MULTI_AZ: 2, CLUSTER_MULTI_AZ: 3 };

/** What one resource needs priced (empty: free, or usage-based only). */
function needs(type: string, body: Body, model: StackModel): Need[] | "usage" {
  switch (type) {
    case "aws_rds_cluster_instance":
      return [{ key: `rds.${String(body.engine ?? "aurora-postgresql")}.${String(body.instance_class)}`, quantity: 1 }];
    case "aws_docdb_cluster_instance":
      return [{ key: `docdb.${String(body.instance_class)}`, quantity: 1 }];
    case "aws_elasticache_replication_group": {
      const nodes = body.num_node_groups !== undefined ? num(body.num_node_groups, 1) * (num(body.replicas_per_node_group, 0) + 1) : num(body.num_cache_clusters, 1);
      return [{ key: `elasticache.${String(body.engine ?? "redis")}.${String(body.node_type)}`, quantity: nodes }];
    }
    case "aws_opensearch_domain": {
      const cluster = first(body.cluster_config) ?? {};
      const ebs = first(body.ebs_options) ?? {};
      const data = num(cluster.instance_count, 1);
      const out: Need[] = [{ key: `opensearch.${String(cluster.instance_type)}`, quantity: data }];
      if (cluster.dedicated_master_enabled === true || cluster.dedicated_master_enabled === "true") out.push({ key: `opensearch.${String(cluster.dedicated_master_type)}`, quantity: num(cluster.dedicated_master_count, 3) });
      if (ebs.ebs_enabled === true || ebs.ebs_enabled === "true") out.push({ key: `opensearch.${String(ebs.volume_type ?? "gp3")}`, quantity: data * num(ebs.volume_size, 10) });
      return out;
    }
    case "aws_mq_broker":
      return [{ key: `mq.${String(body.engine_type).toLowerCase()}.${String(body.host_instance_type)}`, quantity: BROKER_INSTANCES[String(body.deployment_mode)] ?? 1 }];
    case "aws_eks_cluster":
      // The control plane costs the standard rate while its Kubernetes version is in standard support, whatever the
      // upgrade policy: "If a cluster merely has the upgrade policy set to enable extended support, and is otherwise in
      // the standard support period, it incurs standard costs" (https://docs.aws.amazon.com/eks/latest/userguide/enable-extended-support.html).
      // The extended-support rate applies only after the version's end of standard support, a date not known here.
      return [{ key: "eks.cluster.standard", quantity: 1 }];
    case "aws_eks_node_group": {
      const desired = num(first(body.scaling_config)?.desired_size, 1);
      const types = Array.isArray(body.instance_types) ? body.instance_types : [];
      const out: Need[] = [{ key: `ec2.${String(types[0] ?? "t3.medium")}`, quantity: desired }];
      const template = typeof first(body.launch_template)?.id === "string" ? /\$\{(aws_launch_template\.[^.]+)\./.exec(String(first(body.launch_template)?.id)) : null;
      const mapping = template ? first(model.byAddress(template[1] as string)?.body.block_device_mappings) : undefined;
      const volume = first(mapping?.ebs);
      if (volume) out.push({ key: `ebs.${String(volume.volume_type ?? "gp3")}`, quantity: desired * num(volume.volume_size, 20) });
      else out.push({ key: "ebs.gp3", quantity: desired * num(body.disk_size, 20) });
      return out;
    }
    case "aws_nat_gateway":
      return body.connectivity_type === "private" ? [{ key: "vpc.nat-gateway", quantity: 1 }] : [{ key: "vpc.nat-gateway", quantity: 1 }];
    case "aws_eip":
      return [{ key: "vpc.public-ipv4", quantity: 1 }];
    case "aws_vpc_endpoint":
      return body.vpc_endpoint_type === "Interface" ? [{ key: "vpc.interface-endpoint-az", quantity: Math.max(1, Array.isArray(body.subnet_ids) ? body.subnet_ids.length : 1) }] : [];
    case "aws_kms_key":
      return [{ key: "kms.key", quantity: 1 }];
    case "aws_secretsmanager_secret":
      return [{ key: "secretsmanager.secret", quantity: 1 }];
    case "aws_cloudwatch_metric_alarm":
      return [{ key: "cloudwatch.alarm-metric", quantity: Array.isArray(body.metric_query) ? body.metric_query.filter((query: Body) => query.metric !== undefined).length || 1 : 1 }];
    case "aws_route53_zone":
      return [{ key: "route53.hosted-zone", quantity: 1 }];
    case "aws_wafv2_web_acl":
      return [{ key: "waf.web-acl", quantity: 1 }, { key: "waf.rule", quantity: Array.isArray(body.rule) ? body.rule.length : 0 }];
    default:
      return USAGE_BASED.has(type) ? "usage" : [];
  }
}

/** Types billed by usage only (storage, requests, transfer): listed, never estimated. */
const USAGE_BASED = new Set(["aws_s3_bucket", "aws_cloudfront_distribution", "aws_cloudwatch_log_group", "aws_flow_log", "aws_backup_vault", "aws_sqs_queue", "aws_sns_topic", "aws_rds_cluster", "aws_docdb_cluster", "aws_cloudwatch_log_delivery"]);

/** The region of a resource: its provider alias's region, else the default provider's. */
function regions(json: SynthesizedStack): { default: string; byAlias: Map<string, string> } {
  const providers = (json.provider?.aws ?? []) as Body[];
  const byAlias = new Map<string, string>();
  let fallback = "us-east-1";
  for (const provider of providers) {
    if (typeof provider.alias === "string") byAlias.set(`aws.${provider.alias}`, String(provider.region));
    else fallback = String(provider.region ?? fallback);
  }
  return { default: fallback, byAlias };
}

export function estimateStack(stack: string, json: SynthesizedStack, dir = PRICE_DIR): StackEstimate {
  const model = new StackModel(json, stack);
  const { default: region, byAlias } = regions(json);
  const lines: CostLine[] = [];
  const unknown = new Set<string>();
  let monthly = 0;
  for (const block of model.all().filter((item) => item.kind === "resource")) {
    const wanted = needs(block.type, block.body, model);
    if (wanted === "usage") continue;
    const where = typeof block.body.provider === "string" ? (byAlias.get(block.body.provider) ?? region) : region;
    const catalog = loadCatalog(where, dir);
    for (const need of wanted) {
      if (need.quantity === 0) continue;
      const price = catalog?.prices[need.key];
      if (!price) {
        unknown.add(`${block.type} (${need.key} in ${where})`);
        continue;
      }
      const cost = price.per === "hour" ? price.usd * (catalog?.hoursPerMonth ?? 730) * need.quantity : price.usd * need.quantity;
      monthly += cost;
      lines.push({ address: block.address, key: need.key, quantity: need.quantity, monthly: cost });
    }
  }
  const catalog = loadCatalog(region, dir);
  return { monthly, lines, unknown: [...unknown].sort(), catalog: catalog ? describeCatalog(catalog) : `no catalog for ${region}` };
}
