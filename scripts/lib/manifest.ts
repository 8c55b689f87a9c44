/**
 * The stack manifest CI computes at run time (`npm run manifest`), so the workflow files never name a stack: they
 * hold a fixed set of jobs per promotion tier and stage, and each job's matrix comes from here.
 *
 * - What to deploy: a stack whose synthesized output (`stackHash`: a canonical hash of cdk.tf.json and its assets)
 *   differs from its deploy record (`environments/<env>/<stack>/deployed.json`, written after its last successful
 *   apply) — so a stack whose deploy failed is deployed again by the next run. A manual dispatch may ask for every
 *   stack or for glob patterns instead. Stacks an administrator applies (bootstrap, account-*) are never deployed by CI.
 * - Order: promotion tiers by profile (development, then staging, then production; all environments of one profile
 *   in the same tier), and within a tier the stages dns -> infra -> platform -> tenant. A stack runs only after
 *   every stack it depends on that this run also deploys; one whose dependency comes later in the run (a zone of
 *   staging delegated by prod-dns) or was deferred itself is DEFERRED: not planned now, deployed by a follow-up run
 *   once the dependency's record is written.
 * - Matrices: per job, at most MATRIX_LIMIT entries (GitHub's limit of 256 jobs per matrix). An entry is a chunk of
 *   stacks that share their stage, environment, account, role and runner; below the limit each stack is its own
 *   entry, above it stacks are packed evenly into chunks. Each entry carries its roles, region, runner and GitHub
 *   environments, so a job needs nothing else.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import picomatch from "picomatch";
import { z } from "zod";
import type { PlatformConfig } from "../../config/loader";
import { PROFILES, type Profile } from "../../config/schema/environment";
import { DEPLOY_RECORD_OBJECT } from "../../constructs/core/state-keys";
import { ciRoleForStack, stackCatalog, type StackEntry } from "../../stacks/app";
import { bootstrapAccount, environmentCiRoleArn, stateBucketName } from "../../stacks/context";
import type { Stage } from "../../stacks/names";

/** GitHub runs at most 256 jobs per matrix. */
export const MATRIX_LIMIT = 256;
/** Promotion tiers, first to last: one per profile. */
export const TIERS: readonly Profile[] = PROFILES.toReversed();
/** The stages CI applies, in order. */
export const CI_STAGES = ["dns", "infra", "platform", "tenant"] as const satisfies readonly Stage[];
export type CiStage = (typeof CI_STAGES)[number];

export type ManifestMode = "deploy" | "drift" | "pull-request";

// ---------------------------------------------------------------------------------------------------------
// Hashes and records

/** JSON with object keys sorted at every level, and Terraform JSON comments (`//` keys) left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== "//")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .map((entry) => join(directory, entry))
    .filter((path) => statSync(path).isFile());
}

/**
 * The canonical hash of a synthesized stack directory: what Terraform reads from `cdk.tf.json` (keys sorted; `//`
 * keys, which Terraform's JSON syntax treats as comments — cdktf's metadata and construct paths — left out) and every
 * file under `assets/` (path and content). Two synths of the same code and configuration give the same hash, on any
 * machine.
 */
