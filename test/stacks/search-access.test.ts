/**
 * Issue 14.12: the OpenSearch security plugin maps every writer's IAM role to a least-privilege role — the
 * environment's applications (bundled prod: Murima's search users) and, with logs in OpenSearch, Fluent Bit — through
 * the search-security Jobs of the platform stack; the roles the mappings name carry the domain's access tag.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { bundledStackJson, synthToTexts, tempConfig, type Synthesized } from "../support/synth";

type Job = { metadata: { name: string; namespace: string }; depends_on?: string[]; spec: { template: { spec: { service_account_name: string; container: { env: { name: string; value: string }[] }[] } } } };

/** The search-role Jobs of a stack: role name -> { definition, backend roles, job }. */
function searchRoles(json: Synthesized): Map<string, { definition: { cluster_permissions: string[]; index_permissions: { index_patterns: string[]; allowed_actions: string[] }[] }; backendRoles: string[]; job: Job }> {
  const out = new Map();
  for (const job of Object.values(json.resource?.kubernetes_job_v1 ?? {}) as unknown as Job[]) {
    const env = Object.fromEntries(job.spec.template.spec.container[0]!.env.map((entry) => [entry.name, entry.value]));
    if (env.ROLE_NAME) out.set(env.ROLE_NAME, { definition: JSON.parse(env.ROLE_JSON as string), backendRoles: JSON.parse(env.MAPPING_JSON as string).backend_roles, job });
  }
  return out;
}

function roleTags(json: Synthesized): Map<string, Record<string, string>> {
  return new Map((Object.values(json.resource?.aws_iam_role ?? {}) as { name: string; tags?: Record<string, string> }[]).map((role) => [role.name, role.tags ?? {}]));
}

describe("OpenSearch role mappings of the environment's applications (bundled prod)", () => {
  const platform = bundledStackJson("prod-platform");
  const roles = searchRoles(platform);

  it("maps Murima's search users, and only them, to app-murima on murima-* only", () => {
    expect([...roles.keys()]).toEqual(["app-murima"]);
    const murima = roles.get("app-murima")!;
    expect(murima.definition.index_permissions).toEqual([{ index_patterns: ["murima-*"], allowed_actions: ["indices_all"] }]);
    expect(murima.backendRoles).toEqual(["arn:aws:iam::111111111111:role/acme-prod-murima-analytics-service", "arn:aws:iam::111111111111:role/acme-prod-murima-case-service"]);
    expect(murima.job.metadata.namespace).toBe("search-security");
    expect(murima.job.spec.template.spec.service_account_name).toBe("search-admin-murima-search");
    expect(murima.job.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_namespace_v1\.search-security_namespace/), expect.stringMatching(/^aws_eks_pod_identity_association\.search-security_association-murima-search/)]));
  });

  it("tags exactly the mapped roles for the domain, and tells the workloads their index prefix", () => {
    const tagged = [...roleTags(platform)].filter(([, tags]) => tags["platform:opensearch-murima-search"] === "access").map(([name]) => name).sort();
    expect(tagged).toEqual(["acme-prod-murima-analytics-service", "acme-prod-murima-case-service"]);
    expect(JSON.stringify(platform.resource?.kubernetes_deployment_v1)).toContain('{"name":"ELASTICSEARCH_INDEX_PREFIX","value":"murima-"}');
  });

  it("binds the admin service account of each domain to that domain's master role, whose trust admits only it", () => {
    const associations = Object.values(platform.resource?.aws_eks_pod_identity_association ?? {}).filter((association) => association.namespace === "search-security");
    expect(associations.map((association) => [association.service_account, association.role_arn])).toEqual([["search-admin-murima-search", "arn:aws:iam::111111111111:role/acme-prod-search-murima-search-admin"]]);
    const trust = Object.entries(bundledStackJson("prod-infra").data?.aws_iam_policy_document ?? {}).find(([id]) => id.includes("murima-search_master-trust"))?.[1] as { statement: { condition?: { variable: string; values: string[] }[] }[] };
    expect(trust.statement[1]?.condition).toContainEqual({ test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: ["search-admin-murima-search"] });
  });
});

describe("OpenSearch as the log backend: Fluent Bit writes logs-* only", () => {
  let platform: Synthesized;
  beforeAll(async () => {
    const dir = tempConfig({ set: { "environments/prod.yaml": { observability: { logs: { backend: "opensearch", opensearchService: "murima-search" } } } } });
    const texts = await synthToTexts(loadConfig(dir), { stackPatterns: ["prod-platform"] });
    platform = JSON.parse(texts.get("prod-platform") as string) as Synthesized;
  }, 120_000);

  it("maps Fluent Bit's role to platform-logs, which creates and writes logs-* and nothing else", () => {
    const logs = searchRoles(platform).get("platform-logs");
    expect(logs?.definition).toEqual({
      cluster_permissions: ["indices:data/write/bulk"],
      index_permissions: [{ index_patterns: ["logs-*"], allowed_actions: ["indices:admin/create", "indices:admin/mapping/put", "indices:data/write/index", "indices:data/write/bulk*"] }],
    });
    expect(logs?.backendRoles).toEqual(["arn:aws:iam::111111111111:role/acme-prod-fluent-bit"]);
    expect(roleTags(platform).get("acme-prod-fluent-bit")).toMatchObject({ "platform:opensearch-murima-search": "access" });
  });
});
