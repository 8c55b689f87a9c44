/**
 * The product catalog (`products/<name>.yaml`) and its layering under environment instances.
 *
 * Each product file is validated on its own (errors point into the product file). An environment's
 * `products.<name>` is then layered over its product file before the environment is validated, so the product
 * is checked exactly as that environment runs it; errors there point into the environment file. Instances of an
 * unknown product, and overrides of workloads or services the product does not have, are reported here by name
 * rather than as a confusing list of missing keys.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DashboardError, DATASOURCE_UIDS, loadDashboards, parseDashboard, type Dashboard } from "../constructs/monitoring/dashboards";
import type { ConfigIssue } from "./errors";
import { layer } from "./layering";
import { ProductFileSchema, type ProductFileConfig } from "./schema/products";
import { readYamlFile, uniqueStems, yamlFilesIn, type FileOverlay, type SourceFile } from "./source";
import { issueAt, validateWith } from "./validate";

export interface LoadedProduct {
  /** The validated product; `monitoring.dashboards` hold absolute paths (resolved against the product file). */
  readonly config: ProductFileConfig;
  readonly source: SourceFile;
  /** The product's dashboards, parsed and checked, with their path as the file writes it (`monitoring.dashboards`). */
  readonly dashboards: readonly { readonly file: string; readonly dashboard: Dashboard }[];
}

/** Products by name; `undefined` marks a product whose file is invalid (its problems are already reported). */
export type ProductCatalog = ReadonlyMap<string, LoadedProduct | undefined>;

/** Loads and validates `<directory>/products/*.yaml`. The directory is optional. */
export function loadProducts(directory: string, issues: ConfigIssue[], overlay?: FileOverlay): ProductCatalog {
  const catalog = new Map<string, LoadedProduct | undefined>();
  const files = yamlFilesIn(join(directory, "products"), issues, overlay);
  const unique = uniqueStems(files, "product", issues);
  // A product defined twice (x.yaml beside x.yml) is invalid: environments running it report nothing more.
  for (const { stem } of files) if (!unique.some((file) => file.stem === stem)) catalog.set(stem, undefined);
  for (const { path, stem } of unique) {
    const source = readYamlFile(path, issues, overlay);
    const config = source ? validateWith(ProductFileSchema, source.data, source, issues) : undefined;
    if (source && config && config.name !== stem) {
      issues.push(issueAt(source, ["name"], `must equal the file name "${stem}" (one file per product, named after it)`, config.name));
      catalog.set(stem, undefined);
      continue;
    }
    const dashboards = source && config ? loadProductDashboards(directory, path, config, source, issues) : undefined;
    if (!source || !config || !dashboards) {
      catalog.set(stem, undefined);
      continue;
    }
    const monitoring = { ...config.monitoring, dashboards: dashboards.map((dashboard) => dashboard.path) };
    catalog.set(stem, { config: { ...config, monitoring }, source, dashboards: dashboards.map(({ file, dashboard }) => ({ file, dashboard })) });
  }
  return catalog;
}

/**
 * The dashboards a product file lists (`monitoring.dashboards`), resolved against the file's directory: each must be a
 * file inside the configuration directory (so the directory is self-contained wherever it is checked out), parse as a
 * Grafana dashboard (constructs/monitoring/dashboards.ts) and have a file name, uid and title of its own in the
 * product. Problems are reported at the list entry; undefined when there is one.
 */
