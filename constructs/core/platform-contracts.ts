/**
 * Names shared between the add-ons (installed by `<env>-platform`) and the workloads and tenants that use
 * them. Kept in one place so the producer and the consumers cannot disagree.
 */

/** IngressClass of the AWS Load Balancer Controller; every Ingress the platform creates uses it. */
export const INGRESS_CLASS_NAME = "alb";

/** ClusterSecretStore of External Secrets backed by AWS Secrets Manager (platform namespaces only). */
export const SECRETS_MANAGER_STORE = "aws-secrets-manager";

/** Namespaced SecretStore every namespace that syncs secrets has, with its own IAM role (constructs/namespace-secrets). */
export const NAMESPACE_SECRET_STORE = "secrets-manager";

/** ClusterSecretStore of External Secrets backed by AWS Systems Manager Parameter Store. */
export const PARAMETER_STORE_STORE = "aws-parameter-store";

/** StorageClass the platform makes default: gp3, encrypted with the environment's data key. */
export const DEFAULT_STORAGE_CLASS = "gp3-encrypted";

/**
 * Workload IAM: EKS Pod Identity (see constructs/workload-identity). Roles trust `pods.eks.amazonaws.com` and are
 * scoped to one namespace and service account through the session tags the Pod Identity agent sets.
 */
export const POD_IDENTITY_SERVICE_PRINCIPAL = "pods.eks.amazonaws.com";

/** Namespace of the monitoring stack (Prometheus, Alertmanager, Grafana); see constructs/monitoring. */
export const MONITORING_NAMESPACE = "monitoring";

/**
 * Namespaces the platform's add-ons create in every cluster (each add-on's construct creates its own). Names are API:
 * network policies, Pod Identity associations and Velero schedules name them. `always` ones exist in every cluster;
 * the others when their add-on is enabled in configuration.
 */
export const PLATFORM_NAMESPACES = {
  externalSecrets: { name: "external-secrets", always: true },
  monitoring: { name: MONITORING_NAMESPACE, always: true },
  logging: { name: "logging", always: true },
  velero: { name: "velero", always: false },
  externalDns: { name: "external-dns", always: false },
  certManager: { name: "cert-manager", always: false },
} as const;

/**
 * The External Secrets operator's metrics Service (chart external-secrets, release `external-secrets`, with
 * `metrics.service.enabled`; its labels are the chart's selector labels): Prometheus scrapes it, and the platform rule
 * ExternalSecretNotSynced reads its `externalsecret_status_condition` gauge.
 */
export const EXTERNAL_SECRETS_METRICS = {
  namespace: PLATFORM_NAMESPACES.externalSecrets.name,
  selector: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" },
  port: "metrics",
  path: "/metrics",
} as const;

/** Namespaces Kubernetes creates in every cluster. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** Labels of the Prometheus pods (set by the Prometheus operator): network policies admit scrapes from them. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "prometheus" };
