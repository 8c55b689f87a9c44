/**
 * prometheus-redis-exporter for one Redis service of the environment (observability.exporters.redis.enabled), in the
 * monitoring namespace, with its own least-privilege ElastiCache user:
 *
 * - The user (constructs/cache-user, password mode) may authenticate and run PING, INFO, CLIENT SETNAME and read the
 *   latency and slow logs (`REDIS_EXPORTER_ACCESS_STRING`): no key, channel or configuration access, none of the
 *   `@dangerous` commands but INFO (which the exporter's metrics come from). The exporter skips CONFIG
 *   (`REDIS_EXPORTER_CONFIG_COMMAND=-`): ElastiCache does not offer it, and CONFIG GET would read configuration a
 *   monitoring user has no need for. Key-level metrics (`check-keys`) stay off: they need key access.
 * - Its password is generated and rotated by the stack's rotation function (constructs/cache-password-rotation), like
 *   a product's password user, into the platform secret `<prefix>/exporters/redis-<service>`, which the platform's
 *   ClusterSecretStore serves to the monitoring namespace only (stacks/platform.ts lists it); the chart reads it from
 *   the Kubernetes Secret an ExternalSecret in the release syncs. It is never in configuration or Terraform state.
 *   The exporter reads it at start, so its Deployment names the Secret for Stakater Reloader, which restarts it after
 *   each sync (ElastiCache keeps the previous password through one rotation: the restart has until the next one).
 * - A ServiceMonitor (the chart's) and a NetworkPolicy: only Prometheus's namespace may scrape it, and it may reach
 *   only the data tier on the Redis port and the cluster DNS.
 *
 * The cache's address, engine and user group come from its connection parameter (constructs/core/connections.ts), read
 * at plan time, as a product's binding reads them.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { chartRelease } from "../../charts/release";
import { CacheUser } from "../cache-user";
import type { CachePasswordRotation } from "../cache-password-rotation";
import { publishedConnection } from "../core/connection-lookup";
import type { Naming } from "../core/naming";
import { MONITORING_NAMESPACE, RELOADER_SECRETS_ANNOTATION } from "../core/platform-contracts";
import { exporterCredentials, exporterNetworkPolicy } from "../data-exporter";
import { secretName } from "../core/secrets";
import { REDIS_DEFAULTS } from "../redis";

/**
 * What the exporter's user may run: PING, INFO, CLIENT SETNAME (the exporter names its connection), LATENCY LATEST and
 * HISTOGRAM, SLOWLOG LEN and GET. `-@all` first, no `~` or `&` patterns: no key or channel is reachable.
 * redis_exporter's own documentation and a measured minimal user (INFO, CLIENT SETNAME, LATENCY LATEST / HISTOGRAM,
 * SLOWLOG LEN / GET with CONFIG skipped) agree; `reset` is not allowed in ElastiCache access strings
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html), and a new user has no key patterns.
 */
export const REDIS_EXPORTER_ACCESS_STRING = "on -@all +ping +info +client|setname +latency|latest +latency|histogram +slowlog|len +slowlog|get";
/** Port of the exporter's metrics (the chart's service port). */
export const REDIS_EXPORTER_PORT = 9121;

/** Name component of the exporter's release, user and secret for a cache. */
export function redisExporterName(serviceName: string): string {
  return `redis-exporter-${serviceName}`;
}

/** The exporter's ElastiCache user id (never a product instance's: those end with `-app-<product>`). */
export function redisExporterUserId(naming: Naming, serviceName: string): string {
  return naming.name("elasticache-user", "redis", serviceName, "exporter");
}

/** Secrets Manager name of the exporter's credentials (a platform secret the monitoring namespace reads). */
export function redisExporterSecretName(naming: Naming, serviceName: string): string {
  return secretName(naming, { kind: "platform", path: `exporters/redis-${serviceName}` });
}

export interface RedisExporterProps {
  readonly naming: Naming;
  /** The Redis service (`services.redis.<name>`). */
  readonly serviceName: string;
  /** The stack's rotation function (CachePasswordRotation.of). */
  readonly rotation: CachePasswordRotation;
  /** Account the rotation runs in. */
  readonly accountId: string;
  /** KMS alias of the data key (encrypts the secret). */
  readonly dataKeyAlias: string;
  readonly recoveryWindowDays: number;
  /** `prevent_destroy` on the secret (protected environments). */
  readonly protect: boolean;
  /** CIDRs of the data tier (the cache's subnets): the only place the exporter connects to. */
  readonly dataTierCidrs: readonly string[];
  /**
   * The cache's port (what the network policy admits).
   * @default 6379 (REDIS_DEFAULTS.port)
   */
  readonly port?: number;
  /** What the release waits for: the monitoring CRDs (ServiceMonitor) and the External Secrets stores. */
  readonly dependsOn: readonly ITerraformDependable[];
}

export class RedisExporter extends Construct {
  readonly user: CacheUser;
  readonly release: Release;
  readonly networkPolicy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: RedisExporterProps) {
    super(scope, id);
    const { naming, serviceName } = props;
    if (props.dataTierCidrs.length === 0) throw new Error(`RedisExporter ${id}: dataTierCidrs is empty; the exporter could reach no cache`);
    const name = redisExporterName(serviceName);
    const port = props.port ?? REDIS_DEFAULTS.port;
    const field = publishedConnection(this, "connection", naming, serviceName);
    const userId = redisExporterUserId(naming, serviceName);
    const secret = redisExporterSecretName(naming, serviceName);

    this.user = new CacheUser(this, "user", {
      userId,
      engine: field("engine", "redis"),
      userGroupId: field("userGroupId"),
      accessString: REDIS_EXPORTER_ACCESS_STRING,
      password: {
        rotation: props.rotation,
        secretName: secret,
        kmsKeyId: props.dataKeyAlias,
        recoveryWindowDays: props.recoveryWindowDays,
        protect: props.protect,
        accountId: props.accountId,
      },
    });

    const credentials = `${name}-credentials`;
    const labels = { "app.kubernetes.io/name": "prometheus-redis-exporter", "app.kubernetes.io/instance": name };
    this.release = chartRelease(this, "release", {
      chart: "prometheus-redis-exporter",
      name,
      namespace: MONITORING_NAMESPACE,
      overrides: {
        // The configured port (the connection publishes the same): a literal keeps the values YAML before Terraform renders them.
        redisAddress: `rediss://${field("host")}:${port}`,
        auth: { enabled: true, redisUser: userId, secret: { name: credentials, key: "password" } },
        customLabels: { "platform.example.com/redis-service": serviceName },
        // The exporter reads REDIS_PASSWORD when it starts: Stakater Reloader (required with exporters,
        // config/schema/observability.ts exporterIssues) restarts it when External Secrets syncs a rotated password.
        // The chart puts `annotations` on the Deployment (where Reloader reads it) and on its pod template.
        annotations: { [RELOADER_SECRETS_ANNOTATION]: credentials },
        extraManifests: [exporterCredentials(credentials, secret, ["password"])],
      },
      // The user has its password (first rotation started) before the exporter starts.
      dependsOn: [...props.dependsOn, this.user.association, ...(this.user.rotation ? [this.user.rotation] : [])],
      // Ready only once that first rotation (asynchronous) has finished: a slow or failed rotation must not fail and
      // roll back the platform's apply; it shows as the exporter's target down in Prometheus.
      awaitReadiness: false,
    });

    this.networkPolicy = exporterNetworkPolicy(this, { name, labels, metricsPort: REDIS_EXPORTER_PORT, dataTierCidrs: props.dataTierCidrs, port, dependsOn: [this.release] });
  }
}
