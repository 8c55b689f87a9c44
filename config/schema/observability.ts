/**
 * `observability` section of an environment file: metrics (Prometheus), alert routing (Alertmanager), dashboards
 * (Grafana), alert rules generated from typed thresholds, the log pipeline (Loki or OpenSearch, fed by Fluent Bit)
 * and the CloudWatch alarms of the managed data services. Every value has a per-profile default in
 * config/defaults.ts; products override the product-scoped alert thresholds in their own `alerts` key.
 *
 * Credentials never appear here: a receiver names the Secrets Manager secret that holds its webhook URL, routing
 * key or SMTP password, and External Secrets syncs it into the cluster.
 */
import { z } from "zod";
import {
  ALERT_NAME,
  DEFAULT_HTTP_METRICS,
  DURATION_KINDS,
  LABEL_NAME,
  METRIC_NAME,
  NAMESPACE_LABEL,
  matchedLabels,
  PLATFORM_ALERT_NAMES,
  promqlProblem,
  RESERVED_RULE_LABELS,
  TERRAFORM_TEMPLATE,
} from "../../constructs/alert-rules/rules";
import { dnsLabel, duplicatesOf, ipv4Cidr, reachesSecretsManager, uniqueList } from "./primitives";

/** Alert severities, most urgent first. Routing matches on them. */
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const RECEIVER_TYPES = ["slack", "pagerduty", "email"] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

export const LOG_BACKENDS = ["loki", "opensearch"] as const;
export type LogBackend = (typeof LOG_BACKENDS)[number];

/** CloudWatch periods the alarms may use (high-resolution periods cost more and AWS services publish per minute). */
export const ALARM_PERIODS = [60, 300] as const;

/** A Prometheus duration: 30s, 5m, 12h, 15d, 2w. */
export const PROMETHEUS_DURATION = /^\d+(ms|s|m|h|d|w|y)$/;
export const promDuration = z
  .string({ error: "expected a Prometheus duration such as 30s, 5m, 12h or 15d" })
  .regex(PROMETHEUS_DURATION, { error: "expected a Prometheus duration such as 30s, 5m, 12h or 15d (one number and one unit)" });

/** A Prometheus label name. */
export const labelName = z.string().regex(LABEL_NAME, { error: "expected a Prometheus label name: letters, digits and '_'" });
/** A Prometheus metric name. */
export const metricName = z.string().regex(METRIC_NAME, { error: "expected a Prometheus metric name: letters, digits, '_' and ':' (e.g. http_requests_total)" });

export const severity = z.enum(ALERT_SEVERITIES, { error: `expected one of ${ALERT_SEVERITIES.join(", ")}` });
const severities = uniqueList(severity, "severities").min(1, { error: "list at least one severity" });

const percent = z.number({ error: "expected a percentage between 0 and 100" }).gt(0).lt(100, { error: "a percentage must be below 100" });
const seconds = z.number({ error: "expected a number of seconds" }).positive({ error: "must be greater than 0" });

/**
 * A Secrets Manager secret, named relative to the environment's secret prefix (`<project>-<env>[-<tenant>]/`), never
 * the secret itself: `alertmanager/slack` is the secret `acme-prod/alertmanager/slack` (External Secrets reads only
 * the scope's own secrets; a dedicated tenant's cluster reads its own copy under its prefix). Values that look like
 * the credential (a URL) are refused with a hint, so a webhook URL pasted into the file fails validation instead of
 * being committed.
 */
export const RELATIVE_SECRET_NAME = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
const secretReference = z
  .string({ error: "expected a secret name relative to the environment's prefix, e.g. alertmanager/slack" })
  .refine((value) => !/^[a-z]+:\/\//i.test(value), {
    error: "this looks like a URL: store the webhook URL or key in Secrets Manager and put the secret's name here",
    abort: true,
  })
  .refine((value) => RELATIVE_SECRET_NAME.test(value) && value.length <= 256, {
    error: "expected a secret name relative to the environment's prefix: segments of letters, digits and _+=.@- joined by '/', e.g. alertmanager/slack",
  });

/** A JSON key inside the secret. */
const secretProperty = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, { error: "expected a JSON key of the secret, e.g. webhookUrl" });

const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: "expected an email address such as oncall@example.com" });

const receiverCommon = {
  /** Receiver name (Alertmanager receiver and the Kubernetes secret that holds its credentials). */
  name: dnsLabel(40, "a receiver name"),
  /** Alerts of these severities are sent to this receiver. */
  severities,
  /**
   * Secrets Manager secret (relative to `<project>-<env>/`) holding the webhook URL, routing key or SMTP password as a
   * JSON key (`credentialsKey`). The platform stack creates it empty, encrypted with the environment's data key; seed
   * the value afterwards (`npm run secrets -- list <env>`). Until it is seeded this receiver gets nothing (Alertmanager
   * still starts, and the ExternalSecretNotSynced alert says so); receivers may share one secret with different keys.
   */
  credentialsSecret: secretReference,
  /** JSON key of the credential inside the secret. Default: webhookUrl (slack), routingKey (pagerduty), password (email). */
  credentialsKey: secretProperty.optional(),
  /** Also notify when an alert resolves. */
  sendResolved: z.boolean().default(true),
};

