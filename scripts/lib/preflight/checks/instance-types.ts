/**
 * Instance types offered where the stack puts them: not every type is in every region, nor in every availability
 * zone of a region (m7g/r7g are not everywhere). A type missing in a zone of the subnets fails the create (RDS:
 * "Cannot create a db.r7g... instance because ... not available in the availability zone"; EKS node groups and
 * Karpenter leave that zone without capacity).
 *
 * - EKS managed node groups: EC2 DescribeInstanceTypeOfferings per availability zone of the node group's subnets;
 * - Karpenter node pools that pin instance families: each family offered in the region (location type region);
 * - Aurora / RDS instances: RDS DescribeOrderableDBInstanceOptions (engine, version, class) and its zones vs the
 *   DB subnet group's;
 * - DocumentDB instances: DocumentDB DescribeOrderableDBInstanceOptions likewise;
 * - OpenSearch domains: ListInstanceTypeDetails for the engine version (data, master and warm types) and their zones;
 * - Amazon MQ brokers: DescribeBrokerInstanceOptions (engine, host instance type) and its zones.
 * ElastiCache has no API that lists the node types orderable in a region (only reserved-node offerings, which are a
 * price list): its node types are not checked, and the outcome says so.
 */
import { parse } from "yaml";
import { literal, one, type Block, type StackModel } from "../../../../constructs/policy/model";
import type { AwsApi } from "../aws";
import { defineCheck, problem, type PreflightProblem } from "../types";
import { defaultRegion, list, literals, referenced, regionOf, subnetZones } from "./support";

export interface Placement {
  readonly address: string;
  readonly region: string;
  /** Availability zones of its subnets (empty: any zone of the region). */
  readonly zones: readonly string[];
}

export interface DbInstancePlacement extends Placement {
  readonly service: "rds" | "docdb";
  readonly engine: string;
  readonly engineVersion?: string;
  readonly instanceClass: string;
}

export interface InstanceTypeRequirements {
  readonly nodeGroups: readonly (Placement & { readonly instanceTypes: readonly string[] })[];
  readonly karpenter: readonly (Placement & { readonly families: readonly string[] })[];
  readonly databases: readonly DbInstancePlacement[];
  readonly search: readonly (Placement & { readonly engineVersion: string; readonly instanceTypes: readonly string[] })[];
  readonly brokers: readonly (Placement & { readonly engineType: string; readonly instanceType: string })[];
  /** ElastiCache node types (not checkable: no API). */
  readonly cacheNodeTypes: readonly string[];
}

export interface InstanceTypeFacts {
  /** `<region>|<type>` -> zones (location type availability-zone) where EC2 offers it. */
  readonly ec2Zones: ReadonlyMap<string, readonly string[]>;
  /** `<region>|<family>` -> types of the family offered in the region. */
  readonly ec2Families: ReadonlyMap<string, readonly string[]>;
  /** database address -> zones where the class is orderable (empty: not orderable). */
  readonly orderable: ReadonlyMap<string, readonly string[]>;
  /** search address -> instance type -> zones (absent: not offered for the version). */
  readonly searchTypes: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** broker address -> zones (empty: not offered). */
  readonly brokerZones: ReadonlyMap<string, readonly string[]>;
}

function place(model: StackModel, block: Block, subnets: unknown): Placement | undefined {
  const region = regionOf(model, block) ?? defaultRegion(model);
  return region ? { address: block.address, region, zones: subnetZones(model, subnets) } : undefined;
}

/** Zones of a DB cluster's subnet group. */
function dbSubnetZones(model: StackModel, owner: Block | undefined): unknown {
  const group = owner ? referenced(model, owner.body.db_subnet_group_name, "aws_db_subnet_group") : undefined;
  return group?.body.subnet_ids;
}

function karpenterFamilies(body: Readonly<Record<string, unknown>>): string[] {
  if (typeof body.chart !== "string" || !(body.chart === "karpenter-nodes" || body.chart.includes("chart-karpenter-nodes/"))) return [];
  const families = (Array.isArray(body.values) ? body.values : []).flatMap((text) => {
    if (typeof text !== "string") return [];
    const parsed = parse(text) as { nodePool?: { instanceFamilies?: unknown } } | null;
    const value = parsed?.nodePool?.instanceFamilies;
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  });
  return [...new Set(families)];
}

