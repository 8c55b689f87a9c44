/**
 * Loads and validates the configuration directory:
 *
 *   <dir>/project.yaml              project-wide settings (ProjectSchema)
 *   <dir>/environments/<name>.yaml  one file per environment (EnvironmentSchema), layered over profile defaults
 *   <dir>/tenants/<id>.yaml         one file per tenant (TenantSchema); optional directory
 *   <dir>/products/<name>.yaml      one file per product (ProductFileSchema), layered under the environments'
 *                                   `products.<name>` instances (see products.ts); optional directory
 *
 * Every problem of the run is collected and thrown together as a ConfigError; nothing is returned unless the
 * whole configuration is valid.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Address4 } from "ip-address";
import { runnerCountProblem } from "../constructs/ci-runner/rules";
import { dnsStackOrder, planHostedZones, zoneCreationConflicts, type ZoneEnvironment } from "../constructs/hosted-zones/rules";
import { derivedDefaults, PROFILE_DEFAULTS } from "./defaults";
import { ConfigError, type ConfigIssue, formatPath } from "./errors";
import { layer } from "./layering";
import { attributeToProductFiles, environmentDashboardIssues, layerProductInstances, loadProducts, type ProductCatalog } from "./products";
import { dnsPublishes, EnvironmentSchema, PROFILES, type EnvironmentConfig, type Profile } from "./schema/environment";
import { cidrsOverlap, cidrWithin, parseCidr } from "./schema/primitives";
import { AWS_MAX_TAGS_PER_RESOURCE, RESOURCE_TAG_RESERVE, STANDARD_TAG_KEYS } from "../constructs/core/standard-tags";
import type { ProductFileConfig } from "./schema/products";
import { accountNameOf, describeAccounts } from "./schema/accounts";
import { ProjectSchema, type ProjectConfig } from "./schema/project";
import { certificateCovers, checkProducts, ProductSchema, qualifyHost, type ProductConfig } from "./schema/products";
import { ACM_CERTIFICATE_ARN, TenantSchema, type TenantConfig } from "./schema/tenant";
import { z } from "zod";
import { displayPath, readYamlFile, uniqueStems, yamlFilesIn, type FileOverlay, type SourceFile } from "./source";
import { dedicatedTenantEnvironment, dedicatedTenantServices } from "./tenant-environment";
import { readSuppressions } from "./suppressions";
import type { LoadedSuppression } from "./schema/policy";
import { BOOTSTRAP_STACK, dedicatedTenantStackNames, dnsStackName, infraStackName, platformStackName, sharedTenantStackName } from "../constructs/core/stack-names";
import { databaseUserName, LOG_INDEX_PREFIX, ownerCollisions, productIndexPrefix, tenantIndexPrefix, type NameOwner } from "../constructs/core/data-users";
import { issueAt, validateWith } from "./validate";
import { veleroNamespaceProblems } from "./velero";
import { productionProfileIssues } from "./production-gate";
import { Naming } from "../constructs/core/naming";
import { PLATFORM_NAMESPACES, SYSTEM_NAMESPACES } from "../constructs/core/platform-contracts";

export interface LoadedEnvironment {
  readonly config: EnvironmentConfig;
  /** The environment file, for messages that point back at it. */
  readonly source: SourceFile;
}

export interface LoadedTenant {
  readonly config: TenantConfig;
  readonly source: SourceFile;
  /**
   * The tenant's product instances, resolved and validated: the environment's `products.<name>`, then the tenant's
   * namespace (`<id>-<product>`) and domain (`<id>.<product domain>` unless set), then the tenant's overrides.
   */
  readonly products: Readonly<Record<string, ProductConfig>>;
  /**
   * The environment settings the tenant's stacks are built from: a shared tenant's environment as it is; for a
   * dedicated tenant, its environment with the tenant's service sizes and backup policy, reduced to the tenant's VPC,
   * products and the services and buckets they use (config/tenant-environment.ts).
   */
  readonly environment: EnvironmentConfig;
}

export interface PlatformConfig {
  /** Directory the configuration was loaded from. */
  readonly directory: string;
  readonly project: ProjectConfig;
  /** Environments sorted by name. */
  readonly environments: readonly LoadedEnvironment[];
  /** Tenants sorted by id. */
  readonly tenants: readonly LoadedTenant[];
  /** The product catalog (products/<name>.yaml) by name, for stacks that instantiate products (tenants). */
  readonly products: ReadonlyMap<string, ProductFileConfig>;
  /** Product files by name, for messages that point back at them. */
  readonly productSources: ReadonlyMap<string, SourceFile>;
  /** project.yaml, for messages that point back at it. */
  readonly projectSource: SourceFile;
  /** The operator's policy suppressions (`policy/suppressions.yaml`; none when the file is absent). */
  readonly suppressions: readonly LoadedSuppression[];
}

/** Resolves one environment file: profile defaults, then derived defaults, then the file itself. */
export function resolveEnvironmentLayers(raw: Record<string, unknown>, fileStem: string): unknown {
  const profile = PROFILES.includes(raw.profile as Profile) ? (raw.profile as Profile) : "production";
  return layer(PROFILE_DEFAULTS[profile], derivedDefaults(fileStem), raw);
}

function loadEnvironment(path: string, stem: string, products: ProductCatalog, issues: ConfigIssue[], inputs: Map<string, unknown>, overlay: FileOverlay): LoadedEnvironment | undefined {
  const source = readYamlFile(path, issues, overlay);
  if (!source) return undefined;
  const layered = layerProductInstances(resolveEnvironmentLayers(source.data as Record<string, unknown>, stem), products, source, issues);
  const problems: ConfigIssue[] = [];
  const config = validateWith(EnvironmentSchema, layered, source, problems);
  // A product's key the environment file does not write (an image, a probe) is reported in the product file.
  issues.push(...attributeToProductFiles(problems, source, products, stem));
  if (!config) return undefined;
  inputs.set(stem, layered);
  if (config.name !== stem) {
    issues.push(
      issueAt(source, ["name"], `must equal the file name "${stem}" (one file per environment, named after it)`, config.name),
    );
    return undefined;
  }
  return { config, source };
}

