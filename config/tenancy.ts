/**
 * Tenant onboarding logic behind `npm run tenant`: CIDR allocation from the project's pool, writing a tenant
 * file safely, listing tenants, and the decommission plan. Pure functions over a configuration directory, so the
 * command stays a thin CLI and everything here is tested.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
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

/**
 * Completes a hand-written tenant file: a dedicated tenant without a CIDR gets the next free pool block
 * (`network.cidr`), a shared tenant without a load balancer the lowest ingress group with room (`ingressGroup`).
 * Returns what was written.
 */
export function allocateTenant(directory: string, id: string, current: Record<string, unknown>): string {
  const file = join(directory, "tenants", `${id}.yaml`);
  let config: PlatformConfig | undefined;
  try {
    config = loadConfig(directory);
  } catch (error) {
    // The tenant being allocated is the one reported as missing its network; everything else must be valid.
    if (!(error instanceof ConfigError)) throw error;
    const others = error.issues.filter((issue) => !(basename(issue.file) === `${id}.yaml` && (issue.path[0] === "network" || issue.path[0] === "ingressGroup")));
    if (others.length > 0) throw new ConfigError(others);
    // Allocate against the configuration without this tenant (read without it, nothing is copied).
    config = loadConfig(directory, { overlay: new Map([[resolve(file), null]]) });
  }
  let allocation: Record<string, unknown>;
  let summary: string;
  if (current.isolation === "dedicated") {
    if ((current.network as { cidr?: string } | undefined)?.cidr) throw new TenancyError(`${file}: network.cidr is already set; an allocation never moves`);
    const { cidrPool, blockPrefix } = config.project.tenancy;
    const cidr = nextFreeBlock(cidrPool, blockPrefix, usedCidrs(config).filter((entry) => entry.owner !== `tenant ${id}`).map((entry) => entry.cidr));
    allocation = { network: { cidr } };
    summary = `VPC CIDR ${cidr}`;
  } else if (current.isolation === "shared") {
    if (current.ingressGroup !== undefined) throw new TenancyError(`${file}: ingressGroup is already set; an allocation never moves`);
    if (typeof current.environment !== "string") throw new TenancyError(`${file}: set environment first`);
    const group = nextIngressGroup(config, current.environment, id);
    allocation = { ingressGroup: group };
    summary = `ingress group ${group}`;
  } else {
    throw new TenancyError(`${file}: isolation must be shared or dedicated`);
  }
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, renderTenantFile({ ...current, ...allocation }));
  renameSync(temporary, file);
  return summary;
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
