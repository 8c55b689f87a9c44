/**
 * Observability end to end: from the bundled configuration to the synthesized prod stacks.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { releaseValuesProblems } from "../../charts/values-check";
import { loadConfig, type PlatformConfig } from "../../config/loader";
import { buildStacks, bundledStackJson, resourceList, synthJson, tempConfig, type Synthesized } from "../support/synth";
import { promqlErrors } from "../constructs/alert-rules/promql";

/** Parsed Helm values, navigated freely by the assertions. */
// oxlint-disable-next-line typescript/no-explicit-any -- a YAML document of unknown shape; each assertion states what it expects
type Values = Record<string, any>;

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
}

function release(json: Synthesized, name: string): Record<string, unknown> {
  const found = resourceList(json, "helm_release").find((item) => item.name === name);
  if (!found) throw new Error(`no helm_release ${name}`);
  return found;
}

function values(json: Synthesized, name: string): Values {
  return (release(json, name).values as string[]).map((text) => parse(text) as Values).reduce((acc, doc) => ({ ...acc, ...doc }), {});
}

function rulesOf(json: Synthesized): Rule[] {
  const groups = values(json, "kube-prometheus-stack").additionalPrometheusRulesMap["platform-alerts"].groups as { rules: Rule[] }[];
  return groups.flatMap((group) => group.rules);
}

/** Synthesized JSON of one stack built from `config`. */
async function synthesize(config: PlatformConfig, names: string[], name: string): Promise<Synthesized> {
  const stack = (await buildStacks(config, { stackPatterns: names })).get(name);
  if (!stack) throw new Error(`stack ${name} was not built`);
  return synthJson(stack);
}

// Synthesized once for the whole run by test/support/global-setup.ts.
const infra = bundledStackJson("prod-infra");
const platform = bundledStackJson("prod-platform");
const platformText = JSON.stringify(platform);
const prodRules = rulesOf(platform);

