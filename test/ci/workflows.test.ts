/**
 * CI workflows: valid GitHub workflows (the upstream JSON schema, converted into the project), generated from
 * configuration (never stale), and wired as the design requires (OIDC roles, dependency order, approvals,
 * one concurrency group per stack, Terraform wrapper off, provider cache).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ciRoleForStack, stackCatalog } from "../../stacks/app";
import { CONVERTED_SCHEMA, stripDocumentation } from "../../scripts/convert-workflow-schema";
import { deployPlan, jobId, planRoles, renderWorkflows } from "../../scripts/lib/workflows";
import { WORKFLOW_DIR } from "../../scripts/workflows";
import { bundledConfig } from "../support/synth";

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  environment?: { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown> };
  if?: string;
  steps: Step[];
};
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; jobs: Record<string, Job> };

const config = bundledConfig();
const files = readdirSync(WORKFLOW_DIR).filter((file) => /\.ya?ml$/.test(file));
const workflows = new Map(files.map((file) => [file, parse(readFileSync(join(WORKFLOW_DIR, file), "utf8")) as Workflow]));
const deploy = workflows.get("deploy.yml") as Workflow;
const pullRequest = workflows.get("pull-request.yml") as Workflow;

function needs(job: Job): string[] {
  return [job.needs ?? []].flat();
}

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

  it("are generated from the bundled configuration and not stale (npm run workflows)", () => {
    const expected = renderWorkflows(config);
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const [file, content] of Object.entries(expected)) expect(readFileSync(join(WORKFLOW_DIR, file), "utf8"), file).toBe(content);
  });

  it("the converted schema records its source and keeps only facts", () => {
    const schema = JSON.parse(readFileSync(CONVERTED_SCHEMA, "utf8")) as Record<string, unknown>;
    expect(schema.$comment).toMatch(/^Converted by scripts\/convert-workflow-schema\.ts from SchemaStore .* \(upstream sha256 [0-9a-f]{64}\)/);
    expect(JSON.stringify(schema)).not.toContain('"markdownDescription"');
    // A property named "description" (workflow_dispatch inputs) is a name, not documentation: it stays.
    expect(stripDocumentation({ properties: { description: { type: "string", description: "doc" } }, description: "doc" })).toEqual({ properties: { description: { type: "string" } } });
  });
});

describe("deploy workflow", () => {
  const deployJobs = Object.entries(deploy.jobs).filter(([id]) => id.startsWith("deploy-"));

  it("runs on pushes to the deploy branch, synthesizes once and deploys every stack but the administrator's (bootstrap, account-*)", () => {
    expect(deploy.on).toMatchObject({ push: { branches: [config.project.github.deployBranch] } });
    const stacks = stackCatalog(config).filter((entry) => entry.appliedBy === "ci").map((entry) => entry.name);
    expect(stacks.some((name) => name.startsWith("account-"))).toBe(false);
    expect(deployJobs.map(([id]) => id).sort()).toEqual(stacks.map(jobId).sort());
    expect(deploy.jobs["deploy-bootstrap"]).toBeUndefined();
    for (const [, job] of deployJobs) {
      expect(needs(job)).toContain("synth");
      expect(job.steps.some((step) => step.uses?.startsWith("actions/download-artifact"))).toBe(true);
      expect(job.steps.some((step) => step.run?.includes("npm run synth"))).toBe(false);
    }
  });

  it("deploys in dependency order: <env>-infra before <env>-platform, catalog dependencies first, environments promoted", () => {
    const ci = new Set(stackCatalog(config).filter((item) => item.appliedBy === "ci").map((item) => item.name));
    for (const entry of stackCatalog(config).filter((item) => ci.has(item.name))) {
      const job = deploy.jobs[jobId(entry.name)] as Job;
      for (const dependency of entry.dependsOn.filter((name) => ci.has(name))) expect(needs(job), entry.name).toContain(jobId(dependency));
    }
    expect(needs(deploy.jobs["deploy-dev-platform"] as Job)).toContain("deploy-dev-infra");
    expect(needs(deploy.jobs["deploy-prod-infra"] as Job)).toEqual(expect.arrayContaining(["deploy-staging-infra", "deploy-staging-platform"]));
    const plan = deployPlan(config).map((target) => target.stack);
    expect(plan.indexOf("staging-platform")).toBeLessThan(plan.indexOf("prod-infra"));
    expect(plan.indexOf("prod-infra")).toBeLessThan(plan.indexOf("prod-platform"));
  });

  it("applies DNS stacks before the infra stacks whose zones they create or delegate, even across environments, without a cycle", () => {
    expect(needs(deploy.jobs["deploy-dev-infra"] as Job)).toContain("deploy-dev-dns");
    // staging.acme.example.com is delegated by prod-dns (the parent zone acme.example.com is prod's), which reads the
    // staging zone's name servers, so it runs after staging-dns and before staging-infra validates certificates.
    expect(needs(deploy.jobs["deploy-staging-infra"] as Job)).toEqual(expect.arrayContaining(["deploy-staging-dns", "deploy-prod-dns"]));
    expect(needs(deploy.jobs["deploy-prod-dns"] as Job)).toContain("deploy-staging-dns");
    expect(needs(deploy.jobs["deploy-prod-dns"] as Job)).not.toContain("deploy-staging-infra");
    // No cycle: every job's needs resolve in some order.
    const pending = new Map(Object.entries(deploy.jobs).map(([id, job]) => [id, new Set(needs(job as Job))]));
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

  it("uses each stack's GitHub environment (production's carries the approvals), its environment's deploy role in its account and one concurrency group per stack", () => {
    const groups = new Set<string>();
    for (const target of deployPlan(config)) {
      const job = deploy.jobs[jobId(target.stack)] as Job;
      expect(job.environment).toEqual({ name: target.environment.deployment.githubEnvironment });
      expect(job.concurrency).toEqual({ group: `stack-${target.stack}`, "cancel-in-progress": false });
      groups.add(job.concurrency?.group ?? "");
      expect(job.permissions).toEqual({ "id-token": "write", contents: "read" });
      const credentials = job.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"));
      const role = ciRoleForStack(config, target.entry, "deploy");
      expect(credentials?.with?.["role-to-assume"]).toBe(role?.arn);
      expect(credentials?.with?.["role-to-assume"]).toBe(`arn:aws:iam::${target.entry.account.accountId}:role/acme-${target.environment.name}-ci-deploy`);
      expect(credentials?.with?.["aws-region"]).toBe(target.entry.account.region);
      expect(job.steps.some((step) => step.run === `npx cdktf deploy ${target.stack} --skip-synth --auto-approve --ignore-missing-stack-dependencies --no-color`)).toBe(true);
    }
    expect(groups.size).toBe(deployPlan(config).length);
    expect((deploy.jobs["deploy-prod-infra"] as Job).environment?.name).toBe("production");
  });
});

describe("pull-request workflow", () => {
  const verify = pullRequest.jobs.verify as Job;
  const diff = pullRequest.jobs.diff as Job;
  const run = (job: Job) => job.steps.map((step) => step.run ?? "").join("\n");

  it("installs, tests, synthesizes, runs the policy with SARIF upload and posts the change report", () => {
    const commands = run(verify);
    for (const command of ["npm ci", "npm test", "npm run synth", "npm run policy", "npm run --silent review -- --base"]) expect(commands).toContain(command);
    expect(verify.steps.some((step) => step.uses?.startsWith("github/codeql-action/upload-sarif") && step.with?.sarif_file === "reports/policy/policy.sarif")).toBe(true);
    expect(verify.steps.some((step) => step.uses?.startsWith("actions/github-script") && step.env?.MARKER === "<!-- platform-change-report -->")).toBe(true);
    expect(verify.permissions).toMatchObject({ "security-events": "write", "pull-requests": "write" });
  });

  it("diffs each affected stack in a matrix with the read-only plan role, wrapper off, provider cache, one comment per stack", () => {
    expect(diff.needs).toBe("verify");
    expect(diff.strategy?.matrix).toEqual({ stack: "${{ fromJSON(needs.verify.outputs.stacks) }}" });
    expect(diff.permissions).toMatchObject({ "id-token": "write", contents: "read" });
    expect(diff.steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials"))?.with?.["role-to-assume"]).toBe("${{ fromJSON(env.PLAN_ROLES)[matrix.stack].role }}");
    // Each stack CI plans maps to its environment's plan role in its account; administrator stacks to none.
    const roles = JSON.parse(pullRequest.env?.PLAN_ROLES ?? "{}") as Record<string, { role: string; region: string }>;
    expect(roles).toEqual(planRoles(config));
    expect(roles["prod-infra"]).toEqual({ role: "arn:aws:iam::111111111111:role/acme-prod-ci-plan", region: "eu-west-1" });
    expect(roles["dev-platform"]?.role).toBe("arn:aws:iam::111111111111:role/acme-dev-ci-plan");
    expect(roles.bootstrap).toBeUndefined();
    expect(diff.steps.find((step) => step.uses?.startsWith("hashicorp/setup-terraform"))?.with).toMatchObject({ terraform_wrapper: false });
    expect(pullRequest.env?.TF_PLUGIN_CACHE_DIR).toBeTruthy();
    expect(diff.steps.some((step) => step.uses?.startsWith("actions/cache") && step.with?.path === "${{ env.TF_PLUGIN_CACHE_DIR }}")).toBe(true);
    expect(run(diff)).toContain('npx cdktf diff "$STACK" --skip-synth');
    expect(diff.steps.some((step) => step.env?.MARKER === "<!-- cdktf-diff:${{ matrix.stack }} -->")).toBe(true);
    // Forks get no OIDC token: the diff job only runs for branches of this repository.
    expect(diff.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(diff.environment).toBeUndefined();
  });
});
