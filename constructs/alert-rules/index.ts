/**
 * Prometheus alert rules generated from typed thresholds. Nothing here creates a Terraform resource: the rules are
 * rendered by kube-prometheus-stack from its `additionalPrometheusRulesMap` value (see constructs/monitoring), so
 * the PrometheusRule objects are created by Helm at install time, after the chart's CRDs exist — a
 * `kubernetes_manifest` would need the CRD at plan time and fail on a new cluster.
 *
 * Product-scoped rules (HTTP errors and latency, restarts, crash loops, container CPU/memory, autoscalers at their
 * maximum, volume usage) use the environment's thresholds for every namespace, except products that override a
 * rule: those get a rule of their own scoped to their namespace, and the environment-wide rule excludes them.
 * Platform rules (nodes, certificates, managed data services, load balancers) are evaluated once.
 *
 * Every alert carries a severity label, a `for` duration, a summary, a description and a runbook link.
 */
import type { AlertRule, PrometheusRulesMap, RuleGroup } from "../../charts/overrides";
import {
  ALERT_SEVERITIES,
  PROMETHEUS_DURATION,
  type AlertSeverity,
  type ConditionRule,
  type PlatformAlertThresholds,
  type ProductAlertOverrides,
  type ProductAlertRuleConfig,
  type ProductAlertThresholds,
  type ThresholdRule,
} from "../../config/schema/observability";
import {
  ALERT_NAME,
  DEFAULT_HTTP_METRICS,
  DURATION_KINDS,
  instanceNamespacePattern,
  LABEL_NAME,
  matchedLabels,
  METRIC_NAME,
  NAMESPACE_LABEL,
  PLATFORM_ALERT_NAMES,
  promqlProblem,
  promqlString,
  RESERVED_RULE_LABELS,
  runbookSlug,
  sameHttpMetrics,
  scopeExpression,
  TERRAFORM_TEMPLATE,
  type HttpMetricNames,
} from "./rules";

export { DEFAULT_HTTP_METRICS, runbookSlug, type HttpMetricNames } from "./rules";

/** The rule shapes are the chart's values (charts/overrides.ts). */
export type { AlertRule, PrometheusRulesMap, RuleGroup };

/** Window of rate() and of "over time" functions in the rules. */
export const RATE_WINDOW = "5m";
/** Window of the restart count (thresholds are "restarts per hour"). */
export const RESTART_WINDOW = "1h";
const SECONDS_PER_DAY = 86_400;

/** Key of the rules in `additionalPrometheusRulesMap` (the PrometheusRule is named `<release>-<key>`). */
export const RULES_MAP_KEY = "platform-alerts";

export interface ProductScope {
  /** Product name (the `product` label of its alerts). */
  readonly name: string;
  /**
   * Namespace the product's workloads run in. The product's rules cover it and its shared tenants' instances
   * (`<tenant>-<name>`, see instanceNamespacePattern).
   */
  readonly namespace: string;
  /** Thresholds of this product that differ from the environment's. */
  readonly overrides?: ProductAlertOverrides;
  /**
   * HTTP metric names of the product's instrumentation.
   * @default the environment's (AlertRulesProps.httpMetrics)
   */
  readonly httpMetrics?: HttpMetricNames;
  /** The product's own alert rules (products/<name>.yaml `monitoring.rules`). @default none */
  readonly rules?: readonly ProductAlertRuleConfig[];
}

export interface AlertRulesProps {
  /** Product-scoped thresholds of the environment (profile defaults + environment file). */
  readonly product: ProductAlertThresholds;
  readonly platform: PlatformAlertThresholds;
  /** Base URL of the runbooks; each alert links to `<base>/<kebab-case alert name>`. */
  readonly runbookBaseUrl: string;
  /**
   * Products running in the environment, for per-product overrides and the `product` label.
   * @default none — every namespace uses the environment's thresholds
   */
  readonly products?: readonly ProductScope[];
  /**
   * Whether CloudWatch metrics are scraped (yet-another-cloudwatch-exporter): the data-service and load balancer
   * rules read them, and are left out without it.
   * @default true
   */
  readonly cloudwatchMetrics?: boolean;
  /**
   * HTTP metric names the product rules read.
   * @default DEFAULT_HTTP_METRICS (http_requests_total, http_request_duration_seconds, status label)
   */
  readonly httpMetrics?: HttpMetricNames;
}

