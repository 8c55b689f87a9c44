/**
 * CloudWatch alarms for the managed services of an environment, publishing to its alerts SNS topic (alarm and
 * recovery). Inputs are typed targets — identifiers taken from the data-service constructs (see ./targets.ts) —
 * never hand-written names, so an alarm cannot watch a database that does not exist.
 *
 * - databases (Aurora / RDS PostgreSQL): CPU, freeable memory, connections (percent of max_connections), replica
 *   lag, free storage (RDS allocated storage; Aurora local storage)
 * - caches (ElastiCache): engine CPU, memory, evictions, replication lag — per node
 * - document databases (DocumentDB): CPU, freeable memory, replica lag — per instance
 * - search domains (OpenSearch): cluster status red / yellow, writes blocked, free storage, JVM memory pressure, CPU
 * - brokers (Amazon MQ for RabbitMQ): CPU of the busiest node (a Metrics Insights query: node names are not known in
 *   advance), ready messages
 * - load balancers (ALB known to Terraform): 5xx share of requests (metric math), p95 target response time
 * - rotation functions (Secrets Manager rotations the services own: the brokers' passwords, the PostgreSQL monitoring
 *   users'): any error. A failed rotation leaves the previous credentials in place, so nothing breaks at once, but the
 *   step is not retried until the next scheduled rotation, and a first rotation that fails leaves the credentials'
 *   readers (the exporter, the broker's consumers) without a usable password.
 *
 * Construct ids are `<kind>-<service>-<metric>` (and the instance key): stable across reordering of configuration.
 */
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import type { CloudWatchAlarmsConfig } from "../../config/schema/observability";
import type { Naming } from "../core/naming";

export const BYTES_PER_MIB = 1024 * 1024;
export const BYTES_PER_GIB = 1024 * BYTES_PER_MIB;
/** OpenSearch reports FreeStorageSpace in megabytes (MiB). */
export const MIB_PER_GIB = 1024;
export const MS_PER_SECOND = 1000;

export interface DatabaseInstanceTarget {
  /** Stable key of the instance within its service (`writer`, `reader-1`, `primary`, `replica-1`). */
  readonly key: string;
  readonly identifier: string;
  /** Read replica (RDS): gets a replica lag alarm. */
  readonly replica: boolean;
}

export interface DatabaseAlarmTarget {
  /** Service name from configuration. */
  readonly name: string;
  readonly engine: "aurora-postgresql" | "postgres";
  /** Aurora cluster identifier (Aurora only: cluster-wide replica lag). */
  readonly clusterIdentifier?: string;
  readonly instances: readonly DatabaseInstanceTarget[];
  /** max_connections of every instance (configured, or the engine's default for the instance class). */
  readonly maxConnections: number;
}

export interface CacheAlarmTarget {
  readonly name: string;
  /** Cache cluster ids of the replication group's nodes (`<group>-001`, ...), with stable keys. */
  readonly nodes: readonly { readonly key: string; readonly cacheClusterId: string }[];
}

export interface DocumentDbAlarmTarget {
  readonly name: string;
  readonly instances: readonly { readonly key: string; readonly identifier: string }[];
}

export interface SearchAlarmTarget {
  readonly name: string;
  readonly domainName: string;
}

export interface BrokerAlarmTarget {
  readonly name: string;
  readonly brokerName: string;
}

export interface RotationFunctionAlarmTarget {
  /** Stable name: `<kind>-<service>`, e.g. `mq-orders` or `pg-shop-db-monitor`. */
  readonly name: string;
  /** The Lambda function (FunctionName dimension). */
  readonly functionName: string;
  /** What it rotates, for the alarm's description. */
  readonly rotates: string;
}

export interface LoadBalancerAlarmTarget {
  readonly name: string;
  /** `app/<name>/<id>`: the LoadBalancer dimension (aws_lb.arn_suffix). */
  readonly arnSuffix: string;
}

