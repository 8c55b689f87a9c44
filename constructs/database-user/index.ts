/**
 * A product instance's own PostgreSQL user on a PostgreSQL service of its environment, and the database it owns,
 * created by an idempotent Job in the platform's database-bootstrap namespace (constructs/database-bootstrap) —
 * Terraform never connects to the database, so CI needs no network path to it at plan or apply time, and no
 * application password exists: the user authenticates with IAM (`rds_iam`), and each instance's role may
 * `rds-db:connect` as its own user only (constructs/product-workloads).
 *
 * Trust boundary:
 * - The Job is the only consumer of the service's master credentials (the Kubernetes Secret `master-<service>` of
 *   the database-bootstrap namespace, synced by that namespace's own SecretStore). No application namespace — the
 *   environment's or a tenant's — holds or can read them.
 * - The Job creates (if missing) the role `<user>` with LOGIN and `rds_iam`, the database `<database>` owned by it,
 *   revokes CONNECT and TEMPORARY on that database from PUBLIC, so no other instance's user can open it, and hands the
 *   user what the master user owns inside the database (schemas, tables, views, sequences, functions, types): an
 *   environment whose products connected as the master user before keeps its data, now owned by the product's user.
 * - The Job's pod gets one network policy of its own: the data tier on the service's port (DNS comes from the
 *   namespace's policy); nothing else.
 */
import { createHash } from "node:crypto";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PG_IDENTIFIER } from "../core/data-users";
import { JobV1 } from "../core/kubernetes-workload-resources";
import { validateName } from "../core/naming";
import { RDS_CA_CONFIG_MAP, RDS_CA_MOUNT, RDS_CA_PATH, RDS_CA_VOLUME } from "../core/platform-contracts";
import { MANAGED_BY_LABEL } from "../workload/labels";
import { acceptPolicyFinding } from "../policy/exceptions";

/** Label of every object a tenant stack creates outside the tenant's namespaces. */
export const TENANT_LABEL = "platform.example.com/tenant";
/** Namespace of the database bootstrap Jobs (created by constructs/database-bootstrap). */
export const DATABASE_BOOTSTRAP_NAMESPACE = "database-bootstrap";
/** PostgreSQL client image of the bootstrap Job (Docker Official Image postgres:16-alpine, pinned by digest). */
export const BOOTSTRAP_IMAGE = "docker.io/library/postgres:16-alpine@sha256:57c72fd2a128e416c7fcc499958864df5301e940bca0a56f58fddf30ffc07777";
/** Non-root user of the client image (postgres). */
const BOOTSTRAP_UID = 70;
/** Resources of the bootstrap container (the namespace's quota requires them). */
export const BOOTSTRAP_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } };
/** Attempts before the Job fails (and with it the apply). */
const BOOTSTRAP_BACKOFF_LIMIT = 4;
/** How long Terraform waits for the Job. */
const BOOTSTRAP_TIMEOUT = "10m";

/** Kubernetes Secret of the database-bootstrap namespace holding a service's master credentials. */
export function masterSecretName(serviceName: string): string {
  return validateName("k8s-name", `master-${serviceName}`);
}

