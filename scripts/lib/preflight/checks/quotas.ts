/**
 * Quotas the stack's additions count against: what the account uses now plus what this apply adds (resources of the
 * stack that are not in its state yet) must stay within the applied quota (Service Quotas GetServiceQuota; the AWS
 * default where none was applied: GetAWSDefaultServiceQuota). Exceeding one fails the apply half-way
 * (VpcLimitExceeded, AddressLimitExceeded, NatGatewayLimitExceeded, TooManyLoadBalancers, ResourceLimitExceeded).
 *
 * Quotas (service code / quota code; Amazon VPC quotas, EC2 Elastic IP quotas, ELB and EKS service quotas pages):
 * - vpc L-F678F1CE VPCs per Region; vpc L-A4707A72 Internet gateways per Region;
 * - ec2 L-0263D0A3 EC2-VPC Elastic IPs (per Region);
 * - vpc L-FE5A380F NAT gateways per Availability Zone (counted per zone of each NAT gateway's subnet);
 * - vpc L-29B6F2EB Interface VPC endpoints per VPC;
 * - elasticloadbalancing L-53DA6B97 Application Load Balancers per Region: the load balancer controller makes one
 *   ALB per ingress group (`alb.ingress.kubernetes.io/group.name`), or per ingress without a group;
 * - eks L-1194D53C Clusters (per Region).
 */
import { literal, one, type Block, type StackModel } from "../../../../constructs/policy/model";
import type { AwsApi } from "../aws";
import { errorCode } from "../aws";
import { collectStackState, inState, type StackState } from "../state";
import { defineCheck, problem, type PreflightProblem } from "../types";
import { defaultRegion } from "./support";

export type QuotaId = "vpcs" | "internet-gateways" | "elastic-ips" | "nat-gateways" | "interface-endpoints" | "application-load-balancers" | "eks-clusters";

export interface QuotaDefinition {
  readonly serviceCode: string;
  readonly quotaCode: string;
  readonly name: string;
  /** What counts against it: `region` (one number), `zone` (per availability zone) or `vpc` (per VPC). */
  readonly scope: "region" | "zone" | "vpc";
}

export const QUOTAS: Readonly<Record<QuotaId, QuotaDefinition>> = {
  vpcs: { serviceCode: "vpc", quotaCode: "L-F678F1CE", name: "VPCs per Region", scope: "region" },
  "internet-gateways": { serviceCode: "vpc", quotaCode: "L-A4707A72", name: "Internet gateways per Region", scope: "region" },
  "elastic-ips": { serviceCode: "ec2", quotaCode: "L-0263D0A3", name: "EC2-VPC Elastic IPs", scope: "region" },
  "nat-gateways": { serviceCode: "vpc", quotaCode: "L-FE5A380F", name: "NAT gateways per Availability Zone", scope: "zone" },
  "interface-endpoints": { serviceCode: "vpc", quotaCode: "L-29B6F2EB", name: "Interface VPC endpoints per VPC", scope: "vpc" },
  "application-load-balancers": { serviceCode: "elasticloadbalancing", quotaCode: "L-53DA6B97", name: "Application Load Balancers per Region", scope: "region" },
  "eks-clusters": { serviceCode: "eks", quotaCode: "L-1194D53C", name: "Clusters", scope: "region" },
};

/** What the stack adds, per quota and scope key (the zone, the VPC address, or `region`). */
export interface QuotaAdditions {
  readonly region: string;
  /** Addresses (or ingress groups) the stack declares, per quota and scope key. */
  readonly declared: ReadonlyMap<QuotaId, ReadonlyMap<string, readonly string[]>>;
}

export interface QuotaFacts {
  readonly state?: StackState;
  readonly values: ReadonlyMap<QuotaId, number>;
  /** Current usage per quota and scope key. */
  readonly usage: ReadonlyMap<QuotaId, ReadonlyMap<string, number>>;
  /** Ingress groups whose load balancer exists already (`ingress.k8s.aws/stack` tags; their ALB is in usage). */
  readonly existingIngressGroups: readonly string[];
}

const GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name";

