/**
 * Where each stack's Terraform state lives in the state bucket. Pure: used by the stacks (backend), the bootstrap
 * stack (bucket and key policies admit each environment's CI roles to its prefix only), the state migration command
 * and the preflight.
 *
 * - Stacks applied by CI live under their environment: `environments/<environment>/<stack>/terraform.tfstate`, so a
 *   bucket policy can give each environment's CI roles exactly its own prefix (a dedicated tenant's stacks are named
 *   `tenant-<id>-*`, not after their environment, so a prefix per environment is the only way to isolate them).
 * - Stacks applied by an administrator (bootstrap, account-<name>) stay at `stacks/<stack>/terraform.tfstate`, where
 *   no CI role can read or write.
 *
 * Before environments had their own prefix, every stack lived at `stacks/<stack>/terraform.tfstate`:
 * `npm run state -- migrate` moves CI stacks' objects, and `legacyStateProblem` tells the preflight to refuse a stack
 * whose old object exists while the new one does not (Terraform would otherwise plan to create everything again).
 */

/** Prefix of the state of stacks an administrator applies (and of every stack before environments had their own). */
export const ADMINISTRATOR_STATE_PREFIX = "stacks/";
/** Prefix of the state of the stacks CI applies, one folder per environment. */
export const ENVIRONMENT_STATE_PREFIX = "environments/";
export const STATE_OBJECT = "terraform.tfstate";
/** Terraform's S3 backend locks a state object with `<key>.tflock` (use_lockfile). */
export const LOCK_SUFFIX = ".tflock";

/** Prefix of one environment's state objects: `environments/<environment>/`. */
export function environmentStatePrefix(environment: string): string {
  return `${ENVIRONMENT_STATE_PREFIX}${environment}/`;
}

/** The state object key of a stack: under its environment when CI applies it, else under `stacks/`. */
export function stateObjectKey(stack: string, environment?: string): string {
  return environment === undefined ? `${ADMINISTRATOR_STATE_PREFIX}${stack}/${STATE_OBJECT}` : `${environmentStatePrefix(environment)}${stack}/${STATE_OBJECT}`;
}

/** Where the stack's state lived before environments had their own prefix. */
export function legacyStateObjectKey(stack: string): string {
  return `${ADMINISTRATOR_STATE_PREFIX}${stack}/${STATE_OBJECT}`;
}

/**
 * The deploy record of a stack CI applies: `environments/<environment>/<stack>/deployed.json`, next to its state. The
 * deploy workflow writes it (with the deploy role) after a successful apply: the canonical hash of the synthesized
 * stack that was applied. A merge deploys the stacks whose synthesized hash differs from their record, so a failed
 * deploy is retried by the next run (scripts/lib/manifest.ts). Plan roles read it; only deploy roles write it.
 */
export const DEPLOY_RECORD_OBJECT = "deployed.json";

export function deployRecordKey(stack: string, environment: string): string {
  return `${environmentStatePrefix(environment)}${stack}/${DEPLOY_RECORD_OBJECT}`;
}

export function lockFileKey(stateKey: string): string {
  return `${stateKey}${LOCK_SUFFIX}`;
}

export interface StateLocation {
  readonly stack: string;
  /** Present for stacks CI applies. */
  readonly environment?: string;
}

export interface StateMove {
  readonly stack: string;
  readonly from: string;
  readonly to: string;
}

/** The objects that move when environments get their own prefix (stacks whose key changed). */
export function stateMoves(stacks: readonly StateLocation[]): StateMove[] {
  return stacks
    .map(({ stack, environment }) => ({ stack, from: legacyStateObjectKey(stack), to: stateObjectKey(stack, environment) }))
    .filter((move) => move.from !== move.to);
}

/**
 * What to do with one stack given which objects exist:
 * - `current`: the new object exists (the legacy one, if any, is a stale copy left by an interrupted migration);
 * - `migrate`: only the legacy object exists — move it before anything plans this stack;
 * - `fresh`: neither exists (a stack never applied);
 */
export type StateVerdict = "current" | "migrate" | "fresh";

export function stateVerdict(exists: { readonly legacy: boolean; readonly current: boolean }): StateVerdict {
  if (exists.current) return "current";
  return exists.legacy ? "migrate" : "fresh";
}

/**
 * The preflight's refusal for a stack whose state was not migrated: planning it against the new (empty) key would
 * propose to create every resource it already has. Undefined when the stack may be planned.
 */
export function legacyStateProblem(move: StateMove, exists: { readonly legacy: boolean; readonly current: boolean }): string | undefined {
  if (stateVerdict(exists) !== "migrate") return undefined;
  return `${move.stack}: its state is still at the legacy key ${move.from} and ${move.to} does not exist; planning now would propose to create every resource again. Run \`npm run state -- migrate\` (an administrator, with no CI run in progress) first.`;
}
