/**
 * Versions creatable in the region: configuration validation already rejects a version the catalog
 * (constructs/core/versions.ts) does not list or that is past its end of standard support; only the account can say
 * whether AWS still lets you create it there, and with which parameter group family.
 *
 * - Aurora / RDS: DescribeDBEngineVersions (engine, version): listed and not `deprecated`; its
 *   DBParameterGroupFamily equals the family of the stack's parameter group (CreateDBCluster rejects a mismatch);
 * - DocumentDB: DescribeDBEngineVersions of DocumentDB likewise;
 * - ElastiCache: DescribeCacheEngineVersions (engine, version) and its CacheParameterGroupFamily;
 * - OpenSearch: ListVersions;
 * - Amazon MQ: DescribeBrokerEngineTypes (engine type) lists the version;
 * - EKS: DescribeClusterVersions (the version is not UNSUPPORTED), DescribeAddonVersions for each add-on at the
 *   cluster's Kubernetes version (the pinned build is compatible with it);
 * - the node AMI release (managed node groups' `release_version`, Karpenter's `al2023@v<date>` alias): its SSM public
 *   parameter `/aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/<arch>/standard/amazon-eks-node-al2023-<arch>-
 *   standard-<k8s>-v<date>/image_id` exists in the region (the path Karpenter resolves an alias with:
 *   aws/karpenter-provider-aws pkg/providers/amifamily/al2023.go `resolvePath`; EKS user guide, "Retrieve
 *   recommended Amazon Linux AMI IDs").
 */
import { parse } from "yaml";
import { literal, type Block, type StackModel } from "../../../../constructs/policy/model";
import type { AwsApi } from "../aws";
import { errorCode } from "../aws";
import { defineCheck, problem, type PreflightProblem } from "../types";
import { defaultRegion, list, referenced, regionOf } from "./support";

export type VersionKind = "rds" | "docdb" | "elasticache" | "opensearch" | "mq" | "eks" | "eks-addon" | "ami";

export interface VersionRequirement {
  readonly kind: VersionKind;
  readonly region: string;
  /** Engine (rds, docdb, elasticache), engine type (mq), add-on name (eks-addon), AMI architecture (ami). */
  readonly engine: string;
  readonly version: string;
  /** The parameter group family the stack sets (rds, docdb, elasticache). */
  readonly family?: string;
  /** Kubernetes version (eks-addon, ami). */
  readonly kubernetes?: string;
  readonly where: readonly string[];
}

/** Answers: the key of each requirement -> what AWS listed. */
export interface VersionFacts {
  readonly answers: ReadonlyMap<string, VersionAnswer>;
}

export type VersionAnswer =
  | { readonly listed: false; readonly available?: readonly string[] }
  | { readonly listed: true; readonly status?: string; readonly family?: string };

export function versionKey(requirement: Pick<VersionRequirement, "kind" | "region" | "engine" | "version" | "kubernetes">): string {
  return [requirement.kind, requirement.region, requirement.engine, requirement.version, requirement.kubernetes ?? ""].join("|");
}

const AMI_ARCHITECTURES: Readonly<Record<string, string>> = { AL2023_x86_64_STANDARD: "x86_64", AL2023_ARM_64_STANDARD: "arm64" };
const KARPENTER_ARCHITECTURES: Readonly<Record<string, string>> = { amd64: "x86_64", arm64: "arm64" };

/** The SSM public parameter of an AL2023 EKS AMI release (`v<date>`) for a Kubernetes version and architecture. */
export function amiReleaseParameter(kubernetes: string, architecture: string, release: string): string {
  return `/aws/service/eks/optimized-ami/${kubernetes}/amazon-linux-2023/${architecture}/standard/amazon-eks-node-al2023-${architecture}-standard-${kubernetes}-${release}/image_id`;
}

function familyOf(model: StackModel, value: unknown, type: string): string | undefined {
  return literal(referenced(model, value, type)?.body.family);
}

