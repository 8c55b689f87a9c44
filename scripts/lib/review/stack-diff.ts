/**
 * The offline comparison of one stack's synthesized JSON at two revisions, classified as Terraform would plan it:
 * create / update / replace / "update, may replace" / destroy / move.
 *
 * Replacement comes from the committed table of replacement-forcing arguments (replacement.ts). A forcing
 * argument that changed from one literal to another replaces the resource; one whose value is an expression
 * is resolved through the stack (`${aws_vpc.x.cidr_block}` reads the VPC's configured value). When the value is
 * only known after apply (`${aws_vpc.x.id}` of a VPC being replaced or created), Terraform plans a replacement,
 * so replacements cascade (VPC -> subnets -> route table associations). What cannot be decided offline (an
 * expression changed, a conditional forcing argument, a type missing from the table) is "update, may replace";
 * the plan JSON, when CI provides it, decides (plan.ts).
 */
import { releasedAddresses } from "../../../constructs/policy/addresses";
import { isStatefulType } from "../../../constructs/policy/stateful";
import { isSensitiveAttribute } from "../../../constructs/policy/rules/secrets";
import type { Block, SynthesizedStack } from "../../../constructs/policy/model";
import { StackModel } from "../../../constructs/policy/model";
import { forcing, REPLACEMENT_TABLE, type ReplacementTable } from "./replacement";
import { argumentPath, denormalize, displayPath, normalizeBody, structuralChanges, type Segment } from "./structure";

export type ResourceAction = "create" | "update" | "maybe-replace" | "replace" | "destroy" | "move" | "forget";
export type ChangeSource = "offline" | "plan";

export interface AttributeChange {
  /** Display path: `backup_retention_period`, `values: prometheus.prometheusSpec.retention`. */
  readonly path: string;
  /** Provider argument path (`vpc_config.subnet_ids`): what forcing is decided on. */
  readonly argument: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The change forces Terraform to destroy and re-create the resource. */
  readonly forcesReplacement: boolean;
  /** The change may force replacement (conditional argument, or a value offline comparison cannot know). */
  readonly mayForceReplacement?: boolean;
  /** Why, when the value is not a plain literal change (`known after apply: aws_vpc.main is replaced`). */
  readonly note?: string;
  readonly sensitive: boolean;
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
  readonly source: ChangeSource;
}

const REFERENCE = /\$\{([^}]*)\}/g;
const ADDRESS = /\b(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([a-z_][a-z0-9_]*))?/g;
/** Arguments Terraform itself interprets (never sent to the provider). */
const META_ARGUMENTS = new Set(["depends_on", "provider", "lifecycle", "count", "for_each", "connection", "provisioner"]);

interface Reference {
  readonly address: string;
  readonly attribute?: string;
}

function referencesIn(value: unknown, out: Reference[] = []): Reference[] {
  if (typeof value === "string") {
    for (const expression of value.matchAll(REFERENCE)) {
      for (const match of (expression[1] as string).matchAll(ADDRESS)) {
        out.push({ address: `${match[1] ?? ""}${match[2]}.${match[3]}`, ...(match[4] ? { attribute: match[4] } : {}) });
      }
    }
  } else if (Array.isArray(value)) value.forEach((item) => referencesIn(item, out));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((item) => referencesIn(item, out));
  return out;
}

const UNKNOWN = Symbol("unknown");
type Resolved = unknown;

/** The value an expression has in a stack, when it is a single reference to a literal argument (else UNKNOWN). */
function resolveIn(value: unknown, blocks: ReadonlyMap<string, Block>, depth = 0): Resolved {
  if (typeof value !== "string" || !value.includes("${")) return value;
  const single = /^\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)\}$/.exec(value);
  if (!single || depth > 5) return UNKNOWN;
  const target = blocks.get(single[1] as string);
  const attribute = target?.body[single[2] as string];
  return attribute === undefined ? UNKNOWN : resolveIn(attribute, blocks, depth + 1);
}

function blocksOf(model: StackModel): Map<string, Block> {
  return new Map(model.all().map((block) => [block.address, block]));
}

function resourcesOnly(blocks: Map<string, Block>): Map<string, Block> {
  return new Map([...blocks].filter(([, block]) => block.kind === "resource"));
}

function leafText(value: unknown): string {
  return JSON.stringify(denormalize(value));
}

