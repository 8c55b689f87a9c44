/**
 * `services:` and `storage:` of an environment file: the managed data services and buckets the platform declares.
 * A platform gets only what it declares; sizes come from the profile defaults (`services.defaults.<kind>`,
 * `storage.defaults`, set per profile in config/defaults.ts) and each entry overrides what it needs:
 *
 *   services:
 *     postgres:
 *       main: { readers: 2, parameters: { maxConnections: 500 } }
 *     redis:
 *       cache: {}
 *   storage:
 *     buckets:
 *       uploads: { transitions: [{ days: 90, storageClass: STANDARD_IA }] }
 *
 * Entries are merged over their kind's defaults (objects key by key, lists replaced whole) and then checked by
 * the same rule functions the constructs use (constructs/<kind>/rules.ts), so a problem is reported here with the
 * file, the key path and what is allowed, before anything is synthesized.
 */
import { z } from "zod";
import { BACKUP_PLAN_NAME } from "../../constructs/core/backup-tag";
import type { SettingProblem } from "../../constructs/data-access/problems";
import { documentDbHighAvailabilityProblems, documentDbProblems } from "../../constructs/documentdb/rules";
import { bucketProblems, OBJECT_LOCK_MODES, REPLICA_STORAGE_CLASSES, TRANSITION_STORAGE_CLASSES } from "../../constructs/object-storage/rules";
import { openSearchHighAvailabilityProblems, openSearchProblems } from "../../constructs/opensearch/rules";
import { POSTGRES_ENGINES, postgresHighAvailabilityProblems, postgresProblems } from "../../constructs/postgres/rules";
import { RABBITMQ_DEPLOYMENTS, rabbitMqHighAvailabilityProblems, rabbitMqProblems, WEEKDAYS } from "../../constructs/rabbitmq/rules";
import { EVICTION_POLICIES, REDIS_ENGINES, redisHighAvailabilityProblems, redisProblems } from "../../constructs/redis/rules";
import { layer } from "../layering";
import { supportDate } from "../runtime-options";
import type { BackupPlanConfig } from "./backup";
import { pointInTimeRetention } from "./backup-coverage";
import { awsRegion, dnsLabel, ianaTimeZone, logRetentionDays, reachesSecretsManager } from "./primitives";

/** Kinds of data services, as they appear under `services:`. */
export const SERVICE_KINDS_CONFIG = ["postgres", "redis", "documentdb", "opensearch", "rabbitmq"] as const;
export type ServiceKindConfig = (typeof SERVICE_KINDS_CONFIG)[number];

/** Service and bucket names: part of resource names and of the connection parameter name. */
export const serviceName = dnsLabel(24, "a service name");

const version = (example: string) =>
  z.string({ error: `expected a quoted version string such as "${example}" (an unquoted YAML number loses trailing zeros)` });
const int = z.int();
const backupPlan = z.string().regex(BACKUP_PLAN_NAME, { error: "a backup plan name: lowercase letters, digits and '-' (see backup.plans)" });

