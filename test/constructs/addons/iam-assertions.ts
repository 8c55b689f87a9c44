/**
 * Assertions on the IAM of add-on identities (constructs/workload-identity) in synthesized JSON, shared by the
 * cluster and add-on tests.
 */
import { expect } from "vitest";
import type { WorkloadPolicyStatement } from "../../../constructs/workload-identity";
import type { Synthesized } from "../../support/synth";

export interface PolicyStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

function documentByPrefix(json: Synthesized, prefix: string): PolicyStatement[] {
  const match = Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix));
  if (!match) throw new Error(`no aws_iam_policy_document starting with ${prefix}; have ${Object.keys(json.data?.aws_iam_policy_document ?? {}).join(", ")}`);
  return match[1].statement as PolicyStatement[];
}

/** Trust and permission statements of the WorkloadIdentity at construct path `path` (joined with `_`). */
export function identityPolicies(json: Synthesized, path: string): { trust: PolicyStatement[]; permissions: PolicyStatement[] } {
  return { trust: documentByPrefix(json, `${path}_trust_`), permissions: documentByPrefix(json, `${path}_permissions_`) };
}

/** The Pod Identity association at construct path `path`. */
export function association(json: Synthesized, path: string): Record<string, unknown> {
  const match = Object.entries(json.resource?.aws_eks_pod_identity_association ?? {}).find(([id]) => id.startsWith(`${path}_association_`));
  if (!match) throw new Error(`no aws_eks_pod_identity_association at ${path}`);
  return match[1];
}

/** The role may be assumed only by Pod Identity sessions of exactly this cluster, namespace and service account. */
export function expectTrustScopedTo(json: Synthesized, path: string, scope: { cluster: string; namespace: string; serviceAccount: string }): void {
  const { trust } = identityPolicies(json, path);
  expect(trust).toHaveLength(1);
  const [statement] = trust;
  expect(statement?.principals).toEqual([{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }]);
  expect(statement?.actions).toEqual(["sts:AssumeRole", "sts:TagSession"]);
  const conditions = Object.fromEntries((statement?.condition ?? []).map((c) => [c.variable, { test: c.test, values: c.values }]));
  expect(conditions["aws:RequestTag/kubernetes-namespace"]).toEqual({ test: "StringEquals", values: [scope.namespace] });
  expect(conditions["aws:RequestTag/kubernetes-service-account"]).toEqual({ test: "StringEquals", values: [scope.serviceAccount] });
  expect(conditions["aws:RequestTag/eks-cluster-name"]).toEqual({ test: "StringEquals", values: [scope.cluster] });
  expect(association(json, path)).toMatchObject({ namespace: scope.namespace, service_account: scope.serviceAccount });
}

/** No action wildcard in any statement of a synthesized permission document. */
export function expectExplicitActions(statements: readonly PolicyStatement[]): void {
  for (const statement of statements) {
    for (const action of statement.actions ?? []) {
      expect(action === "*" || action.endsWith(":*"), `${statement.sid}: ${action}`).toBe(false);
    }
  }
}

/** Every statement with resource "*" carries a justification (statements as the construct builds them). */
export function expectJustifiedWildcards(statements: readonly WorkloadPolicyStatement[]): void {
  for (const statement of statements) {
    if ((statement.resources ?? []).includes("*")) expect(statement.justification, statement.sid).toMatch(/\w{10,}/);
    for (const action of statement.actions ?? []) expect(action === "*" || action.endsWith(":*"), `${statement.sid}: ${action}`).toBe(false);
  }
}
