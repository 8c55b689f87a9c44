/**
 * The managed data services an environment declares (`services:` in its file), one construct per service, each
 * in the data tier, with its own security group admitting only the given security groups, and each publishing
 * its connection description. Construct ids are `<kind>-<service name>`: stable across reorderings of the
 * configuration (renaming a service replaces it — for a database, that is data loss).
 */
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { MONITOR_USER_SUFFIX, SERVICE_KINDS_CONFIG, type ResolvedServicesConfig } from "../../config/schema/services";
import type { AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import type { DataServiceProps, DataTier, PublishedConnection } from "../data-access";
import { DocumentDb } from "../documentdb";
import { OpenSearch } from "../opensearch";
import { Postgres } from "../postgres";
import { PostgresMonitorUser } from "../postgres-monitor-user";
import { RabbitMq } from "../rabbitmq";
import { Redis } from "../redis";

export interface DataServicesProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** The resolved `services:` section of the environment (point-in-time retention derived from the backup plans). */
  readonly services: ResolvedServicesConfig;
  readonly dataTier: DataTier;
  /** Security groups whose members may connect to every service (the workload security group). */
  readonly allowedSecurityGroupIds: readonly string[];
  /** Private subnets (a route to AWS APIs) where the services' functions run, e.g. the RabbitMQ password rotation. */
  readonly functionSubnetIds: readonly string[];
  readonly keys: { readonly data: KmsKey; readonly logs: KmsKey };
  readonly logRetentionDays: number;
  /**
   * Deletion protection, final snapshots and `prevent_destroy` (see protectsState()).
   * @default true
   */
  readonly protectState?: boolean;
  /**
   * Enforce production high-availability minimums.
   * @default true
   */
  readonly highAvailability?: boolean;
  /**
   * Names used by other connection publishers (buckets); a service may not reuse one.
   * @default none
   */
  readonly reservedNames?: readonly string[];
  /**
   * A monitoring user per PostgreSQL service for its exporter (observability.exporters.postgres; see
   * constructs/postgres-monitor-user), its secret recoverable for `recoveryWindowDays` after deletion.
   * @default none
   */
  readonly postgresMonitoring?: { readonly recoveryWindowDays: number };
}

/** One constructed value per named entry. */
function build<C, T>(entries: Readonly<Record<string, C>>, make: (name: string, entry: C) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, make(name, entry)]));
}

export class DataServices extends Construct {
  readonly postgres: Readonly<Record<string, Postgres>>;
  readonly redis: Readonly<Record<string, Redis>>;
  readonly documentdb: Readonly<Record<string, DocumentDb>>;
  readonly opensearch: Readonly<Record<string, OpenSearch>>;
  readonly rabbitmq: Readonly<Record<string, RabbitMq>>;
  /** Monitoring users by PostgreSQL service name (with `postgresMonitoring`). */
  readonly postgresMonitorUsers: Readonly<Record<string, PostgresMonitorUser>>;

  constructor(scope: Construct, id: string, props: DataServicesProps) {
    super(scope, id);
    const { services } = props;
    const names = SERVICE_KINDS_CONFIG.flatMap((kind) => Object.keys(services[kind]).map((name) => ({ kind, name })));
    const taken = new Map<string, string>((props.reservedNames ?? []).map((name) => [name, "a bucket"]));
    for (const { kind, name } of names) {
      const other = taken.get(name);
      if (other) throw new Error(`DataServices: service name "${name}" (${kind}) is also used by ${other}; names are unique per environment across kinds`);
      taken.set(name, `the ${kind} service`);
    }

    const common = (name: string, backupPlan?: string): DataServiceProps => ({
      naming: props.naming,
      account: props.account,
      name,
      dataTier: props.dataTier,
      allowedSecurityGroupIds: props.allowedSecurityGroupIds,
      encryptionKey: props.keys.data,
      logging: { retentionDays: props.logRetentionDays, kmsKey: props.keys.logs },
      protectState: props.protectState ?? true,
      highAvailability: props.highAvailability ?? true,
      ...(backupPlan ? { backupPlan } : {}),
    });
    this.postgres = build(services.postgres, (name, { backupPlan, ...settings }) => new Postgres(this, `postgres-${name}`, { ...common(name, backupPlan), ...settings }));
    this.redis = build(services.redis, (name, { backupPlan, ...settings }) => new Redis(this, `redis-${name}`, { ...common(name, backupPlan), ...settings }));
    this.documentdb = build(services.documentdb, (name, { backupPlan, ...settings }) => new DocumentDb(this, `documentdb-${name}`, { ...common(name, backupPlan), ...settings }));
    this.opensearch = build(services.opensearch, (name, { backupPlan, ...settings }) => new OpenSearch(this, `opensearch-${name}`, { ...common(name, backupPlan), ...settings }));
    this.rabbitmq = build(services.rabbitmq, (name, settings) => new RabbitMq(this, `rabbitmq-${name}`, { ...common(name), ...settings, functionSubnetIds: props.functionSubnetIds }));
    const monitoring = props.postgresMonitoring;
    this.postgresMonitorUsers = monitoring
      ? build(this.postgres, (name, database) =>
          new PostgresMonitorUser(this, `postgres-${name}${MONITOR_USER_SUFFIX}`, {
            naming: props.naming,
            account: props.account,
            serviceName: name,
            database: {
              host: database.connection.host,
              port: database.settings.port,
              name: database.connection.database ?? name,
              masterSecretArn: database.secretArn,
              securityGroupId: database.securityGroup.groupId,
              ready: [...database.clusterInstances, ...(database.primary ? [database.primary] : [])],
            },
            vpcId: props.dataTier.vpcId,
            functionSubnetIds: props.functionSubnetIds,
            dataKeyArn: props.keys.data.arn,
            logging: { retentionDays: props.logRetentionDays, kmsKey: props.keys.logs },
            recoveryWindowDays: monitoring.recoveryWindowDays,
            protect: props.protectState ?? true,
          }),
        )
      : {};
  }

  /** Every published connection, by service name. */
  get connections(): Readonly<Record<string, PublishedConnection>> {
    return Object.fromEntries(
      [this.postgres, this.redis, this.documentdb, this.opensearch, this.rabbitmq].flatMap((byName) =>
        Object.entries(byName).map(([name, service]) => [name, service.connection]),
      ),
    );
  }
}
