import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { BUNDLED_CONFIG_DIR, ROOT, tempConfig } from "../support/synth";
import { only, problems } from "../support/config-problems";



describe("loading the bundled configuration", () => {
  const config = loadConfig(BUNDLED_CONFIG_DIR);
  const env = (name: string) => config.environments.find((e) => e.config.name === name)!.config;

  it("loads the project and every environment, sorted by name", () => {
    expect(config.project.name).toBe("acme");
    expect(config.environments.map((e) => e.config.name)).toEqual(["dev", "prod", "staging"]);
  });

  it("layers profile defaults under the environment file", () => {
    expect(env("prod").network.natGateways).toBe("per-az");
    expect(env("dev").network.natGateways).toBe("single");
    expect(env("prod").logging.retentionDays).toBe(365);
    expect(env("dev").kms.deletionWindowDays).toBe(7);
    // staging's file replaces the profile's endpoint list whole (lists are never concatenated)
    expect(env("staging").network.interfaceEndpoints).toEqual(["ecr.api", "ecr.dkr", "sts", "logs"]);
  });

  it("derives defaults from the environment name where the file is silent", () => {
    expect(env("dev").deployment.githubEnvironment).toBe("dev");
    expect(env("prod").deployment.githubEnvironment).toBe("production");
  });
});

