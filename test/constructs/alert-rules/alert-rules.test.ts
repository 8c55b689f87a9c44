import { describe, expect, it } from "vitest";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { ObservabilitySchema, type ObservabilityConfig } from "../../../config/schema/observability";
import { AlertRules, AlertRulesError, effectiveThresholds, PRODUCT_GROUP_PREFIX, RULES_MAP_KEY, runbookSlug, type AlertRulesProps, type ProductScope } from "../../../constructs/alert-rules";
import { instanceNamespacePattern, scopeExpression } from "../../../constructs/alert-rules/rules";
import { ProductAlertRuleSchema } from "../../../config/schema/observability";
import { promqlErrors } from "./promql";

const observability = (profile: keyof typeof PROFILE_DEFAULTS): ObservabilityConfig => ObservabilitySchema.parse(PROFILE_DEFAULTS[profile].observability);
const prod = observability("production").alertRules;
const dev = observability("development").alertRules;

function rulesFor(props: Partial<AlertRulesProps> = {}, base = prod): AlertRules {
  return new AlertRules({ product: base.product, platform: base.platform, runbookBaseUrl: base.runbookBaseUrl, ...props });
}

function byAlert(rules: AlertRules, alert: string) {
  return rules.rules.filter((rule) => rule.alert === alert);
}

describe("AlertRules defaults (production thresholds)", () => {
  const rules = rulesFor();

  it("generates at least twelve rules covering the required signals", () => {
    expect(rules.rules.length).toBeGreaterThanOrEqual(12);
    expect(rules.rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "HttpErrorRateHigh", "HttpLatencyP95High", "HttpLatencyP99High", "PodRestartingOften", "PodCrashLooping", "ContainerCpuHigh",
        "ContainerMemoryHigh", "HpaAtMaxReplicas", "VolumeUsageHigh", "NodeNotReady", "NodeDiskHigh", "CertificateExpiringSoon",
        "DataServiceCpuHigh", "CacheMemoryHigh", "SearchJvmPressureHigh", "LoadBalancerErrorRateHigh",
      ]),
    );
  });

  it("gives every rule a severity, a for duration, a summary, a description and a runbook link", () => {
    for (const rule of rules.rules) {
      expect(["critical", "warning", "info"], rule.alert).toContain(rule.labels.severity);
      expect(rule.for, rule.alert).toMatch(/^\d+(s|m|h|d)$/);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.runbook_url).toBe(`${prod.runbookBaseUrl}/${runbookSlug(rule.alert)}`);
    }
    expect(runbookSlug("HttpLatencyP95High")).toBe("http-latency-p95-high");
  });

  it("writes every expression in valid PromQL (official lezer grammar)", () => {
    for (const base of [prod, dev, observability("staging").alertRules]) {
      const all = rulesFor({ products: [{ name: "noor", namespace: "noor", overrides: { httpLatencyP95Seconds: { threshold: 1 } } }] }, base);
      for (const rule of all.rules) expect(promqlErrors(rule.expr), `${rule.alert}: ${rule.expr}`).toEqual([]);
    }
  });

  it("is detected by the syntax check when an expression is broken", () => {
    expect(promqlErrors("sum(rate(http_requests_total[5m]) > 1")).not.toEqual([]);
  });

  it("uses the reference thresholds: 1 % errors (critical), 500 ms p95, 85 % memory, 85 % disk, 14 days of certificate", () => {
    const [errors] = byAlert(rules, "HttpErrorRateHigh");
    expect(errors?.expr).toMatch(/\* 100 > 1$/);
    expect(errors?.labels.severity).toBe("critical");
    expect(byAlert(rules, "HttpLatencyP95High")[0]?.expr).toMatch(/^histogram_quantile\(0\.95, .*> 0\.5$/);
    expect(byAlert(rules, "ContainerMemoryHigh")[0]?.expr).toMatch(/> 85$/);
    expect(byAlert(rules, "NodeDiskHigh")[0]?.expr).toMatch(/> 85$/);
    expect(byAlert(rules, "CertificateExpiringSoon")[0]?.expr).toMatch(/< 1209600$/);
  });

  it("renders the chart's additionalPrometheusRulesMap", () => {
    expect(Object.keys(rules.rulesMap)).toEqual([RULES_MAP_KEY]);
    expect(rules.rulesMap[RULES_MAP_KEY]?.groups.map((group) => group.name)).toEqual(["http", "workloads", "nodes", "certificates", "secrets", "data-services"]);
  });

  it("reports an ExternalSecret that cannot sync (a secret value not seeded, e.g. an Alertmanager receiver's)", () => {
    const [rule] = byAlert(rules, "ExternalSecretNotSynced");
    expect(rule?.expr).toBe('max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1');
    expect(rule).toMatchObject({ for: "15m", labels: { severity: "warning" } });
    expect(rule?.annotations.description).toMatch(/npm run secrets -- check/);
  });
});

