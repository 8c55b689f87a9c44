/**
 * Where a synthesized resource comes from in configuration: the file, line and key that produced it (e.g. a bucket at
 * `prod-infra/storage/bucket-uploads` comes from `storage.buckets.uploads` of `environments/prod.yaml`).
 * Synthesis problems (policy findings, RPO problems) are reported at that key, in the configuration directory that
 * was loaded.
 *
 * Construct ids are API (renaming one replaces the resource), so the path of a construct is a stable record of what
 * built it: the rules below read a construct path the way the stacks compose it, matching entry names against the
 * configuration's own names (a bucket `web-uploads` under `storage/bucket-web-uploads-lifecycle`). A test proves
 * every configured service, bucket, plan and product of the bundled configuration resolves to a key its file writes.
 */
import type { LoadedEnvironment, LoadedTenant, PlatformConfig } from "../config/loader";
import type { ConfigPath } from "../config/errors";
import type { SourceFile } from "../config/source";
import { MONITOR_USER_SUFFIX } from "../config/schema/services";
import { accountStackName, BOOTSTRAP_STACK, dedicatedTenantStackNames, dnsStackName, infraStackName, platformStackName, sharedTenantStackName } from "../constructs/core/stack-names";

/** A configuration key a resource comes from. */
export interface ConfigOrigin {
  readonly source: SourceFile;
  readonly path: ConfigPath;
  /** Whether the file writes the key itself (false: it comes from a default; the location is its nearest parent). */
  readonly written: boolean;
}

interface StackOwner {
  readonly kind: "bootstrap" | "account" | "dns" | "environment" | "shared-tenant" | "dedicated-tenant";
  /** The account of an `account-<name>` stack (its key under project.yaml `accounts`). */
  readonly account?: string;
  readonly environment?: LoadedEnvironment;
  readonly tenant?: LoadedTenant;
}

/** Every stack the configuration defines, with the files behind it. */
export function stackOwners(config: PlatformConfig): Map<string, StackOwner> {
  const owners = new Map<string, StackOwner>([[BOOTSTRAP_STACK, { kind: "bootstrap" }]]);
  for (const account of Object.keys(config.project.accounts)) owners.set(accountStackName(account), { kind: "account", account });
  const environments = new Map(config.environments.map((environment) => [environment.config.name, environment]));
  for (const environment of config.environments) {
    for (const name of [infraStackName(environment.config.name), platformStackName(environment.config.name)]) owners.set(name, { kind: "environment", environment });
    owners.set(dnsStackName(environment.config.name), { kind: "dns", environment });
  }
  for (const tenant of config.tenants) {
    const environment = environments.get(tenant.config.environment);
    if (!environment) continue;
    if (tenant.config.isolation === "shared") owners.set(sharedTenantStackName(environment.config.name, tenant.config.id), { kind: "shared-tenant", environment, tenant });
    else for (const name of Object.values(dedicatedTenantStackNames(tenant.config.id))) owners.set(name, { kind: "dedicated-tenant", environment, tenant });
  }
  return owners;
}

/** The longest of `names` that `segment` names after `prefix` (`bucket-web-uploads-logging` -> `web-uploads`). */
function named(segment: string | undefined, prefix: string, names: Iterable<string>): string | undefined {
  if (segment === undefined || !segment.startsWith(prefix)) return undefined;
  const rest = segment.slice(prefix.length);
  return [...names].filter((name) => rest === name || rest.startsWith(`${name}-`)).sort((a, b) => b.length - a.length)[0];
}

