import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { SEARCH_JOB_IMAGE, SEARCH_ROLE_SCRIPT, SearchRole, searchRoleDefinition, searchRoleName, type SearchRoleProps } from "../../../constructs/search-role";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const props: SearchRoleProps = {
  serviceName: "search",
  host: { environmentNaming: naming },
  account: TEST_ACCOUNT,
  roleName: searchRoleName({ product: "shop", tenant: "globex" }),
  definition: searchRoleDefinition({ kind: "application", indexPrefix: "globex-" }),
  backendRoles: ["acme-prod-globex-globex-shop-api", "acme-prod-globex-globex-shop-worker"],
  dataTierCidrs: ["10.0.64.0/20"],
  tenant: "globex",
};

type Env = { name: string; value: string }[];
type Job = { metadata: { name: string; namespace: string }; spec: { template: { spec: { service_account_name: string; container: { image: string; command: string[]; env: Env }[] } } }; wait_for_completion: boolean };

describe("searchRoleDefinition: least privilege per writer", () => {
  it("lets Fluent Bit create and write logs-* only", () => {
    expect(searchRoleDefinition({ kind: "logs" })).toEqual({
      cluster_permissions: ["indices:data/write/bulk"],
      index_permissions: [{ index_patterns: ["logs-*"], allowed_actions: ["indices:admin/create", "indices:admin/mapping/put", "indices:data/write/index", "indices:data/write/bulk*"] }],
    });
  });

  it("lets an application do everything on its own index pattern and nothing on any other index", () => {
    const definition = searchRoleDefinition({ kind: "application", indexPrefix: "globex-" });
    expect(definition.index_permissions).toEqual([{ index_patterns: ["globex-*"], allowed_actions: ["indices_all"] }]);
    expect(definition.cluster_permissions).toEqual(["cluster_composite_ops"]);
    expect(() => searchRoleDefinition({ kind: "application", indexPrefix: "globex" })).toThrow('index prefix "globex" must be a name followed by "-"');
    expect(searchRoleName({ logs: true })).toBe("platform-logs");
    expect(searchRoleName({ product: "shop" })).toBe("app-shop");
    expect(searchRoleName({ product: "shop", tenant: "globex" })).toBe("tenant-globex");
  });
});

describe("SearchRole", () => {
  const { json } = synthConstruct((scope) => new SearchRole(scope, "role", props));
  const job = resourceList(json, "kubernetes_job_v1")[0] as Job;
  const container = job.spec.template.spec.container[0]!;
  const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry.value]));

  it("applies the role and its mapping to the given IAM roles from a Job running as the domain's admin service account", () => {
    expect(job.metadata.namespace).toBe("search-security");
    expect(job.metadata.name).toMatch(/^search-role-tenant-globex-[0-9a-f]{8}$/);
    expect(job.spec.template.spec.service_account_name).toBe("search-admin-search");
    expect(job.wait_for_completion).toBe(true);
    expect(container.image).toBe(SEARCH_JOB_IMAGE);
    expect(env.ROLE_NAME).toBe("tenant-globex");
    expect(JSON.parse(env.ROLE_JSON as string)).toEqual(props.definition);
    expect(JSON.parse(env.MAPPING_JSON as string)).toEqual({
      backend_roles: ["arn:aws:iam::123456789012:role/acme-prod-globex-globex-shop-api", "arn:aws:iam::123456789012:role/acme-prod-globex-globex-shop-worker"],
    });
    expect(env.SEARCH_HOST).toMatch(/^\$\{jsondecode\(data\.aws_ssm_parameter\..*\.insecure_value\)\.host\}$/);
    expect(Object.values(json.data?.aws_ssm_parameter ?? {})).toEqual([expect.objectContaining({ name: "/acme/prod/services/search/connection" })]);
  });

  it("signs idempotent PUTs with the Pod Identity credentials, and keeps the script safe from Kubernetes and Terraform expansion", () => {
    expect(SEARCH_ROLE_SCRIPT).toContain('put "roles/$ROLE_NAME" "$ROLE_JSON"');
    expect(SEARCH_ROLE_SCRIPT).toContain('put "rolesmapping/$ROLE_NAME" "$MAPPING_JSON"');
    expect(SEARCH_ROLE_SCRIPT).toContain('--aws-sigv4 "aws:amz:$AWS_REGION:es"');
    expect(SEARCH_ROLE_SCRIPT).toContain("$AWS_CONTAINER_CREDENTIALS_FULL_URI");
    for (const pattern of ["$(", "$$", "${", "%{"]) expect(container.command[2]).not.toContain(pattern);
  });

  it("lets the Job reach only the Pod Identity agent and the domain's subnets on 443", () => {
    const policy = resourceList(json, "kubernetes_network_policy_v1")[0] as { spec: { egress: { to: { ip_block: { cidr: string } }[]; ports: { port: string }[] }[] } };
    expect(policy.spec.egress.map((rule) => [rule.to.map((peer) => peer.ip_block.cidr), rule.ports.map((port) => port.port)])).toEqual([
      [["169.254.170.23/32"], ["80"]],
      [["10.0.64.0/20"], ["443"]],
    ]);
  });

  it("takes the endpoint it is given instead of looking it up", () => {
    const given = synthConstruct((scope) => new SearchRole(scope, "role", { ...props, host: "search.example.internal" })).json;
    expect(given.data?.aws_ssm_parameter).toBeUndefined();
    expect((resourceList(given, "kubernetes_job_v1")[0] as Job).spec.template.spec.container[0]!.env).toContainEqual({ name: "SEARCH_HOST", value: "search.example.internal" });
  });

  it("runs again when the role or its mapping changes", () => {
    const nameOf = (input: SearchRoleProps) => (resourceList(synthConstruct((scope) => new SearchRole(scope, "role", input)).json, "kubernetes_job_v1")[0] as Job).metadata.name;
    expect(nameOf(props)).toBe(job.metadata.name);
    expect(nameOf({ ...props, backendRoles: ["acme-prod-globex-globex-shop-api"] })).not.toBe(job.metadata.name);
  });

  it("rejects a role for nobody, an index pattern beyond the writer's own, a bad name and an empty data tier", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => new SearchRole(stack(), "r", { ...props, backendRoles: [] })).toThrow("no backend role: the role would admit nobody");
    expect(() => new SearchRole(stack(), "r", { ...props, definition: { cluster_permissions: [], index_permissions: [{ index_patterns: ["*"], allowed_actions: ["read"] }] } })).toThrow(/reach beyond the writer's own indices/);
    expect(() => new SearchRole(stack(), "r", { ...props, roleName: "Tenant_Globex" })).toThrow(/role name "Tenant_Globex" must be lowercase/);
    expect(() => new SearchRole(stack(), "r", { ...props, dataTierCidrs: [] })).toThrow(/dataTierCidrs is empty/);
  });
});
