/**
 * Reads which arguments of a Terraform provider resource force its replacement, from the provider's Go source
 * (used by scripts/convert-force-new.ts; the facts it extracts are committed, never the source).
 *
 * Terraform's provider schema JSON (`terraform providers schema -json`) does not carry "forces replacement", so
 * the source of truth is the schema in Go:
 * - terraform-plugin-sdk v2: `ForceNew: true` on a `*schema.Schema`, nested through `Elem: &schema.Resource{...}`,
 *   plus `customdiff.ForceNewIf*("argument", ...)` in CustomizeDiff (conditional);
 * - terraform-plugin-framework: a `RequiresReplace()` / `RequiresReplaceIfConfigured()` plan modifier
 *   (conditional: `RequiresReplaceIf...`), nested through `Blocks` / `NestedObject`.
 *
 * This is a small composite-literal reader, not a Go compiler: it follows schema helper functions of the same
 * package by name, and records what it cannot resolve as conditional rather than guessing.
 */

export type Token = { readonly kind: "ident" | "string" | "number" | "punct"; readonly text: string };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    if (/\s/.test(char)) {
      index++;
    } else if (source.startsWith("//", index)) {
      const end = source.indexOf("\n", index);
      index = end < 0 ? source.length : end;
    } else if (source.startsWith("/*", index)) {
      const end = source.indexOf("*/", index + 2);
      index = end < 0 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      let end = index + 1;
      while (end < source.length && source[end] !== char) end += source[end] === "\\" ? 2 : 1;
      tokens.push({ kind: "string", text: source.slice(index, end + 1) });
      index = end + 1;
    } else if (char === "`") {
      const end = source.indexOf("`", index + 1);
      tokens.push({ kind: "string", text: source.slice(index, end < 0 ? source.length : end + 1) });
      index = end < 0 ? source.length : end + 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index, index + 200)) as RegExpExecArray;
      tokens.push({ kind: "ident", text: match[0] });
      index += match[0].length;
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9][0-9A-Za-z_.]*/.exec(source.slice(index, index + 100)) as RegExpExecArray;
      tokens.push({ kind: "number", text: match[0] });
      index += match[0].length;
    } else {
      const two = source.slice(index, index + 2);
      const op = [":=", "==", "!=", "&&", "||", "<=", ">=", "++", "--", "..."].find((candidate) => source.startsWith(candidate, index)) ?? (two === "<-" ? two : char);
      tokens.push({ kind: "punct", text: op });
      index += op.length;
    }
  }
  return tokens;
}

/** A parsed Go expression, reduced to what schema reading needs. */
export type GoNode =
  | { readonly kind: "composite"; readonly type: string; readonly entries: readonly { readonly key?: GoNode; readonly value: GoNode }[] }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly GoNode[] }
  | { readonly kind: "func"; readonly body: readonly Token[] }
  | { readonly kind: "raw"; readonly text: string };

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Index of the token closing the bracket at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  const opener = (tokens[open] as Token).text;
  const closer = CLOSERS[opener] as string;
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const text = (tokens[index] as Token).text;
    if (text === opener) depth++;
    else if (text === closer && --depth === 0) return index;
  }
  return tokens.length - 1;
}

/** Splits tokens[start, end) at top-level occurrences of `separator`. */
function split(tokens: readonly Token[], start: number, end: number, separator: string): [number, number][] {
  const parts: [number, number][] = [];
  let from = start;
  for (let index = start; index < end; index++) {
    const text = (tokens[index] as Token).text;
    if (text in CLOSERS) {
      index = closing(tokens, index);
      continue;
    }
    if (text === separator) {
      parts.push([from, index]);
      from = index + 1;
    }
  }
  if (from < end) parts.push([from, end]);
  return parts;
}

function joined(tokens: readonly Token[], start: number, end: number): string {
  return tokens.slice(start, end).map((token) => token.text).join("");
}

