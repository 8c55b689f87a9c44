import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { loadBalancerUsage, type LoadedTenant } from "../../config/loader";
import { addTenant, allocateTenant, decommissionPlan, nextFreeBlock, nextIngressGroup, TenancyError, usedCidrs } from "../../config/tenancy";
import { tempConfig } from "../support/synth";
import { only as onlyIssue, problems } from "../support/config-problems";


describe("nextFreeBlock", () => {
  it("returns the lowest free block of the pool", () => {
    expect(nextFreeBlock("10.128.0.0/10", 16, [])).toBe("10.128.0.0/16");
    expect(nextFreeBlock("10.128.0.0/10", 16, ["10.128.0.0/16", "10.129.0.0/16"])).toBe("10.130.0.0/16");
  });

  it("skips blocks overlapped by smaller or larger used ranges", () => {
    expect(nextFreeBlock("10.128.0.0/10", 16, ["10.128.200.0/24", "10.130.0.0/15"])).toBe("10.129.0.0/16");
    expect(nextFreeBlock("10.128.0.0/10", 16, ["10.128.200.0/24", "10.129.0.0/16", "10.130.0.0/15"])).toBe("10.132.0.0/16");
  });

  it("fails when the pool is exhausted", () => {
    expect(() => nextFreeBlock("10.128.0.0/15", 16, ["10.128.0.0/15"])).toThrow(/no free \/16 left; widen project\.yaml tenancy\.cidrPool/);
  });
});

