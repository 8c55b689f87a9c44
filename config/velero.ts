/**
 * Velero schedules per cluster (the rules are in constructs/velero/rules.ts): a schedule may name only namespaces its
 * cluster has. An environment's cluster has its products' and its shared tenants' namespaces; a dedicated tenant's
 * cluster only its own products' (`<tenant>-<product>`). A dedicated tenant inherits its environment's schedules
 * computed for its cluster (`dedicatedTenantSchedules`) unless its file sets `backup.velero.schedules`, which are then
 * checked against its cluster and reported at its file's keys.
 */
import type { ConfigIssue } from "./errors";
import type { EnvironmentConfig } from "./schema/environment";
import type { ProductConfig } from "./schema/products";
import type { TenantConfig } from "./schema/tenant";
import type { SourceFile } from "./source";
import { issueAt } from "./validate";
import { clusterNamespaces, inheritedSchedules, unknownScheduleNamespaces, type ProductNamespace } from "../constructs/velero/rules";

/** The namespaces of product instances, from resolved products. */
export function productNamespaces(products: Readonly<Record<string, Pick<ProductConfig, "namespace">>>): ProductNamespace[] {
  return Object.entries(products).map(([product, config]) => ({ product, namespace: config.namespace ?? product }));
}

function optionalAddons(environment: EnvironmentConfig) {
  return { velero: environment.backup.velero.enabled, externalDns: environment.addons.externalDns.enabled, certManager: environment.addons.certManager.enabled, argoRollouts: environment.addons.argoRollouts.enabled };
}

/** Whether a tenant file sets its own Velero schedules (`backup.velero.schedules`). */
export function tenantSetsVeleroSchedules(tenant: TenantConfig): boolean {
  const velero = tenant.backup?.velero;
  return velero !== null && typeof velero === "object" && "schedules" in velero;
}

/**
 * The Velero schedules of a dedicated tenant's cluster: its own when its file sets them, else its environment's mapped
 * to its products' namespaces.
 */
export function dedicatedTenantSchedules(environment: EnvironmentConfig, tenant: TenantConfig, products: Readonly<Record<string, ProductConfig>>): EnvironmentConfig["backup"]["velero"]["schedules"] {
  const { schedules } = environment.backup.velero;
  if (tenantSetsVeleroSchedules(tenant)) return schedules;
  return inheritedSchedules(schedules, productNamespaces(environment.products), productNamespaces(products), optionalAddons(environment));
}

interface ClusterToCheck {
  /** Whose cluster, for messages: `environment prod` or `dedicated tenant initech`. */
  readonly cluster: string;
  readonly environment: EnvironmentConfig;
  readonly products: readonly ProductNamespace[];
  /** The file the schedules are reported at. */
  readonly source: SourceFile;
}

function problemsOf(check: ClusterToCheck): ConfigIssue[] {
  const { velero } = check.environment.backup;
  if (!velero.enabled) return [];
  const namespaces = clusterNamespaces(check.products, optionalAddons(check.environment));
  return unknownScheduleNamespaces(velero.schedules, namespaces).map((unknown) =>
    issueAt(
      check.source,
      ["backup", "velero", "schedules", unknown.schedule, unknown.list, unknown.index],
      `${check.cluster}'s cluster has no namespace "${unknown.namespace}", so schedule "${velero.schedules[unknown.schedule]?.name}" ${unknown.list === "includedNamespaces" ? "would back up nothing there" : "excludes nothing there (a misspelt exclusion backs up what it meant to leave out)"}; its namespaces: ${namespaces.join(", ")} (or "*" for all)`,
      unknown.namespace,
    ),
  );
}

/** Problems of every cluster's schedules: environments (their products and shared tenants) and dedicated tenants with their own schedules. */
export function veleroNamespaceProblems(
  environments: readonly { readonly config: EnvironmentConfig; readonly source: SourceFile }[],
  tenants: readonly { readonly config: TenantConfig; readonly source: SourceFile; readonly products: Readonly<Record<string, ProductConfig>>; readonly environment: EnvironmentConfig }[],
): ConfigIssue[] {
  const problems: ConfigIssue[] = [];
  for (const { config, source } of environments) {
    const shared = tenants.filter((tenant) => tenant.config.isolation === "shared" && tenant.config.environment === config.name).flatMap((tenant) => productNamespaces(tenant.products));
    problems.push(...problemsOf({ cluster: `environment ${config.name}`, environment: config, products: [...productNamespaces(config.products), ...shared], source }));
  }
  for (const tenant of tenants) {
    if (tenant.config.isolation !== "dedicated" || !tenantSetsVeleroSchedules(tenant.config)) continue;
    problems.push(...problemsOf({ cluster: `dedicated tenant ${tenant.config.id}`, environment: tenant.environment, products: productNamespaces(tenant.products), source: tenant.source }));
  }
  return problems;
}