function loadProductDashboards(
  directory: string,
  productPath: string,
  config: ProductFileConfig,
  source: SourceFile,
  issues: ConfigIssue[],
): { file: string; path: string; dashboard: Dashboard }[] | undefined {
  const root = resolve(directory);
  const out: { file: string; path: string; dashboard: Dashboard }[] = [];
  const problems: ConfigIssue[] = [];
  config.monitoring.dashboards.forEach((entry, index) => {
    const at = ["monitoring", "dashboards", index];
    if (isAbsolute(entry) || entry.includes("\\")) {
      problems.push(issueAt(source, at, "write the path relative to the product file, with '/' separators (e.g. noor/dashboards/overview.json)", entry));
      return;
    }
    const path = resolve(dirname(productPath), entry);
    if (path !== root && !path.startsWith(`${root}${sep}`)) {
      problems.push(issueAt(source, at, `resolves to ${path}, outside the configuration directory ${root}; keep dashboards inside it`, entry));
      return;
    }
    if (!existsSync(path) || !statSync(path).isFile()) {
      problems.push(issueAt(source, at, `no dashboard file at ${relative(process.cwd(), path) || path} (paths are relative to ${relative(process.cwd(), dirname(productPath)) || "."})`, entry));
      return;
    }
    try {
      const dashboard = parseDashboard(entry, readFileSync(path, "utf8"));
      const same = out.find((other) => other.dashboard.name === dashboard.name || other.dashboard.uid === dashboard.uid || other.dashboard.title === dashboard.title);
      if (same) {
        const what = same.dashboard.name === dashboard.name ? `file name ${dashboard.name}.json` : same.dashboard.uid === dashboard.uid ? `uid "${dashboard.uid}"` : `title "${dashboard.title}"`;
        problems.push(issueAt(source, at, `has the same ${what} as ${relative(dirname(productPath), same.path)}; each dashboard of a product needs its own file name, uid and title`, entry));
        return;
      }
      out.push({ file: entry, path, dashboard });
    } catch (error) {
      if (!(error instanceof DashboardError)) throw error;
      problems.push(issueAt(source, at, error.message.replace(`${entry}: `, ""), entry));
    }
  });
  issues.push(...problems);
  return problems.length > 0 ? undefined : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Returns the (already profile-layered) environment data with each `products.<name>` replaced by the product file
 * layered under it. Unknown products and unknown workload/service overrides are reported and dropped.
 */
export function layerProductInstances(environment: unknown, catalog: ProductCatalog, source: SourceFile, issues: ConfigIssue[]): unknown {
  if (!isRecord(environment) || !isRecord(environment.products)) return environment;
  const products: Record<string, unknown> = {};
  for (const [name, instance] of Object.entries(environment.products)) {
    if (!catalog.has(name)) {
      const known = [...catalog.keys()].sort().join(", ") || "none";
      issues.push(issueAt(source, ["products", name], `unknown product "${name}"; products are defined in products/<name>.yaml (defined: ${known})`, instance));
      continue;
    }
    const product = catalog.get(name);
    if (!product) continue; // the product file is invalid and reported
    if (!isRecord(instance)) {
      products[name] = instance; // the schema reports the wrong type
      continue;
    }
    const { name: _name, ...definition } = product.config;
    const overrides = { ...instance };
    // Dashboard files are listed by the product file, relative to it; an environment cannot move them.
    if (isRecord(overrides.monitoring) && "dashboards" in overrides.monitoring) {
      const { dashboards, ...monitoring } = overrides.monitoring;
      issues.push(issueAt(source, ["products", name, "monitoring", "dashboards"], `dashboards are listed in products/${name}.yaml, relative to it; remove them here`, dashboards));
      overrides.monitoring = monitoring;
    }
    for (const section of ["workloads", "services"] as const) {
      const entries = overrides[section];
      if (!isRecord(entries)) continue;
      const known = Object.keys(definition[section]);
      const kept: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(entries)) {
        if (known.includes(key)) kept[key] = value;
        else {
          issues.push(
            issueAt(source, ["products", name, section, key], `product ${name} has no ${section === "workloads" ? "workload" : "service"} "${key}" (${section}: ${known.join(", ") || "none"})`, value),
          );
        }
      }
      overrides[section] = kept;
    }
    products[name] = layer(definition, overrides);
  }
  return { ...environment, products };
}

/**
 * Issues of an environment's validation that concern a product key the environment file does not write (an image,
 * a probe, a resource request written in `products/<name>.yaml`) are reported at that key of the product file, where
 * the operator changes it; the message names the environment whose rules it breaks. Issues at keys the environment
 * file writes (its overrides) stay there.
 */
export function attributeToProductFiles(issues: readonly ConfigIssue[], environment: SourceFile, catalog: ProductCatalog, environmentName: string): ConfigIssue[] {
  return issues.map((issue) => {
    const [section, name, ...rest] = issue.path;
    if (section !== "products" || typeof name !== "string" || rest.length === 0 || environment.has(issue.path)) return issue;
    const product = catalog.get(name);
    if (!product || !product.source.has(rest)) return issue;
    const moved = issueAt(product.source, rest, `${issue.message} (in environment ${environmentName}, which runs product ${name} from ${environment.file})`, issue.value, "value" in issue);
    return moved;
  });
}

/** What the dashboard check needs of an environment. */
interface DashboardEnvironment {
  readonly name: string;
  readonly products: Readonly<Record<string, unknown>>;
  readonly observability: { readonly logs: { readonly backend: string } };
}

/**
 * The dashboards an environment provisions in one Grafana: the platform's (dashboards/) and those of every product it
 * runs. Uids and titles must be unique among them (Grafana keeps one of two dashboards with one uid), and a dashboard
 * that reads logs from Loki needs the Loki backend. Problems are reported in the product file, naming the environment.
 */
export function environmentDashboardIssues(environment: DashboardEnvironment, catalog: ProductCatalog, platform: readonly Dashboard[] = loadDashboards()): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const owners = new Map<string, string>();
  for (const dashboard of platform) {
    owners.set(`uid ${dashboard.uid}`, `the platform's dashboards/${dashboard.name}.json`);
    owners.set(`title ${dashboard.title}`, `the platform's dashboards/${dashboard.name}.json`);
  }
  for (const name of Object.keys(environment.products).sort()) {
    const product = catalog.get(name);
    if (!product) continue;
    product.dashboards.forEach(({ file: entry, dashboard }, index) => {
      const at = ["monitoring", "dashboards", index];
      for (const key of [`uid ${dashboard.uid}`, `title ${dashboard.title}`]) {
        const owner = owners.get(key);
        if (owner) {
          issues.push(issueAt(product.source, at, `dashboard ${key.replace(" ", " \"")}" is also ${owner}'s, and environment ${environment.name} provisions both in one Grafana; give it another`, entry));
        } else {
          owners.set(key, `products/${name}.yaml's ${dashboard.name}.json`);
        }
      }
      if (dashboard.datasources.includes(DATASOURCE_UIDS.loki) && environment.observability.logs.backend !== "loki") {
        issues.push(
          issueAt(product.source, at, `reads the loki data source, but environment ${environment.name} stores logs in ${environment.observability.logs.backend} (observability.logs.backend); Grafana would show no data`, entry),
        );
      }
    });
  }
  return issues;
}