describe("AlertRules thresholds flow into expressions", () => {
  it("changes the expression when a threshold changes", () => {
    const changed = rulesFor({ product: { ...prod.product, httpErrorRatePercent: { ...prod.product.httpErrorRatePercent, threshold: 2.5 } } });
    expect(byAlert(changed, "HttpErrorRateHigh")[0]?.expr).toMatch(/> 2\.5$/);
    expect(byAlert(changed, "HttpErrorRateHigh")[0]?.expr).not.toEqual(byAlert(rulesFor(), "HttpErrorRateHigh")[0]?.expr);
    const days = rulesFor({ platform: { ...prod.platform, certificateExpiryDays: { ...prod.platform.certificateExpiryDays, threshold: 7 } } });
    expect(byAlert(days, "CertificateExpiringSoon")[0]?.expr).toMatch(/< 604800$/);
  });

  it("changes for and severity with the configuration", () => {
    const changed = rulesFor({ platform: { ...prod.platform, nodeNotReady: { for: "2m", severity: "warning" } } });
    expect(byAlert(changed, "NodeNotReady")[0]).toMatchObject({ for: "2m", labels: { severity: "warning" } });
  });

  it("gives a product with an override its own rule and excludes it from the environment-wide one", () => {
    const rules = rulesFor({
      products: [
        { name: "noor", namespace: "noor", overrides: { httpLatencyP95Seconds: { threshold: 1 } } },
        { name: "smartedu", namespace: "smartedu" },
      ],
    });
    const latency = byAlert(rules, "HttpLatencyP95High");
    expect(latency).toHaveLength(2);
    // The product's instances: its own namespace and its shared tenants' (<tenant>-noor), here and in the exclusion.
    expect(latency[0]?.expr).toContain('namespace!~"noor|[a-z0-9]([-a-z0-9]*[a-z0-9])?-noor"');
    expect(latency[0]?.expr).toMatch(/> 0\.5$/);
    expect(latency[1]?.expr).toContain('namespace=~"noor|[a-z0-9]([-a-z0-9]*[a-z0-9])?-noor"');
    expect(latency[1]?.expr).toMatch(/> 1$/);
    expect(latency[1]?.labels).toMatchObject({ product: "noor", severity: "warning" });
    // Rules the product does not override stay environment-wide.
    expect(byAlert(rules, "HttpErrorRateHigh")).toHaveLength(1);
    expect(byAlert(rules, "HttpErrorRateHigh")[0]?.expr).not.toMatch(/namespace(=|!~)/);
  });

  it("treats an override equal to the default as no override", () => {
    const rules = rulesFor({ products: [{ name: "noor", namespace: "noor", overrides: { httpLatencyP95Seconds: { threshold: 0.5 } } }] });
    expect(byAlert(rules, "HttpLatencyP95High")).toHaveLength(1);
    expect(effectiveThresholds(prod.product, { crashLooping: { severity: "warning" } }).crashLooping).toEqual({ for: "15m", severity: "warning" });
  });

  it("leaves out the CloudWatch-based rules without the exporter", () => {
    const rules = rulesFor({ cloudwatchMetrics: false });
    expect(rules.rules.map((rule) => rule.alert)).not.toContain("DataServiceCpuHigh");
    expect(rules.rules.map((rule) => rule.alert)).not.toContain("LoadBalancerErrorRateHigh");
    expect(rules.rules.length).toBeGreaterThanOrEqual(12);
  });
});

