/**
 * A read model of one synthesized stack (`cdk.tf.json`, with cdktf's `//` metadata): every resource and data
 * source with its Terraform address and construct path, the references between them, and IAM policy documents
 * in one normalized form. Rules read Terraform attribute names (snake_case), exactly what Terraform plans.
 *
 * Values may be references (`${aws_kms_key.keys_data_488379EE.arn}`) whose result is only known at plan time:
 * helpers treat them as "set, value unknown", and rules never fail a value they cannot know.
 */
import { exceptionsIn, type PolicyException } from "./exceptions";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Body = Record<string, unknown>;

/** The synthesized JSON of one stack (what `stack.toTerraform()` returns and `cdk.tf.json` holds). */
export interface SynthesizedStack {
  readonly "//"?: { readonly metadata?: { readonly stackName?: string } };
  readonly resource?: Record<string, Record<string, Body>>;
  readonly data?: Record<string, Record<string, Body>>;
  readonly provider?: Record<string, Body[]>;
  readonly output?: Record<string, Body>;
  readonly moved?: readonly { readonly from: string; readonly to: string }[];
  readonly terraform?: Body;
  readonly [key: string]: unknown;
}

export interface Block {
  readonly kind: "resource" | "data";
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical name inside the type, e.g. `state_bucket_2A4C6D8E`. */
  readonly name: string;
  /** `aws_s3_bucket.state_bucket_2A4C6D8E` (data sources: `data.aws_iam_policy_document.x`). */
  readonly address: string;
  /** Construct path (`bootstrap/state/bucket`); the address when the JSON carries no metadata. */
  readonly path: string;
  /** Attributes without cdktf's `//` metadata. */
  readonly body: Body;
  /** Exceptions the platform accepted in code for this resource (constructs/policy/exceptions.ts). */
  readonly exceptions: readonly PolicyException[];
}

const REFERENCE = /\$\{([^}]*)\}/g;
const ADDRESS_IN_EXPRESSION = /\b(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

// ---------------------------------------------------------------------------------------------------------
// Value helpers: Terraform JSON renders single nested blocks as objects and repeated ones as arrays; the
// Kubernetes provider often takes booleans and numbers as strings.

/** True when the string holds a Terraform expression (`${...}`): its value is unknown until plan. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

/** A nested block: the object itself, or the first element of a list block. */
export function one(value: unknown): Body | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === "object" && !Array.isArray(first) ? (first as Body) : undefined;
}

