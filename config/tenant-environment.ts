/**
 * The environment settings a dedicated tenant's infra and platform stacks are built from (computed by the loader,
 * LoadedTenant.environment): its environment with the tenant's own VPC CIDR, running the tenant's products and only
 * what they use, with the tenant's own service sizes and backup policy where its file sets them.
 */
import type { EnvironmentConfig } from "./schema/environment";
import { servicesConfigKey } from "./schema/products";
import { SERVICE_KINDS_CONFIG } from "./schema/services";
import type { TenantConfig } from "./schema/tenant";
import { dedicatedTenantSchedules } from "./velero";

/** The entries of a record whose names pass `keep`. */
function only<T>(entries: Readonly<Record<string, T>>, keep: (name: string) => boolean): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).filter(([name]) => keep(name)));
}

/**
 * The data services a dedicated tenant's stacks hold, as `<kind>/<name>` (`postgres/smartedu-db`): those its products
 * bind, plus the log backend's OpenSearch domain (the tenant's cluster ships its logs there as the environment's does).
 */
export function dedicatedTenantServices(environment: EnvironmentConfig, products: EnvironmentConfig["products"]): Set<string> {
  const bound = new Set<string>();
  const { logs } = environment.observability;
  if (logs.backend === "opensearch" && logs.opensearchService) bound.add(`opensearch/${logs.opensearchService}`);
  for (const product of Object.values(products)) {
    for (const [logical, binding] of Object.entries(product.services)) bound.add(`${servicesConfigKey(binding.kind)}/${binding.name ?? logical}`);
  }
  return bound;
}

/**
 * `environment` (already carrying the tenant's service sizes and backup policy) reduced to a dedicated tenant: its
 * own VPC CIDR and its products (`products`, resolved by the loader). Data services and buckets no product of the
 * tenant binds or is granted are left out (a tenant running one product pays for that product's databases, not the
 * whole environment's), and so are CloudFront distributions: the environment's edge serves the environment's domains.
 * Velero schedules name the tenant's cluster's namespaces (config/velero.ts).
 */
export function dedicatedTenantEnvironment(environment: EnvironmentConfig, tenant: TenantConfig, products: EnvironmentConfig["products"]): EnvironmentConfig {
  if (tenant.isolation !== "dedicated" || !tenant.network) {
    throw new Error(`tenant ${tenant.id} is not a dedicated tenant with a network`);
  }
  const bound = dedicatedTenantServices(environment, products);
  const granted = new Set<string>();
  for (const product of Object.values(products)) {
    for (const workload of Object.values(product.workloads)) {
      for (const grant of workload.grants) if (grant.bucket !== undefined) granted.add(grant.bucket);
    }
  }
  const { services, storage } = environment;
  return {
    ...environment,
    network: { ...environment.network, cidr: tenant.network.cidr },
    products,
    services: {
      ...services,
      ...Object.fromEntries(SERVICE_KINDS_CONFIG.map((kind) => [kind, only<unknown>(services[kind], (name) => bound.has(`${kind}/${name}`))])),
    } as EnvironmentConfig["services"],
    storage: { ...storage, buckets: only(storage.buckets, (name) => granted.has(name)) },
    edge: { ...environment.edge, cdn: {} },
    // Velero backs up the tenant's cluster: the environment's schedules mapped to its namespaces, or its own.
    backup: { ...environment.backup, velero: { ...environment.backup.velero, schedules: dedicatedTenantSchedules(environment, tenant, products) } },
  };
}