interface Candidate {
  readonly block: Block;
  readonly previous: Block;
  readonly from?: string;
  readonly changes: { readonly path: readonly Segment[]; readonly before: unknown; readonly after: unknown }[];
}

/** Diffs the resources of one stack (either side may be absent), classifying each change. */
export function diffResources(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined, table: ReplacementTable = REPLACEMENT_TABLE): ResourceChange[] {
  const baseBlocks = base ? blocksOf(new StackModel(base, stack)) : new Map<string, Block>();
  const headBlocks = head ? blocksOf(new StackModel(head, stack)) : new Map<string, Block>();
  const before = resourcesOnly(baseBlocks);
  const after = resourcesOnly(headBlocks);
  const moves = new Map((head?.moved ?? []).filter((move) => before.has(move.from) && after.has(move.to)).map((move) => [move.to, move.from]));
  const movedFrom = new Set(moves.values());

  // Data sources whose arguments changed: what reads them changes with them (a policy document, a lookup).
  const changedData = new Map<string, ReturnType<typeof structuralChanges>>();
  for (const [address, block] of headBlocks) {
    if (block.kind !== "data") continue;
    const previous = baseBlocks.get(address);
    if (!previous) continue;
    const changes = structuralChanges(normalizeBody(block.type, previous.body), normalizeBody(block.type, block.body));
    if (changes.length > 0) changedData.set(address, changes);
  }

  const created = new Set([...after.keys()].filter((address) => !before.has(moves.get(address) ?? address)));
  const candidates: Candidate[] = [];
  for (const [address, block] of after) {
    if (created.has(address)) continue;
    const from = moves.get(address);
    const previous = before.get(from ?? address) as Block;
    const changes = structuralChanges(normalizeBody(block.type, previous.body), normalizeBody(block.type, block.body));
    candidates.push({ block, previous, ...(from ? { from } : {}), changes });
  }

  // Classify until no more replacements cascade.
  const replaced = new Set<string>();
  const attributesOf = new Map<string, AttributeChange[]>();
  const actionOf = new Map<string, ResourceAction>();
  let settled = false;
  while (!settled) {
    settled = true;
    for (const candidate of candidates) {
      const { block } = candidate;
      if (replaced.has(block.address)) continue;
      const attributes: AttributeChange[] = [];
      const unknownAfterApply = (reference: Reference) => (replaced.has(reference.address) || created.has(reference.address)) && (reference.attribute === undefined || headBlocks.get(reference.address)?.body[reference.attribute] === undefined);
      for (const change of candidate.changes) {
        const argument = argumentPath(change.path);
        const top = argument.split(".")[0] as string;
        const sensitive = isSensitiveAttribute(argument);
        const path = displayPath(change.path);
        const kind = META_ARGUMENTS.has(top) ? "never" : forcing(block.type, argument, table);
        let forces = false;
        let may = false;
        let note: string | undefined;
        if (kind === "always") {
          const resolvedBefore = resolveIn(denormalize(change.before), baseBlocks);
          const resolvedAfter = resolveIn(denormalize(change.after), headBlocks);
          if (resolvedBefore !== UNKNOWN && resolvedAfter !== UNKNOWN) {
            if (JSON.stringify(resolvedBefore) === JSON.stringify(resolvedAfter)) continue; // same value, different spelling
            forces = true;
          } else if (referencesIn(change.after).some(unknownAfterApply)) {
            forces = true;
            note = "known only after apply";
          } else {
            may = true;
            note = "expression changed; its value is known at plan time";
          }
        } else if (kind === "conditional") {
          may = true;
          note = "forces replacement under a condition the provider decides";
        } else if (kind === undefined) {
          may = true;
          note = `${block.type} is not in the replacement table`;
        }
        attributes.push({ path, argument, before: change.before === undefined ? undefined : denormalize(change.before), after: change.after === undefined ? undefined : denormalize(change.after), forcesReplacement: forces, ...(may ? { mayForceReplacement: true } : {}), ...(note ? { note } : {}), sensitive });
      }
      // Unchanged arguments whose value becomes unknown: a referenced resource is replaced.
      const changedArguments = new Set(attributes.map((attribute) => attribute.argument));
      for (const [argument, value] of Object.entries(block.body)) {
        if (META_ARGUMENTS.has(argument) || changedArguments.has(argument)) continue;
        const references = referencesIn(value);
        const unknown = references.filter(unknownAfterApply);
        const viaData = references.filter((reference) => changedData.has(reference.address));
        if (unknown.length === 0 && viaData.length === 0) continue;
        const kind = forcing(block.type, argument, table);
        const reason = unknown.length > 0 ? `known after apply: ${unknown.map((reference) => reference.address).join(", ")} ${unknown.some((reference) => created.has(reference.address)) ? "is created" : "is replaced"}` : `reads ${viaData.map((reference) => reference.address).join(", ")}, which changed`;
        const forces = unknown.length > 0 && kind === "always";
        const may = !forces && (kind === "conditional" || kind === undefined || (viaData.length > 0 && kind === "always"));
        attributes.push({ path: argument, argument, before: value, after: value, forcesReplacement: forces, ...(may ? { mayForceReplacement: true } : {}), note: reason, sensitive: isSensitiveAttribute(argument) });
      }
      // lifecycle.replace_triggered_by a replaced or changed resource.
      const triggers = referencesIn((block.body.lifecycle as Record<string, unknown> | undefined)?.replace_triggered_by);
      const triggered = triggers.filter((reference) => replaced.has(reference.address) || actionOf.has(reference.address));
      if (triggered.length > 0) attributes.push({ path: "lifecycle.replace_triggered_by", argument: "lifecycle", before: undefined, after: undefined, forcesReplacement: true, note: `triggered by ${triggered.map((reference) => reference.address).join(", ")}`, sensitive: false });
      if (attributes.length === 0 && !candidate.from) continue;
      const replace = attributes.some((attribute) => attribute.forcesReplacement);
      const action: ResourceAction = replace ? "replace" : attributes.some((attribute) => attribute.mayForceReplacement) ? "maybe-replace" : attributes.length > 0 ? "update" : "move";
      if (replace) {
        replaced.add(block.address);
        settled = false;
      }
      if (actionOf.get(block.address) !== action || attributesOf.get(block.address)?.length !== attributes.length) {
        actionOf.set(block.address, action);
        attributesOf.set(block.address, attributes);
      }
    }
  }

  const out: ResourceChange[] = [];
  for (const address of created) {
    const block = after.get(address) as Block;
    out.push({ action: "create", type: block.type, address, path: block.path, stateful: isStatefulType(block.type), attributes: [], source: "offline" });
  }
  for (const candidate of candidates) {
    const action = actionOf.get(candidate.block.address);
    if (!action) continue;
    const { block } = candidate;
    out.push({ action: action === "update" && candidate.from ? "move" : action, type: block.type, address: block.address, ...(candidate.from ? { from: candidate.from } : {}), path: block.path, stateful: isStatefulType(block.type), attributes: attributesOf.get(block.address) ?? [], source: "offline" });
  }
  // A `removed` block with `destroy = false` makes Terraform forget the resource (it stays in AWS).
  const released = head ? releasedAddresses(head) : new Set<string>();
  for (const [address, block] of before) {
    if (after.has(address) || movedFrom.has(address)) continue;
    out.push({ action: released.has(address) ? "forget" : "destroy", type: block.type, address, path: block.path, stateful: isStatefulType(block.type), attributes: [], source: "offline" });
  }
  return sortChanges(out);
}