/** Repeated blocks or list values, as an array (absent: empty). */
export function many(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function blocks(value: unknown): Body[] {
  return many(value).filter((item): item is Body => item !== null && typeof item === "object" && !Array.isArray(item));
}

/** Follows a path of keys through nested blocks. */
export function dig(body: Body | undefined, ...keys: string[]): unknown {
  let current: unknown = body;
  for (const key of keys) {
    const next = one(current);
    if (!next) return undefined;
    current = next[key];
  }
  return current;
}

export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** A number, from a number or numeric string; undefined when absent or an expression. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !isExpression(value) && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A literal string (not an expression); undefined otherwise. */
export function literal(value: unknown): string | undefined {
  return typeof value === "string" && !isExpression(value) ? value : undefined;
}

/** Set to something: a non-empty literal, an expression, a number or a boolean. */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Strings of a list attribute (expressions included). */
export function strings(value: unknown): string[] {
  return many(value).filter((item): item is string => typeof item === "string");
}

export function describe(value: unknown): string {
  if (value === undefined) return "not set";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ---------------------------------------------------------------------------------------------------------
// IAM policy documents

export interface PolicyPrincipal {
  /** `AWS`, `Service`, `Federated` or `*` (for `"Principal": "*"`). */
  readonly type: string;
  readonly identifiers: readonly string[];
}

export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly PolicyPrincipal[];
  readonly notPrincipals: readonly PolicyPrincipal[];
  readonly conditions: readonly PolicyCondition[];
}

/** How a policy document is used, decided by the attribute that holds it. */
/**
 * How a policy document is used. `boundary`: a managed policy that roles of the stack carry as their permissions
 * boundary — it grants nothing by itself (it caps what identity policies grant), so grant rules do not apply to it.
 */
export type PolicyUse = "trust" | "identity" | "boundary" | "key" | "bucket" | "resource";

/** Attributes that hold a policy document, by resource type. */
const POLICY_ATTRIBUTES: Readonly<Record<string, readonly [string, PolicyUse][]>> = {
  aws_iam_role: [["assume_role_policy", "trust"]],
  aws_iam_role_policy: [["policy", "identity"]],
  aws_iam_policy: [["policy", "identity"]],
  aws_iam_user_policy: [["policy", "identity"]],
  aws_iam_group_policy: [["policy", "identity"]],
  aws_kms_key: [["policy", "key"]],
  aws_kms_key_policy: [["policy", "key"]],
  aws_s3_bucket_policy: [["policy", "bucket"]],
  aws_opensearch_domain: [["access_policies", "resource"]],
  aws_opensearch_domain_policy: [["access_policies", "resource"]],
  aws_sns_topic: [["policy", "resource"]],
  aws_sns_topic_policy: [["policy", "resource"]],
  aws_sqs_queue: [["policy", "resource"]],
  aws_sqs_queue_policy: [["policy", "resource"]],
  aws_backup_vault_policy: [["policy", "resource"]],
  aws_secretsmanager_secret: [["policy", "resource"]],
  aws_secretsmanager_secret_policy: [["policy", "resource"]],
  aws_cloudwatch_log_resource_policy: [["policy_document", "resource"]],
  aws_ecr_repository_policy: [["policy", "resource"]],
};

export interface PolicyDocumentUse {
  /** The resource that carries the policy (role, key, bucket policy, ...). */
  readonly owner: Block;
  readonly attribute: string;
  readonly use: PolicyUse;
  /** Where the statements are written: a policy-document data source, or the owner itself. */
  readonly source: Block;
  readonly statements: readonly PolicyStatement[];
}

function normalizePrincipals(value: unknown): PolicyPrincipal[] {
  if (value === undefined) return [];
  if (value === "*") return [{ type: "*", identifiers: ["*"] }];
  const body = one(value);
  if (!body) return [];
  return Object.entries(body).map(([type, identifiers]) => ({ type, identifiers: strings(identifiers) }));
}

function normalizeConditions(value: unknown): PolicyCondition[] {
  const body = one(value);
  if (!body) return [];
  const out: PolicyCondition[] = [];
  for (const [test, variables] of Object.entries(body)) {
    for (const [variable, values] of Object.entries(one(variables) ?? {})) {
      out.push({ test, variable, values: strings(values) });
    }
  }
  return out;
}

/** Statements of a policy in IAM JSON (`{"Statement": [...]}`); undefined when it is not parseable JSON. */
export function parsePolicyJson(text: string): PolicyStatement[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const document = one(parsed);
  if (!document) return undefined;
  return blocks(document.Statement).map((statement) => ({
    ...(typeof statement.Sid === "string" ? { sid: statement.Sid } : {}),
    effect: statement.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(statement.Action),
    notActions: strings(statement.NotAction),
    resources: strings(statement.Resource),
    notResources: strings(statement.NotResource),
    principals: normalizePrincipals(statement.Principal),
    notPrincipals: normalizePrincipals(statement.NotPrincipal),
    conditions: normalizeConditions(statement.Condition),
  }));
}

/** Statements of an `aws_iam_policy_document` data source. */
export function statementsOfDocument(body: Body): PolicyStatement[] {
  return blocks(body.statement).map((statement) => ({
    ...(typeof statement.sid === "string" ? { sid: statement.sid } : {}),
    effect: statement.effect === "Deny" ? "Deny" : "Allow",
    actions: strings(statement.actions),
    notActions: strings(statement.not_actions),
    resources: strings(statement.resources),
    notResources: strings(statement.not_resources),
    principals: blocks(statement.principals).map((p) => ({ type: String(p.type), identifiers: strings(p.identifiers) })),
    notPrincipals: blocks(statement.not_principals).map((p) => ({ type: String(p.type), identifiers: strings(p.identifiers) })),
    conditions: blocks(statement.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: strings(c.values) })),
  }));
}

// ---------------------------------------------------------------------------------------------------------

export class StackModel {
  readonly stackName: string;
  readonly json: SynthesizedStack;
  private readonly blocksList: Block[] = [];
  private readonly byAddressMap = new Map<string, Block>();
  private readonly byTypeMap = new Map<string, Block[]>();
  private readonly referencedBy = new Map<string, Block[]>();
  private readonly referencesOf = new Map<string, Block[]>();
  private policyUsesCache?: PolicyDocumentUse[];

