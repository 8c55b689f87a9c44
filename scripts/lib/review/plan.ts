/**
 * Terraform's plan in JSON (`terraform show -json <planfile>`, format documented at
 * https://developer.hashicorp.com/terraform/internals/json-format): when CI provides one per stack, its
 * `resource_changes[].change.actions` decide every row of that stack; the offline comparison only adds the
 * readable argument diff. Rows say which source they come from.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isStatefulType } from "../../../constructs/policy/stateful";
import { isSensitiveAttribute } from "../../../constructs/policy/rules/secrets";
import { sortChanges, type AttributeChange, type ResourceAction, type ResourceChange } from "./stack-diff";
import { argumentPath, displayPath, normalize, structuralChanges } from "./structure";

export interface PlanResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
  readonly action_reason?: string;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly PlanResourceChange[];
}

export class PlanFileError extends Error {}

/** Validates the shape the report relies on; errors name the file and the offending key. */
export function parsePlan(text: string, file: string): PlanJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${file}: not JSON (${(error as Error).message}); expected the output of \`terraform show -json <planfile>\``);
  }
  const plan = json as Partial<PlanJson> | null;
  if (!plan || typeof plan !== "object" || typeof plan.format_version !== "string") throw new PlanFileError(`${file}: format_version missing; expected the output of \`terraform show -json <planfile>\``);
  if (!plan.format_version.startsWith("1.")) throw new PlanFileError(`${file}: format_version ${plan.format_version} is not supported (1.x expected)`);
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) throw new PlanFileError(`${file}: resource_changes must be an array`);
  (plan.resource_changes ?? []).forEach((change, index) => {
    if (typeof change?.address !== "string" || typeof change.type !== "string" || !Array.isArray(change.change?.actions)) {
      throw new PlanFileError(`${file}: resource_changes[${index}] needs address, type and change.actions`);
    }
  });
  return plan as PlanJson;
}

/** `<dir>/<stack>.json` files: stack name -> plan. */
export function readPlans(dir: string): Map<string, PlanJson> {
  if (!existsSync(dir)) throw new PlanFileError(`${dir}: plan directory not found`);
  const plans = new Map<string, PlanJson>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".json")).sort()) {
    plans.set(file.slice(0, -".json".length), parsePlan(readFileSync(join(dir, file), "utf8"), join(dir, file)));
  }
  return plans;
}

/** The action a plan entry's `actions` mean; undefined for no-op and data reads. */
export function planAction(actions: readonly string[], moved: boolean): ResourceAction | undefined {
  const key = actions.join(",");
  if (key === "create") return "create";
  if (key === "delete") return "destroy";
  if (key === "update") return moved ? "move" : "update";
  if (key === "delete,create" || key === "create,delete") return "replace";
  if (key === "forget") return "forget";
  if (key === "no-op") return moved ? "move" : undefined;
  return undefined; // read
}

/** `aws_subnet.a[0]` -> `aws_subnet.a` (the synthesized resource it comes from). */
function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, "");
}

function sensitiveAt(marks: unknown, path: readonly (string | number)[]): boolean {
  let current = marks;
  for (const segment of path) {
    if (current === true) return true;
    if (current === null || typeof current !== "object") return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current === true;
}

function attributesFromPlan(entry: PlanResourceChange): AttributeChange[] {
  const replacePaths = new Set((entry.change.replace_paths ?? []).map((path) => path.filter((segment) => typeof segment === "string").join(".")));
  const unknown = entry.change.after_unknown;
  return structuralChanges(normalize(entry.change.before ?? {}), normalize(entry.change.after ?? {}))
    .filter((change) => !(change.kind === "removed" && unknown !== undefined && JSON.stringify(unknown).includes(`"${String(change.path[0])}"`)))
    .map((change) => {
      const argument = argumentPath(change.path);
      const sensitive = isSensitiveAttribute(argument) || sensitiveAt(entry.change.before_sensitive, change.path) || sensitiveAt(entry.change.after_sensitive, change.path);
      return { path: displayPath(change.path), argument, before: change.before, after: change.after, forcesReplacement: replacePaths.has(argument), sensitive };
    });
}

/**
 * One stack's rows from its plan: the plan's actions, with the offline attribute diff where the offline
 * comparison has the resource (it reads embedded documents and config expressions), else the plan's own diff.
 * Offline rows the plan shows as no-op are dropped and counted.
 */
export function mergePlan(offline: readonly ResourceChange[], plan: PlanJson): { changes: ResourceChange[]; planNoOp: number } {
  const byAddress = new Map(offline.map((change) => [change.address, change]));
  const seen = new Set<string>();
  const changes: ResourceChange[] = [];
  const grouped = new Map<string, PlanResourceChange[]>();
  for (const entry of plan.resource_changes ?? []) {
    if (entry.mode !== "managed" || entry.module_address) continue;
    const address = configAddress(entry.address);
    grouped.set(address, [...(grouped.get(address) ?? []), entry]);
  }
  for (const [address, entries] of grouped) {
    seen.add(address);
    const actions = entries.map((entry) => planAction(entry.change.actions, entry.previous_address !== undefined)).filter((action): action is ResourceAction => action !== undefined);
    if (actions.length === 0) continue;
    // The strongest action of the instances (a count/for_each resource has several).
    const order: ResourceAction[] = ["destroy", "forget", "replace", "move", "update", "create"];
    const action = order.find((candidate) => actions.includes(candidate)) as ResourceAction;
    const first = entries[0] as PlanResourceChange;
    const local = byAddress.get(address);
    const fromPlan = attributesFromPlan(first);
    const forcing = new Set(fromPlan.filter((attribute) => attribute.forcesReplacement).map((attribute) => attribute.argument));
    const attributes = local && local.attributes.length > 0 ? local.attributes.map((attribute) => ({ ...attribute, forcesReplacement: action === "replace" && (forcing.has(attribute.argument) || (forcing.size === 0 && attribute.forcesReplacement)), mayForceReplacement: false })) : fromPlan;
    const previous = first.previous_address ? configAddress(first.previous_address) : undefined;
    changes.push({
      action,
      type: first.type,
      address,
      ...(previous && previous !== address ? { from: previous } : {}),
      path: local?.path ?? address,
      stateful: isStatefulType(first.type),
      attributes,
      source: "plan",
    });
  }
  const planNoOp = offline.filter((change) => !seen.has(change.address) || !changes.some((item) => item.address === change.address)).length;
  return { changes: sortChanges(changes), planNoOp };
}