/** What the stack places where (pure). */
export function instanceTypeRequirements(model: StackModel): InstanceTypeRequirements {
  const nodeGroups = model.resources("aws_eks_node_group").flatMap((block) => {
    const placement = place(model, block, block.body.subnet_ids);
    const types = literals(block.body.instance_types);
    return placement && types.length > 0 ? [{ ...placement, instanceTypes: types }] : [];
  });
  const karpenter = model.resources("helm_release").flatMap((block) => {
    const families = karpenterFamilies(block.body);
    const placement = place(model, block, undefined);
    return placement && families.length > 0 ? [{ ...placement, families }] : [];
  });
  const databases: DbInstancePlacement[] = [];
  for (const block of model.resources("aws_rds_cluster_instance", "aws_db_instance")) {
    const cluster = block.type === "aws_rds_cluster_instance" ? referenced(model, block.body.cluster_identifier, "aws_rds_cluster") : undefined;
    const engine = literal(block.body.engine) ?? literal(cluster?.body.engine);
    const instanceClass = literal(block.body.instance_class);
    const placement = place(model, block, dbSubnetZones(model, cluster ?? block));
    const engineVersion = literal(block.body.engine_version) ?? literal(cluster?.body.engine_version);
    if (engine && instanceClass && placement) databases.push({ ...placement, service: "rds", engine, instanceClass, ...(engineVersion ? { engineVersion } : {}) });
  }
  for (const block of model.resources("aws_docdb_cluster_instance")) {
    const cluster = referenced(model, block.body.cluster_identifier, "aws_docdb_cluster");
    const instanceClass = literal(block.body.instance_class);
    const placement = place(model, block, dbSubnetZones(model, cluster));
    const engineVersion = literal(cluster?.body.engine_version);
    if (instanceClass && placement) databases.push({ ...placement, service: "docdb", engine: literal(block.body.engine) ?? "docdb", instanceClass, ...(engineVersion ? { engineVersion } : {}) });
  }
  const search = model.resources("aws_opensearch_domain").flatMap((block) => {
    const config = one(block.body.cluster_config) ?? {};
    const types = [config.instance_type, config.dedicated_master_enabled === true || config.dedicated_master_enabled === "true" ? config.dedicated_master_type : undefined, config.warm_enabled === true ? config.warm_type : undefined].flatMap((value) => (literal(value) ? [literal(value) as string] : []));
    const engineVersion = literal(block.body.engine_version);
    const placement = place(model, block, one(block.body.vpc_options)?.subnet_ids);
    return placement && engineVersion && types.length > 0 ? [{ ...placement, engineVersion, instanceTypes: [...new Set(types)] }] : [];
  });
  const brokers = model.resources("aws_mq_broker").flatMap((block) => {
    const engineType = literal(block.body.engine_type);
    const instanceType = literal(block.body.host_instance_type);
    const placement = place(model, block, block.body.subnet_ids);
    return placement && engineType && instanceType ? [{ ...placement, engineType, instanceType }] : [];
  });
  const cacheNodeTypes = [...new Set(model.resources("aws_elasticache_replication_group").flatMap((block) => (literal(block.body.node_type) ? [literal(block.body.node_type) as string] : [])))];
  return { nodeGroups, karpenter, databases, search, brokers, cacheNodeTypes };
}

function hasAny(requirements: InstanceTypeRequirements): boolean {
  return [requirements.nodeGroups, requirements.karpenter, requirements.databases, requirements.search, requirements.brokers, requirements.cacheNodeTypes].some((items) => items.length > 0);
}

async function ec2TypeZones(api: AwsApi, region: string, types: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(types.map((type) => [type, []]));
  let token: string | undefined;
  do {
    const page = await api.call("ec2:DescribeInstanceTypeOfferings", region, { LocationType: "availability-zone", Filters: [{ Name: "instance-type", Values: [...types].sort() }], ...(token ? { NextToken: token } : {}) });
    for (const offering of page.InstanceTypeOfferings ?? []) {
      if (offering.InstanceType && offering.Location) out.get(offering.InstanceType)?.push(offering.Location);
    }
    token = page.NextToken;
  } while (token);
  for (const zones of out.values()) zones.sort();
  return out;
}

