/**
 * How a workload rolls out beyond the Deployment's own rolling update: restarts on Secret changes (Reloader) and
 * progressive delivery (Argo Rollouts with an analysis on the product's HTTP metrics).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_HTTP_METRICS } from "../../../constructs/alert-rules/rules";
import { PROMETHEUS_URL } from "../../../constructs/core/platform-contracts";
import { MONITORING_RELEASE } from "../../../constructs/monitoring";
import { Workload, type RolloutSettings, type WorkloadProps } from "../../../constructs/workload";
import { analysisQueries, durationSeconds } from "../../../constructs/workload/rollout";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { naming, policyOf, WEB, workloadSpec } from "./fixtures";
import type { Json } from "./fixtures";

const policy = policyOf("production");
const SETTINGS: RolloutSettings = {
  strategy: "canary",
  analysis: { interval: "1m", measurements: 5, failureLimit: 1, errorRatePercent: 2, latencyP95Seconds: 0.5 },
  httpMetrics: DEFAULT_HTTP_METRICS,
};

function props(overrides: Partial<WorkloadProps> = {}): WorkloadProps {
  return {
    name: "web",
    namespace: "shop",
    product: "shop",
    spec: workloadSpec({ ...WEB, ingress: undefined, ports: { http: 8080, metrics: 9090 }, metrics: { port: "metrics" } }),
    policy,
    naming,
    account: TEST_ACCOUNT,
    clusterName: naming.clusterName,
    network: { loadBalancerCidrs: ["10.0.0.0/24"] },
    ...overrides,
  };
}

const synth = (overrides: Partial<WorkloadProps> = {}) => {
  let workload: Workload | undefined;
  const { json } = synthConstruct((scope) => {
    workload = new Workload(scope, "workload", props(overrides));
  });
  return { json, workload: workload as Workload };
};

describe("restarts on Secret changes (Reloader)", () => {
  it("by default names no Secret and ignores only the HPA's replica count", () => {
    const [deployment] = (resourceList(synth().json, "kubernetes_deployment_v1") as Json[]);
    expect(deployment?.metadata.annotations).toBeUndefined();
    expect(deployment?.lifecycle).toEqual({ ignore_changes: ["spec[0].replicas"] });
  });

  it("names the Secrets the pods read and leaves Reloader's restart annotation alone", () => {
    const [deployment] = (resourceList(synth({ reloadSecrets: ["secret-oauth", "db-main", "secret-oauth"] }).json, "kubernetes_deployment_v1") as Json[]);
    expect(deployment?.metadata.annotations).toEqual({ "secret.reloader.stakater.com/reload": "db-main,secret-oauth" });
    expect(deployment?.lifecycle).toEqual({
      ignore_changes: ["spec[0].replicas", 'spec[0].template[0].metadata[0].annotations["reloader.stakater.com/last-reloaded-from"]'],
    });
  });
});

describe("progressive delivery (Argo Rollouts)", () => {
  it("canary: a Rollout referencing the Deployment, the HPA scaling the Rollout, an analysis on the new pods' requests", () => {
    const { json, workload } = synth({ progressiveDelivery: SETTINGS });
    const rollout = workload.rollout;
    expect(rollout).toMatchObject({ name: "web", selector: { "app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop" }, prometheusUrl: PROMETHEUS_URL });
    // The HPA owns the count: the Rollout leaves it unset.
    expect(rollout?.replicas).toBeUndefined();
    expect(rollout?.strategy).toEqual({
      canary: {
        steps: [{ setWeight: 20 }, { pause: { duration: "2m" } }, { setWeight: 50 }, { pause: { duration: "2m" } }],
        analysis: { templates: [{ templateName: "web-rollback" }], startingStep: 1, args: [{ name: "pod-hash", valueFrom: { podTemplateHashValue: "Latest" } }] },
      },
    });
    expect(rollout?.analysis.metrics.map((metric) => [metric.name, metric.successCondition, metric.failureLimit, metric.count])).toEqual([
      ["error-rate-percent", "len(result) == 0 || isNaN(result[0]) || result[0] <= 2", 1, undefined],
      ["latency-p95-seconds", "len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5", 1, undefined],
    ]);
    const [hpa] = (resourceList(json, "kubernetes_horizontal_pod_autoscaler_v2") as Json[]);
    expect(hpa?.spec.scale_target_ref).toEqual({ api_version: "argoproj.io/v1alpha1", kind: "Rollout", name: "web" });
    const [deployment] = (resourceList(json, "kubernetes_deployment_v1") as Json[]);
    expect(deployment?.lifecycle).toEqual({ ignore_changes: ["spec[0].replicas"] });
    expect((resourceList(json, "kubernetes_service_v1") as Json[])).toHaveLength(1);
  });

  it("queries the product's own metric names, scoped to the new version's pods", () => {
    const http = { requests: "shop_http_total", statusLabel: "code", duration: "shop_latency", durationKind: "summary" as const };
    expect(analysisQueries({ name: "web", namespace: "shop", interval: "2m", http })).toEqual({
      errorRate: 'sum(rate(shop_http_total{namespace="shop", pod=~"web-{{args.pod-hash}}-.*", code=~"5.."}[2m])) / sum(rate(shop_http_total{namespace="shop", pod=~"web-{{args.pod-hash}}-.*"}[2m])) * 100',
      latencyP95: 'max(shop_latency{namespace="shop", pod=~"web-{{args.pod-hash}}-.*", quantile="0.95"})',
    });
    expect(analysisQueries({ name: "web", namespace: "shop", interval: "1m", http: DEFAULT_HTTP_METRICS }).latencyP95).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop", pod=~"web-{{args.pod-hash}}-.*"}[1m])))',
    );
    expect(PROMETHEUS_URL).toContain(`${MONITORING_RELEASE}-prometheus.monitoring.svc`);
  });

  it("blue-green: a preview Service, both selectors left to Argo Rollouts, the old version kept through the analysis", () => {
    const spec = workloadSpec({ ...WEB, ingress: undefined, autoscaling: undefined, replicas: 3, ports: { http: 8080, metrics: 9090 }, metrics: { port: "metrics" } });
    const { json, workload } = synth({ spec, progressiveDelivery: { ...SETTINGS, strategy: "blueGreen" } });
    expect(workload.rollout?.replicas).toBe(3);
    expect(workload.rollout?.strategy).toEqual({
      blueGreen: {
        activeService: "web",
        previewService: "web-preview",
        autoPromotionEnabled: true,
        scaleDownDelaySeconds: 5 * 60 + 60,
        postPromotionAnalysis: { templates: [{ templateName: "web-rollback" }], args: [{ name: "pod-hash", valueFrom: { podTemplateHashValue: "Latest" } }] },
      },
    });
    expect(workload.rollout?.analysis.metrics.every((metric) => metric.count === 5)).toBe(true);
    const services = (resourceList(json, "kubernetes_service_v1") as Json[]).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
    expect(services.map((service) => [service.metadata.name, service.lifecycle])).toEqual([
      ["web", { ignore_changes: ["spec[0].selector"] }],
      ["web-preview", { ignore_changes: ["spec[0].selector"] }],
    ]);
    // Not selected by the workload's ServiceMonitor (it selects by name and instance).
    expect(services[1]?.metadata.labels["app.kubernetes.io/name"]).toBeUndefined();
  });

  it("is ignored for a worker (the schema rejects it there) and reads durations", () => {
    const worker = workloadSpec({ kind: "worker", image: WEB.image, health: { path: "/healthz" }, ports: { http: 8080 } });
    expect(synth({ spec: worker, progressiveDelivery: SETTINGS }).workload.rollout).toBeUndefined();
    expect(durationSeconds("2m")).toBe(120);
    expect(() => durationSeconds("two minutes")).toThrow(/"two minutes" is not a duration such as 30s, 2m or 1h/);
  });
});