const PostgresEntry = z.strictObject({
  /** "aurora-postgresql" (default) or "postgres" (RDS). */
  engine: z.enum(POSTGRES_ENGINES),
  /** Exact version, quoted: "16.8"; one the version catalog lists for the engine (constructs/core/versions.ts). */
  engineVersion: version("16.8"),
  /** e.g. db.r6g.2xlarge (8 vCPU, 64 GiB); must exist for the engine. */
  instanceClass: z.string(),
  /** Aurora readers or RDS read replicas (0 to 15; production at least 1). */
  readers: int,
  /** Initial database; defaults to the service name with '-' replaced by '_'. */
  databaseName: z.string().optional(),
  masterUsername: z.string(),
  port: int,
  /** RDS only: allocated storage and autoscaling ceiling (GiB). */
  storage: z.strictObject({ allocatedGb: int, maxAllocatedGb: int }),
  /** RDS only: synchronous standby in another zone. */
  multiAz: z.boolean(),
  /**
   * Point-in-time recovery days (1 to 35; production at least 7) and the daily UTC window hh:mm-hh:mm. When the
   * service's backup plan has continuous backup, AWS Backup manages the automated backups and the retention is the
   * continuous rule's (leave retentionDays out, or set the same value); otherwise it defaults to the profile's
   * (production 14, staging 7, development 1). See config/schema/backup-coverage.ts.
   */
  backup: z.strictObject({ retentionDays: int.optional(), window: z.string() }),
  /** Weekly UTC window ddd:hh:mm-ddd:hh:mm. */
  maintenanceWindow: z.string(),
  /**
   * IAM database authentication. Product instances connect only as their own IAM-authenticated users, so every
   * service a product uses needs it (the default); the master password serves the database-bootstrap Jobs alone.
   */
  iamAuthentication: z.boolean(),
  performanceInsightsRetentionDays: int,
  monitoringIntervalSeconds: int,
  /** Parameter group tunables; absent keys keep the engine defaults. rds.force_ssl=1 is always set. */
  parameters: z.strictObject({
    maxConnections: int.optional(),
    sharedBuffersMb: int.optional(),
    effectiveCacheSizeMb: int.optional(),
    workMemMb: int.optional(),
    maintenanceWorkMemMb: int.optional(),
    logMinDurationStatementMs: int.optional(),
  }),
  /** Backup plan that selects this service (the `platform:backup` tag value). */
  backupPlan,
});

const RedisEntry = z.strictObject({
  /** "valkey" or "redis". */
  engine: z.enum(REDIS_ENGINES),
  engineVersion: version("8.0"),
  /** e.g. cache.r7g.large. */
  nodeType: z.string(),
  /** Primary plus replicas (1 to 6; production at least 2). */
  nodes: int,
  port: int,
  snapshotRetentionDays: int,
  snapshotWindow: z.string(),
  maintenanceWindow: z.string(),
  evictionPolicy: z.enum(EVICTION_POLICIES),
  backupPlan,
});

const DocumentDbEntry = z.strictObject({
  engineVersion: version("5.0.0"),
  instanceClass: z.string(),
  /** Instances across zones (production at least 3). */
  instances: int,
  masterUsername: z.string(),
  port: int,
  backup: z.strictObject({ retentionDays: int, window: z.string() }),
  maintenanceWindow: z.string(),
  profilerThresholdMs: int,
  backupPlan,
});

const OpenSearchEntry = z.strictObject({
  /** "OpenSearch_2.19". */
  engineVersion: z.string(),
  /** e.g. r6g.large.search. */
  instanceType: z.string(),
  instanceCount: int,
  dedicatedMasters: z.strictObject({ count: int, instanceType: z.string() }),
  /** 1, 2 or 3 (production: 3). */
  availabilityZones: int,
  volume: z.strictObject({ sizeGb: int, iops: int, throughputMiBps: int }),
  autoTune: z.boolean(),
  /** UTC hh:mm. */
  offPeakWindowStart: z.string(),
  backupPlan,
});

const RabbitMqEntry = z.strictObject({
  engineVersion: version("3.13"),
  /** e.g. mq.m7g.large. */
  instanceType: z.string(),
  /** "cluster" (three nodes over three zones) or "single". */
  deployment: z.enum(RABBITMQ_DEPLOYMENTS),
  maintenanceWindow: z.strictObject({ dayOfWeek: z.enum(WEEKDAYS), timeOfDay: z.string(), timeZone: ianaTimeZone }),
  /** Administrative user; its password lives only in Secrets Manager and on the broker (rotated, never in state). */
  username: z.string(),
  /** Days between rotations of the administrative password (1 to 1000); the first runs when the broker is created. */
  passwordRotationDays: int,
});

const BucketEntry = z.strictObject({
  versioning: z.boolean(),
  /** Current versions move to cheaper storage classes after these many days (ascending). */
  transitions: z.array(z.strictObject({ days: int, storageClass: z.enum(TRANSITION_STORAGE_CLASSES) })),
  /** Current versions expire this many days after creation; absent: never. */
  expirationDays: int.optional(),
  noncurrentVersionExpirationDays: int,
  abortIncompleteUploadDays: int,
  /** Write-once-read-many retention (requires versioning), e.g. { mode: COMPLIANCE, retentionDays: 2557 } for 7 years. */
  objectLock: z.strictObject({ mode: z.enum(OBJECT_LOCK_MODES), retentionDays: int }).optional(),
  /** Cross-region replication (requires versioning). */
  replication: z.strictObject({ region: awsRegion, storageClass: z.enum(REPLICA_STORAGE_CLASSES) }).optional(),
  backupPlan,
});

