/**
 * The stack manifest (scripts/lib/manifest.ts): what a run deploys (changed since the last successful deploy, all, or
 * patterns; never an administrator's stack), in which waves, chunked into matrices of at most 256 entries with each
 * entry's roles, region, runner and GitHub environments — at 1000 tenants and across two AWS accounts.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../../config/loader";
import { configWithTenants } from "../../../scripts/bench";
import { githubOutputs, manifestSummary } from "../../../scripts/manifest";
import {
  applyJobKey,
  canonicalJson,
  chunkStacks,
  CI_STAGES,
  computeManifest,
  deployRecord,
  MATRIX_LIMIT,
  ManifestError,
  planJobKey,
  readDeployRecords,
  recordScopes,
  stackHash,
  TIERS,
  type DeployRecord,
  type Manifest,
  type ManifestStack,
} from "../../../scripts/lib/manifest";
import { ciRoleForStack, stackCatalog, type StackEntry } from "../../../stacks/app";
import { MAIN_ACCOUNT, PROD_ACCOUNT, twoAccountConfigDir } from "../../support/accounts";
import { bundledConfig } from "../../support/synth";

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function hash(seed: string): string {
  return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

/** Hashes for every stack, and records for `deployed` (with the same hash unless `stale` names it). */
function world(catalog: readonly StackEntry[], deployed: (entry: StackEntry) => boolean, stale: ReadonlySet<string> = new Set()) {
  const hashes = new Map(catalog.map((entry) => [entry.name, hash(`new-${entry.name}`)]));
  const records = new Map<string, DeployRecord>();
  for (const entry of catalog.filter(deployed)) records.set(entry.name, deployRecord(entry.name, stale.has(entry.name) ? hash(`old-${entry.name}`) : (hashes.get(entry.name) as string)));
  return { hashes, records };
}

function entriesOf(manifest: Manifest, key: string) {
  return manifest.jobs[key]?.include ?? [];
}

/** Every dependency of a run's stack is in an earlier wave (tier, then stage) of the same run, or not in the run. */
function expectWaveOrder(manifest: Manifest, catalog: readonly StackEntry[]): void {
  const position = new Map(manifest.stacks.map((stack) => [stack.stack, [TIERS.indexOf(stack.tier), CI_STAGES.indexOf(stack.stage)] as const]));
  for (const stack of manifest.stacks) {
    const entry = catalog.find((item) => item.name === stack.stack) as StackEntry;
    const [tier, stage] = position.get(stack.stack) as readonly [number, number];
    for (const dependency of entry.dependsOn) {
      const before = position.get(dependency);
      if (!before) continue;
      expect(before[0] < tier || (before[0] === tier && before[1] < stage), `${dependency} before ${stack.stack}`).toBe(true);
      expect(stack.after).toContain(dependency);
    }
  }
}

