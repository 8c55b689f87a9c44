/**
 * What `terraform plan` of a stack that manages objects in a cluster reads there (pure: used by the construct that
 * grants the CI plan role its RBAC, and by the tests that prove the grant covers every synthesized stack):
 *
 * - the Kubernetes provider reads every object it manages (GET by name; a `kubernetes_manifest` also needs the
 *   OpenAPI document, which Kubernetes serves to every authenticated user through the `system:discovery` role);
 * - the Helm provider reads a release from the Secrets Helm stores it in, in the release namespace (list by label
 *   selector, then get: `helm/pkg/storage/driver/secrets.go`). It renders and dry-runs the chart against the cluster
 *   during plan only with `experiments { manifest = true }` (terraform-provider-helm v3.1.1,
 *   `resource_helm_release.go` ModifyPlan), and that dry run is a server-side apply needing `patch`
 *   (hashicorp/terraform-provider-helm#1735) — which is why the Helm providers here never enable the experiment.
 *
 * So the plan role reads, cluster-wide, every kind of object this code base can manage except Secrets, and reads
 * Secrets only in the namespaces where releases (or managed Secrets) live. It never gets a write verb.
 */

export interface ApiResource {
  /** API group ("" for the core group). */
  readonly group: string;
  /** Resource (plural) name. */
  readonly resource: string;
  readonly namespaced: boolean;
}

/** Read verbs: all the plan role ever gets. */
export const READ_VERBS = ["get", "list", "watch"] as const;
/** Verbs on release Secrets: Helm lists them by label and gets one. */
export const RELEASE_SECRET_VERBS = ["get", "list"] as const;

const core = (resource: string, namespaced = true): ApiResource => ({ group: "", resource, namespaced });
const api = (group: string, resource: string, namespaced = true): ApiResource => ({ group, resource, namespaced });

/**
 * Objects each Kubernetes provider resource type manages (the provider's typed resources, v1 and legacy names).
 * `kubernetes_manifest`, `kubernetes_labels` and `kubernetes_annotations` name their object by api_version and kind.
 */