function loadTenant(
  path: string,
  stem: string,
  environments: ReadonlyMap<string, EnvironmentConfig | undefined>,
  issues: ConfigIssue[],
  cache: Map<string, ProductConfig>,
  environmentInputs: ReadonlyMap<string, unknown>,
  catalog: ProductCatalog,
  overlay: FileOverlay,
): LoadedTenant | undefined {
  const source = readYamlFile(path, issues, overlay);
  if (!source) return undefined;
  const config = validateWith(TenantSchema, source.data, source, issues);
  if (!config) return undefined;
  const problems: ConfigIssue[] = [];
  if (config.id !== stem) {
    problems.push(issueAt(source, ["id"], `must equal the file name "${stem}" (one file per tenant, named after its id)`, config.id));
  }
  if (!environments.has(config.environment)) {
    problems.push(issueAt(source, ["environment"], `unknown environment; defined environments: ${[...environments.keys()].sort().join(", ")}`, config.environment));
  }
  if (config.isolation === "dedicated" && !config.network) {
    problems.push(
      issueAt(source, ["network"], `a dedicated tenant needs network.cidr; run \`npm run tenant -- allocate ${config.id}\` to take the next free block from the project's tenancy pool`, undefined),
    );
  }
  if (config.isolation === "dedicated" && config.ingressGroup !== undefined) {
    problems.push(issueAt(source, ["ingressGroup"], "only shared tenants share the environment's load balancers; a dedicated tenant has its own, remove ingressGroup", config.ingressGroup));
  }
  if (config.isolation === "shared" && config.ingressGroup === undefined) {
    problems.push(
      issueAt(source, ["ingressGroup"], `a shared tenant needs ingressGroup (the environment's tenant load balancer serving it); run \`npm run tenant -- allocate ${config.id}\` to take the lowest group with room`, undefined),
    );
  }
  if (config.isolation === "shared" && config.account !== undefined) {
    problems.push(issueAt(source, ["account"], `a shared tenant runs in environment ${config.environment}'s cluster and account; only a dedicated tenant has its own account (remove account or set isolation: dedicated)`, config.account));
  }
  if (config.isolation === "shared" && config.network) {
    problems.push(issueAt(source, ["network"], "only dedicated tenants have their own network; remove it or set isolation: dedicated", config.network));
  }
  if (config.isolation === "shared" && config.services) {
    problems.push(
      issueAt(source, ["services"], `a shared tenant uses environment ${config.environment}'s data services, sized in environments/${config.environment}.yaml; only a dedicated tenant has its own to size (remove services or set isolation: dedicated)`, config.services),
    );
  }
  if (config.isolation === "shared" && config.backup) {
    problems.push(
      issueAt(source, ["backup"], `a shared tenant's data lives in environment ${config.environment}'s services and is backed up by its policy (backup in environments/${config.environment}.yaml); only a dedicated tenant has its own (remove backup or set isolation: dedicated)`, config.backup),
    );
  }
  if (config.isolation === "shared" && config.cluster) {
    problems.push(issueAt(source, ["cluster"], `a shared tenant runs in environment ${config.environment}'s cluster; only a dedicated tenant has its own to name (remove cluster or set isolation: dedicated)`, config.cluster));
  }
  problems.push(...tenantNamespaceProblems(config, source));
  if (config.isolation === "shared" && Object.keys(config.products).length === 0) {
    problems.push(issueAt(source, ["products"], "a shared tenant runs at least one of its environment's products; list them under products (e.g. products: { noor: {} })", config.products));
  }
  issues.push(...problems);
  if (problems.length > 0) return undefined;
  const environment = environments.get(config.environment);
  if (!environment) return undefined; // the environment file is invalid and reported
  const products = resolveTenantProducts(config, environment, source, issues, cache, catalog);
  if (!products) return undefined;
  if (config.isolation === "shared") return { config, source, products, environment };
  const own = dedicatedEnvironmentSettings(config, environment, products, environmentInputs.get(environment.name), source, issues);
  return own ? { config, source, products, environment: dedicatedTenantEnvironment(own, config, products) } : undefined;
}

/**
 * A dedicated tenant's environment settings: its environment's, with the tenant's service sizes and backup policy
 * written over the environment file's (validated) document and validated again as a whole, so every rule of an
 * environment applies (profile minimums, vault lock ranges, RPO); problems point at the tenant file's keys, which
 * mirror the environment file's. Sizes may only name services the tenant's stacks hold.
 */
function dedicatedEnvironmentSettings(
  tenant: TenantConfig,
  environment: EnvironmentConfig,
  products: Readonly<Record<string, ProductConfig>>,
  input: unknown,
  source: SourceFile,
  issues: ConfigIssue[],
): EnvironmentConfig | undefined {
  if (!tenant.services && !tenant.backup) return environment;
  const held = dedicatedTenantServices(environment, products);
  const problems: ConfigIssue[] = [];
  for (const [kind, entries] of Object.entries(tenant.services ?? {})) {
    for (const name of Object.keys(entries ?? {})) {
      if (held.has(`${kind}/${name}`)) continue;
      const ofKind = [...held].filter((key) => key.startsWith(`${kind}/`)).map((key) => key.slice(kind.length + 1));
      problems.push(
        issueAt(source, ["services", kind, name], `the tenant's stacks hold no ${kind} service "${name}"; its products use ${ofKind.length > 0 ? ofKind.join(", ") : `no ${kind} service`} (services of environments/${environment.name}.yaml bound by the tenant's products)`, entries?.[name]),
      );
    }
  }
  issues.push(...problems);
  if (problems.length > 0) return undefined;
  // Every valid environment's document is recorded by loadEnvironment; never drop the tenant without a reported problem.
  if (input === undefined) throw new Error(`loader: no validated document of environment ${environment.name} for tenant ${tenant.id}`);
  const overrides = { ...(tenant.services ? { services: tenant.services } : {}), ...(tenant.backup ? { backup: tenant.backup } : {}) };
  return validateWith(EnvironmentSchema, layer(input, overrides), source, issues);
}

/**
 * A shared tenant reaches the environment's PostgreSQL as its own IAM-authenticated user; services that only offer
 * the environment's master credentials would hand them to the tenant's namespace, so they are rejected.
 */
function sharedServiceProblems(tenant: TenantConfig, name: string, product: ProductConfig, source: SourceFile): ConfigIssue[] {
  const problems: ConfigIssue[] = [];
  const used = new Set(Object.values(product.workloads).flatMap((workload) => workload.uses));
  for (const logical of [...used].sort()) {
    const binding = product.services[logical];
    if (!binding) continue;
    const service = binding.name ?? logical;
    // PostgreSQL: the tenant's own IAM-authenticated user (the environment's own products need IAM authentication
    // on the same services, which config/schema/products.ts checks for the environment).
    if (binding.kind === "mongodb" || binding.kind === "rabbitmq") {
      problems.push(
        issueAt(source, ["products", name], `product ${name} uses ${binding.kind} service ${service}, which authenticates with the environment's master credentials only; a shared tenant must not receive them (use isolation: dedicated)`, tenant.isolation),
      );
    }
  }
  return problems;
}

