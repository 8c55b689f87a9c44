/**
 * Tenant onboarding logic behind `npm run tenant`: CIDR allocation from the project's pool, writing a tenant
 * file safely, listing tenants, and the decommission plan. Pure functions over a configuration directory, so the
 * command stays a thin CLI and everything here is tested.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Address4 } from "ip-address";
import { stringify } from "yaml";
import { ConfigError, type ConfigIssue } from "./errors";
import { readYamlFile } from "./source";
import { loadConfig, type PlatformConfig } from "./loader";
import { cidrsOverlap, parseCidr } from "./schema/primitives";
import { TenantSchema, type IsolationMode, type TenantConfig } from "./schema/tenant";
import { databaseUserName } from "../constructs/core/data-users";
import { Naming } from "../constructs/core/naming";
import { dedicatedTenantStackNames, sharedTenantStackName } from "../constructs/core/stack-names";

export class TenancyError extends Error {}

/** Every CIDR the platform uses or must route to: environment VPCs, their peer networks, dedicated tenant VPCs. */
export function usedCidrs(config: PlatformConfig): { cidr: string; owner: string }[] {
  const used: { cidr: string; owner: string }[] = [];
  for (const { config: env } of config.environments) {
    used.push({ cidr: env.network.cidr, owner: `environment ${env.name}` });
    for (const peer of env.network.peerNetworks) used.push({ cidr: peer.cidr, owner: `peer network ${peer.name} of ${env.name}` });
  }
  for (const { config: tenant } of config.tenants) {
    if (tenant.network) used.push({ cidr: tenant.network.cidr, owner: `tenant ${tenant.id}` });
  }
  return used;
}

/** The first block of `/prefix` in `pool` that overlaps none of `used`. Deterministic: lowest free address first. */
export function nextFreeBlock(pool: string, prefix: number, used: readonly string[]): string {
  const poolAddress = new Address4(pool);
  const size = 1n << BigInt(32 - prefix);
  const count = 1n << BigInt(prefix - poolAddress.subnetMask);
  const start = poolAddress.startAddress().bigInt();
  const taken = used.map((cidr) => parseCidr(cidr)).filter((address): address is Address4 => address !== undefined);
  for (let index = 0n; index < count; index++) {
    const candidate = new Address4(`${Address4.fromBigInt(start + index * size).correctForm()}/${prefix}`);
    if (!taken.some((address) => cidrsOverlap(address, candidate))) return `${candidate.correctForm()}/${prefix}`;
  }
  throw new TenancyError(`the tenancy pool ${pool} has no free /${prefix} left; widen project.yaml tenancy.cidrPool`);
}

/**
 * The lowest ingress group of `environment` with room for one more shared tenant (fewer than
 * `tenancy.tenantsPerLoadBalancer`). Existing tenants never move; a group freed by a removal is filled first.
 */
export function nextIngressGroup(config: PlatformConfig, environment: string, except?: string): number {
  const counts = new Map<number, number>();
  for (const { config: tenant } of config.tenants) {
    if (tenant.environment !== environment || tenant.ingressGroup === undefined || tenant.id === except) continue;
    counts.set(tenant.ingressGroup, (counts.get(tenant.ingressGroup) ?? 0) + 1);
  }
  let group = 1;
  while ((counts.get(group) ?? 0) >= config.project.tenancy.tenantsPerLoadBalancer) group++;
  return group;
}

/** Stacks a tenant owns. */
export function tenantStacks(tenant: Pick<TenantConfig, "id" | "environment" | "isolation">): string[] {
  if (tenant.isolation === "shared") return [sharedTenantStackName(tenant.environment, tenant.id)];
  const names = dedicatedTenantStackNames(tenant.id);
  return [names.infra, names.platform];
}

export interface AddTenantOptions {
  readonly id: string;
  readonly environment: string;
  readonly isolation: IsolationMode;
  /** Products of the environment the tenant runs (a shared tenant needs at least one). */
  readonly products?: readonly string[];
  /** Domain of the tenant's (single) product; default `<id>.<product domain>`. See TenantProductSchema.domain. */
  readonly domain?: string;
  /** Certificate ARN of a custom `domain` (outside the environment's hosted zones). */
  readonly certificateArn?: string;
  readonly cidr?: string;
  /** Dedicated tenants: the AWS account (a name of project.yaml `accounts`) its stacks deploy into; default its environment's. */
  readonly account?: string;
  readonly owner?: string;
  readonly costCentre?: string;
}