function addTo(map: Map<QuotaId, Map<string, string[]>>, quota: QuotaId, key: string, item: string): void {
  const scoped = map.get(quota) ?? new Map<string, string[]>();
  scoped.set(key, [...(scoped.get(key) ?? []), item]);
  map.set(quota, scoped);
}

function subnetZone(model: StackModel, value: unknown): string | undefined {
  const subnet = model.refsIn(value).find((block) => block.type === "aws_subnet");
  return literal(subnet?.body.availability_zone);
}

/**
 * The load balancer of an ingress, as the AWS Load Balancer Controller tags it (`ingress.k8s.aws/stack`): the group
 * name of an ingress group, else `<namespace>/<name>` of the ingress alone.
 */
export function ingressGroup(block: Block): string {
  const metadata = one(one(block.body.metadata));
  const annotations = one(metadata?.annotations) ?? {};
  return literal(annotations[GROUP_ANNOTATION]) ?? `${literal(metadata?.namespace) ?? "default"}/${literal(metadata?.name) ?? block.name}`;
}

/** The tag the load balancer controller puts on each load balancer it creates for an ingress (group). */
export const INGRESS_STACK_TAG = "ingress.k8s.aws/stack";

/** Only resources in the stack's default region count (quotas are regional). */
function inDefaultRegion(block: Block): boolean {
  return block.body.provider === undefined;
}

export function quotaAdditions(model: StackModel): QuotaAdditions | undefined {
  const region = defaultRegion(model);
  if (!region) return undefined;
  const declared = new Map<QuotaId, Map<string, string[]>>();
  for (const block of model.resources("aws_vpc").filter(inDefaultRegion)) addTo(declared, "vpcs", "region", block.address);
  for (const block of model.resources("aws_internet_gateway").filter(inDefaultRegion)) addTo(declared, "internet-gateways", "region", block.address);
  for (const block of model.resources("aws_eip").filter(inDefaultRegion)) addTo(declared, "elastic-ips", "region", block.address);
  for (const block of model.resources("aws_nat_gateway").filter(inDefaultRegion)) {
    if (literal(block.body.connectivity_type) === "private") continue;
    addTo(declared, "nat-gateways", subnetZone(model, block.body.subnet_id) ?? "unknown zone", block.address);
  }
  for (const block of model.resources("aws_vpc_endpoint").filter(inDefaultRegion)) {
    if ((literal(block.body.vpc_endpoint_type) ?? "Gateway") !== "Interface") continue;
    const vpc = model.refsIn(block.body.vpc_id).find((target) => target.type === "aws_vpc");
    addTo(declared, "interface-endpoints", vpc?.address ?? "unknown VPC", block.address);
  }
  for (const block of model.resources("kubernetes_ingress_v1")) {
    const spec = one(block.body.spec);
    if ((literal(spec?.ingress_class_name) ?? "alb") !== "alb") continue;
    addTo(declared, "application-load-balancers", "region", `${ingressGroup(block)}\u0000${block.address}`);
  }
  for (const block of model.resources("aws_eks_cluster").filter(inDefaultRegion)) addTo(declared, "eks-clusters", "region", block.address);
  return declared.size > 0 ? { region, declared } : undefined;
}

async function quotaValue(api: AwsApi, region: string, definition: QuotaDefinition): Promise<number> {
  const input = { ServiceCode: definition.serviceCode, QuotaCode: definition.quotaCode };
  try {
    const applied = await api.call("service-quotas:GetServiceQuota", region, input);
    if (applied.Quota?.Value !== undefined) return applied.Quota.Value;
  } catch (error) {
    if (errorCode(error) !== "NoSuchResourceException") throw error;
  }
  const defaults = await api.call("service-quotas:GetAWSDefaultServiceQuota", region, input);
  if (defaults.Quota?.Value === undefined) throw new Error(`Service Quotas has no value for ${definition.serviceCode}/${definition.quotaCode}`);
  return defaults.Quota.Value;
}