  constructor(json: SynthesizedStack, stackName?: string) {
    this.json = json;
    this.stackName = stackName ?? json["//"]?.metadata?.stackName ?? "stack";
    for (const kind of ["resource", "data"] as const) {
      for (const [type, instances] of Object.entries(json[kind] ?? {})) {
        for (const [name, raw] of Object.entries(instances)) {
          const { "//": meta, ...body } = raw;
          const address = kind === "data" ? `data.${type}.${name}` : `${type}.${name}`;
          const path = (meta as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? `${this.stackName}/${address}`;
          const block: Block = { kind, type, name, address, path, body, exceptions: exceptionsIn(meta) };
          this.blocksList.push(block);
          this.byAddressMap.set(address, block);
          const key = kind === "data" ? `data.${type}` : type;
          const list = this.byTypeMap.get(key) ?? [];
          list.push(block);
          this.byTypeMap.set(key, list);
        }
      }
    }
    for (const block of this.blocksList) {
      const targets = this.refsIn(block.body);
      this.referencesOf.set(block.address, targets);
      for (const target of targets) {
        const list = this.referencedBy.get(target.address) ?? [];
        list.push(block);
        this.referencedBy.set(target.address, list);
      }
    }
  }

  all(): readonly Block[] {
    return this.blocksList;
  }

  /** Resources of one or more types. */
  resources(...types: string[]): Block[] {
    return types.flatMap((type) => this.byTypeMap.get(type) ?? []);
  }

  dataSources(type: string): Block[] {
    return this.byTypeMap.get(`data.${type}`) ?? [];
  }

  byAddress(address: string): Block | undefined {
    return this.byAddressMap.get(address);
  }

  /** Blocks referenced anywhere inside `value` (deep). */
  refsIn(value: unknown): Block[] {
    const found = new Map<string, Block>();
    const visit = (item: unknown): void => {
      if (typeof item === "string") {
        if (!item.includes("${")) return;
        for (const [, expression] of item.matchAll(REFERENCE)) {
          for (const match of (expression ?? "").matchAll(ADDRESS_IN_EXPRESSION)) {
            const address = `${match[1] ?? ""}${match[2]}.${match[3]}`;
            const block = this.byAddressMap.get(address);
            if (block) found.set(address, block);
          }
        }
      } else if (Array.isArray(item)) {
        item.forEach(visit);
      } else if (item !== null && typeof item === "object") {
        Object.values(item).forEach(visit);
      }
    };
    visit(value);
    return [...found.values()];
  }

  /** True when `value` (deep) references `target`. */
  refersTo(value: unknown, target: Block): boolean {
    return this.refsIn(value).some((block) => block.address === target.address);
  }

  /** Blocks that reference `target`, optionally only of some types and only through one attribute. */
  referrers(target: Block, types?: readonly string[], attribute?: string): Block[] {
    return (this.referencedBy.get(target.address) ?? []).filter(
      (block) =>
        (!types || types.includes(block.type)) && (!attribute || this.refersTo(block.body[attribute], target)),
    );
  }

  /** Blocks `source` references. */
  references(source: Block): Block[] {
    return this.referencesOf.get(source.address) ?? [];
  }

  /**
   * Statements of a policy-valued attribute: a literal JSON document, or a reference to an
   * `aws_iam_policy_document` data source. Undefined when they cannot be known offline.
   */
  policyStatements(value: unknown): { source?: Block; statements: PolicyStatement[] } | undefined {
    if (typeof value !== "string") return undefined;
    if (!isExpression(value)) {
      const statements = parsePolicyJson(value);
      return statements ? { statements } : undefined;
    }
    const document = this.refsIn(value).find((block) => block.type === "aws_iam_policy_document" && block.kind === "data");
    if (!document || !/^\$\{data\.aws_iam_policy_document\.[^.}]+\.json\}$/.test(value.trim())) return undefined;
    return { source: document, statements: statementsOfDocument(document.body) };
  }

  /** Every policy document attached to a resource, classified by use (trust, identity, key, bucket, resource). */
  policyUses(): PolicyDocumentUse[] {
    if (this.policyUsesCache) return this.policyUsesCache;
    const uses: PolicyDocumentUse[] = [];
    for (const [type, attributes] of Object.entries(POLICY_ATTRIBUTES)) {
      for (const owner of this.resources(type)) {
        for (const [attribute, declared] of attributes) {
          const parsed = this.policyStatements(owner.body[attribute]);
          const use = declared === "identity" && type === "aws_iam_policy" && this.isPermissionsBoundary(owner) ? "boundary" : declared;
          if (parsed) uses.push({ owner, attribute, use, source: parsed.source ?? owner, statements: parsed.statements });
        }
        if (type === "aws_iam_role") {
          for (const inline of blocks(owner.body.inline_policy)) {
            const parsed = this.policyStatements(inline.policy);
            if (parsed) uses.push({ owner, attribute: "inline_policy", use: "identity", source: parsed.source ?? owner, statements: parsed.statements });
          }
        }
      }
    }
    this.policyUsesCache = uses;
    return uses;
  }

  /** Whether a managed policy is used only as a permissions boundary by roles of this stack (never attached). */
  isPermissionsBoundary(policy: Block): boolean {
    const boundaryOf = this.referrers(policy, ["aws_iam_role"], "permissions_boundary");
    const attached = this.referrers(policy, ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"]);
    return boundaryOf.length > 0 && attached.length === 0;
  }

  /** Tags of a resource: provider default tags merged with its own `tags`. */
  tagsOf(block: Block): Record<string, string> {
    const provider = one(this.json.provider?.aws);
    const defaults = one(dig(provider, "default_tags", "tags")) ?? {};
    const own = one(block.body.tags) ?? {};
    return Object.fromEntries(Object.entries({ ...defaults, ...own }).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  }
}
