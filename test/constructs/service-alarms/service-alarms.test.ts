import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { describe, expect, it } from "vitest";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { ObservabilitySchema, type CloudWatchAlarmsConfig } from "../../../config/schema/observability";
import { Naming } from "../../../constructs/core/naming";
import { ServiceAlarms, ServiceAlarmsError, type ServiceAlarmsProps } from "../../../constructs/service-alarms";
import { defaultPostgresMaxConnections, instanceClassMemoryGiB } from "../../../constructs/service-alarms/targets";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const thresholds = (profile: keyof typeof PROFILE_DEFAULTS): CloudWatchAlarmsConfig =>
  ObservabilitySchema.parse(PROFILE_DEFAULTS[profile].observability).cloudwatchAlarms;
const naming = new Naming({ project: "acme", environment: "prod" });
const TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:acme-prod-alerts";

const targets: Omit<ServiceAlarmsProps, "naming" | "thresholds" | "topic" | "accountId"> = {
  databases: [
    {
      name: "main",
      engine: "aurora-postgresql",
      clusterIdentifier: "acme-prod-pg-main",
      instances: [
        { key: "writer", identifier: "acme-prod-pg-main-1", replica: false },
        { key: "reader-1", identifier: "acme-prod-pg-main-2", replica: true },
      ],
      maxConnections: 200,
    },
    {
      name: "legacy",
      engine: "postgres",
      instances: [
        { key: "primary", identifier: "acme-prod-pg-legacy", replica: false },
        { key: "replica-1", identifier: "acme-prod-pg-legacy-replica-1", replica: true },
      ],
      maxConnections: 1000,
    },
  ],
  caches: [{ name: "cache", nodes: [{ key: "node-1", cacheClusterId: "acme-prod-cache-001" }, { key: "node-2", cacheClusterId: "acme-prod-cache-002" }] }],
  documentDbs: [{ name: "docs", instances: [{ key: "instance-1", identifier: "acme-prod-docdb-docs-1" }] }],
  searchDomains: [{ name: "search", domainName: "acme-prod-search" }],
  brokers: [{ name: "mq", brokerName: "acme-prod-rabbitmq-mq" }],
  loadBalancers: [{ name: "apps", arnSuffix: "app/acme-prod-apps/0123456789abcdef" }],
  rotationFunctions: [{ name: "pg-main-monitor", functionName: "acme-prod-pg-main-monitor-rotation", rotates: "the monitoring user of PostgreSQL main" }],
};

function synth(profile: keyof typeof PROFILE_DEFAULTS) {
  return synthConstruct(
    (scope) =>
      new ServiceAlarms(scope, "alarms", { naming, accountId: TEST_ACCOUNT.accountId, topic: { arn: TOPIC_ARN }, thresholds: thresholds(profile), ...targets }),
  );
}

const prod = synth("production");
const alarms = resourceList(prod.json, "aws_cloudwatch_metric_alarm");
const named = (suffix: string) => alarms.find((alarm) => String(alarm.alarm_name).endsWith(suffix)) as Record<string, unknown>;

