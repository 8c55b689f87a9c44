/**
 * `<env>-platform`: everything that runs inside the cluster. Its Kubernetes and Helm providers find the cluster
 * by name through a data source and authenticate with a short-lived token from `aws eks get-token` on every
 * run, so they never depend on a cluster created in the same apply and never hold a static credential.
 */
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import type { Construct } from "constructs";
import { environmentTags, type BackendSettings, type EnvironmentContext } from "./context";
import { BaseStack } from "./base-stack";

export function platformStackName(environment: string): string {
  return `${environment}-platform`;
}

/** Client authentication API served by `aws eks get-token`. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

export class PlatformStack extends BaseStack {
  readonly cluster: DataAwsEksCluster;
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;

  constructor(scope: Construct, context: EnvironmentContext, backend: BackendSettings) {
    const name = platformStackName(context.environment.name);
    super(scope, name, { account: context.account, backend, tags: environmentTags(context, name) });
    const clusterName = context.naming.clusterName;

    this.cluster = new DataAwsEksCluster(this, "cluster", { name: clusterName });
    const host = this.cluster.endpoint;
    const clusterCaCertificate = Fn.base64decode(this.cluster.certificateAuthority.get(0).data);
    const exec = {
      apiVersion: EXEC_API_VERSION,
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", clusterName, "--region", context.account.region, "--output", "json"],
    };
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
  }
}