/**
 * Where a tenant product's hosts live (see TenantProductSchema.domain): inside one of the environment's hosted
 * zones (the tenant's stack issues and validates the certificate there), or on a custom domain with the tenant's
 * own certificate (`certificateArn`, in the environment's account and region). The domain must not be one the
 * environment serves itself, and the issued certificate (`<domain>`, `*.<domain>`) must cover every host.
 */
function tenantDomainProblems(tenant: TenantConfig, name: string, base: ProductConfig, domain: string | undefined, environment: EnvironmentConfig, source: SourceFile): ConfigIssue[] {
  const at = (...path: string[]) => ["products", name, ...path];
  const settings = tenant.products[name];
  const hosts = [...new Set(Object.values(base.workloads).flatMap((workload) => workload.ingress?.hosts ?? []))];
  if (!domain) {
    return hosts.length > 0 ? [issueAt(source, at("domain"), `product ${name} routes hosts through the load balancer; set the tenant's domain for it`, undefined)] : [];
  }
  const problems: ConfigIssue[] = [];
  const zones = Object.values(environment.edge.domains).map((entry) => entry.name);
  const environmentDomains = new Set([...zones, ...Object.values(environment.products).flatMap((product) => (product.domain ? [product.domain] : []))]);
  if (environmentDomains.has(domain)) {
    return [issueAt(source, at("domain"), `${domain} is served by environment ${environment.name} itself; a tenant needs its own domain, e.g. ${tenant.id}.${base.domain ?? zones[0] ?? "example.com"}`, domain)];
  }
  const zone = zones.filter((candidate) => domain.endsWith(`.${candidate}`)).sort((a, b) => b.length - a.length)[0];
  const arn = settings?.certificateArn;
  if (zone && arn) {
    problems.push(issueAt(source, at("certificateArn"), `${domain} is in the environment's hosted zone ${zone}, where the tenant's stack issues its certificate; certificateArn is for custom domains only, remove it`, arn));
  } else if (!zone && !arn && hosts.length > 0) {
    problems.push(
      issueAt(source, at("domain"), `${domain} is outside the environment's hosted zones (${zones.join(", ") || "none"}): for a custom domain set products.${name}.certificateArn to an ACM certificate in account ${environment.account.id}, region ${environment.account.region}, covering its hosts; or use a subdomain of ${base.domain ?? "a hosted zone"}`, domain),
    );
  } else if (arn) {
    const [, region, , account] = ACM_CERTIFICATE_ARN.exec(arn) ?? [];
    if (region !== environment.account.region || account !== environment.account.id) {
      problems.push(issueAt(source, at("certificateArn"), `must be a certificate in the environment's account ${environment.account.id} and region ${environment.account.region} (the load balancer's), found account ${account}, region ${region}`, arn));
    }
  }
  if (zone && hosts.length > 0 && !dnsPublishes(environment.addons, domain)) {
    problems.push(issueAt(source, at("domain"), `nothing publishes the hosts of ${domain}: external-dns of environment ${environment.name} does not manage zone ${zone} (add it to its addons.externalDns.zones)`, domain));
  }
  if (zone) {
    const names = [domain, `*.${domain}`];
    for (const host of hosts) {
      const qualified = qualifyHost(host, domain);
      if (!names.some((certificateName) => certificateCovers(certificateName, qualified))) {
        problems.push(issueAt(source, at("domain"), `host ${qualified} (workload host "${host}") is not covered by the tenant's certificate (${names.join(", ")}); a host may add one label to the domain at most`, qualified));
      }
    }
  }
  return problems;
}

/**
 * A dedicated tenant's product namespaces (`products.<name>.namespace`): only dedicated tenants choose them, never a
 * namespace Kubernetes or the platform's add-ons create in every cluster, and never the same one for two products.
 */
function tenantNamespaceProblems(tenant: TenantConfig, source: SourceFile): ConfigIssue[] {
  const problems: ConfigIssue[] = [];
  const reserved = new Set([...SYSTEM_NAMESPACES, ...Object.values(PLATFORM_NAMESPACES).map((namespace) => namespace.name)]);
  const seen = new Map<string, string>();
  for (const [product, settings] of Object.entries(tenant.products)) {
    const chosen = settings.namespace;
    if (chosen === undefined) continue;
    const path = ["products", product, "namespace"];
    if (tenant.isolation === "shared") {
      problems.push(issueAt(source, path, `a shared tenant's namespaces are ${tenantNamespace(tenant.id, product)} and so on (they share the environment's cluster, so they carry the tenant id); only a dedicated tenant names its own`, chosen));
      continue;
    }
    if (reserved.has(chosen)) {
      problems.push(issueAt(source, path, `${chosen} is a namespace Kubernetes or the platform's add-ons use in every cluster (${[...reserved].sort().join(", ")}); choose another`, chosen));
    }
    const earlier = seen.get(chosen);
    if (earlier !== undefined) problems.push(issueAt(source, path, `products ${earlier} and ${product} would share namespace ${chosen}; each product needs its own`, chosen));
    seen.set(chosen, product);
  }
  return problems;
}

/**
 * EKS cluster names are unique per account and region: every environment's cluster (`<project>-<environment>-eks`) and
 * every dedicated tenant's (its `cluster.name`, or `<project>-<environment>-<id>-eks`) must differ in each.
 */
export function checkClusterNames(project: ProjectConfig, environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const seen = new Map<string, string>();
  const claim = (where: string, name: string, owner: string): string | undefined => {
    const key = `${where}\u0000${name}`;
    const other = seen.get(key);
    if (other === undefined) seen.set(key, owner);
    return other;
  };
  for (const { config } of environments) {
    const name = new Naming({ project: project.name, environment: config.name }).clusterName;
    claim(`${config.account.id}/${config.account.region}`, name, `environment ${config.name}`);
  }
  for (const { config, source, environment } of tenants) {
    if (config.isolation !== "dedicated") continue;
    const name = new Naming({ project: project.name, environment: config.environment, tenant: config.id, ...(config.cluster ? { cluster: config.cluster.name } : {}) }).clusterName;
    // A dedicated tenant may deploy into its own account (`account`, by name), in its environment's region.
    const accountId = (config.account !== undefined ? project.accounts[config.account]?.id : undefined) ?? environment.account.id;
    const other = claim(`${accountId}/${environment.account.region}`, name, `tenant ${config.id}`);
    if (other !== undefined) {
      issues.push(
        issueAt(source, config.cluster ? ["cluster", "name"] : ["id"], `EKS cluster ${name} is already ${other}'s in account ${accountId} (${environment.account.region}); cluster names are unique per account and region`, name),
      );
    }
  }
}

/** Namespace of a tenant's product instance (shared tenants share the cluster, so it carries the tenant id). */
export function tenantNamespace(tenant: string, product: string): string {
  return `${tenant}-${product}`;
}

