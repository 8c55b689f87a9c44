/**
 * References inside synthesized Terraform JSON: every `${...}` expression's resource and data-source addresses,
 * and the ones that name something the stack does not declare.
 *
 * Stacks of this product never reference one another: each has its own state and finds what another stack owns
 * by name (data sources). cdktf would silently turn a token of another stack into remote state and outputs; a
 * reference that is not declared in the same stack is instead a synthesis error (see BaseStack), because offline
 * nothing else (no `terraform validate`) would catch it before a plan.
 */

/** Roots of expressions that are not resource addresses. */
const NON_RESOURCE_ROOTS = new Set(["var", "local", "module", "each", "count", "path", "self", "terraform"]);
/**
 * An address at the start of a traversal: `data.<type>.<name>` or `<type>.<name>`, where a resource type has a
 * provider prefix (`aws_`, `kubernetes_`, `terraform_data`). Not preceded by `.` or a word character, so attribute
 * traversals (`aws_x.y.some_attr.name`) and function names are not matched.
 */
const ADDRESS = /(?<![\w.])(data\.[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*|[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)/g;

/**
 * Code of every `${...}` interpolation (and `%{...}` directive) of a string, with quoted string literals blanked
 * out; templates nested in those literals (`${replace("${aws_x.y.arn}/*", ...)}`) are returned too.
 */
export function expressionsIn(text: string): string[] {
  const out: string[] = [];
  const next = (from: number): number => {
    const interpolation = text.indexOf("${", from);
    const directive = text.indexOf("%{", from);
    if (interpolation === -1) return directive;
    return directive === -1 ? interpolation : Math.min(interpolation, directive);
  };
  let index = next(0);
  while (index !== -1) {
    if (index > 0 && text[index - 1] === text[index]) {
      // `$${` and `%%{` are escaped literals.
      index = next(index + 2);
      continue;
    }
    let depth = 1;
    let position = index + 2;
    let code = "";
    let quoted = false;
    let literal = "";
    while (position < text.length && depth > 0) {
      const char = text[position] as string;
      if (quoted) {
        if (char === "\\") {
          literal += text.slice(position, position + 2);
          position++;
        } else if (char === '"') {
          quoted = false;
          out.push(...expressionsIn(literal));
        } else literal += char;
        position++;
        continue;
      }
      if (char === '"') {
        quoted = true;
        literal = "";
        code += '""';
      } else if (char === "{") {
        depth++;
        code += char;
      } else if (char === "}") {
        depth--;
        if (depth > 0) code += char;
      } else {
        code += char;
      }
      position++;
    }
    out.push(code);
    index = next(position);
  }
  return out;
}

/** Variables bound by `for` expressions (`for s in ...`, `for k, v in ...`, and `%{ for x in ... }`). */
const FOR_VARIABLES = /\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b/g;

/** Resource and data-source addresses (`aws_x.name`, `data.aws_y.name`) an expression refers to. */
export function addressesIn(expression: string): string[] {
  const bound = new Set([...expression.matchAll(FOR_VARIABLES)].flatMap((match) => [match[1], match[2]].filter((name): name is string => name !== undefined)));
  const out: string[] = [];
  for (const match of expression.matchAll(ADDRESS)) {
    const address = match[1] as string;
    const root = address.slice(0, address.indexOf("."));
    if (!NON_RESOURCE_ROOTS.has(root) && !bound.has(root)) out.push(address);
  }
  return out;
}

interface StackJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly data?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** Addresses the stack declares: `type.name` for resources, `data.type.name` for data sources. */
export function declaredAddresses(stack: StackJson): Set<string> {
  const declared = new Set<string>();
  for (const [type, entries] of Object.entries(stack.resource ?? {})) for (const name of Object.keys(entries)) declared.add(`${type}.${name}`);
  for (const [type, entries] of Object.entries(stack.data ?? {})) for (const name of Object.keys(entries)) declared.add(`data.${type}.${name}`);
  return declared;
}

/** One reference to an address the stack does not declare, with where it was found. */
export interface UndeclaredReference {
  /** `resource.aws_x.name.attribute` path of the value holding the reference. */
  readonly at: string;
  readonly address: string;
}

/**
 * References (outside cdktf's `//` metadata) to resources or data sources the stack does not declare. The path of a
 * value is kept as a list of segments and joined only for a finding (building it for every value of a stack was
 * most of this check's time).
 */
export function undeclaredReferences(stack: StackJson): UndeclaredReference[] {
  const declared = declaredAddresses(stack);
  const out: UndeclaredReference[] = [];
  /** `key` at the top, then `.key` and `[index]`: joined, the `resource.aws_x.name.attribute` form */
  const path: string[] = [];
  const at = (): string => path.join("");
  const visit = (value: unknown): void => {
    if (Array.isArray(value) && path.length > 0 && (path[path.length - 1] as string).endsWith(".depends_on")) {
      // Meta-argument: plain addresses (`aws_x.y`), no interpolation.
      value.forEach((item, index) => {
        if (typeof item === "string" && !item.includes("${") && !declared.has(item) && !item.startsWith("module.")) out.push({ at: `${at()}[${index}]`, address: item });
      });
      return;
    }
    if (typeof value === "string") {
      if (!value.includes("${")) return;
      for (const expression of expressionsIn(value)) {
        for (const address of addressesIn(expression)) if (!declared.has(address)) out.push({ at: at(), address });
      }
    } else if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        path.push(`[${index}]`);
        visit(value[index]);
        path.pop();
      }
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) {
        if (key === "//") continue;
        path.push(path.length === 0 ? key : `.${key}`);
        visit((value as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  visit(stack);
  return out;
}
