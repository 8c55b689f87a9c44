/**
 * The change report: compares two sets of synthesized stacks (a base revision and the working tree), optionally
 * with Terraform's plan JSON per stack, and renders markdown for a pull-request comment:
 *
 * 1. a summary line and the loud block: every stateful resource that would be destroyed, replaced or may be
 *    replaced;
 * 2. the monthly cost delta (price catalog, cost.ts) with unknown prices listed;
 * 3. the IAM statement and security-group rule changes, broadening first (broadening.ts);
 * 4. architecture diagrams of environments whose topology changed;
 * 5. per stack: counts by action and by resource type, the rows (each with its source: offline or plan), the
 *    argument diffs by key path (structure.ts), policy findings that appeared or disappeared. A new or removed
 *    stack is summarized by type with its rows folded.
 *
 * The markdown never exceeds `maxLength`: stack sections are shortened (details dropped, then rows) before any
 * is omitted, and every omitted stack is named with a link to the full report.
 */
import type { Profile } from "../../../config/schema/environment";
import type { Suppression } from "../../../config/schema/policy";
import { evaluateStack } from "../../../constructs/policy/engine";
import { StackModel, type SynthesizedStack } from "../../../constructs/policy/model";
import { STATEFUL_TYPES } from "../../../constructs/policy/stateful";
import type { Finding } from "../../../constructs/policy/types";
import { ruleRows, statementRows, type RuleRow, type StatementRow } from "./broadening";
import type { StackEstimate } from "./cost";
import { mergePlan, type PlanJson } from "./plan";
import { diffResources, type ChangeSource, type ResourceAction, type ResourceChange } from "./stack-diff";
import { isLongText, lineDiff } from "./structure";

export type { ResourceAction, ResourceChange } from "./stack-diff";

/** GitHub rejects comments longer than this. */
export const MAX_COMMENT_LENGTH = 65_536;
const MAX_ATTRIBUTES_PER_RESOURCE = 15;
const MAX_WARNINGS = 100;
const MAX_TABLE_ROWS = 40;
const VALUE_WIDTH = 100;
const MAX_BROADENING_ROWS = 60;

export interface StackChange {
  readonly stack: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly resources: readonly ResourceChange[];
  /** Where the rows come from: the plan JSON when CI provided one for this stack. */
  readonly source: ChangeSource;
  /** Offline rows the plan shows as no change. */
  readonly planNoOp: number;
  /** Provider, backend, output or data-source changes (no resource changes by themselves). */
  readonly settingsChanged: readonly string[];
  readonly findingsAppeared: readonly Finding[];
  readonly findingsResolved: readonly Finding[];
  readonly statements: readonly StatementRow[];
  readonly rules: readonly RuleRow[];
  readonly cost?: { readonly before?: StackEstimate; readonly after?: StackEstimate };
}

export interface Diagram {
  readonly title: string;
  readonly mermaid: string;
}

export interface ReviewInput {
  readonly base: ReadonlyMap<string, SynthesizedStack>;
  readonly head: ReadonlyMap<string, SynthesizedStack>;
  /** e.g. "origin/main (1a2b3c4)". */
  readonly baseLabel: string;
  /** @default "working tree" */
  readonly headLabel?: string;
  /** Profile each stack's policy findings are evaluated with. */
  readonly profileOf: (stack: string, json: SynthesizedStack) => Profile;
  /** @default none */
  readonly suppressions?: readonly Suppression[];
  /** @default 65,536 (a GitHub comment) */
  readonly maxLength?: number;
  /** Command that reproduces the report, for the truncation notice. @default "npm run review -- --base <baseLabel>" */
  readonly command?: string;
  /** Terraform plan JSON per stack (`terraform show -json`): its actions decide that stack's rows. @default none */
  readonly plans?: ReadonlyMap<string, PlanJson>;
  /** Where the full report is (CI: the run's job summary and artifact), linked when the comment is cut. @default none */
  readonly fullReportUrl?: string;
  /** Which stacks were compared and why (`12 stack(s) compared: only tenant files changed`). @default none */
  readonly scope?: string;
  /** Stacks the change cannot affect, not synthesized (a scoped review). @default 0 */
  readonly notCompared?: number;
  /** Monthly cost of a stack (cost.ts). @default no cost section */
  readonly estimate?: (stack: string, json: SynthesizedStack) => StackEstimate;
  /** Diagrams of environments whose topology changed. @default none */
  readonly diagrams?: readonly Diagram[];
}

