/**
 * Monthly cost of a synthesized stack from the committed, region-specific price catalog
 * (data/prices/<region>.json; refreshed by `npm run prices:refresh`, scripts/prices.ts).
 *
 * Only what the configuration fixes is priced: instance hours (databases, caches, search, brokers, node
 * groups at their desired size), the EKS control plane, NAT gateways, public IPv4 addresses, interface
 * endpoints, keys, secrets, alarms, hosted zones and web ACLs. Usage (storage growth, requests, transfer,
 * capacity Karpenter launches at run time) is not estimated. A resource the catalog has no price for is
 * listed as unknown — never counted as zero.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Body, SynthesizedStack } from "../../../constructs/policy/model";
import { StackModel } from "../../../constructs/policy/model";

export const PRICE_DIR = join(__dirname, "data", "prices");

export interface PriceCatalog {
  readonly region: string;
  readonly currency: "USD";
  readonly source: string;
  readonly retrieved: string;
  readonly hoursPerMonth: number;
  readonly prices: Record<string, { readonly usd: number; readonly per: "hour" | "month" | "GB-month"; readonly sku?: string }>;
}

export interface CostLine {
  readonly address: string;
  readonly key: string;
  readonly quantity: number;
  readonly monthly: number;
}

export interface StackEstimate {
  readonly monthly: number;
  readonly lines: readonly CostLine[];
  /** `type (price key)` of resources the catalog cannot price. */
  readonly unknown: readonly string[];
  /** Catalog description for the report (`eu-west-1, 2026-12-06`). */
  readonly catalog: string;
}

const catalogs = new Map<string, PriceCatalog | undefined>();

export function loadCatalog(region: string, dir = PRICE_DIR): PriceCatalog | undefined {
  const key = `${dir}:${region}`;
  if (!catalogs.has(key)) {
    const file = join(dir, `${region}.json`);
    catalogs.set(key, existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PriceCatalog) : undefined);
  }
  return catalogs.get(key);
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
      return [{ key: `eks.cluster.${String(first(body.upgrade_policy)?.support_type ?? "EXTENDED") === "STANDARD" ? "standard" : "extended"}`, quantity: 1 }];
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
  return { monthly, lines, unknown: [...unknown].sort(), catalog: catalog ? `${catalog.region} catalog of ${catalog.retrieved}` : `no catalog for ${region}` };
}
