/** Helpers the checks share (pure). */
import { literal, many, one, type Block, type StackModel } from "../../../../constructs/policy/model";

/** The region a resource is created in: its provider alias's, else the stack's default AWS provider's. */
export function regionOf(model: StackModel, block: Block): string | undefined {
  const providers = (model.json.provider?.aws ?? []) as { alias?: string; region?: string }[];
  const reference = literal(block.body.provider);
  const alias = reference?.replace(/^aws\./, "");
  const provider = alias ? providers.find((candidate) => candidate.alias === alias) : providers.find((candidate) => candidate.alias === undefined);
  return provider?.region;
}

/** The stack's default region. */
export function defaultRegion(model: StackModel): string | undefined {
  const providers = (model.json.provider?.aws ?? []) as { alias?: string; region?: string }[];
  return providers.find((candidate) => candidate.alias === undefined)?.region;
}

/** Availability zones of the subnets a value references (literal `availability_zone` of `aws_subnet` resources). */
export function subnetZones(model: StackModel, value: unknown): string[] {
  const zones = model
    .refsIn(value)
    .filter((block) => block.kind === "resource" && block.type === "aws_subnet")
    .flatMap((subnet) => (literal(subnet.body.availability_zone) ? [literal(subnet.body.availability_zone) as string] : []));
  return [...new Set(zones)].sort();
}

/** The referenced block of a type (first), e.g. the cluster an instance's `cluster_identifier` names. */
export function referenced(model: StackModel, value: unknown, type: string): Block | undefined {
  return model.refsIn(value).find((block) => block.type === type);
}

/** Strings of a list attribute that are literals. */
export function literals(value: unknown): string[] {
  return many(value).flatMap((item) => (literal(item) !== undefined ? [literal(item) as string] : []));
}

/** A nested block's literal attribute. */
export function nested(body: Readonly<Record<string, unknown>>, block: string, key: string): string | undefined {
  return literal(one(body[block])?.[key]);
}

/** "a, b and c" */
export function list(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  return `${shown.join(", ")}${rest > 0 ? ` and ${rest} more` : ""}`;
}
