/**
 * The values constructs/monitoring computes for kube-prometheus-stack and yet-another-cloudwatch-exporter (layered
 * over charts/values/<chart>.yaml). Pure functions, so the rendered configuration can be tested without synthesis.
 *
 * Custom resources the platform needs next to the charts (ExternalSecrets for receiver credentials and the Grafana
 * admin password, ServiceMonitors, PodMonitors, PrometheusRules) are rendered by the chart itself at install time
 * (`extraManifests`, `additionalServiceMonitors`, `additionalPodMonitors`, `additionalPrometheusRulesMap`): their
 * CRDs do not exist when `terraform plan` first runs on a new cluster, so they cannot be `kubernetes_manifest`s.
 */
import type { ObservabilityConfig, ReceiverConfig, ReceiverType } from "../../config/schema/observability";
import type { CloudWatchExporterOverrides, KubePrometheusStackOverrides, PrometheusRulesMap } from "../../charts/overrides";
import type { Naming } from "../core/naming";
import { DEFAULT_STORAGE_CLASS, SECRETS_MANAGER_STORE } from "../core/platform-contracts";
import { secretName } from "../core/secrets";
import { DATASOURCE_UIDS, type Dashboard } from "./dashboards";

export const PROMETHEUS_SERVICE_ACCOUNT = "prometheus";
export const ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager";
export const GRAFANA_SERVICE_ACCOUNT = "grafana";
export const CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT = "cloudwatch-exporter";

/** Kubernetes Secret (synced by External Secrets) holding Grafana's admin user and password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";
/** Length of the generated Grafana admin password. */
export const GRAFANA_ADMIN_PASSWORD_LENGTH = 32;
/** Grafana folder and provider of the repository's dashboards. */
export const DASHBOARD_PROVIDER = "platform";
export const DASHBOARD_FOLDER = "Platform";

/** Key of a receiver's credential inside its Kubernetes Secret (mounted into Alertmanager). */
export const RECEIVER_SECRET_KEY = "credential";
/** Where the receivers' credential Secrets are mounted (the path the operator uses for `alertmanagerSpec.secrets`). */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";
/** How often External Secrets re-reads receiver credentials (picks up a rotated webhook). */
export const RECEIVER_SECRET_REFRESH = "1h";
/** JSON key of the credential inside the Secrets Manager secret, per receiver type, when the receiver names none. */
export const DEFAULT_CREDENTIALS_KEY: Readonly<Record<ReceiverType, string>> = { slack: "webhookUrl", pagerduty: "routingKey", email: "password" };

/** Receiver of the environment's alerts SNS topic. */
export const ALERTS_TOPIC_RECEIVER = "alerts-topic";
/** Receiver that drops what it gets (the Watchdog heartbeat, unrouted info alerts). */
export const NULL_RECEIVER = "null";
/** Alertmanager's grouping delays. */
export const GROUP_WAIT = "30s";
export const GROUP_INTERVAL = "5m";

/** Zone topology key: replicas of Prometheus and Alertmanager are spread across zones. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
const GENERATORS_API = "generators.external-secrets.io/v1alpha1";

/** A workload endpoint Prometheus scrapes: a Service (ServiceMonitor) or its pods directly (PodMonitor). */
export interface ScrapeTarget {
  /** Unique name of the monitor (a Kubernetes name). */
  readonly name: string;
  readonly namespace: string;
  readonly kind: "service" | "pod";
  /** Labels of the Service (or pods) to scrape. */
  readonly selector: Readonly<Record<string, string>>;
  /** Named port. */
  readonly port: string;
  readonly path: string;
  /** Scrape interval. @default Prometheus' scrapeInterval */
  readonly interval?: string;
}