export const ReceiverSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      ...receiverCommon,
      type: z.literal("slack"),
      /** Channel of the incoming webhook, e.g. #platform-alerts. */
      channel: z.string().regex(/^[#@]?[a-z0-9._-]{1,80}$/, { error: "expected a Slack channel such as #platform-alerts" }),
    }),
    z.strictObject({ ...receiverCommon, type: z.literal("pagerduty") }),
    z.strictObject({
      ...receiverCommon,
      type: z.literal("email"),
      to: uniqueList(email, "addresses").min(1, { error: "list at least one address" }),
      from: email,
      /** SMTP relay `host:port` (TLS is required). */
      smarthost: z.string().regex(/^[a-z0-9.-]+:\d{2,5}$/, { error: "expected host:port, e.g. email-smtp.eu-west-1.amazonaws.com:587" }),
      /** SMTP user name (not secret; the password comes from credentialsSecret). */
      username: z.string().min(1).max(256),
    }),
  ],
  { error: `expected a receiver with type one of ${RECEIVER_TYPES.join(", ")}` },
);

// ---------------------------------------------------------------------------------------------------------------
// Alert rule thresholds

/** A rule with a threshold: fires when the value stays beyond `threshold` for `for`. */
function thresholdRule<T extends z.ZodType<number>>(threshold: T) {
  return z.strictObject({
    threshold,
    /** How long the condition must hold before the alert fires. */
    for: promDuration,
    severity,
  });
}
/** A rule that is a condition only (crash looping, node not ready, autoscaler at its maximum). */
const conditionRule = z.strictObject({ for: promDuration, severity });

/** Rules evaluated per product namespace; a product may override them (`products/<name>.yaml` `alerts`). */
export const ProductAlertThresholdsSchema = z.strictObject({
  /** Share of HTTP requests answered with a 5xx, in percent. */
  httpErrorRatePercent: thresholdRule(percent),
  /** 95th percentile of HTTP request duration, in seconds. */
  httpLatencyP95Seconds: thresholdRule(seconds),
  /** 99th percentile of HTTP request duration, in seconds. */
  httpLatencyP99Seconds: thresholdRule(seconds),
  /** Container restarts within one hour. */
  podRestartsPerHour: thresholdRule(z.int().min(1).max(1000)),
  /** A container in CrashLoopBackOff. */
  crashLooping: conditionRule,
  /** Container CPU usage, percent of its CPU limit (containers without a CPU limit are not throttled). */
  containerCpuPercent: thresholdRule(percent),
  /** Container memory working set, percent of its memory limit (the OOM kill line). */
  containerMemoryPercent: thresholdRule(percent),
  /** A HorizontalPodAutoscaler running at its maximum replicas. */
  hpaAtMaxReplicas: conditionRule,
  /** PersistentVolumeClaim usage, percent of its capacity. */
  volumeUsagePercent: thresholdRule(percent),
});

/** Rules about the cluster and the managed services, evaluated once per environment. */
export const PlatformAlertThresholdsSchema = z.strictObject({
  nodeNotReady: conditionRule,
  /** Node CPU usage, percent. */
  nodeCpuPercent: thresholdRule(percent),
  /** Node memory in use (not available), percent. */
  nodeMemoryPercent: thresholdRule(percent),
  /** Node root filesystem usage, percent. */
  nodeDiskPercent: thresholdRule(percent),
  /** Days before a cert-manager certificate expires. */
  certificateExpiryDays: thresholdRule(z.int().min(1).max(90)),
  /** Managed database / document database / cache / broker CPU, percent (CloudWatch exporter metrics). */
  dataServiceCpuPercent: thresholdRule(percent),
  /** Cache memory in use, percent of the node's maximum memory (CloudWatch exporter metrics). */
  cacheMemoryPercent: thresholdRule(percent),
  /** OpenSearch JVM memory pressure, percent (CloudWatch exporter metrics). */
  searchJvmPressurePercent: thresholdRule(percent),
  /** Load balancer 5xx responses (its own and its targets'), percent of requests (CloudWatch exporter metrics). */
  loadBalancerErrorRatePercent: thresholdRule(percent),
  /**
   * An ExternalSecret cannot sync (its Secrets Manager secret has no value yet, lacks a key, or cannot be read): the
   * workloads or Alertmanager receivers reading it cannot work.
   */
  externalSecretNotSynced: conditionRule,
});