describe("rejecting bad configuration", () => {
  it("rejects an invalid CIDR, naming file, line, key and value", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { network: { cidr: "10.30.0/16" } } } })), "network.cidr");
    expect(issue.file).toMatch(/environments[/\\]prod\.yaml$/);
    expect(issue.line).toBeGreaterThan(0);
    expect(issue.value).toBe("10.30.0/16");
    expect(issue.message).toMatch(/not an IPv4 CIDR/);
  });

  it("rejects a CIDR with host bits set and suggests the network address", () => {
    const issue = only(problems(tempConfig({ set: { "environments/dev.yaml": { network: { cidr: "10.10.1.0/16" } } } })), "network.cidr");
    expect(issue.message).toMatch(/did you mean 10\.10\.0\.0\/16/);
  });

  it("rejects a VPC CIDR outside /16–/24 or outside private ranges", () => {
    expect(only(problems(tempConfig({ set: { "environments/dev.yaml": { network: { cidr: "10.0.0.0/8" } } } })), "network.cidr").message).toMatch(/\/16 to \/24/);
    expect(only(problems(tempConfig({ set: { "environments/dev.yaml": { network: { cidr: "8.8.0.0/16" } } } })), "network.cidr").message).toMatch(/private range/);
  });

  it("rejects unknown keys and lists the allowed ones", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { network: { natGateway: "single" } } } })), "network.natGateway");
    expect(issue.message).toMatch(/unknown key "natGateway"; allowed keys here: .*natGateways/);
    expect(issue.value).toBe("single");
  });

  it("rejects a wrong type", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { network: { azCount: "three" } } } })), "network.azCount");
    expect(issue.value).toBe("three");
    expect(issue.message).toMatch(/expected (int|number)/);
  });

  it("rejects an invalid enum value and names the allowed values", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { network: { natGateways: "two" } } } })), "network.natGateways");
    expect(issue.message).toMatch(/"per-az"\|"single"\|"none"/);
  });

  it("rejects a missing required field", () => {
    const dir = tempConfig({
      write: { "environments/dev.yaml": "name: dev\nprofile: development\naccount:\n  region: eu-west-1\nnetwork:\n  cidr: 10.10.0.0/16\n" },
    });
    const issue = only(problems(dir), "account.id");
    expect(issue.message).toMatch(/required key is missing/);
    expect(issue.line).toBe(3); // points at the parent mapping `account:`
  });

  it("rejects an unquoted account id with a hint to quote it", () => {
    const dir = tempConfig({ write: { "environments/dev.yaml": "name: dev\nprofile: development\naccount:\n  id: 111111111111\n  region: eu-west-1\nnetwork:\n  cidr: 10.10.0.0/16\n" } });
    expect(only(problems(dir), "account.id").message).toMatch(/quoted 12-digit/);
  });

  it("rejects malformed YAML with its position", () => {
    const [issue, ...rest] = problems(tempConfig({ write: { "environments/dev.yaml": "name: dev\nnetwork: [unclosed\n" } }));
    expect(rest).toHaveLength(0);
    expect(issue!.message).toMatch(/malformed YAML/);
    expect(issue!.line).toBeGreaterThan(0);
  });

  it("rejects duplicate keys in a mapping", () => {
    const dir = tempConfig({ write: { "environments/dev.yaml": "name: dev\nname: dev2\nprofile: development\n" } });
    expect(problems(dir).some((issue) => /duplicate key/.test(issue.message) && issue.line === 2)).toBe(true);
  });

  it("rejects an environment whose name differs from its file name (duplicate environment names)", () => {
    const dir = tempConfig({ set: { "environments/staging.yaml": { name: "prod" } } });
    const issue = only(problems(dir), "name");
    expect(issue.file).toMatch(/staging\.yaml$/);
    expect(issue.message).toMatch(/must equal the file name "staging"/);
  });

  it("rejects duplicate list entries (availability zones, endpoints, peer networks)", () => {
    const dir = tempConfig({
      set: {
        "environments/prod.yaml": {
          network: {
            availabilityZones: ["eu-west-1a", "eu-west-1a", "eu-west-1c"],
            interfaceEndpoints: ["sts", "sts"],
            peerNetworks: [{ name: "corp", cidr: "172.16.0.0/16" }, { name: "corp", cidr: "172.17.0.0/16" }],
          },
        },
      },
    });
    const issues = problems(dir);
    expect(only(issues, "network.availabilityZones").message).toMatch(/duplicate availability zones: eu-west-1a/);
    expect(only(issues, "network.interfaceEndpoints").message).toMatch(/duplicate interface endpoints: sts/);
    expect(only(issues, "network.peerNetworks").message).toMatch(/duplicate peer network names: corp/);
  });

  it("rejects availability zones outside the environment's region", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { network: { availabilityZones: ["eu-west-1a", "eu-west-1b", "us-east-1a"] } } } });
    expect(only(problems(dir), "network.availabilityZones.2").message).toMatch(/not in the environment's region eu-west-1/);
  });

  it("rejects subnet sizes that do not fit in the VPC", () => {
    const dir = tempConfig({ set: { "environments/dev.yaml": { network: { subnetNewBits: { private: 1 } } } } });
    expect(only(problems(dir), "network.subnetNewBits").message).toMatch(/do not fit in 10\.10\.0\.0\/16/);
  });

  it("rejects overlapping environment CIDRs, naming both sides", () => {
    const dir = tempConfig({ set: { "environments/staging.yaml": { network: { cidr: "10.10.0.0/20" } } } });
    const issue = only(problems(dir), "network.cidr");
    expect(issue.file).toMatch(/staging\.yaml$/);
    expect(issue.message).toMatch(/overlaps 10\.10\.0\.0\/16 at .*dev\.yaml network\.cidr/);
  });

  it("rejects a peer network overlapping any environment VPC", () => {
    const dir = tempConfig({ set: { "environments/prod.yaml": { network: { peerNetworks: [{ name: "corp", cidr: "10.20.128.0/24" }] } } } });
    expect(only(problems(dir), "network.peerNetworks.0.cidr").message).toMatch(/overlaps 10\.20\.0\.0\/16 at .*staging\.yaml/);
  });

  it("reports every problem of every file in one run", () => {
    const dir = tempConfig({
      set: {
        "environments/dev.yaml": { network: { cidr: "nope" } },
        "environments/prod.yaml": { kms: { deletionWindowDays: 3 } },
        "project.yaml": { owner: "" },
      },
    });
    const issues = problems(dir);
    expect(issues.map((issue) => issue.path.join("."))).toEqual(expect.arrayContaining(["network.cidr", "kms.deletionWindowDays", "owner"]));
    expect(new Set(issues.map((issue) => issue.file)).size).toBe(3);
  });

  it("requires project.yaml and at least one environment", () => {
    const dir = tempConfig({ remove: ["project.yaml", "environments/dev.yaml", "environments/staging.yaml", "environments/prod.yaml"] });
    const messages = problems(dir).map((issue) => issue.message).join("\n");
    expect(messages).toMatch(/project\.yaml is required/);
    expect(messages).toMatch(/no environment files found/);
  });

  it("rejects a configuration directory that does not exist", () => {
    expect(problems(join(tmpdir(), "no-such-platform-config"))[0]!.message).toMatch(/does not exist/);
  });
});