export interface ChangeReport {
  readonly markdown: string;
  readonly stacks: readonly StackChange[];
  /** Stacks that exist in the working tree and changed (the ones to `cdktf diff`). */
  readonly affected: readonly string[];
  readonly truncated: boolean;
  /** Stacks whose section did not fit (named in the notice). */
  readonly omitted: readonly string[];
  /** Monthly cost before and after over the compared stacks (USD), and what could not be priced. */
  readonly cost?: { readonly before: number; readonly after: number; readonly unknown: readonly string[] };
}

// ---------------------------------------------------------------------------------------------------------

function findingKey(finding: Finding): string {
  return `${finding.rule}|${finding.path}`;
}

function settingsDiff(base: SynthesizedStack, head: SynthesizedStack): string[] {
  const changed: string[] = [];
  for (const [key, label] of [["provider", "providers"], ["terraform", "backend / required providers"], ["output", "outputs"], ["data", "data sources"], ["variable", "variables"], ["locals", "locals"]] as const) {
    if (JSON.stringify(base[key] ?? null) !== JSON.stringify(head[key] ?? null)) changed.push(label);
  }
  return changed;
}

/** Diffs one stack (either side may be absent). */
export function diffStack(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined, input: Pick<ReviewInput, "profileOf" | "suppressions" | "plans" | "estimate">): StackChange {
  const offline = diffResources(stack, base, head);
  const plan = input.plans?.get(stack);
  const merged = plan ? mergePlan(offline, plan) : { changes: offline, planNoOp: 0 };
  const findings = (json: SynthesizedStack | undefined) =>
    json ? evaluateStack(new StackModel(json, stack), { stack, profile: input.profileOf(stack, json), ...(input.suppressions ? { suppressions: input.suppressions } : {}) }).findings : [];
  const settingsChanged = base && head ? settingsDiff(base, head) : [];
  const status = !base ? "added" : !head ? "removed" : merged.changes.length > 0 || settingsChanged.length > 0 ? "changed" : "unchanged";
  if (status === "unchanged") {
    return { stack, status, resources: [], source: plan ? "plan" : "offline", planNoOp: merged.planNoOp, settingsChanged, findingsAppeared: [], findingsResolved: [], statements: [], rules: [] };
  }
  const baseFindings = findings(base);
  const headFindings = findings(head);
  const baseKeys = new Set(baseFindings.map(findingKey));
  const headKeys = new Set(headFindings.map(findingKey));
  return {
    stack,
    status,
    resources: merged.changes,
    source: plan ? "plan" : "offline",
    planNoOp: merged.planNoOp,
    settingsChanged,
    findingsAppeared: headFindings.filter((finding) => !baseKeys.has(findingKey(finding))),
    findingsResolved: baseFindings.filter((finding) => !headKeys.has(findingKey(finding))),
    statements: statementRows(stack, base, head),
    rules: ruleRows(stack, base, head),
    ...(input.estimate ? { cost: { ...(base ? { before: input.estimate(stack, base) } : {}), ...(head ? { after: input.estimate(stack, head) } : {}) } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

function shown(raw: unknown, sensitive: boolean): string {
  if (raw === undefined) return "_(absent)_";
  if (sensitive) return "_(sensitive)_";
  const text = JSON.stringify(raw);
  return code(text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text);
}

const ICONS: Record<ResourceAction, string> = {
  create: "➕ create",
  update: "✏️ update",
  "maybe-replace": "⚠️ **update, may replace**",
  replace: "🔁 **replace**",
  destroy: "❌ **destroy**",
  move: "🚚 move",
  forget: "🫥 forget (removed from state, not destroyed)",
};

function usd(amount: number): string {
  return `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function signed(amount: number): string {
  return `${amount >= 0 ? "+" : "−"}${usd(Math.abs(amount))}`;
}

/** Warning lines for stateful resources destroyed, replaced, possibly replaced or unprotected. */
export function statefulWarnings(changes: readonly StackChange[]): string[] {
  const out: string[] = [];
  for (const change of changes) {
    for (const resource of change.resources.filter((item) => item.stateful)) {
      const holds = STATEFUL_TYPES[resource.type]?.holds ?? "its data";
      const where = `${code(change.stack)}: ${code(resource.address)} (${code(resource.path)})`;
      const reasons = (filter: (attribute: ResourceChange["attributes"][number]) => boolean) =>
        resource.attributes.filter(filter).map((attribute) => (attribute.note && attribute.before === attribute.after ? `${code(attribute.path)} (${attribute.note})` : `${code(attribute.path)} ${shown(attribute.before, attribute.sensitive)} → ${shown(attribute.after, attribute.sensitive)}`));
      if (resource.action === "destroy") {
        out.push(`${where} would be **DESTROYED** — ${holds} is lost${change.status === "removed" ? " (the whole stack is removed)" : ""}`);
      } else if (resource.action === "replace") {
        const because = reasons((attribute) => attribute.forcesReplacement);
        out.push(`${where} would be **REPLACED** (destroyed and re-created)${because.length > 0 ? ` because ${because.join(", ")}` : ` (${resource.source === "plan" ? "per the plan" : "forced"})`} — ${holds} is lost`);
      } else if (resource.action === "maybe-replace") {
        out.push(`${where} **may be REPLACED** because ${reasons((attribute) => attribute.mayForceReplacement === true).join(", ")} — confirm with the plan; ${holds} would be lost`);
      }
      if (resource.attributes.some((attribute) => attribute.path === "lifecycle.prevent_destroy" && attribute.before === true && attribute.after !== true)) {
        out.push(`${where} loses \`lifecycle.prevent_destroy\``);
      }
    }
  }
  return out;
}

