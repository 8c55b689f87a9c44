/**
 * What every add-on construct shares: where it runs (account, cluster, naming) and how its namespace is made.
 * Add-ons live in `<env>-platform` and never reference `<env>-infra` resources: the cluster and everything else
 * they need is found by name (data sources) or computed (deterministic names and ARNs).
 */
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { Construct } from "constructs";
import { partitionOf, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { podSecurityMetadata, type PodSecurityLevel } from "../core/pod-security";

export interface AddonBaseProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Name of the EKS cluster the add-on runs in. */
  readonly clusterName: string;
}

/** Namespace of cluster-wide system components (Karpenter, the load balancer controller, metrics-server). */
export const SYSTEM_NAMESPACE = "kube-system";

/**
 * Pod Security admission level enforced in the add-on namespaces the platform creates. `baseline` (not
 * `restricted`) because some upstream charts do not set every restricted field; `restricted` is audited and
 * warned, so a regression is visible.
 */
export const ADDON_NAMESPACE_POD_SECURITY: PodSecurityLevel = "baseline";

/** A namespace for an add-on, with Pod Security admission labels. */
export function addonNamespace(scope: Construct, id: string, name: string): NamespaceV1 {
  return new NamespaceV1(scope, id, {
    metadata: {
      name,
      labels: {
        "app.kubernetes.io/managed-by": "cdktf",
        ...podSecurityMetadata(ADDON_NAMESPACE_POD_SECURITY, "restricted").labels,
      },
    },
  });
}

/** ARN of the EKS cluster (for `eks:DescribeCluster` grants). */
export function clusterArn(account: AccountScope, clusterName: string): string {
  return `arn:${partitionOf(account.region)}:eks:${account.region}:${account.accountId}:cluster/${clusterName}`;
}

/** Validates a replica count prop. */
export function checkReplicas(addon: string, replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) {
    throw new Error(`${addon}: replicas must be an integer from 1 to 10, got ${replicas}`);
  }
}
