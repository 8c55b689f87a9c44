import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { selectStacks, stackCatalog, StackSelectionError } from "../../stacks/app";
import { STAGES } from "../../stacks/names";
import { buildStacks, bundledConfig, bundledSynth, ROOT, type Synthesized } from "../support/synth";

const bundled = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as Synthesized]));

const ENVIRONMENT_STACKS = ["bootstrap", "account-main", "dev-infra", "dev-platform", "prod-infra", "prod-platform", "staging-infra", "staging-platform"];
const DNS_STACKS = ["dev-dns", "prod-dns", "staging-dns"];
const TENANT_STACKS = ["prod-tenant-globex", "tenant-initech-infra", "tenant-initech-platform"];
const EXPECTED_STACKS = [...ENVIRONMENT_STACKS, ...DNS_STACKS, ...TENANT_STACKS].sort();

describe("stack catalog", () => {
  const config = bundledConfig();

  it("defines bootstrap, an account baseline per account, a DNS, an infra and a platform stack per environment, and the tenants' stacks", () => {
    expect(stackCatalog(config).map((entry) => entry.name).sort()).toEqual(EXPECTED_STACKS);
  });

  it("places every stack in a stage, after the stages of the stacks it depends on, pinned to its provider's account", () => {
    const catalog = stackCatalog(config);
    const byName = new Map(catalog.map((entry) => [entry.name, entry]));
    for (const entry of catalog) {
      expect(STAGES, entry.name).toContain(entry.stage);
      expect(entry.appliedBy, entry.name).toBe(entry.stage === "bootstrap" || entry.stage === "account" ? "administrator" : "ci");
      for (const dependency of entry.dependsOn) {
        const other = byName.get(dependency);
        expect(other, `${entry.name} depends on ${dependency}`).toBeDefined();
        expect(STAGES.indexOf(other!.stage), `${entry.name} (${entry.stage}) depends on ${dependency} (${other!.stage})`).toBeLessThanOrEqual(STAGES.indexOf(entry.stage));
      }
      const provider = bundled.get(entry.name)?.provider?.aws?.find((candidate) => !("alias" in candidate)) as { region?: string; allowed_account_ids?: string[] } | undefined;
      expect(provider?.region, entry.name).toBe(entry.account.region);
      expect(provider?.allowed_account_ids, entry.name).toEqual([entry.account.accountId]);
      expect(entry.environment === undefined, entry.name).toBe(entry.stage === "bootstrap" || entry.stage === "account");
    }
  });

  it("synthesizes every bundled stack", () => {
    expect([...bundled.keys()].sort()).toEqual(EXPECTED_STACKS);
    for (const [name, json] of bundled) {
      expect(json.terraform, name).toBeDefined();
      // exactly one default AWS provider; aliases (DR region, us-east-1 for CloudFront) come in addition
      expect(json.provider?.aws?.filter((provider) => !("alias" in provider)), name).toHaveLength(1);
    }
  });

  it("gives every stack its own state key in the S3 backend, encrypted and locked: CI stacks under their environment", () => {
    const keys = new Set<string>();
    const catalog = new Map(stackCatalog(config).map((entry) => [entry.name, entry]));
    for (const [name, json] of bundled) {
      const backend = (json.terraform as { backend: { s3: Record<string, unknown> } }).backend.s3;
      const entry = catalog.get(name)!;
      expect(backend.key, name).toBe(entry.appliedBy === "ci" ? `environments/${entry.environment}/${name}/terraform.tfstate` : `stacks/${name}/terraform.tfstate`);
      expect(backend.encrypt).toBe(true);
      expect(backend.use_lockfile).toBe(true);
      expect(backend.kms_key_id).toBe("arn:aws:kms:eu-west-1:111111111111:alias/acme-tfstate");
      keys.add(backend.key as string);
    }
    expect(keys.size).toBe(EXPECTED_STACKS.length);
  });

  it("pins region and allowed account on every AWS provider", () => {
    for (const [name, json] of bundled) {
      const [aws] = json.provider?.aws ?? [];
      expect(aws, name).toMatchObject({ region: "eu-west-1", allowed_account_ids: ["111111111111"] });
    }
  });
});

describe("stack filter", () => {
  const names = ENVIRONMENT_STACKS;

  it("selects by glob and keeps catalog order", () => {
    expect(selectStacks(names, ["prod-*"])).toEqual(["prod-infra", "prod-platform"]);
    expect(selectStacks(names, ["*-infra", "bootstrap"])).toEqual(["bootstrap", "dev-infra", "prod-infra", "staging-infra"]);
    expect(selectStacks(names, ["account-*"])).toEqual(["account-main"]);
    expect(selectStacks(names, [])).toEqual(names);
  });

  it("rejects a pattern that matches nothing, listing the stacks", () => {
    expect(() => selectStacks(names, ["qa-*"])).toThrow(StackSelectionError);
    expect(() => selectStacks(names, ["qa-*"])).toThrow(/matches no stack.*bootstrap, account-main, dev-infra/);
  });

  it("builds only the selected stacks", async () => {
    const stacks = await buildStacks(bundledConfig(), { stackPatterns: ["staging-*"] });
    expect([...stacks.keys()]).toEqual(["staging-dns", "staging-infra", "staging-platform"]);
  });
});

/** Project modules `file` loads when it is loaded: static value imports and re-exports (type-only ones are erased). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?"([^"]+)";/gms)].map((match) => match[1] as string);
  return specifiers
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => resolve(dirname(file), specifier))
    .map((path) => [`${path}.ts`, join(path, "index.ts")].find((candidate) => existsSync(candidate)) ?? path);
}

describe("selective synthesis", () => {
  it("loads a stack's constructs only when that stack is built: the entry point never reaches the stack classes statically", () => {
    const reached = new Set<string>();
    const pending = [join(ROOT, "main.ts")];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (reached.has(file)) continue;
      reached.add(file);
      pending.push(...staticImports(file));
    }
    const names = [...reached].map((file) => relative(ROOT, file));
    expect(names).toEqual(expect.arrayContaining(["stacks/app.ts", "stacks/names.ts", "config/loader.ts", "constructs/policy/index.ts"]));
    for (const module of ["stacks/bootstrap.ts", "stacks/account.ts", "stacks/infra.ts", "stacks/platform.ts", "stacks/tenant.ts", "constructs/product-workloads/index.ts", "constructs/tenant-product/index.ts"]) {
      expect(names, `${module} is loaded by every synthesis`).not.toContain(module);
    }
  });
});
