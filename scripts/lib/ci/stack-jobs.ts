/**
 * What one matrix entry of a CI job does to its chunk of stacks, with Terraform directly in the synthesized stack
 * directories (`cdktf.out/stacks/<stack>`):
 *
 * - plan: `terraform init`, the preflight (deploy runs), `terraform plan -out=tfplan` (never locking: a plan writes no
 *   state, so a cancelled plan can leave no lock behind), then the plan as text and JSON, the provider lock file and a
 *   status per stack into the plan artifact;
 * - check (the plan role, after the approval): the approval exists for a plan that changes something, the preflight
 *   passes again, and a stack whose dependencies this run applied first is planned again: unless the fresh plan
 *   proposes exactly the approved changes it is NOT applied (`replan`: the next run plans it for a new approval);
 * - apply (the deploy role): `terraform apply tfplan` — exactly the saved, reviewed plan, with the same provider
 *   versions (its lock file). Terraform refuses a saved plan whose state changed since it was made ("Saved plan is
 *   stale"): the stack is reported `stale` and planned again by the next run. After a successful apply (or an empty
 *   plan) the stack's deploy record is written.
 *
 * Why not `cdktf deploy`: it plans and applies in one step (`terraform apply -auto-approve` on a fresh plan) and
 * cannot apply a saved plan file, so what it applies is not what was reviewed.
 *
 * Commands run through an Executor, so tests drive every branch with a fake Terraform.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changeCounts, hasChanges, isStalePlanError, PlanStatusSchema, samePlan, type ApplyOutcome, type ApplyStatus, type PlanOutcome, type PlanStatus } from "./plans";

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly cwd?: string;
  /** Do not echo stdout (large JSON). */
  readonly quiet?: boolean;
}