/** What a product may override: any product-scoped rule, any of its fields. */
export const ProductAlertOverridesSchema = z.strictObject({
  httpErrorRatePercent: thresholdRule(percent).partial().optional(),
  httpLatencyP95Seconds: thresholdRule(seconds).partial().optional(),
  httpLatencyP99Seconds: thresholdRule(seconds).partial().optional(),
  podRestartsPerHour: thresholdRule(z.int().min(1).max(1000)).partial().optional(),
  crashLooping: conditionRule.partial().optional(),
  containerCpuPercent: thresholdRule(percent).partial().optional(),
  containerMemoryPercent: thresholdRule(percent).partial().optional(),
  hpaAtMaxReplicas: conditionRule.partial().optional(),
  volumeUsagePercent: thresholdRule(percent).partial().optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// A product's own monitoring (`monitoring` of products/<name>.yaml)

/** The HTTP instrumentation the product's generated HTTP rules read. */
export const HttpMetricsSchema = z.strictObject({
  /** Counter of handled requests. */
  requests: metricName.default(DEFAULT_HTTP_METRICS.requests),
  /** Label of that counter holding the HTTP status code (`status`, `status_code`, `code`). */
  statusLabel: labelName.default(DEFAULT_HTTP_METRICS.statusLabel),
  /** Request durations in seconds: a histogram (its `<name>_bucket` series is read) or a summary. */
  duration: metricName.default(DEFAULT_HTTP_METRICS.duration),
  /**
   * `histogram` (p95/p99 with histogram_quantile over `<duration>_bucket`) or `summary` (the client computes the
   * quantiles: `<duration>{quantile="0.95"}` and `{quantile="0.99"}` must be exported, e.g. prom-client's defaults).
   */
  durationKind: z.enum(DURATION_KINDS, { error: `expected one of ${DURATION_KINDS.join(", ")}` }).default(DEFAULT_HTTP_METRICS.durationKind),
});

/** Text of a rule that travels in a Helm values string: no Terraform template sequence. */
function ruleText(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !TERRAFORM_TEMPLATE.test(value), {
      error: "\"${\" and \"%{\" would be read by Terraform as template sequences; Prometheus templates are written {{ $labels.name }} and {{ $value }}",
    });
}

/**
 * One alert rule of a product, evaluated by the environment's Prometheus. The expression is limited to the product's
 * instances: every selector gets a `namespace` matcher for the product's own namespace and its shared tenants'
 * (`<tenant>-<product>`), so write it without one; aggregate `by (namespace)` to alert per instance.
 */
export const ProductAlertRuleSchema = z
  .strictObject({
    /** Alert name in PascalCase (also the last part of its runbook link), unique in the product. */
    alert: z.string().regex(ALERT_NAME, { error: "expected an alert name in PascalCase such as AssessmentBacklogHigh (a capital letter, then letters and digits; 3 to 64)" }),
    /** PromQL expression; the alert fires for every series it returns. */
    expr: z.string().superRefine((expr, ctx) => {
      if (TERRAFORM_TEMPLATE.test(expr)) {
        ctx.addIssue({ code: "custom", message: "\"${\" and \"%{\" would be read by Terraform as template sequences; write the expression without them", input: expr });
        return;
      }
      const problem = promqlProblem(expr);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem, input: expr });
        return;
      }
      if (matchedLabels(expr).has(NAMESPACE_LABEL)) {
        ctx.addIssue({
          code: "custom",
          message: "remove the namespace matcher: the platform limits every selector to the product's namespaces (its own and its shared tenants'), and a second namespace matcher would contradict it",
          input: expr,
        });
      }
    }),
    /** How long the expression must hold before the alert fires. */
    for: promDuration,
    severity,
    summary: ruleText(256),
    description: ruleText(2048),
    /** Extra labels for routing (e.g. team); severity, product, namespace and alertname are the platform's. */
    labels: z.record(labelName, z.string().max(256)).default({}),
    /** Runbook of the alert. Default: `<observability.alertRules.runbookBaseUrl>/<kebab-case alert name>`. */
    runbookUrl: z.string().regex(/^https:\/\/\S+$/, { error: "expected an https:// URL" }).optional(),
  })
  .superRefine((rule, ctx) => {
    if ((PLATFORM_ALERT_NAMES as readonly string[]).includes(rule.alert)) {
      ctx.addIssue({
        code: "custom",
        path: ["alert"],
        message: `${rule.alert} is an alert the platform generates; change its threshold under the product's alerts key, or name this rule differently`,
        input: rule.alert,
      });
    }
    for (const label of Object.keys(rule.labels)) {
      if ((RESERVED_RULE_LABELS as readonly string[]).includes(label) || label.startsWith("__")) {
        ctx.addIssue({
          code: "custom",
          path: ["labels", label],
          message: `label ${label} is set by the platform (${RESERVED_RULE_LABELS.join(", ")}; names starting with __ are Prometheus')`,
          input: label,
        });
      }
    }
  });

