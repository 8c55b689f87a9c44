import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { bundledConfig, bundledSynth, synthToTexts, tempConfig } from "../support/synth";

const config = bundledConfig();
const texts = bundledSynth();
const tenantIds = config.tenants.map((tenant) => tenant.config.id);

describe("tenant stacks", () => {
  it("gives a shared tenant one stack and a dedicated tenant an infra and a platform stack", () => {
    expect([...texts.keys()]).toEqual(expect.arrayContaining(["prod-tenant-globex", "tenant-initech-infra", "tenant-initech-platform"]));
  });

  it("builds the dedicated tenant's VPC from its allocated CIDR", () => {
    const infra = JSON.parse(texts.get("tenant-initech-infra")!) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.values(infra.resource.aws_vpc!)[0]).toMatchObject({ cidr_block: "10.128.0.0/16" });
  });

  it("puts the tenant id in every stack's default tags and resource names", () => {
    for (const id of tenantIds) {
      for (const [name, text] of texts) {
        if (!name.includes(`-${id}`) && !name.includes(`tenant-${id}-`)) continue;
        const json = JSON.parse(text) as { provider: { aws: { default_tags: { tags: Record<string, string> }[] }[] }; resource?: Record<string, Record<string, Record<string, unknown>>> };
        expect(json.provider.aws[0]!.default_tags[0]!.tags.Tenant, name).toBe(id);
        const names = Object.values(json.resource ?? {}).flatMap((resources) =>
          Object.values(resources).flatMap((resource) =>
            ["name", "bucket", "identifier", "cluster_identifier", "replication_group_id", "domain_name"].map((key) => resource[key]).filter((value): value is string => typeof value === "string" && value.startsWith("acme-")),
          ),
        );
        expect(names.filter((value) => !value.includes(id)), name).toEqual([]);
      }
    }
  });

  it("never references another tenant's resources", () => {
    for (const id of tenantIds) {
      const own = [...texts].filter(([name]) => name.endsWith(`-tenant-${id}`) || name.startsWith(`tenant-${id}-`));
      for (const [name, text] of own) {
        for (const other of tenantIds.filter((candidate) => candidate !== id)) {
          expect(text.includes(other), `${name} mentions tenant ${other}`).toBe(false);
        }
      }
    }
  });

  it("keeps every stack's state key unique", () => {
    const keys = [...texts.values()].map((text) => (JSON.parse(text) as { terraform: { backend: { s3: { key: string } } } }).terraform.backend.s3.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("leaves every other stack byte-identical when one tenant's file is removed", async () => {
    const without = await synthToTexts(loadConfig(tempConfig({ remove: ["tenants/globex.yaml"] })));
    expect([...without.keys()]).toEqual([...texts.keys()].filter((name) => name !== "prod-tenant-globex"));
    for (const [name, text] of without) expect(text, name).toBe(texts.get(name));
    const withoutDedicated = await synthToTexts(loadConfig(tempConfig({ remove: ["tenants/initech.yaml"] })));
    expect([...withoutDedicated.keys()].some((name) => name.includes("initech"))).toBe(false);
    for (const [name, text] of withoutDedicated) expect(text, name).toBe(texts.get(name));
  });
});

type Json = { resource?: Record<string, Record<string, Record<string, unknown>>>; data?: Record<string, Record<string, Record<string, unknown>>> };
const parsed = (name: string) => JSON.parse(texts.get(name)!) as Json;
const resources = (json: Json, type: string) => Object.values(json.resource?.[type] ?? {});

describe("shared tenant stack content", () => {
  const globex = parsed("prod-tenant-globex");
  const text = JSON.stringify(globex);

  it("runs each of the tenant's products in its own namespace, labelled with the tenant and sized by its quotas", () => {
    const namespaces = resources(globex, "kubernetes_namespace_v1") as { metadata: { name: string; labels: Record<string, string> } }[];
    expect(namespaces.map((ns) => ns.metadata.name)).toEqual(["globex-noor"]);
    expect(namespaces[0]!.metadata.labels["platform.example.com/tenant"]).toBe("globex");
    const quota = resources(globex, "kubernetes_resource_quota_v1")[0] as { spec: { hard: Record<string, string> } };
    expect(quota.spec.hard).toMatchObject({ "requests.cpu": "24", "requests.memory": "48Gi", "limits.cpu": "48", "limits.memory": "96Gi", pods: "60" });
    const defaultDeny = resources(globex, "kubernetes_network_policy_v1").find((policy) => JSON.stringify(policy).includes('"pod_selector":{}') || JSON.stringify(policy).includes('"pod_selector":[{}]'));
    expect(defaultDeny, "a default-deny policy").toBeDefined();
  });

  it("admits no traffic from other namespaces except the monitoring namespace", () => {
    for (const policy of resources(globex, "kubernetes_network_policy_v1")) {
      for (const match of JSON.stringify(policy).matchAll(/"namespace_selector":\[?\{"match_labels":\{"kubernetes.io\/metadata.name":"([^"]+)"/g)) {
        expect(["kube-system", "monitoring"], JSON.stringify(policy)).toContain(match[1]);
      }
    }
  });

  it("serves the tenant's hosts under its subdomain with a certificate it issues in the product's zone", () => {
    const hosts = resources(globex, "kubernetes_ingress_v1").flatMap((ingress) => JSON.stringify(ingress).match(/"host":"([^"]+)"/g) ?? []);
    expect(hosts.sort()).toEqual(['"host":"api.globex.noor.example.com"', '"host":"app.globex.noor.example.com"']);
    expect(resources(globex, "aws_acm_certificate")[0]).toMatchObject({ domain_name: "globex.noor.example.com", subject_alternative_names: ["*.globex.noor.example.com"], validation_method: "DNS" });
    expect(Object.values(globex.data!.aws_route53_zone!)[0]).toMatchObject({ name: "noor.example.com" });
    // The ingresses join the tenant's load balancer (its ingress group) and present the validated certificate.
    for (const ingress of resources(globex, "kubernetes_ingress_v1")) {
      expect(JSON.stringify(ingress)).toContain('"alb.ingress.kubernetes.io/group.name":"acme-prod-tenants-1"');
      expect(JSON.stringify(ingress)).toContain("aws_acm_certificate_validation");
    }
  });

  it("keeps secrets under the tenant's path and scopes roles to it, to the tenant prefix and to its own database user", () => {
    for (const secret of resources(globex, "aws_secretsmanager_secret")) expect(secret.name).toMatch(/^acme-prod-globex\/globex-noor\//);
    const policies = JSON.stringify(globex.data!.aws_iam_policy_document);
    // rds-db:connect on the service's resource id (from its connection description) as the tenant's user only.
    expect(policies).toMatch(/dbuser:\$\{jsondecode\(data\.aws_ssm_parameter\.[^}]*\.insecure_value\)\.resourceId\}\/globex_noor"/);
    expect(policies).not.toContain("dbuser:*");
    // Object access only under tenants/globex/, listing only with that prefix.
    for (const match of policies.matchAll(/arn:aws:s3:::[a-z0-9-]+\/[^"]*/g)) expect(match[0]).toMatch(/\/tenants\/globex\/\*$/);
    expect(policies).toContain('"values":["tenants/globex/*"]');
    expect(policies).toContain('"variable":"s3:prefix"');
  });

  it("tells every workload its tenant, and the key prefix it keeps to on the environment's shared Redis", () => {
    const envOf = (json: Json, type: string, nameMatch: RegExp) =>
      resources(json, type)
        .filter((resource) => nameMatch.test(JSON.stringify((resource as { metadata?: unknown }).metadata)))
        .map((resource) => JSON.stringify(resource));
    const backend = envOf(globex, "kubernetes_deployment_v1", /"name":"backend"/);
    expect(backend).toHaveLength(1);
    expect(backend[0]).toContain('{"name":"TENANT_ID","value":"globex"}');
    expect(backend[0]).toContain('{"name":"REDIS_KEY_PREFIX","value":"globex:"}');
    for (const deployment of resources(globex, "kubernetes_deployment_v1")) expect(JSON.stringify(deployment)).toContain('{"name":"TENANT_ID","value":"globex"}');
    // The environment's own instance has neither.
    const environment = JSON.stringify(parsed("prod-platform"));
    expect(environment).toContain('"name":"REDIS_URL"');
    expect(environment).not.toContain("REDIS_KEY_PREFIX");
    expect(environment).not.toContain('"name":"TENANT_ID"');
  });

  it("bootstraps its database with a Job outside the tenant namespace; the tenant namespace never sees master credentials", () => {
    const jobs = resources(globex, "kubernetes_job_v1").filter((job) => JSON.stringify(job).includes("CREATE ROLE"));
    expect(jobs).toHaveLength(1);
    const job = JSON.stringify(jobs[0]);
    expect(job).toContain('"namespace":"database-bootstrap"');
    expect(job).toContain("GRANT rds_iam TO");
    expect(job).toContain("master-noor-db");
    // Nothing but the bootstrap Job refers to the master credentials' Secret (so nothing in the tenant's namespace).
    const referring = Object.entries(globex.resource ?? {}).flatMap(([type, entries]) => Object.keys(entries).filter((id) => JSON.stringify(entries[id]).includes("master-noor-db")).map((id) => `${type}.${id}`));
    expect(referring).toEqual([expect.stringMatching(/^kubernetes_job_v1\.product-noor_product_database-user-database_job/)]);
    // The workloads connect with IAM authentication as their own user.
    expect(text).toContain('"name":"DATABASE_IAM_AUTH","value":"true"');
    expect(text).toContain('"name":"DATABASE_USERNAME","value":"globex_noor"');
    expect(text).not.toContain("DATABASE_PASSWORD");
  });

  it("references only resources of its own stack (no remote state, no other stack's resources)", () => {
    expect(globex.data?.terraform_remote_state).toBeUndefined();
    const declared = new Set<string>();
    for (const [type, entries] of Object.entries(globex.resource ?? {})) for (const id of Object.keys(entries)) declared.add(`${type}.${id}`);
    for (const [type, entries] of Object.entries(globex.data ?? {})) for (const id of Object.keys(entries)) declared.add(`data.${type}.${id}`);
    for (const match of text.matchAll(/\$\{(data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|[a-z0-9]+_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) {
      const reference = match[1]!;
      if (/^(each|count|var|local|module|path|self)\./.test(reference)) continue;
      expect(declared.has(reference), reference).toBe(true);
    }
    // Environment-owned stateful resources are only ever read by name (data sources), never declared here.
    for (const type of ["aws_db_instance", "aws_rds_cluster", "aws_s3_bucket", "aws_kms_key", "aws_route53_zone", "aws_eks_cluster"]) {
      expect(globex.resource?.[type], type).toBeUndefined();
    }
  });
});

describe("dedicated tenant products", () => {
  const platform = parsed("tenant-initech-platform");
  const hostsOf = (json: Json) => resources(json, "kubernetes_ingress_v1").flatMap((ingress) => [...JSON.stringify(ingress).matchAll(/"host":"([^"]+)"/g)].map((match) => match[1]!));

  it("runs only the products of its file, on the tenant's domain", () => {
    const namespaces = resources(platform, "kubernetes_namespace_v1").map((ns) => (ns as { metadata: { name: string } }).metadata.name);
    expect(namespaces).toContain("initech-smartedu");
    expect(namespaces).not.toContain("noor");
    expect(namespaces).not.toContain("globex-noor");
    const hosts = hostsOf(platform);
    expect(hosts.length).toBeGreaterThan(0);
    for (const host of hosts) expect(host).toMatch(/(^|\.)initech\.smartedu\.example\.com$/);
  });

  it("shares no host and no resource name with its environment", () => {
    const environmentHosts = new Set([...hostsOf(parsed("prod-platform")), ...hostsOf(parsed("prod-tenant-globex"))]);
    for (const host of hostsOf(platform)) expect(environmentHosts.has(host), host).toBe(false);
    const names = (json: Json) =>
      Object.values(json.resource ?? {}).flatMap((entries) => Object.values(entries).flatMap((resource) => (typeof resource.name === "string" && resource.name.startsWith("acme-") ? [resource.name] : [])));
    const environmentNames = new Set([...names(parsed("prod-platform")), ...names(parsed("prod-infra"))]);
    for (const name of [...names(platform), ...names(parsed("tenant-initech-infra"))]) expect(environmentNames.has(name), name).toBe(false);
  });

  it("has no edge of its own in the infra stack", () => {
    const infra = parsed("tenant-initech-infra");
    expect(infra.resource?.aws_route53_zone).toBeUndefined();
    expect(infra.resource?.aws_wafv2_web_acl).toBeUndefined();
  });

  it("issues its products' certificates itself, in the environment's hosted zone, and uses the environment's web ACL", () => {
    expect(platform.data?.aws_acm_certificate).toBeUndefined();
    const certificates = resources(platform, "aws_acm_certificate") as { domain_name: string; subject_alternative_names: string[] }[];
    expect(certificates.map((certificate) => [certificate.domain_name, certificate.subject_alternative_names])).toEqual([["initech.smartedu.example.com", ["*.initech.smartedu.example.com"]]]);
    const zones = Object.values(platform.data?.aws_route53_zone ?? {}).map((zone) => zone.name);
    expect(zones).toContain("smartedu.example.com");
    const text = JSON.stringify(platform);
    expect(text).toMatch(/"alb\.ingress\.kubernetes\.io\/certificate-arn":"\$\{aws_acm_certificate_validation\.certificate-smartedu_certificate_validation_[A-Z0-9]+\.certificate_arn\}"/);
    expect(Object.values(platform.data?.aws_ssm_parameter ?? {}).map((parameter) => parameter.name)).toContain("/acme/prod/edge");
  });

  it("gets only the data services and buckets its products use", () => {
    const infra = parsed("tenant-initech-infra");
    const identifiers = (type: string, key: string) => resources(infra, type).map((resource) => resource[key]);
    expect(identifiers("aws_rds_cluster", "cluster_identifier")).toEqual([expect.stringMatching(/^acme-prod-initech-.*smartedu-db$/)]);
    expect(identifiers("aws_elasticache_replication_group", "replication_group_id")).toEqual([expect.stringMatching(/^acme-prod-initech-.*smartedu-cache$/)]);
    for (const type of ["aws_docdb_cluster", "aws_opensearch_domain", "aws_mq_broker"]) expect(infra.resource?.[type], type).toBeUndefined();
    // Velero's buckets and the access-log buckets they (and the load balancer) log to; no product bucket of the environment.
    expect(identifiers("aws_s3_bucket", "bucket").sort()).toEqual(["acme-prod-initech-access-logs", "acme-prod-initech-access-logs-eu-central-1", "acme-prod-initech-velero", "acme-prod-initech-velero-dr"]);
  });

  it("sizes its database and keeps its backups as its file says, while the environment keeps its own", () => {
    const classes = (json: Json) => resources(json, "aws_rds_cluster_instance").filter((instance) => String(instance.identifier).includes("smartedu-db")).map((instance) => instance.instance_class);
    expect(classes(parsed("tenant-initech-infra"))).toEqual(["db.r6g.xlarge", "db.r6g.xlarge"]); // writer + 1 reader
    expect(classes(parsed("prod-infra"))).toEqual(["db.r6g.2xlarge", "db.r6g.2xlarge", "db.r6g.2xlarge"]);
    const dailyRetention = (json: Json) =>
      resources(json, "aws_backup_plan").flatMap((plan) => (plan.rule as { rule_name: string; lifecycle: { delete_after: number } }[]).filter((rule) => rule.rule_name === "daily").map((rule) => rule.lifecycle.delete_after));
    expect(dailyRetention(parsed("tenant-initech-infra"))).toEqual([90]);
    expect(dailyRetention(parsed("prod-infra"))).toEqual([35]);
  });
});

describe("tenants on custom domains", () => {
  const arn = "arn:aws:acm:eu-west-1:111111111111:certificate/0f6e6d0c-2f52-4b8e-9a4e-3c1d2b7a9f10";
  let synthesized = new Map<string, string>();
  beforeAll(async () => {
    synthesized = await synthToTexts(
      loadConfig(
        tempConfig({
          write: {
            "tenants/soylent.yaml": `id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts:\n  noor: { domain: learn.soylent.org, certificateArn: "${arn}" }\n`,
            "tenants/umbrella.yaml": `id: umbrella\nenvironment: prod\nisolation: dedicated\nnetwork: { cidr: 10.140.0.0/16 }\nproducts:\n  smartedu: { domain: tutor.umbrella.org, certificateArn: "${arn}" }\n`,
          },
        }),
      ),
      { stackPatterns: ["prod-tenant-soylent", "tenant-umbrella-platform"] },
    );
  });

  for (const stack of ["prod-tenant-soylent", "tenant-umbrella-platform"]) {
    it(`${stack}: presents the tenant's certificate, issues none, and outputs the CNAME records to create`, () => {
      const json = JSON.parse(synthesized.get(stack)!) as Json & { output?: Record<string, { value: { domain: string; hosts: string[]; cnameTarget: string } }> };
      expect(json.resource?.aws_acm_certificate).toBeUndefined();
      expect(json.data?.aws_acm_certificate).toBeUndefined();
      const text = JSON.stringify(json);
      expect(text).toContain(`"alb.ingress.kubernetes.io/certificate-arn":"${arn}"`);
      // The custom domain's output (the stack also outputs the secret values still to seed).
      const outputs = Object.entries(json.output ?? {}).filter(([name]) => name.startsWith("custom-domain-")).map(([, output]) => output);
      expect(outputs).toHaveLength(1);
      const { value } = outputs[0]!;
      expect(value.hosts.length).toBeGreaterThan(0);
      for (const host of value.hosts) expect(host.endsWith(value.domain)).toBe(true);
      expect(value.cnameTarget).toMatch(/^\$\{try\(kubernetes_ingress_v1\.[^}]*\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname, "\(pending/);
    });
  }
});

describe("shared tenants' load balancers", () => {
  let synthesized = new Map<string, string>();
  beforeAll(async () => {
    synthesized = await synthToTexts(
      loadConfig(tempConfig({ write: { "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 2\nproducts: { noor: {} }\n" } })),
      { stackPatterns: ["prod-tenant-*", "prod-platform"] },
    );
  });
  const groupsOf = (stack: string) => new Set([...synthesized.get(stack)!.matchAll(/"alb\.ingress\.kubernetes\.io\/group\.name":\s*"([^"]+)"/g)].map((match) => match[1]));
  const namesOf = (stack: string) => new Set([...synthesized.get(stack)!.matchAll(/"alb\.ingress\.kubernetes\.io\/load-balancer-name":\s*"([^"]+)"/g)].map((match) => match[1]));

  it("puts each tenant in its ingress group's load balancer, apart from the environment's own products", () => {
    expect(groupsOf("prod-platform")).toEqual(new Set(["acme-prod-apps"]));
    expect(groupsOf("prod-tenant-globex")).toEqual(new Set(["acme-prod-tenants-1"]));
    expect(namesOf("prod-tenant-globex")).toEqual(new Set(["acme-prod-tenants-1"]));
    expect(groupsOf("prod-tenant-hooli")).toEqual(new Set(["acme-prod-tenants-2"]));
  });

  it("gives every load balancer the environment's web ACL and access logging", () => {
    for (const stack of ["prod-platform", "prod-tenant-globex", "prod-tenant-hooli"]) {
      const text = synthesized.get(stack)!;
      expect(text, stack).toMatch(/"alb\.ingress\.kubernetes\.io\/wafv2-acl-arn":\s*"\$\{jsondecode\(data\.aws_ssm_parameter\./);
      expect(text, stack).toMatch(/access_logs\.s3\.bucket=acme-prod-access-logs/);
    }
  });
});