export interface ServiceAlarmsProps {
  readonly naming: Naming;
  /** Account of the services (OpenSearch metrics carry it as the ClientId dimension). */
  readonly accountId: string;
  /** The environment's alerts topic (constructs/alerts-topic); alarms and recoveries are published to it. */
  readonly topic: { readonly arn: string };
  readonly thresholds: CloudWatchAlarmsConfig;
  /** @default none */
  readonly databases?: readonly DatabaseAlarmTarget[];
  /** @default none */
  readonly caches?: readonly CacheAlarmTarget[];
  /** @default none */
  readonly documentDbs?: readonly DocumentDbAlarmTarget[];
  /** @default none */
  readonly searchDomains?: readonly SearchAlarmTarget[];
  /** @default none */
  readonly brokers?: readonly BrokerAlarmTarget[];
  /** @default none — load balancers created by the AWS Load Balancer Controller are watched through Prometheus */
  readonly loadBalancers?: readonly LoadBalancerAlarmTarget[];
  /** @default none */
  readonly rotationFunctions?: readonly RotationFunctionAlarmTarget[];
}

export class ServiceAlarmsError extends Error {}

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

interface SimpleAlarm {
  readonly component: readonly string[];
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic?: "Average" | "Maximum" | "Minimum" | "Sum";
  readonly extendedStatistic?: string;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** @default "missing" */
  readonly treatMissingData?: "missing" | "notBreaching" | "breaching";
}

/** Problems with the thresholds and targets (empty when valid). */
export function serviceAlarmsProblems(props: Omit<ServiceAlarmsProps, "naming" | "topic">): string[] {
  const problems: string[] = [];
  const t = props.thresholds;
  if (!(t.periodSeconds === 60 || t.periodSeconds === 300)) problems.push(`periodSeconds ${t.periodSeconds} must be 60 or 300`);
  if (!Number.isInteger(t.evaluationPeriods) || t.evaluationPeriods < 1 || t.evaluationPeriods > 10) {
    problems.push(`evaluationPeriods ${t.evaluationPeriods} must be a whole number from 1 to 10`);
  }
  const percents: [string, number][] = [
    ["database.cpuPercent", t.database.cpuPercent],
    ["database.connectionsPercent", t.database.connectionsPercent],
    ["cache.cpuPercent", t.cache.cpuPercent],
    ["cache.memoryPercent", t.cache.memoryPercent],
    ["documentDb.cpuPercent", t.documentDb.cpuPercent],
    ["search.cpuPercent", t.search.cpuPercent],
    ["search.jvmMemoryPressurePercent", t.search.jvmMemoryPressurePercent],
    ["broker.cpuPercent", t.broker.cpuPercent],
    ["loadBalancer.errorRatePercent", t.loadBalancer.errorRatePercent],
  ];
  for (const [key, value] of percents) {
    if (!(value > 0 && value < 100)) problems.push(`${key} ${value} must be a percentage above 0 and below 100`);
  }
  if (!/^\d{12}$/.test(props.accountId)) problems.push(`accountId "${props.accountId}" must be 12 digits`);
  const seen = new Set<string>();
  const check = (kind: string, name: string) => {
    if (!NAME.test(name)) problems.push(`${kind} "${name}": service names are lowercase letters, digits and '-'`);
    if (seen.has(`${kind}/${name}`)) problems.push(`${kind} "${name}" is listed twice`);
    seen.add(`${kind}/${name}`);
  };
  for (const db of props.databases ?? []) {
    check("database", db.name);
    if (!Number.isInteger(db.maxConnections) || db.maxConnections < 1) problems.push(`database "${db.name}": maxConnections ${db.maxConnections} must be a positive whole number`);
    if (db.instances.length === 0) problems.push(`database "${db.name}" has no instances to watch`);
    if (db.engine === "aurora-postgresql" && !db.clusterIdentifier) problems.push(`database "${db.name}": an Aurora target needs its clusterIdentifier`);
    const keys = db.instances.map((instance) => instance.key);
    if (new Set(keys).size !== keys.length) problems.push(`database "${db.name}": instance keys must be unique (${keys.join(", ")})`);
  }
  for (const cache of props.caches ?? []) {
    check("cache", cache.name);
    if (cache.nodes.length === 0) problems.push(`cache "${cache.name}" has no nodes to watch`);
  }
  for (const docdb of props.documentDbs ?? []) {
    check("documentdb", docdb.name);
    if (docdb.instances.length === 0) problems.push(`documentdb "${docdb.name}" has no instances to watch`);
  }
  for (const search of props.searchDomains ?? []) check("search", search.name);
  for (const broker of props.brokers ?? []) check("broker", broker.name);
  for (const lb of props.loadBalancers ?? []) check("load balancer", lb.name);
  for (const rotation of props.rotationFunctions ?? []) check("rotation function", rotation.name);
  return problems;
}

