import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { releaseValuesProblems } from "../../../charts/values-check";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { ObservabilitySchema, type ObservabilityConfig, type ReceiverConfig } from "../../../config/schema/observability";
import { AlertRules } from "../../../constructs/alert-rules";
import { Naming } from "../../../constructs/core/naming";
import { DEFAULT_STORAGE_CLASS } from "../../../constructs/core/platform-contracts";
import { loadDashboards, Monitoring, MonitoringError, parseDashboard, type MonitoringProps, type ScrapeTarget } from "../../../constructs/monitoring";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const config = (profile: keyof typeof PROFILE_DEFAULTS): ObservabilityConfig => ObservabilitySchema.parse(PROFILE_DEFAULTS[profile].observability);
const naming = new Naming({ project: "acme", environment: "prod" });
const PAGERDUTY: ReceiverConfig = { name: "oncall", type: "pagerduty", severities: ["critical"], credentialsSecret: "alertmanager/pagerduty", sendResolved: true };
const RECEIVERS: ReceiverConfig[] = [
  PAGERDUTY,
  { name: "team", type: "slack", channel: "#alerts", severities: ["critical", "warning"], credentialsSecret: "alertmanager/slack", sendResolved: true },
  {
    name: "mail",
    type: "email",
    severities: ["warning"],
    to: ["ops@example.com"],
    from: "alertmanager@example.com",
    smarthost: "email-smtp.eu-west-1.amazonaws.com:587",
    username: "AKIA-SMTP-USER",
    credentialsSecret: "alertmanager/smtp",
    credentialsKey: "smtpPassword",
    sendResolved: false,
  },
];
const SERVICE_TARGET: ScrapeTarget = { name: "noor-backend", namespace: "noor", kind: "service", selector: { "app.kubernetes.io/name": "backend" }, port: "http", path: "/metrics" };
const TARGETS: ScrapeTarget[] = [
  SERVICE_TARGET,
  { name: "smartedu-ai-worker", namespace: "smartedu", kind: "pod", selector: { "app.kubernetes.io/name": "ai-worker" }, port: "metrics", path: "/metrics", interval: "15s" },
];

function props(profile: keyof typeof PROFILE_DEFAULTS, overrides: Partial<MonitoringProps> = {}): MonitoringProps {
  const o = config(profile);
  return {
    naming,
    account: TEST_ACCOUNT,
    clusterName: "acme-prod-eks",
    prometheus: o.prometheus,
    alertmanager: { ...o.alertmanager, receivers: RECEIVERS },
    grafana: o.grafana,
    cloudwatchExporter: o.cloudwatchExporter,
    alertRules: new AlertRules(o.alertRules),
    alertsTopic: { name: "acme-prod-alerts", keyAlias: "alias/acme-prod-alerts" },
    externalLabels: { environment: "prod", cluster: "acme-prod-eks" },
    scrapeTargets: TARGETS,
    lokiUrl: "http://loki-gateway.logging.svc.cluster.local",
    receiverSecrets: { keyAlias: "alias/acme-prod-data", recoveryWindowDays: 30, protect: true },
    ...overrides,
  };
}

/** Parsed Helm values, navigated freely by the assertions. */
// oxlint-disable-next-line typescript/no-explicit-any -- a YAML document of unknown shape; each assertion states what it expects
type Values = Record<string, any>;

function releaseValues(json: Synthesized, name: string): Values {
  const release = Object.values(resourcesOf(json, "helm_release")).find((item) => item.name === name);
  if (!release) throw new Error(`no release ${name}`);
  return (release.values as string[]).map((text) => parse(text) as Record<string, unknown>).reduce((acc, doc) => ({ ...acc, ...doc }), {});
}

const prod = synthConstruct((scope) => new Monitoring(scope, "monitoring", props("production")));
const prodValues = releaseValues(prod.json, "kube-prometheus-stack");
const dev = synthConstruct((scope) => new Monitoring(scope, "monitoring", props("development", { alertmanager: { ...config("development").alertmanager, receivers: [] } })));
const devValues = releaseValues(dev.json, "kube-prometheus-stack");

