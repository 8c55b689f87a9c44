/**
 * The monitoring stack of one cluster: kube-prometheus-stack (Prometheus operator, Prometheus, Alertmanager,
 * Grafana, kube-state-metrics, node-exporter) and, when enabled, yet-another-cloudwatch-exporter.
 *
 * - Prometheus: retention by time and size, a persistent volume per replica (gp3 encrypted with the environment's
 *   data key), replicas spread across zones with a disruption budget (two in production).
 * - Alertmanager: persistent silences, receivers from configuration (Slack, PagerDuty, email) whose credentials
 *   External Secrets syncs from Secrets Manager into files Alertmanager reads (`*_file` settings): no webhook URL or
 *   key is ever in configuration, Terraform state or synthesized JSON. Alerts of the configured severities also go
 *   to the environment's alerts SNS topic (SigV4 with the Alertmanager's own role).
 * - Grafana: persistent, admin credentials from a generated secret, data sources Prometheus (the chart's own),
 *   Loki (when logs go to Loki) and CloudWatch (read-only role), dashboards from `dashboards/*.json`.
 * - Alert rules from constructs/alert-rules and ServiceMonitors/PodMonitors for workloads that declare a metrics
 *   endpoint, rendered by the chart at install time (no monitoring CRD is needed at plan time).
 *
 * AWS access uses EKS Pod Identity roles bound to the charts' service accounts (constructs/workload-identity).
 */
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";
import { chartRelease } from "../../charts/release";
import { RELATIVE_SECRET_NAME, type ObservabilityConfig } from "../../config/schema/observability";
import type { AlertRules } from "../alert-rules";
import { partitionOf, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { MONITORING_NAMESPACE } from "../core/platform-contracts";
import { SecretValueGate } from "../secret-values";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../workload-identity";
import { loadDashboards, type Dashboard } from "./dashboards";
import {
  ALERTMANAGER_SERVICE_ACCOUNT,
  CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT,
  cloudwatchExporterConfig,
  GRAFANA_SERVICE_ACCOUNT,
  kubePrometheusStackValues,
  receiverSecretsManagerName,
  type KubePrometheusStackOverrides,
  type ScrapeTarget,
} from "./values";

export * from "./dashboards";
export * from "./values";

/** Helm release names (they prefix the charts' object names). */
export const MONITORING_RELEASE = "kube-prometheus-stack";
export const CLOUDWATCH_EXPORTER_RELEASE = "cloudwatch-exporter";

/**
 * Pod Security admission of the monitoring namespace: node-exporter reads the host's /proc and /sys with host
 * networking, which only the privileged level admits. Restricted is audited and warned for everything else.
 */
export const MONITORING_POD_SECURITY = "privileged";

const K8S_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface MonitoringProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  readonly prometheus: ObservabilityConfig["prometheus"];
  readonly alertmanager: ObservabilityConfig["alertmanager"];
  readonly grafana: ObservabilityConfig["grafana"];
  readonly cloudwatchExporter: ObservabilityConfig["cloudwatchExporter"];
  /** Alert rules (constructs/alert-rules), rendered by the chart. */
  readonly alertRules: AlertRules;
  /** The environment's alerts topic, found by name (constructs/alerts-topic). */
  readonly alertsTopic: { readonly name: string; readonly keyAlias: string };
  /**
   * Labels on every series and alert leaving Prometheus (environment, cluster).
   * @default { cluster: clusterName }
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Workload endpoints to scrape. @default none */
  readonly scrapeTargets?: readonly ScrapeTarget[];
  /** In-cluster URL of Loki (adds the Loki data source and the logs dashboard). @default none — no Loki data source */
  readonly lokiUrl?: string;
  /** Dashboards to provision. @default every file in dashboards/ */
  readonly dashboards?: readonly Dashboard[];
  /**
   * Tags that select this environment's AWS resources for the CloudWatch exporter (provider default tags).
   * @default { Environment: <naming environment> }
   */
  readonly cloudwatchSearchTags?: Readonly<Record<string, string>>;
  /** Releases the monitoring stack needs first (External Secrets stores, the default StorageClass). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * The receivers' credential secrets this construct creates empty in Secrets Manager (a human seeds the values:
   * `npm run secrets -- list <stack>`): the key that encrypts them (the scope's data key, the only one External Secrets
   * decrypts with), the recovery window when one is deleted, and whether they are protected from destruction.
   */
  readonly receiverSecrets: { readonly keyAlias: string; readonly recoveryWindowDays: number; readonly protect: boolean };
}

export class MonitoringError extends Error {}