export interface KubePrometheusStackInput {
  readonly namespace: string;
  readonly region: string;
  readonly prometheus: ObservabilityConfig["prometheus"];
  readonly alertmanager: ObservabilityConfig["alertmanager"];
  readonly grafana: ObservabilityConfig["grafana"];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly rules: PrometheusRulesMap;
  readonly scrapeTargets: readonly ScrapeTarget[];
  readonly dashboards: readonly Dashboard[];
  /** ARN of the environment's alerts topic (Alertmanager publishes to it with SigV4). */
  readonly alertsTopicArn: string;
  /** Naming scope of the receivers' Secrets Manager secrets (named by constructs/core/secrets.ts, owner `platform`). */
  readonly secretsNaming: Naming;
  /** In-cluster URL of Loki, when logs go to Loki (adds the Loki data source). */
  readonly lokiUrl?: string;
}

export type { CloudWatchExporterOverrides, KubePrometheusStackOverrides };

function gi(size: number): string {
  return `${size}Gi`;
}

function volumeClaimTemplate(sizeGiB: number) {
  return {
    volumeClaimTemplate: {
      spec: {
        storageClassName: DEFAULT_STORAGE_CLASS,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: gi(sizeGiB) } },
      },
    },
  };
}

/** Replicas spread across zones (hard: two replicas in one zone would not survive that zone). */
function spread(replicas: number) {
  return replicas > 1 ? { podAntiAffinity: "hard", podAntiAffinityTopologyKey: ZONE_TOPOLOGY_KEY } : {};
}

/** Kubernetes Secret that holds a receiver's credential. */
export function receiverSecretName(receiver: Pick<ReceiverConfig, "name">): string {
  return `alertmanager-${receiver.name}`;
}

/** Secrets Manager secret of a receiver's credential: the platform secret at `credentialsSecret` (constructs/core/secrets.ts). */
export function receiverSecretsManagerName(secretsNaming: Naming, receiver: Pick<ReceiverConfig, "credentialsSecret">): string {
  return secretName(secretsNaming, { kind: "platform", path: receiver.credentialsSecret });
}

/** JSON key of a receiver's credential inside its Secrets Manager secret. */
export function receiverCredentialsKey(receiver: Pick<ReceiverConfig, "credentialsKey" | "type">): string {
  return receiver.credentialsKey ?? DEFAULT_CREDENTIALS_KEY[receiver.type];
}

/** Volume of a receiver's credential Secret in the Alertmanager pods. */
function receiverVolumeName(receiver: Pick<ReceiverConfig, "name">): string {
  return `receiver-${receiver.name}`;
}

/**
 * The receivers' credential Secrets as optional volumes of the Alertmanager pods, mounted where Alertmanager's
 * `*_file` settings read them. Optional, unlike the operator's `alertmanagerSpec.secrets` (which mounts them
 * required): a receiver whose credential is not seeded yet, so whose Secret External Secrets cannot create, does not
 * keep Alertmanager from starting — every other receiver (and the alerts topic) still gets alerts. The kubelet fills
 * the volume once the Secret exists, and Alertmanager reads the file when it sends (not at start), so the receiver
 * starts working without a restart. The platform rule ExternalSecretNotSynced reports the missing credential.
 */
export function receiverVolumes(receivers: readonly ReceiverConfig[]): { volumes: Record<string, unknown>[]; volumeMounts: Record<string, unknown>[] } {
  return {
    volumes: receivers.map((receiver) => ({ name: receiverVolumeName(receiver), secret: { secretName: receiverSecretName(receiver), optional: true } })),
    volumeMounts: receivers.map((receiver) => ({ name: receiverVolumeName(receiver), mountPath: `${ALERTMANAGER_SECRETS_DIR}/${receiverSecretName(receiver)}`, readOnly: true })),
  };
}

function credentialFile(receiver: ReceiverConfig): string {
  return `${ALERTMANAGER_SECRETS_DIR}/${receiverSecretName(receiver)}/${RECEIVER_SECRET_KEY}`;
}

