/**
 * Progressive delivery of one web workload with Argo Rollouts (`progressiveDelivery` of the workload; the controller is
 * constructs/addons/argo-rollouts). The values rendered by the local chart charts/local/workload-rollouts:
 *
 * - A Rollout that references the workload's Deployment (`workloadRef`): Terraform keeps managing the Deployment, the
 *   single source of the pod template; Argo Rollouts runs the pods itself and scales the Deployment to zero once the
 *   Rollout is healthy (`scaleDown: onsuccess`), so the Deployment's `replicas` is ignored by Terraform and the HPA
 *   scales the Rollout (argoproj.io/docs: "Deployment reference", workloadRef.scaleDown).
 * - canary (no traffic router: the share of requests follows the share of replicas behind the workload's Service) with
 *   a background analysis from the first step on; blue-green with the workload's Service as the active one, a
 *   `<name>-preview` Service, automatic promotion and a post-promotion analysis, the old version kept running until
 *   the analysis has had time to finish (scaleDownDelaySeconds) so an abort switches straight back.
 * - An AnalysisTemplate `<name>-rollback` querying the cluster's Prometheus for the new version's own requests (its
 *   pods are `<name>-<pod-template-hash>-*`, the hash passed as an argument): 5xx share and p95 duration, with the
 *   product's HTTP metric names (`monitoring.httpMetrics`) and, by default, its alert thresholds (httpErrorRatePercent,
 *   httpLatencyP95Seconds). A measurement without traffic (no series, or NaN) passes: no requests is no evidence of
 *   failure. More than `failureLimit` failed measurements abort the rollout, which returns to the stable version.
 *
 * Pure: no cdktf.
 */
import type { HttpMetricNames } from "../alert-rules/rules";
import { PROMETHEUS_URL } from "../core/platform-contracts";

/** The canary steps when a workload names none: 20% for 2 minutes, 50% for 2 minutes, then everything. */
export const DEFAULT_CANARY_STEPS: readonly CanaryStep[] = [
  { weight: 20, pause: "2m" },
  { weight: 50, pause: "2m" },
];
/** Extra time the old blue-green version keeps running beyond the analysis (seconds). */
export const BLUE_GREEN_SCALE_DOWN_MARGIN_SECONDS = 60;
/** Argument of the analysis carrying the new version's pod-template hash. */
export const POD_HASH_ARG = "pod-hash";

export interface CanaryStep {
  readonly weight: number;
  readonly pause: string;
}

export interface RolloutSettings {
  readonly strategy: "canary" | "blueGreen";
  /** @default DEFAULT_CANARY_STEPS */
  readonly steps?: readonly CanaryStep[];
  readonly analysis: {
    readonly interval: string;
    readonly measurements: number;
    readonly failureLimit: number;
    /** Percent of 5xx responses that fails a measurement. */
    readonly errorRatePercent: number;
    /** Seconds of p95 duration that fail a measurement. */
    readonly latencyP95Seconds: number;
  };
  readonly httpMetrics: HttpMetricNames;
}

/** One Rollout and its AnalysisTemplate, as the workload-rollouts chart renders them. */
export interface RolloutValues {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  /** Omitted when an HPA scales the Rollout (Helm then leaves the live value alone). */
  readonly replicas?: number;
  readonly strategy: Record<string, unknown>;
  readonly analysis: {
    readonly name: string;
    readonly metrics: readonly {
      readonly name: string;
      readonly interval: string;
      readonly count?: number;
      readonly failureLimit: number;
      readonly successCondition: string;
      readonly query: string;
    }[];
  };
  readonly prometheusUrl: string;
}

/** Seconds of a duration such as 30s, 2m or 1h. */
export function durationSeconds(value: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(value);
  if (!match) throw new Error(`"${value}" is not a duration such as 30s, 2m or 1h`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as "s" | "m" | "h"];
}

function number(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** The rollback analysis' PromQL: the new version's 5xx percent and p95 duration. */
export function analysisQueries(props: { readonly name: string; readonly namespace: string; readonly interval: string; readonly http: HttpMetricNames }): { errorRate: string; latencyP95: string } {
  const { name, namespace, interval, http } = props;
  const pods = `namespace="${namespace}", pod=~"${name}-{{args.${POD_HASH_ARG}}}-.*"`;
  const errorRate = `sum(rate(${http.requests}{${pods}, ${http.statusLabel}=~"5.."}[${interval}])) / sum(rate(${http.requests}{${pods}}[${interval}])) * 100`;
  const latencyP95 =
    (http.durationKind ?? "histogram") === "summary"
      ? `max(${http.duration}{${pods}, quantile="0.95"})`
      : `histogram_quantile(0.95, sum by (le) (rate(${http.duration}_bucket{${pods}}[${interval}])))`;
  return { errorRate, latencyP95 };
}

/** Argo's success condition: no traffic (no series, NaN) or a value at most the threshold. */
function passes(threshold: number): string {
  return `len(result) == 0 || isNaN(result[0]) || result[0] <= ${number(threshold)}`;
}

export function rolloutValues(props: {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly replicas?: number;
  readonly previewService: string;
  readonly settings: RolloutSettings;
}): RolloutValues {
  const { name, settings } = props;
  const { analysis } = settings;
  const templateName = `${name}-rollback`;
  const args = [{ name: POD_HASH_ARG, valueFrom: { podTemplateHashValue: "Latest" } }];
  const blueGreen = settings.strategy === "blueGreen";
  const queries = analysisQueries({ name, namespace: props.namespace, interval: analysis.interval, http: settings.httpMetrics });
  const measured = { interval: analysis.interval, failureLimit: analysis.failureLimit, ...(blueGreen ? { count: analysis.measurements } : {}) };
  const strategy = blueGreen
    ? {
        blueGreen: {
          activeService: name,
          previewService: props.previewService,
          autoPromotionEnabled: true,
          scaleDownDelaySeconds: analysis.measurements * durationSeconds(analysis.interval) + BLUE_GREEN_SCALE_DOWN_MARGIN_SECONDS,
          postPromotionAnalysis: { templates: [{ templateName }], args },
        },
      }
    : {
        canary: {
          steps: (settings.steps ?? DEFAULT_CANARY_STEPS).flatMap((step) => [{ setWeight: step.weight }, { pause: { duration: step.pause } }]),
          analysis: { templates: [{ templateName }], startingStep: 1, args },
        },
      };
  return {
    name,
    labels: props.labels,
    selector: props.selector,
    ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
    strategy,
    analysis: {
      name: templateName,
      metrics: [
        { name: "error-rate-percent", ...measured, successCondition: passes(analysis.errorRatePercent), query: queries.errorRate },
        { name: "latency-p95-seconds", ...measured, successCondition: passes(analysis.latencyP95Seconds), query: queries.latencyP95 },
      ],
    },
    prometheusUrl: PROMETHEUS_URL,
  };
}
