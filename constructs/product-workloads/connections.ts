/**
 * Data-service connections injected into workloads.
 *
 * A data service publishes its ServiceConnection (constructs/core/connections.ts) as an SSM String parameter at a
 * name derived from configuration; the product reads it by that name at plan time (a data source, never a
 * cross-stack reference). Non-secret fields become plain environment variables. Credentials stay in Secrets
 * Manager: an ExternalSecret (rendered by the workload-secrets chart) copies `username` and `password` from the
 * secret whose ARN the connection carries into a Kubernetes Secret, and composes a connection URL there; the
 * workload references that Secret. No credential passes through Terraform.
 *
 * The variables for a service bound with prefix P (see `services.<name>.envPrefix`) are declared, with when they
 * are set and what they hold, in config/schema/injected-env.ts (SERVICE_VARIABLES); the README's table of injected
 * variables is generated from there.
 *
 * A shared tenant's instance reaches the environment's Redis as its own ElastiCache user and OpenSearch as its own
 * OpenSearch role: the prefixes are the only keys and indices those admit (constructs/cache-user,
 * constructs/search-access), so instances never read or overwrite one another's.
 */
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import type { ServiceBindingConfig } from "../../config/schema/products";
import { serviceEnvPrefix } from "../../config/schema/products";
import { PASSWORD_KINDS as PASSWORD_KIND_LIST, serviceVariable as v } from "../../config/schema/injected-env";
import { connectionParameterName } from "../core/connections";
import { RDS_CA_PATH } from "../core/platform-contracts";
import { productIndexPrefix, tenantIndexPrefix, tenantKeyPrefix } from "../core/data-users";
import type { Naming } from "../core/naming";
import type { EnvVar } from "../workload";

/** Kinds whose servers present certificates of the RDS authorities (Aurora / RDS PostgreSQL, DocumentDB). */
export const RDS_CA_KINDS: readonly string[] = ["postgres", "mongodb"];

/** Kinds whose clients authenticate with a user name and password from Secrets Manager. */
export const PASSWORD_KINDS: readonly string[] = PASSWORD_KIND_LIST;

/** ESO template (Go text/template) of the connection URL of a password-authenticated kind. */
function urlTemplate(kind: string, host: string, port: string, database: string): string {
  const credentials = "{{ .username | urlquery }}:{{ .password | urlquery }}";
  // The server certificate verified against the region's RDS authorities (mounted at RDS_CA_PATH).
  if (kind === "postgres") return `postgresql://${credentials}@${host}:${port}/${database}?sslmode=verify-full&sslrootcert=${RDS_CA_PATH}`;
  // DocumentDB: TLS verified against the RDS authorities, its single replica set, reads from replicas, no retryable writes.
  if (kind === "mongodb") return `mongodb://${credentials}@${host}:${port}/?tls=true&tlsCAFile=${RDS_CA_PATH}&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false`;
  if (kind === "redis") return `rediss://${credentials}@${host}:${port}`;
  return `amqps://${credentials}@${host}:${port}`;
}

/** One ExternalSecret the workload-secrets chart renders (read through the namespace's SecretStore). */
export interface ExternalSecretValues {
  readonly name: string;
  readonly refreshInterval: string;
  readonly data: readonly { secretKey: string; remoteRef: { key: string; property?: string } }[];
  /** `target.template` of the ExternalSecret (extra keys composed from the synced ones). */
  readonly template?: { engineVersion: "v2"; mergePolicy: "Merge"; data: Readonly<Record<string, string>> };
}

export class ServiceConnectionRef {
  /** Kubernetes Secret holding the credentials (password kinds). */
  readonly secretName: string;
  readonly prefix: string;
  readonly host: string;
  readonly port: string;
  private readonly connection: unknown;

  constructor(
    scope: Construct,
    id: string,
    readonly logicalName: string,
    readonly binding: ServiceBindingConfig,
    naming: Naming,
  ) {
    const parameter = new DataAwsSsmParameter(scope, id, { name: connectionParameterName(naming, binding.name ?? logicalName) });
    // `insecure_value`: the parameter is a non-secret String, so the plan shows what changes.
    this.connection = Fn.jsondecode(parameter.insecureValue);
    this.prefix = serviceEnvPrefix(logicalName, binding);
    this.secretName = `service-${logicalName}`;
    this.host = this.field("host");
    this.port = Token.asString(Fn.tostring(this.lookup("port", "")));
  }

  private lookup(key: string, fallback: unknown): unknown {
    return Fn.lookup(this.connection, key, fallback);
  }

  private field(key: string, fallback: unknown = ""): string {
    return Token.asString(this.lookup(key, fallback));
  }

  /** Clients verify the server against the RDS authorities (PostgreSQL, DocumentDB): the workload mounts them. */
  get verifiesRdsCa(): boolean {
    return RDS_CA_KINDS.includes(this.binding.kind);
  }

  get usesPassword(): boolean {
    return PASSWORD_KINDS.includes(this.binding.kind);
  }

  /**
   * A cache reached as the instance's own user with a rotated password (`authentication: password`), not an IAM
   * token: the password is in the user's own secret (constructs/cache-user), not the service's.
   */
  get cachePassword(): boolean {
    return this.binding.kind === "redis" && this.binding.authentication === "password";
  }