/** Parses the expression tokens[start, end). */
export function parseExpression(tokens: readonly Token[], start: number, end: number): GoNode {
  // A function literal: func(...) results { body }
  if (tokens[start]?.text === "func") {
    let index = start + 1;
    while (index < end && tokens[index]?.text !== "{") index = tokens[index]?.text === "(" ? closing(tokens, index) + 1 : index + 1;
    const close = closing(tokens, index);
    return { kind: "func", body: tokens.slice(index + 1, close) };
  }
  // The last bracket group at the top level decides: `{...}` a composite literal, `(...)` a call.
  let lastOpen = -1;
  for (let index = start; index < end; index++) {
    const value = (tokens[index] as Token).text;
    if (value in CLOSERS) {
      const close = closing(tokens, index);
      if (close === end - 1 && value !== "[") lastOpen = index;
      index = close;
    }
  }
  if (lastOpen > start || (lastOpen === start && tokens[start]?.text === "{")) {
    const opener = (tokens[lastOpen] as Token).text;
    const head = joined(tokens, start, lastOpen);
    if (opener === "{") {
      // `map[string]*schema.Schema{...}` keeps its `[...]` in the type text.
      const entries = split(tokens, lastOpen + 1, end - 1, ",").map(([from, to]) => {
        const pair = split(tokens, from, to, ":");
        if (pair.length >= 2) {
          const [key, value] = [pair[0] as [number, number], [(pair[1] as [number, number])[0], to] as [number, number]];
          return { key: parseExpression(tokens, key[0], key[1]), value: parseExpression(tokens, value[0], value[1]) };
        }
        return { value: parseExpression(tokens, from, to) };
      });
      return { kind: "composite", type: head, entries };
    }
    const args = split(tokens, lastOpen + 1, end - 1, ",").map(([from, to]) => parseExpression(tokens, from, to));
    return { kind: "call", callee: head, args };
  }
  return { kind: "raw", text: joined(tokens, start, end) };
}

/** The value of the package-level `name = <expr>` declared in `tokens` (a `var` file), or undefined. */
export function variableValue(tokens: readonly Token[], name: string): GoNode | undefined {
  const at = tokens.findIndex((token, index) => token.text === name && tokens[index + 1]?.text === "=" && tokens[index - 1]?.text !== ".");
  if (at < 0) return undefined;
  // The value ends with its first top-level bracket group (`map[string]*schema.Schema{...}`, `func() ... {...}`).
  for (let index = at + 2; index < tokens.length; index++) {
    const text = (tokens[index] as Token).text;
    if (text === "{" || (text === "(" && tokens[index - 1]?.kind === "ident" && tokens[index - 1]?.text !== "func")) return parseExpression(tokens, at + 2, closing(tokens, index) + 1);
    if (text === "[" || text === "(") index = closing(tokens, index);
  }
  return undefined;
}

/** Every composite literal (at any depth) of the token range whose type text matches. */
export function findComposites(tokens: readonly Token[], typeMatch: RegExp): GoNode[] {
  const found: GoNode[] = [];
  for (let index = 0; index < tokens.length; index++) {
    if (tokens[index]?.text !== "{") continue;
    // Walk back over the type expression (identifiers, dots, *, &, [], map[...]).
    let from = index;
    while (from > 0) {
      const previous = tokens[from - 1] as Token;
      // An identifier is part of the type only before `.`, `[` or the brace (`return &schema.Resource{` stops at return).
      if (previous.kind === "ident" && from < index && ![".", "["].includes(tokens[from]?.text as string)) break;
      if (previous.kind === "ident" || [".", "*", "&"].includes(previous.text)) from--;
      else if (previous.text === "]") {
        let depth = 0;
        let back = from - 1;
        for (; back >= 0; back--) {
          if (tokens[back]?.text === "]") depth++;
          else if (tokens[back]?.text === "[" && --depth === 0) break;
        }
        from = back;
      } else break;
    }
    const type = joined(tokens, from, index);
    if (!typeMatch.test(type)) continue;
    const close = closing(tokens, index);
    found.push(parseExpression(tokens, from, close + 1));
    index = close;
  }
  return found;
}

/** End (exclusive) of the statement starting at `start`: the expression up to the next statement keyword or assignment. */
function statementEnd(body: readonly Token[], start: number): number {
  let end = start;
  while (end < body.length) {
    const token = body[end] as Token;
    if (token.text in CLOSERS) {
      end = closing(body, end) + 1;
      const next = body[end];
      if (next?.kind === "ident" && (["return", "if", "for", "var", "switch", "else"].includes(next.text) || [":=", "=", "["].includes(body[end + 1]?.text as string))) break;
      continue;
    }
    if (token.text === "}" || token.text === ";") break;
    if (end > start && token.kind === "ident" && ["return", "if", "for", "var", "switch"].includes(token.text)) break;
    end++;
  }
  return end;
}