describe("the manifest of the bundled configuration", () => {
  const config = bundledConfig();
  const catalog = stackCatalog(config);
  const ci = catalog.filter((entry) => entry.appliedBy === "ci");

  it("deploys nothing when every stack matches its record, and lists the administrator's stacks as a notice", () => {
    const { hashes, records } = world(catalog, () => true);
    const manifest = computeManifest({ config, mode: "deploy", hashes, records });
    expect(manifest.stacks).toEqual([]);
    expect([...manifest.unchanged].sort()).toEqual(ci.map((entry) => entry.name).sort());
    expect(manifest.administrator).toEqual(expect.arrayContaining(["bootstrap", "account-main"]));
    for (const matrix of Object.values(manifest.jobs)) expect(matrix.include).toEqual([]);
    expect(manifestSummary(manifest)).toContain("Applied by an administrator, never by CI");
  });

  it("deploys exactly the stacks whose synthesized output differs from their last successful deploy, and those never deployed", () => {
    // dev-platform changed; staging-infra's last deploy failed (no new record: its record is the older hash).
    const { hashes, records } = world(catalog, (entry) => entry.name !== "tenant-initech-platform", new Set(["dev-platform", "staging-infra"]));
    const manifest = computeManifest({ config, mode: "deploy", hashes, records });
    expect(manifest.stacks.map((stack) => [stack.stack, stack.reason])).toEqual([
      ["dev-platform", "changed"],
      ["staging-infra", "changed"],
      ["tenant-initech-platform", "never deployed"],
    ]);
    expect(entriesOf(manifest, planJobKey("development")).map((entry) => entry.stacks)).toEqual(["dev-platform"]);
    expect(entriesOf(manifest, applyJobKey("development", "platform")).map((entry) => entry.stacks)).toEqual(["dev-platform"]);
    expect(entriesOf(manifest, applyJobKey("staging", "infra")).map((entry) => entry.stacks)).toEqual(["staging-infra"]);
    expect(entriesOf(manifest, applyJobKey("production", "platform")).map((entry) => entry.stacks)).toEqual(["tenant-initech-platform"]);
  });

  it("never deploys an administrator's stack, even when it changed or a pattern names it", () => {
    const { hashes, records } = world(catalog, () => true, new Set(["bootstrap", "account-main"]));
    expect(computeManifest({ config, mode: "deploy", hashes, records }).stacks).toEqual([]);
    expect(() => computeManifest({ config, mode: "deploy", hashes, records, selection: ["account-*"] })).toThrow(ManifestError);
    expect(() => computeManifest({ config, mode: "deploy", hashes, records, selection: ["account-*"] })).toThrow(/match no stack CI applies/);
  });

  it("deploys all stacks or the stacks matching patterns on a manual run, even when unchanged", () => {
    const { hashes, records } = world(catalog, () => true);
    const prod = computeManifest({ config, mode: "deploy", hashes, records, selection: ["prod-*"] });
    expect(prod.stacks.map((stack) => stack.stack)).toEqual(["prod-dns", "prod-infra", "prod-platform", "prod-tenant-globex"]);
    expect(prod.stacks.every((stack) => stack.reason === "requested")).toBe(true);
    const all = computeManifest({ config, mode: "deploy", hashes, records, selection: "all" });
    expect(all.stacks.length + all.deferred.length).toBe(ci.length);
  });

  it("defers a stack whose dependency comes later in the run (staging's zone is delegated by prod-dns) and everything promoted after it", () => {
    const { hashes, records } = world(catalog, () => false);
    const manifest = computeManifest({ config, mode: "deploy", hashes, records });
    const deferred = new Map(manifest.deferred.map((item) => [item.stack, item.waitingFor]));
    expect(deferred.get("staging-infra")).toContain("prod-dns");
    // Production's non-DNS stacks wait for staging (promotion); the DNS stacks of every tier run now.
    for (const name of ["staging-platform", "prod-infra", "prod-platform", "prod-tenant-globex", "tenant-initech-infra"]) expect(deferred.has(name), name).toBe(true);
    expect(manifest.stacks.map((stack) => stack.stack)).toEqual(["dev-dns", "dev-infra", "dev-platform", "staging-dns", "prod-dns"]);
    expect(entriesOf(manifest, applyJobKey("production", "dns")).map((entry) => entry.stacks)).toEqual(["prod-dns"]);
    expectWaveOrder(manifest, catalog);
    expect(manifestSummary(manifest)).toContain("**Deferred**");
    // Once those are deployed (their records written), the follow-up run deploys the rest in order.
    const done = new Set(manifest.stacks.map((stack) => stack.stack));
    const next = computeManifest({ config, mode: "deploy", hashes, records: new Map([...done].map((name) => [name, deployRecord(name, hashes.get(name) as string)])) });
    expect(next.deferred).toEqual([]);
    expect(next.stacks.map((stack) => stack.stack)).toEqual(["staging-infra", "staging-platform", "prod-infra", "tenant-initech-infra", "prod-platform", "tenant-initech-platform", "prod-tenant-globex"]);
    expectWaveOrder(next, catalog);
  });

  it("gives each entry its stack's roles (ciRoleForStack), region, runner and GitHub environments", () => {
    const { hashes } = world(catalog, () => false);
    const manifest = computeManifest({ config, mode: "drift", hashes });
    expect(manifest.stacks.map((stack) => stack.stack).sort()).toEqual(ci.map((entry) => entry.name).sort());
    for (const stack of manifest.stacks) {
      const entry = catalog.find((item) => item.name === stack.stack) as StackEntry;
      expect(stack.planRole).toBe(ciRoleForStack(config, entry, "plan")?.arn);
      expect(stack.deployRole).toBe(ciRoleForStack(config, entry, "deploy")?.arn);
      expect(stack.region).toBe(entry.account.region);
      expect(stack.runner).toBe(entry.runner ?? "");
    }
    const byName = new Map(manifest.stacks.map((stack) => [stack.stack, stack]));
    expect(byName.get("prod-infra")).toMatchObject({ planRole: "arn:aws:iam::111111111111:role/acme-prod-ci-plan", deployRole: "arn:aws:iam::111111111111:role/acme-prod-ci-deploy", githubEnvironment: "production", approvalEnvironment: "production-approval", runner: "" });
    expect(byName.get("prod-platform")?.runner).toBe("acme-prod-ci-runner");
    expect(byName.get("prod-tenant-globex")?.runner).toBe("acme-prod-ci-runner");
    expect(byName.get("tenant-initech-platform")?.runner).toBe("acme-prod-initech-ci-runner");
    expect(byName.get("dev-dns")?.runner).toBe("");
    expect(manifest.jobs.plan?.include.length).toBe(ci.length);
  });

  it("in pull-request mode plans the affected stacks CI applies, and refuses synthesized output that is missing in deploy mode", () => {
    const manifest = computeManifest({ config, mode: "pull-request", selection: ["prod-tenant-globex", "bootstrap", "dev-platform"] });
    expect(manifest.stacks.map((stack) => stack.stack)).toEqual(["dev-platform", "prod-tenant-globex"]);
    expect(githubOutputs(manifest)).toContain('stacks=["dev-platform","prod-tenant-globex"]');
    expect(githubOutputs(manifest)).toMatch(/^plan-count=2$/m);
    expect(() => computeManifest({ config, mode: "deploy", hashes: new Map() })).toThrow(/no synthesized output for .*npm run synth/);
  });

  it("reads each environment's records with its plan role from its own prefix of the state bucket", () => {
    expect(recordScopes(config)).toEqual([
      { environment: "dev", planRole: "arn:aws:iam::111111111111:role/acme-dev-ci-plan", region: "eu-west-1", bucket: expect.stringMatching(/^acme-/), bucketRegion: "eu-west-1", prefix: "environments/dev/" },
      expect.objectContaining({ environment: "prod", prefix: "environments/prod/" }),
      expect.objectContaining({ environment: "staging", prefix: "environments/staging/" }),
    ]);
  });
});