describe("AlertRules production vs development", () => {
  it("pages in production and only warns, with looser thresholds, in development", () => {
    const production = byAlert(rulesFor(), "HttpErrorRateHigh")[0];
    const development = byAlert(rulesFor({}, dev), "HttpErrorRateHigh")[0];
    expect(production?.labels.severity).toBe("critical");
    expect(development?.labels.severity).toBe("warning");
    expect(development?.expr).toMatch(/> 5$/);
    expect(byAlert(rulesFor({}, dev), "HttpLatencyP95High")[0]?.expr).toMatch(/> 1$/);
  });
});

/** A thunk building rules from `props`, for `expect(...).toThrow`. */
function build(props: Partial<AlertRulesProps>): () => AlertRules {
  return () => rulesFor(props);
}

describe("AlertRules validation", () => {

  it("rejects a runbook URL that is not https", () => {
    expect(build({ runbookBaseUrl: "ftp://x" })).toThrow(AlertRulesError);
    expect(build({ runbookBaseUrl: "http://runbooks.example.com" })).toThrow(/runbookBaseUrl "http:\/\/runbooks.example.com" must be an https:\/\/ URL/);
  });

  it("rejects a malformed for duration", () => {
    expect(build({ platform: { ...prod.platform, nodeNotReady: { for: "five minutes", severity: "critical" } } })).toThrow(/platform\.nodeNotReady\.for "five minutes" is not a Prometheus duration/);
  });

  it("rejects a percentage of 100 or more", () => {
    expect(build({ product: { ...prod.product, containerMemoryPercent: { threshold: 120, for: "5m", severity: "warning" } } })).toThrow(/containerMemoryPercent\.threshold 120 must be below 100/);
  });

  it("rejects a non-positive threshold", () => {
    expect(build({ product: { ...prod.product, podRestartsPerHour: { threshold: 0, for: "5m", severity: "warning" } } })).toThrow(/podRestartsPerHour\.threshold 0 must be a positive number/);
  });

  it("rejects an unknown severity", () => {
    expect(build({ platform: { ...prod.platform, nodeNotReady: { for: "5m", severity: "page" as "critical" } } })).toThrow(/severity "page" is not one of critical, warning, info/);
  });

  it("rejects a p99 latency threshold below the p95 one, also after a product override", () => {
    expect(build({ product: { ...prod.product, httpLatencyP99Seconds: { threshold: 0.2, for: "5m", severity: "warning" } } })).toThrow(/the 99th percentile is never faster than the 95th/);
    expect(build({ products: [{ name: "noor", namespace: "noor", overrides: { httpLatencyP95Seconds: { threshold: 3 } } }] })).toThrow(/products\.noor\.alerts\.httpLatencyP99Seconds\.threshold 2 is below/);
  });

  it("rejects two products in one namespace and a namespace that is not a Kubernetes name", () => {
    expect(build({ products: [{ name: "a", namespace: "shared" }, { name: "b", namespace: "shared" }] })).toThrow(/products a and b share namespace shared/);
    expect(build({ products: [{ name: "a", namespace: "Not_A_Name" }] })).toThrow(/namespace "Not_A_Name" is not a Kubernetes name/);
  });

  it("rejects HTTP metric names that are not Prometheus names", () => {
    expect(build({ httpMetrics: { requests: "http-requests", duration: "http_request_duration_seconds", statusLabel: "status" } })).toThrow(/httpMetrics\.requests "http-requests" is not a Prometheus metric name/);
    expect(build({ httpMetrics: { requests: "http_requests_total", duration: "http_request_duration_seconds", statusLabel: "status-code" } })).toThrow(/statusLabel "status-code" is not a Prometheus label name/);
  });
});

/** A product's own rule in its parsed form. */
function customRule(overrides: Record<string, unknown> = {}) {
  return ProductAlertRuleSchema.parse({
    alert: "AssessmentBacklogHigh",
    expr: "sum by (namespace) (noor_assessment_queue_depth) > 100",
    for: "10m",
    severity: "warning",
    summary: "Assessment generation is falling behind in {{ $labels.namespace }}",
    description: "More than 100 assessments wait for generation ({{ $value }}).",
    ...overrides,
  });
}