export class ServiceAlarms extends Construct {
  /** Every alarm, by construct id. */
  readonly alarms: ReadonlyMap<string, CloudwatchMetricAlarm>;
  private readonly props: ServiceAlarmsProps;
  private readonly byId = new Map<string, CloudwatchMetricAlarm>();

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const problems = serviceAlarmsProblems(props);
    if (problems.length > 0) throw new ServiceAlarmsError(`ServiceAlarms ${id}:\n  - ${problems.join("\n  - ")}`);
    this.props = props;
    this.alarms = this.byId;
    const t = props.thresholds;

    for (const db of props.databases ?? []) {
      const maxConnections = Math.floor((db.maxConnections * t.database.connectionsPercent) / 100);
      for (const instance of db.instances) {
        const dimensions = { DBInstanceIdentifier: instance.identifier };
        const at = ["db", db.name, instance.key];
        this.simple({ component: [...at, "cpu"], description: `${db.name}/${instance.key}: CPU above ${t.database.cpuPercent}%`, namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions, statistic: "Average", comparison: "GreaterThanThreshold", threshold: t.database.cpuPercent });
        this.simple({
          component: [...at, "freeable-memory"],
          description: `${db.name}/${instance.key}: freeable memory below ${t.database.freeableMemoryMiB} MiB`,
          namespace: "AWS/RDS",
          metricName: "FreeableMemory",
          dimensions,
          statistic: "Minimum",
          comparison: "LessThanThreshold",
          threshold: t.database.freeableMemoryMiB * BYTES_PER_MIB,
        });
        this.simple({
          component: [...at, "connections"],
          description: `${db.name}/${instance.key}: more than ${maxConnections} connections (${t.database.connectionsPercent}% of max_connections ${db.maxConnections})`,
          namespace: "AWS/RDS",
          metricName: "DatabaseConnections",
          dimensions,
          statistic: "Maximum",
          comparison: "GreaterThanThreshold",
          threshold: maxConnections,
        });
        this.simple({
          component: [...at, "free-storage"],
          description: `${db.name}/${instance.key}: free ${db.engine === "postgres" ? "storage" : "local storage"} below ${t.database.freeStorageGiB} GiB`,
          namespace: "AWS/RDS",
          metricName: db.engine === "postgres" ? "FreeStorageSpace" : "FreeLocalStorage",
          dimensions,
          statistic: "Minimum",
          comparison: "LessThanThreshold",
          threshold: t.database.freeStorageGiB * BYTES_PER_GIB,
        });
        if (db.engine === "postgres" && instance.replica) {
          this.simple({ component: [...at, "replica-lag"], description: `${db.name}/${instance.key}: replica lag above ${t.database.replicaLagSeconds}s`, namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.database.replicaLagSeconds, treatMissingData: "notBreaching" });
        }
      }
      if (db.engine === "aurora-postgresql" && db.clusterIdentifier) {
        this.simple({
          component: ["db", db.name, "replica-lag"],
          description: `${db.name}: Aurora replica lag above ${t.database.replicaLagSeconds}s`,
          namespace: "AWS/RDS",
          metricName: "AuroraReplicaLagMaximum",
          dimensions: { DBClusterIdentifier: db.clusterIdentifier },
          statistic: "Maximum",
          comparison: "GreaterThanThreshold",
          threshold: t.database.replicaLagSeconds * MS_PER_SECOND,
          // A cluster without readers publishes no lag.
          treatMissingData: "notBreaching",
        });
      }
    }

