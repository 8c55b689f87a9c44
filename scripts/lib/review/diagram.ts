/**
 * Architecture pictures (Mermaid flowcharts, rendered by GitHub) of an environment or a dedicated tenant,
 * generated from its configuration and its synthesized infra and platform stacks (and the environment's DNS stack,
 * which holds its hosted zones): edge (DNS zones, CDN, WAF),
 * the VPC with its tiers and availability zones, NAT and endpoints, the data services, the EKS cluster and its
 * node pools, the products with their ingress hosts, shared tenants, backups and the disaster-recovery region.
 *
 * `npm run diagrams` writes docs/architecture/<name>.md; the review report includes a diagram whose text
 * changed (the topology changed).
 */
import type { PlatformConfig } from "../../../config/loader";
import type { Body, SynthesizedStack } from "../../../constructs/policy/model";
import { StackModel } from "../../../constructs/policy/model";
import { dedicatedTenantStackNames, dnsStackName, infraStackName, platformStackName } from "../../../constructs/core/stack-names";
import { hasDnsStack } from "../../../constructs/hosted-zones/rules";
import { environmentZonePlans } from "../../../stacks/app";

export interface DiagramTarget {
  /** `prod`, `tenant-initech` */
  readonly name: string;
  readonly title: string;
  readonly infra: string;
  readonly platform: string;
  /** The environment's DNS stack (`<env>-dns`, its hosted zones), when it has one; a dedicated tenant has none of its own. */
  readonly dns?: string;
  /** Shared tenants served by this environment's cluster. */
  readonly sharedTenants: readonly string[];
}

/** Every environment and dedicated tenant of a configuration. */
export function diagramTargets(config: PlatformConfig): DiagramTarget[] {
  const plans = environmentZonePlans(config);
  const zonesOf = (environment: string) => {
    const plan = plans.get(environment);
    return plan !== undefined && hasDnsStack(plan);
  };
  const targets: DiagramTarget[] = config.environments.map(({ config: environment }) => ({
    name: environment.name,
    title: `environment ${environment.name} (${environment.profile}, ${environment.account.region})`,
    infra: infraStackName(environment.name),
    platform: platformStackName(environment.name),
    ...(zonesOf(environment.name) ? { dns: dnsStackName(environment.name) } : {}),
    sharedTenants: config.tenants.filter(({ config: tenant }) => tenant.environment === environment.name && tenant.isolation === "shared").map(({ config: tenant }) => tenant.id).sort(),
  }));
  for (const { config: tenant } of config.tenants) {
    if (tenant.isolation !== "dedicated") continue;
    const names = dedicatedTenantStackNames(tenant.id);
    targets.push({ name: `tenant-${tenant.id}`, title: `dedicated tenant ${tenant.id} (environment ${tenant.environment})`, infra: names.infra, platform: names.platform, sharedTenants: [] });
  }
  return targets;
}

const MAX_LISTED = 8;

class Graph {
  private readonly lines: string[] = ["flowchart LR"];
  private counter = 0;
  private indent = 1;