function buildTenantProductsSchema(environment: EnvironmentConfig) {
  const names = { namespace: ProductSchema.shape.namespace, domain: ProductSchema.shape.domain };
  return z
    .strictObject({ products: z.record(z.string(), ProductSchema), cached: z.record(z.string(), z.looseObject(names)) })
    .superRefine((value, ctx) => checkProducts({ products: value.products, workloads: environment.workloads }, ctx));
}

const tenantProductsSchemas = new WeakMap<EnvironmentConfig, ReturnType<typeof buildTenantProductsSchema>>();

/** The schema of a tenant's layered products in `environment`, built once per environment (zod compiles each schema on first use). */
function tenantProductsSchema(environment: EnvironmentConfig): ReturnType<typeof buildTenantProductsSchema> {
  let schema = tenantProductsSchemas.get(environment);
  if (!schema) {
    schema = buildTenantProductsSchema(environment);
    tenantProductsSchemas.set(environment, schema);
  }
  return schema;
}

/**
 * Layers each tenant product over its environment's instance (see LoadedTenant.products) and validates the result
 * as the environment validates its own products; problems point at the tenant file's `products.<name>` keys.
 */
function resolveTenantProducts(
  tenant: TenantConfig,
  environment: EnvironmentConfig,
  source: SourceFile,
  issues: ConfigIssue[],
  cache: Map<string, ProductConfig>,
  catalog: ProductCatalog,
): Record<string, ProductConfig> | undefined {
  const problems: ConfigIssue[] = [];
  const layered: Record<string, unknown> = {};
  const cached: Record<string, ProductConfig> = {};
  const allowed = Object.keys(environment.products).sort();
  let unresolved = false;
  for (const [name, overrides] of Object.entries(tenant.products)) {
    const base = environment.products[name];
    if (!base && catalog.has(name) && catalog.get(name) === undefined) {
      unresolved = true; // the product file is invalid and reported; the environment runs it once it is fixed
      continue;
    }
    if (!base) {
      problems.push(issueAt(source, ["products", name], `environment ${environment.name} does not run product "${name}" (its products: ${allowed.join(", ") || "none"})`, overrides));
      continue;
    }
    const workloads = Object.keys(base.workloads);
    for (const workload of Object.keys(overrides.workloads)) {
      if (!workloads.includes(workload)) {
        problems.push(issueAt(source, ["products", name, "workloads", workload], `product ${name} has no workload "${workload}" (workloads: ${workloads.join(", ")})`, overrides.workloads[workload]));
      }
    }
    const domain = overrides.domain ?? (base.domain ? `${tenant.id}.${base.domain}` : undefined);
    problems.push(...tenantDomainProblems(tenant, name, base, domain, environment, source));
    if (tenant.isolation === "shared") problems.push(...sharedServiceProblems(tenant, name, base, source));
    // The tenant's certificate (issued in its stack) covers *.<domain>; the environment's certificateDomain does not apply.
    const { certificateDomain: _certificate, ...definition } = base;
    // Many tenants run the same product with the same overrides: validate that combination once (see the cache).
    const key = `${environment.name}\u0000${name}\u0000${JSON.stringify(overrides.workloads)}`;
    const known = cache.get(key);
    if (known && domain !== undefined) {
      cached[name] = { ...known, namespace: overrides.namespace ?? tenantNamespace(tenant.id, name), domain };
      continue;
    }
    layered[name] = layer(definition, { namespace: overrides.namespace ?? tenantNamespace(tenant.id, name), ...(domain ? { domain } : {}) }, { workloads: overrides.workloads });
  }
  issues.push(...problems);
  if (problems.length > 0 || unresolved) return undefined;
  const validated = validateWith(tenantProductsSchema(environment), { products: layered, cached }, source, issues);
  if (!validated) return undefined;
  for (const [name, product] of Object.entries(validated.products)) {
    cache.set(`${environment.name}\u0000${name}\u0000${JSON.stringify(tenant.products[name]?.workloads ?? {})}`, product);
  }
  return { ...validated.products, ...(cached as Record<string, ProductConfig>) };
}

interface NamedCidr {
  readonly source: SourceFile;
  readonly path: (string | number)[];
  readonly cidr: string;
  readonly address: Address4;
  readonly kind: "vpc" | "peer";
}

/**
 * Default quotas of one Application Load Balancer (Elastic Load Balancing quotas): target groups (not adjustable),
 * certificates besides the default one, and listener rules.
 */
export const LOAD_BALANCER_QUOTAS = { targetGroups: 100, certificates: 25, rules: 100 } as const;

/** What one shared tenant adds to its load balancer: a target group per routed workload, a certificate per product, a rule per host and path. */
export function loadBalancerUsage(products: Readonly<Record<string, ProductConfig>>): { targetGroups: number; certificates: number; rules: number } {
  let targetGroups = 0;
  let certificates = 0;
  let rules = 0;
  for (const product of Object.values(products)) {
    const routed = Object.values(product.workloads).filter((workload) => workload.ingress);
    if (routed.length > 0) certificates++;
    targetGroups += routed.length;
    // The controller makes one rule per host and path (ALB rules take at most five values per condition).
    for (const workload of routed) rules += (workload.ingress?.hosts.length ?? 0) * (workload.ingress?.paths.length ?? 0);
  }
  return { targetGroups, certificates, rules };
}

/** Shared tenants per ingress group stay within `tenancy.tenantsPerLoadBalancer` and the load balancer's quotas. */
function checkIngressGroups(project: ProjectConfig, environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const groups = new Map<string, LoadedTenant[]>();
  for (const tenant of tenants) {
    const { ingressGroup, environment, isolation } = tenant.config;
    if (isolation !== "shared" || ingressGroup === undefined) continue;
    const key = `${environment}/${ingressGroup}`;
    groups.set(key, [...(groups.get(key) ?? []), tenant]);
  }
  checkLoadBalancersPerRegion(project, environments, tenants, groups, issues);
  const limit = project.tenancy.tenantsPerLoadBalancer;
  for (const [key, members] of groups) {
    const [environment, group] = key.split("/");
    const ids = members.map((member) => member.config.id).sort();
    const over = members.length > limit;
    const usage = members.map((member) => loadBalancerUsage(member.products)).reduce((sum, item) => ({
      targetGroups: sum.targetGroups + item.targetGroups,
      certificates: sum.certificates + item.certificates,
      rules: sum.rules + item.rules,
    }));
    const exceeded = (Object.keys(LOAD_BALANCER_QUOTAS) as (keyof typeof LOAD_BALANCER_QUOTAS)[]).filter((quota) => usage[quota] > LOAD_BALANCER_QUOTAS[quota]);
    if (!over && exceeded.length === 0) continue;
    const why = [
      ...(over ? [`${members.length} tenants, more than project.yaml tenancy.tenantsPerLoadBalancer (${limit})`] : []),
      ...exceeded.map((quota) => `${usage[quota]} ${quota}, more than one load balancer's ${LOAD_BALANCER_QUOTAS[quota]}`),
    ];
    for (const member of members) {
      issues.push(issueAt(member.source, ["ingressGroup"], `ingress group ${group} of environment ${environment} is over capacity: ${why.join("; ")} (tenants: ${ids.join(", ")}); move tenants to another group, or allocate new ones with \`npm run tenant -- add\``, Number(group)));
    }
  }
}