/** kebab-case construct id -> camelCase configuration key (`load-balancer-controller` -> `loadBalancerController`). */
function camel(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/** Alarm id prefixes (constructs/service-alarms) -> service kinds. */
const ALARM_KINDS: Readonly<Record<string, string>> = { db: "postgres", cache: "redis", docdb: "documentdb", search: "opensearch", mq: "rabbitmq" };
const SERVICE_KINDS = ["postgres", "redis", "documentdb", "opensearch", "rabbitmq"] as const;

type Where = { readonly file: "environment" | "product"; readonly product?: string; readonly path: ConfigPath };

function at(...path: (string | number)[]): Where {
  return { file: "environment", path };
}

function origin(source: SourceFile, keyPath: ConfigPath): ConfigOrigin {
  return { source, path: keyPath, written: source.has(keyPath) };
}

/** The key of an environment (or dedicated tenant) stack's construct path, below the stack. */
function environmentKey(segments: readonly string[], environment: LoadedEnvironment["config"]): Where | undefined {
  const [top, child] = segments;
  switch (top) {
    case undefined:
      return undefined;
    case "keys":
      return at("kms");
    case "dr-backup-key":
      return at("backup", "copy");
    case "network":
      return at("network");
    // The CI runner: its settings are the environment's deployment.runner.
    case "ci-runner":
      return at("deployment", "runner");
    case "alerts":
      return at("alerts");
    case "logging":
      return at("logging");
    case "monitoring":
      return at("observability");
    case "velero":
      return at("backup", "velero");
    case "cluster": {
      const pool = named(child, "node-pool-", Object.keys(environment.cluster.nodePools ?? {}));
      if (pool) return at("cluster", "nodePools", pool);
      if (child?.startsWith("addon-")) return at("cluster", "managedAddons");
      if (child?.startsWith("access-")) return at("cluster", "access");
      return at("cluster");
    }
    case "alarms": {
      const [prefix = ""] = (child ?? "").split("-");
      const kind = ALARM_KINDS[prefix];
      const services = kind ? Object.keys((environment.services as Record<string, Record<string, unknown>>)[kind] ?? {}) : [];
      const service = kind ? named(child, `${prefix}-`, services) : undefined;
      return kind && service ? at("services", kind, service) : at("observability");
    }
    case "backup": {
      const plans = Object.keys(environment.backup.plans);
      const plan = named(child, "plan-", plans) ?? named(child, "selection-", plans) ?? named(child, "restore-testing-", plans);
      if (plan) return at("backup", "plans", plan);
      if (child?.endsWith("vault-lock")) return at("backup", "vaultLock");
      return at("backup");
    }
    case "services": {
      // A PostgreSQL service's monitoring user exists for its exporter (constructs/postgres-monitor-user).
      const monitored = child?.endsWith(MONITOR_USER_SUFFIX) ? named(child.slice(0, -MONITOR_USER_SUFFIX.length), "postgres-", Object.keys(environment.services.postgres)) : undefined;
      if (monitored && child === `postgres-${monitored}${MONITOR_USER_SUFFIX}`) return at("observability", "exporters", "postgres");
      for (const kind of SERVICE_KINDS) {
        const service = named(child, `${kind}-`, Object.keys((environment.services as Record<string, Record<string, unknown>>)[kind] ?? {}));
        if (service) return at("services", kind, service);
      }
      return at("services");
    }
    case "storage": {
      const bucket = named(child, "bucket-", Object.keys(environment.storage.buckets));
      if (bucket) return at("storage", "buckets", bucket);
      if (child?.startsWith("access-logs")) return at("storage", "accessLogs");
      return at("storage");
    }
    case "edge": {
      const domain = named(child, "zone-", Object.keys(environment.edge.domains)) ?? named(child, "certificate-", Object.keys(environment.edge.domains));
      if (domain) return at("edge", "domains", domain);
      const cdn = named(child, "cdn-", Object.keys(environment.edge.cdn));
      if (cdn) return at("edge", "cdn", cdn);
      if (child?.endsWith("web-acl")) return at("edge", "waf");
      return at("edge");
    }
    case "addons":
      return child && camel(child) in environment.addons ? at("addons", camel(child)) : at("addons");
    case "database-bootstrap":
      // The namespace of the Jobs that create each product instance's PostgreSQL user (constructs/database-bootstrap).
      return at("services", "postgres");
    case "search-security": {
      // The OpenSearch security Jobs' namespace and each domain's master identity (constructs/search-security).
      const domains = Object.keys(environment.services.opensearch);
      const domain = named(child, "association-", domains) ?? named(child, "service-account-", domains);
      return domain ? at("services", "opensearch", domain) : at("services", "opensearch");
    }
    case "cache-password-rotation": {
      // The stack's rotation function exists for its password cache users (constructs/cache-password-rotation): the
      // first product binding a cache with a password, else the Redis exporters' users.
      for (const [product, definition] of Object.entries(environment.products).sort(([a], [b]) => a.localeCompare(b))) {
        const service = Object.entries(definition.services).find(([, binding]) => binding.kind === "redis" && binding.authentication === "password")?.[0];
        if (service) return { file: "product", product, path: ["services", service, "authentication"] };
      }
      return at("observability", "exporters", "redis");
    }
    case "ci-plan-access": {
      // The plan role's read-only RBAC (constructs/plan-access): the Secrets binding of a product's namespace comes
      // from the product; the rest is the plan role's cluster access (cluster.access: "its plan role always gets
      // read-only access").
      const product = named(child, "release-secrets-", Object.keys(environment.products));
      if (product && child === `release-secrets-${product}`) return at("products", product);
      const addon = child?.startsWith("release-secrets-") ? camel(child.slice("release-secrets-".length)) : undefined;
      if (addon && addon in environment.addons) return at("addons", addon);
      return at("cluster", "access");
    }
    default:
      break;
  }
  if (top.startsWith("product-")) return productKey(top.slice("product-".length), segments.slice(1), environment);
  // An exporter of a data service (constructs/redis-exporter): observability.exporters.
  if (top.startsWith("redis-exporter-")) return at("observability", "exporters", "redis");
  if (top.startsWith("postgres-exporter-")) return at("observability", "exporters", "postgres");
  if (top.startsWith("certificate-")) return at("products", top.slice("certificate-".length), "domain");
  return undefined;
}

/** A product instance's construct: its workload, secret or config map in the product file, else the instance. */
function productKey(product: string, segments: readonly string[], environment: LoadedEnvironment["config"]): Where {
  // A tenant's instance nests the product's constructs one level deeper (constructs/tenant-product: `product`).
  const [child] = segments[0] === "product" ? segments.slice(1) : segments;
  const definition = environment.products[product];
  const workload = named(child, "workload-", Object.keys(definition?.workloads ?? {}));
  if (workload) return { file: "product", product, path: ["workloads", workload] };
  const secret = named(child, "secret-", Object.keys(definition?.secrets ?? {}));
  if (secret) return { file: "product", product, path: ["secrets", secret] };
  const map = named(child, "config-", Object.keys(definition?.configMaps ?? {}));
  if (map) return { file: "product", product, path: ["configMaps", map] };
  return { file: "environment", path: ["products", product] };
}

/** Detective controls (constructs/detective-controls ids, with an optional `-<region>` suffix) -> `accounts.<name>.controls` keys. */
const CONTROL_IDS: readonly (readonly [string, string])[] = [["trail", "cloudTrail"], ["guardduty", "guardDuty"], ["config-", "config"], ["access-analyzer", "accessAnalyzer"]];

/** The key of an `account-<name>` stack's construct path (project.yaml), below the stack. */
function accountKey(config: PlatformConfig, account: string, segments: readonly string[]): ConfigOrigin {
  const [top, child = ""] = segments;
  const key = (...path: string[]) => origin(config.projectSource, ["accounts", account, ...path]);
  switch (top) {
    case "detective-controls": {
      const control = CONTROL_IDS.find(([prefix]) => child.startsWith(prefix))?.[1];
      return control ? key("controls", control) : key("controls");
    }
    case "config-role":
      return key("controls", "config");
    case "audit-logs":
      return key("auditLogs");
    case "service-linked-roles":
      return key("serviceLinkedRoles");
    case "ci": {
      // The GitHub OIDC provider comes from the repository; each environment's plan and deploy role (`<env>-plan...`,
      // `<env>-deploy...`) from that environment's deployment (its GitHub environment is in the roles' trust).
      const environments = config.environments.map((environment) => environment.config.name);
      const environment = named(child, "", environments);
      const loaded = config.environments.find((candidate) => candidate.config.name === environment);
      if (loaded && /-(plan|deploy)(-|$)/.test(child.slice((environment as string).length))) return origin(loaded.source, ["deployment"]);
      return origin(config.projectSource, ["github"]);
    }
    default:
      return key();
  }
}

/**
 * The key of a `<env>-dns` stack's construct path, below the stack: zones come from `edge.domains.<key>`; a
 * delegation record (`delegation-<child name with dashes>`, and the lookup of a child zone another environment's DNS
 * stack creates) from the child domain's key, in the file of the environment declaring it.
 */
function dnsKey(config: PlatformConfig, environment: LoadedEnvironment, segments: readonly string[]): ConfigOrigin {
  const [top, child = ""] = segments;
  if (top === "zones") {
    for (const prefix of ["zone-", "release-", "adopt-"]) {
      const key = child.startsWith(prefix) ? Object.keys(environment.config.edge.domains).find((candidate) => child === `${prefix}${candidate}`) : undefined;
      if (key) return origin(environment.source, ["edge", "domains", key]);
    }
    const label = /^(delegation|delegated)-(.+)$/.exec(child)?.[2];
    if (label) {
      // This environment's declarations first: a child zone it creates itself.
      for (const loaded of [environment, ...config.environments.filter((candidate) => candidate !== environment)]) {
        const key = Object.entries(loaded.config.edge.domains).find(([, domain]) => domain.name.replace(/\./g, "-") === label)?.[0];
        if (key) return origin(loaded.source, ["edge", "domains", key]);
      }
    }
  }
  return origin(environment.source, ["edge", "domains"]);
}

/**
 * The configuration key behind the construct at `path` (`<stack>/<id>/...`), or undefined (a stack-level problem, or
 * a construct no configuration entry produced).
 */
export function configOrigin(config: PlatformConfig, path: string, owners: ReadonlyMap<string, StackOwner> = stackOwners(config)): ConfigOrigin | undefined {
  const [stack = "", ...segments] = path.split("/");
  const owner = owners.get(stack);
  if (!owner) return undefined;

  if (owner.kind === "bootstrap") {
    const [top] = segments;
    if (top === "state") return origin(config.projectSource, ["bootstrap"]);
    if (top === "ci") return origin(config.projectSource, ["github"]);
    return origin(config.projectSource, []);
  }
  if (owner.kind === "account") return accountKey(config, owner.account as string, segments);
  if (owner.kind === "dns") return dnsKey(config, owner.environment as LoadedEnvironment, segments);
  const environment = owner.environment as LoadedEnvironment;
  const tenant = owner.tenant;
  // A tenant's stacks are built from its environment's settings as the tenant layers them (LoadedTenant.environment).
  const settings = tenant?.environment ?? environment.config;
  const where = environmentKey(segments, settings);
  if (!where) return tenant ? origin(tenant.source, []) : undefined;
  if (where.file === "product" && where.product) {
    // A tenant or environment file that overrides the workload itself is where it changes; else the product file.
    const override = ["products", where.product, ...where.path];
    if (tenant?.source.has(override)) return origin(tenant.source, override);
    if (!tenant && environment.source.has(override)) return origin(environment.source, override);
    const product = config.productSources.get(where.product);
    if (product) return origin(product, where.path);
    return origin(tenant?.source ?? environment.source, ["products", where.product]);
  }
  if (owner.kind === "shared-tenant" && tenant) return origin(tenant.source, where.path[0] === "products" ? where.path : ["products"]);
  if (tenant && tenant.source.has(where.path)) return origin(tenant.source, where.path);
  return origin(environment.source, where.path);
}
