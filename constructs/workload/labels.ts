/**
 * Kubernetes labels of workload objects (the recommended `app.kubernetes.io/*` set). The selector uses only the
 * two labels that never change for a workload (name and instance), because a Deployment's selector is immutable.
 */
import { MANAGED_BY } from "../core/tagging";

export const NAME_LABEL = "app.kubernetes.io/name";
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

export interface WorkloadIdentityLabels {
  /** Workload name. */
  readonly name: string;
  /** Namespace of the product instance (distinguishes two instances of one product). */
  readonly namespace: string;
}

/** Labels a workload's pods are selected by (Services, PDBs, HPAs, network policies, topology spread). */
export function selectorLabels(workload: WorkloadIdentityLabels): Record<string, string> {
  return { [NAME_LABEL]: workload.name, [INSTANCE_LABEL]: workload.namespace };
}

/** Every label of a workload's objects and pods. */
export function workloadLabels(workload: WorkloadIdentityLabels & { readonly product: string; readonly kind: string }): Record<string, string> {
  return {
    ...selectorLabels(workload),
    [PART_OF_LABEL]: workload.product,
    [COMPONENT_LABEL]: workload.kind,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}