/** The expression after the first top-level `return` of a function body. */
export function returnedExpression(body: readonly Token[]): GoNode | undefined {
  let depth = 0;
  for (let index = 0; index < body.length; index++) {
    const value = (body[index] as Token).text;
    if (value === "{" || value === "(" || value === "[") depth++;
    else if (value === "}" || value === ")" || value === "]") depth--;
    else if (value === "return" && depth === 0) {
      let end = index + 1;
      while (end < body.length) {
        const next = body[end] as Token;
        if (next.text in CLOSERS) {
          end = closing(body, end) + 1;
          // A statement ends at a newline in Go; without positions, stop after a bracket group followed by a keyword.
          if (body[end]?.kind === "ident" && ["return", "if", "for", "var", "switch"].includes(body[end]?.text as string)) break;
          if (body[end]?.kind === "ident" && body[end + 1]?.text === ":=") break;
          continue;
        }
        if (next.kind === "ident" && ["return", "if", "for", "var", "switch"].includes(next.text) && end > index + 1) break;
        end++;
      }
      return parseExpression(body, index + 1, end);
    }
  }
  return undefined;
}

export function field(node: GoNode | undefined, name: string): GoNode | undefined {
  if (node?.kind !== "composite") return undefined;
  return node.entries.find((entry) => entry.key?.kind === "raw" && entry.key.text === name)?.value;
}

/** A function of the package: its parameter names and body. */
export interface GoFunction {
  readonly params: readonly string[];
  readonly body: readonly Token[];
}
/** Resolves functions by name (the package's functions); returns undefined when unknown. */
export type FunctionLookup = (name: string) => GoFunction | undefined;
/** Resolves a package-level variable by name (`var topicSchema = map[string]*schema.Schema{...}`); undefined when unknown. */
export type VariableLookup = (name: string) => GoNode | undefined;
/** Resolves a key expression (`"cidr_block"`, `names.AttrCIDRBlock`) to the argument name. */
export type KeyResolver = (key: string) => string;

export interface ForceNewFacts {
  /** Arguments (dotted for nested blocks) whose change always forces replacement. */
  readonly forceNew: string[];
  /** Arguments whose change forces replacement only under a condition the schema computes (CustomizeDiff, RequiresReplaceIf). */
  readonly conditional: string[];
}

function unquote(value: string): string {
  return value.startsWith('"') || value.startsWith("`") ? value.slice(1, -1) : value;
}

const FRAMEWORK_REPLACE = /RequiresReplace(IfConfigured)?$/;
const FRAMEWORK_CONDITIONAL = /RequiresReplace(If|IfFunc|WithPrivateState)\w*$/;

/** Where a node was read: the function body (for its locals) and the values its parameters were called with. */
interface Scope {
  readonly body: readonly Token[];
  readonly bindings: ReadonlyMap<string, string>;
}

function minimal(values: readonly string[]): string[] {
  const paths = [...new Set(values.map((path) => path.split(".").filter((segment) => !/^\d+$/.test(segment)).join(".")))].sort();
  return paths.filter((path) => !paths.some((other) => other !== path && path.startsWith(`${other}.`)));
}

export class SchemaReader {
  private readonly visiting = new Set<string>();
  private readonly scopes = new WeakMap<object, Scope>();

  constructor(
    private readonly lookup: FunctionLookup,
    private readonly resolveKey: KeyResolver,
    /** Package-level variables (a schema kept in a `var`: aws_sns_topic's `Schema: topicSchema`). */
    private readonly variable: VariableLookup = () => undefined,
  ) {}

  /** Facts from the body of a resource's schema function (SDK v2) or Schema method (framework). */
  read(body: readonly Token[]): ForceNewFacts {
    const facts: ForceNewFacts = { forceNew: [], conditional: [] };
    const scope: Scope = { body, bindings: new Map() };
    const framework = findComposites(body, /^schema\.Schema$/)[0];
    if (framework) {
      this.framework(framework, "", facts);
    } else {
      let resource = findComposites(body, /^&schema\.Resource$/)[0];
      if (resource) this.scopes.set(resource, scope);
      else {
        const returned = returnedExpression(body);
        resource = returned?.kind === "call" ? this.follow(returned, scope) : undefined;
      }
      if (resource) this.sdkResource(resource, "", facts);
      // customdiff.ForceNewIfChange("argument", ...) and friends: conditional replacement.
      for (let index = 0; index < body.length - 3; index++) {
        if ((body[index]?.text ?? "").startsWith("ForceNewIf") && body[index - 1]?.text === "." && body[index + 1]?.text === "(" && body[index + 2]?.kind === "string") {
          facts.conditional.push(unquote((body[index + 2] as Token).text));
        }
      }
    }
    // `advanced_security_options.0.enabled` (a CustomizeDiff key) -> `advanced_security_options.enabled`; a path
    // under a listed parent is covered by the parent.
    const forceNew = minimal(facts.forceNew);
    const covered = (path: string) => forceNew.some((other) => path === other || path.startsWith(`${other}.`));
    return { forceNew, conditional: minimal(facts.conditional).filter((path) => !covered(path)) };
  }