/**
 * Load balancers per account and region: each environment routing products has its own (`apps`), each ingress group
 * of shared tenants one more, each dedicated tenant one. Reported on the tenants of the region's highest groups.
 */
function checkLoadBalancersPerRegion(
  project: ProjectConfig,
  environments: readonly LoadedEnvironment[],
  tenants: readonly LoadedTenant[],
  groups: ReadonlyMap<string, readonly LoadedTenant[]>,
  issues: ConfigIssue[],
): void {
  const regionOf = new Map(environments.map(({ config }) => [config.name, `${config.account.id}/${config.account.region}`]));
  const count = new Map<string, number>();
  const add = (region: string | undefined) => {
    if (region) count.set(region, (count.get(region) ?? 0) + 1);
  };
  for (const { config } of environments) {
    if (Object.values(config.products).some((product) => Object.values(product.workloads).some((workload) => workload.ingress))) add(regionOf.get(config.name));
  }
  for (const key of groups.keys()) add(regionOf.get(key.split("/")[0] as string));
  for (const { config, products } of tenants) {
    if (config.isolation === "dedicated" && loadBalancerUsage(products).targetGroups > 0) add(regionOf.get(config.environment));
  }
  const limit = project.tenancy.loadBalancersPerRegion;
  for (const [key, members] of groups) {
    const region = regionOf.get(key.split("/")[0] as string);
    const total = region ? (count.get(region) ?? 0) : 0;
    if (total <= limit) continue;
    const [account, name] = (region as string).split("/");
    for (const member of members) {
      issues.push(
        issueAt(member.source, ["ingressGroup"], `account ${account} would run ${total} load balancers in ${name}, more than project.yaml tenancy.loadBalancersPerRegion (${limit}, the AWS quota); put more tenants on each (tenancy.tenantsPerLoadBalancer) or raise the quota and the setting`, member.config.ingressGroup),
      );
    }
    break; // one report per region is enough to act on
  }
}

/**
 * Every environment's account (by id) and every dedicated tenant's account (by name) is declared in project.yaml
 * `accounts`: the account stacks that hold the CI roles, the boundary and the baseline are made from that map, so an
 * account outside it would have no CI identity and no controls.
 */
function checkAccounts(project: ProjectConfig, environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const declared = describeAccounts(project.accounts);
  for (const { config, source } of environments) {
    if (accountNameOf(project.accounts, config.account.id) === undefined) {
      issues.push(issueAt(source, ["account", "id"], `account ${config.account.id} is not declared in project.yaml accounts (declared: ${declared}); add it there (name: { id, region }) so its account stack creates the CI roles and the baseline`, config.account.id));
    }
  }
  for (const { config, source } of tenants) {
    if (config.account !== undefined && !Object.hasOwn(project.accounts, config.account)) {
      issues.push(issueAt(source, ["account"], `is not an account of project.yaml accounts (declared: ${declared})`, config.account));
    }
  }
}

/**
 * Every environment and every dedicated tenant has a CI runner whose CodeBuild webhook subscribes to the repository's
 * workflow_job event; GitHub allows 20 webhooks per event on one repository (constructs/ci-runner/rules.ts).
 */
function checkRunnerCount(environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const dedicated = tenants.filter(({ config }) => config.isolation === "dedicated");
  const problem = runnerCountProblem([...environments.map(({ config }) => config.name), ...dedicated.map(({ config }) => config.id)]);
  if (!problem) return;
  // Reported on the last dedicated tenant in file order (the one whose runner a new tenant would add).
  const tenant = dedicated.at(-1);
  const environment = environments.at(-1);
  if (tenant) issues.push(issueAt(tenant.source, ["isolation"], problem, tenant.config.isolation));
  else if (environment) issues.push(issueAt(environment.source, ["name"], problem, environment.config.name));
}

/**
 * Environments are told apart by name prefix and by GitHub environment: each environment's CI roles are trusted only
 * by its own GitHub environment, and its deploy role manages only IAM names under `<project>-<env>-`. An environment
 * named like another's prefix (`dev` and `dev-eu`) or two sharing a GitHub environment would reach each other.
 */
function checkEnvironmentIdentities(environments: readonly LoadedEnvironment[], issues: ConfigIssue[]): void {
  const github = new Map<string, LoadedEnvironment>();
  for (const environment of environments) {
    const { name, deployment } = environment.config;
    for (const other of environments) {
      if (other !== environment && name.startsWith(`${other.config.name}-`)) {
        issues.push(issueAt(environment.source, ["name"], `starts with environment ${other.config.name}'s name and a hyphen, so its resource names (${name}-...) fall under ${other.config.name}'s prefix and its CI roles could manage them; choose a name that does not start with "${other.config.name}-"`, name));
      }
    }
    // GitHub environment names are case-insensitive: `Production` is `production`.
    const previous = github.get(deployment.githubEnvironment.toLowerCase());
    if (previous) {
      issues.push(issueAt(environment.source, ["deployment", "githubEnvironment"], `GitHub environment ${deployment.githubEnvironment} is already environment ${previous.config.name}'s (${previous.source.file}); each environment's CI roles trust only its own GitHub environment, so each needs its own`, deployment.githubEnvironment));
    } else {
      github.set(deployment.githubEnvironment.toLowerCase(), environment);
    }
  }
}

/** One product instance on an environment's shared services, for the checks below. */
interface Instance extends NameOwner {
  readonly source: SourceFile;
  readonly path: (string | number)[];
  /** The instance's stack is a shared tenant's (reported there: the tenant file is the one to change). */
  readonly tenant?: string;
}

/** Service names of `kind` the product's workloads use. */
function usedServices(product: ProductConfig, kind: ProductConfig["services"][string]["kind"]): string[] {
  const used = new Set(Object.values(product.workloads).flatMap((workload) => workload.uses));
  return [...new Set(Object.entries(product.services).flatMap(([logical, binding]) => (binding.kind === kind && used.has(logical) ? [binding.name ?? logical] : [])))].sort();
}