  id(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  node(label: string, shape: "box" | "db" | "round" | "hex" = "box", prefix = "n"): string {
    const id = this.id(prefix);
    const text = `"${label.replace(/"/g, "#quot;")}"`;
    const open = { box: "[", db: "[(", round: "(", hex: "{{" }[shape];
    const close = { box: "]", db: ")]", round: ")", hex: "}}" }[shape];
    this.push(`${id}${open}${text}${close}`);
    return id;
  }

  group(label: string, body: () => void): string {
    const id = this.id("g");
    this.push(`subgraph ${id}["${label.replace(/"/g, "#quot;")}"]`);
    this.indent += 1;
    body();
    this.indent -= 1;
    this.push("end");
    return id;
  }

  edge(from: string, to: string, label?: string): void {
    this.push(label ? `${from} -->|"${label.replace(/"/g, "#quot;")}"| ${to}` : `${from} --> ${to}`);
  }

  push(line: string): void {
    this.lines.push(`${"  ".repeat(this.indent)}${line}`);
  }

  text(): string {
    return this.lines.join("\n");
  }
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const one = (value: unknown): Body => ((Array.isArray(value) ? value[0] : value) ?? {}) as Body;
const listed = (items: readonly string[]) => (items.length > MAX_LISTED ? `${items.slice(0, MAX_LISTED).join(", ")} … +${items.length - MAX_LISTED}` : items.join(", "));

function providerRegions(json: SynthesizedStack): { region: string; aliases: Map<string, string> } {
  let region = "?";
  const aliases = new Map<string, string>();
  for (const provider of (json.provider?.aws ?? []) as Body[]) {
    if (typeof provider.alias === "string") aliases.set(`aws.${provider.alias}`, String(provider.region));
    else region = String(provider.region);
  }
  return { region, aliases };
}

function bodies(model: StackModel | undefined, type: string): Body[] {
  return (model?.resources(type) ?? []).map((block) => block.body);
}

/** The Mermaid text of one environment or dedicated tenant (its hosted zones from the DNS stack, when given). */
export function renderDiagram(target: DiagramTarget, infraJson: SynthesizedStack | undefined, platformJson: SynthesizedStack | undefined, dnsJson?: SynthesizedStack): string {
  const g = new Graph();
  const infra = infraJson ? new StackModel(infraJson, target.infra) : undefined;
  const platform = platformJson ? new StackModel(platformJson, target.platform) : undefined;
  const dns = dnsJson && target.dns ? new StackModel(dnsJson, target.dns) : undefined;
  const { region, aliases } = infraJson ? providerRegions(infraJson) : { region: "?", aliases: new Map<string, string>() };

  const users = g.node("Users", "round", "u");
  // Edge: DNS zones, CDN, WAF
  let edge: string | undefined;
  const zones = [...bodies(dns, "aws_route53_zone"), ...bodies(infra, "aws_route53_zone")].map((zone) => String(zone.name)).sort();
  const cdns = bodies(infra, "aws_cloudfront_distribution").flatMap((cdn) => list(cdn.aliases).map(String)).sort();
  const acls = bodies(infra, "aws_wafv2_web_acl").map((acl) => `${String(acl.name)} (${String(acl.scope).toLowerCase()})`).sort();
  if (zones.length + cdns.length + acls.length > 0) {
    edge = g.group("Edge", () => {
      if (zones.length > 0) g.node(`Route 53 zones: ${listed(zones)}`, "box", "dns");
      if (cdns.length > 0) g.node(`CloudFront: ${listed(cdns)}`, "box", "cdn");
      if (acls.length > 0) g.node(`WAF: ${listed(acls)}`, "hex", "waf");
    });
    g.edge(users, edge);
  }

  // Network
  const vpc = bodies(infra, "aws_vpc")[0];
  const subnets = bodies(infra, "aws_subnet");
  const tiers = new Map<string, Body[]>();
  for (const subnet of subnets) {
    const tier = String((subnet.tags as Record<string, unknown> | undefined)?.["platform:tier"] ?? "subnets");
    tiers.set(tier, [...(tiers.get(tier) ?? []), subnet]);
  }
  let network: string | undefined;
  let appTier: string | undefined;
  let dataTier: string | undefined;
  let clusterGroup: string | undefined;
  if (vpc) {
    network = g.group(`VPC ${String(vpc.cidr_block)} — ${region}`, () => {
      for (const tier of ["public", "private", "data", ...[...tiers.keys()].filter((name) => !["public", "private", "data"].includes(name))]) {
        const members = tiers.get(tier);
        if (!members) continue;
        const id = g.group(`${tier} tier`, () => {
          for (const subnet of [...members].sort((a, b) => String(a.availability_zone).localeCompare(String(b.availability_zone)))) g.node(`${String(subnet.availability_zone)} ${String(subnet.cidr_block)}`, "box", "s");
          if (tier === "public") {
            const nats = bodies(infra, "aws_nat_gateway").length;
            if (nats > 0) g.node(`NAT gateway × ${nats}`, "hex", "nat");
          }
        });
        if (tier === "private") appTier = id;
        if (tier === "data") dataTier = id;
      }
      const interfaces = bodies(infra, "aws_vpc_endpoint").filter((endpoint) => endpoint.vpc_endpoint_type === "Interface").length;
      const gateways = bodies(infra, "aws_vpc_endpoint").length - interfaces;
      if (interfaces + gateways > 0) g.node(`VPC endpoints: ${interfaces} interface, ${gateways} gateway`, "box", "vpce");
    });
  }

  // Cluster
  const cluster = bodies(infra, "aws_eks_cluster")[0];
  if (cluster) {
    clusterGroup = g.group(`EKS ${String(cluster.name)} (Kubernetes ${String(cluster.version)})`, () => {
      for (const pool of bodies(infra, "aws_eks_node_group")) {
        const scaling = one(pool.scaling_config);
        g.node(`node pool ${String(pool.node_group_name ?? "")}: ${list(pool.instance_types).join("/")} × ${String(scaling.min_size)}–${String(scaling.max_size)}`, "box", "np");
      }
      const releases = bodies(platform, "helm_release").map((release) => String(release.name));
      if (releases.includes("karpenter")) g.node("Karpenter node pools (capacity at run time)", "box", "kp");
      const addons = [...new Set(releases.filter((name) => !["karpenter", "workload-secrets", "karpenter-nodes", "cluster-secret-stores"].includes(name)))].sort();
      if (addons.length > 0) g.node(`add-ons: ${listed(addons)}`, "box", "ad");
      // Products: namespaces with their ingress hosts
      const hosts = new Map<string, Set<string>>();
      for (const ingress of bodies(platform, "kubernetes_ingress_v1")) {
        const namespace = String(one(ingress.metadata).namespace ?? "default");
        for (const rule of list(one(ingress.spec).rule)) if ((rule as Body).host) hosts.set(namespace, (hosts.get(namespace) ?? new Set()).add(String((rule as Body).host)));
      }
      for (const [namespace, names] of [...hosts].sort(([a], [b]) => a.localeCompare(b))) g.node(`product ${namespace}: ${listed([...names].sort())}`, "round", "p");
      if (target.sharedTenants.length > 0) g.node(`shared tenants × ${target.sharedTenants.length}: ${listed([...target.sharedTenants])}`, "round", "t");
    });
  }

  // Data services
  const services: string[] = [];
  let data: string | undefined;
  const dataNodes = () => {
    for (const block of infra?.resources("aws_rds_cluster") ?? []) {
      const members = (infra?.resources("aws_rds_cluster_instance") ?? []).filter((instance) => String(instance.body.cluster_identifier).includes(block.name));
      services.push(g.node(`Aurora ${String(block.body.cluster_identifier)}: ${members.length} × ${String(members[0]?.body.instance_class ?? "?")}`, "db", "d"));
    }
    for (const cache of bodies(infra, "aws_elasticache_replication_group")) services.push(g.node(`${String(cache.engine)} ${String(cache.replication_group_id)}: ${String(cache.num_cache_clusters ?? "?")} × ${String(cache.node_type)}`, "db", "d"));
    for (const block of infra?.resources("aws_docdb_cluster") ?? []) {
      const members = (infra?.resources("aws_docdb_cluster_instance") ?? []).filter((instance) => String(instance.body.cluster_identifier).includes(block.name));
      services.push(g.node(`DocumentDB ${String(block.body.cluster_identifier)}: ${members.length} × ${String(members[0]?.body.instance_class ?? "?")}`, "db", "d"));
    }
    for (const domain of bodies(infra, "aws_opensearch_domain")) {
      const config = one(domain.cluster_config);
      services.push(g.node(`OpenSearch ${String(domain.domain_name)}: ${String(config.instance_count)} × ${String(config.instance_type)}`, "db", "d"));
    }
    for (const broker of bodies(infra, "aws_mq_broker")) services.push(g.node(`${String(broker.engine_type)} ${String(broker.broker_name)}: ${String(broker.host_instance_type)} ${String(broker.deployment_mode).toLowerCase()}`, "db", "d"));
  };
  if (dataTier || infra) {
    data = g.group("Data services", dataNodes);
  }
  const buckets = bodies(infra, "aws_s3_bucket").map((bucket) => String(bucket.bucket)).sort();
  const storage = buckets.length > 0 ? g.node(`S3 buckets × ${buckets.length}: ${listed(buckets)}`, "db", "b") : undefined;

  // Backups and DR
  const vaults = (infra?.resources("aws_backup_vault") ?? []).map((block) => ({ name: String(block.body.name), region: typeof block.body.provider === "string" ? (aliases.get(block.body.provider) ?? region) : region }));
  let backup: string | undefined;
  let dr: string | undefined;
  const local = vaults.filter((vault) => vault.region === region);
  const remote = vaults.filter((vault) => vault.region !== region);
  if (local.length > 0) backup = g.node(`AWS Backup: ${local.map((vault) => vault.name).join(", ")}`, "db", "bk");
  if (remote.length > 0) {
    dr = g.group(`DR region ${remote[0]?.region}`, () => {
      for (const vault of remote) g.node(`vault ${vault.name}`, "db", "dr");
    });
  }

  // Edges
  if (edge && clusterGroup) g.edge(edge, clusterGroup, "ALB ingress");
  else if (clusterGroup) g.edge(users, clusterGroup);
  if (network && clusterGroup && appTier) g.edge(appTier, clusterGroup, "nodes");
  if (clusterGroup && data) g.edge(clusterGroup, data);
  if (clusterGroup && storage) g.edge(clusterGroup, storage);
  if (data && dataTier) g.edge(data, dataTier, "placed in");
  if (backup && data) g.edge(data, backup, "backups");
  if (backup && dr) g.edge(backup, dr, "copies");
  if (edge && storage && cdns.length > 0) g.edge(edge, storage, "CDN origin");
  return g.text();
}

/** The markdown page of one target (docs/architecture/<name>.md). */
export function diagramPage(target: DiagramTarget, mermaid: string): string {
  return [
    `# Architecture: ${target.title}`,
    "",
    `Generated by \`npm run diagrams\` from the configuration and the synthesized ${[target.dns, target.infra, target.platform].filter((name) => name !== undefined).map((name) => `\`${name}\``).join(", ").replace(/, ([^,]*)$/, " and $1")} stacks; do not edit by hand.`,
    "",
    "```mermaid",
    mermaid,
    "```",
    "",
  ].join("\n");
}

