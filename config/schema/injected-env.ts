/**
 * The environment variables the platform injects into workloads, each declared once with when it is set and what it
 * holds. The code that injects them (constructs/product-workloads, constructs/workload/grants) takes the names from
 * here, the product schema rejects a workload `env` that would collide with them, and the README's section on
 * injected variables is generated from these declarations (`npm run schema:export`; a test fails when it is stale).
 */

/** Service kinds a product binds (`services.<name>.kind`). */
type Kind = "postgres" | "mongodb" | "redis" | "opensearch" | "rabbitmq";

export interface InjectedVariable {
  /** The variable's name; `<P>_` marks the service's prefix (`services.<name>.envPrefix`, default the name upper-cased). */
  readonly name: string;
  /** When the platform sets it. */
  readonly when: string;
  /** What it holds. */
  readonly description: string;
  /** Where the value comes from: a plain value, or a reference to a Kubernetes Secret synced from Secrets Manager. */
  readonly from: "value" | "secret";
}

/** Variables of every workload (not tied to a service). */
export const WORKLOAD_VARIABLES = {
  appDomain: { name: "APP_DOMAIN", from: "value", when: "the product has a domain", description: "The product's domain (the tenant's own for a tenant's instance); other values can refer to it as $(APP_DOMAIN)." },
  awsRegion: { name: "AWS_REGION", from: "value", when: "the workload has AWS permissions (grants, or a service reached with IAM)", description: "The region of the environment, for AWS SDKs." },
  objectPrefix: { name: "OBJECT_PREFIX", from: "value", when: "a shared tenant's instance with bucket grants", description: "The key prefix (`tenants/<id>/`) its bucket permissions are limited to; objects must be written under it." },
  tenantId: { name: "TENANT_ID", from: "value", when: "a shared tenant's instance", description: "The id of the tenant the instance serves." },
} as const satisfies Record<string, InjectedVariable>;

/** Variables of a workload that uses a data service (`uses: [<service>]`), by suffix after the prefix. */
export const SERVICE_VARIABLES = {
  host: { name: "<P>_HOST", from: "value", when: "every kind", description: "The service's endpoint host (the writer for databases)." },
  port: { name: "<P>_PORT", from: "value", when: "every kind", description: "The service's port." },
  tls: { name: "<P>_TLS", from: "value", when: "every kind", description: "`true`: connections must use TLS." },
  readerHost: { name: "<P>_READER_HOST", from: "value", when: "postgres, mongodb, redis", description: "The read-only endpoint (the writer's host when there is no reader)." },
  caFile: {
    name: "<P>_CA_FILE",
    from: "value",
    when: "postgres, mongodb",
    description: "Path of the PEM bundle of the region's RDS certificate authorities, which sign the servers' certificates (no system trust store holds them), mounted read-only from the namespace's `platform-rds-ca` ConfigMap. `<P>_URL` already names it (`sslrootcert`, `tlsCAFile`); give it to clients configured field by field.",
  },
  name: { name: "<P>_NAME", from: "value", when: "postgres", description: "The database the instance owns (each product instance, a shared tenant's included, has its own)." },
  username: { name: "<P>_USERNAME", from: "value", when: "postgres, mongodb, rabbitmq, redis", description: "The user to connect as: the instance's own user for postgres and redis (a plain value; IAM-authenticated, or with a password for redis with `authentication: password`); from the service's managed secret (a Kubernetes Secret synced from Secrets Manager) for mongodb and rabbitmq." },
  password: { name: "<P>_PASSWORD", from: "secret", when: "mongodb, rabbitmq, and redis with `authentication: password` (postgres and IAM redis users have none)", description: "The password, from a Kubernetes Secret synced from Secrets Manager (never in configuration or Terraform state): the service's managed secret (mongodb, rabbitmq), or the instance's own cache user's secret, generated and rotated every `passwordRotationDays` (redis: during a rotation the user accepts the old and the new password, so pick up the new one at the next reconnect)." },
  url: { name: "<P>_URL", from: "value", when: "every kind", description: "A ready connection URL: `postgresql://`, `mongodb://` and `amqps://` with the credentials (from a Kubernetes Secret composed from the managed secret), `postgresql://<user>@...?sslmode=verify-full&sslrootcert=<P>_CA_FILE's path` for the instance's IAM database user (PostgreSQL and DocumentDB URLs verify the server against `<P>_CA_FILE`), `rediss://<host>:<port>` and `https://<host>` (plain values), `rediss://<user>:<password>@<host>:<port>` (from the Kubernetes Secret) for redis with `authentication: password`. A service bound as `database` gives `DATABASE_URL`." },
  iamAuth: { name: "<P>_IAM_AUTH", from: "value", when: "postgres, redis (unless `authentication: password`), opensearch", description: "`true`: authenticate with IAM (a token from the workload's role, or SigV4-signed requests), not a password." },
  keyPrefix: { name: "<P>_KEY_PREFIX", from: "value", when: "redis, in a shared tenant's instance", description: "`<tenant>:`, the only keys (and channels) the instance's cache user is admitted to on the environment's shared Redis." },
  indexPrefix: { name: "<P>_INDEX_PREFIX", from: "value", when: "opensearch", description: "`<tenant>-` for a shared tenant's instance, `<product>-` otherwise: the only index pattern the instance's OpenSearch role admits." },
} as const satisfies Record<string, InjectedVariable>;

