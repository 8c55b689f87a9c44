/**
 * Small helpers to patch a synthesized stack (cdk.tf.json) the way a construct regression would change it. Every
 * lookup throws MutationTargetMissing when nothing matches, so a refactoring that moves a target fails the suite
 * instead of letting a mutation pass without mutating anything.
 */
import type { SynthesizedStack } from "../../../constructs/policy/model";
import { MutationTargetMissing } from "./types";

export type Body = Record<string, unknown>;

function asBody(value: unknown, what: string): Body {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new MutationTargetMissing(`${what} is not an object`);
  return value as Body;
}

/** Resources of a type, by logical id (empty when none). */
export function resourcesOf(json: SynthesizedStack, type: string): Record<string, Body> {
  return ((json.resource as Record<string, Record<string, Body>> | undefined)?.[type] ?? {}) as Record<string, Body>;
}

/** Data sources of a type, by logical id. */
export function dataOf(json: SynthesizedStack, type: string): Record<string, Body> {
  return ((json.data as Record<string, Record<string, Body>> | undefined)?.[type] ?? {}) as Record<string, Body>;
}

type Match = string | RegExp | ((key: string, body: Body) => boolean);

function matches(match: Match | undefined, key: string, body: Body): boolean {
  if (match === undefined) return true;
  if (typeof match === "string") return key.includes(match);
  if (match instanceof RegExp) return match.test(key);
  return match(key, body);
}

/** The first resource of `type` whose logical id contains `match` (or satisfies it). */
export function resource(json: SynthesizedStack, type: string, match?: Match): Body {
  const found = Object.entries(resourcesOf(json, type)).find(([key, body]) => matches(match, key, body));
  if (!found) throw new MutationTargetMissing(`no ${type}${match ? ` matching ${String(match)}` : ""}`);
  return found[1];
}

/** The logical id of the first matching resource. */
export function resourceKey(json: SynthesizedStack, type: string, match?: Match): string {
  const found = Object.entries(resourcesOf(json, type)).find(([key, body]) => matches(match, key, body));
  if (!found) throw new MutationTargetMissing(`no ${type}${match ? ` matching ${String(match)}` : ""}`);
  return found[0];
}

/** The first data source of `type` whose logical id contains `match`. */
export function data(json: SynthesizedStack, type: string, match?: Match): Body {
  const found = Object.entries(dataOf(json, type)).find(([key, body]) => matches(match, key, body));
  if (!found) throw new MutationTargetMissing(`no data.${type}${match ? ` matching ${String(match)}` : ""}`);
  return found[1];
}

/** Removes every matching resource (at least one). */
export function removeResources(json: SynthesizedStack, type: string, match?: Match): void {
  const all = resourcesOf(json, type);
  const keys = Object.keys(all).filter((key) => matches(match, key, all[key] as Body));
  if (keys.length === 0) throw new MutationTargetMissing(`no ${type}${match ? ` matching ${String(match)}` : ""} to remove`);
  for (const key of keys) delete all[key];
}

/** Adds a resource with construct-path metadata under `<stack>/mutation/<id>`, as a construct would. */
export function addResource(json: SynthesizedStack, stack: string, type: string, id: string, body: Body): void {
  const stackJson = json as { resource?: Record<string, Record<string, Body>> };
  const resources = (stackJson.resource ??= {});
  const key = `mutation_${id.replace(/[^A-Za-z0-9]/g, "-")}`;
  (resources[type] ??= {})[key] = { "//": { metadata: { path: `${stack}/mutation/${id}`, uniqueId: key } }, ...body };
}

/** A nested object (created when `create` and absent). */
export function child(body: Body, key: string, create = false): Body {
  let value = body[key];
  if (Array.isArray(value)) value = value[0];
  if (value === undefined && create) {
    value = {};
    body[key] = value;
  }
  return asBody(value, key);
}

/**
 * A nested list of blocks, as the live array of the JSON (pushing to it adds a block); a single block is turned into
 * a list of one in place.
 */
export function blocksAt(body: Body, key: string): Body[] {
  const value = body[key];
  if (value === undefined) throw new MutationTargetMissing(`no ${key}`);
  const list = Array.isArray(value) ? value : [value];
  body[key] = list;
  list.forEach((item, index) => asBody(item, `${key}[${index}]`));
  return list as Body[];
}

/** The statements of an aws_iam_policy_document data source. */
export function statements(document: Body): Body[] {
  return blocksAt(document, "statement");
}

/** A pod template's spec (deployments, jobs). */
export function podSpec(workload: Body): Body {
  return child(child(child(workload, "spec"), "template"), "spec");
}

/** The first container of a pod spec. */
export function firstContainer(workload: Body): Body {
  const [container] = blocksAt(podSpec(workload), "container");
  if (!container) throw new MutationTargetMissing("no container");
  return container;
}

/** Built at run time so no credential-shaped literal is ever committed (the repository's secret scan). */
export function fake(parts: readonly string[]): string {
  return parts.join("");
}