/** The versions the stack pins (pure). */
export function versionRequirements(model: StackModel, kubernetesVersion?: string): VersionRequirement[] {
  const out = new Map<string, VersionRequirement>();
  const add = (block: Block, requirement: Omit<VersionRequirement, "region" | "where">) => {
    const region = regionOf(model, block) ?? defaultRegion(model);
    if (!region) return;
    const full = { ...requirement, region, where: [block.address] };
    const key = `${versionKey(full)}|${requirement.family ?? ""}`;
    const existing = out.get(key);
    out.set(key, existing ? { ...existing, where: [...existing.where, block.address] } : full);
  };
  for (const block of model.resources("aws_rds_cluster", "aws_db_instance")) {
    const [engine, version] = [literal(block.body.engine), literal(block.body.engine_version)];
    const family = block.type === "aws_rds_cluster" ? familyOf(model, block.body.db_cluster_parameter_group_name, "aws_rds_cluster_parameter_group") : familyOf(model, block.body.parameter_group_name, "aws_db_parameter_group");
    if (engine && version) add(block, { kind: "rds", engine, version, ...(family ? { family } : {}) });
  }
  for (const block of model.resources("aws_docdb_cluster")) {
    const version = literal(block.body.engine_version);
    const family = familyOf(model, block.body.db_cluster_parameter_group_name, "aws_docdb_cluster_parameter_group");
    if (version) add(block, { kind: "docdb", engine: literal(block.body.engine) ?? "docdb", version, ...(family ? { family } : {}) });
  }
  for (const block of model.resources("aws_elasticache_replication_group")) {
    const [engine, version] = [literal(block.body.engine) ?? "redis", literal(block.body.engine_version)];
    const family = familyOf(model, block.body.parameter_group_name, "aws_elasticache_parameter_group");
    if (version) add(block, { kind: "elasticache", engine, version, ...(family ? { family } : {}) });
  }
  for (const block of model.resources("aws_opensearch_domain")) {
    const version = literal(block.body.engine_version);
    if (version) add(block, { kind: "opensearch", engine: "opensearch", version });
  }
  for (const block of model.resources("aws_mq_broker")) {
    const [engine, version] = [literal(block.body.engine_type), literal(block.body.engine_version)];
    if (engine && version) add(block, { kind: "mq", engine: engine.toUpperCase(), version });
  }
  for (const block of model.resources("aws_eks_cluster")) {
    const version = literal(block.body.version);
    if (version) add(block, { kind: "eks", engine: "kubernetes", version });
  }
  const clusterVersion = (value: unknown) => literal(referenced(model, value, "aws_eks_cluster")?.body.version) ?? kubernetesVersion;
  for (const block of model.resources("aws_eks_addon")) {
    const [name, version, kubernetes] = [literal(block.body.addon_name), literal(block.body.addon_version), clusterVersion(block.body.cluster_name)];
    if (name && version && kubernetes) add(block, { kind: "eks-addon", engine: name, version, kubernetes });
  }
  for (const block of model.resources("aws_eks_node_group")) {
    const release = /^(\d+\.\d+)\.\d+-(\d{8})$/.exec(literal(block.body.release_version) ?? "");
    const architecture = AMI_ARCHITECTURES[literal(block.body.ami_type) ?? ""];
    if (release && architecture) add(block, { kind: "ami", engine: architecture, version: `v${release[2]}`, kubernetes: release[1] as string });
  }
  for (const block of model.resources("helm_release")) {
    if (typeof block.body.chart !== "string" || !block.body.chart.includes("karpenter-nodes") || !kubernetesVersion) continue;
    for (const text of Array.isArray(block.body.values) ? block.body.values : []) {
      if (typeof text !== "string") continue;
      const values = parse(text) as { nodeClass?: { amiAlias?: unknown }; nodePool?: { architectures?: unknown } } | null;
      const alias = /^al2023@(v\d{8})$/.exec(typeof values?.nodeClass?.amiAlias === "string" ? values.nodeClass.amiAlias : "");
      const architectures = Array.isArray(values?.nodePool?.architectures) ? (values.nodePool.architectures as unknown[]) : [];
      if (!alias) continue;
      for (const architecture of architectures) {
        const ami = KARPENTER_ARCHITECTURES[String(architecture)];
        if (ami) add(block, { kind: "ami", engine: ami, version: alias[1] as string, kubernetes: kubernetesVersion });
      }
    }
  }
  return [...out.values()];
}

