/**
 * Terraform resources emitted from a committed table of the provider binding's conversions
 * (`provider-shapes.json`, written by `npm run provider:shapes` from the generated binding) instead of from the binding
 * itself.
 *
 * Why: the generated bindings of `kubernetes_deployment_v1`, `kubernetes_job_v1` and `kubernetes_cron_job_v1` are
 * 15 MB of JavaScript (the pod spec's ~400 structs, each with an output-reference class), about a second of module
 * loading in every synthesis process, every synthesis worker and every test file that builds a workload. Their
 * config types are still the binding's (`import type`, erased at run time), so call sites are type-checked exactly as
 * before.
 *
 * What is replayed, so the JSON is the binding's byte for byte (test/constructs/core/shaped-resource.test.ts compares
 * both on every bundled stack and on edge cases):
 * - each block's `xxxToTerraform`: unset, null and token values pass through; complex elements are refused with the
 *   binding's message; each argument is converted with the same cdktf mapper (`hashMapper`, `listMapper` with the
 *   same block flag, the scalar identities);
 * - the resource's output references: a block argument of the resource, and the chain of single blocks inside it, is
 *   kept only when it has a set argument or was given as `{}` (the binding's `internalValue` round trip).
 *
 * HCL output (`cdktf synth --hcl`, which needs each argument's HCL type) is left to the binding itself: only then is
 * it loaded, and given the same configuration in a detached stack that is never synthesized.
 */
import { createRequire } from "node:module";
import { TerraformResource, TerraformStack, Tokenization, canInspect, hashMapper, isComplexElement, listMapper, type TerraformMetaArguments } from "cdktf";
import { Construct } from "constructs";
import table from "./provider-shapes.json";

// The table's format; `npm run provider:shapes` writes it (scripts/lib/provider-shapes.ts).

/** How one argument's value is converted (the cdktf mapper the binding calls). */
export type FieldKind =
  | "string"
  | "number"
  | "boolean"
  | "string-map"
  | "number-map"
  | "boolean-map"
  | "string-list"
  | "number-list"
  | "boolean-list"
  /** a nested block with at most one item: the binding's `xxxToTerraform(struct.x)` */
  | "block"
  /** a nested block list: `cdktf.listMapper(xxxToTerraform, true)(struct.x)` */
  | "block-list";

/** [terraform name, config property, kind, block index when the kind is "block" or "block-list"] */
export type ShapeField = readonly [string, string, FieldKind] | readonly [string, string, "block" | "block-list", number];

export interface ResourceShape {
  readonly terraformResourceType: string;
  /** the binding's module and class, loaded only for HCL output (`cdktf synth --hcl`) */
  readonly module: string;
  readonly className: string;
  readonly generator: { readonly providerName: string; readonly providerVersion: string; readonly providerVersionConstraint: string };
  /** index into `blocks` of the resource's own arguments */
  readonly root: number;
}

/**
 * A block's arguments, and whether the binding's output reference for it keeps a token given for the whole block
 * (`resolvableValue`); a reference without that branch copies the token's attributes one by one instead.
 */
export interface ShapeBlock {
  readonly resolvable: boolean;
  readonly fields: readonly ShapeField[];
}

export interface ShapeTable {
  /** the provider package and version the table was read from */
  readonly source: Readonly<Record<string, string>>;
  /** every distinct block shape; identical shapes (the pod spec of a Deployment, a Job, a CronJob) are stored once */
  readonly blocks: readonly ShapeBlock[];
  readonly resources: Readonly<Record<string, ResourceShape>>;
}

type Mapper = (value: unknown) => unknown;
type Field = ShapeField;
type Block = ShapeBlock;

const SHAPES = table as unknown as ShapeTable;
const identity: Mapper = (value) => value;
const COMPLEX = "A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration";

/** One converter per block shape, built on first use (the binding's `xxxToTerraform`). */
const converters = new Map<number, Mapper>();

function blockOf(index: number): Block {
  const block = SHAPES.blocks[index];
  if (!block) throw new Error(`provider-shapes.json has no block ${index}; run npm run provider:shapes`);
  return block;
}