    for (const cache of props.caches ?? []) {
      for (const node of cache.nodes) {
        const dimensions = { CacheClusterId: node.cacheClusterId };
        const at = ["cache", cache.name, node.key];
        this.simple({ component: [...at, "cpu"], description: `${cache.name}/${node.key}: engine CPU above ${t.cache.cpuPercent}%`, namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions, statistic: "Average", comparison: "GreaterThanThreshold", threshold: t.cache.cpuPercent });
        this.simple({ component: [...at, "memory"], description: `${cache.name}/${node.key}: memory above ${t.cache.memoryPercent}% of maxmemory`, namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.cache.memoryPercent });
        this.simple({ component: [...at, "evictions"], description: `${cache.name}/${node.key}: more than ${t.cache.evictionsPerPeriod} keys evicted per ${t.periodSeconds}s`, namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions, statistic: "Sum", comparison: "GreaterThanThreshold", threshold: t.cache.evictionsPerPeriod, treatMissingData: "notBreaching" });
        // Only replicas publish ReplicationLag; the primary's alarm stays quiet until a failover swaps roles.
        this.simple({ component: [...at, "replication-lag"], description: `${cache.name}/${node.key}: replication lag above ${t.cache.replicationLagSeconds}s`, namespace: "AWS/ElastiCache", metricName: "ReplicationLag", dimensions, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.cache.replicationLagSeconds, treatMissingData: "notBreaching" });
      }
    }

    for (const docdb of props.documentDbs ?? []) {
      for (const instance of docdb.instances) {
        const dimensions = { DBInstanceIdentifier: instance.identifier };
        const at = ["docdb", docdb.name, instance.key];
        this.simple({ component: [...at, "cpu"], description: `${docdb.name}/${instance.key}: CPU above ${t.documentDb.cpuPercent}%`, namespace: "AWS/DocDB", metricName: "CPUUtilization", dimensions, statistic: "Average", comparison: "GreaterThanThreshold", threshold: t.documentDb.cpuPercent });
        this.simple({ component: [...at, "freeable-memory"], description: `${docdb.name}/${instance.key}: freeable memory below ${t.documentDb.freeableMemoryMiB} MiB`, namespace: "AWS/DocDB", metricName: "FreeableMemory", dimensions, statistic: "Minimum", comparison: "LessThanThreshold", threshold: t.documentDb.freeableMemoryMiB * BYTES_PER_MIB });
        this.simple({ component: [...at, "replica-lag"], description: `${docdb.name}/${instance.key}: replica lag above ${t.documentDb.replicaLagSeconds}s`, namespace: "AWS/DocDB", metricName: "DBInstanceReplicaLag", dimensions, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.documentDb.replicaLagSeconds * MS_PER_SECOND, treatMissingData: "notBreaching" });
      }
    }