function receiverConfig(receiver: ReceiverConfig): Record<string, unknown> {
  const common = { send_resolved: receiver.sendResolved };
  switch (receiver.type) {
    case "slack":
      return { name: receiver.name, slack_configs: [{ ...common, api_url_file: credentialFile(receiver), channel: receiver.channel }] };
    case "pagerduty":
      return { name: receiver.name, pagerduty_configs: [{ ...common, routing_key_file: credentialFile(receiver) }] };
    case "email":
      return {
        name: receiver.name,
        email_configs: [
          {
            ...common,
            to: receiver.to.join(", "),
            from: receiver.from,
            smarthost: receiver.smarthost,
            auth_username: receiver.username,
            auth_password_file: credentialFile(receiver),
            require_tls: true,
          },
        ],
      };
  }
}

function severityMatcher(severities: readonly string[]): string {
  return `severity =~ "${severities.join("|")}"`;
}

/** Alertmanager configuration: every configured receiver and the alerts topic, routed by severity. */
export function alertmanagerConfig(input: Pick<KubePrometheusStackInput, "alertmanager" | "alertsTopicArn" | "region">): Record<string, unknown> {
  const { alertmanager } = input;
  const topic = alertmanager.alertsTopicSeverities.length > 0;
  const receivers: Record<string, unknown>[] = [
    { name: NULL_RECEIVER },
    ...(topic ? [{ name: ALERTS_TOPIC_RECEIVER, sns_configs: [{ send_resolved: true, topic_arn: input.alertsTopicArn, sigv4: { region: input.region } }] }] : []),
    ...alertmanager.receivers.map(receiverConfig),
  ];
  const routes: Record<string, unknown>[] = [
    // The always-firing heartbeat and the helper alert that inhibits info alerts are not for humans.
    { receiver: NULL_RECEIVER, matchers: ['alertname = "Watchdog"'] },
    { receiver: NULL_RECEIVER, matchers: ['alertname = "InfoInhibitor"'] },
    ...(topic ? [{ receiver: ALERTS_TOPIC_RECEIVER, matchers: [severityMatcher(alertmanager.alertsTopicSeverities)], continue: true }] : []),
    ...alertmanager.receivers.map((receiver) => ({ receiver: receiver.name, matchers: [severityMatcher(receiver.severities)], continue: true })),
  ];
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: NULL_RECEIVER,
      group_by: [...alertmanager.groupBy],
      group_wait: GROUP_WAIT,
      group_interval: GROUP_INTERVAL,
      repeat_interval: alertmanager.repeatInterval,
      routes,
    },
    receivers,
    inhibit_rules: [
      // A critical alert silences the warnings and infos of the same alert in the same namespace.
      { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] },
      { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ["namespace", "alertname"] },
    ],
  };
}

/** ExternalSecrets and generators the chart renders next to its own objects (no `{{`: the chart runs tpl on them). */
export function extraManifests(namespace: string, secretsNaming: Naming, receivers: readonly ReceiverConfig[]): Record<string, unknown>[] {
  const receiverSecrets = receivers.map((receiver) => ({
    apiVersion: EXTERNAL_SECRETS_API,
    kind: "ExternalSecret",
    metadata: { name: receiverSecretName(receiver), namespace },
    spec: {
      refreshInterval: RECEIVER_SECRET_REFRESH,
      secretStoreRef: { kind: "ClusterSecretStore", name: SECRETS_MANAGER_STORE },
      target: { name: receiverSecretName(receiver), creationPolicy: "Owner" },
      data: [
        {
          secretKey: RECEIVER_SECRET_KEY,
          remoteRef: { key: receiverSecretsManagerName(secretsNaming, receiver), property: receiverCredentialsKey(receiver) },
        },
      ],
    },
  }));
  return [
    ...receiverSecrets,
    // Grafana's admin password is generated in the cluster, once: it never exists in configuration, Terraform state
    // or synthesized JSON. Read it with `kubectl -n monitoring get secret grafana-admin`.
    {
      apiVersion: GENERATORS_API,
      kind: "Password",
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace },
      spec: { length: GRAFANA_ADMIN_PASSWORD_LENGTH, digits: 6, symbols: 0, noUpper: false, allowRepeat: true },
    },
    {
      apiVersion: EXTERNAL_SECRETS_API,
      kind: "ExternalSecret",
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace },
      spec: {
        // Generated once: Grafana keeps the admin password in its database after the first start.
        refreshPolicy: "CreatedOnce",
        refreshInterval: "0",
        target: {
          name: GRAFANA_ADMIN_SECRET,
          creationPolicy: "Owner",
          template: { mergePolicy: "Merge", data: { "admin-user": GRAFANA_ADMIN_USER } },
        },
        dataFrom: [
          {
            sourceRef: { generatorRef: { apiVersion: GENERATORS_API, kind: "Password", name: GRAFANA_ADMIN_SECRET } },
            rewrite: [{ regexp: { source: "^password$", target: "admin-password" } }],
          },
        ],
      },
    },
  ];
}

