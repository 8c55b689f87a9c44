/**
 * Which namespaces a Velero schedule may name, per cluster (pure: shared with configuration validation).
 *
 * A cluster has the namespaces Kubernetes creates, those of the platform add-ons it runs, and one per product instance
 * it runs: an environment's cluster its own products' namespaces (`products.<name>.namespace`, default the product
 * name) and its shared tenants' (`<tenant>-<product>`); a dedicated tenant's cluster only the tenant's
 * (`<tenant>-<product>`). A schedule naming any other namespace backs up nothing there, silently — a configuration
 * error.
 *
 * A dedicated tenant that does not set its own `backup.velero.schedules` inherits its environment's, computed for its
 * cluster: an environment product's namespace becomes the tenant's namespace of the same product; namespaces of
 * products the tenant does not run are left out (its cluster has no such namespace), and a schedule left with no
 * namespace to include is left out.
 */
import { PLATFORM_NAMESPACES, SYSTEM_NAMESPACES } from "../core/platform-contracts";

/** Velero's "every namespace". */
export const ALL_NAMESPACES = "*";

/** Add-ons that create their own namespace when enabled (the others always do). */
export interface OptionalAddons {
  readonly velero: boolean;
  readonly externalDns: boolean;
  readonly certManager: boolean;
  readonly argoRollouts: boolean;
}

/** A product instance a cluster runs, and its namespace. */
export interface ProductNamespace {
  readonly product: string;
  readonly namespace: string;
}

/** The namespace lists of a schedule (the shape of `backup.velero.schedules[]`). */
export interface ScheduleNamespaces {
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
}

/** Every namespace of a cluster that runs `products` with `addons`, sorted. */
export function clusterNamespaces(products: readonly ProductNamespace[], addons: OptionalAddons): string[] {
  const platform = Object.entries(PLATFORM_NAMESPACES)
    .filter(([key, namespace]) => namespace.always || addons[key as keyof OptionalAddons])
    .map(([, namespace]) => namespace.name);
  return [...new Set([...SYSTEM_NAMESPACES, ...platform, ...products.map((product) => product.namespace)])].sort();
}

/** A namespace a schedule names that the cluster does not have. */
export interface UnknownScheduleNamespace {
  /** Index of the schedule in `backup.velero.schedules`. */
  readonly schedule: number;
  readonly list: "includedNamespaces" | "excludedNamespaces";
  /** Index of the namespace in that list. */
  readonly index: number;
  readonly namespace: string;
}

/** Namespaces the schedules name that are not among `namespaces` (`*` aside). */
export function unknownScheduleNamespaces(schedules: readonly ScheduleNamespaces[], namespaces: readonly string[]): UnknownScheduleNamespace[] {
  const known = new Set(namespaces);
  const out: UnknownScheduleNamespace[] = [];
  schedules.forEach((schedule, scheduleIndex) => {
    for (const list of ["includedNamespaces", "excludedNamespaces"] as const) {
      schedule[list].forEach((namespace, index) => {
        if (namespace !== ALL_NAMESPACES && !known.has(namespace)) out.push({ schedule: scheduleIndex, list, index, namespace });
      });
    }
  });
  return out;
}

/**
 * The environment's schedules as a dedicated tenant's cluster runs them (see the module comment): product namespaces
 * mapped from the environment's instance to the tenant's; namespaces the tenant's cluster does not have (products it
 * does not run, the environment's shared tenants) dropped; schedules with nothing left to include dropped.
 */
export function inheritedSchedules<S extends ScheduleNamespaces>(
  schedules: readonly S[],
  environmentProducts: readonly ProductNamespace[],
  tenantProducts: readonly ProductNamespace[],
  tenantAddons: OptionalAddons,
): S[] {
  const productOf = new Map(environmentProducts.map((entry) => [entry.namespace, entry.product]));
  const tenantNamespaceOf = new Map(tenantProducts.map((entry) => [entry.product, entry.namespace]));
  const present = new Set(clusterNamespaces(tenantProducts, tenantAddons));
  const map = (namespaces: readonly string[]): string[] => [
    ...new Set(
      namespaces.flatMap((namespace) => {
        const product = productOf.get(namespace);
        const mapped = product === undefined ? namespace : tenantNamespaceOf.get(product);
        return mapped !== undefined && (mapped === ALL_NAMESPACES || present.has(mapped)) ? [mapped] : [];
      }),
    ),
  ];
  return schedules.flatMap((schedule) => {
    const includedNamespaces = map(schedule.includedNamespaces);
    if (includedNamespaces.length === 0) return [];
    return [{ ...schedule, includedNamespaces, excludedNamespaces: map(schedule.excludedNamespaces) }];
  });
}
