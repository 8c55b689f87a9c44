/**
 * The offline change report: compares two sets of synthesized stacks (a base revision and the working tree)
 * and renders markdown for a pull-request comment: per stack the resources added, removed, changed (with the
 * changed attributes), moved; a loud warning block first for every stateful resource that would be destroyed
 * or replaced; and the policy findings that appeared or disappeared. No cloud credentials: it reads only the
 * synthesized JSON, so it also runs for pull requests from forks.
 *
 * "Replaced" is decided from the arguments that force replacement of the main stateful types (stateful.ts);
 * `cdktf diff` with the plan role remains the authority on what Terraform will actually do.
 */
import type { Profile } from "../../config/schema/environment";
import type { Suppression } from "../../config/schema/policy";
import { releasedAddresses } from "./addresses";
import { evaluateStack } from "./engine";
import { StackModel, type SynthesizedStack } from "./model";
import { isSensitiveAttribute } from "./rules/secrets";
import { isStatefulType, STATEFUL_TYPES } from "./stateful";
import type { Finding } from "./types";

/** GitHub rejects comments longer than this. */
export const MAX_COMMENT_LENGTH = 65_536;
const MAX_ATTRIBUTES_PER_RESOURCE = 15;
const MAX_WARNINGS = 100;
const VALUE_WIDTH = 80;

/** `release`: a `removed` block with `destroy = false` drops it from the stack's state; the object itself stays. */
export type ResourceAction = "create" | "update" | "replace" | "destroy" | "move" | "release";

export interface AttributeChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The argument forces Terraform to destroy and re-create this (stateful) resource. */
  readonly forcesReplacement: boolean;
}

export interface ResourceChange {
  readonly action: ResourceAction;
  readonly type: string;
  readonly address: string;
  /** For moves: the address in the base. */
  readonly from?: string;
  readonly path: string;
  readonly stateful: boolean;
  readonly attributes: readonly AttributeChange[];
}

export interface StackChange {
  readonly stack: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly resources: readonly ResourceChange[];
  /** Provider, backend, output or data-source changes (no resource changes by themselves). */
  readonly settingsChanged: readonly string[];
  readonly findingsAppeared: readonly Finding[];
  readonly findingsResolved: readonly Finding[];
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
}

export interface ChangeReport {
  readonly markdown: string;
  readonly stacks: readonly StackChange[];
  /** Stacks that exist in the working tree and changed (the ones to `cdktf diff`). */
  readonly affected: readonly string[];
  readonly truncated: boolean;
}

// ---------------------------------------------------------------------------------------------------------

/** Flattens a body to `path -> JSON of the leaf` (arrays indexed, cdktf metadata dropped). */
export function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, "[]");
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, out));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([key]) => key !== "//");
    if (entries.length === 0) out.set(prefix, "{}");
    for (const [key, child] of entries) flatten(child, prefix === "" ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** `encrypt_at_rest[0].kms_key_id` -> `encrypt_at_rest.kms_key_id` (how replaceOn names nested arguments). */
function schemaPath(path: string): string {
  return path.replace(/\[\d+\]/g, "");
}

function forcesReplacement(type: string, path: string): boolean {
  const forcing = STATEFUL_TYPES[type]?.replaceOn ?? [];
  const normalized = schemaPath(path);
  return forcing.some((argument) => normalized === argument || normalized.startsWith(`${argument}.`));
}

export function attributeChanges(type: string, before: unknown, after: unknown): AttributeChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => ({
      path,
      before: a.has(path) ? JSON.parse(a.get(path) as string) : undefined,
      after: b.has(path) ? JSON.parse(b.get(path) as string) : undefined,
      forcesReplacement: isStatefulType(type) && forcesReplacement(type, path),
    }));
}

function protectionRemoved(changes: readonly AttributeChange[]): boolean {
  return changes.some((change) => change.path === "lifecycle.prevent_destroy" && change.before === true && change.after !== true);
}

function resourcesOf(model: StackModel) {
  return new Map(model.all().filter((block) => block.kind === "resource").map((block) => [block.address, block]));
}

function findingKey(finding: Finding): string {
  return `${finding.rule}|${finding.path}`;
}

function settingsDiff(base: SynthesizedStack, head: SynthesizedStack): string[] {
  const changed: string[] = [];
  for (const [key, label] of [["provider", "providers"], ["terraform", "backend / required providers"], ["output", "outputs"], ["data", "data sources"], ["variable", "variables"], ["locals", "locals"]] as const) {
    const strip = (value: unknown) => JSON.stringify(value === undefined ? null : [...flatten(value)].sort());
    if (strip(base[key]) !== strip(head[key])) changed.push(label);
  }
  return changed;
}