export function stackHash(stackDirectory: string): string {
  const config = join(stackDirectory, "cdk.tf.json");
  if (!existsSync(config)) throw new Error(`${config} not found: synthesize the stack first (npm run synth)`);
  const hash = createHash("sha256");
  hash.update(`cdk.tf.json\0${canonicalJson(JSON.parse(readFileSync(config, "utf8")))}\0`);
  const assets = join(stackDirectory, "assets");
  for (const file of filesUnder(assets).sort()) {
    hash.update(`${relative(stackDirectory, file).split(sep).join("/")}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return `sha256:${hash.digest("hex")}`;
}

/** The hash of every synthesized stack of an output directory (cdktf.out), by stack name. */
export function synthesizedHashes(outdir: string): Map<string, string> {
  const stacks = join(outdir, "stacks");
  if (!existsSync(stacks)) throw new Error(`${stacks} not found: synthesize first (npm run synth)`);
  return new Map(
    readdirSync(stacks)
      .filter((name) => existsSync(join(stacks, name, "cdk.tf.json")))
      .sort()
      .map((name) => [name, stackHash(join(stacks, name))]),
  );
}

export const DeployRecordSchema = z.object({
  stack: z.string().min(1),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  commit: z.string().optional(),
  run: z.string().optional(),
  appliedAt: z.string().optional(),
});
export type DeployRecord = z.infer<typeof DeployRecordSchema>;

/** The record a successful apply writes (the deploy workflow puts it at `deployRecordKey`). */
export function deployRecord(stack: string, hash: string, provenance: { commit?: string; run?: string; appliedAt?: string } = {}): DeployRecord {
  return DeployRecordSchema.parse({ stack, hash, ...provenance });
}

/**
 * Deploy records downloaded from the state bucket into `directory` (any depth: `<env>/<stack>/deployed.json`), by
 * stack. A record that does not parse, or whose `stack` is not the folder it is in, is a problem: CI then deploys
 * that stack again rather than trust it.
 */
export function readDeployRecords(directory: string): { records: Map<string, DeployRecord>; problems: string[] } {
  const records = new Map<string, DeployRecord>();
  const problems: string[] = [];
  for (const file of filesUnder(directory).filter((path) => path.endsWith(`${sep}${DEPLOY_RECORD_OBJECT}`)).sort()) {
    const folder = file.split(sep).at(-2);
    let parsed: ReturnType<typeof DeployRecordSchema.safeParse>;
    try {
      parsed = DeployRecordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    } catch (error) {
      problems.push(`${file}: not JSON (${error instanceof Error ? error.message : String(error)}); the stack is deployed again`);
      continue;
    }
    if (!parsed.success) problems.push(`${file}: not a deploy record (${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}); the stack is deployed again`);
    else if (parsed.data.stack !== folder) problems.push(`${file}: records stack ${parsed.data.stack}, not ${folder}; the stack is deployed again`);
    else records.set(parsed.data.stack, parsed.data);
  }
  return { records, problems };
}

// ---------------------------------------------------------------------------------------------------------
// The manifest

export interface ManifestStack {
  readonly stack: string;
  readonly stage: CiStage;
  readonly tier: Profile;
  readonly environment: string;
  readonly githubEnvironment: string;
  readonly approvalEnvironment: string;
  readonly accountId: string;
  readonly region: string;
  readonly planRole: string;
  readonly deployRole: string;
  /** CodeBuild runner project, or "" for a GitHub-hosted runner. */
  readonly runner: string;
  /** The synthesized hash (empty in pull-request mode, which needs none). */
  readonly hash: string;
  readonly deployedHash?: string;
  /** Why it is in this run. */
  readonly reason: "changed" | "never deployed" | "requested" | "drift check" | "affected by the pull request";
  /** Stacks of this run it depends on (all deployed earlier in the run). */
  readonly after: readonly string[];
}

/** What the stacks of one matrix entry share. */
type SharedSettings = Pick<ManifestStack, "stage" | "tier" | "environment" | "githubEnvironment" | "approvalEnvironment" | "accountId" | "region" | "planRole" | "deployRole" | "runner">;

/** One matrix entry: a chunk of stacks sharing stage, environment, account, roles and runner. */
export interface MatrixEntry extends SharedSettings {
  readonly id: string;
  /** Space-separated stack names. */
  readonly stacks: string;
  /** Space-separated stacks of the chunk whose dependencies this run applies first: re-planned before their apply. */
  readonly recheck: string;
}

export interface Matrix {
  readonly include: MatrixEntry[];
}

export interface Deferred {
  readonly stack: string;
  /** Dependencies this run deploys later or defers. */
  readonly waitingFor: readonly string[];
}

export interface Manifest {
  readonly mode: ManifestMode;
  /** What was asked for: "changed", "all" or the patterns. */
  readonly selection: string;
  readonly stacks: readonly ManifestStack[];
  readonly deferred: readonly Deferred[];
  /** Stacks CI applies whose synthesized output equals their record. */
  readonly unchanged: readonly string[];
  /** Stacks an administrator applies: never planned or applied by CI (listed as a notice). */
  readonly administrator: readonly string[];
  /** Problems with records (the stacks concerned are deployed again). */
  readonly problems: readonly string[];
  /** Job key (`<tier>-plan`, `<tier>-apply-<stage>`, or `plan` in drift and pull-request mode) -> its matrix. */
  readonly jobs: Readonly<Record<string, Matrix>>;
}

export interface ManifestInput {
  readonly config: PlatformConfig;
  readonly mode: ManifestMode;
  /** Synthesized hash by stack (deploy and drift modes). */
  readonly hashes?: ReadonlyMap<string, string>;
  /** Deploy records by stack (deploy and drift modes). */
  readonly records?: ReadonlyMap<string, DeployRecord>;
  readonly recordProblems?: readonly string[];
  /**
   * Deploy mode: "changed" (default), "all", or glob patterns (`prod-*`) selecting stacks to deploy even when unchanged.
   * Pull-request mode: the affected stacks.
   */
  readonly selection?: "changed" | "all" | readonly string[];
  /** @default MATRIX_LIMIT */
  readonly matrixLimit?: number;
  /** Precomputed catalog (the same configuration's). */
  readonly catalog?: readonly StackEntry[];
}

/** The job keys of a deploy manifest, in the order the workflow runs them. */
export function deployJobKeys(): string[] {
  return TIERS.flatMap((tier) => [planJobKey(tier), ...CI_STAGES.map((stage) => applyJobKey(tier, stage))]);
}

export function planJobKey(tier: Profile): string {
  return `${tier}-plan`;
}

export function applyJobKey(tier: Profile, stage: CiStage): string {
  return `${tier}-apply-${stage}`;
}

function isCiStage(stage: Stage): stage is CiStage {
  return (CI_STAGES as readonly string[]).includes(stage);
}

export class ManifestError extends Error {}

/** Whether wave `a` (tier, stage) runs before wave `b`. */
function before(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The manifest of one run. Pure over its input. */
export function computeManifest(input: ManifestInput): Manifest {
  const { config, mode } = input;
  const catalog = input.catalog ?? stackCatalog(config);
  const environments = new Map(config.environments.map(({ config: environment }) => [environment.name, environment]));
  const administrator = catalog.filter((entry) => entry.appliedBy !== "ci").map((entry) => entry.name);
  const ci = catalog.filter((entry) => entry.appliedBy === "ci");
  const hashes = input.hashes ?? new Map<string, string>();
  const records = input.records ?? new Map<string, DeployRecord>();
  if (mode !== "pull-request") {
    const missing = ci.filter((entry) => !hashes.has(entry.name)).map((entry) => entry.name);
    if (missing.length > 0) throw new ManifestError(`no synthesized output for ${missing.join(", ")}: synthesize every stack first (npm run synth)`);
  }

  const describe = (entry: StackEntry, reason: ManifestStack["reason"], after: readonly string[]): ManifestStack => {
    const environment = entry.environment === undefined ? undefined : environments.get(entry.environment);
    if (!environment || !isCiStage(entry.stage)) throw new ManifestError(`stack ${entry.name} is applied by CI but has no environment or CI stage`);
    const plan = ciRoleForStack(config, entry, "plan");
    const deploy = ciRoleForStack(config, entry, "deploy");
    if (!plan || !deploy) throw new ManifestError(`stack ${entry.name} has no CI roles`);
    const deployedHash = records.get(entry.name)?.hash;
    return {
      stack: entry.name,
      stage: entry.stage,
      tier: environment.profile,
      environment: environment.name,
      githubEnvironment: environment.deployment.githubEnvironment,
      approvalEnvironment: environment.deployment.approvalEnvironment,
      accountId: entry.account.accountId,
      region: plan.region,
      planRole: plan.arn,
      deployRole: deploy.arn,
      runner: entry.runner ?? "",
      hash: hashes.get(entry.name) ?? "",
      ...(deployedHash === undefined ? {} : { deployedHash }),
      reason,
      after,
    };
  };

  const selection = input.selection ?? (mode === "pull-request" ? [] : "changed");
  const selectionText = typeof selection === "string" ? selection : selection.join(" ");
  const unchanged: string[] = [];
  const deferred: Deferred[] = [];
  const stacks: ManifestStack[] = [];

  if (mode === "drift") {
    for (const entry of ci) stacks.push(describe(entry, "drift check", []));
  } else if (mode === "pull-request") {
    const affected = new Set(typeof selection === "string" ? [] : selection);
    for (const entry of ci) if (affected.has(entry.name)) stacks.push(describe(entry, "affected by the pull request", []));
  } else {
    const changed = (entry: StackEntry) => hashes.get(entry.name) !== records.get(entry.name)?.hash;
    const patterns = typeof selection === "string" ? [] : selection;
    if (typeof selection !== "string") {
      const names = ci.map((entry) => entry.name);
      const unmatched = patterns.filter((pattern) => !names.some((name) => picomatch.isMatch(name, pattern)));
      if (unmatched.length > 0) throw new ManifestError(`pattern(s) ${unmatched.join(", ")} match no stack CI applies (administrator stacks are never deployed by CI): ${names.join(", ")}`);
    }
    const selected = new Set(
      ci
        .filter((entry) => (selection === "all" ? true : selection === "changed" ? changed(entry) : patterns.some((pattern) => picomatch.isMatch(entry.name, pattern))))
        .map((entry) => entry.name),
    );
    for (const entry of ci) if (!selected.has(entry.name)) unchanged.push(entry.name);
    const byName = new Map(ci.map((entry) => [entry.name, entry]));
    const position = (entry: StackEntry): [number, number] => {
      const environment = environments.get(entry.environment ?? "");
      return [TIERS.indexOf(environment?.profile ?? "production"), CI_STAGES.indexOf(entry.stage as CiStage)];
    };
    const deferredNames = new Set<string>();
    const deferredByTier = new Map<number, string[]>();
    // In run order: tier, then stage, then catalog order (which lists every stack after the stacks it depends on).
    const order = new Map(ci.map((entry, index) => [entry.name, index]));
    const inRunOrder = ci
      .filter((entry) => selected.has(entry.name))
      .sort((a, b) => {
        const [pa, pb] = [position(a), position(b)];
        return pa[0] - pb[0] || pa[1] - pb[1] || (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0);
      });
    for (const entry of inRunOrder) {
      const dependencies = entry.dependsOn.filter((name) => selected.has(name));
      const waitingFor = dependencies.filter((name) => {
        const dependency = byName.get(name) as StackEntry;
        return deferredNames.has(name) || !before(position(dependency), position(entry));
      });
      // Promotion: nothing of a later tier is deployed while a stack of an earlier tier waits. DNS stacks are the
      // exception (they wait for their dependencies only): a zone of an earlier environment may be delegated by a
      // later environment's DNS stack, which must run first.
      if (entry.stage !== "dns") {
        const tier = position(entry)[0];
        for (const [earlier, names] of deferredByTier) if (earlier < tier) waitingFor.push(...names.filter((name) => !waitingFor.includes(name)));
      }
      if (waitingFor.length > 0) {
        const tier = position(entry)[0];
        deferredByTier.set(tier, [...(deferredByTier.get(tier) ?? []), entry.name]);
        deferredNames.add(entry.name);
        deferred.push({ stack: entry.name, waitingFor });
        continue;
      }
      const reason = selection === "changed" ? (records.has(entry.name) ? "changed" : "never deployed") : "requested";
      stacks.push(describe(entry, reason, dependencies));
    }
  }

  const limit = input.matrixLimit ?? MATRIX_LIMIT;
  const jobs: Record<string, Matrix> = {};
  if (mode === "deploy") {
    for (const tier of TIERS) {
      const chunks = chunkStacks(stacks.filter((stack) => stack.tier === tier), limit, `${tier}`);
      jobs[planJobKey(tier)] = { include: chunks };
      for (const stage of CI_STAGES) jobs[applyJobKey(tier, stage)] = { include: chunks.filter((chunk) => chunk.stage === stage) };
    }
  } else {
    jobs.plan = { include: chunkStacks(stacks, limit, "plan") };
  }
  return { mode, selection: selectionText, stacks, deferred, unchanged, administrator, problems: [...(input.recordProblems ?? [])], jobs };
}

/** Stacks that share everything a job needs. */
function chunkKey(stack: ManifestStack): string {
  return [stack.tier, stack.stage, stack.environment, stack.accountId, stack.region, stack.planRole, stack.deployRole, stack.runner, stack.githubEnvironment].join("|");
}

/**
 * Packs stacks into at most `limit` matrix entries: one stack per entry while they fit, else the fewest stacks per
 * entry that fit, never mixing stacks that differ in stage, environment, account, roles or runner.
 */
export function chunkStacks(stacks: readonly ManifestStack[], limit: number, label: string): MatrixEntry[] {
  const groups = new Map<string, ManifestStack[]>();
  for (const stack of stacks) {
    const key = chunkKey(stack);
    groups.set(key, [...(groups.get(key) ?? []), stack]);
  }
  if (groups.size > limit) {
    throw new ManifestError(`${label}: ${groups.size} groups of stacks differ in stage, environment, account or runner, more than the ${limit} entries a GitHub matrix may have`);
  }
  let size = 1;
  const entriesFor = (perEntry: number) => [...groups.values()].reduce((total, group) => total + Math.ceil(group.length / perEntry), 0);
  while (entriesFor(size) > limit) size++;
  const out: MatrixEntry[] = [];
  for (const group of groups.values()) {
    for (let start = 0; start < group.length; start += size) {
      const members = group.slice(start, start + size);
      const first = members[0] as ManifestStack;
      const rechecked = members.filter((member) => member.after.length > 0).map((member) => member.stack);
      out.push({
        id: members.length === 1 ? first.stack : `${first.stack}+${members.length - 1}`,
        stacks: members.map((member) => member.stack).join(" "),
        stage: first.stage,
        tier: first.tier,
        environment: first.environment,
        githubEnvironment: first.githubEnvironment,
        approvalEnvironment: first.approvalEnvironment,
        accountId: first.accountId,
        region: first.region,
        planRole: first.planRole,
        deployRole: first.deployRole,
        runner: first.runner,
        recheck: rechecked.join(" "),
      });
    }
  }
  return out;
}

/** Where each environment's deploy records are read from: its plan role in its own account, the state bucket. */
export interface RecordScope {
  readonly environment: string;
  readonly planRole: string;
  readonly region: string;
  readonly bucket: string;
  readonly bucketRegion: string;
  /** `environments/<env>/` */
  readonly prefix: string;
}

export function recordScopes(config: PlatformConfig): RecordScope[] {
  const bucket = stateBucketName(config.project);
  const bucketRegion = bootstrapAccount(config.project).region;
  return config.environments.map(({ config: environment }) => ({
    environment: environment.name,
    planRole: environmentCiRoleArn(config.project, environment.name, { accountId: environment.account.id, region: environment.account.region }, "plan"),
    region: environment.account.region,
    bucket,
    bucketRegion,
    prefix: `environments/${environment.name}/`,
  }));
}