describe("AlertRules per-product HTTP metric names", () => {
  const statusCode = { requests: "http_server_requests_total", duration: "http_server_duration_seconds", statusLabel: "status_code", durationKind: "histogram" as const };

  it("gives a product with other HTTP metric names its own HTTP rules and leaves the others on the environment's", () => {
    const rules = rulesFor({ products: [{ name: "noor", namespace: "noor", httpMetrics: statusCode }, { name: "smartedu", namespace: "smartedu" }] });
    const errors = byAlert(rules, "HttpErrorRateHigh");
    expect(errors).toHaveLength(2);
    expect(errors[0]?.expr).toContain('http_requests_total{namespace!~"noor|');
    expect(errors[0]?.expr).toContain('status=~"5.."');
    expect(errors[1]?.expr).toContain('http_server_requests_total{namespace=~"noor|[a-z0-9]([-a-z0-9]*[a-z0-9])?-noor", status_code=~"5.."}');
    expect(errors[1]?.labels.product).toBe("noor");
    expect(byAlert(rules, "HttpLatencyP95High")[1]?.expr).toContain("http_server_duration_seconds_bucket{");
    // Rules that do not read HTTP metrics stay environment-wide.
    expect(byAlert(rules, "PodCrashLooping")).toHaveLength(1);
  });

  it("reads a summary's quantile series when the duration is a summary", () => {
    const rules = rulesFor({ products: [{ name: "murima", namespace: "murima", httpMetrics: { ...statusCode, statusLabel: "status", requests: "http_requests_total", duration: "http_request_duration_seconds", durationKind: "summary" } }] });
    const [, p95] = byAlert(rules, "HttpLatencyP95High");
    const [, p99] = byAlert(rules, "HttpLatencyP99High");
    expect(p95?.expr).toBe('max by (namespace, service) (http_request_duration_seconds{namespace=~"murima|[a-z0-9]([-a-z0-9]*[a-z0-9])?-murima", quantile="0.95"}) > 0.5');
    expect(p99?.expr).toContain('quantile="0.99"');
    for (const rule of rules.rules) expect(promqlErrors(rule.expr), rule.expr).toEqual([]);
    // The error rate reads the same counter as the environment's: no rule of its own.
    expect(byAlert(rules, "HttpErrorRateHigh")).toHaveLength(2);
  });

  it("treats the default names written out as no difference", () => {
    const rules = rulesFor({ products: [{ name: "noor", namespace: "noor", httpMetrics: { requests: "http_requests_total", duration: "http_request_duration_seconds", statusLabel: "status", durationKind: "histogram" } }] });
    expect(byAlert(rules, "HttpErrorRateHigh")).toHaveLength(1);
  });

  it("rejects a product's HTTP metric names that are not Prometheus names", () => {
    expect(build({ products: [{ name: "noor", namespace: "noor", httpMetrics: { ...statusCode, statusLabel: "status-code" } }] })).toThrow(/products\.noor\.monitoring\.httpMetrics\.statusLabel "status-code"/);
  });
});