/** A Grafana dashboard file, relative to the product file. */
const dashboardFile = z
  .string({ error: "expected the path of a dashboard JSON file, relative to the product file" })
  .regex(/^[^\0]*[^/\0]\.json$/, { error: "expected the path of a .json dashboard file, relative to the product file (e.g. noor/dashboards/overview.json)" });

/** `monitoring` of a product: its HTTP metric names, its own dashboards and alert rules. */
export const ProductMonitoringSchema = z.strictObject({
  /** The metric names and labels of the product's HTTP instrumentation (read by the generated HTTP rules). */
  httpMetrics: HttpMetricsSchema.prefault({}),
  /**
   * Grafana dashboards (JSON, as exported with "Export for sharing externally" off), relative to the product file,
   * provisioned read-only in a folder named after the product. Each needs a unique uid and title, at least one panel,
   * and data sources by the uids the platform provisions (prometheus, loki, cloudwatch).
   */
  dashboards: uniqueList(dashboardFile, "dashboards").default([]),
  /** The product's own alert rules (PromQL), next to the generated ones. */
  rules: z.array(ProductAlertRuleSchema).default([]).superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((rule, index) => {
      const first = seen.get(rule.alert);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: [index, "alert"], message: `${rule.alert} is already the name of rules[${first}]; alert names are unique in a product`, input: rule.alert });
      else seen.set(rule.alert, index);
    });
  }),
});

/** Log classes: how long logs are kept (observability.logs.retention). */
export const LOG_CLASSES = ["application", "audit"] as const;
export type LogClass = (typeof LOG_CLASSES)[number];

/** `logs` of a product: where its logs go and which retention class they have. */
export const ProductLogsSchema = z.strictObject({
  /**
   * Prefix of the product's log index (OpenSearch: `<prefix>-<class>-YYYY.MM.DD`) or stream (Loki label `app`).
   * A shared tenant's instance writes to `<prefix>-<tenant>`. Default: the product name.
   */
  // At most 30 characters: `<prefix>-<tenant>-<class>` must fit a 63-character Kubernetes label value.
  indexPrefix: z.string().regex(/^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/, { error: "expected a lowercase prefix such as noor (letters, digits and '-', at most 30, not ending with '-')" }).optional(),
  /** Retention class of the product's logs; a workload may set its own (`workloads.<name>.logs.class`). */
  class: z.enum(LOG_CLASSES, { error: `expected one of ${LOG_CLASSES.join(", ")}` }).default("application"),
});

export type ProductLogsConfig = z.output<typeof ProductLogsSchema>;
export type HttpMetricsConfig = z.output<typeof HttpMetricsSchema>;
export type ProductAlertRuleConfig = z.output<typeof ProductAlertRuleSchema>;
export type ProductMonitoringConfig = z.output<typeof ProductMonitoringSchema>;

// ---------------------------------------------------------------------------------------------------------------
// CloudWatch alarms of managed services

export const CloudWatchAlarmsSchema = z.strictObject({
  /** Period of every alarm, in seconds. */
  periodSeconds: z.union([z.literal(60), z.literal(300)], { error: `expected one of ${ALARM_PERIODS.join(", ")}` }),
  /** Consecutive breaching periods before an alarm fires. */
  evaluationPeriods: z.int().min(1).max(10),
  database: z.strictObject({
    cpuPercent: percent,
    /** Alarm when freeable memory drops below this. */
    freeableMemoryMiB: z.int().min(16),
    /** Connections, percent of max_connections (configured, or the engine's default for the instance class). */
    connectionsPercent: percent,
    /** Replica lag (Aurora replica lag, RDS read replica lag). */
    replicaLagSeconds: seconds,
    /** Free storage (RDS: allocated storage; Aurora: local storage for temporary tables). */
    freeStorageGiB: z.int().min(1),
  }),
  cache: z.strictObject({
    /** Engine CPU (the single thread that serves commands), percent. */
    cpuPercent: percent,
    /** Memory in use, percent of maxmemory. */
    memoryPercent: percent,
    /** Keys evicted per period; any eviction of a cache that must not lose data is worth a look. */
    evictionsPerPeriod: z.int().min(0),
    replicationLagSeconds: seconds,
  }),
  documentDb: z.strictObject({
    cpuPercent: percent,
    freeableMemoryMiB: z.int().min(16),
    replicaLagSeconds: seconds,
  }),
  search: z.strictObject({
    cpuPercent: percent,
    jvmMemoryPressurePercent: percent,
    /** Free storage of the smallest node. */
    freeStorageGiB: z.int().min(1),
  }),
  broker: z.strictObject({
    cpuPercent: percent,
    /** Messages ready for delivery (a consumer that stopped). */
    readyMessages: z.int().min(1),
  }),
  loadBalancer: z.strictObject({
    /** 5xx responses (load balancer and targets), percent of requests. */
    errorRatePercent: percent,
    /** 95th percentile target response time. */
    targetLatencyP95Seconds: seconds,
  }),
});