describe("ServiceAlarms defaults (production)", () => {
  it("creates an alarm per metric, instance and node", () => {
    // Aurora: 2 instances x 4 + cluster lag; RDS: 2 x 4 + 1 replica lag; cache 2 x 4; docdb 3; search 6; broker 2; ALB 2; rotation 1
    expect(alarms).toHaveLength(9 + 9 + 8 + 3 + 6 + 2 + 2 + 1);
    expect(prod.construct.alarms.size).toBe(alarms.length);
  });

  it("publishes alarms and recoveries to the alerts topic", () => {
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([TOPIC_ARN]);
      expect(alarm.ok_actions).toEqual([TOPIC_ARN]);
      expect(alarm.actions_enabled).toBe(true);
    }
  });

  it("names alarms through the naming helper and evaluates them per the profile", () => {
    expect(named("db-main-writer-cpu")).toMatchObject({ alarm_name: "acme-prod-db-main-writer-cpu", period: 60, evaluation_periods: 5 });
  });

  it("alarms on database CPU, memory, connections at 80 % of max_connections, storage and replica lag", () => {
    expect(prod.text).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "acme-prod-db-main-writer-connections",
      namespace: "AWS/RDS",
      metric_name: "DatabaseConnections",
      dimensions: { DBInstanceIdentifier: "acme-prod-pg-main-1" },
      comparison_operator: "GreaterThanThreshold",
      threshold: 160,
    });
    expect(named("db-main-writer-freeable-memory")).toMatchObject({ metric_name: "FreeableMemory", threshold: 256 * 1024 * 1024, comparison_operator: "LessThanThreshold" });
    expect(named("db-main-writer-free-storage")).toMatchObject({ metric_name: "FreeLocalStorage" });
    expect(named("db-legacy-primary-free-storage")).toMatchObject({ metric_name: "FreeStorageSpace", threshold: 10 * 1024 ** 3 });
    expect(named("db-main-replica-lag")).toMatchObject({ metric_name: "AuroraReplicaLagMaximum", threshold: 30_000, dimensions: { DBClusterIdentifier: "acme-prod-pg-main" } });
    expect(named("db-legacy-replica-1-replica-lag")).toMatchObject({ metric_name: "ReplicaLag", threshold: 30 });
    expect(alarms.some((alarm) => String(alarm.alarm_name).endsWith("db-legacy-primary-replica-lag"))).toBe(false);
  });

  it("alarms on cache CPU, memory, evictions and replication lag per node", () => {
    expect(named("cache-cache-node-2-memory")).toMatchObject({ namespace: "AWS/ElastiCache", metric_name: "DatabaseMemoryUsagePercentage", threshold: 85, dimensions: { CacheClusterId: "acme-prod-cache-002" } });
    expect(named("cache-cache-node-1-evictions")).toMatchObject({ metric_name: "Evictions", statistic: "Sum", treat_missing_data: "notBreaching" });
    expect(named("cache-cache-node-1-replication-lag")).toMatchObject({ metric_name: "ReplicationLag" });
  });

  it("alarms on OpenSearch status, storage and JVM pressure with the account as ClientId", () => {
    expect(named("search-search-status-red")).toMatchObject({ namespace: "AWS/ES", metric_name: "ClusterStatus.red", threshold: 1, dimensions: { DomainName: "acme-prod-search", ClientId: TEST_ACCOUNT.accountId } });
    expect(named("search-search-free-storage")).toMatchObject({ metric_name: "FreeStorageSpace", threshold: 20 * 1024 });
    expect(named("search-search-jvm-pressure")).toMatchObject({ metric_name: "JVMMemoryPressure", threshold: 80 });
  });

  it("watches the busiest broker node with a Metrics Insights query", () => {
    const cpu = named("mq-mq-cpu");
    expect(cpu.metric_query).toEqual([
      expect.objectContaining({ expression: `SELECT MAX(SystemCpuUtilization) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = 'acme-prod-rabbitmq-mq'`, return_data: true }),
    ]);
    expect(cpu.threshold).toBe(80);
  });

  it("alarms on any error of a rotation function (a failed rotation is not retried until the next one)", () => {
    expect(named("rotation-pg-main-monitor-errors")).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: "acme-prod-pg-main-monitor-rotation" },
      statistic: "Sum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
    });
  });

  it("alarms on the load balancer's 5xx share (metric math) and p95 target latency", () => {
    const errors = named("alb-apps-5xx-rate");
    const queries = errors.metric_query as Record<string, unknown>[];
    expect(queries.map((query) => query.id)).toEqual(["elb5xx", "target5xx", "requests", "errorrate"]);
    expect(queries[3]).toMatchObject({ expression: "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests", return_data: true });
    expect(errors.threshold).toBe(1);
    expect(named("alb-apps-latency-p95")).toMatchObject({ extended_statistic: "p95", threshold: 1, dimensions: { LoadBalancer: "app/acme-prod-apps/0123456789abcdef" } });
  });
});

