/**
 * Moving state objects to the per-environment layout (constructs/core/state-keys.ts): which objects move, what to
 * run for each, and the plan against what exists in the bucket. Pure apart from the injected `exists` probe, so
 * the command (scripts/state.ts) and its tests share it.
 */
import type { PlatformConfig } from "../../config/loader";
import { stateMoves, stateVerdict, type StateMove, type StateVerdict } from "../../constructs/core/state-keys";
import { stackCatalog } from "../../stacks/app";
import { s3Backend } from "../../stacks/context";

export interface MigrationStep {
  readonly move: StateMove;
  readonly verdict: StateVerdict;
  /** The `aws` arguments that move the object (only for `migrate`). */
  readonly args?: readonly string[];
}

/** Every state object whose key changes, from the stack catalog (stacks CI applies move under their environment). */
export function catalogMoves(config: PlatformConfig): StateMove[] {
  return stateMoves(stackCatalog(config).map((entry) => ({ stack: entry.name, ...(entry.appliedBy === "ci" && entry.environment !== undefined ? { environment: entry.environment } : {}) })));
}

/** Arguments of `aws` moving one state object, re-encrypted with the state key (the bucket's default, stated explicitly). */
export function moveArgs(config: PlatformConfig, move: StateMove): string[] {
  const backend = s3Backend(config.project);
  if (backend.kind !== "s3") throw new Error("the state backend is not S3");
  return ["s3", "mv", `s3://${backend.bucket}/${move.from}`, `s3://${backend.bucket}/${move.to}`, "--sse", "aws:kms", "--sse-kms-key-id", backend.kmsKeyArn, "--region", backend.region];
}

/** The same move as a shell command line (printed by `--dry-run`). */
export function moveCommand(config: PlatformConfig, move: StateMove): string {
  return ["aws", ...moveArgs(config, move)].map((arg) => (/^[\w./:@=-]+$/.test(arg) ? arg : `'${arg}'`)).join(" ");
}

/** What to do per moved stack, given a probe of which keys exist in the state bucket. */
export async function migrationPlan(config: PlatformConfig, exists: (key: string) => Promise<boolean>): Promise<MigrationStep[]> {
  const steps: MigrationStep[] = [];
  for (const move of catalogMoves(config)) {
    const [legacy, current] = await Promise.all([exists(move.from), exists(move.to)]);
    const verdict = stateVerdict({ legacy, current });
    steps.push({ move, verdict, ...(verdict === "migrate" ? { args: moveArgs(config, move) } : {}) });
  }
  return steps;
}

/** One line per step, for the command's output. */
export function describeStep(step: MigrationStep): string {
  switch (step.verdict) {
    case "migrate":
      return `${step.move.stack}: ${step.move.from} -> ${step.move.to}`;
    case "current":
      return `${step.move.stack}: already at ${step.move.to}${step.move.from === step.move.to ? "" : ` (a copy left at ${step.move.from} is ignored; delete it once verified)`}`;
    case "fresh":
      return `${step.move.stack}: never applied (no state object), nothing to move`;
  }
}