describe("the manifest at 1000 tenants", () => {
  const dir = configWithTenants(1000);
  scratch.push(dir);
  const config: PlatformConfig = loadConfig(dir);
  const catalog = stackCatalog(config);
  // The DNS stacks are deployed; everything else (1000 new tenants, every environment's infra and platform) is new.
  const { hashes, records } = world(catalog, (entry) => entry.stage === "dns");
  const manifest = computeManifest({ config, mode: "deploy", hashes, records, catalog });

  it("deploys every changed stack in waves: development, staging, production; dns, infra, platform, tenant", () => {
    expect(manifest.deferred).toEqual([]);
    expect(manifest.stacks.length).toBe(catalog.filter((entry) => entry.appliedBy === "ci" && entry.stage !== "dns").length);
    expect(manifest.stacks.filter((stack) => stack.stage === "tenant").length).toBe(1001);
    const waves = manifest.stacks.map((stack) => `${stack.tier}/${stack.stage}`);
    expect([...new Set(waves)]).toEqual(["development/infra", "development/platform", "staging/infra", "staging/platform", "production/infra", "production/platform", "production/tenant"]);
    expectWaveOrder(manifest, catalog);
    // A tenant is applied after its platform, re-planned against it before its apply.
    expect(manifest.stacks.find((stack) => stack.stack === "prod-tenant-bench0999")?.after).toEqual(["prod-platform"]);
  });

  it("chunks every job's matrix to at most 256 entries, covering each stack exactly once, never mixing roles or runners", () => {
    for (const [key, matrix] of Object.entries(manifest.jobs)) expect(matrix.include.length, key).toBeLessThanOrEqual(MATRIX_LIMIT);
    const plan = entriesOf(manifest, planJobKey("production"));
    expect(plan.length).toBeGreaterThan(200);
    const planned = plan.flatMap((entry) => entry.stacks.split(" "));
    expect(planned.length).toBe(new Set(planned).size);
    expect(new Set(planned)).toEqual(new Set(manifest.stacks.filter((stack) => stack.tier === "production").map((stack) => stack.stack)));
    const byName = new Map(manifest.stacks.map((stack) => [stack.stack, stack]));
    for (const entry of plan) {
      for (const name of entry.stacks.split(" ")) {
        const stack = byName.get(name) as ManifestStack;
        expect([stack.stage, stack.planRole, stack.deployRole, stack.runner, stack.githubEnvironment, stack.accountId], name).toEqual([entry.stage, entry.planRole, entry.deployRole, entry.runner, entry.githubEnvironment, entry.accountId]);
      }
      expect(entry.recheck.split(" ").filter(Boolean).every((name) => entry.stacks.split(" ").includes(name))).toBe(true);
    }
    // The apply jobs split the same entries by stage.
    const applied = CI_STAGES.flatMap((stage) => entriesOf(manifest, applyJobKey("production", stage)));
    expect(applied.map((entry) => entry.id).sort()).toEqual(plan.map((entry) => entry.id).sort());
    expect(entriesOf(manifest, applyJobKey("production", "tenant")).every((entry) => entry.planRole === "arn:aws:iam::111111111111:role/acme-prod-ci-plan" && entry.runner === "acme-prod-ci-runner")).toBe(true);
    expect(entriesOf(manifest, applyJobKey("production", "platform")).map((entry) => entry.stacks).sort()).toEqual(["prod-platform", "tenant-initech-platform"]);
  });

  it("deploys only the one tenant that changed once the rest is recorded", () => {
    const { hashes: current, records: deployed } = world(catalog, () => true, new Set(["prod-tenant-bench0500"]));
    const one = computeManifest({ config, mode: "deploy", hashes: current, records: deployed, catalog });
    expect(one.stacks.map((stack) => stack.stack)).toEqual(["prod-tenant-bench0500"]);
    expect(entriesOf(one, applyJobKey("production", "tenant"))).toEqual([expect.objectContaining({ id: "prod-tenant-bench0500", stacks: "prod-tenant-bench0500", recheck: "" })]);
  });
});