/**
 * What keeps product instances apart on an environment's shared data services (constructs/core/data-users.ts):
 * PostgreSQL user names are unique, no OpenSearch index prefix lies inside another on the same domain (Fluent Bit's
 * `logs-` included), and each cache's user group stays within ElastiCache's quota of users. Collisions are reported
 * on the shared tenant's file: its id is what can change.
 */
function checkSharedDataOwners(project: ProjectConfig, environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  for (const { config: environment, source } of environments) {
    const shared = tenants.filter((tenant) => tenant.config.isolation === "shared" && tenant.config.environment === environment.name);
    const instances: { product: string; config: ProductConfig; source: SourceFile; tenant?: string }[] = [
      ...Object.entries(environment.products).map(([product, config]) => ({ product, config, source })),
      ...shared.flatMap((tenant) => Object.entries(tenant.products).map(([product, config]) => ({ product, config, source: tenant.source, tenant: tenant.config.id }))),
    ];
    const owner = (instance: (typeof instances)[number]) => (instance.tenant ? `tenant ${instance.tenant}'s ${instance.product} (${instance.source.file})` : `the environment's ${instance.product} (${instance.source.file})`);
    const entry = (instance: (typeof instances)[number], value: string): Instance => ({
      owner: owner(instance),
      value,
      source: instance.source,
      path: ["products", instance.product],
      ...(instance.tenant ? { tenant: instance.tenant } : {}),
    });
    // Reported on each tenant involved (its id is what can change), else on the environment's product.
    const report = (a: Instance, b: Instance, what: string) => {
      const sides: [Instance, Instance][] = a.tenant || b.tenant ? ([[a, b], [b, a]] as [Instance, Instance][]).filter(([at]) => at.tenant) : [[a, b]];
      for (const [at, other] of sides) {
        issues.push(issueAt(at.source, at.tenant ? ["id"] : at.path, `${what} ${at.owner} collides with ${other.owner}; ${at.tenant ? "choose another tenant id" : "rename the product"}`, at.tenant ?? at.value));
      }
    };

    const databaseUsers = instances.filter((instance) => usedServices(instance.config, "postgres").length > 0).map((instance) => entry(instance, databaseUserName(instance.product, instance.tenant)));
    for (const [a, b] of ownerCollisions(databaseUsers)) report(a, b, `PostgreSQL user "${a.value}" is the same:`);

    const logs = environment.observability.logs;
    for (const service of Object.keys(environment.services.opensearch)) {
      const writers = instances
        .filter((instance) => usedServices(instance.config, "opensearch").includes(service))
        .map((instance) => entry(instance, instance.tenant ? tenantIndexPrefix(instance.tenant) : productIndexPrefix(instance.product)));
      if (logs.backend === "opensearch" && logs.opensearchService === service) writers.push({ owner: `Fluent Bit's logs (${source.file})`, value: LOG_INDEX_PREFIX, source, path: ["observability", "logs"] });
      for (const [a, b] of ownerCollisions(writers, true)) report(a, b, `OpenSearch index prefixes ${[a.value, b.value].sort().map((value) => `"${value}*"`).join(" and ")} on ${service} cover one another:`);
    }

    const limit = project.tenancy.cacheUsersPerUserGroup;
    for (const service of Object.keys(environment.services.redis)) {
      const users = instances.filter((instance) => usedServices(instance.config, "redis").includes(service));
      // and the disabled default user, and the Redis exporter's monitoring user when the environment runs exporters
      const exporter = environment.observability.exporters.redis.enabled ? 1 : 0;
      const count = users.length + 1 + exporter;
      if (count <= limit) continue;
      const ids = users.flatMap((instance) => (instance.tenant ? [instance.tenant] : [])).sort();
      for (const tenant of shared.filter((candidate) => ids.includes(candidate.config.id))) {
        issues.push(
          issueAt(tenant.source, ["products"], `cache ${service} of environment ${environment.name} would hold ${count} users (one per product instance using it, plus the default user${exporter ? " and the Redis exporter's" : ""}), more than project.yaml tenancy.cacheUsersPerUserGroup (${limit}, the ElastiCache quota "Users per user group"); raise the quota and the setting, or give tenants a dedicated tenancy`, count),
        );
      }
    }
  }
  // An approval environment gates one environment's applies: shared with another environment (or used as another's
  // deploy environment) one approval would release both.
  for (const environment of environments) {
    const { approvalEnvironment } = environment.config.deployment;
    const other = environments.find((candidate) => candidate !== environment && (candidate.config.deployment.githubEnvironment === approvalEnvironment || candidate.config.deployment.approvalEnvironment === approvalEnvironment));
    if (other) {
      issues.push(issueAt(environment.source, ["deployment", "approvalEnvironment"], `GitHub environment ${approvalEnvironment} is also used by environment ${other.config.name} (${other.source.file}); each environment needs its own approval environment`, approvalEnvironment));
    }
  }
}

/** Two tenants serving a product on the same domain would route each other's hosts. */
function checkTenantDomains(tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const seen = new Map<string, LoadedTenant>();
  for (const tenant of tenants) {
    for (const [name, product] of Object.entries(tenant.products)) {
      if (!product.domain) continue;
      // DNS names are global: two tenants may not share a domain even in different environments.
      const other = seen.get(product.domain);
      if (other) issues.push(issueAt(tenant.source, ["products", name, "domain"], `${product.domain} is already served by tenant ${other.config.id} (${other.source.file}); each tenant needs its own domain`, product.domain));
      else seen.set(product.domain, tenant);
    }
  }
}

/** Distinct configuration tag keys of the layers (a standard key is counted with the standard tags). */
function countTags(...maps: Readonly<Record<string, string>>[]): number {
  return new Set(maps.flatMap((map) => Object.keys(map)).filter((key) => !STANDARD_TAG_KEYS.includes(key))).size;
}

/**
 * AWS allows 50 tags per resource. Every resource carries the standard tags (STANDARD_TAG_KEYS, counted from the
 * tagging code), the configuration's tags (project, environment, tenant; the same key counts once) and up to
 * RESOURCE_TAG_RESERVE tags of its own; an apply past the limit fails on the first resource (TooManyTags). Reported
 * at the `tags` of the file whose tags cross the limit.
 */
