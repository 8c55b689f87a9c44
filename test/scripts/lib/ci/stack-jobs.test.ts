/**
 * What a deploy run does to each stack (scripts/lib/ci/stack-jobs.ts), with a fake Terraform: saved plans with their
 * lock file, the approval and preflight checks, the re-plan of a stack whose dependencies were applied first, the apply
 * of exactly the saved plan, a stale plan never applied blind, and the deploy record written only after success.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { changeCounts, countsText, hasChanges, isStalePlanError, reviewSummary, samePlan, type PlanStatus } from "../../../../scripts/lib/ci/plans";
import { applyChunk, checkChunk, PLAN_FILES, planChunk, type ExecResult, type Executor } from "../../../../scripts/lib/ci/stack-jobs";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const planJson = (actions: string[][]) =>
  JSON.stringify({ resource_changes: actions.map((action, index) => ({ address: `aws_s3_bucket.b${index}`, mode: "managed", change: { actions: action, before: null, after: { n: index } } })), output_changes: {} });
const NO_CHANGES = planJson([["no-op"]]);
const ONE_CREATE = planJson([["create"]]);

interface FakeStack {
  init?: number;
  plan?: number;
  json?: string;
  /** JSON of the re-plan after dependencies were applied. */
  recheckJson?: string;
  apply?: ExecResult;
}

/** A fake terraform/npm/aws: answers per stack, writes the files the real commands write, records every call. */
function fake(stacks: Record<string, FakeStack>, options: { preflight?: number; record?: number } = {}) {
  const calls: string[] = [];
  const exec: Executor = async (command, args) => {
    calls.push([command, ...args].join(" "));
    const ok = (stdout = ""): ExecResult => ({ code: 0, stdout, stderr: "" });
    if (command === "npm") return { code: options.preflight ?? 0, stdout: options.preflight ? "BLOCKED: the cluster endpoint is not reachable" : "ok", stderr: "" };
    if (command === "aws") return { code: options.record ?? 0, stdout: "", stderr: options.record ? "AccessDenied" : "" };
    const directory = (args[0] as string).replace("-chdir=", "");
    const stack = directory.split("/").at(-1) as string;
    const behaviour = stacks[stack] ?? {};
    const verb = args[1];
    if (verb === "init") {
      if (behaviour.init) return { code: behaviour.init, stdout: "", stderr: "Error: Failed to query available provider packages" };
      writeFileSync(join(directory, PLAN_FILES.lock), `# lock of ${stack}\n`);
      return ok();
    }
    if (verb === "plan") {
      const out = args.find((arg) => arg.startsWith("-out="))?.slice(5) as string;
      if (behaviour.plan === 1) return { code: 1, stdout: "", stderr: "Error: reading EKS cluster: not found" };
      writeFileSync(join(directory, out), `plan ${stack} ${out}`);
      return { code: out === PLAN_FILES.plan ? (behaviour.plan ?? 2) : 0, stdout: "", stderr: "" };
    }
    if (verb === "show") {
      const file = args.at(-1) as string;
      if (args.includes("-json")) return ok(file === PLAN_FILES.plan ? (behaviour.json ?? ONE_CREATE) : (behaviour.recheckJson ?? behaviour.json ?? ONE_CREATE));
      return ok(`Terraform will perform the following actions (${stack})`);
    }
    if (verb === "apply") return behaviour.apply ?? ok("Apply complete!");
    throw new Error(`unexpected ${command} ${args.join(" ")}`);
  };
  return { exec, calls };
}

function workspace(stacks: readonly string[]) {
  const root = mkdtempSync(join(tmpdir(), "ci-stack-jobs-"));
  dirs.push(root);
  for (const stack of stacks) {
    mkdirSync(join(root, "cdktf.out", "stacks", stack), { recursive: true });
    writeFileSync(join(root, "cdktf.out", "stacks", stack, "cdk.tf.json"), "{}");
  }
  mkdirSync(join(root, "approvals"), { recursive: true });
  return { outDir: join(root, "cdktf.out"), plansDir: join(root, "plans"), approvalsDir: join(root, "approvals"), root };
}