type ObjectShape = Record<string, z.ZodType>;

/** The same strict object with every key optional, recursively (what an entry may write over its defaults). */
function deepPartial(schema: z.ZodObject<ObjectShape>): z.ZodObject<ObjectShape> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, value]) => {
      const inner = value instanceof z.ZodOptional ? (value.unwrap() as z.ZodType) : value;
      return [key, (inner instanceof z.ZodObject ? deepPartial(inner as z.ZodObject<ObjectShape>) : inner).optional()];
    }),
  );
  return z.strictObject(shape);
}

/** A map of named entries whose values are merged over `defaults` before validation. */
function entriesOver(entry: z.ZodObject<ObjectShape>) {
  return z.record(serviceName, deepPartial(entry));
}

const ServiceDefaults = z.strictObject({
  postgres: PostgresEntry,
  redis: RedisEntry,
  documentdb: DocumentDbEntry,
  opensearch: OpenSearchEntry,
  rabbitmq: RabbitMqEntry,
});

/**
 * A dedicated tenant's sizes of its own data services (`services.<kind>.<name>` in its tenant file): the capacity keys
 * of each kind only, written over the environment's entry. Engine, versions, windows, authentication and backup
 * settings stay the environment's.
 */
export const ServiceSizesSchema = z.strictObject({
  postgres: z.record(serviceName, deepPartial(PostgresEntry.pick({ instanceClass: true, readers: true, storage: true, parameters: true }))).optional(),
  redis: z.record(serviceName, deepPartial(RedisEntry.pick({ nodeType: true, nodes: true }))).optional(),
  documentdb: z.record(serviceName, deepPartial(DocumentDbEntry.pick({ instanceClass: true, instances: true }))).optional(),
  opensearch: z.record(serviceName, deepPartial(OpenSearchEntry.pick({ instanceType: true, instanceCount: true, dedicatedMasters: true, volume: true }))).optional(),
  rabbitmq: z.record(serviceName, deepPartial(RabbitMqEntry.pick({ instanceType: true, deployment: true }))).optional(),
});

function mergeEntries<T>(defaults: unknown, entries: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, layer(defaults, entry) as T]));
}

function addProblems(ctx: z.RefinementCtx, base: readonly (string | number)[], problems: readonly SettingProblem[]): void {
  for (const problem of problems) {
    ctx.addIssue({ code: "custom", path: [...base, ...problem.path], message: problem.message, input: problem.value });
  }
}

export const ServicesSchema = z
  .strictObject({
    /** Settings every service of a kind starts from (profile defaults; an environment may override them). */
    defaults: ServiceDefaults,
    /** PostgreSQL databases by name (Aurora PostgreSQL unless `engine: postgres`). */
    postgres: entriesOver(PostgresEntry),
    /** Redis-compatible caches by name (ElastiCache, IAM-authenticated). */
    redis: entriesOver(RedisEntry),
    /** MongoDB-compatible databases by name (DocumentDB). */
    documentdb: entriesOver(DocumentDbEntry),
    /** Elasticsearch-compatible search domains by name (OpenSearch Service). */
    opensearch: entriesOver(OpenSearchEntry),
    /** RabbitMQ brokers by name (Amazon MQ). */
    rabbitmq: entriesOver(RabbitMqEntry),
  })
  .transform((services) => ({
    defaults: services.defaults,
    postgres: mergeEntries<z.output<typeof PostgresEntry>>(services.defaults.postgres, services.postgres),
    redis: mergeEntries<z.output<typeof RedisEntry>>(services.defaults.redis, services.redis),
    documentdb: mergeEntries<z.output<typeof DocumentDbEntry>>(services.defaults.documentdb, services.documentdb),
    opensearch: mergeEntries<z.output<typeof OpenSearchEntry>>(services.defaults.opensearch, services.opensearch),
    rabbitmq: mergeEntries<z.output<typeof RabbitMqEntry>>(services.defaults.rabbitmq, services.rabbitmq),
  }))
  .pipe(
    z
      .strictObject({
        defaults: ServiceDefaults,
        postgres: z.record(serviceName, PostgresEntry),
        redis: z.record(serviceName, RedisEntry),
        documentdb: z.record(serviceName, DocumentDbEntry),
        opensearch: z.record(serviceName, OpenSearchEntry),
        rabbitmq: z.record(serviceName, RabbitMqEntry),
      })
      .superRefine((services, ctx) => {
        // Engine versions must be in the version catalog and not past their end of standard support today
        // (constructs/core/versions.ts; the day is PLATFORM_SUPPORT_DATE when set).
        const asOf = supportDate();
        for (const [name, entry] of Object.entries(services.postgres)) addProblems(ctx, ["postgres", name], postgresProblems(entry, asOf));
        for (const [name, entry] of Object.entries(services.redis)) addProblems(ctx, ["redis", name], redisProblems(entry, asOf));
        for (const [name, entry] of Object.entries(services.documentdb)) addProblems(ctx, ["documentdb", name], documentDbProblems(entry, asOf));
        for (const [name, entry] of Object.entries(services.opensearch)) addProblems(ctx, ["opensearch", name], openSearchProblems(entry, asOf));
        for (const [name, entry] of Object.entries(services.rabbitmq)) addProblems(ctx, ["rabbitmq", name], rabbitMqProblems(entry, asOf));
      }),
  );

