/**
 * Saved Terraform plans as CI handles them (pure): what a plan changes, whether two plans of a stack propose the same
 * changes, the status a job records per stack, and the summaries a reviewer reads before approving.
 */
import { z } from "zod";

/** What happened to a stack in a plan job. */
export const PLAN_OUTCOMES = ["changes", "no-changes", "failed", "blocked", "deferred"] as const;
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];

/** What happened to a stack in an apply job. */
export const APPLY_OUTCOMES = ["applied", "recorded", "failed", "stale", "replan", "blocked", "not-approved", "deferred", "skipped"] as const;
export type ApplyOutcome = (typeof APPLY_OUTCOMES)[number];

export interface ChangeCounts {
  readonly create: number;
  readonly update: number;
  readonly replace: number;
  readonly delete: number;
  readonly import: number;
  readonly outputs: number;
}

export const PlanStatusSchema = z.object({
  stack: z.string(),
  environment: z.string(),
  outcome: z.enum(PLAN_OUTCOMES),
  hash: z.string(),
  counts: z.object({ create: z.number(), update: z.number(), replace: z.number(), delete: z.number(), import: z.number(), outputs: z.number() }).optional(),
  message: z.string().optional(),
});
export type PlanStatus = z.infer<typeof PlanStatusSchema>;

export const ApplyStatusSchema = z.object({
  stack: z.string(),
  environment: z.string(),
  outcome: z.enum(APPLY_OUTCOMES),
  message: z.string().optional(),
});
export type ApplyStatus = z.infer<typeof ApplyStatusSchema>;

interface PlanJson {
  resource_changes?: { address: string; mode?: string; change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown; before_sensitive?: unknown; after_sensitive?: unknown; importing?: unknown } }[];
  output_changes?: Record<string, { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown }>;
}

