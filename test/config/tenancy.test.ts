import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { addTenant, allocateTenantCidr, decommissionPlan, nextFreeBlock, TenancyError, usedCidrs } from "../../config/tenancy";
import { tempConfig } from "../support/synth";

function problems(dir: string): ConfigIssue[] {
  try {
    loadConfig(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

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
    const result = addTenant(dir, { id: "umbrella", environment: "staging", isolation: "shared" });
    expect(result.stacks).toEqual(["staging-tenant-umbrella"]);
    expect(parse(readFileSync(result.file, "utf8"))).toEqual({ id: "umbrella", environment: "staging", isolation: "shared" });
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

  it("keeps an allocation when other tenants are added or removed", () => {
    const dir = tempConfig();
    const hooli = addTenant(dir, { id: "hooli", environment: "prod", isolation: "dedicated" }).tenant.network!.cidr;
    addTenant(dir, { id: "piedpiper", environment: "prod", isolation: "dedicated" });
    expect(loadConfig(dir).tenants.find((t) => t.config.id === "hooli")!.config.network!.cidr).toBe(hooli);
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

describe("allocateTenantCidr", () => {
  it("writes the next free block into a hand-written dedicated tenant file", () => {
    const dir = tempConfig({ write: { "tenants/vandelay.yaml": "id: vandelay\nenvironment: dev\nisolation: dedicated\n" } });
    expect(problems(dir).map((issue) => issue.message).join()).toMatch(/npm run tenant -- allocate vandelay/);
    const cidr = allocateTenantCidr(dir, "vandelay", { id: "vandelay", environment: "dev", isolation: "dedicated" });
    const used = usedCidrs(loadConfig(dir)).filter((entry) => entry.owner !== "tenant vandelay").map((entry) => entry.cidr);
    expect(used).not.toContain(cidr);
    expect(loadConfig(dir).tenants.find((t) => t.config.id === "vandelay")!.config.network!.cidr).toBe(cidr);
  });
});

describe("tenant files in the loader", () => {
  it("rejects a tenant id that differs from its file name (duplicate ids)", () => {
    const dir = tempConfig({ write: { "tenants/other.yaml": "id: globex\nenvironment: dev\nisolation: shared\n" } });
    expect(problems(dir).find((issue) => issue.path.join(".") === "id")!.message).toMatch(/must equal the file name "other"/);
  });

  it("rejects two files defining the same tenant", () => {
    const dir = tempConfig({ write: { "tenants/globex.yml": "id: globex\nenvironment: dev\nisolation: shared\n" } });
    expect(problems(dir).some((issue) => /duplicate tenant "globex"/.test(issue.message))).toBe(true);
  });

  it("rejects an unknown environment, listing the defined ones", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: qa\nisolation: shared\n" } });
    expect(problems(dir)[0]).toMatchObject({ path: ["environment"], value: "qa", message: expect.stringMatching(/defined environments: dev, prod, staging/) });
  });

  it("rejects a network on a shared tenant", () => {
    const dir = tempConfig({ write: { "tenants/soylent.yaml": "id: soylent\nenvironment: dev\nisolation: shared\nnetwork:\n  cidr: 10.200.0.0/16\n" } });
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
    const dir = tempConfig({ write: { "tenants/globex.yaml": "id: globex\nenvironment: prod\nisolation: shared\ndecommission: true\n" } });
    const plan = decommissionPlan(loadConfig(dir), "globex", prodProtected);
    expect(plan.refused).toBe(false);
    expect(plan.steps[0]).toMatch(/final backups/);
  });

  it("names the known tenants when the id is unknown", () => {
    expect(() => decommissionPlan(config, "nobody", prodProtected)).toThrow(/no tenant "nobody"; tenants: globex, initech/);
  });
});