export class AlertRulesError extends Error {}

const K8S_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Formats a threshold without float noise (0.1 + 0.2 style) for an expression. */
export function promNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

type RuleValue = ThresholdRule | ConditionRule;

function isThreshold(rule: RuleValue): rule is ThresholdRule {
  return "threshold" in rule;
}

/** Checks every rule of a threshold set; returns problems as `<path>: <what>`. */
function ruleProblems(prefix: string, rules: Readonly<Record<string, RuleValue>>): string[] {
  const problems: string[] = [];
  for (const [key, rule] of Object.entries(rules)) {
    if (!PROMETHEUS_DURATION.test(rule.for)) problems.push(`${prefix}.${key}.for "${rule.for}" is not a Prometheus duration such as 5m`);
    if (!(ALERT_SEVERITIES as readonly string[]).includes(rule.severity)) {
      problems.push(`${prefix}.${key}.severity "${rule.severity}" is not one of ${ALERT_SEVERITIES.join(", ")}`);
    }
    if (isThreshold(rule)) {
      if (!Number.isFinite(rule.threshold) || rule.threshold <= 0) problems.push(`${prefix}.${key}.threshold ${rule.threshold} must be a positive number`);
      if (key.endsWith("Percent") && rule.threshold >= 100) problems.push(`${prefix}.${key}.threshold ${rule.threshold} must be below 100 (percent)`);
    }
  }
  const p95 = rules.httpLatencyP95Seconds;
  const p99 = rules.httpLatencyP99Seconds;
  if (p95 && p99 && isThreshold(p95) && isThreshold(p99) && p99.threshold < p95.threshold) {
    problems.push(`${prefix}.httpLatencyP99Seconds.threshold ${p99.threshold} is below httpLatencyP95Seconds.threshold ${p95.threshold}; the 99th percentile is never faster than the 95th`);
  }
  return problems;
}

/** Product thresholds with a product's overrides applied. */
export function effectiveThresholds(defaults: ProductAlertThresholds, overrides: ProductAlertOverrides = {}): ProductAlertThresholds {
  const out: Record<string, RuleValue> = { ...defaults };
  for (const [key, override] of Object.entries(overrides)) {
    if (override) out[key] = { ...(defaults as Record<string, RuleValue>)[key], ...override } as RuleValue;
  }
  return out as unknown as ProductAlertThresholds;
}

function sameRule(a: RuleValue, b: RuleValue): boolean {
  return a.for === b.for && a.severity === b.severity && (isThreshold(a) ? isThreshold(b) && a.threshold === b.threshold : !isThreshold(b));
}

/** A label matcher list, rendered inside `{...}` (empty string when there is none). */
function matchers(...parts: (string | undefined)[]): string {
  return parts.filter((part): part is string => part !== undefined && part !== "").join(", ");
}

/** Selector of one metric: `name{matchers}` or `name`. */
function select(metric: string, ...parts: (string | undefined)[]): string {
  const inner = matchers(...parts);
  return inner === "" ? metric : `${metric}{${inner}}`;
}

/** How one product-scoped rule is built from its threshold and a namespace matcher. */
interface ProductRuleSpec {
  readonly key: keyof ProductAlertThresholds;
  readonly alert: string;
  readonly group: "http" | "workloads";
  readonly expr: (rule: RuleValue, ns: string) => string;
  readonly summary: string;
  readonly description: (rule: RuleValue) => string;
}

function threshold(rule: RuleValue): number {
  if (!isThreshold(rule)) throw new AlertRulesError("internal: a threshold rule without a threshold");
  return rule.threshold;
}

/**
 * A latency percentile rule: histogram_quantile over the histogram's buckets, or, for a summary, the quantile series
 * the client exports (the slowest instance of each service: quantiles of a summary cannot be averaged).
 */
