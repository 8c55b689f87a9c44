/**
 * The support report of `npm run versions`: every version the configuration uses (and every catalog default, which a
 * configuration gets when it names none) with its support dates from the version catalog (constructs/core/versions.ts)
 * and its status on a given day:
 *
 * - `past`:    after the end of standard support (the run fails);
 * - `near`:    standard support ends within the window (default 180 days);
 * - `ok`:      supported beyond the window;
 * - `unknown`: AWS (or upstream) has announced no end of support.
 */
import type { PlatformConfig } from "../../config/loader";
import type { EnvironmentConfig } from "../../config/schema/environment";
import {
  catalogComponent,
  catalogVersion,
  daysBetween,
  EKS_ADDON_COMPONENTS,
  pastStandardSupport,
  supportWindow,
  VERSION_CATALOG,
  type VersionComponent,
} from "../../constructs/core/versions";

export const DEFAULT_WINDOW_DAYS = 180;
export type SupportStatus = "past" | "near" | "ok" | "unknown";

export interface VersionUse {
  readonly component: VersionComponent;
  readonly version: string;
  /** Where the version is used: `environments/prod.yaml services.postgres.noor-db`, `catalog default`. */
  readonly usedBy: readonly string[];
}

export interface ReportEntry extends VersionUse {
  readonly title: string;
  readonly status: SupportStatus | "unlisted";
  readonly released: string | null;
  readonly endOfStandardSupport: string | null;
  readonly endOfExtendedSupport?: string | null;
  /** Days from the report day to the end of standard support (negative when past). */
  readonly daysLeft?: number;
  /** Where dates come from when not the entry's own (add-on builds and AMIs follow their Kubernetes version). */
  readonly derivedFrom?: string;
  readonly source: string;
  readonly notes?: string;
}

export interface VersionsReport {
  readonly today: string;
  readonly windowDays: number;
  readonly entries: readonly ReportEntry[];
  /** Entries past end of standard support (the run fails when any). */
  readonly past: number;
  readonly near: number;
}

function environmentUses(environment: EnvironmentConfig, where: string): VersionUse[] {
  const uses: VersionUse[] = [];
  const add = (component: VersionComponent, version: string, key: string) => uses.push({ component, version, usedBy: [`${where} ${key}`] });
  const { services, cluster } = environment;
  for (const [name, entry] of Object.entries(services.postgres)) add(entry.engine, entry.engineVersion, `services.postgres.${name}`);
  for (const [name, entry] of Object.entries(services.redis)) add(entry.engine, entry.engineVersion, `services.redis.${name}`);
  for (const [name, entry] of Object.entries(services.documentdb)) add("documentdb", entry.engineVersion, `services.documentdb.${name}`);
  for (const [name, entry] of Object.entries(services.opensearch)) add("opensearch", entry.engineVersion, `services.opensearch.${name}`);
  for (const [name, entry] of Object.entries(services.rabbitmq)) add("rabbitmq", entry.engineVersion, `services.rabbitmq.${name}`);
  add("kubernetes", cluster.kubernetesVersion, "cluster.kubernetesVersion");
  add("eks-node-ami", cluster.nodeImageRelease, "cluster.nodeImageRelease");
  for (const [key, component] of Object.entries(EKS_ADDON_COMPONENTS)) add(component, cluster.managedAddons[key as keyof typeof EKS_ADDON_COMPONENTS], `cluster.managedAddons.${key}`);
  return uses;
}

/** Every version the configuration uses, plus every catalog default, merged by component and version. */
export function versionUses(config: PlatformConfig, options: { readonly all?: boolean } = {}): VersionUse[] {
  const uses: VersionUse[] = [];
  for (const { config: environment } of config.environments) uses.push(...environmentUses(environment, `environments/${environment.name}.yaml`));
  for (const { config: tenant, environment } of config.tenants) {
    if (tenant.isolation === "dedicated") uses.push(...environmentUses(environment, `tenants/${tenant.id}.yaml (dedicated)`));
  }
  for (const component of Object.keys(VERSION_CATALOG) as VersionComponent[]) {
    uses.push({ component, version: catalogComponent(component).default, usedBy: ["catalog default"] });
    if (options.all) for (const entry of catalogComponent(component).versions) uses.push({ component, version: entry.version, usedBy: [] });
  }
  const merged = new Map<string, VersionUse>();
  for (const use of uses) {
    const key = `${use.component}\u0000${use.version}`;
    const known = merged.get(key);
    merged.set(key, known ? { ...known, usedBy: [...new Set([...known.usedBy, ...use.usedBy])] } : use);
  }
  return [...merged.values()];
}

