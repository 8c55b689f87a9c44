/**
 * CI workflows: valid GitHub workflows (the upstream JSON schema, converted into the project, and actionlint),
 * generated and never stale, every action pinned by SHA, the same bytes whatever the tenants and stacks are, and wired
 * as the design requires (fixed jobs whose matrices come from the manifest, roles per entry, one approval per
 * environment, saved plans applied, concurrency that never cancels a job holding state locks, forks offline).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../config/loader";
import { CONVERTED_SCHEMA, stripDocumentation } from "../../scripts/convert-workflow-schema";
import { ACTION_PINS_FILE as CONVERTER_PINS_FILE, parseActionTable, readActionPins } from "../../scripts/convert-github-actions";
import { applyJobKey, CI_STAGES, planJobKey, TIERS, type CiStage } from "../../scripts/lib/manifest";
import { ACTION_PINS_FILE, ACTIONS, approveJobKey, gateJobKey, renderWorkflows, reviewJobKey, STACK_RUNS_ON } from "../../scripts/lib/workflows";
import { WORKFLOW_DIR } from "../../scripts/workflows";
import { actionlint } from "../support/actionlint";
import { bundledConfig, tempConfig } from "../support/synth";

type Step = { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, unknown>; if?: string; env?: Record<string, string>; "continue-on-error"?: boolean };
type Job = {
  needs?: string | string[];
  "runs-on": string;
  environment?: { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix: unknown; "max-parallel"?: number; "fail-fast"?: boolean };
  if?: string;
  outputs?: Record<string, string>;
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; concurrency?: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };

const config = bundledConfig();
const files = readdirSync(WORKFLOW_DIR).filter((file) => /\.ya?ml$/.test(file));
const texts = new Map(files.map((file) => [file, readFileSync(join(WORKFLOW_DIR, file), "utf8")]));
const workflows = new Map(files.map((file) => [file, parse(texts.get(file) as string) as Workflow]));
const deploy = workflows.get("deploy.yml") as Workflow;
const pullRequest = workflows.get("pull-request.yml") as Workflow;
const drift = workflows.get("drift.yml") as Workflow;

function needs(job: Job): string[] {
  return [job.needs ?? []].flat();
}
const run = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");
const credentials = (job: Job) => job.steps.filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"));

describe("workflow files", () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(CONVERTED_SCHEMA, "utf8")) as object);

  it.each(files)("%s validates against the GitHub workflow JSON schema", (file) => {
    const valid = validate(workflows.get(file));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema rejects an invalid workflow (the validator really validates)", () => {
    expect(validate({ on: "push", jobs: { build: { "runs-on": "ubuntu-latest", stepz: [] } } })).toBe(false);
    expect(validate({ on: "push", jobs: { build: { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] } } })).toBe(true);
  });

  it.each(files)("%s passes actionlint (expressions, contexts, job outputs, needs, matrices)", async (file) => {
    expect(await actionlint(texts.get(file) as string, `.github/workflows/${file}`)).toEqual([]);
  });

  it("actionlint finds errors (the linter really lints)", async () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.x }}\n      - run: echo ${{ needs.nothing.outputs.y }}\n";
    const found = await actionlint(broken, "broken.yml");
    expect(found.map((error) => error.kind)).toEqual(expect.arrayContaining(["expression"]));
    expect(found.length).toBeGreaterThanOrEqual(2);
  });

  it("are generated and not stale (npm run workflows)", () => {
    const expected = renderWorkflows(config);
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) expect(texts.get(file), file).toBe(content);
  });

  it("the converted schema records its source and keeps only facts", () => {
    const schema = JSON.parse(readFileSync(CONVERTED_SCHEMA, "utf8")) as Record<string, unknown>;
    expect(schema.$comment).toMatch(/^Converted by scripts\/convert-workflow-schema\.ts from SchemaStore .* \(upstream sha256 [0-9a-f]{64}\)/);
    expect(JSON.stringify(schema)).not.toContain('"markdownDescription"');
    // A property named "description" (workflow_dispatch inputs) is a name, not documentation: it stays.
    expect(stripDocumentation({ properties: { description: { type: "string", description: "doc" } }, description: "doc" })).toEqual({ properties: { description: { type: "string" } } });
  });
});

describe("pinned actions", () => {
  const pins = readActionPins().actions;
  const uses = [...texts].flatMap(([file, text]) => [...text.matchAll(/^\s*(?:- )?uses: (.+)$/gm)].map((match) => ({ file, line: match[1] as string })));

  it("pins every `uses:` by a full 40-hex commit SHA with its release tag as a comment, from the converted list", () => {
    expect(uses.length).toBeGreaterThan(20);
    for (const { file, line } of uses) {
      const match = /^([\w.-]+\/[\w.-]+)(\/[\w./-]+)?@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
      expect(match, `${file}: ${line}`).not.toBeNull();
      const pin = pins[(match as RegExpExecArray)[1] as string];
      expect(pin, line).toBeDefined();
      expect([(match as RegExpExecArray)[3], (match as RegExpExecArray)[4]]).toEqual([pin?.sha, pin?.tag]);
    }
  });

  it("uses only actions on Node 24 (runner v2.327.1 or later), on the newest release the converted list records", () => {
    for (const action of Object.values(ACTIONS)) {
      const repository = /^([\w.-]+\/[\w.-]+)/.exec(action)?.[1] as string;
      expect(pins[repository]?.using, repository).toBe("node24");
    }
    expect(ACTIONS.checkout).toBe("actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1");
    expect(ACTIONS.uploadSarif).toBe("github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e");
    // Not in the upstream table: pinned from the repository's release tag, with its source recorded.
    expect(pins["infracost/actions"]).toMatchObject({ tag: "v4.2.0", sha: "fb736a8f219195d6efdca58682069b16fe1bc280", using: "node24" });
    expect(pins["infracost/actions"]?.source).toMatch(/snapshot/);
  });

  it("the converter reads the upstream table's newest-release column and refuses a row without a SHA", () => {
    expect(CONVERTER_PINS_FILE).toBe(ACTION_PINS_FILE);
    const table = [
      "| action | newest release | SHA | date | runs.using | newest in the major used today | SHA | notes |",
      "|---|---|---|---|---|---|---|---|",
      "| actions/checkout | v7.0.1 (`v7` → same) | `3d3c42e5aac5ba805825da76410c181273ba90b1` | 2026-07-17 | node24 | v4.4.0 | `11d5960a326750d5838078e36cf38b85af677262` | x |",
      "| github/codeql-action (`upload-sarif`) | v4.36.2 (`v4` → same; annotated) | `8aad20d150bbac5944a9f9d289da16a4b0d87c1e` | 2026-06-04 | `upload-sarif`: node24 (stub) | v3 | `dd903d2e4f5405488e5ef1422510ee31c8b32357` | y |",
    ].join("\n");
    expect(parseActionTable(table, "t.md")).toEqual({
      "actions/checkout": { repository: "actions/checkout", tag: "v7.0.1", sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", date: "2026-07-17", using: "node24", source: "t.md (newest release column)" },
      "github/codeql-action": { repository: "github/codeql-action", tag: "v4.36.2", sha: "8aad20d150bbac5944a9f9d289da16a4b0d87c1e", date: "2026-06-04", using: "node24", source: "t.md (newest release column)" },
    });
    expect(() => parseActionTable("| actions/cache | v5.0.5 | `main` | 2026-04-13 | node24 | - | - | - |", "t.md")).toThrow(/cannot read the row/);
  });
});

describe("workflow files do not change with tenants or stacks", () => {
  it("are byte-identical after adding a shared tenant, a dedicated tenant and an environment's worth of stacks", () => {
    const before = renderWorkflows(config);
    const dir = tempConfig({
      write: {
        "tenants/umbrella.yaml": "id: umbrella\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts:\n  noor: {}\n",
        "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: dedicated\nnetwork:\n  cidr: 10.129.0.0/16\nproducts:\n  smartedu: {}\n",
      },
    });
    const after = loadConfig(dir);
    expect(after.tenants.map(({ config: tenant }) => tenant.id)).toEqual(expect.arrayContaining(["umbrella", "hooli"]));
    expect(renderWorkflows(after)).toEqual(before);
  });

  it("name no stack, environment, account or role", () => {
    const all = [...texts.values()].join("\n");
    for (const word of ["prod-infra", "dev-platform", "globex", "initech", "111111111111", ":role/"]) expect(all, word).not.toContain(word);
  });
});

describe("deploy workflow", () => {
  it("runs on pushes to the deploy branch and on dispatch (changed, all or patterns), one run at a time, never cancelled", () => {
    expect(deploy.on).toMatchObject({ push: { branches: [config.project.github.deployBranch] }, workflow_dispatch: { inputs: { stacks: { default: "changed" }, chain: { default: "0" } } } });
    expect(deploy.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
    expect(run(deploy.jobs.manifest as Job)).toContain('npm run --silent manifest -- deploy --out-dir cdktf.out --records records --stacks "$STACKS"');
    expect((deploy.jobs.manifest as Job).steps.find((step) => step.id === "manifest")?.env).toEqual({ STACKS: "${{ inputs.stacks || 'changed' }}" });
  });

  it("has a fixed set of jobs: synth, records, manifest, then per tier plan, review, approve, one apply per stage, gate; and the outcome", () => {
    const expected = ["synth", "records", "manifest", ...TIERS.flatMap((tier) => [planJobKey(tier), reviewJobKey(tier), approveJobKey(tier), ...CI_STAGES.map((stage) => applyJobKey(tier, stage)), gateJobKey(tier)]), "outcome"];
    expect(Object.keys(deploy.jobs)).toEqual(expected);
    expect(needs(deploy.jobs.manifest as Job)).toEqual(["synth", "records"]);
    // Every stack job's matrix is the manifest's output for that job, bounded.
    for (const tier of TIERS) {
      for (const key of [planJobKey(tier), ...CI_STAGES.map((stage) => applyJobKey(tier, stage))]) {
        const job = deploy.jobs[key] as Job;
        expect(job.strategy?.matrix, key).toBe(`\${{ fromJSON(needs.manifest.outputs['${key}']) }}`);
        expect(job.strategy?.["max-parallel"], key).toBeGreaterThan(0);
        expect(job.strategy?.["fail-fast"], key).toBe(false);
        expect(job.if, key).toContain(`needs.manifest.outputs['${key}-count'] != '0'`);
        expect(job["runs-on"], key).toBe(STACK_RUNS_ON);
      }
    }
    expect(STACK_RUNS_ON).toBe("${{ matrix.runner != '' && format('codebuild-{0}-{1}-{2}', matrix.runner, github.run_id, github.run_attempt) || 'ubuntu-latest' }}");
  });

  it("plans with the entry's plan role, applies with its deploy role in its GitHub environment, reads records with each environment's plan role", () => {
    for (const tier of TIERS) {
      const plan = deploy.jobs[planJobKey(tier)] as Job;
      expect(credentials(plan).map((step) => step.with?.["role-to-assume"])).toEqual(["${{ matrix.planRole }}"]);
      expect(credentials(plan)[0]?.with?.["aws-region"]).toBe("${{ matrix.region }}");
      expect(plan.environment).toBeUndefined();
      expect(run(plan)).toContain("npm run --silent ci -- plan");
      expect(run(plan)).toContain("--preflight");
      for (const stage of CI_STAGES) {
        const apply = deploy.jobs[applyJobKey(tier, stage)] as Job;
        expect(apply.environment).toEqual({ name: "${{ matrix.githubEnvironment }}" });
        expect(apply.permissions).toEqual({ "id-token": "write", contents: "read" });
        // The checks (approval, preflight, re-plan) with the plan role, then the apply with the deploy role.
        expect(credentials(apply).map((step) => step.with?.["role-to-assume"])).toEqual(["${{ matrix.planRole }}", "${{ matrix.deployRole }}"]);
        const commands = run(apply);
        expect(commands.indexOf("ci -- check")).toBeLessThan(commands.indexOf("ci -- apply"));
        expect(commands).toContain("--preflight");
        expect(commands).not.toContain("cdktf deploy");
        expect(apply.steps.find((step) => step.name === "Download the approved plans")?.with).toEqual({ name: `plans-${tier}-\${{ matrix.id }}`, path: "plans" });
      }
    }
    expect(credentials(deploy.jobs.records as Job)[0]?.with?.["role-to-assume"]).toBe("${{ matrix.planRole }}");
    expect((deploy.jobs.records as Job).strategy?.matrix).toBe("${{ fromJSON(needs.synth.outputs.scopes) }}");
  });

  it("asks ONE approval per environment per tier, in the environment's approval GitHub environment, before any apply of the tier", () => {
    for (const tier of TIERS) {
      const approve = deploy.jobs[approveJobKey(tier)] as Job;
      expect(approve.environment).toEqual({ name: "${{ matrix.approvalEnvironment }}" });
      expect(approve.strategy?.matrix).toBe(`\${{ fromJSON(needs['${reviewJobKey(tier)}'].outputs.approvals) }}`);
      expect(credentials(approve)).toEqual([]);
      for (const stage of CI_STAGES) expect(needs(deploy.jobs[applyJobKey(tier, stage)] as Job)).toEqual(expect.arrayContaining([reviewJobKey(tier), approveJobKey(tier)]));
      expect(run(deploy.jobs[reviewJobKey(tier)] as Job)).toContain(`ci -- review --tier ${tier}`);
    }
  });

  it("applies stage after stage within a tier and promotes a tier only after every earlier tier's gate", () => {
    for (const [index, tier] of TIERS.entries()) {
      for (const [position, stage] of CI_STAGES.slice(1).entries()) expect(needs(deploy.jobs[applyJobKey(tier, stage)] as Job)).toContain(applyJobKey(tier, CI_STAGES[position] as CiStage));
      const earlier = TIERS.slice(0, index).map(gateJobKey);
      const plan = deploy.jobs[planJobKey(tier)] as Job;
      expect(needs(plan)).toEqual(expect.arrayContaining(earlier));
      for (const gate of earlier) expect(plan.if).toContain(`needs['${gate}'].outputs.promote == 'true'`);
    }
    expect(TIERS).toEqual(["development", "staging", "production"]);
    // No cycle: every job's needs resolve in some order.
    const pending = new Map(Object.entries(deploy.jobs).map(([id, job]) => [id, new Set(needs(job))]));
    const done = new Set<string>();
    while (pending.size > 0) {
      const ready = [...pending].filter(([, wanted]) => [...wanted].every((id) => done.has(id))).map(([id]) => id);
      expect(ready, `jobs waiting on each other: ${[...pending.keys()].join(", ")}`).not.toEqual([]);
      for (const id of ready) {
        done.add(id);
        pending.delete(id);
      }
    }
  });

  it("never cancels an apply (it holds state locks); a follow-up run is dispatched for deferred, stale or re-planned stacks", () => {
    for (const tier of TIERS) for (const stage of CI_STAGES) expect((deploy.jobs[applyJobKey(tier, stage)] as Job).concurrency?.["cancel-in-progress"]).toBe(false);
    const outcome = deploy.jobs.outcome as Job;
    expect(outcome.permissions).toEqual({ contents: "read", actions: "write" });
    const dispatch = outcome.steps.find((step) => step.uses?.startsWith("actions/github-script"));
    expect(dispatch?.if).toBe("${{ steps.outcome.outputs.follow-up == 'true' }}");
    expect(String(dispatch?.with?.script)).toContain("createWorkflowDispatch");
  });

  it("keeps saved plans (with the provider lock file) as short-lived artifacts", () => {
    const upload = (deploy.jobs[planJobKey("production")] as Job).steps.find((step) => step.name === "Upload the saved plans");
    expect(upload?.with).toMatchObject({ name: "plans-production-${{ matrix.id }}", path: "plans/", "include-hidden-files": true, "retention-days": 3 });
  });
});

describe("pull-request workflow", () => {
  const verify = pullRequest.jobs.verify as Job;
  const diff = pullRequest.jobs.diff as Job;
  const report = pullRequest.jobs.report as Job;

  it("installs, tests, synthesizes, runs the policy, posts the change report and computes the manifest of the affected stacks", () => {
    const commands = run(verify);
    for (const command of ["npm ci", "npm test", "npm run synth", "npm run policy", "npm run --silent review -- --base", "npm run --silent manifest -- pull-request --affected reports/affected.json"]) expect(commands).toContain(command);
    expect(verify.steps.some((step) => step.uses?.startsWith("actions/github-script") && step.env?.MARKER === "<!-- platform-change-report -->")).toBe(true);
    expect(verify.permissions).toMatchObject({ "security-events": "write", "pull-requests": "write" });
    expect(verify.outputs).toMatchObject({ plan: "${{ steps.manifest.outputs.plan }}", "plan-count": "${{ steps.manifest.outputs.plan-count }}" });
  });

  it("never fails the job when code scanning is unavailable (continue-on-error on the SARIF upload only)", () => {
    const sarif = verify.steps.find((step) => step.uses?.startsWith("github/codeql-action/upload-sarif"));
    expect(sarif?.with?.sarif_file).toBe("reports/policy/policy.sarif");
    expect(sarif?.["continue-on-error"]).toBe(true);
    expect(verify.steps.filter((step) => step["continue-on-error"]).length).toBe(1);
  });

  it("plans each affected stack with its entry's read-only plan role on its runner, one comment per stack, stale comments removed", () => {
    expect(diff.needs).toBe("verify");
    expect(diff.strategy?.matrix).toBe("${{ fromJSON(needs.verify.outputs.plan) }}");
    expect(diff["runs-on"]).toBe(STACK_RUNS_ON);
    expect(diff.permissions).toMatchObject({ "id-token": "write", contents: "read" });
    expect(credentials(diff).map((step) => step.with?.["role-to-assume"])).toEqual(["${{ matrix.planRole }}"]);
    expect(diff.steps.find((step) => step.uses?.startsWith("hashicorp/setup-terraform"))?.with).toMatchObject({ terraform_wrapper: false });
    expect(pullRequest.env?.TF_PLUGIN_CACHE_DIR).toBeTruthy();
    expect(run(diff)).toContain('npm run --silent ci -- plan --stacks "$STACKS"');
    expect(run(diff)).not.toContain("--preflight");
    const comment = diff.steps.find((step) => step.name?.startsWith("Comment each stack's plan"));
    expect(String(comment?.with?.script)).toContain("<!-- cdktf-diff:");
    const cleanup = verify.steps.find((step) => step.name === "Remove the plan comments of stacks no longer affected");
    expect(cleanup?.env).toEqual({ PLANNED: "${{ steps.manifest.outputs.stacks }}" });
    expect(String(cleanup?.with?.script)).toContain("deleteComment");
    expect(diff.environment).toBeUndefined();
  });

  it("cancels the verify and report jobs on a newer push, never a plan job; no workflow-level cancellation", () => {
    expect(pullRequest.concurrency).toBeUndefined();
    expect(verify.concurrency).toEqual({ group: "pull-request-${{ github.event.pull_request.number }}-verify", "cancel-in-progress": true });
    expect(report.concurrency?.["cancel-in-progress"]).toBe(true);
    expect(diff.concurrency).toEqual({ group: "pull-request-${{ github.event.pull_request.number }}-plan-${{ matrix.id }}", "cancel-in-progress": false });
  });

  it("gives a fork the offline report only: no plan job, no comments, no SARIF upload, no secrets", () => {
    const sameRepository = "github.event.pull_request.head.repo.full_name == github.repository";
    expect(diff.if).toContain(sameRepository);
    expect(report.if).toContain(sameRepository);
    for (const step of verify.steps.filter((item) => item.uses?.startsWith("actions/github-script") || item.uses?.startsWith("github/codeql-action"))) expect(step.if, step.name).toContain(sameRepository);
    expect(texts.get("pull-request.yml")).not.toContain("pull_request_target");
    expect(run(verify)).not.toContain("secrets.");
  });
});

describe("drift workflow", () => {
  it("plans every stack nightly with the plan roles and opens, updates or closes one labelled issue per stack", () => {
    expect(drift.on).toMatchObject({ schedule: [{ cron: "30 2 * * *" }] });
    expect(run(drift.jobs.manifest as Job)).toContain("manifest -- drift");
    const plan = drift.jobs.plan as Job;
    expect(credentials(plan).map((step) => step.with?.["role-to-assume"])).toEqual(["${{ matrix.planRole }}"]);
    expect(JSON.stringify(drift)).not.toContain("deployRole");
    const report = drift.jobs.report as Job;
    expect(report.permissions).toEqual({ contents: "read", issues: "write" });
    const script = String(report.steps.find((step) => step.uses?.startsWith("actions/github-script"))?.with?.script);
    for (const call of ["issues.create(", "issues.update(", "state: 'closed'", "labels: [label]"]) expect(script).toContain(call);
  });
});