function findingLine(finding: Finding): string {
  return `- **${finding.rule}** (${finding.severity}) ${code(finding.path)}: ${finding.message}`;
}

const COUNTED: readonly [ResourceAction, string][] = [["create", "to add"], ["update", "to change"], ["replace", "to replace"], ["maybe-replace", "may replace"], ["destroy", "to destroy"], ["move", "moved"], ["forget", "to forget"]];

function counts(resources: readonly ResourceChange[], always = true): string {
  const count = (action: ResourceAction) => resources.filter((resource) => resource.action === action).length;
  return COUNTED.filter(([action]) => always && ["create", "update", "replace", "destroy"].includes(action) ? true : count(action) > 0)
    .map(([action, label]) => `${count(action)} ${label}`)
    .join(", ");
}

/** `aws_subnet × 9, aws_route_table × 7` (most frequent first). */
export function typeSummary(resources: readonly ResourceChange[]): string {
  const byType = new Map<string, number>();
  for (const resource of resources) byType.set(resource.type, (byType.get(resource.type) ?? 0) + 1);
  return [...byType].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type, count]) => `${code(type)} × ${count}`).join(", ");
}

/** Per type and action counts, as a table. */
function typeTable(resources: readonly ResourceChange[]): string[] {
  const actions = COUNTED.map(([action]) => action).filter((action) => resources.some((resource) => resource.action === action));
  const byType = new Map<string, Map<ResourceAction, number>>();
  for (const resource of resources) {
    const row = byType.get(resource.type) ?? new Map<ResourceAction, number>();
    row.set(resource.action, (row.get(resource.action) ?? 0) + 1);
    byType.set(resource.type, row);
  }
  const label = (action: ResourceAction) => COUNTED.find(([candidate]) => candidate === action)?.[1] ?? action;
  return [
    `| Type | ${actions.map(label).join(" | ")} |`,
    `|---|${actions.map(() => "---:").join("|")}|`,
    ...[...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, row]) => `| ${code(type)} | ${actions.map((action) => String(row.get(action) ?? "")).join(" | ")} |`),
  ];
}

function attributeLines(resource: ResourceChange): string[] {
  const lines: string[] = [`- ${code(resource.address)}`];
  for (const attribute of resource.attributes.slice(0, MAX_ATTRIBUTES_PER_RESOURCE)) {
    const flag = attribute.forcesReplacement ? " **(forces replacement)**" : attribute.mayForceReplacement ? " **(may force replacement)**" : "";
    const note = attribute.note ? ` _(${attribute.note})_` : "";
    if (attribute.note && attribute.before === attribute.after) {
      lines.push(`  - ${code(attribute.path)}${note}${flag}`);
    } else if (!attribute.sensitive && isLongText(attribute.before, attribute.after, VALUE_WIDTH)) {
      lines.push(`  - ${code(attribute.path)}${flag}:`, "", "    ```diff", ...lineDiff(attribute.before as string, attribute.after as string).split("\n").map((line) => `    ${line}`), "    ```", "");
    } else {
      lines.push(`  - ${code(attribute.path)}: ${shown(attribute.before, attribute.sensitive)} → ${shown(attribute.after, attribute.sensitive)}${flag}${note}`);
    }
  }
  const more = resource.attributes.length - MAX_ATTRIBUTES_PER_RESOURCE;
  if (more > 0) lines.push(`  - … ${more} more`);
  return lines;
}