describe("chunking", () => {
  const base = computeManifest({ config: bundledConfig(), mode: "pull-request", selection: ["prod-tenant-globex"] }).stacks[0] as ManifestStack;
  const many = (count: number, extra: Partial<ManifestStack> = {}) => Array.from({ length: count }, (_, index) => ({ ...base, ...extra, stack: `s${index}` }));

  it("keeps one stack per entry while they fit, then the fewest stacks per entry that fit", () => {
    expect(chunkStacks(many(256), 256, "t").length).toBe(256);
    const packed = chunkStacks(many(257), 256, "t");
    expect(packed.length).toBe(129);
    expect(packed[0]?.stacks).toBe("s0 s1");
    expect(packed[0]?.id).toBe("s0+1");
  });

  it("refuses more distinct groups than a matrix may hold", () => {
    const groups = Array.from({ length: 3 }, (_, index) => ({ ...base, stack: `g${index}`, runner: `r${index}` }));
    expect(() => chunkStacks(groups, 2, "prod-plan")).toThrow(/prod-plan: 3 groups .* more than the 2 entries/);
  });
});

describe("two AWS accounts, end to end through the manifest", () => {
  const dir = twoAccountConfigDir();
  scratch.push(dir);
  const config = loadConfig(dir);
  const manifest = computeManifest({ config, mode: "drift", hashes: new Map(stackCatalog(config).map((entry) => [entry.name, hash(entry.name)])) });

  it("gives every entry its environment's roles in the stack's own account", () => {
    const byName = new Map(manifest.stacks.map((stack) => [stack.stack, stack]));
    expect(byName.get("prod-infra")).toMatchObject({ accountId: PROD_ACCOUNT, planRole: `arn:aws:iam::${PROD_ACCOUNT}:role/acme-prod-ci-plan`, deployRole: `arn:aws:iam::${PROD_ACCOUNT}:role/acme-prod-ci-deploy` });
    expect(byName.get("prod-tenant-globex")?.accountId).toBe(PROD_ACCOUNT);
    // initech is a production tenant in the main account: production's roles there.
    expect(byName.get("tenant-initech-infra")).toMatchObject({ accountId: MAIN_ACCOUNT, planRole: `arn:aws:iam::${MAIN_ACCOUNT}:role/acme-prod-ci-plan` });
    expect(byName.get("dev-infra")?.planRole).toBe(`arn:aws:iam::${MAIN_ACCOUNT}:role/acme-dev-ci-plan`);
    for (const stack of manifest.stacks) {
      expect(stack.planRole.split(":")[4], stack.stack).toBe(stack.accountId);
      expect(stack.deployRole.split(":")[4], stack.stack).toBe(stack.accountId);
    }
    // Entries never mix accounts.
    for (const entry of manifest.jobs.plan?.include ?? []) for (const name of entry.stacks.split(" ")) expect(byName.get(name)?.accountId).toBe(entry.accountId);
    expect(recordScopes(config).find((scope) => scope.environment === "prod")?.planRole).toBe(`arn:aws:iam::${PROD_ACCOUNT}:role/acme-prod-ci-plan`);
  });
});

