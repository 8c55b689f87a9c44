/**
 * Alarm targets from the data-service constructs: identifiers are read from the constructs' resources (Terraform
 * references, so an alarm depends on what it watches), never rebuilt from names.
 */
import type { DataServices } from "../data-services";
import type { DocumentDb } from "../documentdb";
import type { OpenSearch } from "../opensearch";
import type { Postgres } from "../postgres";
import type { RabbitMq } from "../rabbitmq";
import type { Redis } from "../redis";
import type { BrokerAlarmTarget, CacheAlarmTarget, DatabaseAlarmTarget, DocumentDbAlarmTarget, RotationFunctionAlarmTarget, SearchAlarmTarget, ServiceAlarmsProps } from "./index";

/** PostgreSQL's default max_connections on RDS and Aurora: LEAST(DBInstanceClassMemory / 9531392, 5000). */
export const POSTGRES_BYTES_PER_CONNECTION = 9_531_392;
export const POSTGRES_MAX_DEFAULT_CONNECTIONS = 5000;

const GIB = 1024 ** 3;
/** vCPUs of the standard instance sizes. */
const VCPUS: Readonly<Record<string, number>> = {
  large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
};
/** Memory of burstable sizes, GiB. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
/** GiB per vCPU by family class letter (general purpose, memory optimised, memory intensive). */
const GIB_PER_VCPU: Readonly<Record<string, number>> = { m: 4, r: 8, x: 16 };

/** Memory of an RDS instance class in GiB (`db.r6g.large` -> 16), or undefined for classes it cannot size. */
export function instanceClassMemoryGiB(instanceClass: string): number | undefined {
  const match = /^db\.([a-z])\d+[a-z]*\.([a-z0-9]+)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, letter, size] = match as unknown as [string, string, string];
  if (letter === "t") return BURSTABLE_GIB[size];
  const perVcpu = GIB_PER_VCPU[letter];
  const vcpus = VCPUS[size];
  return perVcpu && vcpus ? perVcpu * vcpus : undefined;
}

/** max_connections PostgreSQL uses on an instance class when the parameter group does not set it. */
export function defaultPostgresMaxConnections(instanceClass: string): number {
  const gib = instanceClassMemoryGiB(instanceClass);
  if (gib === undefined) {
    throw new Error(`cannot derive max_connections for instance class "${instanceClass}"; set parameters.maxConnections for the database`);
  }
  return Math.min(Math.floor((gib * GIB) / POSTGRES_BYTES_PER_CONNECTION), POSTGRES_MAX_DEFAULT_CONNECTIONS);
}

export function postgresTarget(name: string, db: Postgres): DatabaseAlarmTarget {
  const maxConnections = db.settings.parameters.maxConnections ?? defaultPostgresMaxConnections(db.settings.instanceClass);
  if (db.cluster) {
    return {
      name,
      engine: "aurora-postgresql",
      clusterIdentifier: db.cluster.clusterIdentifier,
      instances: db.clusterInstances.map((instance, index) => ({
        key: index === 0 ? "writer" : `reader-${index}`,
        identifier: instance.identifier,
        replica: index > 0,
      })),
      maxConnections,
    };
  }
  if (!db.primary) throw new Error(`postgres ${name}: neither an Aurora cluster nor an RDS primary`);
  return {
    name,
    engine: "postgres",
    instances: [
      { key: "primary", identifier: db.primary.identifier, replica: false },
      ...db.replicas.map((replica, index) => ({ key: `replica-${index + 1}`, identifier: replica.identifier, replica: true })),
    ],
    maxConnections,
  };
}

/** ElastiCache names the nodes of a replication group `<group>-001`, `<group>-002`, ... */
export function redisTarget(name: string, cache: Redis): CacheAlarmTarget {
  const group = cache.replicationGroup.replicationGroupId;
  return {
    name,
    nodes: Array.from({ length: cache.settings.nodes }, (_, index) => ({
      key: `node-${index + 1}`,
      cacheClusterId: `${group}-${String(index + 1).padStart(3, "0")}`,
    })),
  };
}

export function documentDbTarget(name: string, docdb: DocumentDb): DocumentDbAlarmTarget {
  return {
    name,
    instances: docdb.instances.map((instance, index) => ({ key: `instance-${index + 1}`, identifier: instance.identifier })),
  };
}

export function openSearchTarget(name: string, search: OpenSearch): SearchAlarmTarget {
  return { name, domainName: search.domain.domainName };
}

export function rabbitMqTarget(name: string, broker: RabbitMq): BrokerAlarmTarget {
  return { name, brokerName: broker.broker.brokerName };
}

/** Entries of a record in key order (alarm order never depends on configuration order). */
function sorted<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

/** The rotation functions the data services own (brokers' passwords, PostgreSQL monitoring users), in name order. */
export function rotationFunctionTargets(services: DataServices): RotationFunctionAlarmTarget[] {
  return [
    ...sorted(services.rabbitmq).map(([name, broker]) => ({ name: `mq-${name}`, functionName: broker.rotationFunction.functionName, rotates: `the administrative password of RabbitMQ ${name}` })),
    ...sorted(services.postgresMonitorUsers).map(([name, user]) => ({ name: `pg-${name}-monitor`, functionName: user.function.functionName, rotates: `the monitoring user of PostgreSQL ${name}` })),
  ];
}

/** Every data service of an environment as alarm targets, in name order. */
export function dataServiceAlarmTargets(services: DataServices): Pick<ServiceAlarmsProps, "databases" | "caches" | "documentDbs" | "searchDomains" | "brokers" | "rotationFunctions"> {
  return {
    rotationFunctions: rotationFunctionTargets(services),
    databases: sorted(services.postgres).map(([name, db]) => postgresTarget(name, db)),
    caches: sorted(services.redis).map(([name, cache]) => redisTarget(name, cache)),
    documentDbs: sorted(services.documentdb).map(([name, docdb]) => documentDbTarget(name, docdb)),
    searchDomains: sorted(services.opensearch).map(([name, search]) => openSearchTarget(name, search)),
    brokers: sorted(services.rabbitmq).map(([name, broker]) => rabbitMqTarget(name, broker)),
  };
}