export const StorageSchema = z
  .strictObject({
    /** Settings every bucket starts from (profile defaults). */
    defaults: BucketEntry,
    /** Server access logs of every bucket (and CloudFront logs) into the environment's access-log bucket. */
    accessLogs: z.strictObject({ enabled: z.boolean(), retentionDays: logRetentionDays }),
    /** Buckets by name; the bucket is named `<project>-<env>-<name>` (see bucketName()). */
    buckets: entriesOver(BucketEntry),
  })
  .transform((storage) => ({ ...storage, buckets: mergeEntries<z.output<typeof BucketEntry>>(storage.defaults, storage.buckets) }))
  .pipe(
    z
      .strictObject({
        defaults: BucketEntry,
        accessLogs: z.strictObject({ enabled: z.boolean(), retentionDays: logRetentionDays }),
        buckets: z.record(serviceName, BucketEntry),
      })
      .superRefine((storage, ctx) => {
        for (const [name, bucket] of Object.entries(storage.buckets)) addProblems(ctx, ["buckets", name], bucketProblems(name, bucket));
      }),
  );

export type ServicesConfig = z.output<typeof ServicesSchema>;
/** The services section as the stacks receive it (EnvironmentConfig["services"]): point-in-time retention resolved. */
export type ResolvedServicesConfig = Omit<ServicesConfig, "postgres"> & { readonly postgres: Readonly<Record<string, ResolvedPostgresService>> };
export type StorageConfig = z.output<typeof StorageSchema>;
/** A PostgreSQL service as configured (`backup.retentionDays` may be absent: it is derived, see ResolvedPostgresService). */
export type PostgresServiceConfig = z.output<typeof PostgresEntry>;
/** A PostgreSQL service with its point-in-time retention resolved (config/schema/backup-coverage.ts). */
export type ResolvedPostgresService = Omit<PostgresServiceConfig, "backup"> & { readonly backup: { readonly retentionDays: number; readonly window: string } };
export type RedisServiceConfig = z.output<typeof RedisEntry>;
export type DocumentDbServiceConfig = z.output<typeof DocumentDbEntry>;
export type OpenSearchServiceConfig = z.output<typeof OpenSearchEntry>;
export type RabbitMqServiceConfig = z.output<typeof RabbitMqEntry>;
export type BucketConfig = z.output<typeof BucketEntry>;

export interface ServiceConfigIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly input?: unknown;
}

/** Suffix of the construct id of a PostgreSQL service's monitoring user (constructs/data-services). */
export const MONITOR_USER_SUFFIX = "-monitor-user";

