/**
 * Facts of the pinned Cluster Autoscaler chart shared with configuration (pure: no cdktf). Its Kubernetes minor must
 * equal the cluster's (the Cluster Autoscaler's compatibility rule: "use the same minor version as the cluster").
 */

/** appVersion of the pinned chart (cluster-autoscaler 9.59.0, its Chart.yaml). */
export const CLUSTER_AUTOSCALER_APP_VERSION = "1.35.0";
