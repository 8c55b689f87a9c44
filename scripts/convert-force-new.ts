/**
 * `npx tsx scripts/convert-force-new.ts --aws-index DIR --kubernetes DIR --helm DIR`: rebuilds the committed table
 * of replacement-forcing arguments (scripts/lib/review/data/replacement-arguments.json) for every resource type the
 * bundled stacks emit, from the providers' Go schemas (see scripts/lib/review/go-schema.ts). Only facts are
 * written (type -> argument paths), never provider code. The test suite never reads the provider sources: it
 * checks that the committed table covers every emitted type.
 *
 * Sources, at the provider versions the bindings in package.json are generated from:
 * - AWS: a checkout of lonegunmanb/terraform-provider-aws-index at the commit "Update index files for
 *   terraform-provider-aws v<version>" (one file per resource registration and per Go function of the provider;
 *   the provider repository itself is too large to bring here). `DIR` is the folder holding `index/`.
 * - Kubernetes / Helm: checkouts of hashicorp/terraform-provider-kubernetes (tag v<version>, folder
 *   `kubernetes/`) and hashicorp/terraform-provider-helm (tag v<version>, folder `helm/`).
 *
 * Options: --types a,b,c   only these types (default: every resource type of the bundled stacks, plus those
 *                          already in the table)
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { loadConfig } from "../config/loader";
import { readSynthesized, synthesizeBundled } from "./lib/bundled";
import { keyResolver, SchemaReader, tokenize, variableValue, type ForceNewFacts, type GoFunction, type Token } from "./lib/review/go-schema";
import { REPLACEMENT_TABLE_PATH, type ReplacementTable } from "./lib/review/replacement";

const ROOT = join(__dirname, "..");

function providerVersion(pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { cdktf?: { provider?: { version?: string } } };
  return manifest.cdktf?.provider?.version ?? "unknown";
}

/** Argument names a type accepts, from its cdktf binding (to resolve `names.AttrXxx` constants). */
function vocabulary(pkg: string, type: string): Set<string> {
  const prefix = type.split("_")[0] as string;
  const dir = join(ROOT, "node_modules", pkg, "lib", type.slice(prefix.length + 1).replaceAll("_", "-"));
  const names = new Set<string>();
  if (!existsSync(dir)) return names;
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".js"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const match of text.matchAll(/get\w*Attribute\('([a-z0-9_]+)'\)|\b([a-z][a-z0-9_]*): cdktf\./g)) names.add((match[1] ?? match[2]) as string);
  }
  return names;
}

/** Parameter names and body of the first function declared at or after `from`. */
function functionAt(tokens: readonly Token[], from = 0): GoFunction | undefined {
  const start = tokens.findIndex((token, index) => index >= from && token.text === "func");
  if (start < 0) return undefined;
  let index = start + 1;
  if (tokens[index]?.text === "(") while (tokens[index] && tokens[index]?.text !== ")") index++; // receiver
  while (tokens[index] && tokens[index]?.text !== "(") index++;
  // (a, b bool, c string): the first identifier of each comma-separated item
  const params: string[] = [];
  let expectName = true;
  let depth = 0;
  for (index++; index < tokens.length && !(depth === 0 && tokens[index]?.text === ")"); index++) {
    const token = tokens[index] as Token;
    if (token.text === "(" || token.text === "[" || token.text === "{") depth++;
    else if (token.text === ")" || token.text === "]" || token.text === "}") depth--;
    else if (depth === 0 && token.text === ",") expectName = true;
    else if (expectName && token.kind === "ident") {
      params.push(token.text);
      expectName = false;
    }
  }
  const body = functionBody(tokens, index + 1);
  return body ? { params, body } : undefined;
}