export const KUBERNETES_TYPE_RESOURCES: Readonly<Record<string, ApiResource>> = {
  kubernetes_namespace_v1: core("namespaces", false),
  kubernetes_namespace: core("namespaces", false),
  kubernetes_config_map_v1: core("configmaps"),
  kubernetes_config_map: core("configmaps"),
  kubernetes_config_map_v1_data: core("configmaps"),
  kubernetes_secret_v1: core("secrets"),
  kubernetes_secret: core("secrets"),
  kubernetes_secret_v1_data: core("secrets"),
  kubernetes_service_v1: core("services"),
  kubernetes_service: core("services"),
  kubernetes_service_account_v1: core("serviceaccounts"),
  kubernetes_service_account: core("serviceaccounts"),
  kubernetes_default_service_account_v1: core("serviceaccounts"),
  kubernetes_default_service_account: core("serviceaccounts"),
  kubernetes_limit_range_v1: core("limitranges"),
  kubernetes_limit_range: core("limitranges"),
  kubernetes_resource_quota_v1: core("resourcequotas"),
  kubernetes_resource_quota: core("resourcequotas"),
  kubernetes_persistent_volume_claim_v1: core("persistentvolumeclaims"),
  kubernetes_persistent_volume_claim: core("persistentvolumeclaims"),
  kubernetes_persistent_volume_v1: core("persistentvolumes", false),
  kubernetes_persistent_volume: core("persistentvolumes", false),
  kubernetes_pod_v1: core("pods"),
  kubernetes_pod: core("pods"),
  kubernetes_endpoints_v1: core("endpoints"),
  kubernetes_endpoints: core("endpoints"),
  kubernetes_replication_controller_v1: core("replicationcontrollers"),
  kubernetes_node_taint: core("nodes", false),
  kubernetes_env: api("apps", "deployments"),
  kubernetes_deployment_v1: api("apps", "deployments"),
  kubernetes_deployment: api("apps", "deployments"),
  kubernetes_stateful_set_v1: api("apps", "statefulsets"),
  kubernetes_stateful_set: api("apps", "statefulsets"),
  kubernetes_daemon_set_v1: api("apps", "daemonsets"),
  kubernetes_daemonset: api("apps", "daemonsets"),
  kubernetes_job_v1: api("batch", "jobs"),
  kubernetes_job: api("batch", "jobs"),
  kubernetes_cron_job_v1: api("batch", "cronjobs"),
  kubernetes_cron_job: api("batch", "cronjobs"),
  kubernetes_horizontal_pod_autoscaler_v2: api("autoscaling", "horizontalpodautoscalers"),
  kubernetes_horizontal_pod_autoscaler_v2beta2: api("autoscaling", "horizontalpodautoscalers"),
  kubernetes_horizontal_pod_autoscaler_v1: api("autoscaling", "horizontalpodautoscalers"),
  kubernetes_horizontal_pod_autoscaler: api("autoscaling", "horizontalpodautoscalers"),
  kubernetes_ingress_v1: api("networking.k8s.io", "ingresses"),
  kubernetes_ingress: api("networking.k8s.io", "ingresses"),
  kubernetes_ingress_class_v1: api("networking.k8s.io", "ingressclasses", false),
  kubernetes_ingress_class: api("networking.k8s.io", "ingressclasses", false),
  kubernetes_network_policy_v1: api("networking.k8s.io", "networkpolicies"),
  kubernetes_network_policy: api("networking.k8s.io", "networkpolicies"),
  kubernetes_pod_disruption_budget_v1: api("policy", "poddisruptionbudgets"),
  kubernetes_pod_disruption_budget: api("policy", "poddisruptionbudgets"),
  kubernetes_storage_class_v1: api("storage.k8s.io", "storageclasses", false),
  kubernetes_storage_class: api("storage.k8s.io", "storageclasses", false),
  kubernetes_csi_driver_v1: api("storage.k8s.io", "csidrivers", false),
  kubernetes_priority_class_v1: api("scheduling.k8s.io", "priorityclasses", false),
  kubernetes_priority_class: api("scheduling.k8s.io", "priorityclasses", false),
  kubernetes_runtime_class_v1: api("node.k8s.io", "runtimeclasses", false),
  kubernetes_role_v1: api("rbac.authorization.k8s.io", "roles"),
  kubernetes_role: api("rbac.authorization.k8s.io", "roles"),
  kubernetes_role_binding_v1: api("rbac.authorization.k8s.io", "rolebindings"),
  kubernetes_role_binding: api("rbac.authorization.k8s.io", "rolebindings"),
  kubernetes_cluster_role_v1: api("rbac.authorization.k8s.io", "clusterroles", false),
  kubernetes_cluster_role: api("rbac.authorization.k8s.io", "clusterroles", false),
  kubernetes_cluster_role_binding_v1: api("rbac.authorization.k8s.io", "clusterrolebindings", false),
  kubernetes_cluster_role_binding: api("rbac.authorization.k8s.io", "clusterrolebindings", false),
  kubernetes_validating_webhook_configuration_v1: api("admissionregistration.k8s.io", "validatingwebhookconfigurations", false),
  kubernetes_validating_webhook_configuration: api("admissionregistration.k8s.io", "validatingwebhookconfigurations", false),
  kubernetes_mutating_webhook_configuration_v1: api("admissionregistration.k8s.io", "mutatingwebhookconfigurations", false),
  kubernetes_mutating_webhook_configuration: api("admissionregistration.k8s.io", "mutatingwebhookconfigurations", false),
  kubernetes_api_service_v1: api("apiregistration.k8s.io", "apiservices", false),
  kubernetes_certificate_signing_request_v1: api("certificates.k8s.io", "certificatesigningrequests", false),
};

/** Types whose object is named by `api_version` and `kind` in their body (or `manifest`). */
export const GENERIC_KUBERNETES_TYPES = ["kubernetes_manifest", "kubernetes_labels", "kubernetes_annotations"] as const;

/**
 * Custom resources (and built-ins written as manifests) this code base manages through `kubernetes_manifest`, by
 * `<group>/<Kind>`. Their plural is in the CRD; the plan role's ClusterRole lists them. A manifest of a kind missing
 * here fails test/constructs/plan-access (add the kind, with the CRD's plural).
 */