function latencySpec(http: HttpMetricNames, key: "httpLatencyP95Seconds" | "httpLatencyP99Seconds", alert: string, quantile: number, by: string): ProductRuleSpec {
  const percentile = Math.round(quantile * 100);
  const ordinal = `${percentile}th`;
  return {
    key,
    alert,
    group: "http",
    expr: (rule, ns) =>
      (http.durationKind ?? "histogram") === "summary"
        ? `max by (${by}) (${select(http.duration, ns, `quantile=${promqlString(String(quantile))}`)}) > ${promNumber(threshold(rule))}`
        : `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${select(`${http.duration}_bucket`, ns)}[${RATE_WINDOW}]))) > ${promNumber(threshold(rule))}`,
    summary: `p${percentile} latency of {{ $labels.namespace }}/{{ $labels.service }} is high`,
    description: (rule) => `The ${ordinal} percentile request duration is above ${promNumber(threshold(rule))}s (now {{ $value | humanizeDuration }}).`,
  };
}

function productRuleSpecs(http: HttpMetricNames): ProductRuleSpec[] {
  const status = `${http.statusLabel}=~"5.."`;
  const by = "namespace, service";
  return [
    {
      key: "httpErrorRatePercent",
      alert: "HttpErrorRateHigh",
      group: "http",
      expr: (rule, ns) =>
        `sum by (${by}) (rate(${select(http.requests, ns, status)}[${RATE_WINDOW}])) / sum by (${by}) (rate(${select(http.requests, ns)}[${RATE_WINDOW}])) * 100 > ${promNumber(threshold(rule))}`,
      summary: "HTTP 5xx error rate of {{ $labels.namespace }}/{{ $labels.service }} is high",
      description: (rule) => `More than ${promNumber(threshold(rule))}% of requests to {{ $labels.namespace }}/{{ $labels.service }} fail with a 5xx (now {{ $value | printf "%.2f" }}%).`,
    },
    latencySpec(http, "httpLatencyP95Seconds", "HttpLatencyP95High", 0.95, by),
    latencySpec(http, "httpLatencyP99Seconds", "HttpLatencyP99High", 0.99, by),
    {
      key: "podRestartsPerHour",
      alert: "PodRestartingOften",
      group: "workloads",
      expr: (rule, ns) => `increase(${select("kube_pod_container_status_restarts_total", ns)}[${RESTART_WINDOW}]) > ${promNumber(threshold(rule))}`,
      summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} restarts often",
      description: (rule) => `More than ${promNumber(threshold(rule))} restarts in the last hour ({{ $value | printf "%.0f" }}).`,
    },
    {
      key: "crashLooping",
      alert: "PodCrashLooping",
      group: "workloads",
      expr: (_rule, ns) => `max_over_time(${select("kube_pod_container_status_waiting_reason", ns, `reason="CrashLoopBackOff"`)}[${RATE_WINDOW}]) >= 1`,
      summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is crash looping",
      description: () => "The container is in CrashLoopBackOff: it keeps exiting right after it starts. Check its logs and last termination reason.",
    },
    {
      key: "containerCpuPercent",
      alert: "ContainerCpuHigh",
      group: "workloads",
      expr: (rule, ns) =>
        `sum by (namespace, pod, container) (rate(${select("container_cpu_usage_seconds_total", ns, `container!=""`)}[${RATE_WINDOW}])) / sum by (namespace, pod, container) (${select("kube_pod_container_resource_limits", ns, `resource="cpu"`)}) * 100 > ${promNumber(threshold(rule))}`,
      summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} uses most of its CPU limit",
      description: (rule) => `CPU usage is above ${promNumber(threshold(rule))}% of the CPU limit ({{ $value | printf "%.0f" }}%); the container is about to be throttled.`,
    },
    {
      key: "containerMemoryPercent",
      alert: "ContainerMemoryHigh",
      group: "workloads",
      expr: (rule, ns) =>
        `sum by (namespace, pod, container) (${select("container_memory_working_set_bytes", ns, `container!=""`)}) / sum by (namespace, pod, container) (${select("kube_pod_container_resource_limits", ns, `resource="memory"`)}) * 100 > ${promNumber(threshold(rule))}`,
      summary: "Container {{ $labels.namespace }}/{{ $labels.pod }}/{{ $labels.container }} is close to its memory limit",
      description: (rule) => `The working set is above ${promNumber(threshold(rule))}% of the memory limit ({{ $value | printf "%.0f" }}%); at 100% the container is OOM-killed.`,
    },
    {
      key: "hpaAtMaxReplicas",
      alert: "HpaAtMaxReplicas",
      group: "workloads",
      expr: (_rule, ns) =>
        `${select("kube_horizontalpodautoscaler_status_current_replicas", ns)} >= on (namespace, horizontalpodautoscaler) ${select("kube_horizontalpodautoscaler_spec_max_replicas", ns)}`,
      summary: "Autoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} runs at its maximum",
      description: () => "The HorizontalPodAutoscaler has been at maxReplicas for a while: demand may exceed what it may scale to. Raise maxReplicas or find the bottleneck.",
    },
    {
      key: "volumeUsagePercent",
      alert: "VolumeUsageHigh",
      group: "workloads",
      expr: (rule, ns) =>
        `${select("kubelet_volume_stats_used_bytes", ns)} / ${select("kubelet_volume_stats_capacity_bytes", ns)} * 100 > ${promNumber(threshold(rule))}`,
      summary: "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is filling up",
      description: (rule) => `The volume is more than ${promNumber(threshold(rule))}% full ({{ $value | printf "%.0f" }}%).`,
    },
  ];
}