async function ec2FamilyTypes(api: AwsApi, region: string, families: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(families.map((family) => [family, []]));
  let token: string | undefined;
  do {
    const page = await api.call("ec2:DescribeInstanceTypeOfferings", region, { LocationType: "region", Filters: [{ Name: "instance-type", Values: [...families].sort().map((family) => `${family}.*`) }], ...(token ? { NextToken: token } : {}) });
    for (const offering of page.InstanceTypeOfferings ?? []) {
      const family = offering.InstanceType?.split(".")[0];
      if (family && offering.InstanceType) out.get(family)?.push(offering.InstanceType);
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/** Collects the offerings (the check's collect; split out so it stays readable). */
export async function collectInstanceTypes(requirements: InstanceTypeRequirements, api: AwsApi): Promise<InstanceTypeFacts> {
  const ec2Zones = new Map<string, string[]>();
  const byRegion = new Map<string, Set<string>>();
  for (const group of requirements.nodeGroups) for (const type of group.instanceTypes) byRegion.set(group.region, (byRegion.get(group.region) ?? new Set()).add(type));
  for (const [region, types] of byRegion) for (const [type, zones] of await ec2TypeZones(api, region, [...types])) ec2Zones.set(`${region}|${type}`, zones);
  const ec2Families = new Map<string, string[]>();
  const familiesByRegion = new Map<string, Set<string>>();
  for (const pool of requirements.karpenter) for (const family of pool.families) familiesByRegion.set(pool.region, (familiesByRegion.get(pool.region) ?? new Set()).add(family));
  for (const [region, families] of familiesByRegion) for (const [family, types] of await ec2FamilyTypes(api, region, [...families])) ec2Families.set(`${region}|${family}`, types);
  const orderable = new Map<string, string[]>();
  for (const database of requirements.databases) {
    const input = { Engine: database.engine, DBInstanceClass: database.instanceClass, ...(database.engineVersion ? { EngineVersion: database.engineVersion } : {}) };
    const zones = new Set<string>();
    let marker: string | undefined;
    do {
      const page =
        database.service === "rds"
          ? await api.call("rds:DescribeOrderableDBInstanceOptions", database.region, { ...input, ...(marker ? { Marker: marker } : {}) })
          : await api.call("docdb:DescribeOrderableDBInstanceOptions", database.region, { ...input, ...(marker ? { Marker: marker } : {}) });
      for (const option of page.OrderableDBInstanceOptions ?? []) for (const zone of option.AvailabilityZones ?? []) if (zone.Name) zones.add(zone.Name);
      marker = page.Marker;
    } while (marker);
    orderable.set(database.address, [...zones].sort());
  }
  const searchTypes = new Map<string, Map<string, string[]>>();
  for (const domain of requirements.search) {
    const types = new Map<string, string[]>();
    let token: string | undefined;
    do {
      const page = await api.call("opensearch:ListInstanceTypeDetails", domain.region, { EngineVersion: domain.engineVersion, MaxResults: 100, ...(token ? { NextToken: token } : {}) });
      for (const detail of page.InstanceTypeDetails ?? []) if (detail.InstanceType) types.set(detail.InstanceType, [...(detail.AvailabilityZones ?? [])].sort());
      token = page.NextToken;
    } while (token);
    searchTypes.set(domain.address, types);
  }
  const brokerZones = new Map<string, string[]>();
  for (const broker of requirements.brokers) {
    const zones = new Set<string>();
    let token: string | undefined;
    do {
      const page = await api.call("mq:DescribeBrokerInstanceOptions", broker.region, { EngineType: broker.engineType.toUpperCase(), HostInstanceType: broker.instanceType, ...(token ? { NextToken: token } : {}) });
      for (const option of page.BrokerInstanceOptions ?? []) for (const zone of option.AvailabilityZones ?? []) if (zone.Name) zones.add(zone.Name);
      token = page.NextToken;
    } while (token);
    brokerZones.set(broker.address, [...zones].sort());
  }
  return { ec2Zones, ec2Families, orderable, searchTypes, brokerZones };
}

/** Zones of `wanted` missing from `offered`. */
function missingZones(wanted: readonly string[], offered: readonly string[]): string[] {
  return wanted.filter((zone) => !offered.includes(zone));
}

/** The problems and verified lines (the check's evaluate). */
export function evaluateInstanceTypes(requirements: InstanceTypeRequirements, facts: InstanceTypeFacts): { problems: PreflightProblem[]; verified: string[] } {
  const problems: PreflightProblem[] = [];
  const verified: string[] = [];
  const zoneProblem = (subject: string, where: string, offered: readonly string[], placement: Placement, what: string, fix: string) => {
    if (offered.length === 0) {
      problems.push(problem("error", subject, [where], `${what} is not offered in ${placement.region}`, fix));
      return;
    }
    const missing = missingZones(placement.zones, offered);
    if (missing.length === placement.zones.length && placement.zones.length > 0) {
      problems.push(problem("error", subject, [where], `${what} is not offered in any zone of its subnets (${list(placement.zones)}); offered in ${list(offered)}`, fix));
    } else if (missing.length > 0) {
      problems.push(problem("error", subject, [where], `${what} is not offered in ${list(missing)} (its subnets' zones: ${list(placement.zones)}; offered in ${list(offered)})`, fix));
    } else {
      verified.push(`${subject} offered in ${placement.zones.length > 0 ? list(placement.zones) : placement.region}`);
    }
  };
  for (const group of requirements.nodeGroups) {
    const offeredSomewhere = group.instanceTypes.filter((type) => (facts.ec2Zones.get(`${group.region}|${type}`) ?? []).length > 0);
    for (const type of group.instanceTypes) {
      const zones = facts.ec2Zones.get(`${group.region}|${type}`) ?? [];
      const missing = missingZones(group.zones, zones);
      if (missing.length === 0 && zones.length > 0) {
        verified.push(`${type} offered in ${list(group.zones)}`);
        continue;
      }
      // A node group with several types launches what each zone offers: a type missing somewhere is an error only when no listed type covers that zone.
      const uncovered = (zones.length === 0 ? group.zones : missing).filter((zone) => !group.instanceTypes.some((other) => (facts.ec2Zones.get(`${group.region}|${other}`) ?? []).includes(zone)));
      const severity = uncovered.length > 0 || offeredSomewhere.length === 0 ? "error" : "warning";
      problems.push(
        problem(
          severity,
          `instance type ${type}`,
          [group.address],
          zones.length === 0 ? `is not offered in ${group.region}` : `is not offered in ${list(missing)} (offered in ${list(zones)})${severity === "warning" ? `; the node group's other types cover ${list(missing)}` : ""}`,
          "choose instance types offered in every zone of the node group's subnets (cluster.nodePools.<name>.instanceTypes), or other zones (network.availabilityZones); `aws ec2 describe-instance-type-offerings --location-type availability-zone` lists them",
        ),
      );
    }
  }
  for (const pool of requirements.karpenter) {
    const missing = pool.families.filter((family) => (facts.ec2Families.get(`${pool.region}|${family}`) ?? []).length === 0);
    if (missing.length === 0) verified.push(`Karpenter families ${list(pool.families)} offered in ${pool.region}`);
    else {
      const severity = missing.length === pool.families.length ? "error" : "warning";
      problems.push(problem(severity, `Karpenter instance families ${list(missing)}`, [pool.address], `not offered in ${pool.region}${severity === "warning" ? "; the node pool launches the other families" : ": the node pool can launch nothing"}`, "choose families offered in the region (addons.karpenter.nodePool.instanceFamilies)"));
    }
  }
  for (const database of requirements.databases) {
    const what = `${database.instanceClass} (${database.engine}${database.engineVersion ? ` ${database.engineVersion}` : ""})`;
    zoneProblem(`instance class ${database.instanceClass}`, database.address, facts.orderable.get(database.address) ?? [], database, what, `choose a class orderable for ${database.engine} ${database.engineVersion ?? ""} in ${database.region} (aws ${database.service} describe-orderable-db-instance-options --engine ${database.engine}${database.engineVersion ? ` --engine-version ${database.engineVersion}` : ""})`);
  }
  for (const domain of requirements.search) {
    const types = facts.searchTypes.get(domain.address) ?? new Map<string, readonly string[]>();
    for (const type of domain.instanceTypes) {
      zoneProblem(`instance type ${type}`, domain.address, types.get(type) ?? [], domain, `${type} (${domain.engineVersion})`, `choose a type OpenSearch offers for ${domain.engineVersion} in ${domain.region} (aws opensearch list-instance-type-details --engine-version ${domain.engineVersion})`);
    }
  }
  for (const broker of requirements.brokers) {
    zoneProblem(`instance type ${broker.instanceType}`, broker.address, facts.brokerZones.get(broker.address) ?? [], broker, `${broker.instanceType} (${broker.engineType})`, `choose a host instance type Amazon MQ offers for ${broker.engineType} in ${broker.region} (aws mq describe-broker-instance-options --engine-type ${broker.engineType.toUpperCase()})`);
  }
  if (requirements.cacheNodeTypes.length > 0) verified.push(`ElastiCache node types ${list(requirements.cacheNodeTypes)} not checked (no AWS API lists the node types orderable in a region)`);
  return { problems, verified };
}


export const instanceTypesCheck = defineCheck<InstanceTypeRequirements, InstanceTypeFacts>({
  id: "instance-types",
  title: "instance types offered",
  requirements(target) {
    const requirements = instanceTypeRequirements(target.model);
    return hasAny(requirements) ? requirements : undefined;
  },
  collect: (requirements, api) => collectInstanceTypes(requirements, api),
  evaluate: (requirements, facts) => evaluateInstanceTypes(requirements, facts),
});
