/**
 * Stakater Reloader: restarts a workload when a Kubernetes Secret it reads changes.
 *
 * Why a controller and not a checksum annotation: the platform renders config maps itself, so their content is known
 * at synth time and a checksum of it (platform.example.com/config-checksum) rolls the pods that load them. Secret
 * values are not: they are set in Secrets Manager out of band (seeded, or rotated by a rotation Lambda or RDS) and
 * synced into Kubernetes Secrets by External Secrets on its refresh interval. A checksum of what the platform renders
 * (the ExternalSecret's references) would never change on a rotation; only something that watches the Secret objects
 * can see the new value. Reloader does exactly that for the workloads that name their Secrets in the
 * `secret.reloader.stakater.com/reload` annotation (constructs/workload), nothing else (`autoReloadAll: false`).
 *
 * - `reloadStrategy: annotations`: Reloader rolls a Deployment by setting one pod-template annotation
 *   (RELOADER_TEMPLATE_ANNOTATION) instead of adding an environment variable; the Deployment's Terraform resource
 *   ignores exactly that annotation, so the next apply does not undo the restart (and roll the pods again).
 * - Config maps are ignored (`ignoreConfigMaps`): the checksum already rolls on their changes, and two mechanisms
 *   would restart twice.
 * - In kube-system; no AWS permissions. With more than one replica it runs with leader election (`enableHA`).
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { checkReplicas, SYSTEM_NAMESPACE } from "../common";

export interface ReloaderProps {
  readonly replicas: number;
}

export class Reloader extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: ReloaderProps) {
    super(scope, id);
    checkReplicas("Reloader", props.replicas);
    this.release = chartRelease(this, "release", {
      chart: "reloader",
      name: "reloader",
      namespace: SYSTEM_NAMESPACE,
      overrides: { reloader: { reloadStrategy: "annotations", ignoreConfigMaps: true, enableHA: props.replicas > 1, deployment: { replicas: props.replicas } } },
    });
  }
}