/** Every declared service and bucket name with its key path, for uniqueness checks. */
export function declaredServiceNames(services: ServicesConfig, storage: StorageConfig): { name: string; path: (string | number)[] }[] {
  return [
    ...SERVICE_KINDS_CONFIG.flatMap((kind) => Object.keys(services[kind]).map((name) => ({ name, path: ["services", kind, name] }))),
    ...Object.keys(storage.buckets).map((name) => ({ name, path: ["storage", "buckets", name] })),
  ];
}

/**
 * Environment-level rules: production high-availability minimums, names unique across kinds (each names a
 * connection parameter), OpenSearch zones within the network, replication to another region.
 */
export function serviceEnvironmentIssues(env: {
  readonly profile: string;
  readonly backup: { readonly plans: Readonly<Record<string, BackupPlanConfig>> };
  readonly account: { readonly region: string };
  readonly network: { readonly azCount: number; readonly natGateways: string; readonly interfaceEndpoints: readonly string[] };
  readonly services: ServicesConfig;
  readonly storage: StorageConfig;
}): ServiceConfigIssue[] {
  const issues: ServiceConfigIssue[] = [];
  const push = (base: (string | number)[], problems: readonly SettingProblem[]) =>
    problems.forEach((problem) => issues.push({ path: [...base, ...problem.path], message: problem.message, input: problem.value }));
  const { services, storage } = env;
  if (env.profile === "production") {
    for (const [name, entry] of Object.entries(services.postgres)) {
      const backup = { ...entry.backup, retentionDays: pointInTimeRetention(entry, env.backup.plans, env.profile).days };
      push(["services", "postgres", name], postgresHighAvailabilityProblems({ ...entry, backup }));
    }
    for (const [name, entry] of Object.entries(services.redis)) push(["services", "redis", name], redisHighAvailabilityProblems(entry));
    for (const [name, entry] of Object.entries(services.documentdb)) push(["services", "documentdb", name], documentDbHighAvailabilityProblems(entry));
    for (const [name, entry] of Object.entries(services.opensearch)) push(["services", "opensearch", name], openSearchHighAvailabilityProblems(entry));
    for (const [name, entry] of Object.entries(services.rabbitmq)) push(["services", "rabbitmq", name], rabbitMqHighAvailabilityProblems(entry));
  }
  const seen = new Map<string, (string | number)[]>();
  for (const { name, path } of declaredServiceNames(services, storage)) {
    const first = seen.get(name);
    if (first) {
      issues.push({ path, message: `service name "${name}" is already used at ${first.join(".")}; names are unique across kinds (each names /<project>/<env>/services/<name>/connection)`, input: name });
    } else {
      seen.set(name, path);
    }
  }
  // constructs/data-services names a database `postgres-<name>` and its monitoring user `postgres-<name>-monitor-user`.
  for (const name of Object.keys(services.postgres).filter((candidate) => candidate.endsWith(MONITOR_USER_SUFFIX))) {
    issues.push({
      path: ["services", "postgres", name],
      message: `PostgreSQL service names may not end in ${MONITOR_USER_SUFFIX}: the platform names a database's monitoring user that way (postgres-<name>${MONITOR_USER_SUFFIX})`,
      input: name,
    });
  }
  for (const [name, entry] of Object.entries(services.opensearch)) {
    if (entry.availabilityZones > env.network.azCount) {
      issues.push({
        path: ["services", "opensearch", name, "availabilityZones"],
        message: `the network has ${env.network.azCount} availability zones (network.azCount); a domain cannot span more`,
        input: entry.availabilityZones,
      });
    }
  }
  // A broker's password rotation function runs in the private subnets and calls Secrets Manager (constructs/rabbitmq).
  for (const name of reachesSecretsManager(env.network) ? [] : Object.keys(services.rabbitmq)) {
    issues.push({
      path: ["services", "rabbitmq", name],
      message: "the broker's password rotation function runs in the private subnets and must reach Secrets Manager: add secretsmanager to network.interfaceEndpoints (network.natGateways is none)",
      input: name,
    });
  }
  for (const [name, bucket] of Object.entries(storage.buckets)) {
    if (bucket.replication && bucket.replication.region === env.account.region) {
      issues.push({
        path: ["storage", "buckets", name, "replication", "region"],
        message: `must differ from the environment's region ${env.account.region} (replication is the off-region copy)`,
        input: bucket.replication.region,
      });
    }
  }
  return issues;
}