export type Executor = (command: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** Runs a command, echoing its output to this process's (so the job log shows it) and capturing it. */
export const spawnExecutor: Executor = (command, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      if (!options.quiet) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      process.stderr.write(chunk);
    });
    child.on("error", (error) => resolve({ code: 127, stdout: "", stderr: error.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
  });

/** Files of one stack in a plan artifact (`<plans>/<stack>/`). */
export const PLAN_FILES = { plan: "tfplan", text: "plan.txt", json: "plan.json", lock: ".terraform.lock.hcl", status: "status.json", recheck: "recheck.json" } as const;

const TERRAFORM = "terraform";

function tail(text: string, lines = 20): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

function stackDirectory(outDir: string, stack: string): string {
  return join(outDir, "stacks", stack);
}

async function init(exec: Executor, directory: string): Promise<ExecResult> {
  return exec(TERRAFORM, [`-chdir=${directory}`, "init", "-input=false", "-no-color"]);
}

export interface PlanChunkOptions {
  readonly stacks: readonly string[];
  /** Stacks whose dependencies this run deploys earlier: a failed plan defers them instead of failing. */
  readonly afterOthers: ReadonlySet<string>;
  /** Synthesized output (cdktf.out). */
  readonly outDir: string;
  /** Where each stack's plan files go (`<plansDir>/<stack>/`). */
  readonly plansDir: string;
  readonly environmentOf: (stack: string) => string;
  readonly hashOf: (stack: string) => string;
  /** Run `npm run preflight -- <stack>` before planning (deploy runs). */
  readonly preflight: boolean;
  readonly exec: Executor;
}

/** Plans each stack of a chunk; every stack gets a status, whatever happens to the others. */
export async function planChunk(options: PlanChunkOptions): Promise<PlanStatus[]> {
  const statuses: PlanStatus[] = [];
  for (const stack of options.stacks) {
    const directory = stackDirectory(options.outDir, stack);
    const destination = join(options.plansDir, stack);
    mkdirSync(destination, { recursive: true });
    const base = { stack, environment: options.environmentOf(stack), hash: options.hashOf(stack) };
    const finish = (outcome: PlanOutcome, extra: Partial<PlanStatus> = {}): void => {
      const status = PlanStatusSchema.parse({ ...base, outcome, ...extra });
      writeFileSync(join(destination, PLAN_FILES.status), `${JSON.stringify(status, null, 1)}\n`);
      statuses.push(status);
    };
    const failure = (what: string, result: ExecResult): void => {
      const deferred = options.afterOthers.has(stack);
      finish(deferred ? "deferred" : "failed", {
        message: deferred ? `${what} failed before the stacks it depends on were applied by this run; a follow-up run plans it: ${tail(result.stderr || result.stdout, 3)}` : `${what} failed: ${tail(result.stderr || result.stdout, 5)}`,
      });
    };
    if (!existsSync(join(directory, "cdk.tf.json"))) {
      finish("failed", { message: `${directory}/cdk.tf.json not found: the synthesized stacks were not downloaded` });
      continue;
    }
    const initialized = await init(options.exec, directory);
    if (initialized.code !== 0) {
      failure("terraform init", initialized);
      continue;
    }
    if (options.preflight) {
      const checked = await options.exec("npm", ["run", "--silent", "preflight", "--", stack]);
      if (checked.code !== 0) {
        finish("blocked", { message: `npm run preflight -- ${stack} (exit ${checked.code}): ${tail(checked.stdout || checked.stderr, 8)}` });
        continue;
      }
    }
    // -detailed-exitcode: 0 no changes, 1 error, 2 changes. Plans never take the state lock: they write no state.
    const planned = await options.exec(TERRAFORM, [`-chdir=${directory}`, "plan", "-input=false", "-no-color", "-lock=false", "-detailed-exitcode", `-out=${PLAN_FILES.plan}`]);
    if (planned.code !== 0 && planned.code !== 2) {
      failure("terraform plan", planned);
      continue;
    }
    const text = await options.exec(TERRAFORM, [`-chdir=${directory}`, "show", "-no-color", PLAN_FILES.plan], { quiet: true });
    const json = await options.exec(TERRAFORM, [`-chdir=${directory}`, "show", "-json", PLAN_FILES.plan], { quiet: true });
    if (text.code !== 0 || json.code !== 0) {
      failure("terraform show", text.code !== 0 ? text : json);
      continue;
    }
    writeFileSync(join(destination, PLAN_FILES.text), text.stdout);
    writeFileSync(join(destination, PLAN_FILES.json), json.stdout);
    copyFileSync(join(directory, PLAN_FILES.plan), join(destination, PLAN_FILES.plan));
    if (existsSync(join(directory, PLAN_FILES.lock))) copyFileSync(join(directory, PLAN_FILES.lock), join(destination, PLAN_FILES.lock));
    const counts = changeCounts(json.stdout, `${stack} plan`);
    finish(hasChanges(counts) ? "changes" : "no-changes", { counts });
  }
  return statuses;
}

export function readPlanStatus(plansDir: string, stack: string): PlanStatus | undefined {
  const file = join(plansDir, stack, PLAN_FILES.status);
  if (!existsSync(file)) return undefined;
  return PlanStatusSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}

export interface ApplyChunkOptions {
  readonly stacks: readonly string[];
  /** Stacks whose dependencies this run applied first: planned again and compared before their apply. */
  readonly recheck: ReadonlySet<string>;
  readonly outDir: string;
  /** The plan artifacts of this chunk (`<plansDir>/<stack>/`). */
  readonly plansDir: string;
  /** Approval markers (`<approvalsDir>/<environment>.json`), present for the environments a reviewer approved. */
  readonly approvalsDir: string;
  readonly preflight: boolean;
  readonly exec: Executor;
  /** Dependencies of a stack that this run was to deploy first but did not: the stack is deferred. */
  readonly undeployedDependencies?: (stack: string) => readonly string[];
}

/** Restores a stack's provider lock file from its plan and initializes it, so apply uses the providers the plan used. */
async function prepare(exec: Executor, outDir: string, plansDir: string, stack: string): Promise<ExecResult> {
  const directory = stackDirectory(outDir, stack);
  const lock = join(plansDir, stack, PLAN_FILES.lock);
  if (existsSync(lock)) copyFileSync(lock, join(directory, PLAN_FILES.lock));
  copyFileSync(join(plansDir, stack, PLAN_FILES.plan), join(directory, PLAN_FILES.plan));
  return exec(TERRAFORM, [`-chdir=${directory}`, "init", "-input=false", "-no-color", ...(existsSync(lock) ? ["-lockfile=readonly"] : [])]);
}

/**
 * The checks between approval and apply (with the plan role). Returns the stacks cleared for apply and the final
 * status of the others.
 */
export async function checkChunk(options: ApplyChunkOptions): Promise<{ cleared: PlanStatus[]; settled: ApplyStatus[] }> {
  const cleared: PlanStatus[] = [];
  const settled: ApplyStatus[] = [];
  for (const stack of options.stacks) {
    const status = readPlanStatus(options.plansDir, stack);
    const settle = (outcome: ApplyOutcome, message: string, environment = status?.environment ?? "") => settled.push({ stack, environment, outcome, message });
    if (!status) {
      settle("failed", `no plan artifact for ${stack}: its plan job did not finish`);
      continue;
    }
    if (status.outcome === "failed" || status.outcome === "blocked" || status.outcome === "deferred") {
      settle(status.outcome, `not applied: its plan ${status.outcome === "deferred" ? "was deferred" : status.outcome}${status.message ? ` (${status.message})` : ""}`);
      continue;
    }
    const missing = options.undeployedDependencies?.(stack) ?? [];
    if (missing.length > 0) {
      settle("deferred", `not applied: ${missing.join(", ")}, which this run was to deploy first, did not deploy; a follow-up run plans it again`);
      continue;
    }
    if (status.outcome === "changes" && !existsSync(join(options.approvalsDir, `${status.environment}.json`))) {
      settle("not-approved", `environment ${status.environment} was not approved in this run; the next run plans it again`);
      continue;
    }
    if (status.outcome === "changes" && options.preflight) {
      const checked = await options.exec("npm", ["run", "--silent", "preflight", "--", stack]);
      if (checked.code !== 0) {
        settle("blocked", `npm run preflight -- ${stack} (exit ${checked.code}): ${tail(checked.stdout || checked.stderr, 8)}`);
        continue;
      }
    }
    if (options.recheck.has(stack)) {
      const directory = stackDirectory(options.outDir, stack);
      const initialized = await prepare(options.exec, options.outDir, options.plansDir, stack);
      const fresh = initialized.code === 0 ? await options.exec(TERRAFORM, [`-chdir=${directory}`, "plan", "-input=false", "-no-color", "-lock=false", "-out=recheck.tfplan"]) : initialized;
      const json = fresh.code === 0 ? await options.exec(TERRAFORM, [`-chdir=${directory}`, "show", "-json", "recheck.tfplan"], { quiet: true }) : fresh;
      if (json.code !== 0) {
        settle("replan", `planning again after its dependencies were applied failed; the next run plans it for a new approval: ${tail(json.stderr || json.stdout, 5)}`);
        continue;
      }
      const approved = readFileSync(join(options.plansDir, stack, PLAN_FILES.json), "utf8");
      const same = samePlan(approved, json.stdout);
      writeFileSync(join(options.plansDir, stack, PLAN_FILES.recheck), `${JSON.stringify({ stack, same }, null, 1)}\n`);
      if (!same) {
        settle("replan", "the plan changed after the stacks it depends on were applied: the approved plan is not applied; the next run plans it again for a new approval");
        continue;
      }
    }
    cleared.push(status);
  }
  return { cleared, settled };
}

export interface RecordTarget {
  readonly bucket: string;
  readonly region: string;
  /** The record's key for a stack (constructs/core/state-keys.ts deployRecordKey). */
  readonly keyOf: (stack: string, environment: string) => string;
  /** The record's body for a stack (scripts/lib/manifest.ts deployRecord). */
  readonly bodyOf: (status: PlanStatus) => string;
}

/** Applies the cleared stacks' saved plans (with the deploy role) and writes their deploy records. */
export async function applyChunk(options: Pick<ApplyChunkOptions, "outDir" | "plansDir" | "exec"> & { readonly cleared: readonly PlanStatus[]; readonly record: RecordTarget; readonly scratchDir: string }): Promise<ApplyStatus[]> {
  const out: ApplyStatus[] = [];
  mkdirSync(options.scratchDir, { recursive: true });
  for (const status of options.cleared) {
    const { stack, environment } = status;
    if (status.outcome === "changes") {
      const directory = stackDirectory(options.outDir, stack);
      const initialized = await prepare(options.exec, options.outDir, options.plansDir, stack);
      if (initialized.code !== 0) {
        out.push({ stack, environment, outcome: "failed", message: `terraform init failed: ${tail(initialized.stderr || initialized.stdout, 5)}` });
        continue;
      }
      const applied = await options.exec(TERRAFORM, [`-chdir=${directory}`, "apply", "-input=false", "-no-color", PLAN_FILES.plan]);
      if (applied.code !== 0) {
        const stale = isStalePlanError(`${applied.stdout}\n${applied.stderr}`);
        out.push({
          stack,
          environment,
          outcome: stale ? "stale" : "failed",
          message: stale ? "the state changed after this plan was made (Saved plan is stale): nothing was applied; the next run plans it again for a new approval" : `terraform apply failed: ${tail(applied.stderr || applied.stdout, 8)}`,
        });
        continue;
      }
    }
    const body = join(options.scratchDir, `${stack}.deployed.json`);
    writeFileSync(body, options.record.bodyOf(status));
    const written = await options.exec("aws", ["s3api", "put-object", "--bucket", options.record.bucket, "--key", options.record.keyOf(stack, environment), "--body", body, "--content-type", "application/json", "--region", options.record.region], { quiet: true });
    if (written.code !== 0) {
      out.push({ stack, environment, outcome: "failed", message: `${status.outcome === "changes" ? "applied, but " : ""}writing the deploy record failed (the next run plans it again, which is harmless): ${tail(written.stderr, 3)}` });
      continue;
    }
    out.push({ stack, environment, outcome: status.outcome === "changes" ? "applied" : "recorded", message: status.outcome === "changes" ? "applied the approved plan" : "nothing to change; recorded as deployed" });
  }
  return out;
}