/** The status of one used version on `today`. */
export function reportEntry(use: VersionUse, today: string, windowDays: number): ReportEntry {
  const component = catalogComponent(use.component);
  const entry = catalogVersion(use.component, use.version);
  if (!entry) {
    return { ...use, title: component.title, status: "unlisted", released: null, endOfStandardSupport: null, source: component.source, notes: "not in the version catalog (configuration validation rejects it)" };
  }
  const window = supportWindow(entry);
  const end = window.endOfStandardSupport;
  const daysLeft = end === null ? undefined : daysBetween(today, end);
  const status: SupportStatus = end === null ? "unknown" : pastStandardSupport(window, today) ? "past" : (daysLeft as number) <= windowDays ? "near" : "ok";
  return {
    ...use,
    title: component.title,
    status,
    released: entry.released,
    endOfStandardSupport: end,
    ...(window.endOfExtendedSupport !== undefined ? { endOfExtendedSupport: window.endOfExtendedSupport } : {}),
    ...(daysLeft !== undefined ? { daysLeft } : {}),
    ...(window.derivedFrom ? { derivedFrom: window.derivedFrom } : {}),
    source: entry.source ?? component.source,
    ...(entry.notes ? { notes: entry.notes } : {}),
  };
}

const ORDER: Readonly<Record<ReportEntry["status"], number>> = { unlisted: 0, past: 1, near: 2, ok: 3, unknown: 4 };

export function versionsReport(uses: readonly VersionUse[], today: string, windowDays: number = DEFAULT_WINDOW_DAYS): VersionsReport {
  const entries = uses
    .map((use) => reportEntry(use, today, windowDays))
    .sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.daysLeft ?? Infinity) - (b.daysLeft ?? Infinity) || a.component.localeCompare(b.component) || a.version.localeCompare(b.version));
  // Only versions something uses (configuration or a default) count; --all lists the rest for review.
  const used = entries.filter((entry) => entry.usedBy.length > 0);
  return {
    today,
    windowDays,
    entries,
    past: used.filter((entry) => entry.status === "past" || entry.status === "unlisted").length,
    near: used.filter((entry) => entry.status === "near").length,
  };
}

function statusText(entry: ReportEntry): string {
  switch (entry.status) {
    case "past":
      return `PAST end of standard support (${entry.endOfStandardSupport}, ${-(entry.daysLeft ?? 0)} days ago)${entry.endOfExtendedSupport ? `; extended support until ${entry.endOfExtendedSupport}` : ""}`;
    case "near":
      return `standard support ends ${entry.endOfStandardSupport} (in ${entry.daysLeft} days)`;
    case "ok":
      return `supported until ${entry.endOfStandardSupport}`;
    case "unlisted":
      return "NOT IN THE CATALOG";
    default:
      return "no end of support announced";
  }
}

/** Human-readable report (one block per version, most urgent first). */
export function formatReport(report: VersionsReport): string {
  const lines = [`Version support on ${report.today} (window ${report.windowDays} days; catalog: constructs/core/versions.ts)`, ""];
  for (const entry of report.entries) {
    const used = entry.usedBy.length > 0 ? entry.usedBy.join("; ") : "not used";
    lines.push(`${entry.status.toUpperCase().padEnd(8)} ${entry.title} ${entry.version}: ${statusText(entry)}${entry.derivedFrom ? ` (follows ${entry.derivedFrom})` : ""}`);
    lines.push(`         used by: ${used}`);
    lines.push(`         source:  ${entry.source}`);
  }
  lines.push("");
  lines.push(
    report.past > 0
      ? `${report.past} version(s) in use past end of standard support (or not in the catalog): upgrade them and update the catalog.`
      : `No version in use is past end of standard support; ${report.near} within ${report.windowDays} days.`,
  );
  return `${lines.join("\n")}\n`;
}
