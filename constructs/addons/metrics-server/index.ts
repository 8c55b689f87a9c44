/**
 * metrics-server: the resource metrics API (`metrics.k8s.io`) that HorizontalPodAutoscalers and `kubectl top`
 * read. It calls no AWS API, so it has no IAM role. With more than one replica it gets a disruption budget, so
 * a node drain never takes every HPA blind at once.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { checkReplicas, SYSTEM_NAMESPACE } from "../common";

export interface MetricsServerProps {
  /** Replicas of the metrics API. */
  readonly replicas: number;
}

export class MetricsServer extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    checkReplicas("MetricsServer", props.replicas);
    this.release = chartRelease(this, "release", {
      chart: "metrics-server",
      name: "metrics-server",
      namespace: SYSTEM_NAMESPACE,
      overrides: {
        replicas: props.replicas,
        podDisruptionBudget: { enabled: props.replicas > 1, maxUnavailable: 1 },
      },
    });
  }
}
