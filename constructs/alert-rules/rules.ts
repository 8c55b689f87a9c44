/**
 * Pure rules of the alert rules, shared with the configuration schema (products' own alert rules): PromQL syntax with
 * the official grammar (@prometheus-io/lezer-promql, the parser of Prometheus' own UI), scoping an expression to the
 * namespaces of a product's instances, and the names the platform's generated alerts use.
 *
 * The grammar checks syntax only (a function given the wrong argument type still parses): Prometheus reports type
 * errors when it loads the rule, and the operator logs them (`kubectl -n monitoring logs deploy/...-operator`).
 */
import { parser } from "@prometheus-io/lezer-promql";

/** A Prometheus metric name. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A Prometheus label name (`__` prefixed names are reserved for Prometheus itself). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** An alert name: PascalCase words, as every generated alert is named (it is also a runbook slug). */
export const ALERT_NAME = /^[A-Z][A-Za-z0-9]{2,63}$/;

/**
 * Names of the alerts the platform generates (constructs/alert-rules): a product's own rule may not reuse one, or
 * routing, inhibition and runbook links would mix the two.
 */
export const PLATFORM_ALERT_NAMES = [
  "HttpErrorRateHigh",
  "HttpLatencyP95High",
  "HttpLatencyP99High",
  "PodRestartingOften",
  "PodCrashLooping",
  "ContainerCpuHigh",
  "ContainerMemoryHigh",
  "HpaAtMaxReplicas",
  "VolumeUsageHigh",
  "NodeNotReady",
  "NodeCpuHigh",
  "NodeMemoryHigh",
  "NodeDiskHigh",
  "CertificateExpiringSoon",
  "ExternalSecretNotSynced",
  "DataServiceCpuHigh",
  "CacheMemoryHigh",
  "SearchJvmPressureHigh",
  "LoadBalancerErrorRateHigh",
] as const;

/**
 * Labels a product's rule may not set: the platform sets `severity` (from the rule's severity) and `product`, and
 * `namespace`/`alertname` come from the series and the rule; overriding them would break routing and inhibition.
 */
export const RESERVED_RULE_LABELS = ["severity", "product", "namespace", "alertname"] as const;

/** How the request-duration metric is exposed: a histogram (`<name>_bucket`) or a summary with quantiles. */
export const DURATION_KINDS = ["histogram", "summary"] as const;
export type DurationKind = (typeof DURATION_KINDS)[number];

/** Metric names of the HTTP instrumentation the product rules read (Prometheus client library conventions). */
export interface HttpMetricNames {
  /** Counter of handled requests. */
  readonly requests: string;
  /** Request durations in seconds: a histogram (`<name>_bucket` is read) or a summary (`<name>{quantile="0.95"}`). */
  readonly duration: string;
  /** Label of the requests counter that carries the HTTP status code. */
  readonly statusLabel: string;
  /** @default "histogram" */
  readonly durationKind?: DurationKind;
}

/** The names the reference workloads use (`http_requests_total{status=~"5.."}`, a duration histogram). */
export const DEFAULT_HTTP_METRICS = {
  requests: "http_requests_total",
  duration: "http_request_duration_seconds",
  statusLabel: "status",
  durationKind: "histogram",
} as const satisfies Required<HttpMetricNames>;

/** Whether two products read the same HTTP series. */
export function sameHttpMetrics(a: HttpMetricNames, b: HttpMetricNames): boolean {
  return a.requests === b.requests && a.duration === b.duration && a.statusLabel === b.statusLabel && (a.durationKind ?? "histogram") === (b.durationKind ?? "histogram");
}

/** The label every product-scoped expression is limited by. */
export const NAMESPACE_LABEL = "namespace";

/** Terraform reads `${` and `%{` in any string as a template sequence; rules travel in a Helm values string. */
export const TERRAFORM_TEMPLATE = /[$%]\{/;

interface SyntaxError {
  readonly from: number;
}

function syntaxErrors(expr: string): SyntaxError[] {
  const errors: SyntaxError[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push({ from: node.from });
    },
  });
  return errors;
}

/** Why `expr` is not valid PromQL (the first syntax error, with its column and what follows it), or undefined. */
export function promqlProblem(expr: string): string | undefined {
  if (expr.trim() === "") return "the expression is empty";
  const [first] = syntaxErrors(expr);
  if (!first) return undefined;
  const near = expr.slice(first.from, first.from + 20);
  return `not valid PromQL: syntax error at column ${first.from + 1}${near === "" ? " (unexpected end of the expression)" : ` near "${near}"`}`;
}

/** Label names the expression's selectors match on (`{namespace="x"}` gives namespace). */
export function matchedLabels(expr: string): Set<string> {
  const labels = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "UnquotedLabelMatcher" && node.name !== "QuotedLabelMatcher") return;
      const name = node.node.firstChild;
      if (!name) return;
      const text = expr.slice(name.from, name.to);
      labels.add(name.name === "QuotedLabelName" ? text.slice(1, -1) : text);
    },
  });
  return labels;
}

/**
 * `expr` with `matcher` (e.g. `namespace=~"shop|.+-shop"`) added to every vector and range selector, so the rule only
 * sees the series of the product's own instances. Throws when `expr` does not parse (check with promqlProblem first).
 */
export function scopeExpression(expr: string, matcher: string): string {
  if (promqlProblem(expr)) throw new Error(`cannot scope an invalid expression: ${expr}`);
  const edits: { at: number; text: string }[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") return;
      const matchers = node.node.getChild("LabelMatchers");
      if (!matchers) {
        edits.push({ at: node.to, text: `{${matcher}}` });
        return false;
      }
      const inner = expr.slice(matchers.from + 1, matchers.to - 1).trim();
      edits.push({ at: matchers.from + 1, text: inner === "" ? matcher : `${matcher}, ` });
      return false;
    },
  });
  let out = expr;
  for (const edit of edits.sort((a, b) => b.at - a.at)) out = `${out.slice(0, edit.at)}${edit.text}${out.slice(edit.at)}`;
  return out;
}

/** A label matcher value, escaped for a double-quoted PromQL string. */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The namespaces of a product's instances in one cluster: its own (`namespace`) and those of shared tenants, which the
 * loader names `<tenant>-<product>` (config/loader.ts tenantNamespace). A regular expression, fully anchored by
 * Prometheus, so a tenant added later is covered without changing the environment's rules.
 */
export function instanceNamespacePattern(product: string, namespace: string): string {
  return `${escapeRegex(namespace)}|[a-z0-9]([-a-z0-9]*[a-z0-9])?-${escapeRegex(product)}`;
}

/** The tenant namespaces of `product` a namespace would be mistaken for (see instanceNamespacePattern). */
export function looksLikeTenantNamespace(namespace: string, product: string): boolean {
  return new RegExp(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?-${escapeRegex(product)}$`).test(namespace);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `HttpErrorRateHigh` -> `http-error-rate-high`. */
export function runbookSlug(alert: string): string {
  return alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
}
