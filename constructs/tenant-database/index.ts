/**
 * A shared tenant's own database and database user on its environment's shared PostgreSQL, created by an
 * idempotent bootstrap Job inside the cluster — Terraform never connects to the database, so CI needs no network
 * path to it at plan or apply time, and no tenant password exists: the user authenticates with IAM (`rds_iam`).
 *
 * Trust boundary:
 * - The Job runs in the environment's namespace of the product (e.g. `<product>`), which already holds the master credentials
 *   as the Kubernetes Secret `service-<logical>` synced by External Secrets. It runs with platform privileges
 *   (master user) and is owned by the tenant's stack, but the tenant's namespace never sees the master secret:
 *   nothing of it is copied, mounted or referenced there.
 * - The Job only creates (if missing) the role `<user>` with LOGIN and `rds_iam`, the database `<database>` owned
 *   by it, and revokes CONNECT on that database from PUBLIC, so other tenants' users cannot open it.
 * - The tenant's workloads get `rds-db:connect` for their own user name only (see ProductWorkloads
 *   `iamDatabaseUsers`); user names carry the tenant id and are unique in the environment.
 * - The Job's pod gets one network policy: DNS and the data tier on the service's port, nothing else.
 * Known limit: the environment's own databases keep PostgreSQL's default CONNECT for PUBLIC; the product's
 * migrations should revoke it (schema privileges on PostgreSQL 15+ already deny tenants' users by default).
 */
import { acceptPolicyFinding } from "../policy/exceptions";
import { createHash } from "node:crypto";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Fn, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { connectionParameterName } from "../core/connections";
import { validateName, type Naming } from "../core/naming";
import { MANAGED_BY_LABEL } from "../workload/labels";