async function answer(api: AwsApi, requirement: VersionRequirement): Promise<VersionAnswer> {
  const { region, engine, version } = requirement;
  switch (requirement.kind) {
    case "rds":
    case "docdb": {
      const input = { Engine: engine, EngineVersion: version, IncludeAll: true };
      const result = requirement.kind === "rds" ? await api.call("rds:DescribeDBEngineVersions", region, input) : await api.call("docdb:DescribeDBEngineVersions", region, { Engine: engine, EngineVersion: version });
      const found = (result.DBEngineVersions ?? []).find((candidate) => candidate.EngineVersion === version);
      if (!found) return { listed: false };
      const status = (found as { Status?: string }).Status;
      return { listed: true, ...(status ? { status } : {}), ...(found.DBParameterGroupFamily ? { family: found.DBParameterGroupFamily } : {}) };
    }
    case "elasticache": {
      const result = await api.call("elasticache:DescribeCacheEngineVersions", region, { Engine: engine, EngineVersion: version });
      const found = (result.CacheEngineVersions ?? []).find((candidate) => candidate.EngineVersion === version);
      return found ? { listed: true, ...(found.CacheParameterGroupFamily ? { family: found.CacheParameterGroupFamily } : {}) } : { listed: false };
    }
    case "opensearch": {
      const versions: string[] = [];
      let token: string | undefined;
      do {
        const page = await api.call("opensearch:ListVersions", region, { MaxResults: 100, ...(token ? { NextToken: token } : {}) });
        versions.push(...(page.Versions ?? []));
        token = page.NextToken;
      } while (token);
      return versions.includes(version) ? { listed: true } : { listed: false, available: versions };
    }
    case "mq": {
      const result = await api.call("mq:DescribeBrokerEngineTypes", region, { EngineType: engine });
      const versions = (result.BrokerEngineTypes ?? []).flatMap((type) => (type.EngineVersions ?? []).flatMap((item) => (item.Name ? [item.Name] : [])));
      return versions.includes(version) ? { listed: true } : { listed: false, available: versions };
    }
    case "eks": {
      const result = await api.call("eks:DescribeClusterVersions", region, { clusterVersions: [version], includeAll: true });
      const found = (result.clusterVersions ?? []).find((candidate) => candidate.clusterVersion === version);
      const status = found?.versionStatus ?? found?.status;
      return found ? { listed: true, ...(status ? { status } : {}) } : { listed: false };
    }
    case "eks-addon": {
      const result = await api.call("eks:DescribeAddonVersions", region, { addonName: engine, kubernetesVersion: requirement.kubernetes });
      const versions = (result.addons ?? []).flatMap((addon) => (addon.addonVersions ?? []).flatMap((item) => (item.addonVersion ? [item.addonVersion] : [])));
      return versions.includes(version) ? { listed: true } : { listed: false, available: versions };
    }
    case "ami": {
      try {
        await api.call("ssm:GetParameter", region, { Name: amiReleaseParameter(requirement.kubernetes ?? "", engine, version) });
        return { listed: true };
      } catch (error) {
        if (errorCode(error) === "ParameterNotFound") return { listed: false };
        throw error;
      }
    }
  }
}