// ---------------------------------------------------------------------------------------------------------------
// Grafana and Alertmanager exposure

export const EXPOSURE_SCHEMES = ["internal", "internet-facing"] as const;
export const EXPOSURE_AUTHENTICATION = ["none", "oidc", "cognito"] as const;

const httpsUrl = z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/i, { error: "expected an https:// URL" });

/** ALB authentication before Grafana and Alertmanager (listener-authenticate-users; HTTPS listeners only). */
export const ExposureAuthenticationSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({
      type: z.literal("oidc"),
      issuer: httpsUrl,
      authorizationEndpoint: httpsUrl,
      tokenEndpoint: httpsUrl,
      userInfoEndpoint: httpsUrl,
      /**
       * Secrets Manager secret (relative to `<project>-<env>/`) holding the OIDC client as JSON keys `clientID` and
       * `clientSecret`; created empty by the platform stack, seeded by a human (`npm run secrets -- list <env>`).
       */
      clientCredentialsSecret: secretReference,
      /** Scopes requested from the identity provider. */
      scope: z.string().regex(/^[A-Za-z0-9_:.-]+( [A-Za-z0-9_:.-]+)*$/, { error: "expected space-separated scopes such as openid email" }).default("openid email"),
      /** Seconds an authenticated session lasts. */
      sessionTimeoutSeconds: z.int().min(1).max(604_800).default(3600),
    }),
    z.strictObject({
      type: z.literal("cognito"),
      /** The user pool (arn:aws:cognito-idp:<region>:<account>:userpool/<id>). */
      userPoolArn: z.string().regex(/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[A-Za-z0-9_-]+$/, { error: "expected a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbCdEf123" }),
      /** The app client's id (not secret; the load balancer reads the client secret from Cognito). */
      userPoolClientId: z.string().regex(/^[a-z0-9]{1,128}$/, { error: "expected a Cognito app client id" }),
      /** The user pool's domain prefix (my-domain, not the full https URL). */
      userPoolDomain: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "expected the Cognito domain prefix (e.g. acme-sso), not a URL" }),
      sessionTimeoutSeconds: z.int().min(1).max(604_800).default(3600),
    }),
  ],
  { error: `expected authentication with type one of ${EXPOSURE_AUTHENTICATION.join(", ")}` },
);

/** Grafana and Alertmanager on hosts of one of the edge's domains, behind an ALB of their own. Off by default. */
export const ExposureSchema = z
  .strictObject({
    enabled: z.boolean(),
    /** Key of the edge domain (`edge.domains.<key>`) the hosts live under; its certificate (`*.<domain>`) is used. */
    domain: dnsLabel(24, "a domain key").optional(),
    /** Host labels under the domain. */
    hosts: z.strictObject({ grafana: dnsLabel(63, "a host label"), alertmanager: dnsLabel(63, "a host label") }),
    /** `internal`: reachable from the VPC and its peers only (VPN, peering); `internet-facing` needs authentication. */
    scheme: z.enum(EXPOSURE_SCHEMES, { error: `expected one of ${EXPOSURE_SCHEMES.join(", ")}` }),
    /** Client CIDRs the load balancer admits. Default: internal, the VPC and its peer networks; internet-facing, any. */
    allowedCidrs: uniqueList(ipv4Cidr(), "CIDRs").optional(),
    authentication: ExposureAuthenticationSchema,
  })
  .superRefine((exposure, ctx) => {
    if (exposure.enabled && !exposure.domain) {
      ctx.addIssue({ code: "custom", path: ["domain"], message: "name the edge domain (a key of edge.domains) the monitoring hosts live under", input: undefined });
    }
    if (exposure.scheme === "internet-facing" && exposure.authentication.type === "none") {
      ctx.addIssue({
        code: "custom",
        path: ["authentication", "type"],
        message: "an internet-facing Grafana and Alertmanager need single sign-on in front (oidc or cognito): Alertmanager has no login of its own",
        input: "none",
      });
    }
    if (exposure.hosts.grafana === exposure.hosts.alertmanager) {
      ctx.addIssue({ code: "custom", path: ["hosts", "alertmanager"], message: "Grafana and Alertmanager need hosts of their own", input: exposure.hosts.alertmanager });
    }
    (exposure.allowedCidrs ?? []).forEach((cidr, index) => {
      if (exposure.scheme === "internal" && cidr.endsWith("/0")) {
        ctx.addIssue({ code: "custom", path: ["allowedCidrs", index], message: "an internal load balancer admits networks that reach the VPC; list them instead of the whole internet", input: cidr });
      }
    });
  });