describe("hashes and records", () => {
  const dir = mkdtempSync(join(tmpdir(), "manifest-"));
  scratch.push(dir);

  it("hash what Terraform reads: key order and `//` comments do not count, assets do", () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    mkdirSync(join(a, "assets", "x"), { recursive: true });
    mkdirSync(join(b, "assets", "x"), { recursive: true });
    writeFileSync(join(a, "cdk.tf.json"), JSON.stringify({ "//": { metadata: { version: "1" } }, resource: { b: 1, a: { z: [1, 2], y: "v" } } }));
    writeFileSync(join(b, "cdk.tf.json"), JSON.stringify({ resource: { a: { y: "v", z: [1, 2] }, b: 1 }, "//": { metadata: { version: "2" } } }));
    writeFileSync(join(a, "assets", "x", "f.txt"), "one");
    writeFileSync(join(b, "assets", "x", "f.txt"), "one");
    expect(stackHash(a)).toBe(stackHash(b));
    expect(stackHash(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
    writeFileSync(join(b, "assets", "x", "f.txt"), "two");
    expect(stackHash(a)).not.toBe(stackHash(b));
    expect(canonicalJson({ b: [2, 1], a: null })).toBe('{"a":null,"b":[2,1]}');
    expect(() => stackHash(join(dir, "missing"))).toThrow(/cdk.tf.json not found/);
  });

  it("read records by stack, and distrust one that does not parse or names another stack (that stack is deployed again)", () => {
    const records = join(dir, "records");
    for (const [stack, body] of [
      ["dev-infra", JSON.stringify(deployRecord("dev-infra", hash("x"), { commit: "abc" }))],
      ["dev-platform", "{not json"],
      ["dev-dns", JSON.stringify(deployRecord("dev-infra", hash("y")))],
    ] as const) {
      mkdirSync(join(records, "environments", "dev", stack), { recursive: true });
      writeFileSync(join(records, "environments", "dev", stack, "deployed.json"), body);
    }
    const read = readDeployRecords(records);
    expect([...read.records.keys()]).toEqual(["dev-infra"]);
    expect(read.problems).toEqual([expect.stringMatching(/dev-dns\/deployed.json: records stack dev-infra, not dev-dns/), expect.stringMatching(/dev-platform\/deployed.json: not JSON/)]);
    expect(readDeployRecords(join(dir, "none"))).toEqual({ records: new Map(), problems: [] });
  });
});