function checkTagCounts(project: ProjectConfig, projectSource: SourceFile, environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const room = AWS_MAX_TAGS_PER_RESOURCE - STANDARD_TAG_KEYS.length - RESOURCE_TAG_RESERVE;
  const why = (layers: string) =>
    `AWS allows ${AWS_MAX_TAGS_PER_RESOURCE} tags per resource: ${STANDARD_TAG_KEYS.length} standard tags (${STANDARD_TAG_KEYS.join(", ")}) and up to ${RESOURCE_TAG_RESERVE} the platform sets on single resources (Name, backup plan, subnet discovery, Karpenter node tags) leave ${room} for configuration tags; ${layers}`;
  const projectCount = countTags(project.tags);
  if (projectCount > room) {
    issues.push(issueAt(projectSource, ["tags"], why(`project.yaml sets ${projectCount}`), `${projectCount} tags`));
    return;
  }
  for (const { config, source } of environments) {
    const total = countTags(project.tags, config.tags);
    if (total > room) issues.push(issueAt(source, ["tags"], why(`project.yaml and this file set ${total} distinct keys`), `${total} tags`));
  }
  const byName = new Map(environments.map((environment) => [environment.config.name, environment.config]));
  for (const { config, source } of tenants) {
    const environment = byName.get(config.environment);
    if (!environment || countTags(project.tags, environment.tags) > room) continue;
    const total = countTags(project.tags, environment.tags, config.tags);
    if (total > room) issues.push(issueAt(source, ["tags"], why(`project.yaml, environments/${config.environment}.yaml and this file set ${total} distinct keys`), `${total} tags`));
  }
}

/**
 * A dedicated tenant's VPC lies inside the project's tenancy pool (`tenancy.cidrPool`), the range set aside for
 * tenant networks (agreed with whoever routes them, kept clear of on-premises and partner ranges the overlap check
 * cannot see). A block outside it is an error unless the tenant file says so explicitly with
 * `network.outsidePool: true` (e.g. a tenant migrated with the VPC range its partners already route); overlaps are
 * still rejected either way.
 */
function checkTenantPool(project: ProjectConfig, tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const pool = parseCidr(project.tenancy.cidrPool);
  if (!pool) return;
  for (const { config, source } of tenants) {
    const network = config.network;
    const block = network ? parseCidr(network.cidr) : undefined;
    if (!network || !block) continue;
    const inside = cidrWithin(block, pool);
    if (!inside && !network.outsidePool) {
      issues.push(
        issueAt(source, ["network", "cidr"], `outside the project's tenancy pool ${project.tenancy.cidrPool} (project.yaml tenancy.cidrPool), where dedicated tenants' VPCs are allocated; take a block of the pool (\`npm run tenant -- allocate ${config.id}\` after removing network), or set network.outsidePool: true to keep this range deliberately`, network.cidr),
      );
    } else if (inside && network.outsidePool) {
      issues.push(issueAt(source, ["network", "outsidePool"], `${network.cidr} is inside the tenancy pool ${project.tenancy.cidrPool}; remove outsidePool`, true));
    }
  }
}

/**
 * Hosted zones: one environment creates a zone (two zones of one name cannot both be delegated), and environments'
 * zones are not nested in each other both ways (their DNS stacks would each have to run first).
 */
export function checkHostedZones(environments: readonly LoadedEnvironment[], issues: ConfigIssue[]): void {
  const zoneEnvironments: ZoneEnvironment[] = environments.map(({ config }) => ({ name: config.name, accountId: config.account.id, domains: config.edge.domains }));
  const sources = new Map(environments.map(({ config, source }) => [config.name, source]));
  for (const conflict of zoneCreationConflicts(zoneEnvironments)) {
    const source = sources.get(conflict.environment);
    const other = sources.get(conflict.createdBy.environment);
    if (!source) continue;
    issues.push(
      issueAt(
        source,
        ["edge", "domains", conflict.key, "hostedZone"],
        `zone ${conflict.name} is already created by ${other?.file ?? conflict.createdBy.environment} edge.domains.${conflict.createdBy.key}; only one environment can create (and delegate) a zone — use hostedZone: lookup here`,
        "create",
      ),
    );
  }
  const { cycle } = dnsStackOrder(planHostedZones(zoneEnvironments));
  const first = cycle?.[0];
  const source = first === undefined ? undefined : sources.get(first);
  if (cycle && source) {
    issues.push(
      issueAt(
        source,
        ["edge", "domains"],
        `the hosted zones of environments ${cycle.join(" -> ")} are nested in each other both ways, so each DNS stack would have to run before the other; create the enclosing zones in one environment`,
        undefined,
        false,
      ),
    );
  }
}

/** Rejects overlapping VPCs (environments and dedicated tenants), and peer networks that overlap any VPC. */
export function checkCidrOverlaps(environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[], issues: ConfigIssue[]): void {
  const blocks: NamedCidr[] = [];
  for (const { config, source } of environments) {
    const vpc = parseCidr(config.network.cidr);
    if (vpc) blocks.push({ source, path: ["network", "cidr"], cidr: config.network.cidr, address: vpc, kind: "vpc" });
    config.network.peerNetworks.forEach((peer, index) => {
      const address = parseCidr(peer.cidr);
      if (address) blocks.push({ source, path: ["network", "peerNetworks", index, "cidr"], cidr: peer.cidr, address, kind: "peer" });
    });
  }
  for (const { config, source } of tenants) {
    const cidr = config.network?.cidr;
    const address = cidr ? parseCidr(cidr) : undefined;
    if (cidr && address) blocks.push({ source, path: ["network", "cidr"], cidr, address, kind: "vpc" });
  }
  for (const [i, a] of blocks.entries()) {
    for (const b of blocks.slice(i + 1)) {
      if (a.kind === "peer" && b.kind === "peer") continue;
      if (!cidrsOverlap(a.address, b.address)) continue;
      // Reported on the peer network when one side is a peer (that is the entry to change), else on the later VPC.
      const [here, there] = a.kind === "peer" ? [a, b] : [b, a];
      issues.push(
        issueAt(
          here.source,
          here.path,
          `overlaps ${there.cidr} at ${there.source.file} ${formatPath(there.path)}; VPC and peer network CIDRs must be disjoint so they can be routed together`,
          here.cidr,
        ),
      );
    }
  }
}

export interface LoadOptions {
  /**
   * Files as a command is about to write or remove them (absolute path -> text, or null): the configuration is
   * validated as it would be, and problems name the real files. @default none
   */
  readonly overlay?: FileOverlay;
  /** Clock for suppression expiry. @default now */
  readonly now?: Date;
  /**
   * Tenant files to read instead of the directory's, by file name (`acme.yaml`): the text, or `undefined` for a file
   * that does not exist. `npm run review` loads the base revision's configuration as the working tree's directory
   * with the changed tenant files as they were in that revision (applied as an overlay of those files).
   * @default the directory's tenant files as they are
   */
  readonly tenantFiles?: ReadonlyMap<string, string | undefined>;
  /**
   * A configuration loaded before from the same directory, whose tenant files have not changed since (except those
   * `tenantFiles` replaces). When this load's project, product and environment files give the same result as they
   * gave it, its tenants whose files `tenantFiles` does not replace are taken as they were loaded instead of being
   * parsed and validated again (a tenant's result depends only on its file and those); otherwise every tenant is
   * loaded. The checks across tenants (domains, load balancers, CIDR overlaps) always run over every tenant.
   * @default none: every tenant file is parsed and validated
   */
  readonly reuse?: PlatformConfig;
}

