import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { BOOTSTRAP_IMAGE, bootstrapScript, TenantDatabase, tenantDatabaseName, type TenantDatabaseProps } from "../../../constructs/tenant-database";
import { resourceList, synthConstruct } from "../../support/synth";

const props: TenantDatabaseProps = {
  tenant: "globex",
  product: "noor",
  serviceName: "noor-db",
  logicalName: "database",
  environmentNaming: new Naming({ project: "acme", environment: "prod" }),
  jobNamespace: "noor",
  dataTierCidrs: ["10.0.64.0/20", "10.0.80.0/20"],
};

describe("TenantDatabase", () => {
  const { construct, json } = synthConstruct((scope) => new TenantDatabase(scope, "db", props));
  const job = resourceList(json, "kubernetes_job_v1")[0] as { metadata: { name: string; namespace: string }; spec: { template: { spec: { container: Record<string, unknown>[] } } }; wait_for_completion: boolean };
  const container = job.spec.template.spec.container[0]!;

  it("creates an IAM-authenticated user and database named after tenant and product", () => {
    expect(construct.username).toBe("globex_noor");
    expect(construct.database).toBe("globex_noor");
    expect(tenantDatabaseName("a-b", "c-d")).toBe("a_b_c_d");
  });

  it("runs an idempotent bootstrap Job in the environment's namespace with the master credentials, waiting for it", () => {
    expect(job.metadata.namespace).toBe("noor");
    expect(job.metadata.name).toMatch(/^tenant-globex-noor-db-[0-9a-f]{8}$/);
    expect(job.wait_for_completion).toBe(true);
    expect(container.image).toBe(BOOTSTRAP_IMAGE);
    expect(container.env).toContainEqual({ name: "PGPASSWORD", value_from: { secret_key_ref: { name: "service-database", key: "password" } } });
    const script = bootstrapScript("globex_noor", "globex_noor");
    expect(script).toMatch(/WHERE NOT EXISTS \(SELECT FROM pg_roles WHERE rolname = 'globex_noor'\)\\gexec/);
    expect(script).toContain('GRANT rds_iam TO "globex_noor";');
    expect(script).toContain('REVOKE CONNECT, TEMPORARY ON DATABASE "globex_noor" FROM PUBLIC;');
    expect(script).not.toMatch(/DROP|PASSWORD/i);
  });

  it("runs the Job under the restricted Pod Security profile and lets it reach only the data tier", () => {
    expect(container.security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } });
    const policy = resourceList(json, "kubernetes_network_policy_v1")[0] as { spec: { egress: { to: { ip_block: { cidr: string } }[] }[]; policy_types: string[] } };
    expect(policy.spec.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.spec.egress[0]!.to.map((peer) => peer.ip_block.cidr)).toEqual(props.dataTierCidrs);
  });

  it("changes the Job name when the script changes (Jobs are immutable) and keeps it otherwise", () => {
    const again = synthConstruct((scope) => new TenantDatabase(scope, "db", props)).json;
    expect((resourceList(again, "kubernetes_job_v1")[0] as { metadata: { name: string } }).metadata.name).toBe(job.metadata.name);
    const other = synthConstruct((scope) => new TenantDatabase(scope, "db", { ...props, tenant: "hooli" })).json;
    expect((resourceList(other, "kubernetes_job_v1")[0] as { metadata: { name: string } }).metadata.name).not.toBe(job.metadata.name);
  });

  it("rejects names that are not PostgreSQL identifiers", () => {
    expect(() => synthConstruct((scope) => new TenantDatabase(scope, "db", { ...props, tenant: "9lives" }))).toThrow(/"9lives_noor".*is not a PostgreSQL identifier/);
  });

  it("rejects an empty data tier", () => {
    expect(() => synthConstruct((scope) => new TenantDatabase(scope, "db", { ...props, dataTierCidrs: [] }))).toThrow(/dataTierCidrs is empty/);
  });

  it("refuses to run the Job in the tenant's own namespace", () => {
    expect(() => synthConstruct((scope) => new TenantDatabase(scope, "db", { ...props, jobNamespace: "globex-noor" }))).toThrow(/looks like the tenant's own namespace/);
  });
});