/** ServiceMonitors and PodMonitors in the chart's own values. */
function monitors(targets: readonly ScrapeTarget[]) {
  const endpoint = (target: ScrapeTarget) => ({ port: target.port, path: target.path, ...(target.interval ? { interval: target.interval } : {}) });
  const common = (target: ScrapeTarget) => ({
    name: target.name,
    namespaceSelector: { matchNames: [target.namespace] },
    selector: { matchLabels: { ...target.selector } },
  });
  return {
    additionalServiceMonitors: targets.filter((target) => target.kind === "service").map((target) => ({ ...common(target), endpoints: [endpoint(target)] })),
    additionalPodMonitors: targets.filter((target) => target.kind === "pod").map((target) => ({ ...common(target), podMetricsEndpoints: [endpoint(target)] })),
  };
}

function grafanaDataSources(region: string, lokiUrl: string | undefined): Record<string, unknown>[] {
  return [
    {
      name: "CloudWatch",
      uid: DATASOURCE_UIDS.cloudwatch,
      type: "cloudwatch",
      access: "proxy",
      editable: false,
      // Credentials of Grafana's service account (EKS Pod Identity), read-only CloudWatch access.
      jsonData: { authType: "default", defaultRegion: region },
    },
    ...(lokiUrl
      ? [{ name: "Loki", uid: DATASOURCE_UIDS.loki, type: "loki", access: "proxy", url: lokiUrl, editable: false, jsonData: { maxLines: 1000 } }]
      : []),
  ];
}

export function kubePrometheusStackValues(input: KubePrometheusStackInput): KubePrometheusStackOverrides {
  const { prometheus, alertmanager, grafana } = input;
  const dashboards = input.dashboards.filter((dashboard) => dashboard.datasources.every((uid) => uid !== DATASOURCE_UIDS.loki || input.lokiUrl));
  return {
    prometheus: {
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      podDisruptionBudget: { enabled: prometheus.replicas > 1, minAvailable: 1 },
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: prometheus.retention,
        retentionSize: `${prometheus.retentionSizeGiB}GiB`,
        scrapeInterval: prometheus.scrapeInterval,
        evaluationInterval: prometheus.scrapeInterval,
        externalLabels: { ...input.externalLabels },
        ...spread(prometheus.replicas),
        storageSpec: volumeClaimTemplate(prometheus.storageGiB),
      },
      ...monitors(input.scrapeTargets),
    },
    alertmanager: {
      serviceAccount: { create: true, name: ALERTMANAGER_SERVICE_ACCOUNT },
      podDisruptionBudget: { enabled: alertmanager.replicas > 1, minAvailable: 1 },
      alertmanagerSpec: {
        replicas: alertmanager.replicas,
        retention: alertmanager.retention,
        ...spread(alertmanager.replicas),
        storage: volumeClaimTemplate(alertmanager.storageGiB),
        ...receiverVolumes(alertmanager.receivers),
      },
      config: alertmanagerConfig(input),
    },
    grafana: {
      serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT },
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      // The default StorageClass (gp3, encrypted with the environment's data key).
      persistence: { enabled: true, type: "pvc", size: gi(grafana.storageGiB), accessModes: ["ReadWriteOnce"] },
      // Anonymous access and sign-up are off by default in Grafana; the platform does not turn them on.
      "grafana.ini": { analytics: { check_for_updates: false } },
      additionalDataSources: grafanaDataSources(input.region, input.lokiUrl),
      dashboardProviders: {
        "dashboardproviders.yaml": {
          apiVersion: 1,
          providers: [
            {
              name: DASHBOARD_PROVIDER,
              orgId: 1,
              folder: DASHBOARD_FOLDER,
              type: "file",
              disableDeletion: true,
              editable: false,
              options: { path: `/var/lib/grafana/dashboards/${DASHBOARD_PROVIDER}` },
            },
          ],
        },
      },
      dashboards: { [DASHBOARD_PROVIDER]: Object.fromEntries(dashboards.map((dashboard) => [dashboard.name, { json: dashboard.json }])) },
    },
    additionalPrometheusRulesMap: input.rules,
    extraManifests: extraManifests(input.namespace, input.secretsNaming, alertmanager.receivers),
  };
}