const base = (ws: ReturnType<typeof workspace>, stacks: string[], exec: Executor, extra: Partial<Parameters<typeof planChunk>[0]> = {}) =>
  planChunk({ stacks, afterOthers: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, environmentOf: () => "prod", hashOf: (stack) => `sha256:${stack}`, preflight: true, exec, ...extra });

const record = { bucket: "acme-state", region: "eu-west-1", keyOf: (stack: string, environment: string) => `environments/${environment}/${stack}/deployed.json`, bodyOf: (status: PlanStatus) => JSON.stringify({ stack: status.stack, hash: status.hash }) };

describe("plan", () => {
  it("saves each stack's plan, its text and JSON, the provider lock file and a status; plans never take the state lock", async () => {
    const ws = workspace(["prod-infra", "prod-platform"]);
    const { exec, calls } = fake({ "prod-platform": { plan: 0, json: NO_CHANGES } });
    const statuses = await base(ws, ["prod-infra", "prod-platform"], exec);
    expect(statuses.map((status) => [status.stack, status.outcome])).toEqual([
      ["prod-infra", "changes"],
      ["prod-platform", "no-changes"],
    ]);
    expect(statuses[0]?.counts).toMatchObject({ create: 1 });
    for (const file of Object.values(PLAN_FILES).filter((name) => name !== PLAN_FILES.recheck)) expect(existsSync(join(ws.plansDir, "prod-infra", file)), file).toBe(true);
    expect(calls.filter((call) => call.includes(" plan ")).every((call) => call.includes("-lock=false") && call.includes("-out=tfplan"))).toBe(true);
    // The preflight runs before each plan.
    expect(calls.indexOf("npm run --silent preflight -- prod-infra")).toBeLessThan(calls.findIndex((call) => call.includes("prod-infra plan")));
  });

  it("blocks a stack whose preflight fails, fails one that cannot be planned, defers one planned before its dependencies", async () => {
    const ws = workspace(["a", "b"]);
    expect((await base(ws, ["a"], fake({}, { preflight: 1 }).exec))[0]).toMatchObject({ outcome: "blocked", message: expect.stringContaining("BLOCKED: the cluster endpoint") });
    expect((await base(ws, ["a"], fake({ a: { plan: 1 } }).exec, { preflight: false }))[0]).toMatchObject({ outcome: "failed", message: expect.stringContaining("terraform plan failed") });
    expect((await base(ws, ["b"], fake({ b: { plan: 1 } }).exec, { preflight: false, afterOthers: new Set(["b"]) }))[0]).toMatchObject({ outcome: "deferred" });
    expect((await base(ws, ["missing"], fake({}).exec))[0]).toMatchObject({ outcome: "failed", message: expect.stringContaining("not downloaded") });
  });
});

