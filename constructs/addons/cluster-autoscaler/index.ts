/**
 * Cluster Autoscaler: node autoscaling of the managed node groups when Karpenter is off. It grows a pool when pods
 * cannot be scheduled and shrinks it when nodes are underused, within each pool's minSize and maxSize.
 *
 * - Discovery by tags: EKS tags the Auto Scaling group of every managed node group with
 *   `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`
 *   (docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html), which `autoDiscovery.clusterName` selects.
 * - Its role (Pod Identity, `kube-system/cluster-autoscaler`) follows the Cluster Autoscaler's AWS policy: it may set
 *   the desired capacity of, and terminate instances in, only the Auto Scaling groups tagged as this cluster's (their
 *   ARNs carry random ids, so the tag condition is the scope); describe calls have no resource-level permissions;
 *   eks:DescribeNodegroup (labels and taints of a group scaled to zero) only on this cluster's node groups.
 * - Its minor version must be the cluster's: the chart's appVersion (CLUSTER_AUTOSCALER_APP_VERSION) is checked against
 *   `cluster.kubernetesVersion` when configuration is loaded.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { partitionOf } from "../../core/aws";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../../workload-identity";
import { checkReplicas, SYSTEM_NAMESPACE, type AddonBaseProps } from "../common";

export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
export { CLUSTER_AUTOSCALER_APP_VERSION } from "./facts";
export const EXPANDERS = ["least-waste", "random", "most-pods", "priority"] as const;
export type Expander = (typeof EXPANDERS)[number];

export interface ClusterAutoscalerProps extends AddonBaseProps {
  readonly replicas: number;
  /**
   * How a pool is chosen when several could take the pending pods.
   * @default "least-waste" — the pool whose node leaves the least CPU and memory idle
   */
  readonly expander?: Expander;
  /**
   * How long a node must be unneeded before it is removed (a Go duration).
   * @default "10m"
   */
  readonly scaleDownUnneededTime?: string;
  /**
   * Requests below this share of a node's capacity make it a candidate for removal.
   * @default 0.5
   */
  readonly scaleDownUtilizationThreshold?: number;
}

/** The Cluster Autoscaler's AWS permissions, scoped to this cluster's groups. */
export function clusterAutoscalerStatements(props: Pick<ClusterAutoscalerProps, "account" | "clusterName">): WorkloadPolicyStatement[] {
  const { account, clusterName } = props;
  const partition = partitionOf(account.region);
  return [
    {
      sid: "ScaleOwnGroups",
      actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      resources: [`arn:${partition}:autoscaling:${account.region}:${account.accountId}:autoScalingGroup:*:autoScalingGroupName/*`],
      condition: [{ test: "StringEquals", variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`, values: ["owned"] }],
    },
    {
      sid: "DescribeGroupsAndInstanceTypes",
      actions: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
      justification: "Auto Scaling and EC2 describe actions have no resource-level permissions; limited to this region",
    },
    {
      sid: "DescribeOwnNodeGroups",
      actions: ["eks:DescribeNodegroup"],
      resources: [`arn:${partition}:eks:${account.region}:${account.accountId}:nodegroup/${clusterName}/*/*`],
    },
  ];
}

export class ClusterAutoscaler extends Construct {
  readonly identity: WorkloadIdentity;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    checkReplicas("ClusterAutoscaler", props.replicas);
    const expander = props.expander ?? "least-waste";
    if (!(EXPANDERS as readonly string[]).includes(expander)) throw new Error(`ClusterAutoscaler: expander "${expander}" is not one of ${EXPANDERS.join(", ")}`);
    const unneeded = props.scaleDownUnneededTime ?? "10m";
    if (!/^\d+(s|m|h)$/.test(unneeded)) throw new Error(`ClusterAutoscaler: scaleDownUnneededTime "${unneeded}" is not a duration such as 10m`);
    const threshold = props.scaleDownUtilizationThreshold ?? 0.5;
    if (!(threshold > 0 && threshold <= 1)) throw new Error(`ClusterAutoscaler: scaleDownUtilizationThreshold ${threshold} must be above 0 and at most 1`);

    this.identity = new WorkloadIdentity(this, "identity", {
      account: props.account,
      clusterName: props.clusterName,
      namespace: SYSTEM_NAMESPACE,
      serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
      roleName: props.naming.name("iam-role", "cluster-autoscaler"),
      statements: clusterAutoscalerStatements(props),
    });
    this.release = chartRelease(this, "release", {
      chart: "cluster-autoscaler",
      name: "cluster-autoscaler",
      namespace: SYSTEM_NAMESPACE,
      overrides: {
        cloudProvider: "aws",
        // Pods cannot reach instance metadata (hop limit 1), so the region is given explicitly.
        awsRegion: props.account.region,
        autoDiscovery: { clusterName: props.clusterName },
        replicaCount: props.replicas,
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
        extraArgs: {
          expander,
          "balance-similar-node-groups": true,
          "scale-down-unneeded-time": unneeded,
          "scale-down-utilization-threshold": threshold,
          // Workloads use emptyDir for /tmp: it must not pin their nodes forever.
          "skip-nodes-with-local-storage": false,
        },
      },
      dependsOn: [this.identity.association],
    });
  }
}