/**
 * Targets whose inputs from configuration alone (title, shared tenants) differ between two configurations, or that
 * are new. A scoped review (only tenant files changed) compares the changed tenants' stacks only; a shared tenant
 * added, removed or moved still changes its environment's diagram, so the review synthesizes that environment's
 * (otherwise unchanged) stacks for these targets to show the same diagrams as a review of every stack.
 */
export function targetsChangedByConfig(baseConfig: PlatformConfig | undefined, headConfig: PlatformConfig): DiagramTarget[] {
  const before = new Map((baseConfig ? diagramTargets(baseConfig) : []).map((target) => [target.name, target]));
  return diagramTargets(headConfig).filter((target) => {
    const old = before.get(target.name);
    return !old || old.title !== target.title || old.infra !== target.infra || old.platform !== target.platform || old.dns !== target.dns || old.sharedTenants.join(",") !== target.sharedTenants.join(",");
  });
}

/** Diagrams whose text differs between the two revisions (for the review report). */
export function changedDiagrams(
  baseConfig: PlatformConfig | undefined,
  headConfig: PlatformConfig | undefined,
  base: ReadonlyMap<string, SynthesizedStack>,
  head: ReadonlyMap<string, SynthesizedStack>,
): { title: string; mermaid: string }[] {
  if (!headConfig) return [];
  const before = new Map((baseConfig ? diagramTargets(baseConfig) : []).map((target) => [target.name, target]));
  const out: { title: string; mermaid: string }[] = [];
  for (const target of diagramTargets(headConfig)) {
    if (!head.has(target.infra) || !head.has(target.platform)) continue; // not compared in this review
    const old = before.get(target.name);
    // Zones only when both sides compared the DNS stack (or the base had none): a DNS stack left out of a scoped
    // review must not show as zones appearing or disappearing.
    const withDns = target.dns !== undefined && head.has(target.dns) && (old?.dns === undefined || base.has(old.dns));
    const after = renderDiagram(target, head.get(target.infra), head.get(target.platform), withDns ? head.get(target.dns as string) : undefined);
    const previous = old && base.has(old.infra) && base.has(old.platform) ? renderDiagram(old, base.get(old.infra), base.get(old.platform), withDns && old.dns ? base.get(old.dns) : undefined) : undefined;
    if (previous !== after) out.push({ title: target.title, mermaid: after });
  }
  return out;
}