  /** Environment variables of a workload that uses this service (`cacheUser`: the instance's own user of a cache). */
  env(cacheUser?: string): EnvVar[] {
    const p = this.prefix;
    const { kind } = this.binding;
    const vars: EnvVar[] = [
      { name: v("host", p), value: this.host },
      { name: v("port", p), value: this.port },
      { name: v("tls", p), value: Token.asString(Fn.tostring(this.lookup("tls", true))) },
    ];
    if (kind === "postgres" || kind === "mongodb" || kind === "redis") vars.push({ name: v("readerHost", p), value: this.field("readerHost", this.host) });
    if (kind === "postgres") vars.push({ name: v("name", p), value: this.field("database") });
    if (this.verifiesRdsCa) vars.push({ name: v("caFile", p), value: RDS_CA_PATH });
    if (this.usesPassword) {
      for (const key of ["username", "password", "url"] as const) {
        vars.push({ name: v(key, p), valueFrom: { secretKeyRef: { name: this.secretName, key } } });
      }
    } else if (kind === "redis") {
      if (!cacheUser) throw new Error(`service ${this.logicalName}: a cache is reached as the instance's own user; none was given`);
      if (this.cachePassword) {
        vars.push(
          { name: v("username", p), value: cacheUser },
          { name: v("password", p), valueFrom: { secretKeyRef: { name: this.secretName, key: "password" } } },
          { name: v("url", p), valueFrom: { secretKeyRef: { name: this.secretName, key: "url" } } },
        );
        return vars;
      }
      vars.push(
        { name: v("username", p), value: cacheUser },
        { name: v("iamAuth", p), value: "true" },
        { name: v("url", p), value: `rediss://${this.host}:${this.port}` },
      );
    } else if (kind === "opensearch") {
      vars.push({ name: v("iamAuth", p), value: "true" }, { name: v("url", p), value: `https://${this.host}` });
    }
    return vars;
  }

  /** The key or index prefix of a shared tenant's instance on this service (redis, opensearch; see the module comment). */
  tenantPrefixEnv(tenant: string): EnvVar[] {
    const { kind } = this.binding;
    if (kind === "redis") return [{ name: v("keyPrefix", this.prefix), value: tenantKeyPrefix(tenant) }];
    if (kind === "opensearch") return [{ name: v("indexPrefix", this.prefix), value: tenantIndexPrefix(tenant) }];
    return [];
  }

  /**
   * The index prefix of the environment's own (or a dedicated tenant's) instance of a product on a search service:
   * `<product>-`, the pattern its OpenSearch role admits (constructs/search-role).
   */
  productPrefixEnv(product: string): EnvVar[] {
    return this.binding.kind === "opensearch" ? [{ name: v("indexPrefix", this.prefix), value: productIndexPrefix(product) }] : [];
  }

  /** The cache's engine and user group, as its connection publishes them (what the instance's own user joins). */
  get cacheUserGroup(): { engine: string; userGroupId: string } {
    return { engine: this.field("engine", "redis"), userGroupId: this.field("userGroupId") };
  }

  /**
   * Environment variables of a workload that connects to this PostgreSQL service as its own IAM-authenticated
   * user (no password exists: clients request a token with rds-db:connect). P_PASSWORD is absent.
   */
  iamDatabaseEnv(username: string, database: string): EnvVar[] {
    const p = this.prefix;
    return [
      { name: v("host", p), value: this.host },
      { name: v("port", p), value: this.port },
      { name: v("tls", p), value: "true" },
      { name: v("readerHost", p), value: this.field("readerHost", this.host) },
      { name: v("name", p), value: database },
      { name: v("caFile", p), value: RDS_CA_PATH },
      { name: v("username", p), value: username },
      { name: v("iamAuth", p), value: "true" },
      { name: v("url", p), value: `postgresql://${username}@${this.host}:${this.port}/${database}?sslmode=verify-full&sslrootcert=${RDS_CA_PATH}` },
    ];
  }

  /** The service's database (postgres), as the connection publishes it. */
  get database(): string {
    return this.field("database");
  }

  /** The resource id IAM database authentication scopes `rds-db:connect` with (postgres), as the connection publishes it. */
  get resourceId(): string {
    return this.field("resourceId");
  }

  /** ARN of the secret holding the service's credentials (password kinds), as the connection publishes it. */
  get secretArn(): string {
    return this.field("secretArn");
  }

  /**
   * The ExternalSecret syncing this service's credentials: the service's managed secret (password kinds), or
   * `ownSecretArn`, the instance's own user's secret (a cache in password mode).
   */
  externalSecret(refreshInterval: string, ownSecretArn?: string): ExternalSecretValues | undefined {
    if (!this.usesPassword && !(this.cachePassword && ownSecretArn)) return undefined;
    const secretArn = ownSecretArn ?? this.secretArn;
    return {
      name: this.secretName,
      refreshInterval,
      data: ["username", "password"].map((key) => ({ secretKey: key, remoteRef: { key: secretArn, property: key } })),
      template: { engineVersion: "v2", mergePolicy: "Merge", data: { url: urlTemplate(this.binding.kind, this.host, this.port, this.field("database")) } },
    };
  }
}