interface PlatformRuleSpec {
  readonly key: keyof PlatformAlertThresholds;
  readonly alert: string;
  readonly group: "nodes" | "certificates" | "secrets" | "data-services";
  /** Needs CloudWatch metrics (yet-another-cloudwatch-exporter). */
  readonly cloudwatch?: boolean;
  readonly expr: (rule: RuleValue) => string;
  readonly summary: string;
  readonly description: (rule: RuleValue) => string;
}

/** Series of a CloudWatch statistic as yet-another-cloudwatch-exporter names it, aggregated per resource. */
function cw(metric: string): string {
  return `max by (name) (${metric})`;
}

/** A count that may be absent (CloudWatch publishes no datapoint for zero 5xx): zero when missing. */
function cwCount(metric: string, presentWhen: string): string {
  return `(sum by (name) (${metric}) or sum by (name) (${presentWhen}) * 0)`;
}

const PLATFORM_RULE_SPECS: readonly PlatformRuleSpec[] = [
  {
    key: "nodeNotReady",
    alert: "NodeNotReady",
    group: "nodes",
    expr: () => `kube_node_status_condition{condition="Ready", status="true"} == 0`,
    summary: "Node {{ $labels.node }} is not ready",
    description: () => "The node reports NotReady: its pods are not running or not reachable. Node auto repair replaces it if it stays so.",
  },
  {
    key: "nodeCpuPercent",
    alert: "NodeCpuHigh",
    group: "nodes",
    expr: (rule) => `(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${RATE_WINDOW}]))) * 100 > ${promNumber(threshold(rule))}`,
    summary: "Node {{ $labels.instance }} CPU is high",
    description: (rule) => `CPU usage is above ${promNumber(threshold(rule))}% ({{ $value | printf "%.0f" }}%).`,
  },
  {
    key: "nodeMemoryPercent",
    alert: "NodeMemoryHigh",
    group: "nodes",
    expr: (rule) => `(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) * 100 > ${promNumber(threshold(rule))}`,
    summary: "Node {{ $labels.instance }} memory is high",
    description: (rule) => `Memory in use is above ${promNumber(threshold(rule))}% ({{ $value | printf "%.0f" }}%).`,
  },
  {
    key: "nodeDiskPercent",
    alert: "NodeDiskHigh",
    group: "nodes",
    expr: (rule) =>
      `(1 - node_filesystem_avail_bytes{mountpoint="/", fstype!~"tmpfs|overlay"} / node_filesystem_size_bytes{mountpoint="/", fstype!~"tmpfs|overlay"}) * 100 > ${promNumber(threshold(rule))}`,
    summary: "Node {{ $labels.instance }} disk is filling up",
    description: (rule) => `The root filesystem is more than ${promNumber(threshold(rule))}% full ({{ $value | printf "%.0f" }}%).`,
  },
  {
    key: "certificateExpiryDays",
    alert: "CertificateExpiringSoon",
    group: "certificates",
    expr: (rule) => `certmanager_certificate_expiration_timestamp_seconds - time() < ${promNumber(threshold(rule) * SECONDS_PER_DAY)}`,
    summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires soon",
    description: (rule) => `The certificate expires in less than ${promNumber(threshold(rule))} days ({{ $value | humanizeDuration }}) and has not been renewed.`,
  },
  {
    key: "externalSecretNotSynced",
    alert: "ExternalSecretNotSynced",
    group: "secrets",
    // External Secrets' gauge of each ExternalSecret's conditions (its metrics Service is scraped by the platform).
    expr: () => `max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1`,
    summary: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} cannot sync",
    description: () =>
      "External Secrets cannot sync this secret from Secrets Manager: usually its value was never seeded or lacks a key it reads. What reads it (a workload's pods, an Alertmanager receiver) cannot work until it syncs. List what to seed with `npm run secrets -- check <stack>`; `kubectl -n {{ $labels.namespace }} describe externalsecret {{ $labels.name }}` shows the error.",
  },
  {
    key: "dataServiceCpuPercent",
    alert: "DataServiceCpuHigh",
    group: "data-services",
    cloudwatch: true,
    expr: (rule) => {
      const value = promNumber(threshold(rule));
      return [
        "aws_rds_cpuutilization_maximum",
        "aws_docdb_cpuutilization_maximum",
        "aws_elasticache_engine_cpuutilization_maximum",
        "aws_amazonmq_system_cpu_utilization_maximum",
      ]
        .map((metric) => `${cw(metric)} > ${value}`)
        .join(" or ");
    },
    summary: "Managed service {{ $labels.name }} CPU is high",
    description: (rule) => `CPU of the managed data service is above ${promNumber(threshold(rule))}% ({{ $value | printf "%.0f" }}%).`,
  },
  {
    key: "cacheMemoryPercent",
    alert: "CacheMemoryHigh",
    group: "data-services",
    cloudwatch: true,
    expr: (rule) => `${cw("aws_elasticache_database_memory_usage_percentage_maximum")} > ${promNumber(threshold(rule))}`,
    summary: "Cache {{ $labels.name }} memory is high",
    description: (rule) => `The cache uses more than ${promNumber(threshold(rule))}% of its maximum memory; keys will be evicted.`,
  },
  {
    key: "searchJvmPressurePercent",
    alert: "SearchJvmPressureHigh",
    group: "data-services",
    cloudwatch: true,
    expr: (rule) => `${cw("aws_es_jvmmemory_pressure_maximum")} > ${promNumber(threshold(rule))}`,
    summary: "Search domain {{ $labels.name }} JVM memory pressure is high",
    description: (rule) => `JVM memory pressure is above ${promNumber(threshold(rule))}%; at 92% OpenSearch blocks writes.`,
  },
  {
    key: "loadBalancerErrorRatePercent",
    alert: "LoadBalancerErrorRateHigh",
    group: "data-services",
    cloudwatch: true,
    expr: (rule) => {
      const requests = "aws_applicationelb_request_count_sum";
      return `(${cwCount("aws_applicationelb_httpcode_elb_5xx_count_sum", requests)} + ${cwCount("aws_applicationelb_httpcode_target_5xx_count_sum", requests)}) / sum by (name) (${requests}) * 100 > ${promNumber(threshold(rule))}`;
    },
    summary: "Load balancer {{ $labels.name }} returns many 5xx",
    description: (rule) => `More than ${promNumber(threshold(rule))}% of requests through the load balancer end in a 5xx.`,
  },
];