/** Variables named by the product itself (`grants[].env`). */
export const GRANT_VARIABLES = {
  bucket: { name: "grants[].env", from: "value", when: "a bucket grant with `env`", description: "The bucket's name." },
  queue: { name: "grants[].env", from: "value", when: "a queue grant with `env`", description: "The queue's URL." },
} as const satisfies Record<string, InjectedVariable>;

/** The name of a service variable for prefix `prefix` (e.g. `serviceVariable("host", "DATABASE")` is `DATABASE_HOST`). */
export function serviceVariable(variable: keyof typeof SERVICE_VARIABLES, prefix: string): string {
  return SERVICE_VARIABLES[variable].name.replace("<P>", prefix);
}

/** Names of the workload variables, which a workload's own `env` cannot set. */
export const WORKLOAD_VARIABLE_NAMES: readonly string[] = Object.values(WORKLOAD_VARIABLES).map((variable) => variable.name);

/** Kinds that authenticate with a user name and password from Secrets Manager (constructs/product-workloads). */
export const PASSWORD_KINDS: readonly Kind[] = ["postgres", "mongodb", "rabbitmq"];

const README_START = "<!-- injected-variables:start (generated from config/schema/injected-env.ts by npm run schema:export) -->";
const README_END = "<!-- injected-variables:end -->";

function table(variables: Record<string, InjectedVariable>): string[] {
  return [
    "| variable | set when | value |",
    "|---|---|---|",
    ...Object.values(variables).map((variable) => `| \`${variable.name}\` | ${variable.when} | ${variable.description} |`),
  ];
}

/** The README section documenting the injected variables. */
export function renderInjectedVariables(): string {
  return [
    README_START,
    "Every workload:",
    "",
    ...table(WORKLOAD_VARIABLES),
    "",
    "Per data service a workload uses (`uses: [<service>]`), with prefix `<P>` = the binding's `envPrefix`, by default its",
    "name upper-cased with `-` as `_` (a service named `database` gives `DATABASE_HOST`, `DATABASE_URL`, ...):",
    "",
    ...table(SERVICE_VARIABLES),
    "",
    "Named by the product (`grants[].env`):",
    "",
    ...table(GRANT_VARIABLES),
    "",
    "A workload's own `env` cannot set the variables of the first table nor any variable with the prefix of a service it uses.",
    README_END,
  ].join("\n");
}

/** `readme` with its injected-variables section replaced by the generated one (the markers must exist). */
export function withInjectedVariables(readme: string): string {
  const start = readme.indexOf(README_START.split(" (")[0] as string);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no injected-variables section (${README_START} ... ${README_END})`);
  return `${readme.slice(0, start)}${renderInjectedVariables()}${readme.slice(end + README_END.length)}`;
}