function resourceTable(resources: readonly ResourceChange[], limit: number): string[] {
  const rows = resources.slice(0, limit).map((resource) => {
    const name = resource.from ? `${code(resource.from)} → ${code(resource.address)}` : code(resource.address);
    return `| ${ICONS[resource.action]} | ${name} | ${code(resource.path)} | ${resource.source} |`;
  });
  return ["| Action | Resource | Construct path | Source |", "|---|---|---|---|", ...rows, ...(resources.length > limit ? [`| … | ${resources.length - limit} more (full report) | | |`] : [])];
}

/** Detail levels of a stack section: 0 everything, 1 rows without argument diffs, 2 counts by type only. */
type Level = 0 | 1 | 2;

function renderStack(change: StackChange, level: Level): string {
  const whole = change.status === "added" || change.status === "removed";
  const title = change.status === "added" ? `new stack: ${change.resources.length} to add` : change.status === "removed" ? `**stack removed**: ${change.resources.length} to destroy` : counts(change.resources);
  const lines = [`### ${code(change.stack)} — ${title} _(source: ${change.source})_`, ""];
  if (whole || level === 2) {
    if (change.resources.length > 0) lines.push(`${typeSummary(change.resources)}.`, "");
  } else if (change.resources.length > 0) {
    lines.push(...typeTable(change.resources), "");
  }
  if (change.planNoOp > 0) lines.push(`The plan shows no change for ${change.planNoOp} resource(s) the offline comparison flagged.`, "");
  if (level < 2 && change.resources.length > 0) {
    const notable = change.resources.filter((resource) => ["destroy", "replace", "maybe-replace", "forget"].includes(resource.action));
    const table = resourceTable(whole ? change.resources : change.resources, whole || level === 1 ? MAX_TABLE_ROWS : change.resources.length);
    if (whole) {
      lines.push(`<details><summary>${change.resources.length} resources</summary>`, "", ...table, "", "</details>", "");
    } else if (level === 1 && notable.length < change.resources.length) {
      lines.push(...resourceTable(notable.length > 0 ? notable : change.resources, MAX_TABLE_ROWS), "");
    } else {
      lines.push(...table, "");
    }
  }
  const withAttributes = change.resources.filter((resource) => resource.attributes.length > 0);
  if (level === 0 && withAttributes.length > 0) {
    lines.push("<details><summary>Changed arguments</summary>", "", ...withAttributes.flatMap(attributeLines), "", "</details>", "");
  }
  if (change.settingsChanged.length > 0) lines.push(`Also changed: ${change.settingsChanged.join(", ")}.`, "");
  if (change.findingsAppeared.length > 0) lines.push("**New policy findings**", "", ...change.findingsAppeared.map(findingLine), "");
  if (change.findingsResolved.length > 0 && level < 2) lines.push("**Resolved policy findings**", "", ...change.findingsResolved.map(findingLine), "");
  return lines.join("\n");
}

function joinList(items: readonly string[]): string {
  return items.length === 0 ? "" : items.slice(0, 6).map(code).join(", ") + (items.length > 6 ? ` … +${items.length - 6}` : "");
}

function broadeningSection(changes: readonly StackChange[]): string[] {
  const statements = changes.flatMap((change) => change.statements).sort((a, b) => Number(b.broadening) - Number(a.broadening));
  const rules = changes.flatMap((change) => change.rules).sort((a, b) => Number(b.broadening) - Number(a.broadening));
  const lines: string[] = [];
  if (statements.length > 0) {
    const broadening = statements.filter((row) => row.broadening).length;
    lines.push(`### IAM statement changes (${broadening} broadening)`, "", "| | Stack | Policy | Change | Effect | Principal | Action | Resource | Condition |", "|---|---|---|---|---|---|---|---|---|");
    for (const row of statements.slice(0, MAX_BROADENING_ROWS)) {
      lines.push(`| ${row.broadening ? "⚠️" : ""} | ${code(row.stack)} | ${code(row.policy)} | ${row.change} | ${row.effect} | ${joinList(row.principals)} | ${joinList(row.actions)} | ${joinList(row.resources)} | ${joinList(row.conditions)} |`);
    }
    if (statements.length > MAX_BROADENING_ROWS) lines.push(`| | … ${statements.length - MAX_BROADENING_ROWS} more | | | | | | | |`);
    lines.push("");
  }
  if (rules.length > 0) {
    const broadening = rules.filter((row) => row.broadening).length;
    lines.push(`### Security group changes (${broadening} broadening)`, "", "| | Stack | Group | Dir | Protocol / ports | Peer | Change |", "|---|---|---|---|---|---|---|");
    for (const row of rules.slice(0, MAX_BROADENING_ROWS)) lines.push(`| ${row.broadening ? "⚠️" : ""} | ${code(row.stack)} | ${code(row.group)} | ${row.direction} | ${row.ports} | ${code(row.peer)} | ${row.change} |`);
    if (rules.length > MAX_BROADENING_ROWS) lines.push(`| | … ${rules.length - MAX_BROADENING_ROWS} more | | | | | |`);
    lines.push("");
  }
  return lines;
}