/** The matcher of a product's instances: its namespace and its shared tenants' (see instanceNamespacePattern). */
function scopeOf(product: ProductScope): string {
  return `namespace=~${promqlString(instanceNamespacePattern(product.name, product.namespace))}`;
}

/** Group of a product's own rules: `product-<name>`. */
export const PRODUCT_GROUP_PREFIX = "product-";

function httpMetricsProblems(prefix: string, http: HttpMetricNames): string[] {
  const problems: string[] = [];
  for (const [what, name] of [["requests", http.requests], ["duration", http.duration]] as const) {
    if (!METRIC_NAME.test(name)) problems.push(`${prefix}.${what} "${name}" is not a Prometheus metric name`);
  }
  if (!LABEL_NAME.test(http.statusLabel)) problems.push(`${prefix}.statusLabel "${http.statusLabel}" is not a Prometheus label name`);
  if (http.durationKind !== undefined && !(DURATION_KINDS as readonly string[]).includes(http.durationKind)) {
    problems.push(`${prefix}.durationKind "${http.durationKind}" is not one of ${DURATION_KINDS.join(", ")}`);
  }
  return problems;
}

/** Problems of a product's own rules (the configuration schema checks the same; props may come from elsewhere). */
function customRuleProblems(product: ProductScope): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, custom] of (product.rules ?? []).entries()) {
    const at = `products.${product.name}.monitoring.rules[${index}]`;
    if (!ALERT_NAME.test(custom.alert)) problems.push(`${at}.alert "${custom.alert}" is not a PascalCase alert name`);
    else if ((PLATFORM_ALERT_NAMES as readonly string[]).includes(custom.alert)) problems.push(`${at}.alert ${custom.alert} is a generated alert's name`);
    if (seen.has(custom.alert)) problems.push(`${at}.alert ${custom.alert} appears twice in product ${product.name}`);
    seen.add(custom.alert);
    const syntax = promqlProblem(custom.expr);
    if (syntax) problems.push(`${at}.expr: ${syntax}`);
    else if (matchedLabels(custom.expr).has(NAMESPACE_LABEL)) problems.push(`${at}.expr matches on namespace; the platform adds the product's namespace matcher`);
    for (const [what, text] of [["expr", custom.expr], ["summary", custom.summary], ["description", custom.description]] as const) {
      if (TERRAFORM_TEMPLATE.test(text)) problems.push(`${at}.${what} contains a Terraform template sequence ("\${" or "%{")`);
    }
    if (!PROMETHEUS_DURATION.test(custom.for)) problems.push(`${at}.for "${custom.for}" is not a Prometheus duration such as 5m`);
    if (!(ALERT_SEVERITIES as readonly string[]).includes(custom.severity)) problems.push(`${at}.severity "${custom.severity}" is not one of ${ALERT_SEVERITIES.join(", ")}`);
    for (const label of Object.keys(custom.labels)) {
      if (!LABEL_NAME.test(label) || label.startsWith("__") || (RESERVED_RULE_LABELS as readonly string[]).includes(label)) problems.push(`${at}.labels.${label} is not a label a product may set`);
    }
  }
  return problems;
}

