/**
 * cert-manager (optional): certificates inside the cluster — admission webhooks, service-to-service mTLS —
 * issued by in-cluster issuers. Certificates of public endpoints come from ACM on the load balancers, so
 * cert-manager needs no AWS permissions and has no IAM role. Its CRDs are installed by the chart and kept when
 * the release is removed (base values), so Certificates survive a reinstall.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { PLATFORM_NAMESPACES } from "../../core/platform-contracts";
import { addonNamespace, checkReplicas } from "../common";

export const CERT_MANAGER_NAMESPACE = PLATFORM_NAMESPACES.certManager.name;

export interface CertManagerProps {
  /** Replicas of the controller, webhook and CA injector. */
  readonly replicas: number;
}

export class CertManager extends Construct {
  readonly namespace: NamespaceV1;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    checkReplicas("CertManager", props.replicas);
    const highlyAvailable = props.replicas > 1;
    this.namespace = addonNamespace(this, "namespace", CERT_MANAGER_NAMESPACE);
    this.release = chartRelease(this, "release", {
      chart: "cert-manager",
      name: "cert-manager",
      namespace: CERT_MANAGER_NAMESPACE,
      overrides: {
        replicaCount: props.replicas,
        podDisruptionBudget: { enabled: highlyAvailable },
        webhook: { replicaCount: props.replicas, podDisruptionBudget: { enabled: highlyAvailable } },
        cainjector: { replicaCount: props.replicas, podDisruptionBudget: { enabled: highlyAvailable } },
      },
      dependsOn: [this.namespace],
    });
  }
}
