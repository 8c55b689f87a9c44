/**
 * Bad input that used to slip through (accepted silently, crashed with a stack trace, or got a weak message): each
 * case is now a clear problem naming the file, the line and the key, reported with every other problem of the run.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, formatIssue, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { addTenant, allocateTenant, readTenantFile, TenancyError } from "../../config/tenancy";
import { AWS_MAX_TAGS_PER_RESOURCE, RESOURCE_TAG_RESERVE, STANDARD_TAG_KEYS } from "../../constructs/core/standard-tags";
import { problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, ROOT, tempConfig } from "../support/synth";

/** The bundled file's text with `from` replaced by `to` (the replacement must happen). */
function edited(file: string, from: string, to: string): string {
  const text = readFileSync(join(BUNDLED_CONFIG_DIR, file), "utf8");
  expect(text, `${file} contains ${from}`).toContain(from);
  return text.replace(from, to);
}

/** Line (1-based) of the first line of the bundled-style `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((line) => line.includes(needle)) + 1;
}

/** The issues of `dir` in `file` (path suffix), formatted as the app prints them. */
function issuesIn(dir: string, file: string): ConfigIssue[] {
  return problems(dir).filter((issue) => issue.file.endsWith(file));
}

function one(issues: ConfigIssue[], key: string): ConfigIssue {
  const matching = issues.filter((issue) => issue.path.join(".") === key);
  expect(matching, JSON.stringify(issues, null, 1)).toHaveLength(1);
  return matching[0] as ConfigIssue;
}