describe("addTenant", () => {
  it("writes a valid shared tenant file and names the stack to review", () => {
    const dir = tempConfig();
    const result = addTenant(dir, { id: "umbrella", environment: "prod", isolation: "shared", products: ["noor"] });
    expect(result.stacks).toEqual(["prod-tenant-umbrella"]);
    expect(parse(readFileSync(result.file, "utf8"))).toEqual({ id: "umbrella", environment: "prod", isolation: "shared", products: { noor: {} }, ingressGroup: 1 });
    expect(loadConfig(dir).tenants.map((tenant) => tenant.config.id)).toContain("umbrella");
  });

  it("allocates a dedicated tenant the next free pool block, never overlapping existing ones", () => {
    const dir = tempConfig();
    const first = addTenant(dir, { id: "acmecorp", environment: "prod", isolation: "dedicated" });
    const second = addTenant(dir, { id: "hooli", environment: "dev", isolation: "dedicated" });
    const existing = loadConfig(dir).tenants.filter((t) => t.config.network).map((t) => t.config.network!.cidr);
    expect(new Set(existing).size).toBe(existing.length);
    expect(first.tenant.network!.cidr).not.toBe(second.tenant.network!.cidr);
    expect(first.stacks).toEqual(["tenant-acmecorp-infra", "tenant-acmecorp-platform"]);
  });

  it("writes a dedicated tenant's own account, and refuses an undeclared one or one for a shared tenant", () => {
    const dir = tempConfig({ set: { "project.yaml": { accounts: { tenants: { id: "555555555555", region: "eu-west-1" } } } } });
    const result = addTenant(dir, { id: "acmecorp", environment: "prod", isolation: "dedicated", account: "tenants" });
    expect(parse(readFileSync(result.file, "utf8")).account).toBe("tenants");
    expect(() => addTenant(dir, { id: "hooli", environment: "prod", isolation: "dedicated", account: "nowhere" })).toThrow(/is not an account of project\.yaml accounts/);
    expect(() => addTenant(dir, { id: "umbrella", environment: "prod", isolation: "shared", products: ["noor"], account: "tenants" })).toThrow(/--account applies to dedicated tenants only/);
  });

  it("keeps an allocation when other tenants are added or removed", () => {
    const dir = tempConfig();
    const hooli = addTenant(dir, { id: "hooli", environment: "prod", isolation: "dedicated" }).tenant.network!.cidr;
    addTenant(dir, { id: "piedpiper", environment: "prod", isolation: "dedicated" });
    expect(loadConfig(dir).tenants.find((t) => t.config.id === "hooli")!.config.network!.cidr).toBe(hooli);
  });

  it("writes a product's custom domain and certificate, and refuses them without exactly one product", () => {
    const dir = tempConfig();
    const certificateArn = "arn:aws:acm:eu-west-1:111111111111:certificate/0f6e6d0c-2f52-4b8e-9a4e-3c1d2b7a9f10";
    const result = addTenant(dir, { id: "umbrella", environment: "prod", isolation: "shared", products: ["noor"], domain: "learn.umbrella.org", certificateArn });
    expect(parse(readFileSync(result.file, "utf8")).products).toEqual({ noor: { domain: "learn.umbrella.org", certificateArn } });
    expect(() => addTenant(dir, { id: "hooli", environment: "prod", isolation: "shared", products: ["noor", "smartedu"], domain: "learn.hooli.org" })).toThrow(/apply to one product/);
    // A custom domain without its certificate fails validation and writes nothing.
    expect(() => addTenant(dir, { id: "hooli", environment: "prod", isolation: "shared", products: ["noor"], domain: "learn.hooli.org" })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ file: join(dir, "tenants", "hooli.yaml"), message: expect.stringMatching(/outside the environment's hosted zones/) })] }),
    );
    expect(existsSync(join(dir, "tenants", "hooli.yaml"))).toBe(false);
  });

  it("refuses a duplicate id and writes nothing", () => {
    const dir = tempConfig();
    const before = readFileSync(join(dir, "tenants", "globex.yaml"), "utf8");
    expect(() => addTenant(dir, { id: "globex", environment: "dev", isolation: "shared" })).toThrow(/tenant "globex" already exists/);
    expect(readFileSync(join(dir, "tenants", "globex.yaml"), "utf8")).toBe(before);
  });

  it("refuses an unknown environment or an invalid id and leaves the directory untouched", () => {
    const dir = tempConfig();
    const files = () => readdirSync(join(dir, "tenants")).sort();
    const before = files();
    expect(() => addTenant(dir, { id: "soylent", environment: "qa", isolation: "shared" })).toThrow(/unknown environment; defined environments: dev, prod, staging/);
    expect(() => addTenant(dir, { id: "Bad_Id", environment: "dev", isolation: "shared" })).toThrow(TenancyError);
    expect(() => addTenant(dir, { id: "soylent", environment: "dev", isolation: "shared", cidr: "10.200.0.0/16" })).toThrow(/dedicated tenants only/);
    expect(files()).toEqual(before);
  });

  it("refuses a requested CIDR that overlaps an environment", () => {
    const dir = tempConfig();
    expect(() => addTenant(dir, { id: "soylent", environment: "dev", isolation: "dedicated", cidr: "10.30.0.0/16" })).toThrow(/overlaps 10\.30\.0\.0\/16 at .*prod\.yaml network\.cidr/);
    expect(existsSync(join(dir, "tenants", "soylent.yaml"))).toBe(false);
  });
});

describe("allocateTenant", () => {
  it("writes the next free block into a hand-written dedicated tenant file", () => {
    const dir = tempConfig({ write: { "tenants/vandelay.yaml": "id: vandelay\nenvironment: dev\nisolation: dedicated\n" } });
    expect(problems(dir).map((issue) => issue.message).join()).toMatch(/npm run tenant -- allocate vandelay/);
    expect(allocateTenant(dir, "vandelay", { id: "vandelay", environment: "dev", isolation: "dedicated" })).toMatch(/^VPC CIDR /);
    const cidr = loadConfig(dir).tenants.find((t) => t.config.id === "vandelay")!.config.network!.cidr;
    const used = usedCidrs(loadConfig(dir)).filter((entry) => entry.owner !== "tenant vandelay").map((entry) => entry.cidr);
    expect(used).not.toContain(cidr);
  });

  it("writes the lowest ingress group with room into a hand-written shared tenant file", () => {
    const body = { id: "vandelay", environment: "prod", isolation: "shared", products: { noor: {} } };
    const dir = tempConfig({ set: { "project.yaml": { tenancy: { tenantsPerLoadBalancer: 1 } } }, write: { "tenants/vandelay.yaml": "id: vandelay\nenvironment: prod\nisolation: shared\nproducts: { noor: {} }\n" } });
    expect(problems(dir)).toContainEqual(expect.objectContaining({ path: ["ingressGroup"], message: expect.stringMatching(/a shared tenant needs ingressGroup.*npm run tenant -- allocate vandelay/) }));
    // globex holds group 1, which has room for one tenant only.
    expect(allocateTenant(dir, "vandelay", body)).toBe("ingress group 2");
    expect(loadConfig(dir).tenants.find((t) => t.config.id === "vandelay")!.config.ingressGroup).toBe(2);
    expect(() => allocateTenant(dir, "vandelay", { ...body, ingressGroup: 2 })).toThrow(/already set; an allocation never moves/);
  });
});

describe("ingress groups (shared tenants' load balancers)", () => {
  it("fills the lowest group with room first, and a group freed by a removal again", () => {
    const config = loadConfig(tempConfig({ set: { "project.yaml": { tenancy: { tenantsPerLoadBalancer: 2 } } } }));
    expect(nextIngressGroup(config, "prod")).toBe(1); // globex alone in group 1
    const dir = tempConfig({ set: { "project.yaml": { tenancy: { tenantsPerLoadBalancer: 2 } } } });
    const groups = ["hooli", "umbrella", "soylent"].map((id) => addTenant(dir, { id, environment: "prod", isolation: "shared", products: ["noor"] }).tenant.ingressGroup);
    expect(groups).toEqual([1, 2, 2]);
    expect(nextIngressGroup(loadConfig(dir), "dev")).toBe(1); // per environment
    rmSync(join(dir, "tenants", "hooli.yaml")); // group 1 has room again
    expect(addTenant(dir, { id: "initrode", environment: "prod", isolation: "shared", products: ["noor"] }).tenant.ingressGroup).toBe(1);
  });

  it("rejects a group with more tenants than tenancy.tenantsPerLoadBalancer, naming every member", () => {
    const dir = tempConfig({
      set: { "project.yaml": { tenancy: { tenantsPerLoadBalancer: 1 } } },
      write: { "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n" },
    });
    const found = problems(dir).filter((issue) => issue.path[0] === "ingressGroup");
    expect(found.map((issue) => issue.file.split("/").pop()).sort()).toEqual(["globex.yaml", "hooli.yaml"]);
    expect(found[0]!.message).toMatch(/ingress group 1 of environment prod is over capacity: 2 tenants, more than project\.yaml tenancy\.tenantsPerLoadBalancer \(1\) \(tenants: globex, hooli\)/);
  });

  it("rejects more load balancers in an account and region than tenancy.loadBalancersPerRegion", () => {
    // dev, staging and prod share account 111111111111 in eu-west-1: three environment load balancers, globex's
    // group 1 and initech's own make five; hooli in group 2 makes six.
    const dir = tempConfig({
      set: { "project.yaml": { tenancy: { loadBalancersPerRegion: 5 } } },
      write: { "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 2\nproducts: { noor: {} }\n" },
    });
    const found = problems(dir);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: ["ingressGroup"], message: expect.stringMatching(/account 111111111111 would run 6 load balancers in eu-west-1, more than project\.yaml tenancy\.loadBalancersPerRegion \(5/) });
    expect(loadConfig(tempConfig({ set: { "project.yaml": { tenancy: { loadBalancersPerRegion: 5 } } } })).tenants).toHaveLength(2);
  });

  it("rejects an ingress group on a dedicated tenant", () => {
    const dir = tempConfig({ write: { "tenants/vandelay.yaml": "id: vandelay\nenvironment: dev\nisolation: dedicated\ningressGroup: 1\nnetwork: { cidr: 10.140.0.0/16 }\n" } });
    expect(problems(dir)).toContainEqual(expect.objectContaining({ path: ["ingressGroup"], message: expect.stringMatching(/a dedicated tenant has its own, remove ingressGroup/) }));
  });

  it("counts what a tenant adds to its load balancer, and the loader holds each group to the ALB quotas", () => {
    const globex = loadConfig(tempConfig()).tenants.find((tenant) => tenant.config.id === "globex") as LoadedTenant;
    const usage = loadBalancerUsage(globex.products);
    // NOOR routes two workloads (frontend, backend) on one certificate.
    expect(usage).toMatchObject({ targetGroups: 2, certificates: 1 });
    expect(usage.rules).toBeGreaterThanOrEqual(2);
    // Seven tenants whose NOOR routes five hosts on three paths (15 rules) plus the API (1 rule): 112 rules > 100.
    const dir = tempConfig({
      set: { "environments/prod.yaml": { products: { noor: { workloads: { frontend: { ingress: { hosts: ["app", "www", "learn", "portal", "m"], paths: ["/", "/a", "/b"] } } } } } } },
      write: Object.fromEntries(Array.from({ length: 6 }, (_, index) => [`tenants/t${index}.yaml`, `id: t${index}\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n`])),
    });
    const found = problems(dir);
    expect(found).toHaveLength(7);
    expect(found[0]!.message).toMatch(/ingress group 1 of environment prod is over capacity: 112 rules, more than one load balancer's 100 \(tenants: globex, t0, t1, t2, t3, t4, t5\)/);
  });
});

describe("tenant files in the loader", () => {
  it("rejects a tenant id that differs from its file name (duplicate ids)", () => {
    const dir = tempConfig({ write: { "tenants/other.yaml": "id: globex\nenvironment: dev\nisolation: shared\ningressGroup: 1\n" } });
    expect(problems(dir).find((issue) => issue.path.join(".") === "id")!.message).toMatch(/must equal the file name "other"/);
  });

  it("rejects two files defining the same tenant", () => {
    const dir = tempConfig({ write: { "tenants/globex.yml": "id: globex\nenvironment: dev\nisolation: shared\ningressGroup: 1\n" } });
    expect(problems(dir).some((issue) => /duplicate tenant "globex"/.test(issue.message))).toBe(true);
  });

  it("rejects an unknown environment, listing the defined ones", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: qa\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n" } });
    expect(problems(dir)[0]).toMatchObject({ path: ["environment"], value: "qa", message: expect.stringMatching(/defined environments: dev, prod, staging/) });
  });

  it("rejects a network on a shared tenant", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: dev\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\nnetwork:\n  cidr: 10.200.0.0/16\n" } });
    expect(problems(dir)[0]!.message).toMatch(/only dedicated tenants have their own network/);
  });

  it("rejects a dedicated tenant CIDR overlapping another dedicated tenant, naming both files", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: dev\nisolation: dedicated\nnetwork:\n  cidr: 10.128.0.0/20\n" } });
    const issue = problems(dir)[0]!;
    expect(issue.file).toMatch(/soylent\.yaml$/);
    expect(issue.message).toMatch(/overlaps 10\.128\.0\.0\/16 at .*initech\.yaml network\.cidr/);
  });
});