const TENANT_FILE_HEADER = "# yaml-language-server: $schema=../schema/json/tenant.schema.json\n";

export function renderTenantFile(tenant: Record<string, unknown>): string {
  return `${TENANT_FILE_HEADER}${stringify(tenant)}`;
}

/**
 * Validates, allocates and writes `tenants/<id>.yaml`. The new file is first validated together with the whole
 * configuration (the loader reads it from an overlay, so problems name the real path); only a configuration that
 * loads cleanly is written (atomically, by rename), and an existing tenant is never overwritten.
 */
export function addTenant(directory: string, options: AddTenantOptions): { file: string; tenant: TenantConfig; stacks: string[] } {
  const config = loadConfig(directory); // the existing configuration must be valid before anything is added
  const file = join(directory, "tenants", `${options.id}.yaml`);
  if (existsSync(file) || config.tenants.some((tenant) => tenant.config.id === options.id)) {
    throw new TenancyError(`tenant "${options.id}" already exists (${file}); tenant ids are unique`);
  }
  const draft: Record<string, unknown> = { id: options.id, environment: options.environment, isolation: options.isolation };
  if (options.owner) draft.owner = options.owner;
  if (options.costCentre) draft.costCentre = options.costCentre;
  if ((options.domain || options.certificateArn) && options.products?.length !== 1) {
    throw new TenancyError("--domain and --certificate-arn apply to one product: name exactly one with --products (set the others' domains in the file)");
  }
  if (options.products?.length) {
    const domain = { ...(options.domain ? { domain: options.domain } : {}), ...(options.certificateArn ? { certificateArn: options.certificateArn } : {}) };
    draft.products = Object.fromEntries(options.products.map((product) => [product, domain]));
  }
  if (options.account !== undefined && options.isolation !== "dedicated") {
    throw new TenancyError("--account applies to dedicated tenants only; a shared tenant runs in its environment's account");
  }
  if (options.account !== undefined) draft.account = options.account;
  if (options.isolation === "dedicated") {
    const { cidrPool, blockPrefix } = config.project.tenancy;
    draft.network = { cidr: options.cidr ?? nextFreeBlock(cidrPool, blockPrefix, usedCidrs(config).map((entry) => entry.cidr)) };
  } else if (options.cidr) {
    throw new TenancyError("--cidr applies to dedicated tenants only; shared tenants use their environment's network");
  } else {
    draft.ingressGroup = nextIngressGroup(config, options.environment);
  }
  const parsed = TenantSchema.safeParse(draft);
  if (!parsed.success) {
    throw new TenancyError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "tenant"}: ${issue.message}`).join("\n"));
  }
  const text = renderTenantFile(draft);

  // Validate the whole configuration with the new file in place before touching the real directory.
  loadConfig(directory, { overlay: new Map([[resolve(file), text]]) });

  mkdirSync(join(directory, "tenants"), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text, { flag: "wx" });
  renameSync(temporary, file);
  return { file, tenant: parsed.data, stacks: tenantStacks(parsed.data) };
}

/** Whether a tenant file (raw YAML data) still lacks the allocation its isolation needs. */
function lacksAllocation(data: Record<string, unknown>): boolean {
  if (data.isolation === "dedicated") return !(data.network as { cidr?: string } | undefined)?.cidr;
  if (data.isolation === "shared") return data.ingressGroup === undefined;
  return false;
}

/** Ids of the tenant files that lack their allocation (hand-written files), in id order. */
export function incompleteTenants(directory: string): string[] {
  const folder = join(directory, "tenants");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => name.replace(/\.ya?ml$/, ""))
    .filter((id) => {
      const issues: ConfigIssue[] = [];
      const source = readYamlFile(join(folder, `${id}.yaml`), issues);
      return source !== undefined && typeof source.data === "object" && source.data !== null && lacksAllocation(source.data as Record<string, unknown>);
    })
    .sort();
}

/**
 * Completes a hand-written tenant file: a dedicated tenant's VPC CIDR (next free pool block), a shared tenant's
 * ingress group (lowest load balancer with room). Every other file lacking its allocation is completed in the same run,
 * in id order (so two incomplete files never block each other, and the result does not depend on which was named).
 * The configuration is validated as it will be BEFORE anything is written; on any problem nothing is written.
 * Returns one summary per allocated tenant (`<id>: VPC CIDR 10.x.0.0/16`), the named one first.
 */
export function allocateTenants(directory: string, id: string, current: Record<string, unknown>): string[] {
  const fileOf = (tenant: string) => join(directory, "tenants", `${tenant}.yaml`);
  if (!lacksAllocation(current)) {
    if (current.isolation !== "shared" && current.isolation !== "dedicated") throw new TenancyError(`${fileOf(id)}: isolation must be shared or dedicated`);
    throw new TenancyError(`${fileOf(id)}: ${current.isolation === "dedicated" ? "network.cidr" : "ingressGroup"} is already set; an allocation never moves`);
  }
  if (current.isolation === "shared" && typeof current.environment !== "string") throw new TenancyError(`${fileOf(id)}: set environment first`);
  const targets = [...new Set([id, ...incompleteTenants(directory)])].sort();
  const isAllocationIssue = (issue: ConfigIssue) => targets.some((target) => basename(issue.file) === `${target}.yaml`) && (issue.path[0] === "network" || issue.path[0] === "ingressGroup");
  // The configuration without the tenants being allocated must be valid (read without them, nothing is copied).
  const overlay = new Map<string, string | null>(targets.map((target) => [resolve(fileOf(target)), null]));
  const load = () => {
    try {
      return loadConfig(directory, { overlay });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const others = error.issues.filter((issue) => !isAllocationIssue(issue));
      throw new ConfigError(others.length > 0 ? others : error.issues);
    }
  };
  let config = load();
  const summaries = new Map<string, string>();
  for (const target of targets) {
    const data = target === id ? current : readTenantFile(directory, target);
    let allocation: Record<string, unknown>;
    if (data.isolation === "dedicated") {
      const { cidrPool, blockPrefix } = config.project.tenancy;
      const cidr = nextFreeBlock(cidrPool, blockPrefix, usedCidrs(config).filter((entry) => entry.owner !== `tenant ${target}`).map((entry) => entry.cidr));
      allocation = { network: { ...(data.network as Record<string, unknown> | undefined), cidr } };
      summaries.set(target, `VPC CIDR ${cidr}`);
    } else {
      if (typeof data.environment !== "string") throw new TenancyError(`${fileOf(target)}: set environment first`);
      const group = nextIngressGroup(config, data.environment, target);
      allocation = { ingressGroup: group };
      summaries.set(target, `ingress group ${group}`);
    }
    overlay.set(resolve(fileOf(target)), renderTenantFile({ ...data, ...allocation }));
    // The next allocation sees this one; the last load validates the whole result.
    config = load();
  }
  for (const target of targets) {
    const file = fileOf(target);
    const temporary = `${file}.tmp-${process.pid}`;
    writeFileSync(temporary, overlay.get(resolve(file)) as string);
    renameSync(temporary, file);
  }
  return [id, ...targets.filter((target) => target !== id)].map((target) => `${target}: ${summaries.get(target) ?? ""}`);
}

/** {@link allocateTenants}, returning the named tenant's allocation (`VPC CIDR ...`, `ingress group N`). */
export function allocateTenant(directory: string, id: string, current: Record<string, unknown>): string {
  return (allocateTenants(directory, id, current)[0] as string).slice(id.length + 2);
}

/**
 * When the tenant is the last one on its load balancer, the controller deletes that ALB with the last ingress, and
 * the ALB's deletion protection (on in protected environments) would block it and hang the destroy.
 */
function lastOfLoadBalancer(config: PlatformConfig, tenant: TenantConfig): string[] {
  if (tenant.isolation !== "shared" || tenant.ingressGroup === undefined) return [];
  const others = config.tenants.filter(({ config: other }) => other.id !== tenant.id && other.environment === tenant.environment && other.ingressGroup === tenant.ingressGroup);
  if (others.length > 0) return [];
  const name = new Naming({ project: config.project.name, environment: tenant.environment }).name("load-balancer", "tenants", String(tenant.ingressGroup));
  return [
    `${tenant.id} is the last tenant on load balancer ${name} (ingress group ${tenant.ingressGroup}), which goes with its last ingress: lift its deletion protection first: ` +
      `aws elbv2 modify-load-balancer-attributes --attributes Key=deletion_protection.enabled,Value=false --load-balancer-arn "$(aws elbv2 describe-load-balancers --names ${name} --query 'LoadBalancers[0].LoadBalancerArn' --output text)"`,
  ];
}

export interface DecommissionPlan {
  /** True when the tenant's resources are still protected and removal must not proceed. */
  readonly refused: boolean;
  readonly steps: readonly string[];
}

/**
 * What removing a tenant takes. State is never deleted. In environments that protect state, the tenant must first
 * be marked `decommission: true` (which lifts deletion protection and prevent_destroy on its resources while
 * keeping final snapshots), deployed, backed up and destroyed — only then is the file removed.
 */
/**
 * What a shared tenant leaves on the environment's shared services (its stack never drops data): its PostgreSQL
 * databases and users, and its roles in the search domains' security plugin (constructs/search-role).
 */
function sharedDataSteps(loaded: PlatformConfig["tenants"][number]): string[] {
  if (loaded.config.isolation !== "shared") return [];
  const id = loaded.config.id;
  const uses = (kind: string) =>
    Object.entries(loaded.products).flatMap(([product, config]) => {
      const used = new Set(Object.values(config.workloads).flatMap((workload) => workload.uses));
      return Object.entries(config.services).filter(([logical, binding]) => binding.kind === kind && used.has(logical)).map(([logical, binding]) => ({ product, service: binding.name ?? logical }));
    });
  const databases = uses("postgres");
  const search = [...new Set(uses("opensearch").map((entry) => entry.service))].sort();
  return [
    ...databases.map(({ product, service }) => {
      const name = databaseUserName(product, id);
      return `Once the final backup is kept, drop the tenant's database and user on PostgreSQL ${service} (as the master user, from the database-bootstrap namespace): DROP DATABASE "${name}"; DROP ROLE "${name}";`;
    }),
    ...search.map((service) => `Delete the tenant's role on OpenSearch ${service} (as its master role): DELETE _plugins/_security/api/rolesmapping/tenant-${id} and DELETE _plugins/_security/api/roles/tenant-${id}.`),
  ];
}

