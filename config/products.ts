/**
 * The product catalog (`products/<name>.yaml`) and its layering under environment instances.
 *
 * Each product file is validated on its own (errors point into the product file). An environment's
 * `products.<name>` is then layered over its product file before the environment is validated, so the product
 * is checked exactly as that environment runs it; errors there point into the environment file. Instances of an
 * unknown product, and overrides of workloads or services the product does not have, are reported here by name
 * rather than as a confusing list of missing keys.
 */
import { join } from "node:path";
import type { ConfigIssue } from "./errors";
import { layer } from "./layering";
import { ProductFileSchema, type ProductFileConfig } from "./schema/products";
import { readYamlFile, uniqueStems, yamlFilesIn, type FileOverlay, type SourceFile } from "./source";
import { issueAt, validateWith } from "./validate";

export interface LoadedProduct {
  readonly config: ProductFileConfig;
  readonly source: SourceFile;
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
    catalog.set(stem, source && config ? { config, source } : undefined);
  }
  return catalog;
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
