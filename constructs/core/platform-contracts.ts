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
  argoRollouts: { name: "argo-rollouts", always: false },
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

/** Namespace of the Argo Rollouts controller (constructs/addons/argo-rollouts). */
export const ROLLOUTS_NAMESPACE = PLATFORM_NAMESPACES.argoRollouts.name;

/**
 * The RDS certificate authorities of the region (constructs/core/rds-ca.ts), for clients that verify PostgreSQL and
 * DocumentDB servers (their certificates come from the RDS authorities, which no system trust store holds): a product
 * namespace that binds either gets a ConfigMap RDS_CA_CONFIG_MAP, which its workloads using them mount read-only as the
 * volume RDS_CA_VOLUME at RDS_CA_MOUNT; the file is RDS_CA_PATH (constructs/product-workloads). Product configuration
 * may not use these names or paths (config/schema/products.ts).
 */
export const RDS_CA_CONFIG_MAP = "platform-rds-ca";
export const RDS_CA_VOLUME = "platform-rds-ca";
export const RDS_CA_MOUNT = "/etc/platform/rds-ca";
export const RDS_CA_FILE = "ca.pem";
export const RDS_CA_PATH = `${RDS_CA_MOUNT}/${RDS_CA_FILE}`;

/**
 * Stakater Reloader (constructs/addons/reloader): a Deployment lists the Secrets it reads in RELOADER_SECRETS_ANNOTATION;
 * on a change Reloader sets RELOADER_TEMPLATE_ANNOTATION on its pod template (reloadStrategy: annotations), which
 * rolls the pods. The Deployment's Terraform resource ignores that one annotation.
 */
export const RELOADER_SECRETS_ANNOTATION = "secret.reloader.stakater.com/reload";
export const RELOADER_TEMPLATE_ANNOTATION = "reloader.stakater.com/last-reloaded-from";

/**
 * Prometheus of the monitoring stack inside the cluster (kube-prometheus-stack release `kube-prometheus-stack`: its
 * Service `<release>-prometheus` on 9090). Rollout analyses query it.
 */
export const PROMETHEUS_URL = `http://kube-prometheus-stack-prometheus.${MONITORING_NAMESPACE}.svc.cluster.local:9090`;

/** Namespaces Kubernetes creates in every cluster. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** Labels of the Prometheus pods (set by the Prometheus operator): network policies admit scrapes from them. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "prometheus" };

/**
 * Pod labels the product workloads carry for the log pipeline (constructs/logging reads them from the Kubernetes
 * metadata Fluent Bit adds): the product's log prefix (Loki label `app`), its retention class (Loki label `log_class`,
 * the audit archive), and the OpenSearch index prefix `<prefix>-<class>`.
 */
export const LOG_LABELS = {
  prefix: "platform.example.com/log-prefix",
  class: "platform.example.com/log-class",
  index: "platform.example.com/log-index",
} as const;