  private inherit<T extends GoNode | undefined>(child: T, parent: GoNode): T {
    const scope = this.scopes.get(parent);
    if (child && scope && !this.scopes.has(child)) this.scopes.set(child, scope);
    return child;
  }

  /** The value a helper call returns (its first top-level return), if the function is known. */
  private follow(call: GoNode & { kind: "call" }, caller: Scope | undefined): GoNode | undefined {
    const name = call.callee.split(".").pop() as string;
    if (this.visiting.has(name)) return undefined;
    const fn = this.lookup(name);
    if (!fn) return undefined;
    const bindings = new Map<string, string>();
    fn.params.forEach((param, index) => {
      const argument = call.args[index];
      if (argument?.kind === "raw") bindings.set(param, caller?.bindings.get(argument.text) ?? argument.text);
    });
    const scope: Scope = { body: fn.body, bindings };
    this.visiting.add(name);
    try {
      let returned = returnedExpression(fn.body);
      if (returned?.kind === "call") return this.follow(returned, scope);
      if (returned?.kind === "raw") returned = this.local(scope, returned.text) ?? returned;
      if (returned && !this.scopes.has(returned)) this.scopes.set(returned, scope);
      return returned;
    } finally {
      this.visiting.delete(name);
    }
  }

  /**
   * A local variable of a function body: `name := <expr>` (a call is followed), with later
   * `name["key"] = <expr>` assignments added as entries (`fields["namespace"] = &schema.Schema{...}`).
   */
  private local(scope: Scope, name: string): GoNode | undefined {
    const { body } = scope;
    let value: GoNode | undefined;
    const extra: { key: GoNode; value: GoNode }[] = [];
    for (let index = 0; index < body.length; index++) {
      if (body[index]?.text !== name || body[index - 1]?.text === ".") continue;
      if (body[index + 1]?.text === ":=" || (body[index + 1]?.text === "=" && value === undefined)) {
        const parsed = parseExpression(body, index + 2, statementEnd(body, index + 2));
        value = parsed.kind === "call" ? (this.follow(parsed, scope) ?? parsed) : parsed;
        if (!this.scopes.has(value)) this.scopes.set(value, scope);
      } else if (body[index + 1]?.text === "[" && body[index + 2]?.kind === "string" && body[index + 3]?.text === "]" && body[index + 4]?.text === "=") {
        const assigned = parseExpression(body, index + 5, statementEnd(body, index + 5));
        this.scopes.set(assigned, scope);
        extra.push({ key: { kind: "raw", text: (body[index + 2] as Token).text }, value: assigned });
      }
    }
    if (value?.kind !== "composite") return value;
    const keys = new Set(extra.map((entry) => (entry.key as { text: string }).text));
    const merged: GoNode = { ...value, entries: [...value.entries.filter((entry) => !(entry.key?.kind === "raw" && keys.has(entry.key.text))), ...extra] };
    this.scopes.set(merged, this.scopes.get(value) ?? scope);
    return merged;
  }

  /** A call, a local variable or a literal, resolved to what it denotes. */
  private resolve(node: GoNode | undefined, parent: GoNode): GoNode | undefined {
    if (!node) return undefined;
    this.inherit(node, parent);
    const scope = this.scopes.get(node);
    if (node.kind === "func") return this.inherit(returnedExpression(node.body), parent);
    if (node.kind === "call") return this.follow(node, scope);
    if (node.kind === "raw" && /^[A-Za-z_]\w*$/.test(node.text)) {
      const local = scope ? this.local(scope, node.text) : undefined;
      if (local) return local;
      const global = this.variable(node.text);
      if (global && !this.scopes.has(global)) this.scopes.set(global, { body: [], bindings: new Map() });
      return global ?? node;
    }
    return node;
  }

  /** `true`, `false`, or undefined when the value depends on something not known here. */
  private boolean(node: GoNode, parent: GoNode): boolean | undefined {
    if (node.kind !== "raw") return undefined;
    const bindings = this.scopes.get(parent)?.bindings;
    const negated = node.text.startsWith("!");
    const name = negated ? node.text.slice(1) : node.text;
    const value = bindings?.get(name) ?? name;
    if (value !== "true" && value !== "false") return undefined;
    return (value === "true") !== negated;
  }