export const MANIFEST_KINDS: Readonly<Record<string, ApiResource>> = {
  "external-secrets.io/ExternalSecret": api("external-secrets.io", "externalsecrets"),
  "external-secrets.io/SecretStore": api("external-secrets.io", "secretstores"),
  "external-secrets.io/ClusterSecretStore": api("external-secrets.io", "clustersecretstores", false),
  "monitoring.coreos.com/ServiceMonitor": api("monitoring.coreos.com", "servicemonitors"),
  "monitoring.coreos.com/PodMonitor": api("monitoring.coreos.com", "podmonitors"),
  "monitoring.coreos.com/PrometheusRule": api("monitoring.coreos.com", "prometheusrules"),
  "karpenter.sh/NodePool": api("karpenter.sh", "nodepools", false),
  "karpenter.k8s.aws/EC2NodeClass": api("karpenter.k8s.aws", "ec2nodeclasses", false),
  "cert-manager.io/Certificate": api("cert-manager.io", "certificates"),
  "cert-manager.io/ClusterIssuer": api("cert-manager.io", "clusterissuers", false),
  "cert-manager.io/Issuer": api("cert-manager.io", "issuers"),
  "velero.io/Schedule": api("velero.io", "schedules"),
  "velero.io/BackupStorageLocation": api("velero.io", "backupstoragelocations"),
  "velero.io/VolumeSnapshotLocation": api("velero.io", "volumesnapshotlocations"),
  "elbv2.k8s.aws/TargetGroupBinding": api("elbv2.k8s.aws", "targetgroupbindings"),
  "elbv2.k8s.aws/IngressClassParams": api("elbv2.k8s.aws", "ingressclassparams", false),
};

/** Built-in kinds by `<group>/<Kind>` (a manifest may write a built-in object too). */
const BUILT_IN_KINDS: Readonly<Record<string, ApiResource>> = Object.fromEntries(
  Object.entries(KUBERNETES_TYPE_RESOURCES)
    .filter(([type]) => type.endsWith("_v1") || type.endsWith("_v2"))
    .map(([type, resource]) => [`${resource.group}/${kindOfType(type)}`, resource]),
);

function kindOfType(type: string): string {
  return type
    .replace(/^kubernetes_/, "")
    .replace(/_v\d+$/, "")
    .split("_")
    .map((word) => (word.length > 0 ? `${word[0]?.toUpperCase()}${word.slice(1)}` : word))
    .join("");
}

/** The object kind an `api_version` and `kind` name (undefined when unknown: add it to MANIFEST_KINDS). */
export function resourceOfKind(apiVersion: string, kind: string): ApiResource | undefined {
  const group = apiVersion.includes("/") ? (apiVersion.split("/")[0] as string) : "";
  return MANIFEST_KINDS[`${group}/${kind}`] ?? BUILT_IN_KINDS[`${group}/${kind}`];
}

export interface ReadRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/**
 * Rules of the plan role's cluster-wide read role: every resource of the tables above except Secrets, one rule per
 * API group, read verbs only.
 */
export function planReadRules(): ReadRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const resource of [...Object.values(KUBERNETES_TYPE_RESOURCES), ...Object.values(MANIFEST_KINDS)]) {
    if (resource.group === "" && resource.resource === "secrets") continue;
    const set = byGroup.get(resource.group) ?? new Set<string>();
    set.add(resource.resource);
    byGroup.set(resource.group, set);
  }
  return [...byGroup]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: [...READ_VERBS] }));
}

/** Rules of the role bound in release namespaces: reading Secrets (Helm's release storage). */
export function releaseSecretRules(): ReadRule[] {
  return [{ apiGroups: [""], resources: ["secrets"], verbs: [...RELEASE_SECRET_VERBS] }];
}

/** Names of the plan role's RBAC objects (one cluster per environment, so fixed names). */
export const PLAN_READ_ROLE = "platform-ci-plan-read";
export const PLAN_RELEASE_SECRETS_ROLE = "platform-ci-plan-release-secrets";