const COMMANDS: Readonly<Record<VersionKind, (requirement: VersionRequirement) => string>> = {
  rds: (r) => `aws rds describe-db-engine-versions --region ${r.region} --engine ${r.engine}`,
  docdb: (r) => `aws docdb describe-db-engine-versions --region ${r.region} --engine ${r.engine}`,
  elasticache: (r) => `aws elasticache describe-cache-engine-versions --region ${r.region} --engine ${r.engine}`,
  opensearch: (r) => `aws opensearch list-versions --region ${r.region}`,
  mq: (r) => `aws mq describe-broker-engine-types --region ${r.region} --engine-type ${r.engine}`,
  eks: (r) => `aws eks describe-cluster-versions --region ${r.region}`,
  "eks-addon": (r) => `aws eks describe-addon-versions --region ${r.region} --addon-name ${r.engine} --kubernetes-version ${r.kubernetes}`,
  ami: (r) => `aws ssm get-parameters-by-path --region ${r.region} --path /aws/service/eks/optimized-ami/${r.kubernetes}/amazon-linux-2023/${r.engine}/standard`,
};

function describe(requirement: VersionRequirement): string {
  switch (requirement.kind) {
    case "eks":
      return `EKS Kubernetes ${requirement.version}`;
    case "eks-addon":
      return `EKS add-on ${requirement.engine} ${requirement.version} (Kubernetes ${requirement.kubernetes})`;
    case "ami":
      return `EKS AL2023 AMI release ${requirement.version} (${requirement.engine}, Kubernetes ${requirement.kubernetes})`;
    default:
      return `${requirement.engine} ${requirement.version}`;
  }
}

export function evaluateVersions(requirements: readonly VersionRequirement[], facts: VersionFacts): { problems: PreflightProblem[]; verified: string[] } {
  const problems: PreflightProblem[] = [];
  const verified: string[] = [];
  const fix = (requirement: VersionRequirement) => `pin a version AWS offers in ${requirement.region} (add it to constructs/core/versions.ts with its source and dates if it is not there, then set it in configuration); list them: ${COMMANDS[requirement.kind](requirement)}`;
  for (const requirement of requirements) {
    const subject = describe(requirement);
    const found = facts.answers.get(versionKey(requirement));
    if (!found || !found.listed) {
      const available = found && !found.listed && found.available && found.available.length > 0 ? `; offered: ${list(found.available.toReversed(), 6)}` : "";
      problems.push(problem("error", subject, requirement.where, `is not offered in ${requirement.region}: creating it fails${available}`, fix(requirement)));
      continue;
    }
    if (found.status === "deprecated" || found.status === "UNSUPPORTED") {
      problems.push(problem("error", subject, requirement.where, `is ${found.status} in ${requirement.region}: AWS no longer creates it`, fix(requirement)));
      continue;
    }
    if (requirement.family !== undefined && found.family !== undefined && found.family !== requirement.family) {
      problems.push(problem("error", subject, requirement.where, `belongs to parameter group family ${found.family}, but the stack's parameter group is ${requirement.family}: the create is rejected`, "use the family AWS names for the version (the construct derives it from the catalog's parameterFamily)"));
      continue;
    }
    verified.push(`${subject} offered in ${requirement.region}${found.status ? ` (${found.status})` : ""}`);
  }
  return { problems, verified };
}

export const versionsCheck = defineCheck<VersionRequirement[], VersionFacts>({
  id: "versions",
  title: "versions creatable",
  requirements(target) {
    const requirements = versionRequirements(target.model, target.environment?.cluster.kubernetesVersion);
    return requirements.length > 0 ? requirements : undefined;
  },
  async collect(requirements, api) {
    const answers = new Map<string, VersionAnswer>();
    for (const requirement of requirements) {
      const key = versionKey(requirement);
      if (!answers.has(key)) answers.set(key, await answer(api, requirement));
    }
    return { answers };
  },
  evaluate: (requirements, facts) => evaluateVersions(requirements, facts),
});