export type ExposureConfig = z.output<typeof ExposureSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The section

export const ObservabilitySchema = z
  .strictObject({
    prometheus: z.strictObject({
      /** Prometheus replicas (each scrapes everything; two survive the loss of one). */
      replicas: z.int().min(1).max(5),
      /** How long samples are kept. */
      retention: promDuration,
      /** Size cap of the TSDB; the oldest blocks are dropped first. Must leave room on the volume for the WAL. */
      retentionSizeGiB: z.int().min(1).max(16_384),
      /** Persistent volume per replica (gp3, encrypted with the environment's data key). */
      storageGiB: z.int().min(5).max(16_384),
      scrapeInterval: promDuration,
    }),
    alertmanager: z.strictObject({
      /** Alertmanager replicas (a gossip cluster; notifications are deduplicated). */
      replicas: z.int().min(1).max(5),
      /** Persistent volume per replica for silences and the notification log. */
      storageGiB: z.int().min(1).max(1024),
      /** How long silences and notification state are kept. */
      retention: promDuration,
      /** Labels alerts are grouped by into one notification. */
      groupBy: uniqueList(labelName, "labels").min(1),
      /** How often a still-firing group is re-notified. */
      repeatInterval: promDuration,
      /** Severities published to the environment's alerts SNS topic (whose subscriptions come from `alerts`). */
      alertsTopicSeverities: uniqueList(severity, "severities"),
      /** Further receivers (Slack, PagerDuty, email); credentials come from Secrets Manager. */
      receivers: z.array(ReceiverSchema).superRefine((receivers, ctx) => {
        const dupes = duplicatesOf(receivers.map((receiver) => receiver.name));
        if (dupes.length > 0) ctx.addIssue({ code: "custom", message: `duplicate receiver names: ${dupes.join(", ")}; each may appear once`, input: dupes });
      }),
    }),
    grafana: z.strictObject({
      /** Persistent volume of Grafana's database (users, preferences, annotations). */
      storageGiB: z.int().min(1).max(1024),
    }),
    alertRules: z.strictObject({
      /** Base URL of the runbooks; each alert links to `<base>/<alert-name>`. */
      runbookBaseUrl: z
        .string()
        .regex(/^https:\/\/[^\s]+[^/\s]$/, { error: "expected an https:// URL without a trailing slash, e.g. https://runbooks.example.com/alerts" }),
      product: ProductAlertThresholdsSchema,
      platform: PlatformAlertThresholdsSchema,
    }),
    /** CloudWatch metrics in Prometheus (data services, load balancers) through yet-another-cloudwatch-exporter. */
    cloudwatchExporter: z.strictObject({
      enabled: z.boolean(),
      /** CloudWatch period the exporter reads, in seconds. */
      periodSeconds: z.union([z.literal(60), z.literal(300)], { error: `expected one of ${ALARM_PERIODS.join(", ")}` }),
    }),
    /**
     * Prometheus exporters of the environment's data services, in the monitoring namespace, each with its own
     * least-privilege user and a ServiceMonitor (constructs/redis-exporter). Off by default.
     */
    exporters: z.strictObject({
      /**
       * prometheus-redis-exporter for every Redis service of the environment: an ElastiCache user that may run INFO,
       * PING and read the latency and slow logs only (no key, channel or configuration access), with a password
       * generated and rotated in Secrets Manager.
       */
      redis: z.strictObject({ enabled: z.boolean() }),
      /**
       * prometheus-postgres-exporter for every PostgreSQL service of the environment: a `pg_monitor` login (no table
       * access) whose password a rotation function in the private subnets generates and rotates in Secrets Manager,
       * alternating between two users so the exporter keeps working through a rotation (constructs/postgres-monitor-user).
       */
      postgres: z.strictObject({ enabled: z.boolean() }),
    }),
    logs: z.strictObject({
      /** Where logs are stored: Loki on S3 (default) or an OpenSearch domain of the environment (EFK layout). */
      backend: z.enum(LOG_BACKENDS, { error: `expected one of ${LOG_BACKENDS.join(", ")}` }),
      /**
       * Days logs stay searchable, per class: `application` (the products' workloads), `infrastructure` (the platform's
       * own pods: add-ons, monitoring, logging, kube-system) and `audit` (workloads of products that declare their logs
       * audit logs). Loki applies them per stream; the bucket keeps objects as long as the longest.
       */
      retention: z.strictObject({
        application: z.int().min(1).max(3650),
        infrastructure: z.int().min(1).max(3650),
        audit: z.int().min(1).max(3650),
      }),
      /**
       * Where audit logs are also written, for multi-year retention: a bucket of `storage.buckets` with object lock
       * (write once; its lock period keeps them), under `prefix`. Required in production when a product has audit logs.
       */
      auditArchive: z
        .strictObject({
          bucket: dnsLabel(63, "a bucket name"),
          prefix: z.string().regex(/^([a-z0-9][a-z0-9._-]*\/)+$/, { error: "expected a key prefix such as audit-logs/ (lowercase segments, each ending with '/')" }).default("audit-logs/"),
        })
        .optional(),
      loki: z.strictObject({
        /** Loki replicas (single-binary mode; the replication factor follows, up to 3). */
        replicas: z.int().min(1).max(7),
        /** Persistent volume per replica for the write-ahead log and index cache. */
        storageGiB: z.int().min(1).max(1024),
      }),
      /** The `opensearch` data service logs are shipped to (backend: opensearch). */
      opensearchService: dnsLabel(40, "a data service name").optional(),
    }),
    cloudwatchAlarms: CloudWatchAlarmsSchema,
    /** Grafana and Alertmanager behind a load balancer of their own (off by default). */
    exposure: ExposureSchema,
  })
  .superRefine((observability, ctx) => {
    const { prometheus, logs } = observability;
    if (logs.retention.infrastructure > logs.retention.audit || logs.retention.application > logs.retention.audit) {
      ctx.addIssue({
        code: "custom",
        path: ["logs", "retention", "audit"],
        message: `audit logs are kept at least as long as the other classes (application ${logs.retention.application}, infrastructure ${logs.retention.infrastructure} days); got ${logs.retention.audit}`,
        input: logs.retention.audit,
      });
    }
    if (prometheus.retentionSizeGiB >= prometheus.storageGiB) {
      ctx.addIssue({
        code: "custom",
        path: ["prometheus", "retentionSizeGiB"],
        message: `retentionSizeGiB ${prometheus.retentionSizeGiB} must be below storageGiB ${prometheus.storageGiB}: the volume also holds the write-ahead log`,
        input: prometheus.retentionSizeGiB,
      });
    }
    if (logs.backend === "opensearch" && !logs.opensearchService) {
      ctx.addIssue({
        code: "custom",
        path: ["logs", "opensearchService"],
        message: "backend opensearch needs the name of the environment's opensearch data service to ship logs to",
        input: undefined,
      });
    }
    if (logs.backend === "loki" && logs.opensearchService) {
      ctx.addIssue({
        code: "custom",
        path: ["logs", "opensearchService"],
        message: "opensearchService applies to backend opensearch only; remove it or set backend: opensearch",
        input: logs.opensearchService,
      });
    }
  });