function costSection(changes: readonly StackChange[]): { lines: string[]; before: number; after: number; unknown: string[] } {
  const priced = changes.filter((change) => change.cost);
  let before = 0;
  let after = 0;
  const unknown = new Set<string>();
  const rows: string[] = [];
  for (const change of priced) {
    const a = change.cost?.before?.monthly ?? 0;
    const b = change.cost?.after?.monthly ?? 0;
    before += a;
    after += b;
    // Both sides: a resource removed or replaced whose price is unknown leaves the "before" figure short too.
    for (const item of [...(change.cost?.before?.unknown ?? []), ...(change.cost?.after?.unknown ?? [])]) unknown.add(item);
    if (Math.abs(b - a) >= 0.005) rows.push(`| ${code(change.stack)} | ${usd(a)} | ${usd(b)} | ${signed(b - a)} |`);
  }
  if (priced.length === 0) return { lines: [], before, after, unknown: [] };
  const catalog = priced.map((change) => change.cost?.after ?? change.cost?.before).find((estimate) => estimate)?.catalog;
  const lines = [
    `### Monthly cost: ${usd(before)} → ${usd(after)} (**${signed(after - before)}**)`,
    "",
    ...(rows.length > 0 ? ["| Stack | Before | After | Delta |", "|---|---:|---:|---:|", ...rows, ""] : ["No priced resource changes.", ""]),
    `On-demand list prices${catalog ? ` (${catalog})` : ""}, ${"730"} hours a month; usage (storage, requests, data transfer, capacity launched at run time) is not included.`,
    ...(unknown.size > 0 ? ["", `**Not priced** (no sourced price in the catalog — not counted as zero): ${[...unknown].sort().map(code).join(", ")}.`] : []),
    "",
  ];
  return { lines, before, after, unknown: [...unknown].sort() };
}

