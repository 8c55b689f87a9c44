/**
 * Reads a cdktf provider binding's generated JavaScript (`lib/<resource>/index.js` and `index-structs/*.js`) and
 * returns the facts its `xxxToTerraform` functions encode: for every block, each argument's Terraform name, its
 * name in the TypeScript config, and how its value is converted. `constructs/core/shaped-resource.ts` replays
 * those conversions with cdktf's own mappers, so a stack can emit the resource without loading the binding
 * (the three Kubernetes workload bindings alone are 15 MB of JavaScript: about a second of module loading per
 * synthesis process and per test file).
 *
 * The grammar of the generated functions is small; any line outside it is an error naming the file and the line, so a
 * provider upgrade that generates something new fails `npm run provider:shapes` instead of emitting wrong JSON.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FieldKind, ResourceShape, ShapeBlock, ShapeField, ShapeTable } from "../../constructs/core/shaped-resource";

export type { ShapeTable } from "../../constructs/core/shaped-resource";

/** The binding modules whose resources are emitted from the table (constructs/core/kubernetes-workload-resources.ts). */
export const SHAPED_MODULES: readonly string[] = ["@cdktf/provider-kubernetes/lib/cron-job-v1", "@cdktf/provider-kubernetes/lib/deployment-v1", "@cdktf/provider-kubernetes/lib/job-v1"];