describe("the app with bad configuration", () => {
  it("exits non-zero, prints every problem with file and key, and writes no stack output", () => {
    const dir = tempConfig({ set: { "environments/prod.yaml": { network: { cidr: "10.30.0.1/16" }, bogus: true } } });
    const outdir = mkdtempSync(join(tmpdir(), "platform-out-"));
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, PLATFORM_CONFIG_DIR: dir, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Configuration is invalid \(2 problems\); nothing was synthesized/);
    expect(result.stderr).toMatch(/prod\.yaml:\d+:\d+ {2}network\.cidr/);
    expect(result.stderr).toMatch(/prod\.yaml:\d+:\d+ {2}bogus/);
    expect(existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")) : []).toEqual([]);
  });
});

describe("loading another revision of the tenant files (LoadOptions, used by npm run review)", () => {
  const shared = (id: string, extra = "") => `id: ${id}\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts:\n  noor: {}\n${extra}`;
  const dir = tempConfig({ write: { "tenants/alpha.yaml": shared("alpha"), "tenants/bravo.yaml": shared("bravo") } });
  const current = loadConfig(dir);

  it("reads replaced tenant files instead of the directory's: changed, added and removed", () => {
    const other = loadConfig(dir, { tenantFiles: new Map([["alpha.yaml", shared("alpha", "owner: team-a\n")], ["charlie.yaml", shared("charlie")], ["bravo.yaml", undefined]]) });
    expect(other.tenants.map((tenant) => tenant.config.id)).toEqual(["alpha", "charlie", "globex", "initech"]);
    expect(other.tenants.find((tenant) => tenant.config.id === "alpha")?.config.owner).toBe("team-a");
    expect(current.tenants.map((tenant) => tenant.config.id)).toEqual(["alpha", "bravo", "globex", "initech"]);
  });

  it("reuses an earlier load's unchanged tenants and gives the same result as a full load", () => {
    const replaced = new Map([["alpha.yaml", shared("alpha", "owner: team-a\n")]]);
    const reused = loadConfig(dir, { tenantFiles: replaced, reuse: current });
    const full = loadConfig(dir, { tenantFiles: replaced });
    const data = (config: typeof full) => JSON.stringify(config.tenants.map(({ config: tenant, products, environment }) => ({ tenant, products, environment })));
    expect(data(reused)).toBe(data(full));
    expect(reused.tenants.find((tenant) => tenant.config.id === "bravo")).toBe(current.tenants.find((tenant) => tenant.config.id === "bravo")); // taken as loaded
    expect(reused.tenants.find((tenant) => tenant.config.id === "alpha")).not.toBe(current.tenants.find((tenant) => tenant.config.id === "alpha"));
  });

  it("still validates across tenants: a replaced file that takes another tenant's domain is rejected", () => {
    const clash = shared("alpha", "").replace("noor: {}", "noor: { domain: bravo.noor.example.com }");
    expect(() => loadConfig(dir, { tenantFiles: new Map([["alpha.yaml", clash]]), reuse: current })).toThrow(/bravo\.noor\.example\.com is already served by tenant/);
  });

  it("does not reuse tenants when an environment, product or the project differs from the earlier load's", () => {
    const changed = tempConfig({ write: { "tenants/alpha.yaml": shared("alpha"), "tenants/bravo.yaml": shared("bravo") }, set: { "environments/prod.yaml": { observability: { prometheus: { retention: "30d" } } } } });
    const reused = loadConfig(changed, { reuse: { ...current, directory: changed } });
    expect(reused.tenants.find((tenant) => tenant.config.id === "bravo")).not.toBe(current.tenants.find((tenant) => tenant.config.id === "bravo"));
    expect(reused.tenants.find((tenant) => tenant.config.id === "bravo")?.environment.observability.prometheus.retention).toBe("30d");
  });
});
