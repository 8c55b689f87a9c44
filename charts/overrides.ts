/**
 * Value shapes of the charts whose overrides are computed by constructs (monitoring, logging): declared here, in
 * the chart layer, so the catalog never imports the constructs that use it (constructs -> charts, one way).
 */

/** A Prometheus alerting rule as kube-prometheus-stack renders it into a PrometheusRule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** `additionalPrometheusRulesMap` of kube-prometheus-stack. */
export type PrometheusRulesMap = Readonly<Record<string, { readonly groups: readonly RuleGroup[] }>>;

/** The values kube-prometheus-stack receives from configuration (checked against the chart's upstream keys). */
export interface KubePrometheusStackOverrides {
  readonly prometheus: Readonly<Record<string, unknown>>;
  readonly alertmanager: Readonly<Record<string, unknown>>;
  readonly grafana: Readonly<Record<string, unknown>>;
  readonly additionalPrometheusRulesMap: PrometheusRulesMap;
  readonly extraManifests: readonly Readonly<Record<string, unknown>>[];
}

export interface CloudWatchExporterOverrides {
  readonly serviceAccount: { readonly create: true; readonly name: string };
  /** yet-another-cloudwatch-exporter configuration file (YAML text). */
  readonly config: string;
}

/** The values of the loki chart computed from configuration. */
export interface LokiOverrides {
  readonly loki: { readonly config: string; readonly schemaConfig: Readonly<Record<string, unknown>> };
  readonly serviceAccount: { readonly create: true; readonly name: string };
  readonly singleBinary: {
    readonly replicas: number;
    readonly persistence: { readonly enabled: true; readonly size: string; readonly storageClass: string };
  };
}

/** The values of the fluent-bit chart computed from configuration. */
export interface FluentBitOverrides {
  readonly serviceAccount: { readonly create: true; readonly name: string };
  readonly config: { readonly inputs: string; readonly filters: string; readonly outputs: string };
}