/** The body tokens of the function whose signature continues at `from` (up to its opening brace). */
function functionBody(tokens: readonly Token[], from: number): Token[] | undefined {
  let index = from;
  // receiver, name, parameters, results: up to the body's opening brace at depth 0
  let depth = 0;
  for (; index < tokens.length; index++) {
    const text = (tokens[index] as Token).text;
    if (text === "(" || text === "[") depth++;
    else if (text === ")" || text === "]") depth--;
    else if (text === "{" && depth === 0 && tokens[index - 1]?.text !== "interface" && tokens[index - 1]?.text !== "struct") break;
  }
  let level = 0;
  for (let end = index; end < tokens.length; end++) {
    if (tokens[end]?.text === "{") level++;
    else if (tokens[end]?.text === "}" && --level === 0) return tokens.slice(index + 1, end);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// AWS: the index repository

/**
 * Types whose schema the index does not attribute: the egress rule embeds the ingress rule's resource type
 * (`securityGroupEgressRuleResource` wraps `securityGroupRuleResource`, whose Schema method both share).
 */
const SCHEMA_ALIASES: Readonly<Record<string, string>> = {
  aws_vpc_security_group_egress_rule: "method.securityGroupRuleResource.Schema.goindex",
};

function awsFacts(indexDir: string, type: string): ForceNewFacts | undefined {
  const registration = join(indexDir, "index", "resources", `${type}.json`);
  if (!existsSync(registration)) return undefined;
  const entry = JSON.parse(readFileSync(registration, "utf8")) as { namespace: string; schema_index: string; create_index?: string; read_index?: string };
  const serviceDir = join(indexDir, "index", entry.namespace.replace(/^github\.com\/hashicorp\/terraform-provider-aws\//, ""));
  const read = (file: string) => (existsSync(join(serviceDir, file)) ? functionAt(tokenize(readFileSync(join(serviceDir, file), "utf8"))) : undefined);
  const lookup = (name: string) => read(`func.${name}.goindex`);
  // The index sometimes records a schema function name the package does not have: the CRUD functions' names without
  // their suffix name the schema function (`resourceCertificateCreate` -> `resourceCertificate`,
  // `resourceResourcePolicyPut` / `resourceResourcePolicyRead` -> `resourceResourcePolicy`).
  const crud = [entry.create_index, entry.read_index]
    .map((file) => file?.replace(/(Create|Put|Read)\.goindex$/, ".goindex"))
    .filter((file): file is string => file !== undefined && file !== entry.create_index && file !== entry.read_index);
  // Or the recorded name carries the service (`resourceSqsQueuePolicy` -> `resourceQueuePolicy`).
  const withoutService = entry.schema_index.replace(/^func\.resource[A-Z][a-z0-9]*/, "func.resource");
  const alias = SCHEMA_ALIASES[type];
  // The first candidate that declares a schema (a `Schema` field or method): a CRUD function's body has none, and
  // reading it would silently record no facts at all.
  const candidates = [alias, entry.schema_index, ...crud, withoutService].filter((file): file is string => file !== undefined);
  const body = candidates.map(read).find((fn) => fn?.body.some((token) => token.text === "Schema"));
  if (!body) throw new Error(`${type}: no schema function among ${candidates.join(", ")} under ${serviceDir}`);
  const schemaBody = body.body;
  const constant = (name: string) => {
    const file = join(serviceDir, `var.${name}.goindex`);
    if (!existsSync(file)) return undefined;
    const tokens = tokenize(readFileSync(file, "utf8"));
    const at = tokens.findIndex((token, index) => token.text === name && tokens[index + 1]?.text === "=" && tokens[index + 2]?.kind === "string");
    return at >= 0 ? (tokens[at + 2] as Token).text.slice(1, -1) : undefined;
  };
  const variable = (name: string) => {
    const file = join(serviceDir, `var.${name}.goindex`);
    return existsSync(file) ? variableValue(tokenize(readFileSync(file, "utf8")), name) : undefined;
  };
  const facts = new SchemaReader(lookup, keyResolver(vocabulary("@cdktf/provider-aws", type), constant), variable).read(schemaBody);
  // SDK v2 resources keep CustomizeDiff in their schema function; follow a named CustomizeDiff function too.
  const customize = schemaBody.findIndex((token, index) => token.text === "CustomizeDiff" && schemaBody[index + 1]?.text === ":");
  const customizeName = customize >= 0 ? schemaBody[customize + 2] : undefined;
  if (customizeName?.kind === "ident" && schemaBody[customize + 3]?.text !== "(" && schemaBody[customize + 3]?.text !== ".") {
    const customBody = lookup(customizeName.text)?.body;
    if (customBody) for (const path of new SchemaReader(lookup, (key) => key).read(customBody).conditional) if (!facts.forceNew.includes(path)) facts.conditional.push(path);
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes and Helm: provider source folders

interface GoPackage {
  readonly functions: Map<string, GoFunction>;
  /** receiver type -> method name -> body */
  readonly methods: Map<string, Map<string, readonly Token[]>>;
  readonly files: Map<string, Token[]>;
  /** `name = "value"` declarations (constants and variables of string value). */
  readonly constants: Map<string, string>;
}

function readPackage(dir: string): GoPackage {
  const functions = new Map<string, GoFunction>();
  const methods = new Map<string, Map<string, readonly Token[]>>();
  const files = new Map<string, Token[]>();
  const constants = new Map<string, string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".go") && !name.endsWith("_test.go"))) {
    const tokens = tokenize(readFileSync(join(dir, file), "utf8"));
    files.set(file, tokens);
    tokens.forEach((token, index) => {
      if (token.kind === "ident" && tokens[index + 1]?.text === "=" && tokens[index + 2]?.kind === "string" && tokens[index - 1]?.text !== ".") constants.set(token.text, (tokens[index + 2] as Token).text.slice(1, -1));
    });
    for (let index = 0; index < tokens.length; index++) {
      if (tokens[index]?.text !== "func" || (index > 0 && tokens[index - 1]?.text !== "}" && tokens[index - 1]?.text !== ")" && tokens[index - 1]?.kind !== "string" && tokens[index - 1]?.kind !== "ident")) continue;
      let receiver: string | undefined;
      let nameIndex = index + 1;
      if (tokens[nameIndex]?.text === "(") {
        const receiverTokens: string[] = [];
        let cursor = nameIndex + 1;
        while (tokens[cursor] && tokens[cursor]?.text !== ")") {
          receiverTokens.push((tokens[cursor] as Token).text);
          cursor++;
        }
        receiver = receiverTokens.filter((text) => text !== "*").pop();
        nameIndex = cursor + 1;
      }
      const name = tokens[nameIndex];
      if (name?.kind !== "ident" || tokens[nameIndex + 1]?.text !== "(") continue;
      const fn = functionAt(tokens, index);
      if (!fn) continue;
      if (receiver) {
        if (!methods.has(receiver)) methods.set(receiver, new Map());
        methods.get(receiver)?.set(name.text, fn.body);
      } else {
        functions.set(name.text, fn);
      }
    }
  }
  return { functions, methods, files, constants };
}

function sourceFacts(pkg: GoPackage, binding: string, type: string): ForceNewFacts | undefined {
  const reader = new SchemaReader((name) => pkg.functions.get(name), keyResolver(vocabulary(binding, type), (name) => pkg.constants.get(name)));
  // SDK v2 registration: "type": resourceFunction(),
  for (const tokens of pkg.files.values()) {
    const at = tokens.findIndex((token, index) => token.kind === "string" && token.text === `"${type}"` && tokens[index + 1]?.text === ":" && tokens[index + 3]?.text === "(");
    if (at >= 0) {
      const fn = pkg.functions.get((tokens[at + 2] as Token).text);
      if (fn) return reader.read(fn.body);
    }
  }
  // Framework: the receiver whose Metadata sets TypeName to `<provider>_<suffix>`.
  const suffix = type.slice(type.indexOf("_"));
  for (const [, methods] of pkg.methods) {
    const metadata = methods.get("Metadata");
    const schema = methods.get("Schema");
    if (metadata && schema && metadata.some((token) => token.kind === "string" && token.text === `"${suffix}"`)) return reader.read(schema);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

async function emittedTypes(): Promise<string[]> {
  const outdir = await synthesizeBundled(loadConfig(join(ROOT, "config")));
  const types = new Set<string>();
  for (const json of readSynthesized(outdir).values()) for (const type of Object.keys(json.resource ?? {})) types.add(type);
  return [...types].sort();
}

async function main(): Promise<void> {
  const options = new Command()
    .name("convert-force-new")
    .requiredOption("--aws-index <dir>", "checkout of the AWS provider index (holds index/)")
    .requiredOption("--kubernetes <dir>", "checkout of terraform-provider-kubernetes")
    .requiredOption("--helm <dir>", "checkout of terraform-provider-helm")
    .option("--types <list>", "comma-separated resource types")
    .parse()
    .opts<{ awsIndex: string; kubernetes: string; helm: string; types?: string }>();
  const current = existsSync(REPLACEMENT_TABLE_PATH) ? (JSON.parse(readFileSync(REPLACEMENT_TABLE_PATH, "utf8")) as ReplacementTable) : undefined;
  const types = options.types ? options.types.split(",") : [...new Set([...(await emittedTypes()), ...Object.keys(current?.types ?? {})])].sort();
  const kubernetes = readPackage(join(options.kubernetes, "kubernetes"));
  const helm = readPackage(join(options.helm, "helm"));
  const table: ReplacementTable = {
    source:
      "ForceNew / RequiresReplace in the providers' Go schemas (scripts/convert-force-new.ts): " +
      `hashicorp/aws ${providerVersion("@cdktf/provider-aws")}, hashicorp/kubernetes ${providerVersion("@cdktf/provider-kubernetes")}, hashicorp/helm ${providerVersion("@cdktf/provider-helm")}`,
    types: { ...(options.types ? current?.types : {}) },
  };
  const missing: string[] = [];
  for (const type of types) {
    const facts = type.startsWith("aws_")
      ? awsFacts(options.awsIndex, type)
      : type.startsWith("kubernetes_")
        ? sourceFacts(kubernetes, "@cdktf/provider-kubernetes", type)
        : type.startsWith("helm_")
          ? sourceFacts(helm, "@cdktf/provider-helm", type)
          : undefined;
    if (!facts) {
      missing.push(type);
      continue;
    }
    table.types[type] = { forceNew: facts.forceNew, ...(facts.conditional.length > 0 ? { conditional: facts.conditional } : {}) };
  }
  if (missing.length > 0) throw new Error(`no schema found for: ${missing.join(", ")} (nothing was written)`);
  const sorted = Object.fromEntries(Object.entries(table.types).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(REPLACEMENT_TABLE_PATH, `${JSON.stringify({ ...table, types: sorted }, null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(sorted).length} types to ${REPLACEMENT_TABLE_PATH}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`convert-force-new: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