/** Problems with the props (empty when valid). */
export function monitoringProblems(props: MonitoringProps): string[] {
  const problems: string[] = [];
  const { prometheus, alertmanager, naming } = props;
  if (prometheus.retentionSizeGiB >= prometheus.storageGiB) {
    problems.push(`prometheus.retentionSizeGiB ${prometheus.retentionSizeGiB} must be below storageGiB ${prometheus.storageGiB} (the volume also holds the WAL)`);
  }
  for (const [what, replicas] of [["prometheus", prometheus.replicas], ["alertmanager", alertmanager.replicas]] as const) {
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) problems.push(`${what}.replicas ${replicas} must be a whole number from 1 to 5`);
  }
  // Receiver secrets are named relative to the scope's prefix, the only secrets External Secrets may read here.
  for (const receiver of alertmanager.receivers) {
    if (!RELATIVE_SECRET_NAME.test(receiver.credentialsSecret)) {
      problems.push(`receiver ${receiver.name}: credentialsSecret "${receiver.credentialsSecret}" must be a secret name relative to ${naming.prefix}/, e.g. alertmanager/${receiver.name}`);
    } else if (receiver.credentialsSecret.startsWith(`${naming.prefix}/`)) {
      problems.push(
        `receiver ${receiver.name}: credentialsSecret "${receiver.credentialsSecret}" is relative to ${naming.prefix}/ already; write "${receiver.credentialsSecret.slice(naming.prefix.length + 1)}"`,
      );
    }
  }
  const names = alertmanager.receivers.map((receiver) => receiver.name);
  const dupes = names.filter((name, index) => names.indexOf(name) !== index);
  if (dupes.length > 0) problems.push(`duplicate receiver names: ${[...new Set(dupes)].join(", ")}`);
  const targets = props.scrapeTargets ?? [];
  const targetNames = targets.map((target) => target.name);
  const dupeTargets = targetNames.filter((name, index) => targetNames.indexOf(name) !== index);
  if (dupeTargets.length > 0) problems.push(`duplicate scrape target names: ${[...new Set(dupeTargets)].join(", ")}`);
  for (const target of targets) {
    if (!K8S_NAME.test(target.name)) problems.push(`scrape target "${target.name}" is not a Kubernetes name`);
    if (Object.keys(target.selector).length === 0) problems.push(`scrape target ${target.name}: an empty selector would scrape every ${target.kind} of ${target.namespace}`);
  }
  if (props.lokiUrl !== undefined && !/^http:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/.test(props.lokiUrl)) {
    problems.push(`lokiUrl "${props.lokiUrl}" must be an in-cluster http:// service URL`);
  }
  return problems;
}

export class Monitoring extends Construct {
  readonly namespace: NamespaceV1;
  readonly release: Release;
  readonly cloudwatchExporter?: Release;
  readonly identities: Readonly<Record<"alertmanager" | "grafana", WorkloadIdentity>> & { readonly cloudwatchExporter?: WorkloadIdentity };
  /** The values passed to kube-prometheus-stack (for tests and reviews). */
  readonly values: KubePrometheusStackOverrides;
  /** The receivers' credential secrets (created empty), by Secrets Manager name. */
  readonly receiverSecrets: ReadonlyMap<string, SecretsmanagerSecret>;
  /** Whether each receiver secret has a value (see constructs/secret-values). */
  readonly secretGates: readonly SecretValueGate[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const problems = monitoringProblems(props);
    if (problems.length > 0) throw new MonitoringError(`Monitoring ${id}:\n  - ${problems.join("\n  - ")}`);
    const { account, naming, clusterName } = props;
    const partition = partitionOf(account.region);

    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: MONITORING_NAMESPACE,
        labels: {
          "app.kubernetes.io/managed-by": "cdktf",
          "pod-security.kubernetes.io/enforce": MONITORING_POD_SECURITY,
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });

    const identity = (name: string, serviceAccount: string, statements: WorkloadPolicyStatement[]) =>
      new WorkloadIdentity(this, `${name}-identity`, {
        account,
        clusterName,
        namespace: MONITORING_NAMESPACE,
        serviceAccount,
        roleName: naming.name("iam-role", name),
        statements,
      });

    const topicArn = `arn:${partition}:sns:${account.region}:${account.accountId}:${props.alertsTopic.name}`;
    const topicKey = new DataAwsKmsAlias(this, "alerts-topic-key", { name: props.alertsTopic.keyAlias });
    const alertmanagerIdentity = identity("alertmanager", ALERTMANAGER_SERVICE_ACCOUNT, [
      { sid: "PublishAlerts", actions: ["sns:Publish"], resources: [topicArn] },
      // The topic is encrypted with its own key; publishing needs a data key from it.
      { sid: "EncryptAlerts", actions: ["kms:GenerateDataKey*", "kms:Decrypt"], resources: [topicKey.targetKeyArn] },
    ]);
    const grafanaIdentity = identity("grafana", GRAFANA_SERVICE_ACCOUNT, cloudwatchReadStatements(account, true));