export interface DatabaseUserProps {
  /** The PostgreSQL user (constructs/core/data-users.ts databaseUserName). */
  readonly username: string;
  /**
   * The database the user owns (created when missing). A literal for a shared tenant's own database, or the
   * service's database from its connection description for the environment's own instance.
   */
  readonly database: string;
  /** Name of the PostgreSQL service in the environment (`services.postgres.<name>`). */
  readonly serviceName: string;
  /** The service's writer endpoint and port (from its connection description; may be references). */
  readonly host: string;
  readonly port: string;
  /** Subnets of the data tier the Job may reach. */
  readonly dataTierCidrs: readonly string[];
  /** Names the Job and its labels after a shared tenant. @default none (the environment's own instance) */
  readonly tenant?: string;
  /**
   * Client image of the Job.
   * @default BOOTSTRAP_IMAGE (PostgreSQL 16 client, pinned by digest)
   */
  readonly image?: string;
  /** What the Job waits for (the database-bootstrap namespace and its master credentials). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class DatabaseUser extends Construct {
  readonly username: string;
  readonly database: string;
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    validate(id, props);
    this.username = props.username;
    this.database = props.database;
    const { host, port } = props;
    const script = bootstrapScript();
    const owner = props.username.replaceAll("_", "-");
    // What the Job does (script, user, service) is part of its name: a change runs it again (Jobs are immutable).
    const digest = createHash("sha256").update(JSON.stringify([script, props.username, props.serviceName, Token.isUnresolved(props.database) ? "" : props.database])).digest("hex").slice(0, 8);
    const jobName = validateName("k8s-name", `db-user-${owner}-${digest}`);
    const selector = { "app.kubernetes.io/name": validateName("k8s-name", `db-user-${owner}`) };
    const labels = { ...selector, [MANAGED_BY_LABEL]: "terraform", ...(props.tenant ? { [TENANT_LABEL]: props.tenant } : {}) };

    const policy = new NetworkPolicyV1(this, "network-policy", {
      metadata: { name: validateName("k8s-name", `db-user-${owner}`), namespace: DATABASE_BOOTSTRAP_NAMESPACE, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress", "Egress"],
        egress: [{ to: props.dataTierCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: port }] }],
      },
      ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
    });

    const master = masterSecretName(props.serviceName);
    this.job = new JobV1(this, "job", {
      metadata: { name: jobName, namespace: DATABASE_BOOTSTRAP_NAMESPACE, labels },
      spec: {
        backoffLimit: BOOTSTRAP_BACKOFF_LIMIT,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: String(BOOTSTRAP_UID), runAsGroup: String(BOOTSTRAP_UID), seccompProfile: { type: "RuntimeDefault" } },
            container: [
              {
                name: "bootstrap",
                image: props.image ?? BOOTSTRAP_IMAGE,
                command: ["/bin/sh", "-c", 'psql -v ON_ERROR_STOP=1 -v user="$DB_USER" -v db="$DB_NAME" <<"SQL"\n' + script + "\nSQL"],
                env: [
                  { name: "PGHOST", value: host },
                  { name: "PGPORT", value: port },
                  { name: "PGDATABASE", value: "postgres" },
                  // The master credentials go only to the server whose certificate the region's RDS authorities sign
                  // (the config map constructs/database-bootstrap creates in this namespace).
                  { name: "PGSSLMODE", value: "verify-full" },
                  { name: "PGSSLROOTCERT", value: RDS_CA_PATH },
                  { name: "PGUSER", valueFrom: { secretKeyRef: { name: master, key: "username" } } },
                  { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: master, key: "password" } } },
                  { name: "DB_USER", value: props.username },
                  { name: "DB_NAME", value: props.database },
                ],
                resources: BOOTSTRAP_RESOURCES,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMount: [{ name: RDS_CA_VOLUME, mountPath: RDS_CA_MOUNT, readOnly: true }],
              },
            ],
            volume: [{ name: RDS_CA_VOLUME, configMap: { name: RDS_CA_CONFIG_MAP } }],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: BOOTSTRAP_TIMEOUT, update: BOOTSTRAP_TIMEOUT },
      dependsOn: [policy, ...(props.dependsOn ?? [])],
    });
    if (props.tenant !== undefined) {
      acceptPolicyFinding(
        this.job,
        "K8S-NETPOL",
        "a shared tenant's database-user Job runs in the platform's database-bootstrap namespace, whose default-deny and DNS policies live in the environment's platform stack (constructs/database-bootstrap); the tenant stack adds the Job's own policy (the data tier on the database port only)",
      );
    }
  }
}

/** SQL: the object (by oid column) is not a member of an extension (extensions keep their own owners). */
function notExtension(column: string): string {
  return `NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = ${column} AND d.deptype = 'e')`;
}

/**
 * Idempotent SQL run with psql variables `user` and `db`: creates what is missing, never drops. On RDS the master
 * user is not a superuser: it makes itself a member of the user's role (allowed to a CREATEROLE role) so it may
 * create a database owned by it and hand objects over (PostgreSQL requires membership in the new owner).
 */
export function bootstrapScript(): string {
  const ours = "(SELECT oid FROM pg_roles WHERE rolname = current_user)";
  const outsideSystem = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";
  return [
    `SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user')\\gexec`,
    `SELECT format('GRANT rds_iam TO %I', :'user')\\gexec`,
    `SELECT format('GRANT %I TO current_user', :'user')\\gexec`,
    `SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\\gexec`,
    `SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'user')\\gexec`,
    `SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', :'db')\\gexec`,
    `SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'user')\\gexec`,
    `\\connect :db`,
    `SELECT set_config('bootstrap.owner', :'user', false);`,
    // A named dollar quote: Kubernetes turns `$$` in a command into `$` (its escape for `$(VAR)` references).
    "DO $bootstrap$",
    "DECLARE",
    "  owner text := current_setting('bootstrap.owner');",
    "  item record;",
    "BEGIN",
    `  FOR item IN SELECT n.nspname FROM pg_namespace n WHERE n.nspowner = ${ours} AND ${outsideSystem} AND ${notExtension("n.oid")} LOOP`,
    "    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', item.nspname, owner);",
    "  END LOOP;",
    "  FOR item IN SELECT c.relkind, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
    `    WHERE c.relowner = ${ours} AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${outsideSystem} AND ${notExtension("c.oid")}`,
    "      AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP",
    "    EXECUTE format('ALTER %s %I.%I OWNER TO %I', CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'",
    "      WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, item.nspname, item.relname, owner);",
    "  END LOOP;",
    "  FOR item IN SELECT p.oid::regprocedure AS signature, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
    `    WHERE p.proowner = ${ours} AND ${outsideSystem} AND ${notExtension("p.oid")} LOOP`,
    "    EXECUTE format('ALTER %s %s OWNER TO %I', CASE item.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,",
    "      item.signature, owner);",
    "  END LOOP;",
    "  FOR item IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
    `    WHERE t.typowner = ${ours} AND t.typtype IN ('e', 'd', 'r', 'm') AND ${outsideSystem} AND ${notExtension("t.oid")} LOOP`,
    "    EXECUTE format('ALTER TYPE %s OWNER TO %I', item.name, owner);",
    "  END LOOP;",
    "END $bootstrap$;",
  ].join("\n");
}

function validate(id: string, props: DatabaseUserProps): void {
  const problems: string[] = [];
  if (!PG_IDENTIFIER.test(props.username)) problems.push(`user name "${props.username}" is not a PostgreSQL identifier: lowercase letters, digits and '_', at most 63 characters`);
  if (!Token.isUnresolved(props.database) && !PG_IDENTIFIER.test(props.database)) problems.push(`database name "${props.database}" is not a PostgreSQL identifier: lowercase letters, digits and '_', at most 63 characters`);
  if (props.dataTierCidrs.length === 0) problems.push("dataTierCidrs is empty: the Job could not reach the database");
  if (problems.length > 0) throw new Error(`DatabaseUser ${id} is invalid:\n  - ${problems.join("\n  - ")}`);
}
