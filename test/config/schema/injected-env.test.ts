/**
 * The README's table of injected variables is generated from config/schema/injected-env.ts (its staleness is checked
 * with the other generated files); here: every variable a bundled workload receives is either declared there or
 * written by the product itself (`env`, `grants[].env`), so the table cannot miss one.
 */
import { describe, expect, it } from "vitest";
import { SERVICE_VARIABLES, WORKLOAD_VARIABLES, renderInjectedVariables } from "../../../config/schema/injected-env";
import { serviceEnvPrefix } from "../../../config/schema/products";
import { DATABASE_BOOTSTRAP_NAMESPACE } from "../../../constructs/database-user";
import { SEARCH_SECURITY_NAMESPACE } from "../../../constructs/opensearch";
import { bundledConfig, bundledSynth } from "../../support/synth";

/** Namespaces of the platform's own Jobs (database users, OpenSearch roles): not product workloads. */
const PLATFORM_JOB_NAMESPACES = new Set([DATABASE_BOOTSTRAP_NAMESPACE, SEARCH_SECURITY_NAMESPACE]);

type Container = { env?: { name: string }[] };

function containerEnvNames(): Set<string> {
  const names = new Set<string>();
  for (const text of bundledSynth().values()) {
    const json = JSON.parse(text) as { resource?: Record<string, Record<string, unknown>> };
    for (const type of ["kubernetes_deployment_v1", "kubernetes_cron_job_v1", "kubernetes_job_v1"]) {
      for (const body of Object.values(json.resource?.[type] ?? {})) {
        const metadata = (body as { metadata?: { namespace?: string } | { namespace?: string }[] }).metadata;
        const namespace = Array.isArray(metadata) ? metadata[0]?.namespace : metadata?.namespace;
        if (namespace !== undefined && PLATFORM_JOB_NAMESPACES.has(namespace)) continue;
        const walk = (value: unknown): void => {
          if (Array.isArray(value)) value.forEach(walk);
          else if (value && typeof value === "object") {
            for (const [key, child] of Object.entries(value)) {
              if (key === "container" && Array.isArray(child)) for (const container of child as Container[]) for (const variable of container.env ?? []) names.add(variable.name);
              else walk(child);
            }
          }
        };
        walk(body);
      }
    }
  }
  return names;
}

describe("injected variables", () => {
  it("declares every variable a bundled product workload receives that the product does not name itself", () => {
    const config = bundledConfig();
    const declared = new Set<string>(Object.values(WORKLOAD_VARIABLES).map((variable) => variable.name));
    const own = new Set<string>();
    const prefixes = new Set<string>();
    for (const product of config.products.values()) {
      for (const [name, binding] of Object.entries(product.services)) prefixes.add(serviceEnvPrefix(name, binding));
      for (const workload of Object.values(product.workloads)) {
        for (const variable of Object.keys(workload.env)) own.add(variable);
        for (const grant of workload.grants) if (grant.env) own.add(grant.env);
      }
    }
    for (const prefix of prefixes) for (const variable of Object.values(SERVICE_VARIABLES)) declared.add(variable.name.replace("<P>", prefix));
    const undeclared = [...containerEnvNames()].filter((name) => !declared.has(name) && !own.has(name)).sort();
    expect(undeclared).toEqual([]);
    expect(containerEnvNames().has("DATABASE_URL")).toBe(true);
  });

  it("renders a table row for each declared variable", () => {
    const section = renderInjectedVariables();
    for (const variable of [...Object.values(WORKLOAD_VARIABLES), ...Object.values(SERVICE_VARIABLES)]) expect(section).toContain(`| \`${variable.name}\` |`);
  });
});
