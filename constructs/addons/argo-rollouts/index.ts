/**
 * Argo Rollouts: the controller behind `progressiveDelivery` of web workloads. Each such workload keeps its Deployment
 * (Terraform-managed, the pod template's single source) and gets a Rollout that references it (`workloadRef`) plus an
 * AnalysisTemplate querying Prometheus; see constructs/workload/rollout.ts.
 *
 * - Namespace `argo-rollouts` of its own (Pod Security baseline, like the other add-on namespaces).
 * - No AWS permissions: it reads Prometheus inside the cluster and scales ReplicaSets; no IAM role.
 * - CRDs are installed by the chart and kept when it is uninstalled (`keepCRDs`), so removing the add-on never
 *   deletes the Rollouts of running workloads.
 * - With more than one replica, leader election (the chart's default) keeps one active controller and a disruption
 *   budget keeps one running through node drains.
 */
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { ROLLOUTS_NAMESPACE } from "../../core/platform-contracts";
import { addonNamespace, checkReplicas } from "../common";

export interface ArgoRolloutsProps {
  /** Controller replicas (one is active at a time, the others stand by). */
  readonly replicas: number;
}

export class ArgoRollouts extends Construct {
  readonly namespace: NamespaceV1;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ArgoRolloutsProps) {
    super(scope, id);
    checkReplicas("ArgoRollouts", props.replicas);
    this.namespace = addonNamespace(this, "namespace", ROLLOUTS_NAMESPACE);
    this.release = chartRelease(this, "release", {
      chart: "argo-rollouts",
      name: "argo-rollouts",
      namespace: ROLLOUTS_NAMESPACE,
      overrides: { controller: { replicas: props.replicas, pdb: props.replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false } } },
      dependsOn: [this.namespace],
    });
  }
}
