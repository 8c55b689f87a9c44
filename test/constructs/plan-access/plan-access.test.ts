import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { describe, expect, it } from "vitest";
import { PLAN_READ_ROLE, PLAN_RELEASE_SECRETS_ROLE, PlanAccess, planReadRules, READ_VERBS, resourceOfKind, secretNamespacesOf } from "../../../constructs/plan-access";
import { resourceList, synthConstruct } from "../../support/synth";

type Rule = { api_groups: string[]; resources: string[]; verbs: string[] };

describe("PlanAccess (defaults: namespace bindings only)", () => {
  const { json } = synthConstruct((scope) => {
    const namespace = new NamespaceV1(scope, "ns", { metadata: { name: "shop" } });
    return new PlanAccess(scope, "plan", { secretNamespaces: [{ name: "shop", namespace }, { name: "kube-system" }] });
  });

  it("creates no cluster-wide object (that is the platform stack's), and binds the Secrets role in each namespace for the plan group", () => {
    expect(resourceList(json, "kubernetes_cluster_role_v1")).toEqual([]);
    expect(resourceList(json, "kubernetes_cluster_role_binding_v1")).toEqual([]);
    const bindings = resourceList(json, "kubernetes_role_binding_v1");
    expect(bindings.map((binding) => (binding.metadata as { namespace: string }).namespace)).toEqual(["kube-system", expect.stringMatching(/^\$\{kubernetes_namespace_v1\.ns\.metadata\[0\]\.name\}$/)]);
    for (const binding of bindings) {
      expect(binding.role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: PLAN_RELEASE_SECRETS_ROLE });
      expect(binding.subject).toEqual([{ kind: "Group", name: "platform:ci-plan", api_group: "rbac.authorization.k8s.io" }]);
    }
    expect(bindings[1]?.depends_on).toEqual(["kubernetes_namespace_v1.ns"]);
  });
});

describe("PlanAccess (cluster-wide)", () => {
  const { json } = synthConstruct((scope) => new PlanAccess(scope, "plan", { clusterWide: true, secretNamespaces: [] }));
  const roles = resourceList(json, "kubernetes_cluster_role_v1");

  it("reads every kind of object the code base manages except Secrets, cluster-wide, with read verbs only", () => {
    const read = roles.find((role) => (role.metadata as { name: string }).name === PLAN_READ_ROLE);
    const rules = read?.rule as Rule[];
    expect(rules.every((rule) => rule.verbs.every((verb) => (READ_VERBS as readonly string[]).includes(verb)))).toBe(true);
    expect(rules.flatMap((rule) => rule.resources)).not.toContain("secrets");
    expect(rules.find((rule) => rule.api_groups[0] === "storage.k8s.io")?.resources).toContain("storageclasses");
    expect(rules.find((rule) => rule.api_groups[0] === "apps")?.resources).toEqual(["daemonsets", "deployments", "statefulsets"]);
    expect(rules.flatMap((rule) => [...rule.resources, ...rule.verbs, ...rule.api_groups])).not.toContain("*");
    const binding = resourceList(json, "kubernetes_cluster_role_binding_v1");
    expect(binding).toEqual([expect.objectContaining({ role_ref: { api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: expect.stringContaining("kubernetes_cluster_role_v1.plan_read-role") } })]);
  });

  it("defines the Secrets role (get and list: how Helm reads its release storage) without binding it cluster-wide", () => {
    const secrets = roles.find((role) => (role.metadata as { name: string }).name === PLAN_RELEASE_SECRETS_ROLE);
    expect(secrets?.rule).toEqual([{ api_groups: [""], resources: ["secrets"], verbs: ["get", "list"] }]);
  });

  it("has one rule per API group, covering the built-ins and the manifests' kinds", () => {
    const groups = planReadRules().map((rule) => rule.apiGroups[0]);
    expect(new Set(groups).size).toBe(groups.length);
    expect(resourceOfKind("external-secrets.io/v1", "ExternalSecret")).toEqual({ group: "external-secrets.io", resource: "externalsecrets", namespaced: true });
    expect(resourceOfKind("apps/v1", "Deployment")).toEqual({ group: "apps", resource: "deployments", namespaced: true });
    expect(resourceOfKind("v1", "ConfigMap")).toEqual({ group: "", resource: "configmaps", namespaced: true });
    expect(resourceOfKind("example.com/v1", "Widget")).toBeUndefined();
  });
});

describe("PlanAccess validation", () => {
  it("rejects a namespace listed twice", () => {
    expect(() => synthConstruct((scope) => new PlanAccess(scope, "plan", { secretNamespaces: [{ name: "a" }, { name: "a" }] }))).toThrow(/namespaces listed twice: a/);
  });

  it("rejects a Kubernetes system group", () => {
    expect(() => synthConstruct((scope) => new PlanAccess(scope, "plan", { secretNamespaces: [], group: "system:masters" }))).toThrow(/"system:masters" is a Kubernetes system group/);
  });
});

describe("secretNamespacesOf", () => {
  it("finds Helm release namespaces and managed Secrets' namespaces, with the namespace resource the stack creates", () => {
    const { construct } = synthConstruct((scope) => {
      const shop = new NamespaceV1(scope, "shop", { metadata: { name: "shop" } });
      new Release(scope, "app", { name: "app", chart: "app", namespace: shop.metadata.name });
      new Release(scope, "system", { name: "system", chart: "system", namespace: "kube-system" });
      new SecretV1(scope, "token", { metadata: { name: "token", namespace: "payments" } });
      return secretNamespacesOf(scope);
    });
    expect(construct.map((entry) => [entry.name, entry.namespace?.node.id])).toEqual([
      ["kube-system", undefined],
      ["payments", undefined],
      ["shop", "shop"],
    ]);
  });

  it("fails on a namespace it cannot tell", () => {
    expect(() =>
      synthConstruct((scope) => {
        new Release(scope, "app", { name: "app", chart: "app", namespace: new NamespaceV1(scope, "ns", { metadata: { generateName: "x-" } }).metadata.name });
        return secretNamespacesOf(scope);
      }),
    ).toThrow(/cannot tell the namespace of test\/app/);
  });
});