    // Receiver credentials: one empty secret per distinct credentialsSecret, seeded by a human, synced by External
    // Secrets (the ExternalSecrets the chart renders). Alertmanager starts without them (optional volumes, see values.ts).
    const receiverSecrets = new Map<string, SecretsmanagerSecret>();
    const gates: SecretValueGate[] = [];
    for (const receiver of props.alertmanager.receivers) {
      const name = receiverSecretsManagerName(naming, receiver);
      if (receiverSecrets.has(name)) continue;
      const users = props.alertmanager.receivers.filter((other) => other.credentialsSecret === receiver.credentialsSecret).map((other) => other.name);
      // Construct ids are API: derived from the configured name ('/' is the construct path separator).
      const secretId = `receiver-secret-${receiver.credentialsSecret.replaceAll("/", "~")}`;
      const secret = new SecretsmanagerSecret(this, secretId, {
        name,
        description: `Alertmanager receiver credentials (${users.join(", ")}); value set out of band, synced by External Secrets`,
        kmsKeyId: props.receiverSecrets.keyAlias,
        recoveryWindowInDays: props.receiverSecrets.recoveryWindowDays,
        lifecycle: { preventDestroy: props.receiverSecrets.protect },
      });
      receiverSecrets.set(name, secret);
      gates.push(new SecretValueGate(this, `${secretId}-value`, { secret, name }));
    }
    this.receiverSecrets = receiverSecrets;
    this.secretGates = gates;

    const dashboards = props.dashboards ?? loadDashboards();
    this.values = kubePrometheusStackValues({
      namespace: MONITORING_NAMESPACE,
      region: account.region,
      prometheus: props.prometheus,
      alertmanager: props.alertmanager,
      grafana: props.grafana,
      externalLabels: props.externalLabels ?? { cluster: clusterName },
      rules: props.alertRules.rulesMap,
      scrapeTargets: props.scrapeTargets ?? [],
      dashboards,
      alertsTopicArn: topicArn,
      secretsNaming: naming,
      ...(props.lokiUrl ? { lokiUrl: props.lokiUrl } : {}),
    });
    this.release = chartRelease(this, "release", {
      chart: "kube-prometheus-stack",
      name: MONITORING_RELEASE,
      namespace: MONITORING_NAMESPACE,
      overrides: this.values,
      // The receivers' ExternalSecrets find their Secrets Manager secrets.
      dependsOn: [this.namespace, alertmanagerIdentity.association, grafanaIdentity.association, ...receiverSecrets.values(), ...(props.dependsOn ?? [])],
    });

    let exporterIdentity: WorkloadIdentity | undefined;
    if (props.cloudwatchExporter.enabled) {
      exporterIdentity = identity("cloudwatch-exporter", CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT, cloudwatchReadStatements(account, false));
      const searchTags = props.cloudwatchSearchTags ?? (naming.scope.environment ? { Environment: naming.scope.environment } : {});
      this.cloudwatchExporter = chartRelease(this, "cloudwatch-exporter", {
        chart: "prometheus-yet-another-cloudwatch-exporter",
        name: CLOUDWATCH_EXPORTER_RELEASE,
        namespace: MONITORING_NAMESPACE,
        overrides: {
          serviceAccount: { create: true, name: CLOUDWATCH_EXPORTER_SERVICE_ACCOUNT },
          config: stringify(cloudwatchExporterConfig(account.region, props.cloudwatchExporter.periodSeconds, searchTags)),
        },
        // Its ServiceMonitor needs the operator's CRDs.
        dependsOn: [this.release, exporterIdentity.association],
      });
    }
    this.identities = { alertmanager: alertmanagerIdentity, grafana: grafanaIdentity, ...(exporterIdentity ? { cloudwatchExporter: exporterIdentity } : {}) };
  }
}

/**
 * Read-only CloudWatch access. CloudWatch metric reads and resource tag lookups have no resource-level
 * permissions, hence `*` (with the reason recorded).
 */
export function cloudwatchReadStatements(account: AccountScope, withLogs: boolean): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  return [
    {
      sid: "ReadMetrics",
      actions: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:GetMetricStatistics", "tag:GetResources"],
      resources: ["*"],
      justification: "CloudWatch metric reads and the tagging API have no resource-level permissions",
    },
    ...(withLogs
      ? [
          {
            sid: "QueryLogs",
            actions: ["logs:DescribeLogGroups", "logs:GetLogGroupFields", "logs:StartQuery", "logs:GetLogEvents"],
            resources: [`arn:${partition}:logs:${account.region}:${account.accountId}:log-group:*`],
          },
          {
            sid: "FollowLogQueries",
            actions: ["logs:GetQueryResults", "logs:StopQuery", "logs:DescribeQueries"],
            resources: ["*"],
            justification: "Logs Insights query results are addressed by query id, not by a resource ARN",
          },
        ]
      : []),
  ];
}