/** Label of every object a tenant stack creates outside the tenant's namespaces. */
export const TENANT_LABEL = "platform.example.com/tenant";
/** PostgreSQL client image of the bootstrap Job (Docker Official Image postgres:16-alpine, pinned by digest). */
export const BOOTSTRAP_IMAGE = "docker.io/library/postgres:16-alpine@sha256:57c72fd2a128e416c7fcc499958864df5301e940bca0a56f58fddf30ffc07777";
/** Non-root user of the client image (postgres). */
const BOOTSTRAP_UID = 70;
/** Resources of the bootstrap container (the environment namespace's quota requires them). */
const BOOTSTRAP_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } };
/** Attempts before the Job fails (and with it the apply). */
const BOOTSTRAP_BACKOFF_LIMIT = 4;
/** How long Terraform waits for the Job. */
const BOOTSTRAP_TIMEOUT = "10m";
/** PostgreSQL identifiers: lowercase, digits and '_', at most 63 bytes. */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface TenantDatabaseProps {
  readonly tenant: string;
  /** Product whose database this is (part of the names). */
  readonly product: string;
  /** Name of the PostgreSQL service in the environment (`services.postgres.<name>`). */
  readonly serviceName: string;
  /** Logical name the product binds the service as (its master credentials are the Secret `service-<logical>`). */
  readonly logicalName: string;
  /** The environment's naming scope (the service's connection parameter is named from it). */
  readonly environmentNaming: Naming;
  /** The environment's namespace of the product, which holds the master credentials. */
  readonly jobNamespace: string;
  /** Subnets of the data tier the Job may reach. */
  readonly dataTierCidrs: readonly string[];
  /**
   * Client image of the Job.
   * @default BOOTSTRAP_IMAGE (PostgreSQL 16 client, pinned by digest)
   */
  readonly image?: string;
  /** What the Job waits for. @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** `<tenant>_<product>`: the tenant's database and IAM user name for one product. */
export function tenantDatabaseName(tenant: string, product: string): string {
  return `${tenant}_${product}`.replaceAll("-", "_");
}

export class TenantDatabase extends Construct {
  /** The database user (IAM authentication). */
  readonly username: string;
  readonly database: string;
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    const name = tenantDatabaseName(props.tenant, props.product);
    validate(id, props, name);
    this.username = name;
    this.database = name;
    const connection = Fn.jsondecode(
      new DataAwsSsmParameter(this, "connection", { name: connectionParameterName(props.environmentNaming, props.serviceName) }).insecureValue,
    );
    const host = Token.asString(Fn.lookup(connection, "host", ""));
    const port = Token.asString(Fn.tostring(Fn.lookup(connection, "port", "")));
    const script = bootstrapScript(name, name);
    // The script's hash is part of the Job name: a changed script runs again (Jobs are immutable).
    const jobName = validateName("k8s-name", `tenant-${props.tenant}-${props.product}-db-${createHash("sha256").update(script).digest("hex").slice(0, 8)}`);
    const labels = { [TENANT_LABEL]: props.tenant, [MANAGED_BY_LABEL]: "terraform", "app.kubernetes.io/name": `tenant-${props.tenant}-db` };

    const policy = new NetworkPolicyV1(this, "network-policy", {
      metadata: { name: validateName("k8s-name", `tenant-${props.tenant}-${props.product}-db`), namespace: props.jobNamespace, labels },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": labels["app.kubernetes.io/name"] } },
        policyTypes: ["Ingress", "Egress"],
        egress: [{ to: props.dataTierCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: port }] }],
      },
    });

    this.job = new JobV1(this, "job", {
      metadata: { name: jobName, namespace: props.jobNamespace, labels },
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
                command: ["/bin/sh", "-c", 'psql -v ON_ERROR_STOP=1 <<"SQL"\n' + script + "\nSQL"],
                env: [
                  { name: "PGHOST", value: host },
                  { name: "PGPORT", value: port },
                  { name: "PGDATABASE", value: "postgres" },
                  { name: "PGSSLMODE", value: "require" },
                  { name: "PGUSER", valueFrom: { secretKeyRef: { name: `service-${props.logicalName}`, key: "username" } } },
                  { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: `service-${props.logicalName}`, key: "password" } } },
                ],
                resources: BOOTSTRAP_RESOURCES,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: BOOTSTRAP_TIMEOUT, update: BOOTSTRAP_TIMEOUT },
      dependsOn: [policy, ...(props.dependsOn ?? [])],
    });
    acceptPolicyFinding(
      this.job,
      "K8S-NETPOL",
      "the bootstrap Job runs in the environment's product namespace, whose default-deny policies live in the environment's platform stack; this stack adds the Job's own policy (DNS and the data tier on the database port only)",
    );
  }
}

/** Idempotent SQL: creates what is missing, never drops. */
export function bootstrapScript(user: string, database: string): string {
  return [
    `SELECT 'CREATE ROLE "${user}" LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}')\\gexec`,
    `GRANT rds_iam TO "${user}";`,
    `SELECT 'CREATE DATABASE "${database}" OWNER "${user}"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}')\\gexec`,
    `REVOKE CONNECT, TEMPORARY ON DATABASE "${database}" FROM PUBLIC;`,
    `GRANT CONNECT, TEMPORARY ON DATABASE "${database}" TO "${user}";`,
  ].join("\n");
}

function validate(id: string, props: TenantDatabaseProps, name: string): void {
  const problems: string[] = [];
  if (!PG_IDENTIFIER.test(name)) problems.push(`database/user name "${name}" (from tenant "${props.tenant}" and product "${props.product}") is not a PostgreSQL identifier: lowercase letters, digits and '_', at most 63 characters`);
  if (props.dataTierCidrs.length === 0) problems.push("dataTierCidrs is empty: the Job could not reach the database");
  if (props.jobNamespace.startsWith(`${props.tenant}-`)) problems.push(`jobNamespace "${props.jobNamespace}" looks like the tenant's own namespace; the Job runs in the environment's product namespace so the tenant never sees master credentials`);
  if (problems.length > 0) throw new Error(`TenantDatabase ${id} is invalid:\n  - ${problems.join("\n  - ")}`);
}