describe("Monitoring defaults (production)", () => {
  it("installs kube-prometheus-stack and the CloudWatch exporter at pinned versions in the monitoring namespace", () => {
    const releases = resourceList(prod.json, "helm_release");
    expect(releases.map((release) => [release.chart, release.version, release.namespace]).sort()).toEqual([
      ["kube-prometheus-stack", "88.5.3", "monitoring"],
      ["prometheus-yet-another-cloudwatch-exporter", "0.47.0", "monitoring"],
    ]);
    expect(resourceList(prod.json, "kubernetes_namespace_v1")[0]).toMatchObject({ metadata: { name: "monitoring" } });
  });

  it("passes only values keys that exist in the pinned charts", () => {
    expect(releaseValuesProblems(prod.json)).toEqual([]);
    expect(releaseValuesProblems(dev.json)).toEqual([]);
  });

  it("keeps Prometheus by time and size on encrypted persistent volumes, two replicas spread across zones", () => {
    const spec = prodValues.prometheus.prometheusSpec;
    expect(spec).toMatchObject({ replicas: 2, retention: "15d", retentionSize: "45GiB", podAntiAffinity: "hard", podAntiAffinityTopologyKey: "topology.kubernetes.io/zone" });
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({ storageClassName: DEFAULT_STORAGE_CLASS, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } });
    expect(prodValues.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });

  it("gives Alertmanager persistence and receivers whose credentials are files synced by External Secrets", () => {
    const alertmanager = prodValues.alertmanager;
    expect(alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe(DEFAULT_STORAGE_CLASS);
    // Optional volumes (not alertmanagerSpec.secrets, which the operator mounts required): a receiver whose credential
    // is not seeded yet does not keep Alertmanager from starting.
    expect(alertmanager.alertmanagerSpec.secrets).toBeUndefined();
    expect(alertmanager.alertmanagerSpec.volumes).toEqual(
      ["oncall", "team", "mail"].map((name) => ({ name: `receiver-${name}`, secret: { secretName: `alertmanager-${name}`, optional: true } })),
    );
    expect(alertmanager.alertmanagerSpec.volumeMounts).toEqual(
      ["oncall", "team", "mail"].map((name) => ({ name: `receiver-${name}`, mountPath: `/etc/alertmanager/secrets/alertmanager-${name}`, readOnly: true })),
    );
    const receivers = alertmanager.config.receivers as Values[];
    expect(receivers.map((receiver) => receiver.name)).toEqual(["null", "alerts-topic", "oncall", "team", "mail"]);
    expect(receivers[1]?.sns_configs[0]).toMatchObject({ topic_arn: "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts", sigv4: { region: "eu-west-1" } });
    expect(receivers[2]?.pagerduty_configs[0]).toEqual({ send_resolved: true, routing_key_file: "/etc/alertmanager/secrets/alertmanager-oncall/credential" });
    expect(receivers[3]?.slack_configs[0]).toMatchObject({ api_url_file: "/etc/alertmanager/secrets/alertmanager-team/credential", channel: "#alerts" });
    expect(receivers[4]?.email_configs[0]).toMatchObject({ auth_password_file: "/etc/alertmanager/secrets/alertmanager-mail/credential", require_tls: true, to: "ops@example.com" });
    const secrets = (prodValues.extraManifests as Values[]).filter((item) => item.kind === "ExternalSecret" && item.metadata.name.startsWith("alertmanager-"));
    expect(secrets.map((item) => item.spec.data[0].remoteRef)).toEqual([
      { key: "acme-prod/alertmanager/pagerduty", property: "routingKey" },
      { key: "acme-prod/alertmanager/slack", property: "webhookUrl" },
      { key: "acme-prod/alertmanager/smtp", property: "smtpPassword" },
    ]);
    expect(secrets[0]?.spec.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "aws-secrets-manager" });
  });

  it("creates each receiver's credential secret empty, with the data key, before the chart's ExternalSecrets read it", () => {
    const secrets = resourceList(prod.json, "aws_secretsmanager_secret");
    expect(secrets.map((secret) => [secret.name, secret.kms_key_id, secret.recovery_window_in_days, secret.lifecycle])).toEqual([
      ["acme-prod/alertmanager/pagerduty", "alias/acme-prod-data", 30, { prevent_destroy: true }],
      ["acme-prod/alertmanager/slack", "alias/acme-prod-data", 30, { prevent_destroy: true }],
      ["acme-prod/alertmanager/smtp", "alias/acme-prod-data", 30, { prevent_destroy: true }],
    ]);
    expect(resourceList(prod.json, "aws_secretsmanager_secret_version")).toEqual([]);
    const release = Object.values(resourcesOf(prod.json, "helm_release")).find((item) => item.name === "kube-prometheus-stack") as { depends_on: string[] };
    for (const address of Object.keys(resourcesOf(prod.json, "aws_secretsmanager_secret"))) expect(release.depends_on).toContain(`aws_secretsmanager_secret.${address}`);
    // Whether each has a value is read (versions only, never the value) for the stack's output.
    expect(Object.values(prod.json.data?.aws_secretsmanager_secret_versions ?? {}).map((source) => source.secret_id)).toHaveLength(3);
  });

  it("creates one secret for receivers that share it", () => {
    const shared = synthConstruct((scope) =>
      new Monitoring(scope, "monitoring", props("production", { alertmanager: { ...config("production").alertmanager, receivers: [PAGERDUTY, { ...PAGERDUTY, name: "oncall-2" }] } })),
    );
    expect(resourceList(shared.json, "aws_secretsmanager_secret").map((secret) => secret.name)).toEqual(["acme-prod/alertmanager/pagerduty"]);
  });

  it("routes by severity: the alerts topic and each receiver get the severities configured, Watchdog goes nowhere", () => {
    const route = prodValues.alertmanager.config.route;
    expect(route).toMatchObject({ receiver: "null", group_by: ["alertname", "namespace", "severity"], repeat_interval: "4h" });
    expect(route.routes).toEqual([
      { receiver: "null", matchers: ['alertname = "Watchdog"'] },
      { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
      { receiver: "alerts-topic", matchers: ['severity =~ "critical|warning"'], continue: true },
      { receiver: "oncall", matchers: ['severity =~ "critical"'], continue: true },
      { receiver: "team", matchers: ['severity =~ "critical|warning"'], continue: true },
      { receiver: "mail", matchers: ['severity =~ "warning"'], continue: true },
    ]);
  });

  it("puts no webhook URL, routing key or password in the synthesized JSON", () => {
    expect(prod.text).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com|"(api_url|routing_key|service_key|auth_password|smtp_auth_password)"\s*:/);
    expect(prod.text).not.toMatch(/adminPassword/);
  });

  it("gives Grafana persistence, admin credentials from a generated secret, data sources and the repository's dashboards", () => {
    const grafana = prodValues.grafana;
    expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    expect(grafana.persistence).toMatchObject({ enabled: true, size: "10Gi" });
    expect((grafana.additionalDataSources as Record<string, unknown>[]).map((source) => source.type)).toEqual(["cloudwatch", "loki"]);
    const provisioned = Object.keys(grafana.dashboards.platform).sort();
    expect(provisioned).toEqual(loadDashboards().map((dashboard) => dashboard.name).sort());
    expect(provisioned.length).toBeGreaterThanOrEqual(4);
    const generator = (prodValues.extraManifests as Values[]).find((item) => item.kind === "Password");
    expect(generator?.spec.length).toBe(32);
    const admin = (prodValues.extraManifests as Values[]).find((item) => item.metadata.name === "grafana-admin" && item.kind === "ExternalSecret");
    expect(admin?.spec).toMatchObject({ refreshPolicy: "CreatedOnce", target: { template: { mergePolicy: "Merge", data: { "admin-user": "admin" } } } });
  });

  it("renders the alert rules and the workload monitors through the chart's values", () => {
    const groups = prodValues.additionalPrometheusRulesMap["platform-alerts"].groups as { rules: unknown[] }[];
    expect(groups.flatMap((group) => group.rules).length).toBeGreaterThanOrEqual(12);
    expect(prodValues.prometheus.additionalServiceMonitors).toEqual([
      { name: "noor-backend", namespaceSelector: { matchNames: ["noor"] }, selector: { matchLabels: { "app.kubernetes.io/name": "backend" } }, endpoints: [{ port: "http", path: "/metrics" }] },
    ]);
    expect(prodValues.prometheus.additionalPodMonitors).toEqual([
      {
        name: "smartedu-ai-worker",
        namespaceSelector: { matchNames: ["smartedu"] },
        selector: { matchLabels: { "app.kubernetes.io/name": "ai-worker" } },
        podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "15s" }],
      },
    ]);
    expect(resourceList(prod.json, "kubernetes_manifest")).toEqual([]);
  });

  it("binds Alertmanager to the alerts topic and Grafana to read-only CloudWatch with Pod Identity", () => {
    const associations = resourceList(prod.json, "aws_eks_pod_identity_association").map((item) => `${item.namespace}/${item.service_account}`);
    expect(associations.sort()).toEqual(["monitoring/alertmanager", "monitoring/cloudwatch-exporter", "monitoring/grafana"]);
    const documents = Object.values(prod.json.data?.aws_iam_policy_document ?? {}).map((document) => JSON.stringify(document));
    expect(documents.some((document) => document.includes('"sns:Publish"') && document.includes("arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts"))).toBe(true);
    expect(documents.some((document) => document.includes("cloudwatch:GetMetricData"))).toBe(true);
  });

  it("configures the CloudWatch exporter to discover the environment's resources by tag", () => {
    const exporter = releaseValues(prod.json, "cloudwatch-exporter");
    const exporterConfig = parse(exporter.config as string) as { discovery: { jobs: { type: string; searchTags: unknown; period: number }[] } };
    expect(exporterConfig.discovery.jobs.map((job) => job.type)).toEqual(["AWS/RDS", "AWS/DocDB", "AWS/ElastiCache", "AWS/ES", "AWS/AmazonMQ", "AWS/ApplicationELB"]);
    expect(exporterConfig.discovery.jobs[0]).toMatchObject({ searchTags: [{ key: "Environment", value: "prod" }], period: 300 });
  });
});