describe("AlertRules: a product's own rules", () => {
  const noor = (rules: ProductScope["rules"]): ProductScope => ({ name: "noor", namespace: "noor", rules });

  it("renders them in a group of the product, limited to the product's instances, with its labels and runbook", () => {
    const rules = rulesFor({ products: [noor([customRule({ labels: { team: "learning" } }), customRule({ alert: "CourseUnlocksStopped", expr: "sum(rate(noor_course_unlocks_total[1h])) == 0", severity: "info", runbookUrl: "https://wiki.example.com/noor/unlocks" })])] });
    const group = rules.groups.find((candidate) => candidate.name === `${PRODUCT_GROUP_PREFIX}noor`);
    expect(group?.rules.map((rule) => rule.alert)).toEqual(["AssessmentBacklogHigh", "CourseUnlocksStopped"]);
    const [backlog, unlocks] = group?.rules ?? [];
    expect(backlog?.expr).toBe('sum by (namespace) (noor_assessment_queue_depth{namespace=~"noor|[a-z0-9]([-a-z0-9]*[a-z0-9])?-noor"}) > 100');
    expect(backlog?.labels).toEqual({ team: "learning", severity: "warning", product: "noor" });
    expect(backlog?.annotations.runbook_url).toBe(`${prod.runbookBaseUrl}/assessment-backlog-high`);
    expect(unlocks?.annotations.runbook_url).toBe("https://wiki.example.com/noor/unlocks");
    expect(unlocks?.for).toBe("10m");
    for (const rule of group?.rules ?? []) expect(promqlErrors(rule.expr), rule.expr).toEqual([]);
  });

  it("scopes every selector, with or without matchers, inside ranges and subqueries", () => {
    const scope = `namespace=~"${instanceNamespacePattern("noor", "noor")}"`;
    expect(scopeExpression('rate(a{b="c"}[5m]) / on (namespace) b + max_over_time(c[10m:1m]) + {__name__="d"}', scope)).toBe(
      `rate(a{${scope}, b="c"}[5m]) / on (namespace) b{${scope}} + max_over_time(c{${scope}}[10m:1m]) + {${scope}, __name__="d"}`,
    );
  });

  it("rejects rules the schema would reject when they reach the construct another way", () => {
    const raw = { ...customRule(), expr: "sum(rate(x[5m]) > 1" };
    expect(build({ products: [noor([raw])] })).toThrow(/products\.noor\.monitoring\.rules\[0\]\.expr: not valid PromQL/);
    expect(build({ products: [noor([{ ...customRule(), alert: "HttpErrorRateHigh" }])] })).toThrow(/is a generated alert's name/);
    expect(build({ products: [noor([customRule(), customRule()])] })).toThrow(/appears twice/);
    expect(build({ products: [noor([{ ...customRule(), labels: { severity: "page" } }])] })).toThrow(/labels\.severity is not a label a product may set/);
  });
});

describe("a product's alert rule in configuration", () => {
  const issues = (overrides: Record<string, unknown>) => {
    const result = ProductAlertRuleSchema.safeParse({ ...customRule(), ...overrides });
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  };

  it("accepts a valid rule (defaults: no extra labels)", () => {
    expect(issues({})).toEqual([]);
    expect(customRule().labels).toEqual({});
  });

  it("rejects an expression that is not PromQL, naming the column", () => {
    expect(issues({ expr: "sum(rate(x[5m]) > 1" })).toEqual([expect.stringMatching(/^expr: not valid PromQL: syntax error at column \d+/)]);
  });

  it("rejects an expression that matches on namespace itself", () => {
    expect(issues({ expr: 'up{namespace="noor"} == 0' })).toEqual([expect.stringMatching(/^expr: remove the namespace matcher/)]);
  });

  it("rejects a Terraform template sequence in the expression or the text", () => {
    expect(issues({ expr: "up{job=\"${x}\"} == 0" })).toEqual([expect.stringMatching(/^expr: .*Terraform/)]);
    expect(issues({ summary: "down in %{ns}" })).toEqual([expect.stringMatching(/^summary: .*Terraform/)]);
  });

  it("rejects an alert name that is not PascalCase or is a generated alert's", () => {
    expect(issues({ alert: "assessment-backlog" })).toEqual([expect.stringMatching(/^alert: expected an alert name in PascalCase/)]);
    expect(issues({ alert: "PodCrashLooping" })).toEqual([expect.stringMatching(/^alert: PodCrashLooping is an alert the platform generates/)]);
  });

  it("rejects an unknown severity and a bad duration", () => {
    expect(issues({ severity: "page" })).toEqual([expect.stringMatching(/^severity: /)]);
    expect(issues({ for: "ten minutes" })).toEqual([expect.stringMatching(/^for: expected a Prometheus duration/)]);
  });

  it("rejects labels the platform sets and label names Prometheus rejects", () => {
    expect(issues({ labels: { product: "x" } })).toEqual([expect.stringMatching(/^labels\.product: label product is set by the platform/)]);
    expect(issues({ labels: { "team-name": "x" } })).toEqual([expect.stringMatching(/^labels\.team-name: /)]);
  });
});