export const ACTION_ORDER: Record<ResourceAction, number> = { destroy: 0, forget: 1, replace: 2, "maybe-replace": 3, move: 4, update: 5, create: 6 };

export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  return changes.sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action] || Number(b.stateful) - Number(a.stateful) || a.address.localeCompare(b.address));
}

/** Changed data sources of a stack, by address (policy documents: the broadening table reads them). */
export function changedDataSources(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined): { address: string; path: string; type: string; before?: Block; after?: Block }[] {
  const baseBlocks = base ? blocksOf(new StackModel(base, stack)) : new Map<string, Block>();
  const headBlocks = head ? blocksOf(new StackModel(head, stack)) : new Map<string, Block>();
  const out: { address: string; path: string; type: string; before?: Block; after?: Block }[] = [];
  for (const address of new Set([...baseBlocks.keys(), ...headBlocks.keys()])) {
    const previous = baseBlocks.get(address);
    const block = headBlocks.get(address);
    const any = (block ?? previous) as Block;
    if (any.kind !== "data") continue;
    if (previous && block && leafText(normalizeBody(any.type, previous.body)) === leafText(normalizeBody(any.type, block.body))) continue;
    out.push({ address, path: any.path, type: any.type, ...(previous ? { before: previous } : {}), ...(block ? { after: block } : {}) });
  }
  return out;
}