describe("accepted silently before, rejected now", () => {
  it("rejects a region that does not exist, with the nearest real one", () => {
    const text = edited("environments/prod.yaml", "region: eu-west-1", "region: eu-west-9");
    const issue = one(issuesIn(tempConfig({ write: { "environments/prod.yaml": text } }), "environments/prod.yaml"), "account.region");
    expect(issue.line).toBe(lineOf(text, "region: eu-west-9"));
    expect(issue.value).toBe("eu-west-9");
    expect(issue.message).toMatch(/^not an AWS region; did you mean eu-west-1 \(Europe \(Ireland\)\)\? Regions: af-south-1, /);
    // Every real region stays accepted, in every partition.
    const other = edited("project.yaml", "region: eu-west-1", "region: us-gov-west-1");
    expect(() => loadConfig(tempConfig({ write: { "project.yaml": other } }))).not.toThrow();
  });

  it("rejects cron schedules with out-of-range fields (Kubernetes' 5-field dialect) and unknown time zones", () => {
    let text = edited("products/noor.yaml", 'schedule: "0 2 * * *"', 'schedule: "0 25 * * *"');
    text = text.replace("timeZone: Etc/UTC", "timeZone: Europe/Atlantis");
    const issues = issuesIn(tempConfig({ write: { "products/noor.yaml": text } }), "products/noor.yaml");
    const schedule = one(issues, "workloads.db-export.schedule");
    expect(schedule.line).toBe(lineOf(text, 'schedule: "0 25 * * *"'));
    expect(schedule.message).toMatch(/^hour value 25 is out of range; expected a 5-field cron schedule/);
    const zone = one(issues, "workloads.db-export.timeZone");
    expect(zone.line).toBe(lineOf(text, "Europe/Atlantis"));
    expect(zone.message).toMatch(/^unknown time zone/);
  });

  it("rejects a product defined twice (x.yml beside x.yaml): neither silently replaces the other", () => {
    const dir = tempConfig({ write: { "products/noor.yml": readFileSync(join(BUNDLED_CONFIG_DIR, "products/noor.yaml"), "utf8") } });
    const issues = problems(dir);
    expect(issues.filter((issue) => issue.message.startsWith('duplicate product "noor"')).map((issue) => issue.file.split("/").pop())).toEqual(["noor.yaml", "noor.yml"]);
    // Environments and tenants running it report nothing more (the duplicate is the problem to fix).
    expect(issues.filter((issue) => /product "?noor"? /.test(issue.message) && !issue.message.startsWith("duplicate"))).toEqual([]);
  });

  it("rejects bytes that are not UTF-8 with the line and column, before they reach names and tags", () => {
    const dir = tempConfig();
    const text = readFileSync(join(dir, "environments/prod.yaml"), "utf8").replace("Criticality: high", "Criticality: h\u0000igh");
    const bytes = Buffer.from(text, "utf8");
    bytes[bytes.indexOf(0)] = 0xe9; // "é" in Latin-1: not UTF-8
    writeFileSync(join(dir, "environments/prod.yaml"), bytes);
    const issue = one(issuesIn(dir, "environments/prod.yaml"), "");
    expect(issue.line).toBe(lineOf(text, "Criticality"));
    expect(issue.column).toBe(17);
    expect(issue.message).toMatch(/^the file is not valid UTF-8 \(bytes e9 69 67 68 here; perhaps saved as Latin-1 or Windows-1252\): save it as UTF-8/);
  });

  it("rejects more tags than AWS allows per resource, counting the standard tags and the platform's own", () => {
    const projectTags = Object.keys(loadConfig(BUNDLED_CONFIG_DIR).project.tags).length;
    const room = AWS_MAX_TAGS_PER_RESOURCE - STANDARD_TAG_KEYS.length - RESOURCE_TAG_RESERVE - projectTags;
    const tags = Object.fromEntries(Array.from({ length: room }, (_, index) => [`team-${index}`, "x"]));
    const text = edited("environments/prod.yaml", "tags:\n  Criticality: high\n", `tags:\n${Object.entries(tags).map(([key, value]) => `  ${key}: ${value}\n`).join("")}`);
    // `room` keys fit exactly; one more does not.
    expect(() => loadConfig(tempConfig({ write: { "environments/prod.yaml": text } }))).not.toThrow();
    const over = text.replace("tags:\n", "tags:\n  one-more: x\n");
    const issue = one(issuesIn(tempConfig({ write: { "environments/prod.yaml": over } }), "environments/prod.yaml"), "tags");
    expect(issue.line).toBe(lineOf(over, "tags:"));
    expect(issue.message).toContain(`AWS allows ${AWS_MAX_TAGS_PER_RESOURCE} tags per resource: ${STANDARD_TAG_KEYS.length} standard tags (${STANDARD_TAG_KEYS.join(", ")})`);
    expect(STANDARD_TAG_KEYS).toEqual(["CostCentre", "Environment", "ManagedBy", "Owner", "Project", "Repository", "Stack", "Tenant"]);
  });

  it("rejects a __proto__ key instead of dropping it", () => {
    const text = edited("environments/prod.yaml", "tags:\n  Criticality: high\n", "tags:\n  Criticality: high\n  __proto__: { polluted: yes }\n");
    const issue = one(issuesIn(tempConfig({ write: { "environments/prod.yaml": text } }), "environments/prod.yaml"), "tags.__proto__");
    expect(issue.line).toBe(lineOf(text, "__proto__"));
    expect(issue.message).toMatch(/the key "__proto__" is not allowed/);
  });

  it("rejects a dedicated tenant's CIDR outside the project's pool unless network.outsidePool says so", () => {
    const text = edited("tenants/initech.yaml", "cidr: 10.128.0.0/16", "cidr: 10.90.0.0/16");
    const issue = one(issuesIn(tempConfig({ write: { "tenants/initech.yaml": text } }), "tenants/initech.yaml"), "network.cidr");
    expect(issue.line).toBe(lineOf(text, "cidr: 10.90.0.0/16"));
    expect(issue.message).toMatch(/^outside the project's tenancy pool 10\.128\.0\.0\/10 \(project\.yaml tenancy\.cidrPool\)/);
    const allowed = text.replace("cidr: 10.90.0.0/16", "cidr: 10.90.0.0/16\n  outsidePool: true");
    expect(() => loadConfig(tempConfig({ write: { "tenants/initech.yaml": allowed } }))).not.toThrow();
    const needless = edited("tenants/initech.yaml", "cidr: 10.128.0.0/16", "cidr: 10.128.0.0/16\n  outsidePool: true");
    expect(one(issuesIn(tempConfig({ write: { "tenants/initech.yaml": needless } }), "tenants/initech.yaml"), "network.outsidePool").message).toMatch(/inside the tenancy pool/);
  });
});

describe("crashed with a stack trace before, reported now", () => {
  it("reports a YAML alias bomb instead of throwing", () => {
    const bomb = ["lol: &a [x, x, x, x, x, x, x, x, x]", ...["b", "c", "d", "e"].map((name, index) => `${name}: &${name} [${Array(9).fill(`*${index === 0 ? "a" : ["b", "c", "d"][index - 1]}`).join(", ")}]`)].join("\n");
    const dir = tempConfig({ write: { "environments/prod.yaml": `${readFileSync(join(BUNDLED_CONFIG_DIR, "environments/prod.yaml"), "utf8")}\n${bomb}\n` } });
    const issue = one(issuesIn(dir, "environments/prod.yaml"), "");
    expect(issue.message).toMatch(/^YAML aliases expand too far .*at most 100 alias uses are allowed/);
  });

  it("reports a tenants path that is a file", () => {
    const dir = tempConfig();
    rmSync(join(dir, "tenants"), { recursive: true });
    writeFileSync(join(dir, "tenants"), "id: x\n");
    const issue = one(issuesIn(dir, "tenants"), "");
    expect(issue.message).toMatch(/^expected a directory of <name>\.yaml files, found a file/);
  });

  it("reports `tenant allocate` for a tenant file that does not exist (library and command)", () => {
    const dir = tempConfig();
    expect(() => readTenantFile(dir, "hooli")).toThrow(TenancyError);
    expect(() => readTenantFile(dir, "hooli")).toThrow(/tenants\/hooli\.yaml: no such tenant file; write tenants\/hooli\.yaml first/);
    const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "tenant.ts"), "allocate", "hooli"], { encoding: "utf8", env: { ...process.env, PLATFORM_CONFIG_DIR: dir } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no such tenant file/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe("weak messages before, clear now", () => {
  it("names a duplicate key", () => {
    const text = edited("environments/prod.yaml", "tags:\n  Criticality: high\n", "tags:\n  Criticality: high\n  Criticality: low\n");
    const issue = one(issuesIn(tempConfig({ write: { "environments/prod.yaml": text } }), "environments/prod.yaml"), "");
    expect(issue.line).toBe(lineOf(text, "Criticality: low"));
    expect(issue.message).toMatch(/^duplicate key "Criticality": each key may appear once/);
  });

  it("reports an image problem in the product file where the image is written", () => {
    const text = edited("products/noor.yaml", "image: registry.example.com/noor/db-export:1.0.0@sha256:0880b6795eb99bc5207c79bf6cc8687663990dd4ffbf4aa7f081ab591b49e54e", "image: registry.example.com/noor/db-export:1.0.0");
    const issues = problems(tempConfig({ write: { "products/noor.yaml": text } }));
    const images = issues.filter((issue) => issue.path.join(".").endsWith("db-export.image"));
    expect(images.length).toBeGreaterThan(0);
    for (const issue of images) {
      expect(issue.file).toMatch(/products\/noor\.yaml$/);
      expect(issue.path).toEqual(["workloads", "db-export", "image"]);
      expect(issue.line).toBe(lineOf(text, "image: registry.example.com/noor/db-export:1.0.0"));
      expect(issue.message).toMatch(/\(in environment (prod|staging|dev), which runs product noor from .*environments\/\w+\.yaml\)$/);
    }
  });

  it("names UTF-16 and UTF-32 files as such", () => {
    const dir = tempConfig();
    const text = readFileSync(join(dir, "environments/prod.yaml"), "utf8");
    writeFileSync(join(dir, "environments/prod.yaml"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    writeFileSync(join(dir, "environments/dev.yaml"), Buffer.from(readFileSync(join(dir, "environments/dev.yaml"), "utf8"), "utf16le")); // no byte-order mark
    expect(one(issuesIn(dir, "environments/prod.yaml"), "").message).toBe("the file is encoded as UTF-16 (little-endian); save it as UTF-8 (configuration files are UTF-8)");
    expect(one(issuesIn(dir, "environments/dev.yaml"), "").message).toBe("the file is encoded as UTF-16 (little-endian, no byte-order mark); save it as UTF-8 (configuration files are UTF-8)");
  });

  it("names the real tenant file, never a temporary copy, when `tenant add` is rejected", () => {
    const dir = tempConfig();
    let message = "";
    try {
      addTenant(dir, { id: "hooli", environment: "prod", isolation: "shared", products: ["noor"], domain: "noor.example.com" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(join(dir, "tenants", "hooli.yaml"));
    expect(message).toMatch(/noor\.example\.com is served by environment prod itself/);
    expect(message).not.toMatch(/tenant-add-|tenant-allocate-/);
    expect(readdirSync(join(dir, "tenants"))).not.toContain("hooli.yaml");
  });

  it("allocates without a temporary copy and names the real file", () => {
    const dir = tempConfig();
    writeFileSync(join(dir, "tenants", "hooli.yaml"), "id: hooli\nenvironment: prod\nisolation: dedicated\n");
    expect(allocateTenant(dir, "hooli", readTenantFile(dir, "hooli"))).toBe("VPC CIDR 10.129.0.0/16");
  });

  it("reports only the product file's problem when a product file is invalid, not that the environment does not run it", () => {
    const text = edited("products/noor.yaml", "kind: cron", "kind: crontab");
    const issues = problems(tempConfig({ write: { "products/noor.yaml": text } }));
    expect(issues.filter((issue) => issue.file.endsWith("products/noor.yaml")).length).toBeGreaterThan(0);
    expect(issues.filter((issue) => issue.message.includes("does not run product"))).toEqual([]);
    expect(issues.every((issue) => issue.file.endsWith("products/noor.yaml")), JSON.stringify(issues, null, 1)).toBe(true);
  });

  it("reports suppression problems in the same list as configuration problems", () => {
    const dir = tempConfig({
      write: {
        "policy/suppressions.yaml": "suppressions:\n  - rule: S3-NOPE\n    path: prod-infra/x\n    reason: a long enough reason\n",
        "environments/prod.yaml": edited("environments/prod.yaml", "region: eu-west-1", "region: eu-west-9"),
      },
    });
    const issues = problems(dir);
    expect(issues.some((issue) => issue.file.endsWith("policy/suppressions.yaml") && issue.path.join(".") === "suppressions.0.rule" && issue.line === 2)).toBe(true);
    expect(issues.some((issue) => issue.file.endsWith("environments/prod.yaml") && issue.path.join(".") === "account.region")).toBe(true);
  });

  it("masks a pasted credential in found: and in the message", () => {
    const key = ["AKIA", "IOSFODNN7EXAMPLE"].join(""); // built at run time: no credential-shaped literal in the repository
    const text = edited("environments/prod.yaml", "tags:\n  Criticality: high\n", `tags:\n  Criticality: high\n  aws_secret_access_key: ${"x".repeat(300)}\ncostCentre2: ${key}\n`);
    let message = "";
    try {
      loadConfig(tempConfig({ write: { "environments/prod.yaml": text } }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      message = error.message;
    }
    expect(message).toContain("costCentre2");
    expect(message).toContain('found:   "<masked: looks like an AWS access key id>"');
    expect(message).not.toContain(key);
    expect(formatIssue({ file: "f.yaml", path: ["apiKey"], message: "bad", value: "s3cr3t-value" })).toContain('"<masked: the value of a credential-named key>"');
  });
});

describe("existing clear errors keep working", () => {
  it("still reports an unknown key with the allowed keys, and a host-bit CIDR with the fix", () => {
    const text = `${edited("environments/prod.yaml", "  cidr: 10.30.0.0/16", "  cidr: 10.30.0.1/16")}foo: 1\n`;
    const issues = issuesIn(tempConfig({ write: { "environments/prod.yaml": text } }), "environments/prod.yaml");
    expect(one(issues, "foo").message).toMatch(/^unknown key "foo"; allowed keys here: account, /);
    expect(one(issues, "network.cidr").message).toMatch(/did you mean 10\.30\.0\.0\/16\?/);
  });

  it("loads a configuration directory that holds only its YAML files and dashboards (no schema directory, no suppressions file)", () => {
    const dir = join(tmpdir(), `platform-operator-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    // Products keep their dashboards in a directory next to the product file (products/<name>/dashboards/*.json).
    for (const sub of ["environments", "products", "tenants"]) cpSync(join(BUNDLED_CONFIG_DIR, sub), join(dir, sub), { recursive: true });
    writeFileSync(join(dir, "project.yaml"), readFileSync(join(BUNDLED_CONFIG_DIR, "project.yaml")));
    expect(loadConfig(dir).suppressions).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