describe("check and apply", () => {
  async function planned(stacks: Record<string, FakeStack>, names: string[]) {
    const ws = workspace(names);
    await base(ws, names, fake(stacks).exec, { preflight: false });
    return ws;
  }

  it("applies exactly the saved plan of an approved environment with its lock file, then writes the deploy record", async () => {
    const ws = await planned({}, ["prod-infra"]);
    writeFileSync(join(ws.approvalsDir, "prod.json"), "{}");
    const { exec, calls } = fake({});
    const checked = await checkChunk({ stacks: ["prod-infra"], recheck: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, approvalsDir: ws.approvalsDir, preflight: true, exec });
    expect(checked.settled).toEqual([]);
    expect(checked.cleared.map((status) => status.stack)).toEqual(["prod-infra"]);
    const applied = await applyChunk({ cleared: checked.cleared, outDir: ws.outDir, plansDir: ws.plansDir, exec, record, scratchDir: join(ws.root, "scratch") });
    expect(applied).toEqual([{ stack: "prod-infra", environment: "prod", outcome: "applied", message: "applied the approved plan" }]);
    const apply = calls.find((call) => call.includes(" apply "));
    expect(apply).toBe(`terraform -chdir=${ws.outDir}/stacks/prod-infra apply -input=false -no-color tfplan`);
    expect(calls).toContain(`terraform -chdir=${ws.outDir}/stacks/prod-infra init -input=false -no-color -lockfile=readonly`);
    expect(calls.at(-1)).toBe(`aws s3api put-object --bucket acme-state --key environments/prod/prod-infra/deployed.json --body ${join(ws.root, "scratch", "prod-infra.deployed.json")} --content-type application/json --region eu-west-1`);
    expect(readFileSync(join(ws.outDir, "stacks", "prod-infra", "tfplan"), "utf8")).toBe("plan prod-infra tfplan");
  });

  it("never applies a plan whose environment was not approved, whose preflight fails now, or whose plan failed", async () => {
    const ws = await planned({ "prod-dns": { plan: 1 } }, ["prod-infra", "prod-dns"]);
    const none = await checkChunk({ stacks: ["prod-infra", "prod-dns", "prod-gone"], recheck: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, approvalsDir: ws.approvalsDir, preflight: false, exec: fake({}).exec });
    expect(none.cleared).toEqual([]);
    expect(none.settled.map((status) => [status.stack, status.outcome])).toEqual([
      ["prod-infra", "not-approved"],
      ["prod-dns", "failed"],
      ["prod-gone", "failed"],
    ]);
    writeFileSync(join(ws.approvalsDir, "prod.json"), "{}");
    const blocked = await checkChunk({ stacks: ["prod-infra"], recheck: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, approvalsDir: ws.approvalsDir, preflight: true, exec: fake({}, { preflight: 1 }).exec });
    expect(blocked.settled.map((status) => status.outcome)).toEqual(["blocked"]);
  });

  it("records a stack whose plan changes nothing without an approval or an apply", async () => {
    const ws = await planned({ "dev-dns": { plan: 0, json: NO_CHANGES } }, ["dev-dns"]);
    const { exec, calls } = fake({});
    const checked = await checkChunk({ stacks: ["dev-dns"], recheck: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, approvalsDir: ws.approvalsDir, preflight: true, exec });
    const applied = await applyChunk({ cleared: checked.cleared, outDir: ws.outDir, plansDir: ws.plansDir, exec, record, scratchDir: join(ws.root, "scratch") });
    expect(applied.map((status) => status.outcome)).toEqual(["recorded"]);
    expect(calls.some((call) => call.includes(" apply "))).toBe(false);
  });

  it("re-plans a stack whose dependencies were applied first: applied only if the fresh plan proposes the approved changes", async () => {
    const ws = await planned({}, ["prod-tenant-a", "prod-tenant-b"]);
    writeFileSync(join(ws.approvalsDir, "prod.json"), "{}");
    const changed = planJson([["create"], ["update"]]);
    const result = await checkChunk({
      stacks: ["prod-tenant-a", "prod-tenant-b"],
      recheck: new Set(["prod-tenant-a", "prod-tenant-b"]),
      outDir: ws.outDir,
      plansDir: ws.plansDir,
      approvalsDir: ws.approvalsDir,
      preflight: false,
      exec: fake({ "prod-tenant-b": { recheckJson: changed } }).exec,
    });
    expect(result.cleared.map((status) => status.stack)).toEqual(["prod-tenant-a"]);
    expect(result.settled).toEqual([expect.objectContaining({ stack: "prod-tenant-b", outcome: "replan" })]);
  });

  it("defers a stack whose dependency in this run did not deploy", async () => {
    const ws = await planned({}, ["prod-tenant-a"]);
    writeFileSync(join(ws.approvalsDir, "prod.json"), "{}");
    const result = await checkChunk({ stacks: ["prod-tenant-a"], recheck: new Set(), outDir: ws.outDir, plansDir: ws.plansDir, approvalsDir: ws.approvalsDir, preflight: false, exec: fake({}).exec, undeployedDependencies: () => ["prod-platform"] });
    expect(result.settled).toEqual([expect.objectContaining({ outcome: "deferred", message: expect.stringContaining("prod-platform") })]);
  });

  it("reports a stale saved plan (the state changed since) and writes no record; a failed record write fails the stack", async () => {
    const ws = await planned({}, ["prod-infra", "prod-platform"]);
    const cleared = ["prod-infra", "prod-platform"].map((stack) => JSON.parse(readFileSync(join(ws.plansDir, stack, PLAN_FILES.status), "utf8")) as PlanStatus);
    const stale = { code: 1, stdout: "", stderr: "Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created." };
    const { exec, calls } = fake({ "prod-infra": { apply: stale } });
    const applied = await applyChunk({ cleared, outDir: ws.outDir, plansDir: ws.plansDir, exec, record, scratchDir: join(ws.root, "scratch") });
    expect(applied.map((status) => [status.stack, status.outcome])).toEqual([
      ["prod-infra", "stale"],
      ["prod-platform", "applied"],
    ]);
    expect(calls.filter((call) => call.startsWith("aws ")).map((call) => call.includes("prod-platform"))).toEqual([true]);
    const failedRecord = await applyChunk({ cleared: [cleared[1] as PlanStatus], outDir: ws.outDir, plansDir: ws.plansDir, exec: fake({}, { record: 1 }).exec, record, scratchDir: join(ws.root, "scratch") });
    expect(failedRecord[0]).toMatchObject({ outcome: "failed", message: expect.stringContaining("writing the deploy record failed") });
  });
});