describe("Monitoring production vs development", () => {
  it("runs single replicas without zone anti-affinity or disruption budgets in development", () => {
    expect(devValues.prometheus.prometheusSpec).toMatchObject({ replicas: 1, retention: "3d", retentionSize: "9GiB" });
    expect(devValues.prometheus.prometheusSpec.podAntiAffinity).toBeUndefined();
    expect(devValues.prometheus.podDisruptionBudget.enabled).toBe(false);
    expect(devValues.alertmanager.alertmanagerSpec.replicas).toBe(1);
  });

  it("sends nothing to the alerts topic in development and installs no CloudWatch exporter", () => {
    expect((devValues.alertmanager.config.receivers as { name: string }[]).map((receiver) => receiver.name)).toEqual(["null"]);
    expect(resourceList(dev.json, "helm_release")).toHaveLength(1);
  });

  it("leaves out the Loki data source and the logs dashboard without Loki", () => {
    const withoutLoki = synthConstruct((scope) => new Monitoring(scope, "monitoring", props("development", { lokiUrl: undefined, alertmanager: { ...config("development").alertmanager, receivers: [] } })));
    const grafana = releaseValues(withoutLoki.json, "kube-prometheus-stack").grafana;
    expect((grafana.additionalDataSources as { type: string }[]).map((source) => source.type)).toEqual(["cloudwatch"]);
    expect(Object.keys(grafana.dashboards.platform)).not.toContain("platform-logs");
  });
});