function parse(text: string, where: string): PlanJson {
  try {
    return JSON.parse(text) as PlanJson;
  } catch (error) {
    throw new Error(`${where}: not the JSON of a plan (terraform show -json): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Counts of a plan (`terraform show -json`): managed resources by action, imports, changed outputs. */
export function changeCounts(planJson: string, where = "plan"): ChangeCounts {
  const plan = parse(planJson, where);
  const counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0, outputs: 0 };
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === "data") continue;
    const actions = change.change.actions.join(",");
    if (actions === "create") counts.create++;
    else if (actions === "update") counts.update++;
    else if (actions === "delete") counts.delete++;
    else if (actions === "delete,create" || actions === "create,delete") counts.replace++;
    if (change.change.importing !== undefined && change.change.importing !== null) counts.import++;
  }
  counts.outputs = Object.values(plan.output_changes ?? {}).filter((change) => change.actions.join(",") !== "no-op").length;
  return counts;
}

/** Whether a plan changes anything (resources or outputs). */
export function hasChanges(counts: ChangeCounts): boolean {
  return counts.create + counts.update + counts.replace + counts.delete + counts.import + counts.outputs > 0;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => [key, sortKeys(item)]));
  }
  return value;
}

/**
 * The part of a plan a reviewer approves: each managed resource's address, actions, before and after values (with
 * what is unknown or sensitive), and the outputs' changes — without timestamps, prior state or data-source reads.
 */
export function reviewedChanges(planJson: string, where = "plan"): string {
  const plan = parse(planJson, where);
  const resources = (plan.resource_changes ?? [])
    .filter((change) => change.mode !== "data" && change.change.actions.join(",") !== "no-op")
    .map((change) => ({
      address: change.address,
      actions: change.change.actions,
      before: change.change.before ?? null,
      after: change.change.after ?? null,
      after_unknown: change.change.after_unknown ?? null,
      before_sensitive: change.change.before_sensitive ?? null,
      after_sensitive: change.change.after_sensitive ?? null,
      importing: change.change.importing ?? null,
    }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, change]) => change.actions.join(",") !== "no-op")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, change]) => ({ name, actions: change.actions, before: change.before ?? null, after: change.after ?? null, after_unknown: change.after_unknown ?? null }));
  return JSON.stringify(sortKeys({ resources, outputs }));
}

/** Whether a fresh plan proposes exactly the changes of the approved one. */
export function samePlan(approvedJson: string, freshJson: string): boolean {
  return reviewedChanges(approvedJson, "approved plan") === reviewedChanges(freshJson, "fresh plan");
}

/** Terraform's refusal to apply a saved plan whose state changed since (internal/backend/local: "Saved plan is stale"). */
export function isStalePlanError(output: string): boolean {
  return /Saved plan is stale/i.test(output);
}

export function countsText(counts: ChangeCounts | undefined): string {
  if (!counts) return "-";
  const parts = [
    counts.create > 0 ? `+${counts.create}` : "",
    counts.update > 0 ? `~${counts.update}` : "",
    counts.replace > 0 ? `-/+${counts.replace}` : "",
    counts.delete > 0 ? `-${counts.delete}` : "",
    counts.import > 0 ? `import ${counts.import}` : "",
    counts.outputs > 0 ? `outputs ${counts.outputs}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : "no changes";
}

/** A job summary holds at most 1 MiB (GitHub: "$GITHUB_STEP_SUMMARY ... up to 1MiB"); stay below it. */
export const SUMMARY_LIMIT = 900_000;
/** Characters of one stack's plan shown inline before it is cut (the whole plan is in the run's artifacts). */
export const PLAN_TEXT_LIMIT = 30_000;

export interface ReviewInput {
  readonly tier: string;
  readonly statuses: readonly PlanStatus[];
  /** Plan text (`terraform show`) by stack, for stacks with changes. */
  readonly planTexts: ReadonlyMap<string, string>;
  /** Environment -> its approval environment. */
  readonly approvalEnvironments: ReadonlyMap<string, string>;
  readonly runUrl?: string;
}

export interface ReviewResult {
  readonly markdown: string;
  /** Environments whose plans change something: each waits for one approval. */
  readonly approvals: { readonly environment: string; readonly approvalEnvironment: string }[];
}

/** What a reviewer reads before approving a tier: per environment, every stack's outcome and its plan. */
export function reviewSummary(input: ReviewInput): ReviewResult {
  const byEnvironment = new Map<string, PlanStatus[]>();
  for (const status of [...input.statuses].sort((a, b) => a.stack.localeCompare(b.stack))) {
    byEnvironment.set(status.environment, [...(byEnvironment.get(status.environment) ?? []), status]);
  }
  const sections: string[] = [];
  const approvals: ReviewResult["approvals"] = [];
  let budget = SUMMARY_LIMIT;
  for (const [environment, statuses] of [...byEnvironment].sort(([a], [b]) => a.localeCompare(b))) {
    const changed = statuses.filter((status) => status.outcome === "changes");
    const approvalEnvironment = input.approvalEnvironments.get(environment) ?? `${environment}-approval`;
    if (changed.length > 0) approvals.push({ environment, approvalEnvironment });
    const lines = [
      `### ${input.tier}: environment \`${environment}\``,
      "",
      changed.length > 0
        ? `${changed.length} stack(s) change: approving GitHub environment \`${approvalEnvironment}\` applies exactly these plans. A plan whose state changes before its apply is not applied: the next run plans it again for a new approval.`
        : "Nothing changes: no approval is requested; stacks with empty plans are recorded as deployed.",
      "",
      "| stack | outcome | changes | note |",
      "|---|---|---|---|",
      ...statuses.map((status) => `| \`${status.stack}\` | ${status.outcome} | ${countsText(status.counts)} | ${(status.message ?? "").replaceAll("|", "\\|").replaceAll("\n", " ")} |`),
      "",
    ];
    for (const status of changed) {
      const text = input.planTexts.get(status.stack) ?? "";
      const shown = text.length > PLAN_TEXT_LIMIT ? `${text.slice(0, PLAN_TEXT_LIMIT)}\n... (cut: the whole plan is in the run's artifacts)` : text;
      const block = [`<details><summary><code>${status.stack}</code>: ${countsText(status.counts)}</summary>`, "", "```", shown, "```", "", "</details>", ""].join("\n");
      if (block.length > budget) {
        lines.push(`<code>${status.stack}</code>: the plan does not fit in the summary; read it in the run's artifacts${input.runUrl ? ` (${input.runUrl})` : ""}.`, "");
        continue;
      }
      budget -= block.length;
      lines.push(block);
    }
    sections.push(lines.join("\n"));
  }
  if (sections.length === 0) sections.push(`### ${input.tier}\n\nNo stack of this tier was planned.\n`);
  return { markdown: `${sections.join("\n")}\n`, approvals };
}