const FUNCTION_START = /^function (\w+)ToTerraform\(struct\) \{$/;
const FIELD = /^\s+(\w+): (.+)\((?:struct\.(\w+)|this\._(\w+)(\.internalValue)?)\),?$/;

interface RawField {
  readonly terraform: string;
  readonly property: string;
  readonly kind: FieldKind;
  readonly child?: string;
}

function fieldOf(file: string, line: number, text: string): RawField {
  const match = FIELD.exec(text);
  if (!match) throw new Error(`${file}:${line}: unrecognised generated conversion: ${text.trim()}`);
  const [, terraform = "", mapper = "", structProperty, resourceProperty] = match;
  const property = structProperty ?? resourceProperty ?? "";
  const scalar = /^cdktf\.(string|number|boolean)ToTerraform$/.exec(mapper);
  if (scalar) return { terraform, property, kind: scalar[1] as FieldKind };
  const map = /^cdktf\.hashMapper\(cdktf\.(string|number|boolean)ToTerraform\)$/.exec(mapper);
  if (map) return { terraform, property, kind: `${map[1]}-map` as FieldKind };
  const list = /^cdktf\.listMapper\(cdktf\.(string|number|boolean)ToTerraform, false\)$/.exec(mapper);
  if (list) return { terraform, property, kind: `${list[1]}-list` as FieldKind };
  const blockList = /^cdktf\.listMapper\((?:\w+\.)?(\w+)ToTerraform, true\)$/.exec(mapper);
  if (blockList) return { terraform, property, kind: "block-list", child: blockList[1] };
  const block = /^(?:\(0, \w+\.(\w+)ToTerraform\)|(\w+)ToTerraform)$/.exec(mapper);
  if (block) return { terraform, property, kind: "block", child: block[1] ?? block[2] };
  throw new Error(`${file}:${line}: unrecognised generated mapper ${mapper} for ${terraform}`);
}

interface OutputReference {
  readonly resolvable: boolean;
  /** properties the getter reads back through a nested output reference (`this._x?.internalValue`) */
  readonly nested: ReadonlySet<string>;
  /** properties the getter reads back as given (`this._x`) */
  readonly plain: ReadonlySet<string>;
}

/** The output-reference classes of the files, by struct name (`JobV1MetadataOutputReference` -> `jobV1Metadata`). */
function parseOutputReferences(files: readonly { readonly path: string; readonly text: string }[]): Map<string, OutputReference> {
  const references = new Map<string, OutputReference>();
  for (const { text } of files) {
    for (const match of text.matchAll(/^class (\w+)OutputReference extends cdktf\.ComplexObject \{$([\s\S]*?)^(?=class |function |exports\.|\/\/)/gm)) {
      const name = match[1] ?? "";
      const body = match[2] ?? "";
      const nested = new Set<string>();
      const plain = new Set<string>();
      for (const line of body.matchAll(/internalValueResult\.(\w+) = this\._(\w+)(\?\.internalValue)?;/g)) (line[3] ? nested : plain).add(line[1] ?? "");
      references.set(`${name.charAt(0).toLowerCase()}${name.slice(1)}`, { resolvable: body.includes("this.resolvableValue = value;"), nested, plain });
    }
  }
  return references;
}

/** Every `xxxToTerraform(struct)` function of the files, by name, and the resource's `synthesizeAttributes`. */
function parseFiles(files: readonly { readonly path: string; readonly text: string }[]): { structs: Map<string, RawField[]>; root: RawField[] } {
  const structs = new Map<string, RawField[]>();
  let root: RawField[] | undefined;
  for (const { path, text } of files) {
    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index++) {
      const start = FUNCTION_START.exec(lines[index] ?? "");
      const isRoot = /^\s+synthesizeAttributes\(\) \{$/.test(lines[index] ?? "");
      if (!start && !isRoot) continue;
      const open = lines.findIndex((line, at) => at > index && /^\s+return \{$/.test(line));
      // a struct with no arguments returns `{}` on one line
      const empty = lines.findIndex((line, at) => at > index && /^\s+return \{\};$/.test(line));
      const fields: RawField[] = [];
      if (empty !== -1 && (open === -1 || empty < open)) {
        index = empty;
      } else {
        if (open === -1) throw new Error(`${path}:${index + 1}: no return object after ${lines[index]?.trim()}`);
        let at = open + 1;
        for (; !/^\s+\};$/.test(lines[at] ?? "};"); at++) fields.push(fieldOf(path, at + 1, lines[at] ?? ""));
        index = at;
      }
      if (start) structs.set(start[1] ?? "", fields);
      else root = fields;
    }
  }
  if (!root) throw new Error(`no synthesizeAttributes() in ${files[0]?.path ?? "the binding"}`);
  return { structs, root };
}

/** The resource's own arguments are read from `this._x`; the constructor says which config property fills each. */
function configProperties(path: string, text: string, fields: readonly RawField[]): RawField[] {
  const assigned = new Map<string, string>();
  for (const match of text.matchAll(/^\s+this\._(\w+)(?:\.internalValue)? = config\.(\w+);$/gm)) assigned.set(match[1] ?? "", match[2] ?? "");
  return fields.map((field) => {
    const property = assigned.get(field.property);
    if (!property) throw new Error(`${path}: the constructor never sets this._${field.property} (${field.terraform}) from the config`);
    return { ...field, property };
  });
}

function constructorFacts(path: string, text: string, module: string): Omit<ResourceShape, "root"> {
  const value = (key: string): string => {
    const match = new RegExp(`${key}: '([^']+)'`).exec(text);
    if (!match?.[1]) throw new Error(`${path}: no ${key} in the generated constructor`);
    return match[1];
  };
  const className = /^class (\w+) extends cdktf\.TerraformResource \{$/m.exec(text)?.[1];
  if (!className || !text.includes(`exports.${className} = ${className};`)) throw new Error(`${path}: no exported resource class`);
  return {
    terraformResourceType: value("terraformResourceType"),
    module,
    className,
    generator: { providerName: value("providerName"), providerVersion: value("providerVersion"), providerVersionConstraint: value("providerVersionConstraint") },
  };
}

/**
 * Builds the table for bindings given as `<package>/lib/<module>` (e.g. `@cdktf/provider-kubernetes/lib/job-v1`),
 * reading from `nodeModules`.
 */
export function readShapeTable(nodeModules: string, modules: readonly string[]): ShapeTable {
  const blocks: ShapeBlock[] = [];
  const interned = new Map<string, number>();
  const resources: Record<string, ResourceShape> = {};
  const source: Record<string, string> = {};
  for (const module of [...modules].sort()) {
    const directory = join(nodeModules, module);
    const structsDirectory = join(directory, "index-structs");
    const entries = (() => {
      try {
        return readdirSync(structsDirectory).filter((name) => name.endsWith(".js")).sort().map((name) => join(structsDirectory, name));
      } catch {
        return [];
      }
    })();
    const indexPath = join(directory, "index.js");
    const files = [indexPath, ...entries].map((path) => ({ path, text: readFileSync(path, "utf8") }));
    const parsed = parseFiles(files);
    const { structs } = parsed;
    const references = parseOutputReferences(files);
    const root = configProperties(indexPath, files[0]?.text ?? "", parsed.root);
    const intern = (fields: readonly RawField[], trail: readonly string[], struct?: string): number => {
      const reference = struct === undefined ? undefined : references.get(struct);
      // The runtime round-trips exactly the single blocks; the binding's reference must agree field by field.
      if (reference) {
        for (const field of fields) {
          // blocks and block lists are read back through their own reference or list (`this._x?.internalValue`);
          // a list keeps what it was given (cdktf ComplexList.internalValue), a single block is round-tripped
          const throughReference = reference.nested.has(field.property);
          if (throughReference !== (field.kind === "block" || field.kind === "block-list") || (!throughReference && !reference.plain.has(field.property))) {
            throw new Error(`${module}: ${[...trail, field.terraform].join(".")}: the output reference of ${struct} reads ${field.property} back in a way the table cannot replay`);
          }
        }
      }
      const shapeFields: ShapeField[] = fields.map((field) => {
        if (field.kind !== "block" && field.kind !== "block-list") return [field.terraform, field.property, field.kind] as const;
        const child = structs.get(field.child ?? "");
        if (!child) throw new Error(`${module}: ${[...trail, field.terraform].join(".")} converts with ${field.child}ToTerraform, which is not in the binding`);
        return [field.terraform, field.property, field.kind, intern(child, [...trail, field.terraform], field.child)] as const;
      });
      const shape: ShapeBlock = { resolvable: reference?.resolvable ?? false, fields: shapeFields };
      const key = JSON.stringify(shape);
      const known = interned.get(key);
      if (known !== undefined) return known;
      blocks.push(shape);
      interned.set(key, blocks.length - 1);
      return blocks.length - 1;
    };
    const facts = constructorFacts(indexPath, files[0]?.text ?? "", module);
    resources[facts.terraformResourceType] = { ...facts, root: intern(root, [facts.terraformResourceType]) };
    const packageName = module.split("/lib/")[0] ?? module;
    const manifest = JSON.parse(readFileSync(join(nodeModules, packageName, "package.json"), "utf8")) as { version: string };
    source[packageName] = manifest.version;
  }
  return { source, blocks, resources };
}

/** The committed file's text (constructs/core/provider-shapes.json) for the bindings installed in `nodeModules`. */
export function shapeTableText(nodeModules: string): string {
  return `${JSON.stringify(readShapeTable(nodeModules, SHAPED_MODULES))}\n`;
}