/** CloudWatch namespaces and metrics the exporter reads (what the data-service and load balancer rules use). */
export const CLOUDWATCH_EXPORTER_JOBS: readonly { readonly type: string; readonly metrics: readonly { readonly name: string; readonly statistics: readonly string[] }[] }[] = [
  { type: "AWS/RDS", metrics: [{ name: "CPUUtilization", statistics: ["Maximum"] }, { name: "DatabaseConnections", statistics: ["Maximum"] }, { name: "FreeableMemory", statistics: ["Minimum"] }] },
  { type: "AWS/DocDB", metrics: [{ name: "CPUUtilization", statistics: ["Maximum"] }, { name: "DatabaseConnections", statistics: ["Maximum"] }] },
  { type: "AWS/ElastiCache", metrics: [{ name: "EngineCPUUtilization", statistics: ["Maximum"] }, { name: "DatabaseMemoryUsagePercentage", statistics: ["Maximum"] }, { name: "Evictions", statistics: ["Sum"] }] },
  { type: "AWS/ES", metrics: [{ name: "JVMMemoryPressure", statistics: ["Maximum"] }, { name: "CPUUtilization", statistics: ["Maximum"] }, { name: "FreeStorageSpace", statistics: ["Minimum"] }] },
  { type: "AWS/AmazonMQ", metrics: [{ name: "SystemCpuUtilization", statistics: ["Maximum"] }, { name: "MessageReadyCount", statistics: ["Maximum"] }] },
  {
    type: "AWS/ApplicationELB",
    metrics: [
      { name: "RequestCount", statistics: ["Sum"] },
      { name: "HTTPCode_ELB_5XX_Count", statistics: ["Sum"] },
      { name: "HTTPCode_Target_5XX_Count", statistics: ["Sum"] },
      { name: "TargetResponseTime", statistics: ["Average"] },
    ],
  },
];

/** yet-another-cloudwatch-exporter configuration: discovery by this environment's tags (the provider default tags). */
export function cloudwatchExporterConfig(region: string, periodSeconds: number, searchTags: Readonly<Record<string, string>>): Record<string, unknown> {
  const tags = Object.entries(searchTags).map(([key, value]) => ({ key, value }));
  return {
    apiVersion: "v1alpha1",
    discovery: {
      jobs: CLOUDWATCH_EXPORTER_JOBS.map((job) => ({
        type: job.type,
        regions: [region],
        searchTags: tags,
        period: periodSeconds,
        length: periodSeconds,
        metrics: job.metrics.map((metric) => ({ name: metric.name, statistics: [...metric.statistics] })),
      })),
    },
  };
}