/** The previous load's tenants by id, when this load's project, products and environments are the same as its. */
function reusableTenants(reuse: PlatformConfig | undefined, directory: string, project: ProjectConfig | undefined, environments: readonly LoadedEnvironment[], products: ProductCatalog): Map<string, LoadedTenant> {
  if (!reuse || reuse.directory !== directory || !project) return new Map();
  const catalog = [...products].flatMap(([name, product]) => (product ? [[name, product.config]] : []));
  const byName = (items: readonly LoadedEnvironment[]) => [...items].sort((a, b) => a.config.name.localeCompare(b.config.name)).map((item) => item.config);
  const same =
    JSON.stringify(project) === JSON.stringify(reuse.project) &&
    JSON.stringify(catalog) === JSON.stringify([...reuse.products]) &&
    JSON.stringify(byName(environments)) === JSON.stringify(byName(reuse.environments));
  return same ? new Map(reuse.tenants.map((tenant) => [tenant.config.id, tenant])) : new Map();
}


/** Loads and validates the whole configuration directory, or throws a ConfigError listing every problem. */
export function loadConfig(directory: string, options: LoadOptions = {}): PlatformConfig {
  const overlay: FileOverlay = new Map([
    ...(options.overlay ?? new Map<string, string | null>()),
    ...[...(options.tenantFiles ?? new Map<string, string | undefined>())].map(([name, text]) => [resolve(join(directory, "tenants", name)), text ?? null] as const),
  ]);
  const issues: ConfigIssue[] = [];
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new ConfigError([{ file: displayPath(directory), path: [], message: "configuration directory does not exist" }]);
  }

  const projectPath = join(directory, "project.yaml");
  let project: ProjectConfig | undefined;
  let projectSource: SourceFile | undefined;
  if (!existsSync(projectPath) && typeof overlay.get(resolve(projectPath)) !== "string") {
    issues.push({ file: displayPath(projectPath), path: [], message: "project.yaml is required (project name, owner, bootstrap account, GitHub repository)" });
  } else {
    projectSource = readYamlFile(projectPath, issues, overlay);
    if (projectSource) project = validateWith(ProjectSchema, projectSource.data, projectSource, issues);
  }

  const allEnvironmentFiles = yamlFilesIn(join(directory, "environments"), issues, overlay);
  if (allEnvironmentFiles.length === 0) {
    issues.push({ file: displayPath(join(directory, "environments")), path: [], message: "no environment files found; add environments/<name>.yaml" });
  }
  const environmentFiles = uniqueStems(allEnvironmentFiles, "environment", issues);
  const products = loadProducts(directory, issues, overlay);
  const environments: LoadedEnvironment[] = [];
  // Each valid environment's document as validated (defaults, file, product instances): dedicated tenants layer over it.
  const environmentInputs = new Map<string, unknown>();
  for (const { path, stem } of environmentFiles) {
    const loaded = loadEnvironment(path, stem, products, issues, environmentInputs, overlay);
    if (loaded) environments.push(loaded);
  }

  const tenantFiles = uniqueStems(yamlFilesIn(join(directory, "tenants"), issues, overlay), "tenant", issues);
  // Every environment file by name; `undefined` for one that is invalid (its problems are already reported).
  const environmentsByName = new Map<string, EnvironmentConfig | undefined>(environmentFiles.map((file) => [file.stem, undefined]));
  for (const { config } of environments) environmentsByName.set(config.name, config);
  const tenants: LoadedTenant[] = [];
  const productCache = new Map<string, ProductConfig>();
  const reusable = reusableTenants(options.reuse, directory, project, environments, products);
  for (const { path, stem } of tenantFiles) {
    const replaced = options.tenantFiles?.has(basename(path)) === true;
    const loaded = (replaced ? undefined : reusable.get(stem)) ?? loadTenant(path, stem, environmentsByName, issues, productCache, environmentInputs, products, overlay);
    if (loaded) tenants.push(loaded);
  }
  checkTenantDomains(tenants, issues);
  if (project) checkIngressGroups(project, environments, tenants, issues);
  if (project && projectSource) checkTagCounts(project, projectSource, environments, tenants, issues);
  if (project) checkTenantPool(project, tenants, issues);
  if (project) checkAccounts(project, environments, tenants, issues);
  checkEnvironmentIdentities(environments, issues);
  if (project) checkSharedDataOwners(project, environments, tenants, issues);
  checkRunnerCount(environments, tenants, issues);
  checkCidrOverlaps(environments, tenants, issues);
  issues.push(...productionProfileIssues(project, environments));
  if (project) checkClusterNames(project, environments, tenants, issues);
  issues.push(...veleroNamespaceProblems(environments, tenants));
  const suppressions = readSuppressions(directory, issues, { overlay, productionStacks: productionStacks(environments, tenants), ...(options.now ? { now: options.now } : {}) });
  checkHostedZones(environments, issues);
  // A dedicated tenant's Grafana provisions a subset of its environment's products with the same log backend.
  for (const { config } of environments) issues.push(...environmentDashboardIssues(config, products));

  if (issues.length > 0 || !project || !projectSource) throw new ConfigError(issues);
  environments.sort((a, b) => a.config.name.localeCompare(b.config.name));
  tenants.sort((a, b) => a.config.id.localeCompare(b.config.id));
  const catalog = new Map([...products].flatMap(([name, product]) => (product ? [[name, product.config] as const] : [])));
  const productSources = new Map([...products].flatMap(([name, product]) => (product ? [[name, product.source] as const] : [])));
  return { directory, project, projectSource, environments, tenants, products: catalog, productSources, suppressions };
}

/** Stacks checked as production (the bootstrap stack, and every stack of an environment with the production profile). */
function productionStacks(environments: readonly LoadedEnvironment[], tenants: readonly LoadedTenant[]): string[] {
  const production = new Set(environments.filter(({ config }) => config.profile === "production").map(({ config }) => config.name));
  const stacks = [BOOTSTRAP_STACK];
  for (const name of production) stacks.push(dnsStackName(name), infraStackName(name), platformStackName(name));
  for (const { config } of tenants) {
    if (!production.has(config.environment)) continue;
    if (config.isolation === "shared") stacks.push(sharedTenantStackName(config.environment, config.id));
    else stacks.push(...Object.values(dedicatedTenantStackNames(config.id)));
  }
  return stacks;
}