export function decommissionPlan(config: PlatformConfig, id: string, protectedEnvironment: (environment: string) => boolean): DecommissionPlan {
  const loaded = config.tenants.find((tenant) => tenant.config.id === id);
  if (!loaded) throw new TenancyError(`no tenant "${id}"; tenants: ${config.tenants.map((tenant) => tenant.config.id).join(", ") || "(none)"}`);
  const tenant = loaded.config;
  const stacks = tenantStacks(tenant);
  const destroyOrder = stacks.toReversed();
  const isProtected = protectedEnvironment(tenant.environment) && !tenant.decommission;
  const steps = [
    ...(isProtected
      ? [`Set \`decommission: true\` in ${loaded.source.file} and deploy ${stacks.join(", ")} (lifts deletion protection; final snapshots are still taken).`]
      : []),
    `Take final backups: start an on-demand AWS Backup job for every resource tagged Tenant=${id} and wait for it to complete.`,
    ...lastOfLoadBalancer(config, tenant),
    ...destroyOrder.map((stack) => `Destroy: STACKS=${stack} npx cdktf destroy ${stack}   (state stays in the bucket under stacks/${stack}/)`),
    ...sharedDataSteps(loaded),
    `Delete ${loaded.source.file} and open a pull request.`,
  ];
  return { refused: isProtected, steps };
}

/**
 * The tenant file `allocate` completes, as data; a missing or unreadable file is a TenancyError or ConfigError naming
 * it, never a stack trace.
 */
export function readTenantFile(directory: string, id: string): Record<string, unknown> {
  const file = join(directory, "tenants", `${id}.yaml`);
  if (!existsSync(file)) {
    throw new TenancyError(`${file}: no such tenant file; write tenants/${id}.yaml first (id, environment, isolation, products), or create it with \`npm run tenant -- add ${id} --env <env> --isolation shared|dedicated\``);
  }
  if (statSync(file).isDirectory()) throw new TenancyError(`${file}: expected a YAML file, found a directory`);
  const issues: ConfigIssue[] = [];
  const source = readYamlFile(file, issues);
  if (!source) throw new ConfigError(issues);
  return source.data as Record<string, unknown>;
}