  private sdkResource(resource: GoNode, prefix: string, facts: ForceNewFacts): void {
    let schema = this.resolve(field(resource, "Schema") ?? field(resource, "SchemaFunc"), resource);
    if (schema?.kind === "func" || schema?.kind === "call") schema = this.resolve(schema, resource);
    if (schema?.kind !== "composite") return;
    for (const entry of schema.entries) {
      if (!entry.key || entry.key.kind !== "raw") continue;
      const name = this.resolveKey(entry.key.text);
      this.sdkSchema(this.inherit(entry.value, schema), prefix === "" ? name : `${prefix}.${name}`, facts);
    }
  }

  /** Whether a helper sets `.ForceNew = true` on the schema it is given (kubernetes' metadataSchemaForceNew). */
  private marksForceNew(call: GoNode & { kind: "call" }): boolean {
    const body = this.lookup(call.callee.split(".").pop() as string)?.body;
    if (!body) return false;
    for (let index = 0; index < body.length - 3; index++) {
      if (body[index]?.text === "." && body[index + 1]?.text === "ForceNew" && body[index + 2]?.text === "=" && body[index + 3]?.text === "true") return true;
    }
    return false;
  }

  private sdkSchema(value: GoNode, path: string, facts: ForceNewFacts): void {
    let node: GoNode | undefined = value;
    let forceNew = false;
    if (node.kind === "call") {
      if (this.marksForceNew(node)) forceNew = true;
      const argument = node.args[0];
      const followed = this.resolve(node, value);
      node = followed && followed.kind !== "raw" ? followed : argument && argument.kind !== "raw" ? this.inherit(argument, value) : undefined;
      if (node?.kind === "call") node = this.resolve(node, value);
    }
    if (node?.kind !== "composite") {
      if (forceNew) facts.forceNew.push(path);
      return;
    }
    const flag = field(node, "ForceNew");
    const decided = flag ? this.boolean(flag, node) : false;
    if (decided === true) forceNew = true;
    else if (decided === undefined) facts.conditional.push(path); // ForceNew: someCondition
    if (forceNew) {
      facts.forceNew.push(path);
      return; // every nested argument is covered by the block
    }
    const elem = this.resolve(field(node, "Elem"), node);
    if (elem?.kind === "composite" && elem.type.endsWith("schema.Resource")) this.sdkResource(elem, path, facts);
  }

  private framework(node: GoNode, prefix: string, facts: ForceNewFacts): void {
    for (const group of ["Attributes", "Blocks"]) {
      const members = this.resolve(field(node, group), node);
      if (members?.kind !== "composite") continue;
      for (const entry of members.entries) {
        if (!entry.key || entry.key.kind !== "raw") continue;
        const path = prefix === "" ? this.resolveKey(entry.key.text) : `${prefix}.${this.resolveKey(entry.key.text)}`;
        const member = this.resolve(this.inherit(entry.value, members), members);
        if (member?.kind !== "composite") continue;
        const modifiers = field(member, "PlanModifiers");
        const calls = modifiers?.kind === "composite" ? modifiers.entries.map((item) => item.value).filter((item) => item.kind === "call") : [];
        if (calls.some((call) => FRAMEWORK_REPLACE.test(call.callee))) {
          facts.forceNew.push(path);
          continue;
        }
        if (calls.some((call) => FRAMEWORK_CONDITIONAL.test(call.callee))) facts.conditional.push(path);
        const nested = this.resolve(field(member, "NestedObject"), member);
        if (nested) this.framework(nested, path, facts);
      }
    }
  }
}

/** `AttrCIDRBlock` -> `cidr_block` when the vocabulary has no better match. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** A key resolver for `"literal"` keys and `names.AttrXxx` constants, matched against the type's argument names. */
export function keyResolver(vocabulary: ReadonlySet<string>, constant: (name: string) => string | undefined = () => undefined): KeyResolver {
  const normalized = new Map([...vocabulary].map((name) => [name.replaceAll("_", ""), name]));
  return (key) => {
    if (key.startsWith('"') || key.startsWith("`")) return unquote(key);
    if (!key.includes(".")) {
      const value = constant(key);
      if (value !== undefined) return value;
    }
    const bare = (key.split(".").pop() as string).replace(/^Attr/, "");
    return normalized.get(bare.toLowerCase()) ?? snakeCase(bare);
  };
}
