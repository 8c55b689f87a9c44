import { describe, expect, it } from "vitest";
import type { StackEntry } from "../../../../constructs/policy/apply-order/graph";
import { formatNamespaceProblem, namespaceOrderProblems, PREEXISTING_NAMESPACES } from "../../../../constructs/policy/apply-order/namespaces";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { bundledStackEntries } from "../../../support/synth";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function stack(name: string, resource: Resources, dependsOn: string[] = []): StackEntry {
  return { name, dependsOn, json: { resource } as SynthesizedStack };
}

const namespace = (name: string) => ({ metadata: { name } });
const serviceAccount = (namespaceValue: string, dependsOn?: string[]) => ({ metadata: { name: "app", namespace: namespaceValue }, ...(dependsOn ? { depends_on: dependsOn } : {}) });

describe("namespace apply order over every bundled stack", () => {
  const stacks = bundledStackEntries();

  it("finds every namespaced object depending on the namespace its stack creates, or in one that exists before", () => {
    expect(namespaceOrderProblems(stacks).map(formatNamespaceProblem)).toEqual([]);
  });

  it("covers the stacks that run inside clusters (platform, dedicated tenant platform, shared tenant)", () => {
    const names = stacks.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(["prod-platform", "tenant-initech-platform", "prod-tenant-globex"]));
    const kubernetes = stacks.flatMap((entry) => Object.keys(entry.json.resource ?? {}).filter((type) => type.startsWith("kubernetes_") || type === "helm_release"));
    expect(kubernetes).toEqual(expect.arrayContaining(["kubernetes_service_account_v1", "kubernetes_network_policy_v1", "kubernetes_pod_disruption_budget_v1", "helm_release"]));
  });

  it("fails on the output before the fix: workload objects sent with a literal namespace and no dependency", () => {
    // What the Workload construct emitted before: service accounts, services, PDBs and policies without depends_on.
    const old = stacks.map((entry) => {
      const json = structuredClone(entry.json) as SynthesizedStack & { resource?: Resources };
      for (const type of ["kubernetes_service_account_v1", "kubernetes_service_v1", "kubernetes_pod_disruption_budget_v1", "kubernetes_network_policy_v1"]) {
        for (const body of Object.values(json.resource?.[type] ?? {})) {
          const kept = ((body.depends_on as string[] | undefined) ?? []).filter((address) => !address.startsWith("kubernetes_namespace_v1."));
          if (kept.length > 0) body.depends_on = kept;
          else delete body.depends_on;
        }
      }
      return { ...entry, json };
    });
    const problems = namespaceOrderProblems(old);
    const stacksWithProblems = new Set(problems.map((problem) => problem.stack));
    expect([...stacksWithProblems].sort()).toEqual(["dev-platform", "prod-platform", "prod-tenant-globex", "staging-platform", "tenant-initech-platform"]);
    expect(problems.find((problem) => problem.address.startsWith("kubernetes_service_account_v1.product-noor_product_workload-backend"))?.message).toMatch(
      /is in namespace "globex-noor", which kubernetes_namespace_v1\.product-noor_product_namespace_\w+ creates in the same apply, but does not depend on it/,
    );
  });
});

describe("namespaceOrderProblems on fixtures", () => {
  it("accepts a reference to the namespace's name, depends_on, and a transitive dependency", () => {
    const problems = namespaceOrderProblems([
      stack("app", {
        kubernetes_namespace_v1: { ns: namespace("shop") },
        kubernetes_service_account_v1: {
          byReference: serviceAccount("${kubernetes_namespace_v1.ns.metadata[0].name}"),
          byDependsOn: serviceAccount("shop", ["kubernetes_namespace_v1.ns"]),
        },
        kubernetes_config_map_v1: { transitive: { metadata: { name: "c", namespace: "shop" }, depends_on: ["kubernetes_service_account_v1.byDependsOn"] } },
        helm_release: { chart: { name: "x", chart: "x", namespace: "shop", depends_on: ["kubernetes_namespace_v1.ns"] } },
      }),
    ]);
    expect(problems).toEqual([]);
  });

  it("reports an object created in parallel with its namespace (the deliberately broken fixture)", () => {
    const problems = namespaceOrderProblems([
      stack("app", {
        kubernetes_namespace_v1: { ns: namespace("shop") },
        kubernetes_service_account_v1: { parallel: serviceAccount("shop") },
        helm_release: { chart: { name: "x", chart: "x", namespace: "shop" } },
      }),
    ]);
    expect(problems.map((problem) => [problem.address, problem.namespace]).sort()).toEqual([
      ["helm_release.chart", "shop"],
      ["kubernetes_service_account_v1.parallel", "shop"],
    ]);
    expect(problems[0]?.message).toMatch(/fails with 'namespaces "shop" not found'/);
  });

  it("treats a Helm release with create_namespace as the namespace's creator", () => {
    const resources = (dependsOn?: string[]) => ({
      helm_release: { operator: { name: "op", chart: "op", namespace: "operators", create_namespace: true } },
      kubernetes_service_account_v1: { sa: serviceAccount("operators", dependsOn) },
    });
    expect(namespaceOrderProblems([stack("app", resources(["helm_release.operator"]))])).toEqual([]);
    expect(namespaceOrderProblems([stack("app", resources())]).map((problem) => problem.address)).toEqual(["kubernetes_service_account_v1.sa"]);
  });

  it("accepts the namespaces every cluster has, and those created by a stack deployed before", () => {
    expect(Object.keys(PREEXISTING_NAMESPACES)).toEqual(expect.arrayContaining(["kube-system", "default"]));
    const platform = stack("platform", { kubernetes_namespace_v1: { ns: namespace("noor") } });
    const tenant = stack("tenant", { kubernetes_job_v1: { job: serviceAccount("noor") }, kubernetes_service_account_v1: { system: serviceAccount("kube-system") } }, ["platform"]);
    expect(namespaceOrderProblems([platform, tenant])).toEqual([]);
  });

  it("reports a namespace nothing before the stack creates, naming the stacks it looked at", () => {
    const platform = stack("platform", { kubernetes_namespace_v1: { ns: namespace("noor") } });
    const unrelated = stack("unrelated", { kubernetes_namespace_v1: { ns: namespace("murima") } });
    const tenant = stack("tenant", { kubernetes_service_account_v1: { sa: serviceAccount("murima") } }, ["platform"]);
    const [problem, ...rest] = namespaceOrderProblems([platform, unrelated, tenant]);
    expect(rest).toEqual([]);
    expect(problem?.message).toMatch(/namespace "murima", which neither this stack nor a stack deployed before it \(platform\) creates/);
  });

  it("reports a namespace expression it cannot resolve, and a namespace created twice", () => {
    const problems = namespaceOrderProblems([
      stack("app", {
        kubernetes_namespace_v1: { a: namespace("shop"), b: namespace("shop") },
        kubernetes_service_account_v1: { sa: serviceAccount("${var.namespace}") },
      }),
    ]);
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/namespace "shop" is created twice in the stack \(also by kubernetes_namespace_v1\.a\)/),
      expect.stringMatching(/is an expression that names no namespace of the stack/),
    ]);
  });

  it("ignores cluster-scoped objects", () => {
    expect(namespaceOrderProblems([stack("app", { kubernetes_storage_class_v1: { gp3: { metadata: { name: "gp3" } } }, kubernetes_cluster_role_v1: { r: { metadata: { name: "r" } } } })])).toEqual([]);
  });
});