/** A thunk synthesizing Monitoring with `overrides`, for `expect(...).toThrow`. */
function build(overrides: Partial<MonitoringProps>): () => unknown {
  return () => synthConstruct((scope) => new Monitoring(scope, "monitoring", props("production", overrides)));
}

describe("Monitoring validation", () => {
  const o = config("production");

  it("rejects a retention size that does not leave room for the WAL", () => {
    expect(build({ prometheus: { ...o.prometheus, retentionSizeGiB: 50 } })).toThrow(/retentionSizeGiB 50 must be below storageGiB 50/);
  });

  it("rejects replica counts outside 1 to 5", () => {
    expect(build({ alertmanager: { ...o.alertmanager, replicas: 9 } })).toThrow(/alertmanager\.replicas 9 must be a whole number from 1 to 5/);
  });

  it("rejects a receiver secret that repeats the environment's prefix or is not a secret name", () => {
    const prefixed = [{ ...PAGERDUTY, credentialsSecret: "acme-prod/alertmanager/pagerduty" }];
    expect(build({ alertmanager: { ...o.alertmanager, receivers: prefixed } })).toThrow(/is relative to acme-prod\/ already; write "alertmanager\/pagerduty"/);
    const invalid = [{ ...PAGERDUTY, credentialsSecret: "/absolute//name" }];
    expect(build({ alertmanager: { ...o.alertmanager, receivers: invalid } })).toThrow(/must be a secret name relative to acme-prod\//);
  });

  it("rejects duplicate receiver names", () => {
    expect(build({ alertmanager: { ...o.alertmanager, receivers: [PAGERDUTY, PAGERDUTY] } })).toThrow(MonitoringError);
    expect(build({ alertmanager: { ...o.alertmanager, receivers: [PAGERDUTY, PAGERDUTY] } })).toThrow(/duplicate receiver names: oncall/);
  });

  it("rejects duplicate scrape targets and an empty selector", () => {
    expect(build({ scrapeTargets: [SERVICE_TARGET, SERVICE_TARGET] })).toThrow(/duplicate scrape target names: noor-backend/);
    expect(build({ scrapeTargets: [{ ...SERVICE_TARGET, selector: {} }] })).toThrow(/an empty selector would scrape every service of noor/);
    expect(build({ scrapeTargets: [{ ...SERVICE_TARGET, name: "Noor_Backend" }] })).toThrow(/scrape target "Noor_Backend" is not a Kubernetes name/);
  });

  it("rejects a Loki URL that is not an in-cluster http service", () => {
    expect(build({ lokiUrl: "https://logs.example.com/" })).toThrow(/lokiUrl "https:\/\/logs.example.com\/" must be an in-cluster http:\/\/ service URL/);
  });

  it("rejects a product dashboard whose uid the platform uses, and one reading Loki without Loki", () => {
    const [platform] = loadDashboards();
    const clash = { product: "noor", dashboards: [{ ...SHOP, uid: platform?.uid ?? "" }] };
    expect(build({ productDashboards: [clash] })).toThrow(/dashboard uid "platform-cluster" of product noor \(shop\) is also the platform \(platform-cluster\)'s/);
    const logs = { product: "noor", dashboards: [{ ...SHOP, datasources: ["loki"] }] };
    expect(build({ productDashboards: [logs], lokiUrl: undefined })).toThrow(/dashboard shop of product noor reads the loki data source/);
    expect(build({ productDashboards: [{ product: "noor", dashboards: [SHOP] }, { product: "noor", dashboards: [] }] })).toThrow(/productDashboards lists product noor twice/);
  });
});

const SHOP = parseDashboard("shop.json", JSON.stringify({ uid: "shop", title: "Shop", panels: [{ type: "stat", datasource: { uid: "prometheus" }, targets: [{ expr: "up" }] }] }));

describe("Monitoring: a product's dashboards", () => {
  const synthesized = synthConstruct((scope) => new Monitoring(scope, "monitoring", props("production", { productDashboards: [{ product: "shop", dashboards: [SHOP] }] })));
  const grafana = releaseValues(synthesized.json, "kube-prometheus-stack").grafana;

  it("provisions them read-only in a folder named after the product, beside the platform's", () => {
    expect(grafana.dashboardProviders["dashboardproviders.yaml"].providers).toEqual([
      expect.objectContaining({ name: "platform", folder: "Platform" }),
      { name: "product-shop", orgId: 1, folder: "shop", type: "file", disableDeletion: true, editable: false, options: { path: "/var/lib/grafana/dashboards/product-shop" } },
    ]);
    expect(grafana.dashboards["product-shop"]).toEqual({ shop: { json: SHOP.json } });
    expect(releaseValuesProblems(synthesized.json)).toEqual([]);
  });

  it("adds no provider for a product without dashboards (the default)", () => {
    expect(Object.keys(prodValues.grafana.dashboards)).toEqual(["platform"]);
  });
});