describe("plans", () => {
  it("count changes by action, and compare what a reviewer approves (not timestamps or data reads)", () => {
    const json = JSON.stringify({
      resource_changes: [
        { address: "a", mode: "managed", change: { actions: ["create"] } },
        { address: "b", mode: "managed", change: { actions: ["delete", "create"] } },
        { address: "c", mode: "data", change: { actions: ["read"] } },
        { address: "d", mode: "managed", change: { actions: ["no-op"], importing: { id: "x" } } },
      ],
      output_changes: { o: { actions: ["update"] } },
    });
    expect(changeCounts(json)).toEqual({ create: 1, update: 0, replace: 1, delete: 0, import: 1, outputs: 1 });
    expect(countsText(changeCounts(json))).toBe("+1 -/+1 import 1 outputs 1");
    expect(hasChanges(changeCounts(NO_CHANGES))).toBe(false);
    const withTimestamp = JSON.stringify({ ...JSON.parse(ONE_CREATE), timestamp: "2026-12-06T08:00:00Z", prior_state: { x: 1 } });
    expect(samePlan(ONE_CREATE, withTimestamp)).toBe(true);
    expect(samePlan(ONE_CREATE, planJson([["update"]]))).toBe(false);
    expect(isStalePlanError("Error: Saved plan is stale")).toBe(true);
    expect(() => changeCounts("{", "x plan")).toThrow(/x plan: not the JSON of a plan/);
  });

  it("summarize a tier for its reviewers and ask one approval per environment whose plans change something", () => {
    const statuses: PlanStatus[] = [
      { stack: "prod-infra", environment: "prod", outcome: "changes", hash: "h", counts: { create: 1, update: 0, replace: 0, delete: 0, import: 0, outputs: 0 } },
      { stack: "prod-platform", environment: "prod", outcome: "changes", hash: "h", counts: { create: 0, update: 2, replace: 0, delete: 0, import: 0, outputs: 0 } },
      { stack: "prod-eu-infra", environment: "prod-eu", outcome: "no-changes", hash: "h" },
    ];
    const review = reviewSummary({ tier: "production", statuses, planTexts: new Map([["prod-infra", "+ aws_s3_bucket.b"]]), approvalEnvironments: new Map([["prod", "production-approval"]]) });
    expect(review.approvals).toEqual([{ environment: "prod", approvalEnvironment: "production-approval" }]);
    expect(review.markdown).toContain("approving GitHub environment `production-approval` applies exactly these plans");
    expect(review.markdown).toContain("+ aws_s3_bucket.b");
    expect(review.markdown).toContain("Nothing changes: no approval is requested");
  });
});