    for (const search of props.searchDomains ?? []) {
      const dimensions = { DomainName: search.domainName, ClientId: props.accountId };
      const at = ["search", search.name];
      this.simple({ component: [...at, "status-red"], description: `${search.name}: cluster status red (a primary shard is unassigned)`, namespace: "AWS/ES", metricName: "ClusterStatus.red", dimensions, statistic: "Maximum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1 });
      this.simple({ component: [...at, "status-yellow"], description: `${search.name}: cluster status yellow (a replica shard is unassigned)`, namespace: "AWS/ES", metricName: "ClusterStatus.yellow", dimensions, statistic: "Maximum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1 });
      this.simple({ component: [...at, "writes-blocked"], description: `${search.name}: index writes are blocked`, namespace: "AWS/ES", metricName: "ClusterIndexWritesBlocked", dimensions, statistic: "Maximum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1 });
      this.simple({ component: [...at, "free-storage"], description: `${search.name}: free storage of the fullest node below ${t.search.freeStorageGiB} GiB`, namespace: "AWS/ES", metricName: "FreeStorageSpace", dimensions, statistic: "Minimum", comparison: "LessThanThreshold", threshold: t.search.freeStorageGiB * MIB_PER_GIB });
      this.simple({ component: [...at, "jvm-pressure"], description: `${search.name}: JVM memory pressure above ${t.search.jvmMemoryPressurePercent}%`, namespace: "AWS/ES", metricName: "JVMMemoryPressure", dimensions, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.search.jvmMemoryPressurePercent });
      this.simple({ component: [...at, "cpu"], description: `${search.name}: CPU above ${t.search.cpuPercent}%`, namespace: "AWS/ES", metricName: "CPUUtilization", dimensions, statistic: "Average", comparison: "GreaterThanThreshold", threshold: t.search.cpuPercent });
    }

    for (const broker of props.brokers ?? []) {
      const at = ["mq", broker.name];
      this.query(
        [...at, "cpu"],
        `${broker.name}: CPU of the busiest broker node above ${t.broker.cpuPercent}%`,
        [{ id: "cpu", expression: `SELECT MAX(SystemCpuUtilization) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = '${broker.brokerName}'`, period: t.periodSeconds, returnData: true }],
        t.broker.cpuPercent,
      );
      this.simple({ component: [...at, "ready-messages"], description: `${broker.name}: more than ${t.broker.readyMessages} messages waiting for a consumer`, namespace: "AWS/AmazonMQ", metricName: "MessageReadyCount", dimensions: { Broker: broker.brokerName }, statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: t.broker.readyMessages });
    }

    for (const lb of props.loadBalancers ?? []) {
      const at = ["alb", lb.name];
      const metric = (queryId: string, metricName: string): CloudwatchMetricAlarmMetricQuery => ({
        id: queryId,
        returnData: false,
        metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: { LoadBalancer: lb.arnSuffix }, period: t.periodSeconds, stat: "Sum" },
      });
      this.query(
        [...at, "5xx-rate"],
        `${lb.name}: more than ${t.loadBalancer.errorRatePercent}% of requests end in a 5xx`,
        [
          metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
          metric("target5xx", "HTTPCode_Target_5XX_Count"),
          metric("requests", "RequestCount"),
          { id: "errorrate", expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests", label: "5xx percent of requests", returnData: true },
        ],
        t.loadBalancer.errorRatePercent,
      );
      this.simple({ component: [...at, "latency-p95"], description: `${lb.name}: p95 target response time above ${t.loadBalancer.targetLatencyP95Seconds}s`, namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: { LoadBalancer: lb.arnSuffix }, extendedStatistic: "p95", comparison: "GreaterThanThreshold", threshold: t.loadBalancer.targetLatencyP95Seconds, treatMissingData: "notBreaching" });
    }

    // A rotation runs a few times a month: one error is worth a look, and no invocation is no news.
    for (const rotation of props.rotationFunctions ?? []) {
      this.simple({
        component: ["rotation", rotation.name, "errors"],
        description: `${rotation.name}: the rotation of ${rotation.rotates} failed (function ${rotation.functionName}); the previous credentials stay current until a rotation succeeds`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: rotation.functionName },
        statistic: "Sum",
        comparison: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
      });
    }
  }

  private common(component: readonly string[], description: string) {
    const { naming, topic, thresholds } = this.props;
    return {
      alarmName: naming.name("cloudwatch-alarm", ...component),
      alarmDescription: description,
      evaluationPeriods: thresholds.evaluationPeriods,
      actionsEnabled: true,
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    };
  }

  private register(component: readonly string[], alarm: CloudwatchMetricAlarm): void {
    this.byId.set(component.join("-"), alarm);
  }

  private simple(spec: SimpleAlarm): void {
    const id = spec.component.join("-");
    this.register(
      spec.component,
      new CloudwatchMetricAlarm(this, id, {
        ...this.common(spec.component, spec.description),
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: { ...spec.dimensions },
        period: this.props.thresholds.periodSeconds,
        ...(spec.extendedStatistic ? { extendedStatistic: spec.extendedStatistic } : { statistic: spec.statistic ?? "Average" }),
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        treatMissingData: spec.treatMissingData ?? "missing",
      }),
    );
  }

  private query(component: readonly string[], description: string, queries: CloudwatchMetricAlarmMetricQuery[], threshold: number): void {
    this.register(
      component,
      new CloudwatchMetricAlarm(this, component.join("-"), {
        ...this.common(component, description),
        metricQuery: queries,
        comparisonOperator: "GreaterThanThreshold",
        threshold,
        treatMissingData: "notBreaching",
      }),
    );
  }
}
