/**
 * Grafana dashboards kept as JSON files in the repository (`dashboards/*.json`), provisioned by the Grafana chart
 * from its `dashboards` value (a file provider in a "Platform" folder, read-only in the UI: changes go through
 * review like any other code).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** The repository's dashboards directory. */
export const DASHBOARDS_DIR = join(__dirname, "..", "..", "dashboards");

/** Data source uids the dashboards may use (provisioned by constructs/monitoring). */
export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki", cloudwatch: "cloudwatch" } as const;

export interface Dashboard {
  /** File name without `.json`; the key under the Grafana provider. */
  readonly name: string;
  readonly uid: string;
  readonly title: string;
  /** Data source uids the dashboard's panels and variables reference. */
  readonly datasources: readonly string[];
  /** The JSON text, as Grafana provisions it. */
  readonly json: string;
}

export class DashboardError extends Error {}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Data source uids referenced anywhere in a dashboard (`"datasource": {"uid": ...}`). */
function datasourceUids(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => datasourceUids(item, out));
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "datasource" && value !== null && typeof value === "object" && typeof (value as { uid?: unknown }).uid === "string") {
        out.add((value as { uid: string }).uid);
      }
      datasourceUids(value, out);
    }
  }
  return out;
}

/** Parses and checks one dashboard file. */
export function parseDashboard(path: string, text: string): Dashboard {
  const name = basename(path, ".json");
  if (!NAME.test(name)) throw new DashboardError(`${path}: file names are lowercase words joined by '-' (the provisioning key)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DashboardError(`${path}: not JSON: ${(error as Error).message}`);
  }
  const dashboard = parsed as { uid?: unknown; title?: unknown; panels?: unknown; id?: unknown };
  if (typeof dashboard.uid !== "string" || dashboard.uid.length === 0 || dashboard.uid.length > 40) {
    throw new DashboardError(`${path}: needs a "uid" of 1 to 40 characters (links and provisioning depend on it)`);
  }
  if (typeof dashboard.title !== "string" || dashboard.title.length === 0) throw new DashboardError(`${path}: needs a "title"`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) throw new DashboardError(`${path}: needs at least one panel`);
  if (dashboard.id !== undefined && dashboard.id !== null) throw new DashboardError(`${path}: remove "id" (Grafana assigns it; a fixed id collides)`);
  // Terraform reads `${` and `%{` in any string as interpolation; the dashboards travel in a Helm values string.
  if (/[$%]\{/.test(text)) throw new DashboardError(`${path}: contains "\${" or "%{", which Terraform would interpolate; use $var or [[var]] syntax`);
  const datasources = [...datasourceUids(parsed, new Set())].sort();
  const known = Object.values(DATASOURCE_UIDS) as string[];
  const unknown = datasources.filter((uid) => !known.includes(uid));
  if (unknown.length > 0) throw new DashboardError(`${path}: unknown data source uid(s) ${unknown.join(", ")}; provisioned: ${known.join(", ")}`);
  // Compact JSON: the same dashboard in fewer bytes of Helm release values.
  return { name, uid: dashboard.uid, title: dashboard.title, datasources, json: JSON.stringify(parsed) };
}

/** Every dashboard in `directory`, sorted by name; uids and titles must be unique. */
export function loadDashboards(directory: string = DASHBOARDS_DIR): Dashboard[] {
  const files = readdirSync(directory).filter((file) => file.endsWith(".json")).sort();
  const dashboards = files.map((file) => parseDashboard(join(directory, file), readFileSync(join(directory, file), "utf8")));
  for (const key of ["uid", "title"] as const) {
    const values = dashboards.map((dashboard) => dashboard[key]);
    const dupes = values.filter((value, index) => values.indexOf(value) !== index);
    if (dupes.length > 0) throw new DashboardError(`${directory}: duplicate dashboard ${key}(s): ${[...new Set(dupes)].join(", ")}`);
  }
  return dashboards;
}

/** Dashboards of one product, provisioned in a Grafana folder of their own. */
export interface ProductDashboards {
  /** Product name: the folder and the provider (`product-<name>`). */
  readonly product: string;
  readonly dashboards: readonly Dashboard[];
}

/** Reads and checks dashboard files by path (a product's `monitoring.dashboards`, resolved by the loader). */
export function loadDashboardFiles(paths: readonly string[]): Dashboard[] {
  return paths.map((path) => parseDashboard(path, readFileSync(path, "utf8")));
}

/** Problems of dashboards provisioned together: a uid or title used twice (Grafana would keep one of them). */
export function dashboardCollisions(groups: readonly { readonly owner: string; readonly dashboards: readonly Dashboard[] }[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const group of groups) {
    for (const dashboard of group.dashboards) {
      for (const key of [`uid "${dashboard.uid}"`, `title "${dashboard.title}"`]) {
        const other = seen.get(key);
        if (other) problems.push(`dashboard ${key} of ${group.owner} (${dashboard.name}) is also ${other}'s`);
        else seen.set(key, `${group.owner} (${dashboard.name})`);
      }
    }
  }
  return problems;
}