/** Diffs one stack (either side may be absent). */
export function diffStack(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined, input: Pick<ReviewInput, "profileOf" | "suppressions">): StackChange {
  const baseModel = base ? new StackModel(base, stack) : undefined;
  const headModel = head ? new StackModel(head, stack) : undefined;
  const before = baseModel ? resourcesOf(baseModel) : new Map();
  const after = headModel ? resourcesOf(headModel) : new Map();
  const moves = new Map((head?.moved ?? []).filter((move) => before.has(move.from) && after.has(move.to)).map((move) => [move.to, move.from]));
  const movedFrom = new Set(moves.values());
  const resources: ResourceChange[] = [];

  for (const [address, block] of after) {
    const from = moves.get(address);
    const previous = before.get(from ?? address);
    const stateful = isStatefulType(block.type);
    if (!previous) {
      resources.push({ action: "create", type: block.type, address, path: block.path, stateful, attributes: [] });
      continue;
    }
    const attributes = attributeChanges(block.type, previous.body, block.body);
    if (attributes.length === 0 && !from) continue;
    const replace = attributes.some((change) => change.forcesReplacement);
    resources.push({
      action: replace ? "replace" : from ? "move" : "update",
      type: block.type,
      address,
      ...(from ? { from } : {}),
      path: block.path,
      stateful,
      attributes,
    });
  }
  const released = head ? releasedAddresses(head) : new Set<string>();
  for (const [address, block] of before) {
    if (after.has(address) || movedFrom.has(address)) continue;
    const action = released.has(address) ? "release" : "destroy";
    resources.push({ action, type: block.type, address, path: block.path, stateful: isStatefulType(block.type), attributes: [] });
  }

  const findings = (model: StackModel | undefined, json: SynthesizedStack | undefined) =>
    model && json
      ? evaluateStack(model, { stack, profile: input.profileOf(stack, json), ...(input.suppressions ? { suppressions: input.suppressions } : {}) }).findings
      : [];
  const baseFindings = findings(baseModel, base);
  const headFindings = findings(headModel, head);
  const baseKeys = new Set(baseFindings.map(findingKey));
  const headKeys = new Set(headFindings.map(findingKey));
  const settingsChanged = base && head ? settingsDiff(base, head) : [];
  const status = !base ? "added" : !head ? "removed" : resources.length > 0 || settingsChanged.length > 0 ? "changed" : "unchanged";
  const order: Record<ResourceAction, number> = { destroy: 0, replace: 1, release: 2, move: 3, update: 4, create: 5 };
  resources.sort((a, b) => order[a.action] - order[b.action] || a.address.localeCompare(b.address));
  return {
    stack,
    status,
    resources,
    settingsChanged,
    findingsAppeared: headFindings.filter((finding) => !baseKeys.has(findingKey(finding))),
    findingsResolved: baseFindings.filter((finding) => !headKeys.has(findingKey(finding))),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function shown(path: string, raw: unknown): string {
  if (raw === undefined) return "_(absent)_";
  if (isSensitiveAttribute(path)) return "_(sensitive)_";
  const text = JSON.stringify(raw);
  return code(text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text);
}

const ICONS: Record<ResourceAction, string> = {
  create: "➕ create",
  update: "✏️ update",
  replace: "🔁 **replace**",
  destroy: "❌ **destroy**",
  move: "🚚 move",
  release: "📤 release (kept, no longer managed by this stack)",
};

/** Warning lines for stateful resources destroyed, replaced or unprotected. */
export function statefulWarnings(changes: readonly StackChange[]): string[] {
  const out: string[] = [];
  for (const change of changes) {
    for (const resource of change.resources.filter((item) => item.stateful)) {
      const holds = STATEFUL_TYPES[resource.type]?.holds ?? "its data";
      if (resource.action === "destroy") {
        out.push(`${code(change.stack)}: ${code(resource.address)} (${code(resource.path)}) would be **DESTROYED** — ${holds} is lost${change.status === "removed" ? " (the whole stack is removed)" : ""}`);
      } else if (resource.action === "replace") {
        const reasons = resource.attributes.filter((attribute) => attribute.forcesReplacement).map((attribute) => `${code(attribute.path)} ${shown(attribute.path, attribute.before)} → ${shown(attribute.path, attribute.after)}`);
        out.push(`${code(change.stack)}: ${code(resource.address)} (${code(resource.path)}) would be **REPLACED** (destroyed and re-created) because ${reasons.join(", ")} — ${holds} is lost`);
      }
      if (protectionRemoved(resource.attributes)) {
        out.push(`${code(change.stack)}: ${code(resource.address)} (${code(resource.path)}) loses \`lifecycle.prevent_destroy\``);
      }
    }
  }
  return out;
}

function findingLine(finding: Finding): string {
  return `- **${finding.rule}** (${finding.severity}) ${code(finding.path)}: ${finding.message}`;
}

function counts(change: StackChange): string {
  const count = (...actions: ResourceAction[]) => change.resources.filter((resource) => actions.includes(resource.action)).length;
  const parts = [`${count("create")} to add`, `${count("update")} to change`, `${count("replace")} to replace`, `${count("destroy")} to destroy`];
  const moved = count("move");
  if (moved > 0) parts.push(`${moved} moved`);
  const released = count("release");
  if (released > 0) parts.push(`${released} released`);
  return parts.join(", ");
}

function renderStack(change: StackChange): string {
  const title = change.status === "added" ? "new stack" : change.status === "removed" ? "**stack removed**" : counts(change);
  const lines = [`### ${code(change.stack)} — ${title}`, ""];
  if (change.status === "added") lines.push(`${counts(change)}.`, "");
  if (change.resources.length > 0) {
    lines.push("| Action | Resource | Construct path |", "|---|---|---|");
    for (const resource of change.resources) {
      const name = resource.from ? `${code(resource.from)} → ${code(resource.address)}` : code(resource.address);
      lines.push(`| ${ICONS[resource.action]} | ${name} | ${code(resource.path)} |`);
    }
    lines.push("");
  }
  const withAttributes = change.resources.filter((resource) => resource.attributes.length > 0);
  if (withAttributes.length > 0) {
    lines.push("<details><summary>Changed attributes</summary>", "");
    for (const resource of withAttributes) {
      lines.push(`- ${code(resource.address)}`);
      for (const attribute of resource.attributes.slice(0, MAX_ATTRIBUTES_PER_RESOURCE)) {
        lines.push(`  - ${code(attribute.path)}: ${shown(attribute.path, attribute.before)} → ${shown(attribute.path, attribute.after)}${attribute.forcesReplacement ? " **(forces replacement)**" : ""}`);
      }
      const more = resource.attributes.length - MAX_ATTRIBUTES_PER_RESOURCE;
      if (more > 0) lines.push(`  - … ${more} more`);
    }
    lines.push("", "</details>", "");
  }
  if (change.settingsChanged.length > 0) lines.push(`Also changed: ${change.settingsChanged.join(", ")}.`, "");
  if (change.findingsAppeared.length > 0) lines.push("**New policy findings**", "", ...change.findingsAppeared.map(findingLine), "");
  if (change.findingsResolved.length > 0) lines.push("**Resolved policy findings**", "", ...change.findingsResolved.map(findingLine), "");
  return lines.join("\n");
}

/** Builds the report; the markdown never exceeds `maxLength` (sections that do not fit are named in a notice). */
export function changeReport(input: ReviewInput): ChangeReport {
  const maxLength = input.maxLength ?? MAX_COMMENT_LENGTH;
  const names = [...new Set([...input.head.keys(), ...input.base.keys()])];
  const stacks = names.map((name) => diffStack(name, input.base.get(name), input.head.get(name), input));
  const changed = stacks.filter((change) => change.status !== "unchanged");
  const all = (action: ResourceAction) => changed.reduce((sum, change) => sum + change.resources.filter((resource) => resource.action === action).length, 0);

  const header = [
    "## Infrastructure change report",
    "",
    `Comparing ${code(input.baseLabel)} → ${code(input.headLabel ?? "working tree")}: **${changed.length}** of ${stacks.length} stacks change — ${all("create")} to add, ${all("update")} to change, ${all("replace")} to replace, ${all("destroy")} to destroy, ${all("move")} moved.`,
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

  const unchanged = stacks.filter((change) => change.status === "unchanged").map((change) => change.stack);
  const footer = unchanged.length > 0 ? `Unchanged: ${unchanged.map(code).join(", ")}.\n` : "";
  const command = input.command ?? `npm run review -- --base ${input.baseLabel.split(" ")[0]}`;
  const notice = (omitted: number) => `\n> [!WARNING]\n> Report truncated to ${maxLength.toLocaleString("en-US")} characters: ${omitted} stack section(s) omitted. Run \`${command}\` locally for the full report.\n`;

  let markdown = `${header.join("\n")}\n`;
  if (markdown.length > maxLength - 400) markdown = `${markdown.slice(0, maxLength - 400)}\n…\n`;
  let truncated = false;
  const sections = changed.map(renderStack);
  let index = 0;
  for (; index < sections.length; index += 1) {
    const section = `${sections[index]}\n`;
    if (markdown.length + section.length + footer.length + notice(sections.length).length > maxLength) break;
    markdown += section;
  }
  if (index < sections.length) {
    truncated = true;
    markdown += notice(sections.length - index);
  } else {
    markdown += footer;
  }
  return {
    markdown,
    stacks,
    affected: stacks.filter((change) => change.status === "added" || change.status === "changed").map((change) => change.stack),
    truncated,
  };
}