async function countPages<T>(fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

async function usageOf(api: AwsApi, region: string, quota: QuotaId, additions: QuotaAdditions, state: StackState | undefined): Promise<Map<string, number>> {
  switch (quota) {
    case "vpcs":
      return new Map([["region", (await countPages((token) => api.call("ec2:DescribeVpcs", region, { MaxResults: 1000, ...(token ? { NextToken: token } : {}) }).then((page) => ({ items: page.Vpcs ?? [], next: page.NextToken })))).length]]);
    case "internet-gateways":
      return new Map([["region", (await countPages((token) => api.call("ec2:DescribeInternetGateways", region, { MaxResults: 1000, ...(token ? { NextToken: token } : {}) }).then((page) => ({ items: page.InternetGateways ?? [], next: page.NextToken })))).length]]);
    case "elastic-ips": {
      const addresses = await api.call("ec2:DescribeAddresses", region, { Filters: [{ Name: "domain", Values: ["vpc"] }] });
      return new Map([["region", (addresses.Addresses ?? []).length]]);
    }
    case "nat-gateways": {
      const gateways = await countPages((token) =>
        api.call("ec2:DescribeNatGateways", region, { Filter: [{ Name: "state", Values: ["pending", "available"] }], MaxResults: 1000, ...(token ? { NextToken: token } : {}) }).then((page) => ({ items: page.NatGateways ?? [], next: page.NextToken })),
      );
      const subnetIds = [...new Set(gateways.flatMap((gateway) => (gateway.SubnetId ? [gateway.SubnetId] : [])))].sort();
      const zones = new Map<string, string>();
      if (subnetIds.length > 0) {
        const subnets = await api.call("ec2:DescribeSubnets", region, { SubnetIds: subnetIds });
        for (const subnet of subnets.Subnets ?? []) if (subnet.SubnetId && subnet.AvailabilityZone) zones.set(subnet.SubnetId, subnet.AvailabilityZone);
      }
      const usage = new Map<string, number>();
      for (const gateway of gateways) {
        const zone = zones.get(gateway.SubnetId ?? "") ?? "unknown zone";
        usage.set(zone, (usage.get(zone) ?? 0) + 1);
      }
      return usage;
    }
    case "interface-endpoints": {
      const usage = new Map<string, number>();
      for (const vpcAddress of additions.declared.get("interface-endpoints")?.keys() ?? []) {
        const vpcId = state?.resources.get(vpcAddress)?.instances[0]?.id;
        if (!vpcId) continue; // a VPC this apply creates has no endpoints yet
        const endpoints = await api.call("ec2:DescribeVpcEndpoints", region, { Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "vpc-endpoint-type", Values: ["Interface"] }] });
        usage.set(vpcAddress, (endpoints.VpcEndpoints ?? []).filter((endpoint) => !["deleted", "deleting", "failed", "rejected"].includes(String(endpoint.State).toLowerCase())).length);
      }
      return usage;
    }
    case "application-load-balancers": {
      const balancers = await countPages((token) => api.call("elbv2:DescribeLoadBalancers", region, { PageSize: 400, ...(token ? { Marker: token } : {}) }).then((page) => ({ items: page.LoadBalancers ?? [], next: page.NextMarker })));
      return new Map([["region", balancers.filter((balancer) => balancer.Type === "application").length]]);
    }
    case "eks-clusters": {
      const clusters = await countPages((token) => api.call("eks:ListClusters", region, { maxResults: 100, ...(token ? { nextToken: token } : {}) }).then((page) => ({ items: page.clusters ?? [], next: page.nextToken })));
      return new Map([["region", clusters.length]]);
    }
  }
}

/** The `ingress.k8s.aws/stack` tag of every load balancer in the region (DescribeTags takes 20 ARNs a call). */
async function ingressStackTags(api: AwsApi, region: string): Promise<string[]> {
  const balancers = await countPages((token) => api.call("elbv2:DescribeLoadBalancers", region, { PageSize: 400, ...(token ? { Marker: token } : {}) }).then((page) => ({ items: page.LoadBalancers ?? [], next: page.NextMarker })));
  const arns = balancers.filter((balancer) => balancer.Type === "application").flatMap((balancer) => (balancer.LoadBalancerArn ? [balancer.LoadBalancerArn] : []));
  const tags: string[] = [];
  for (let index = 0; index < arns.length; index += 20) {
    const described = await api.call("elbv2:DescribeTags", region, { ResourceArns: arns.slice(index, index + 20) });
    for (const description of described.TagDescriptions ?? []) for (const tag of description.Tags ?? []) if (tag.Key === INGRESS_STACK_TAG && tag.Value) tags.push(tag.Value);
  }
  return tags.sort();
}