describe("prod-platform observability", () => {
  it("installs the monitoring and logging releases", () => {
    const charts = resourceList(platform, "helm_release").map((item) => item.chart);
    expect(charts).toEqual(expect.arrayContaining(["kube-prometheus-stack", "prometheus-yet-another-cloudwatch-exporter", "loki", "fluent-bit"]));
    expect(release(platform, "kube-prometheus-stack").namespace).toBe("monitoring");
    expect(release(platform, "loki").namespace).toBe("logging");
    // Fluent Bit's ServiceMonitor needs the CRDs the monitoring release installs.
    expect(release(platform, "fluent-bit").depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^helm_release\.monitoring_release_/)]));
  });

  it("passes only values keys that exist in the pinned charts", () => {
    expect(releaseValuesProblems(platform)).toEqual([]);
  });

  it("has at least twelve alert rules derived from the configured thresholds, all valid PromQL", () => {
    expect(prodRules.length).toBeGreaterThanOrEqual(12);
    for (const rule of prodRules) expect(promqlErrors(rule.expr), `${rule.alert}: ${rule.expr}`).toEqual([]);
    // Murima's (products/murima.yaml: p95 above 2 s, read from its summary) and NOOR's (above 1 s) overrides get rules
    // of their own over their instances; everyone else keeps 500 ms.
    const latency = prodRules.filter((rule) => rule.alert === "HttpLatencyP95High");
    expect(latency.map((rule) => rule.expr.match(/> ([\d.]+)$/)?.[1])).toEqual(["0.5", "2", "1"]);
    expect(latency.map((rule) => rule.labels.product)).toEqual([undefined, "murima", "noor"]);
    expect(latency[1]?.expr).toBe('max by (namespace, service) (http_request_duration_seconds{namespace=~"murima|[a-z0-9]([-a-z0-9]*[a-z0-9])?-murima", quantile="0.95"}) > 2');
    expect(latency[1]?.for).toBe("10m");
    // Murima's own rule (the guide's HighErrorRate), limited to Murima's instances.
    const [own] = prodRules.filter((rule) => rule.alert === "MurimaHighErrorRate");
    expect(own).toMatchObject({ for: "5m", labels: { severity: "critical", product: "murima" } });
    expect(own?.expr).toContain('http_requests_total{namespace=~"murima|[a-z0-9]([-a-z0-9]*[a-z0-9])?-murima", status=~"5.."}');
  });

  it("provisions each product's dashboards in a folder of its own", () => {
    const grafana = values(platform, "kube-prometheus-stack").grafana;
    const providers = grafana.dashboardProviders["dashboardproviders.yaml"].providers as { name: string; folder: string; editable: boolean }[];
    expect(providers.map((provider) => [provider.name, provider.folder])).toEqual([["platform", "Platform"], ["product-murima", "murima"], ["product-noor", "noor"]]);
    expect(providers.every((provider) => !provider.editable)).toBe(true);
    expect(Object.keys(grafana.dashboards["product-noor"])).toEqual(["noor-overview"]);
    expect(JSON.parse(grafana.dashboards["product-murima"]["murima-overview"].json as string)).toMatchObject({ uid: "murima-overview", title: "Murima Overview" });
  });

  it("provisions the dashboards and routes alerts to the topic, PagerDuty and Slack", () => {
    const kps = values(platform, "kube-prometheus-stack");
    expect(Object.keys(kps.grafana.dashboards.platform)).toEqual(expect.arrayContaining(["platform-workloads", "platform-cluster", "platform-data-services", "platform-logs"]));
    expect((kps.alertmanager.config.route.routes as { receiver: string }[]).map((route) => route.receiver)).toEqual(["null", "null", "alerts-topic", "oncall-pagerduty", "platform-slack"]);
    const topicArn = kps.alertmanager.config.receivers[1].sns_configs[0].topic_arn as string;
    expect(topicArn).toBe("arn:aws:sns:eu-west-1:111111111111:acme-prod-alerts");
  });

  it("scrapes the workloads that declare a metrics endpoint, and External Secrets' sync status", () => {
    const monitors = values(platform, "kube-prometheus-stack").prometheus.additionalServiceMonitors as { name: string; namespaceSelector: unknown; selector: unknown; endpoints: unknown }[];
    expect(monitors.map((monitor) => monitor.name)).toEqual(["external-secrets", "noor-backend", "smartedu-backend"]);
    // The operator's metrics Service (enabled in its release): the ExternalSecretNotSynced rule reads it.
    expect(monitors[0]).toEqual({
      name: "external-secrets",
      namespaceSelector: { matchNames: ["external-secrets"] },
      selector: { matchLabels: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" } },
      endpoints: [{ port: "metrics", path: "/metrics" }],
    });
    expect(values(platform, "external-secrets").metrics).toEqual({ service: { enabled: true } });
    // The backend's network policy admits Prometheus on the metrics port.
    const policies = resourceList(platform, "kubernetes_network_policy_v1").filter((policy) => JSON.stringify(policy).includes('"kubernetes.io/metadata.name":"monitoring"'));
    expect(policies.length).toBeGreaterThanOrEqual(2);
  });

  it("puts no webhook URL or key in the synthesized JSON", () => {
    expect(platformText).not.toMatch(/hooks\.slack\.com|events\.pagerduty\.com|"(api_url|routing_key|service_key|auth_password)"\s*:/);
    expect(platformText).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });
});

describe("prod-infra alarms", () => {
  const alarms = resourceList(infra, "aws_cloudwatch_metric_alarm");
  const topic = Object.keys(infra.resource?.aws_sns_topic ?? {});

  it("has CloudWatch alarms for every data service, publishing to the encrypted alerts topic", () => {
    expect(topic).toHaveLength(1);
    expect(resourceList(infra, "aws_sns_topic")[0]?.kms_master_key_id).toBeDefined();
    const ref = `\${aws_sns_topic.${topic[0]}.arn}`;
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([ref]);
    const kinds = new Set(alarms.map((alarm) => String(alarm.namespace ?? "metric-query")));
    expect([...kinds]).toEqual(expect.arrayContaining(["AWS/RDS", "AWS/ElastiCache", "AWS/DocDB", "AWS/ES", "AWS/AmazonMQ", "metric-query"]));
  });
});

describe("thresholds flow from configuration into rules", () => {
  const dir = tempConfig({ set: { "environments/prod.yaml": { observability: { alertRules: { product: { httpErrorRatePercent: { threshold: 2.5 } } } } } } });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("changes the rule expression when the environment file changes a threshold", async () => {
    const changed = await synthesize(loadConfig(dir), ["prod-platform"], "prod-platform");
    const before = prodRules.find((rule) => rule.alert === "HttpErrorRateHigh");
    const after = rulesOf(changed).find((rule) => rule.alert === "HttpErrorRateHigh");
    expect(before?.expr).toMatch(/\* 100 > 1$/);
    expect(after?.expr).toMatch(/\* 100 > 2\.5$/);
  });
});