describe("decommissionPlan", () => {
  const config = loadConfig(tempConfig());
  const prodProtected = (environment: string) => environment !== "dev";

  it("refuses while deletion protection is on and lists the steps, never deleting state", () => {
    const plan = decommissionPlan(config, "initech", prodProtected);
    expect(plan.refused).toBe(true);
    expect(plan.steps[0]).toMatch(/Set `decommission: true`/);
    expect(plan.steps.join("\n")).toMatch(/final backups/);
    expect(plan.steps.join("\n")).toMatch(/destroy tenant-initech-platform[\s\S]*destroy tenant-initech-infra/);
    expect(plan.steps.join("\n")).toMatch(/state stays in the bucket/);
  });

  it("proceeds once the tenant is marked for decommissioning", () => {
    const dir = tempConfig({ write: { "tenants/globex.yaml": "id: globex\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\ndecommission: true\n" } });
    const plan = decommissionPlan(loadConfig(dir), "globex", prodProtected);
    expect(plan.refused).toBe(false);
    expect(plan.steps[0]).toMatch(/final backups/);
    // What the tenant's stack leaves on the environment's shared services.
    expect(plan.steps).toContainEqual(expect.stringMatching(/drop the tenant's database and user on PostgreSQL noor-db .*DROP DATABASE "globex_noor"; DROP ROLE "globex_noor";/));
  });

  it("has the last tenant of a load balancer lift that load balancer's deletion protection before destroying", () => {
    const alone = decommissionPlan(config, "globex", prodProtected).steps.join("\n");
    expect(alone).toMatch(/globex is the last tenant on load balancer acme-prod-tenants-1 .*deletion_protection\.enabled,Value=false.*--names acme-prod-tenants-1/);
    const dir = tempConfig({ write: { "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n" } });
    expect(decommissionPlan(loadConfig(dir), "globex", prodProtected).steps.join("\n")).not.toMatch(/last tenant on load balancer/);
  });

  it("names the known tenants when the id is unknown", () => {
    expect(() => decommissionPlan(config, "nobody", prodProtected)).toThrow(/no tenant "nobody"; tenants: globex, initech/);
  });
});

describe("tenant products in the loader", () => {
  const tenant = (body: string) => tempConfig({ write: { "tenants/soylent.yaml": `id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\n${body}` } });
  const only = (dir: string) => {
    const found = problems(dir).filter((issue) => issue.file.endsWith("soylent.yaml"));
    expect(found.length, JSON.stringify(found)).toBeGreaterThan(0);
    return found[0]!;
  };

  it("layers the environment's product, the tenant namespace and domain, then the tenant's overrides", () => {
    const config = loadConfig(tempConfig());
    const globex = config.tenants.find((entry) => entry.config.id === "globex")!;
    const noor = globex.products.noor!;
    const environment = config.environments.find((entry) => entry.config.name === "prod")!.config.products.noor!;
    expect(noor.namespace).toBe("globex-noor");
    expect(noor.domain).toBe("globex.noor.example.com");
    expect(noor.certificateDomain).toBeUndefined();
    expect(noor.workloads.backend!.autoscaling).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    // Everything the tenant does not override comes from the environment's instance.
    expect(noor.workloads.backend!.image).toBe(environment.workloads.backend!.image);
    expect(noor.workloads.backend!.metrics).toEqual(environment.workloads.backend!.metrics);
  });

  it("gives tenants with the same overrides their own namespace and domain", () => {
    const dir = tempConfig({
      write: {
        "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n",
        "tenants/umbrella.yaml": "id: umbrella\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n",
      },
    });
    const tenants = new Map(loadConfig(dir).tenants.map((entry) => [entry.config.id, entry.products.noor!]));
    expect([tenants.get("hooli")!.namespace, tenants.get("hooli")!.domain]).toEqual(["hooli-noor", "hooli.noor.example.com"]);
    expect([tenants.get("umbrella")!.namespace, tenants.get("umbrella")!.domain]).toEqual(["umbrella-noor", "umbrella.noor.example.com"]);
    expect(tenants.get("umbrella")!.workloads).toEqual(tenants.get("hooli")!.workloads);
  });

  it("requires a shared tenant to run at least one product", () => {
    expect(only(tenant(""))).toMatchObject({ path: ["products"], message: expect.stringMatching(/a shared tenant runs at least one of its environment's products/) });
  });

  it("rejects a product its environment does not run, listing the allowed ones", () => {
    expect(only(tenant("products: { nope: {} }\n"))).toMatchObject({ path: ["products", "nope"], message: expect.stringMatching(/does not run product "nope" \(its products: murima, noor, smartedu\)/) });
  });

  it("rejects an override of a workload the product does not have, listing them", () => {
    const issue = only(tenant("products:\n  noor:\n    workloads:\n      nope: { replicas: 2 }\n"));
    expect(issue).toMatchObject({ path: ["products", "noor", "workloads", "nope"], message: expect.stringMatching(/product noor has no workload "nope" \(workloads: frontend, backend/) });
  });

  it("validates the layered instance and points at the tenant file's key", () => {
    const issue = only(tenant("products:\n  noor:\n    workloads:\n      backend: { autoscaling: { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 } }\n"));
    expect(issue).toMatchObject({ path: ["products", "noor", "workloads", "backend", "autoscaling", "minReplicas"], message: expect.stringMatching(/requires at least 2/) });
    const invalid = only(tenant("products:\n  noor:\n    workloads:\n      backend: { autoscaling: { minReplicas: 5, maxReplicas: 3, cpuUtilization: 70 } }\n"));
    expect(invalid.message).toMatch(/minReplicas 5 is above maxReplicas 3/);
  });

  it("rejects a domain the environment serves itself", () => {
    expect(only(tenant("products:\n  noor: { domain: noor.example.com }\n"))).toMatchObject({ path: ["products", "noor", "domain"], message: expect.stringMatching(/noor\.example\.com is served by environment prod itself/) });
    expect(only(tenant("products:\n  noor: { domain: acme.example.com }\n")).message).toMatch(/served by environment prod itself/);
  });

  it("accepts a domain in any of the environment's hosted zones (its stack issues the certificate there)", () => {
    const loaded = loadConfig(tenant("products:\n  noor: { domain: soylent.acme.example.com }\n")).tenants.find((entry) => entry.config.id === "soylent");
    expect(loaded?.products.noor?.domain).toBe("soylent.acme.example.com");
  });

  it("requires a certificate ARN, in the environment's account and region, for a custom domain", () => {
    expect(only(tenant("products:\n  noor: { domain: learn.soylent.org }\n"))).toMatchObject({
      path: ["products", "noor", "domain"],
      message: expect.stringMatching(/learn\.soylent\.org is outside the environment's hosted zones \(acme\.example\.com, noor\.example\.com.*set products\.noor\.certificateArn to an ACM certificate in account 111111111111, region eu-west-1/),
    });
    const arn = (account: string, region: string) => `arn:aws:acm:${region}:${account}:certificate/0f6e6d0c-2f52-4b8e-9a4e-3c1d2b7a9f10`;
    const loaded = loadConfig(tenant(`products:\n  noor: { domain: learn.soylent.org, certificateArn: "${arn("111111111111", "eu-west-1")}" }\n`));
    expect(loaded.tenants.find((entry) => entry.config.id === "soylent")?.config.products.noor?.certificateArn).toBe(arn("111111111111", "eu-west-1"));
    expect(only(tenant(`products:\n  noor: { domain: learn.soylent.org, certificateArn: "${arn("222222222222", "us-east-1")}" }\n`))).toMatchObject({
      path: ["products", "noor", "certificateArn"],
      message: expect.stringMatching(/environment's account 111111111111 and region eu-west-1.*found account 222222222222, region us-east-1/),
    });
    expect(only(tenant("products:\n  noor: { domain: learn.soylent.org, certificateArn: not-an-arn }\n")).message).toMatch(/expected an ACM certificate ARN/);
  });

  it("rejects a certificate ARN on a domain inside the environment's zones", () => {
    const issue = only(tenant('products:\n  noor: { certificateArn: "arn:aws:acm:eu-west-1:111111111111:certificate/0f6e6d0c-2f52-4b8e-9a4e-3c1d2b7a9f10" }\n'));
    expect(issue).toMatchObject({ path: ["products", "noor", "certificateArn"], message: expect.stringMatching(/in the environment's hosted zone noor\.example\.com.*custom domains only/) });
  });

  it("rejects a domain whose hosts external-dns would not publish", () => {
    const dir = tempConfig({
      set: { "environments/prod.yaml": { addons: { externalDns: { zones: ["acme.example.com", "smartedu.example.com", "murima.example.com"] } } } },
      write: { "tenants/soylent.yaml": "id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n" },
    });
    expect(problems(dir)).toContainEqual(expect.objectContaining({ path: ["products", "noor", "domain"], message: expect.stringMatching(/nothing publishes the hosts of noor\.example\.com: add its zone to addons\.externalDns\.zones \(now: acme\.example\.com, smartedu/) }));
    const tenantDir = tempConfig({
      set: { "environments/prod.yaml": { addons: { externalDns: { zones: ["noor.example.com", "smartedu.example.com", "murima.example.com"] } } } },
      write: { "tenants/soylent.yaml": "id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: { domain: soylent.acme.example.com } }\n" },
    });
    expect(only(tenantDir)).toMatchObject({ path: ["products", "noor", "domain"], message: expect.stringMatching(/nothing publishes the hosts of soylent\.acme\.example\.com: external-dns of environment prod does not manage zone acme\.example\.com/) });
  });

  it("rejects two tenants serving the same domain", () => {
    const issue = only(tenant("products:\n  noor: { domain: globex.noor.example.com }\n"));
    expect(issue.message).toMatch(/globex\.noor\.example\.com is already served by tenant globex/);
  });

  it("rejects PostgreSQL without IAM authentication for any product instance (the environment's and its tenants')", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { services: { postgres: { "noor-db": { iamAuthentication: false } } } } } });
    const issue = onlyIssue(problems(dir), "services.postgres.noor-db.iamAuthentication");
    expect(issue.file).toMatch(/environments\/dev\.yaml$/);
    expect(issue.message).toMatch(/PostgreSQL service "noor-db" has iamAuthentication: false, but product noor's instances connect only as their own IAM-authenticated users.*set it to true/);
  });

  it("rejects services that would hand a shared tenant the environment's master credentials", () => {
    const found = problems(tenant("products: { murima: {} }\n")).map((issue) => issue.message);
    expect(found).toContainEqual(expect.stringMatching(/uses mongodb service murima-docs, which authenticates with the environment's master credentials only/));
    expect(found).toContainEqual(expect.stringMatching(/uses rabbitmq service murima-mq/));
  });

  it("rejects unknown keys in a tenant product", () => {
    expect(only(tenant("products:\n  noor: { replicas: 3 }\n")).path).toEqual(["products", "noor", "replicas"]);
  });
});

describe("tenant domain keys", () => {
  it("has no tenant-wide domain key: each product has its own domain", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\ndomain: { host: soylent.example.org }\n" } });
    expect(problems(dir)[0]).toMatchObject({ path: ["domain"], message: expect.stringMatching(/unknown key|Unrecognized/i) });
  });
});

describe("dedicated tenants' service sizes and backup policy", () => {
  const initech = (extra: string) =>
    tempConfig({ write: { "tenants/initech.yaml": `id: initech\nenvironment: prod\nisolation: dedicated\nnetwork: { cidr: 10.128.0.0/16 }\nproducts: { smartedu: {} }\n${extra}` } });
  const settingsOf = (dir: string) => (loadConfig(dir).tenants.find((tenant) => tenant.config.id === "initech") as LoadedTenant).environment;
  const issueAt = (dir: string, path: string) => problems(dir).find((issue) => issue.path.join(".") === path);

  it("builds the tenant's stacks from its own sizes and backup policy, leaving the environment's untouched", () => {
    const dir = initech("services:\n  postgres:\n    smartedu-db: { instanceClass: db.r6g.xlarge, readers: 1 }\n  redis:\n    smartedu-cache: { nodes: 3 }\nbackup:\n  plans:\n    default:\n      daily: { retentionDays: 90 }\n");
    const config = loadConfig(dir);
    const settings = (config.tenants.find((tenant) => tenant.config.id === "initech") as LoadedTenant).environment;
    expect(settings.services.postgres["smartedu-db"]).toMatchObject({ instanceClass: "db.r6g.xlarge", readers: 1, engineVersion: "15.10" });
    expect(settings.services.redis["smartedu-cache"]?.nodes).toBe(3);
    expect(settings.backup.plans.default?.daily.retentionDays).toBe(90);
    expect(settings.backup.plans.default?.weekly.retentionDays).toBe(365); // the environment's, key by key
    expect(settings.network.cidr).toBe("10.128.0.0/16");
    const prod = config.environments.find((environment) => environment.config.name === "prod")!.config;
    expect(prod.services.postgres["smartedu-db"]).toMatchObject({ instanceClass: "db.r6g.2xlarge", readers: 2 });
    expect(prod.backup.plans.default?.daily.retentionDays).toBe(35);
  });

  it("keeps the environment's settings when the tenant file sets none", () => {
    const settings = settingsOf(initech(""));
    expect(settings.services.postgres["smartedu-db"]).toMatchObject({ instanceClass: "db.r6g.2xlarge", readers: 2 });
    expect(Object.keys(settings.services.postgres)).toEqual(["smartedu-db"]);
  });

  it("checks the sizes with the environment's rules, reported at the tenant file's keys", () => {
    const issue = issueAt(initech("services:\n  postgres:\n    smartedu-db: { readers: 0 }\n"), "services.postgres.smartedu-db.readers");
    expect(issue).toMatchObject({ file: expect.stringMatching(/tenants\/initech\.yaml$/), value: 0, message: expect.stringMatching(/production needs at least 1 reader/) });
  });

  it("accepts capacity keys only, listing them", () => {
    const issue = issueAt(initech("services:\n  postgres:\n    smartedu-db: { iamAuthentication: false }\n"), "services.postgres.smartedu-db.iamAuthentication");
    expect(issue?.message).toMatch(/unknown key "iamAuthentication"; allowed keys here: instanceClass, parameters, readers, storage/);
  });

  it("rejects sizes of a service the tenant's stacks do not hold, naming the ones they do", () => {
    const issue = issueAt(initech("services:\n  postgres:\n    noor-db: { readers: 1 }\n"), "services.postgres.noor-db");
    expect(issue?.message).toMatch(/the tenant's stacks hold no postgres service "noor-db"; its products use smartedu-db/);
  });

  it("checks the backup policy with the environment's rules (vault lock range)", () => {
    const issue = issueAt(initech("backup:\n  plans:\n    default:\n      daily: { retentionDays: 900 }\n"), "backup.plans.default.daily.retentionDays");
    expect(issue).toMatchObject({ value: 900, message: expect.stringMatching(/outside the vault lock range 7–400 days/) });
  });

  it("derives the tenant database's point-in-time retention from its own plan's continuous rule", () => {
    const settings = settingsOf(initech("backup:\n  plans:\n    default:\n      continuous: { retentionDays: 21 }\n"));
    expect(settings.services.postgres["smartedu-db"]?.backup.retentionDays).toBe(21);
  });

  it("rejects a tenant continuous retention that conflicts with a retention the environment file sets", () => {
    const dir = tempConfig({
      set: { "environments/prod.yaml": { services: { postgres: { "smartedu-db": { backup: { retentionDays: 35 } } } } } },
      write: { "tenants/initech.yaml": "id: initech\nenvironment: prod\nisolation: dedicated\nnetwork: { cidr: 10.128.0.0/16 }\nproducts: { smartedu: {} }\nbackup:\n  plans:\n    default:\n      continuous: { retentionDays: 21 }\n" },
    });
    const issue = issueAt(dir, "services.postgres.smartedu-db.backup.retentionDays");
    expect(issue).toMatchObject({ file: expect.stringMatching(/tenants\/initech\.yaml$/), value: 35, message: expect.stringMatching(/continuous\.retentionDays = 21\); a different backup_retention_period fails later applies/) });
  });

  it("rejects sizes and a backup policy on a shared tenant, whose data lives in the environment's services", () => {
    const dir = tempConfig({
      write: { "tenants/soylent.yaml": "id: soylent\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\nservices: { postgres: { noor-db: { readers: 3 } } }\nbackup: { plans: {} }\n" },
    });
    const found = problems(dir);
    expect(onlyIssue(found, "services").message).toMatch(/a shared tenant uses environment prod's data services, sized in environments\/prod\.yaml/);
    expect(onlyIssue(found, "backup").message).toMatch(/backed up by its policy/);
  });
});