/** Builds the report; the markdown never exceeds `maxLength` (stacks that do not fit are named in a notice). */
export function changeReport(input: ReviewInput): ChangeReport {
  const maxLength = input.maxLength ?? MAX_COMMENT_LENGTH;
  const names = [...new Set([...input.head.keys(), ...input.base.keys()])];
  const stacks = names.map((name) => diffStack(name, input.base.get(name), input.head.get(name), input));
  const changed = stacks.filter((change) => change.status !== "unchanged");
  const all = (action: ResourceAction) => changed.reduce((sum, change) => sum + change.resources.filter((resource) => resource.action === action).length, 0);
  const sources = new Set(changed.map((change) => change.source));

  const header = [
    "## Infrastructure change report",
    "",
    `Comparing ${code(input.baseLabel)} → ${code(input.headLabel ?? "working tree")}: **${changed.length}** of ${stacks.length} compared stacks change — ${all("create")} to add, ${all("update")} to change, ${all("replace")} to replace, ${all("maybe-replace")} may replace, ${all("destroy")} to destroy, ${all("move")} moved.` +
      ` Source: ${sources.size === 0 ? "offline" : [...sources].join(" and ")}${sources.has("offline") ? " (offline: from the synthesized configuration and the replacement table; the plan decides in CI)" : ""}.`,
    ...(input.scope ? ["", `Scope: ${input.scope}.`] : []),
    ...(input.notCompared ? ["", `${input.notCompared} other stack(s) cannot be affected by the changed files and were not synthesized.`] : []),
    "",
  ];
  const warnings = statefulWarnings(changed);
  if (warnings.length > 0) {
    const listed = warnings.slice(0, MAX_WARNINGS);
    header.push(
      "> [!CAUTION]",
      `> ### 🛑 ${warnings.length} stateful resource change(s) would destroy data`,
      ">",
      ...listed.map((line) => `> - ${line}`),
      ...(warnings.length > listed.length ? [`> - … and ${warnings.length - listed.length} more`] : []),
      ">",
      "> A renamed or moved construct changes the Terraform address: keep it with cdktf's move support (`moveFromId` / `moveToId` / `moveTo`).",
      "> If the replacement is intended, take a snapshot first and get a second reviewer.",
      "",
    );
  }
  const appeared = changed.reduce((sum, change) => sum + change.findingsAppeared.length, 0);
  const resolved = changed.reduce((sum, change) => sum + change.findingsResolved.length, 0);
  if (appeared + resolved > 0) header.push(`Policy: ${appeared} new finding(s), ${resolved} resolved.`, "");
  const cost = costSection(changed);
  header.push(...cost.lines, ...broadeningSection(changed));
  for (const diagram of input.diagrams ?? []) {
    header.push(`<details><summary>Architecture: ${diagram.title} (topology changed)</summary>`, "", "```mermaid", diagram.mermaid, "```", "", "</details>", "");
  }

  const unchanged = stacks.filter((change) => change.status === "unchanged").map((change) => change.stack);
  const footer = unchanged.length > 0 ? `Unchanged: ${unchanged.length > 50 ? `${unchanged.length} stacks` : unchanged.map(code).join(", ")}.\n` : "";
  const command = input.command ?? `npm run review -- --base ${input.baseLabel.split(" ")[0]}`;
  const notice = (omitted: readonly string[]) =>
    `\n> [!WARNING]\n> Report truncated to ${maxLength.toLocaleString("en-US")} characters: ${omitted.length} stack section(s) omitted. Run \`${command}\` locally for the full report${input.fullReportUrl ? `, or read it at ${input.fullReportUrl} (job summary and the \`change-report\` artifact)` : ""}.\n> Omitted: ${omitted.map(code).join(", ")}.\n`;

  let head = `${header.join("\n")}\n`;
  const budgetForHeader = Math.floor(maxLength * 0.6);
  if (head.length > budgetForHeader) head = `${head.slice(0, budgetForHeader)}\n…(header cut: see the full report)\n`;

  // Shorten the largest sections first, one level at a time, until everything fits; then omit from the end.
  const levels: Level[] = changed.map(() => 0);
  const cache = new Map<string, string>();
  const section = (index: number) => {
    const key = `${index}:${levels[index]}`;
    if (!cache.has(key)) cache.set(key, `${renderStack(changed[index] as StackChange, levels[index] as Level)}\n`);
    return cache.get(key) as string;
  };
  const sizes = changed.map((_, index) => section(index).length);
  let total = head.length + footer.length + sizes.reduce((sum, size) => sum + size, 0);
  const reserve = () => notice(changed.map((change) => change.stack)).length;
  const order = changed.map((_, index) => index).sort((a, b) => (sizes[b] as number) - (sizes[a] as number));
  for (let level = 1 as Level; level <= 2 && total > maxLength; level = (level + 1) as Level) {
    for (const index of order) {
      if (total <= maxLength) break;
      if ((levels[index] as Level) >= level) continue;
      levels[index] = level;
      const size = section(index).length;
      total += size - (sizes[index] as number);
      sizes[index] = size;
    }
  }
  let markdown = head;
  const omitted: string[] = [];
  const room = total > maxLength ? maxLength - footer.length - reserve() : maxLength;
  for (let index = 0; index < changed.length; index++) {
    const text = section(index);
    if (omitted.length === 0 && markdown.length + text.length <= room) markdown += text;
    else omitted.push((changed[index] as StackChange).stack);
  }
  if (omitted.length > 0) {
    let tail = notice(omitted);
    if (markdown.length + tail.length > maxLength) tail = tail.slice(0, Math.max(0, maxLength - markdown.length - 2)) + "…\n";
    markdown += tail;
  } else {
    markdown += footer;
  }
  return {
    markdown,
    stacks,
    affected: stacks.filter((change) => change.status === "added" || change.status === "changed").map((change) => change.stack),
    truncated: omitted.length > 0 || levels.some((level) => level > 0) || head.includes("…(header cut"),
    omitted,
    ...(input.estimate ? { cost: { before: cost.before, after: cost.after, unknown: cost.unknown } } : {}),
  };
}
