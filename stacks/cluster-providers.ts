/**
 * Kubernetes and Helm providers for a stack that works inside an EKS cluster created by another stack. The
 * cluster is found by name through a data source, and both providers authenticate with a short-lived token from
 * `aws eks get-token` on every run: they never depend on a cluster created in the same apply and never hold a
 * static credential.
 */
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import type { Construct } from "constructs";

/** Client authentication API served by `aws eks get-token`. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

export interface ClusterProviders {
  readonly cluster: DataAwsEksCluster;
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;
}

export function clusterProviders(scope: Construct, clusterName: string, region: string): ClusterProviders {
  const cluster = new DataAwsEksCluster(scope, "cluster", { name: clusterName });
  const host = cluster.endpoint;
  const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
  const exec = {
    apiVersion: EXEC_API_VERSION,
    command: "aws",
    args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
  };
  const kubernetes = new KubernetesProvider(scope, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
  const helm = new HelmProvider(scope, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
  return { cluster, kubernetes, helm };
}