/**
 * What the apply adds per scope key: declared items not in the state; for load balancers, ingress groups that have no
 * load balancer yet (a shared tenant's ingress joins its group's existing one).
 */
export function newItems(quota: QuotaId, declared: ReadonlyMap<string, readonly string[]>, state: StackState | undefined, existingGroups: readonly string[] = []): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, items] of declared) {
    if (quota === "application-load-balancers") {
      const groups = new Map<string, string[]>();
      for (const item of items) {
        const [group, address] = item.split("\u0000") as [string, string];
        groups.set(group, [...(groups.get(group) ?? []), address]);
      }
      out.set(key, [...groups].filter(([group, addresses]) => !existingGroups.includes(group) && !addresses.some((address) => inState(state, address))).map(([group]) => `ingress group ${group}`));
    } else {
      out.set(key, items.filter((address) => !inState(state, address)));
    }
  }
  return out;
}

export function evaluateQuotas(additions: QuotaAdditions, facts: QuotaFacts): { problems: PreflightProblem[]; verified: string[] } {
  const problems: PreflightProblem[] = [];
  const verified: string[] = [];
  for (const [quota, declared] of additions.declared) {
    const definition = QUOTAS[quota];
    const value = facts.values.get(quota);
    if (value === undefined) {
      // Nothing new for this quota (collect asked nothing): every declared item exists already.
      verified.push(`${definition.name}: nothing new (${[...declared.values()].flat().length} declared, all exist already)`);
      continue;
    }
    const usage = facts.usage.get(quota) ?? new Map<string, number>();
    for (const [key, added] of newItems(quota, declared, facts.state, facts.existingIngressGroups)) {
      const used = usage.get(key) ?? 0;
      const scope = definition.scope === "region" ? additions.region : key;
      if (added.length === 0) {
        verified.push(`${definition.name} (${scope}): nothing new; ${used} of ${value} used`);
        continue;
      }
      if (used + added.length > value) {
        problems.push(
          problem(
            "error",
            `quota ${definition.name} (${scope})`,
            added,
            `${used} in use + ${added.length} this apply adds = ${used + added.length}, above the quota of ${value}`,
            `request an increase before the apply: aws service-quotas request-service-quota-increase --region ${additions.region} --service-code ${definition.serviceCode} --quota-code ${definition.quotaCode} --desired-value ${used + added.length}`,
          ),
        );
      } else {
        verified.push(`${definition.name} (${scope}): ${used} in use + ${added.length} new <= ${value}`);
      }
    }
  }
  return { problems, verified };
}

export const quotasCheck = defineCheck<QuotaAdditions, QuotaFacts>({
  id: "quotas",
  title: "quotas",
  requirements: (target) => quotaAdditions(target.model),
  async collect(additions, api, target) {
    const state = target.state ? await collectStackState(api, target.state) : undefined;
    const values = new Map<QuotaId, number>();
    const usage = new Map<QuotaId, Map<string, number>>();
    const existingIngressGroups = additions.declared.has("application-load-balancers") ? await ingressStackTags(api, additions.region) : [];
    for (const quota of additions.declared.keys()) {
      const added = [...newItems(quota, additions.declared.get(quota) ?? new Map(), state, existingIngressGroups).values()].some((items) => items.length > 0);
      if (!added) continue; // nothing new: no call needed
      values.set(quota, await quotaValue(api, additions.region, QUOTAS[quota]));
      usage.set(quota, await usageOf(api, additions.region, quota, additions, state));
    }
    return { ...(state ? { state } : {}), values, usage, existingIngressGroups };
  },
  evaluate: (additions, facts) => evaluateQuotas(additions, facts),
});
