/**
 * Small helpers shared by the rule modules.
 */
import { type Block, type Body, blocks, dig, isExpression, literal, one, type StackModel, strings } from "../model";
import type { Violation } from "../types";

/** Collects violations: `check` returns a message, several messages, or nothing for a compliant block. */
export function each(list: readonly Block[], check: (block: Block) => string | readonly string[] | undefined): Violation[] {
  const out: Violation[] = [];
  for (const block of list) {
    const result = check(block);
    const messages = result === undefined ? [] : typeof result === "string" ? [result] : result;
    for (const message of messages) out.push({ block, message });
  }
  return out;
}

/** Returns the messages whose condition holds (compact multi-check rules). */
export function problems(...checks: readonly (false | undefined | null | "" | string)[]): string[] {
  return checks.filter((item): item is string => typeof item === "string" && item !== "");
}

/**
 * Companion resources of a bucket (`aws_s3_bucket_versioning`, ...): those whose `bucket` attribute references
 * it, or names it literally.
 */
export function bucketCompanions(model: StackModel, bucket: Block, type: string): Block[] {
  const name = literal(bucket.body.bucket);
  return model
    .resources(type)
    .filter((companion) => model.refersTo(companion.body.bucket, bucket) || (name !== undefined && companion.body.bucket === name));
}

/** Resources that name `target` in an attribute, by reference or by its literal name. */
export function namedBy(model: StackModel, candidates: readonly Block[], attribute: string, target: Block, nameAttribute: string): Block[] {
  const name = literal(target.body[nameAttribute]);
  return candidates.filter(
    (candidate) => model.refersTo(candidate.body[attribute], target) || (name !== undefined && candidate.body[attribute] === name),
  );
}

/** Parameters of an RDS / DocumentDB parameter group as name -> value. */
export function parameters(group: Block): Map<string, string> {
  return new Map(blocks(group.body.parameter).map((parameter) => [String(parameter.name), String(parameter.value)]));
}

/** The parameter group a database references through `attribute`, when it is defined in this stack. */
export function parameterGroupOf(model: StackModel, database: Block, attribute: string, groupTypes: readonly string[]): Block | undefined {
  const value = database.body[attribute];
  const referenced = model.refsIn(value).find((block) => groupTypes.includes(block.type));
  if (referenced) return referenced;
  const name = literal(value);
  return name === undefined ? undefined : model.resources(...groupTypes).find((group) => group.body.name === name);
}

/** Lower-case engine name of a database resource. */
export function engineOf(block: Block): string {
  return (literal(block.body.engine) ?? "").toLowerCase();
}

export function isPostgres(block: Block): boolean {
  return engineOf(block).includes("postgres");
}

export function isMysql(block: Block): boolean {
  return /mysql|mariadb/.test(engineOf(block));
}

/** An aws_db_instance that is a read replica (inherits backups, credentials and snapshots from its source). */
export function isReplica(block: Block): boolean {
  return block.type === "aws_db_instance" && (block.body.replicate_source_db !== undefined);
}

/** Kubernetes metadata helpers (the provider renders `metadata` as a single block). */
export function k8sName(block: Block): string | undefined {
  return literal(dig(block.body, "metadata", "name"));
}

/**
 * Namespace of a Kubernetes object: the literal, or the literal name of a namespace resource it references, or
 * the expression itself (two objects referencing the same expression are in the same namespace).
 */
export function k8sNamespace(model: StackModel, value: unknown): string {
  if (value === undefined || value === null || value === "") return "default";
  if (!isExpression(value)) return String(value);
  const namespace = model.refsIn(value).find((block) => /^kubernetes_namespace(_v1)?$/.test(block.type));
  return (namespace && literal(dig(namespace.body, "metadata", "name"))) ?? value;
}

/** Kubernetes annotations of an object. */
export function annotations(body: Body): Record<string, string> {
  const map = one(dig(body, "metadata", "annotations")) ?? {};
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, String(value)]));
}

export function listIncludesAll(value: unknown, required: readonly string[]): string[] {
  const present = new Set(strings(value));
  return required.filter((item) => !present.has(item));
}

