/**
 * Refactor safety: the Terraform address of a resource is derived from its construct path, so renaming or
 * moving a construct changes the address, and Terraform then destroys the old resource and creates a new one.
 * For a database, a bucket or a KMS key that is data loss.
 *
 * The committed record (`state-addresses/<stack>.json`) lists the address of every stateful resource
 * (classified by type, see stateful.ts) of every bundled stack. `checkAddresses` compares a synthesized stack
 * with its record: a recorded address must still exist, or be the `from` of a `moved` block (cdktf's
 * `moveTo` / `moveToId` / `moveFromId`) whose `to` exists, or be the `from` of a `removed` block with
 * `destroy = false` (constructs/core/state-blocks.ts: the stack forgets the object without destroying it, for a move
 * to another stack that adopts it with an `import` block). `npm run addresses:update` rewrites the record for
 * deliberate changes.
 */
import { StackModel, type SynthesizedStack } from "./model";
import { isStatefulType, STATEFUL_TYPES } from "./stateful";

export interface AddressEntry {
  readonly address: string;
  /** Construct path at the time of recording, to recognise the construct in messages. */
  readonly path: string;
}

export interface AddressRecord {
  readonly stack: string;
  readonly resources: readonly AddressEntry[];
}

export interface AddressProblem {
  readonly stack: string;
  readonly address?: string;
  readonly kind: "destroyed" | "unrecorded" | "stack-removed" | "stack-unrecorded";
  readonly message: string;
}

/** Construct path recorded for an address the stack releases (a `removed` block carries no construct metadata). */
export const RELEASED_PATH = "(released: removed block with destroy = false)";

/**
 * Stateful resources of a synthesized stack, sorted by address, and the stateful addresses it releases with a
 * `removed` block: those stay recorded, so deleting the `removed` block (which would let Terraform destroy the object
 * in every deployment that has not applied the release yet) is caught like any lost address.
 */
export function statefulAddresses(json: SynthesizedStack, stack?: string): AddressRecord {
  const model = new StackModel(json, stack);
  const resources = model
    .all()
    .filter((block) => block.kind === "resource" && isStatefulType(block.type))
    .map((block) => ({ address: block.address, path: block.path }));
  const released = [...releasedAddresses(json)].filter((address) => isStatefulType(address.split(".")[0] ?? "")).map((address) => ({ address, path: RELEASED_PATH }));
  return { stack: model.stackName, resources: [...resources, ...released].sort((a, b) => a.address.localeCompare(b.address)) };
}

/** The record file content (stable JSON with a trailing newline). */
export function renderRecord(record: AddressRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

const UPDATE_HINT = "If the change is deliberate, run `npm run addresses:update` and commit the record (say why in the change description).";

function destroyedMessage(stack: string, entry: AddressEntry): string {
  const type = entry.address.split(".")[0] ?? "";
  const holds = STATEFUL_TYPES[type]?.holds ?? "its data";
  return [
    `${stack}: stateful resource ${entry.address} (construct ${entry.path}) is no longer in the synthesized stack.`,
    `Terraform would DESTROY it and CREATE a new one: ${holds} would be lost.`,
    "If you renamed or moved its construct, keep the address with cdktf's move support: on the resource at its new place call",
    `\`.moveFromId("${entry.address}")\` (or \`.moveToId()\` / \`.moveTo()\` before the rename), which synthesizes a \`moved\` block.`,
    "If it moved to another stack, release it here with a `removed` block that keeps the object (ForgetResource in constructs/core/state-blocks.ts) and adopt it there with an `import` block (AdoptResource).",
    UPDATE_HINT,
  ].join(" ");
}

/** Addresses the stack releases from its state without destroying them (`removed` blocks with `destroy = false`). */
export function releasedAddresses(json: SynthesizedStack): Set<string> {
  const blocks = Array.isArray(json.removed) ? (json.removed as unknown[]) : [];
  return new Set(
    blocks.flatMap((block) => {
      const { from, lifecycle } = (block ?? {}) as { from?: unknown; lifecycle?: unknown };
      const destroy = (Array.isArray(lifecycle) ? lifecycle[0] : lifecycle) as { destroy?: unknown } | undefined;
      return typeof from === "string" && (destroy?.destroy === false || destroy?.destroy === "false") ? [from] : [];
    }),
  );
}

/** Compares one synthesized stack with its record. */
export function checkStack(record: AddressRecord | undefined, json: SynthesizedStack, stack: string): AddressProblem[] {
  const current = statefulAddresses(json, stack);
  if (!record) {
    return current.resources.length === 0
      ? []
      : [{ stack, kind: "stack-unrecorded", message: `${stack}: has ${current.resources.length} stateful resource(s) but no address record. ${UPDATE_HINT}` }];
  }
  const present = new Set(new StackModel(json, stack).all().map((block) => block.address));
  const moves = new Map((json.moved ?? []).map((move) => [move.from, move.to]));
  const released = releasedAddresses(json);
  const problems: AddressProblem[] = [];
  for (const entry of record.resources) {
    if (present.has(entry.address)) continue;
    const target = moves.get(entry.address);
    if (target !== undefined && present.has(target)) continue;
    if (released.has(entry.address)) continue;
    problems.push({ stack, address: entry.address, kind: "destroyed", message: destroyedMessage(stack, entry) });
  }
  const recorded = new Set(record.resources.map((entry) => entry.address));
  for (const entry of current.resources) {
    if (entry.path === RELEASED_PATH) continue; // nothing to protect in this stack any more
    if (recorded.has(entry.address)) continue;
    const movedHere = [...moves].some(([from, to]) => to === entry.address && recorded.has(from));
    if (movedHere) continue;
    problems.push({
      stack,
      address: entry.address,
      kind: "unrecorded",
      message: `${stack}: new stateful resource ${entry.address} (construct ${entry.path}) is not in the address record, so a later rename would go unnoticed. Run \`npm run addresses:update\` and commit the record.`,
    });
  }
  return problems;
}

/** Compares every synthesized stack with the records; recorded stacks that are gone are problems too. */
export function checkAddresses(records: ReadonlyMap<string, AddressRecord>, stacks: ReadonlyMap<string, SynthesizedStack>): AddressProblem[] {
  const problems = [...stacks].flatMap(([name, json]) => checkStack(records.get(name), json, name));
  for (const [name, record] of records) {
    if (stacks.has(name) || record.resources.length === 0) continue;
    problems.push({
      stack: name,
      kind: "stack-removed",
      message: `${name}: the stack is gone but its record lists ${record.resources.length} stateful resource(s); destroying the stack destroys them. ${UPDATE_HINT}`,
    });
  }
  return problems;
}