describe("ServiceAlarms production vs development", () => {
  it("uses 5-minute periods, fewer evaluation periods and a looser 5xx threshold in development", () => {
    const development = resourceList(synth("development").json, "aws_cloudwatch_metric_alarm");
    const cpu = development.find((alarm) => String(alarm.alarm_name).endsWith("db-main-writer-cpu"));
    expect(cpu).toMatchObject({ period: 300, evaluation_periods: 3 });
    expect(development.find((alarm) => String(alarm.alarm_name).endsWith("alb-apps-5xx-rate"))?.threshold).toBe(5);
  });
});

/** A thunk synthesizing ServiceAlarms with `props`, for `expect(...).toThrow`. */
function build(props: Partial<ServiceAlarmsProps>): () => unknown {
  return () =>
    synthConstruct((scope) => new ServiceAlarms(scope, "alarms", { naming, accountId: TEST_ACCOUNT.accountId, topic: { arn: TOPIC_ARN }, thresholds: thresholds("production"), ...props }));
}

describe("ServiceAlarms validation", () => {
  it("rejects a percentage threshold outside (0, 100)", () => {
    const t = thresholds("production");
    expect(build({ thresholds: { ...t, cache: { ...t.cache, memoryPercent: 100 } } })).toThrow(/cache\.memoryPercent 100 must be a percentage above 0 and below 100/);
  });

  it("rejects an unsupported period and evaluation count", () => {
    const t = thresholds("production");
    expect(build({ thresholds: { ...t, periodSeconds: 30 as 60 } })).toThrow(/periodSeconds 30 must be 60 or 300/);
    expect(build({ thresholds: { ...t, evaluationPeriods: 0 } })).toThrow(/evaluationPeriods 0 must be a whole number from 1 to 10/);
  });

  it("rejects an account id that is not 12 digits", () => {
    expect(build({ accountId: "12345" })).toThrow(/accountId "12345" must be 12 digits/);
  });

  it("rejects a database without instances, without max_connections or an Aurora target without its cluster", () => {
    const [db] = targets.databases ?? [];
    const [writer] = db?.instances ?? [];
    if (!db || !writer) throw new Error("fixture");
    expect(build({ databases: [{ ...db, instances: [] }] })).toThrow(/database "main" has no instances to watch/);
    expect(build({ databases: [{ ...db, maxConnections: 0 }] })).toThrow(/maxConnections 0 must be a positive whole number/);
    const { clusterIdentifier: _cluster, ...withoutCluster } = db;
    expect(build({ databases: [withoutCluster] })).toThrow(/an Aurora target needs its clusterIdentifier/);
    expect(build({ databases: [{ ...db, instances: [writer, writer] }] })).toThrow(/instance keys must be unique/);
  });

  it("rejects a service listed twice and a name that is not a DNS label", () => {
    expect(build({ caches: [{ name: "cache", nodes: [{ key: "n", cacheClusterId: "x" }] }, { name: "cache", nodes: [{ key: "n", cacheClusterId: "y" }] }] })).toThrow(
      /cache "cache" is listed twice/,
    );
    expect(build({ brokers: [{ name: "Main_MQ", brokerName: "x" }] })).toThrow(/broker "Main_MQ": service names are lowercase/);
    expect(build({ caches: [{ name: "empty", nodes: [] }] })).toThrow(ServiceAlarmsError);
  });
});

describe("default max_connections", () => {
  it("follows PostgreSQL's LEAST(DBInstanceClassMemory / 9531392, 5000) on RDS and Aurora", () => {
    expect(instanceClassMemoryGiB("db.r6g.large")).toBe(16);
    expect(instanceClassMemoryGiB("db.t4g.medium")).toBe(4);
    expect(instanceClassMemoryGiB("db.m7g.2xlarge")).toBe(32);
    expect(defaultPostgresMaxConnections("db.t4g.medium")).toBe(450);
    expect(defaultPostgresMaxConnections("db.r6g.8xlarge")).toBe(5000);
    expect(() => defaultPostgresMaxConnections("db.serverless")).toThrow(/set parameters.maxConnections/);
  });
});