/** Alert rules of an environment, ready for kube-prometheus-stack's `additionalPrometheusRulesMap`. */
export class AlertRules {
  readonly groups: readonly RuleGroup[];

  constructor(props: AlertRulesProps) {
    const http = props.httpMetrics ?? DEFAULT_HTTP_METRICS;
    const products = props.products ?? [];
    const problems = [
      ...ruleProblems("product", props.product as unknown as Record<string, RuleValue>),
      ...ruleProblems("platform", props.platform as unknown as Record<string, RuleValue>),
    ];
    if (!/^https:\/\/\S+[^/\s]$/.test(props.runbookBaseUrl)) {
      problems.push(`runbookBaseUrl "${props.runbookBaseUrl}" must be an https:// URL without a trailing slash`);
    }
    problems.push(...httpMetricsProblems("httpMetrics", http));
    const namespaces = new Map<string, string>();
    for (const product of products) {
      if (!K8S_NAME.test(product.namespace)) problems.push(`product ${product.name}: namespace "${product.namespace}" is not a Kubernetes name`);
      const other = namespaces.get(product.namespace);
      if (other) problems.push(`products ${other} and ${product.name} share namespace ${product.namespace}; per-product thresholds need one namespace per product`);
      namespaces.set(product.namespace, product.name);
      problems.push(...ruleProblems(`products.${product.name}.alerts`, effectiveThresholds(props.product, product.overrides) as unknown as Record<string, RuleValue>));
      if (product.httpMetrics) problems.push(...httpMetricsProblems(`products.${product.name}.monitoring.httpMetrics`, product.httpMetrics));
      problems.push(...customRuleProblems(product));
    }
    if (problems.length > 0) throw new AlertRulesError(`invalid alert rules:\n  - ${problems.join("\n  - ")}`);

    const runbook = (alert: string) => `${props.runbookBaseUrl}/${runbookSlug(alert)}`;
    const rule = (alert: string, expr: string, value: RuleValue, summary: string, description: string, labels: Record<string, string> = {}): AlertRule => ({
      alert,
      expr,
      for: value.for,
      labels: { severity: value.severity, ...labels },
      annotations: { summary, description, runbook_url: runbook(alert) },
    });

    const byGroup = new Map<string, AlertRule[]>();
    const add = (group: string, item: AlertRule) => byGroup.set(group, [...(byGroup.get(group) ?? []), item]);
    const httpOf = (product: ProductScope) => product.httpMetrics ?? http;
    // A product whose threshold or HTTP metric names differ gets a rule of its own over its instances' namespaces
    // (scopeOf); the environment-wide rule excludes them.

    for (const spec of productRuleSpecs(http)) {
      const base = props.product[spec.key] as RuleValue;
      const differing = products.filter(
        (product) =>
          !sameRule(effectiveThresholds(props.product, product.overrides)[spec.key] as RuleValue, base) || (spec.group === "http" && !sameHttpMetrics(httpOf(product), http)),
      );
      const excluded = differing.map((product) => instanceNamespacePattern(product.name, product.namespace)).sort();
      const defaultScope = excluded.length === 0 ? "" : `namespace!~${promqlString(excluded.join("|"))}`;
      add(spec.group, rule(spec.alert, spec.expr(base, defaultScope), base, spec.summary, spec.description(base)));
      for (const product of differing) {
        const value = effectiveThresholds(props.product, product.overrides)[spec.key] as RuleValue;
        const own = productRuleSpecs(httpOf(product)).find((candidate) => candidate.key === spec.key) as ProductRuleSpec;
        add(spec.group, rule(spec.alert, own.expr(value, scopeOf(product)), value, own.summary, own.description(value), { product: product.name }));
      }
    }
    for (const spec of PLATFORM_RULE_SPECS) {
      if (spec.cloudwatch && props.cloudwatchMetrics === false) continue;
      const value = props.platform[spec.key] as RuleValue;
      add(spec.group, rule(spec.alert, spec.expr(value), value, spec.summary, spec.description(value)));
    }
    // Each product's own rules, in a group of their own, limited to the product's instances.
    for (const product of products) {
      for (const custom of product.rules ?? []) {
        add(`${PRODUCT_GROUP_PREFIX}${product.name}`, {
          alert: custom.alert,
          expr: scopeExpression(custom.expr, scopeOf(product)),
          for: custom.for,
          labels: { ...custom.labels, severity: custom.severity, product: product.name },
          annotations: { summary: custom.summary, description: custom.description, runbook_url: custom.runbookUrl ?? runbook(custom.alert) },
        });
      }
    }
    this.groups = [...byGroup.entries()].map(([name, rules]) => ({ name, rules }));
  }

  /** Every rule, in group order. */
  get rules(): readonly AlertRule[] {
    return this.groups.flatMap((group) => group.rules);
  }

  /** The value of kube-prometheus-stack's `additionalPrometheusRulesMap`. */
  get rulesMap(): PrometheusRulesMap {
    return { [RULES_MAP_KEY]: { groups: this.groups } };
  }

  /** Severities used by the rules (for routing checks). */
  get severities(): readonly AlertSeverity[] {
    return [...new Set(this.rules.map((item) => item.labels.severity as AlertSeverity))];
  }
}
