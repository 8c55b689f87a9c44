/**
 * Reports of a CI run (pure): the outcome of a deploy run and whether it needs a follow-up run, and the nightly drift
 * check's per-stack issues.
 */
import type { Manifest } from "../manifest";
import { countsText, type ApplyStatus, type PlanStatus } from "./plans";

/** Follow-up deploy runs one push may chain (each deploys what the previous one deferred or could not apply). */
export const MAX_FOLLOW_UPS = 5;

export interface RunOutcome {
  readonly markdown: string;
  /** Whether to dispatch another deploy run: deferred stacks, or plans that went stale or changed after approval. */
  readonly followUp: boolean;
  readonly reason: string;
}

/** At most ten names, then how many there are. */
function list(names: readonly string[]): string {
  return `${names.slice(0, 10).join(", ")}${names.length > 10 ? `, ... (${names.length})` : ""}`;
}

/**
 * The deploy run's result, and whether (and why) another run should follow: stacks deferred (by the manifest, at plan
 * time, or because a dependency was not deployed), stacks an earlier tier's result kept from running, and plans that
 * went stale or changed after approval. A follow-up needs progress (something was applied or recorded) or a plan to
 * approve again, and at most MAX_FOLLOW_UPS follow-ups chain from one push.
 */
export function runOutcome(manifest: Manifest, applies: readonly ApplyStatus[], chain: number): RunOutcome {
  const lines = ["### Deploy run", ""];
  if (applies.length === 0) lines.push("No stack reached an apply job.", "");
  else {
    lines.push("| stack | environment | outcome | note |", "|---|---|---|---|");
    for (const status of [...applies].sort((a, b) => a.stack.localeCompare(b.stack))) lines.push(`| \`${status.stack}\` | ${status.environment} | ${status.outcome} | ${(status.message ?? "").replaceAll("|", "\\|").replaceAll("\n", " ")} |`);
    lines.push("");
  }
  const reached = new Set(applies.map((status) => status.stack));
  const notReached = manifest.stacks.filter((stack) => !reached.has(stack.stack)).map((stack) => stack.stack);
  const again = applies.filter((status) => status.outcome === "stale" || status.outcome === "replan").map((status) => status.stack);
  const progressed = applies.some((status) => status.outcome === "applied" || status.outcome === "recorded");
  const waiting = [...manifest.deferred.map((item) => item.stack), ...applies.filter((status) => status.outcome === "deferred").map((status) => status.stack), ...notReached];
  const reasons = [
    ...(waiting.length > 0 && progressed ? [`${waiting.length} stack(s) waited for stacks this run deployed or for an earlier tier (${list(waiting)})`] : []),
    ...(again.length > 0 ? [`${again.length} plan(s) must be planned again for a new approval (${list(again)})`] : []),
  ];
  const followUp = reasons.length > 0 && chain < MAX_FOLLOW_UPS;
  if (reasons.length > 0) {
    lines.push(
      followUp
        ? `A follow-up deploy run (${chain + 1} of at most ${MAX_FOLLOW_UPS}) plans them: ${reasons.join("; ")}.`
        : `Not deployed: ${reasons.join("; ")}. This run was follow-up ${chain} of at most ${MAX_FOLLOW_UPS}: run the deploy workflow again by hand (workflow_dispatch) once the cause is fixed.`,
      "",
    );
  }
  if (waiting.length > 0 && !progressed) lines.push(`Still pending (nothing they wait for was deployed by this run): ${list(waiting)}. The next merge or a manual run deploys them once the cause is fixed.`, "");
  return { markdown: `${lines.join("\n")}\n`, followUp, reason: reasons.join("; ") };
}

/**
 * Whether a tier may promote: every stack of the tier the manifest lists ended applied or recorded (a deferred,
 * failed, stale, unapproved or blocked stack keeps later tiers from running in this run).
 */
export function tierPromotes(manifest: Manifest, tier: string, applies: readonly ApplyStatus[]): { readonly promote: boolean; readonly pending: string[] } {
  const done = new Set(applies.filter((status) => status.outcome === "applied" || status.outcome === "recorded").map((status) => status.stack));
  const pending = manifest.stacks.filter((stack) => stack.tier === tier && !done.has(stack.stack)).map((stack) => stack.stack);
  return { promote: pending.length === 0, pending };
}

/** The label and marker of drift issues: one open issue per drifted stack, found again by its marker. */
export const DRIFT_LABEL = "drift";
export function driftMarker(stack: string): string {
  return `<!-- platform-drift:${stack} -->`;
}

export type DriftState = "drift" | "undeployed" | "failed" | "clean";

export interface DriftFinding {
  readonly stack: string;
  readonly environment: string;
  readonly state: DriftState;
  readonly marker: string;
  readonly title: string;
  /** Issue body (open or update); for a clean stack, the closing comment. */
  readonly body: string;
}

/**
 * One finding per planned stack: `drift` when the stack's last deploy is the current code yet the plan changes
 * something (someone changed the infrastructure), `undeployed` when the code changed since the last successful deploy
 * (the plan shows what the next deploy applies), `failed` when it could not be planned, `clean` otherwise.
 */
export function driftFindings(manifest: Manifest, plans: readonly PlanStatus[], planTexts: ReadonlyMap<string, string>, runUrl: string): DriftFinding[] {
  const stacks = new Map(manifest.stacks.map((stack) => [stack.stack, stack]));
  return [...plans]
    .sort((a, b) => a.stack.localeCompare(b.stack))
    .map((plan) => {
      const entry = stacks.get(plan.stack);
      const deployedCurrent = entry?.deployedHash !== undefined && entry.deployedHash === plan.hash;
      const state: DriftState = plan.outcome === "failed" || plan.outcome === "blocked" ? "failed" : plan.outcome === "changes" ? (deployedCurrent ? "drift" : "undeployed") : "clean";
      const marker = driftMarker(plan.stack);
      const text = planTexts.get(plan.stack) ?? "";
      const shown = text.length > 50_000 ? `${text.slice(0, 50_000)}\n... (cut: the whole plan is in the run's artifacts)` : text;
      const title =
        state === "drift"
          ? `Drift: ${plan.stack} differs from its configuration`
          : state === "undeployed"
            ? `Drift check: ${plan.stack} has changes not deployed yet`
            : state === "failed"
              ? `Drift check: ${plan.stack} could not be planned`
              : `Drift: ${plan.stack}`;
      const explanation =
        state === "drift"
          ? "The stack's last successful deploy is the current code, yet planning it proposes changes: something outside CI changed its resources. Revert the change, or bring it into the configuration."
          : state === "undeployed"
            ? "The code changed since the stack's last successful deploy; the plan shows what the next deploy applies (a deploy failed, was not approved, or is waiting for its dependencies)."
            : state === "failed"
              ? `Planning failed: ${plan.message ?? "see the run"}`
              : `Planned clean by ${runUrl}.`;
      const body =
        state === "clean"
          ? `${marker}\nThe nightly drift check planned \`${plan.stack}\` without changes (${runUrl}): closing.`
          : [marker, `**${title}** (environment \`${plan.environment}\`, nightly drift check ${runUrl})`, "", explanation, "", `Changes: ${countsText(plan.counts)}`, "", ...(shown ? ["<details><summary>plan</summary>", "", "```", shown, "```", "", "</details>"] : [])].join("\n");
      return { stack: plan.stack, environment: plan.environment, state, marker, title, body };
    });
}