export type ObservabilityConfig = z.output<typeof ObservabilitySchema>;
export type ReceiverConfig = z.output<typeof ReceiverSchema>;
export type ProductAlertThresholds = z.output<typeof ProductAlertThresholdsSchema>;
export type PlatformAlertThresholds = z.output<typeof PlatformAlertThresholdsSchema>;
export type ProductAlertOverrides = z.output<typeof ProductAlertOverridesSchema>;
export type CloudWatchAlarmsConfig = z.output<typeof CloudWatchAlarmsSchema>;
export type ThresholdRule = { readonly threshold: number; readonly for: string; readonly severity: AlertSeverity };
export type ConditionRule = { readonly for: string; readonly severity: AlertSeverity };

export interface ObservabilityIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input: unknown;
}

/**
 * Data-service exporters read their credentials once, when the pod starts, and the credentials rotate (their users'
 * passwords are owned by rotation functions, synced by External Secrets): without Stakater Reloader restarting the
 * exporter after a sync, it would lose access once the previous password is dropped (the rotation after next).
 */
export function exporterIssues(env: {
  readonly addons: { readonly reloader: { readonly enabled: boolean } };
  readonly network: { readonly natGateways: string; readonly interfaceEndpoints: readonly string[] };
  readonly observability: { readonly exporters: Readonly<Record<string, { readonly enabled: boolean }>> };
}): ObservabilityIssue[] {
  const enabled = Object.entries(env.observability.exporters).filter(([, exporter]) => exporter.enabled).map(([kind]) => kind);
  const issues: ObservabilityIssue[] = env.addons.reloader.enabled
    ? []
    : enabled.map((kind) => ({
        path: ["observability", "exporters", kind, "enabled"],
        message: `the ${kind} exporter reads its rotated password when it starts and needs Stakater Reloader to restart it after each rotation: set addons.reloader.enabled: true in this environment`,
        input: true,
      }));
  // The PostgreSQL monitoring user's rotation function runs in the private subnets (it connects to the database) and
  // calls Secrets Manager (constructs/postgres-monitor-user).
  if (enabled.includes("postgres") && !reachesSecretsManager(env.network)) {
    issues.push({
      path: ["observability", "exporters", "postgres", "enabled"],
      message: "the monitoring user's rotation function runs in the private subnets and must reach Secrets Manager: add secretsmanager to network.interfaceEndpoints (network.natGateways is none)",
      input: true,
    });
  }
  return issues;
}