function mapperOf(field: Field): Mapper {
  const [, , kind, block] = field;
  switch (kind) {
    case "string":
    case "number":
    case "boolean":
      return identity;
    case "string-map":
    case "number-map":
    case "boolean-map":
      return hashMapper(identity);
    case "string-list":
    case "number-list":
    case "boolean-list":
      return listMapper(identity, false);
    case "block":
      return converterOf(block ?? -1);
    case "block-list":
      return listMapper(converterOf(block ?? -1), true);
  }
}

function converterOf(index: number): Mapper {
  const known = converters.get(index);
  if (known) return known;
  const { fields } = blockOf(index);
  let mappers: readonly Mapper[] | undefined;
  const convert: Mapper = (struct) => {
    if (!canInspect(struct) || Tokenization.isResolvable(struct)) return struct;
    if (isComplexElement(struct)) throw new Error(COMPLEX);
    mappers ??= fields.map(mapperOf);
    const source = struct as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    fields.forEach(([terraform, property], at) => {
      result[terraform] = (mappers?.[at] ?? identity)(source[property]);
    });
    return result;
  };
  converters.set(index, convert);
  return convert;
}

/**
 * The binding's output-reference round trip of a block argument (`ref.internalValue = value; ref.internalValue`):
 * unknown properties are dropped, single blocks inside are round-tripped too, and a block whose arguments are all
 * unset is dropped unless it was given as `{}`.
 */
function roundTrip(index: number, value: unknown): unknown {
  if (value === undefined) return undefined;
  const { resolvable, fields } = blockOf(index);
  if (resolvable && Tokenization.isResolvable(value)) return value;
  const source = value as Record<string, unknown>;
  let hasAnyValues = Object.keys(source).length === 0;
  const result: Record<string, unknown> = {};
  for (const [, property, kind, block] of fields) {
    const item = kind === "block" ? roundTrip(block ?? -1, source[property]) : source[property];
    if (item !== undefined) {
      hasAnyValues = true;
      result[property] = item;
    }
  }
  return hasAnyValues ? result : undefined;
}

/** A resource of a type in provider-shapes.json, configured with its binding's config type `C`. */
export class ShapedResource<C extends TerraformMetaArguments> extends TerraformResource {
  /** The configuration as given (the generated binding keeps it in its output references). */
  readonly config: C;
  private readonly attributes: Readonly<Record<string, unknown>>;
  private readonly root: readonly Field[];

  constructor(scope: Construct, id: string, terraformResourceType: string, config: C) {
    const shape = SHAPES.resources[terraformResourceType];
    if (!shape) throw new Error(`${terraformResourceType} is not in constructs/core/provider-shapes.json; add its binding to scripts/convert-provider-shapes.ts and run npm run provider:shapes`);
    super(scope, id, {
      terraformResourceType,
      terraformGeneratorMetadata: shape.generator,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.config = config;
    this.root = blockOf(shape.root).fields;
    const source = config as unknown as Record<string, unknown>;
    const attributes: Record<string, unknown> = {};
    for (const [, property, kind, block] of this.root) attributes[property] = kind === "block" ? roundTrip(block ?? -1, source[property]) : source[property];
    this.attributes = attributes;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const result: Record<string, unknown> = {};
    for (const field of this.root) result[field[0]] = mapperOf(field)(this.attributes[field[1]]);
    return result;
  }

  protected override synthesizeHclAttributes(): { [name: string]: unknown } {
    const shape = SHAPES.resources[this.terraformResourceType];
    const Binding = shape ? (createRequire(__filename)(shape.module) as Record<string, unknown>)[shape.className] : undefined;
    if (typeof Binding !== "function") throw new Error(`${this.terraformResourceType}: the binding named in provider-shapes.json is not installed; run npm run provider:shapes`);
    const detached = new TerraformStack(new Construct(undefined as never, ""), "hcl");
    const { dependsOn: _dependsOn, provider: _provider, ...config } = this.config as Record<string, unknown>;
    const twin = new (Binding as new (scope: Construct, id: string, config: unknown) => TerraformResource)(detached, this.node.id, config);
    return (twin as unknown as { synthesizeHclAttributes(): { [name: string]: unknown } }).synthesizeHclAttributes();
  }
}
