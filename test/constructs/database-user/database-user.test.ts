import { describe, expect, it } from "vitest";
import { databaseUserName } from "../../../constructs/core/data-users";
import { BOOTSTRAP_IMAGE, bootstrapScript, DATABASE_BOOTSTRAP_NAMESPACE, DatabaseUser, type DatabaseUserProps } from "../../../constructs/database-user";
import { resourceList, synthConstruct } from "../../support/synth";

const props: DatabaseUserProps = {
  username: "globex_noor",
  database: "globex_noor",
  serviceName: "noor-db",
  host: "noor-db.cluster-abc.eu-west-1.rds.amazonaws.com",
  port: "5432",
  dataTierCidrs: ["10.0.64.0/20", "10.0.80.0/20"],
  tenant: "globex",
};

type Job = { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { template: { spec: { container: Record<string, unknown>[]; volume?: unknown[] } } }; wait_for_completion: boolean };

describe("DatabaseUser", () => {
  const { json } = synthConstruct((scope) => new DatabaseUser(scope, "db", props));
  const job = resourceList(json, "kubernetes_job_v1")[0] as Job;
  const container = job.spec.template.spec.container[0]!;

  it("names users after the product (and the shared tenant)", () => {
    expect(databaseUserName("noor", "globex")).toBe("globex_noor");
    expect(databaseUserName("smart-edu")).toBe("smart_edu");
  });

  it("runs an idempotent Job in the database-bootstrap namespace with that namespace's master credentials, waiting for it", () => {
    expect(job.metadata.namespace).toBe(DATABASE_BOOTSTRAP_NAMESPACE);
    expect(job.metadata.name).toMatch(/^db-user-globex-noor-[0-9a-f]{8}$/);
    expect(job.metadata.labels["platform.example.com/tenant"]).toBe("globex");
    expect(job.wait_for_completion).toBe(true);
    expect(container.image).toBe(BOOTSTRAP_IMAGE);
    expect(container.env).toContainEqual({ name: "PGPASSWORD", value_from: { secret_key_ref: { name: "master-noor-db", key: "password" } } });
    expect(container.env).toContainEqual({ name: "DB_USER", value: "globex_noor" });
    expect(container.env).toContainEqual({ name: "DB_NAME", value: "globex_noor" });
    expect(container.env).toContainEqual({ name: "PGHOST", value: props.host });
  });

  it("sends the master credentials only to a server the region's RDS authorities vouch for", () => {
    expect(container.env).toContainEqual({ name: "PGSSLMODE", value: "verify-full" });
    expect(container.env).toContainEqual({ name: "PGSSLROOTCERT", value: "/etc/platform/rds-ca/ca.pem" });
    expect(container.volume_mount).toEqual([{ name: "platform-rds-ca", mount_path: "/etc/platform/rds-ca", read_only: true }]);
    expect(job.spec.template.spec.volume).toEqual([{ name: "platform-rds-ca", config_map: { name: "platform-rds-ca" } }]);
  });

  it("creates what is missing, never drops, and hands over what the master user owns in the database", () => {
    const script = bootstrapScript();
    expect(script).toContain("SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user')\\gexec");
    expect(script).toContain("SELECT format('GRANT rds_iam TO %I', :'user')\\gexec");
    expect(script).toContain("SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', :'db')\\gexec");
    expect(script).toContain("SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'user')\\gexec");
    expect(script).toContain("EXECUTE format('ALTER SCHEMA %I OWNER TO %I', item.nspname, owner);");
    expect(script).not.toMatch(/DROP|PASSWORD/i);
    // Kubernetes reduces `$$` in a command to `$`; the DO block uses a named dollar quote.
    expect(String((container.command as string[])[2])).not.toContain("$$");
  });

  it("runs the Job under the restricted Pod Security profile and lets it reach only the data tier", () => {
    expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } });
    const policy = resourceList(json, "kubernetes_network_policy_v1")[0] as { metadata: { namespace: string }; spec: { egress: { to: { ip_block: { cidr: string } }[] }[]; policy_types: string[] } };
    expect(policy.metadata.namespace).toBe(DATABASE_BOOTSTRAP_NAMESPACE);
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.egress[0]!.to.map((peer) => peer.ip_block.cidr)).toEqual(props.dataTierCidrs);
  });

  it("changes the Job name when what it does changes (Jobs are immutable) and keeps it otherwise", () => {
    const nameOf = (input: DatabaseUserProps) => (resourceList(synthConstruct((scope) => new DatabaseUser(scope, "db", input)).json, "kubernetes_job_v1")[0] as Job).metadata.name;
    expect(nameOf(props)).toBe(job.metadata.name);
    expect(nameOf({ ...props, username: "hooli_noor", database: "hooli_noor", tenant: "hooli" })).not.toBe(job.metadata.name);
    expect(nameOf({ ...props, serviceName: "other-db" })).not.toBe(job.metadata.name);
  });

  it("rejects names that are not PostgreSQL identifiers", () => {
    expect(() => synthConstruct((scope) => new DatabaseUser(scope, "db", { ...props, username: "9lives_noor" }))).toThrow(/user name "9lives_noor" is not a PostgreSQL identifier/);
    expect(() => synthConstruct((scope) => new DatabaseUser(scope, "db", { ...props, database: "Noor" }))).toThrow(/database name "Noor" is not a PostgreSQL identifier/);
  });

  it("rejects an empty data tier", () => {
    expect(() => synthConstruct((scope) => new DatabaseUser(scope, "db", { ...props, dataTierCidrs: [] }))).toThrow(/dataTierCidrs is empty/);
  });
});
