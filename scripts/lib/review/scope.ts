/**
 * Which stacks a change can affect, from the changed files alone, so the review synthesizes and compares only
 * those (the cost scales with the change, not with the number of tenants):
 * - files that never reach synthesis (docs, tests, workflows, scripts, markdown) affect nothing;
 * - a tenant file (`<config>/tenants/<id>.yaml`) affects only that tenant's stacks: every other stack is built
 *   from the project, environment and product files (stacks/app.ts passes a tenant's file only to its own stacks);
 * - anything else (code, environment, product or project files) may affect every stack.
 */
import { parse } from "yaml";
import { dedicatedTenantStackNames, sharedTenantStackName } from "../../../constructs/core/stack-names";

export type Scope =
  | { readonly kind: "all"; readonly reason: string }
  /** `ids`: the changed tenants; `files`: their changed files (repository-relative), in the order given. */
  | { readonly kind: "tenants"; readonly ids: readonly string[]; readonly files: readonly string[] };

const NO_SYNTH_EFFECT = [/^docs\//, /^test\//, /^\.github\//, /^scripts\//, /^reference\//, /^state-addresses\//, /^\.ci\//, /\.md$/, /^\.gitignore$/, /^\.oxlintrc\.json$/, /^vitest\.config\.mts$/];

/** `configDir` is the configuration folder relative to the repository root (`config`); undefined when outside it. */
export function reviewScope(changedFiles: readonly string[], configDir: string | undefined): Scope {
  const tenants = new Set<string>();
  const files: string[] = [];
  const tenantPattern = configDir === undefined ? undefined : new RegExp(`^${configDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/tenants/([^/]+)\\.ya?ml$`);
  for (const file of changedFiles) {
    if (NO_SYNTH_EFFECT.some((pattern) => pattern.test(file))) continue;
    const tenant = tenantPattern?.exec(file);
    if (tenant) {
      tenants.add(tenant[1] as string);
      files.push(file);
      continue;
    }
    return { kind: "all", reason: `${file} changed` };
  }
  return { kind: "tenants", ids: [...tenants].sort(), files };
}

/** The stacks of a tenant file's text (undefined when it cannot be read: then review everything). */
export function tenantStacks(text: string | undefined): string[] | undefined {
  if (text === undefined) return [];
  try {
    const tenant = parse(text) as { id?: unknown; environment?: unknown; isolation?: unknown } | null;
    if (!tenant || typeof tenant.id !== "string" || typeof tenant.environment !== "string") return undefined;
    return tenant.isolation === "dedicated" ? Object.values(dedicatedTenantStackNames(tenant.id)) : [sharedTenantStackName(tenant.environment, tenant.id)];
  } catch {
    return undefined;
  }
}