/**
 * Rules that need the rest of the environment: the OpenSearch domain logs go to must be one of its services; the audit
 * archive must be a declared bucket under object lock keeping logs at least as long as `retention.audit`; and in
 * production, products whose logs are audit logs need the archive.
 */
export function observabilityIssues(env: {
  readonly profile?: string;
  readonly observability: Pick<ObservabilityConfig, "logs"> & { readonly exposure?: ExposureConfig };
  readonly edge?: { readonly domains: Readonly<Record<string, { readonly name: string }>> };
  /** Whether external-dns publishes hosts under a domain. */
  readonly publishes?: (domain: string) => boolean;
  readonly services: { readonly opensearch: Readonly<Record<string, unknown>> };
  readonly storage?: { readonly buckets: Readonly<Record<string, { readonly objectLock?: { readonly mode: string; readonly retentionDays: number } | undefined }>> };
  readonly products?: Readonly<Record<string, { readonly logs: { readonly class: string }; readonly workloads: Readonly<Record<string, { readonly logs?: { readonly class?: string | undefined } | undefined }>> }>>;
}): ObservabilityIssue[] {
  const { logs } = env.observability;
  const issues: ObservabilityIssue[] = [];
  if (logs.backend === "opensearch" && logs.opensearchService) {
    const known = Object.keys(env.services.opensearch).sort();
    if (!known.includes(logs.opensearchService)) {
      issues.push({
        path: ["observability", "logs", "opensearchService"],
        message: `no opensearch service "${logs.opensearchService}" in services.opensearch (defined: ${known.join(", ") || "none"})`,
        input: logs.opensearchService,
      });
    }
  }
  const exposure = env.observability.exposure;
  if (exposure?.enabled && exposure.domain && env.edge) {
    const domain = env.edge.domains[exposure.domain];
    if (!domain) {
      issues.push({
        path: ["observability", "exposure", "domain"],
        message: `no domain "${exposure.domain}" under edge.domains (declared: ${Object.keys(env.edge.domains).sort().join(", ") || "none"})`,
        input: exposure.domain,
      });
    } else if (env.publishes && !env.publishes(domain.name)) {
      issues.push({
        path: ["observability", "exposure", "domain"],
        message: `nothing publishes the monitoring hosts under ${domain.name}: add its zone to addons.externalDns.zones (and enable external-dns)`,
        input: exposure.domain,
      });
    }
  }
  const archive = logs.auditArchive;
  if (archive && env.storage) {
    const bucket = env.storage.buckets[archive.bucket];
    const declared = Object.keys(env.storage.buckets).sort();
    if (!bucket) {
      issues.push({ path: ["observability", "logs", "auditArchive", "bucket"], message: `no bucket "${archive.bucket}" under storage.buckets (declared: ${declared.join(", ") || "none"})`, input: archive.bucket });
    } else if (!bucket.objectLock) {
      issues.push({
        path: ["observability", "logs", "auditArchive", "bucket"],
        message: `bucket ${archive.bucket} has no object lock; an audit archive must be write-once: set storage.buckets.${archive.bucket}.objectLock (COMPLIANCE in production)`,
        input: archive.bucket,
      });
    } else if (bucket.objectLock.retentionDays < logs.retention.audit) {
      issues.push({
        path: ["observability", "logs", "auditArchive", "bucket"],
        message: `bucket ${archive.bucket} locks objects for ${bucket.objectLock.retentionDays} days, less than retention.audit ${logs.retention.audit}; the archive must keep audit logs at least as long as they are searchable`,
        input: archive.bucket,
      });
    }
  }
  if (!archive && env.profile === "production") {
    for (const [product, config] of Object.entries(env.products ?? {})) {
      const audited = Object.entries(config.workloads).filter(([, workload]) => (workload.logs?.class ?? config.logs.class) === "audit").map(([name]) => name);
      if (audited.length === 0) continue;
      issues.push({
        path: ["observability", "logs", "auditArchive"],
        message: `product ${product} writes audit logs (${audited.join(", ")}); production keeps them in an archive under object lock: set observability.logs.auditArchive.bucket to a storage bucket with objectLock`,
        input: undefined,
      });
    }
  }
  return issues;
}
