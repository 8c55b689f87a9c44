/**
 * Resolves the Terraform references in a synthesized stack's strings (`${aws_s3_bucket.x.arn}`) to the concrete
 * values AWS would produce, so IAM documents can be evaluated offline (action catalog, policy simulation).
 *
 * Values that only AWS assigns (a KMS key id, a hosted zone id, an Aurora cluster's resource id, the six random
 * characters AWS appends to a Secrets Manager ARN) are replaced by stable stand-ins derived from the resource's
 * natural key (alias, zone name, cluster identifier, secret name), so the same resource looked up by name in
 * another stack resolves to the same ARN. A reference this module cannot resolve leaves the value unresolved:
 * callers report it instead of guessing.
 */
import { createHash } from "node:crypto";
import { literal, strings, type Block, type StackModel } from "../model";

export interface AccountScope {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
}

/**
 * What a stack reads from other stacks by name at plan time. Stacks never reference one another: a data service
 * publishes its connection description as an SSM parameter (`jsonencode({...})`), and consumers read it with
 * `data.aws_ssm_parameter` and `jsondecode(...)`. A world of stacks answers such lookups with the value the
 * publishing stack writes, resolved in that stack.
 */
export interface ExternalLookups {
  /** The resolved value of `key` in the JSON the SSM parameter `name` holds; undefined when unknown. */
  parameterField(name: string, key: string): string | undefined;
}

const REFERENCE = /\$\{([^{}]*)\}/g;
/** `aws_type.name.attribute[0].more` or `data.aws_type.name.attribute`. */
const SIMPLE_REFERENCE = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)(?:\[0\])?(?:\.([a-z_][a-z0-9_]*))?$/;
/** A field of an SSM parameter's JSON: `jsondecode(data.aws_ssm_parameter.x.insecure_value).key`. */
const PARAMETER_FIELD = /^jsondecode\(data\.aws_ssm_parameter\.([A-Za-z_][A-Za-z0-9_-]*)\.(?:insecure_value|value)\)\.([A-Za-z_]\w*)$/;
/** The same through lookup: `lookup(jsondecode(data.aws_ssm_parameter.x.insecure_value), "key", default)`. */
/**
 * Fields of the platform's connection descriptions (constructs/core/connections.ts) that the publishing construct
 * fills from an identifier the provider computes, never from configuration and never a pattern: PostgreSQL's
 * `resourceId` (`aws_rds_cluster.cluster_resource_id`, `aws_db_instance.resource_id`) and a service's `secretArn`
 * (the ARN of the secret RDS manages, `master_user_secret[0].secret_arn`, or of the construct's own secret).
 */
const PUBLISHED_IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(["resourceId", "secretArn"]);
/** `/<project>/<env>[/<tenant>]/services/<service>/connection` (connectionParameterName). */
const CONNECTION_PARAMETER = /^\/[a-z0-9-]+\/[a-z0-9-]+(?:\/[a-z0-9-]+)?\/services\/([a-z0-9-]+)\/connection$/;

/**
 * A stand-in for an identifier another stack publishes, when the stacks that publish it are not at hand (a stack
 * checked on its own at synthesis): a specific literal, so the statement stays evaluable and is judged as naming one
 * resource, which it does (PUBLISHED_IDENTIFIER_FIELDS). Any other field stays unresolved (the document is unreadable).
 */
function publishedIdentifierStandIn(parameterName: string, field: string, scope: AccountScope): string | undefined {
  const service = CONNECTION_PARAMETER.exec(parameterName)?.[1];
  if (service === undefined || !PUBLISHED_IDENTIFIER_FIELDS.has(field)) return undefined;
  // A secret's ARN in the stack's account and region (where the service publishes it), ending in AWS's six characters.
  if (field === "secretArn") {
    const name = `published-${service}-credentials`;
    return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.accountId}:secret:${name}-${secretArnSuffix(name)}`;
  }
  return `published-${service}-${field}`;
}
const PARAMETER_LOOKUP = /^lookup\(jsondecode\(data\.aws_ssm_parameter\.([A-Za-z_][A-Za-z0-9_-]*)\.(?:insecure_value|value)\),\s*"([A-Za-z_]\w*)"(?:,[^()]*)?\)$/;

function hash(text: string, length: number, alphabet = "0123456789abcdef"): string {
  const digest = createHash("sha256").update(text).digest();
  return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join("");
}

/** A UUID-shaped stand-in for an id AWS assigns (KMS key ids). */
function uuidFor(text: string): string {
  const h = hash(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** Alias of the AWS-managed key Secrets Manager uses when a secret names no key. */
export const AWS_MANAGED_SECRETS_KEY_ALIAS = "alias/aws/secretsmanager";

/** ARN of the key an alias of this account names (a stand-in key id, the same in every stack). */
export function aliasKeyArnIn(scope: Pick<AccountScope, "partition" | "accountId">, region: string, alias: string): string {
  return `arn:${scope.partition}:kms:${region}:${scope.accountId}:key/${uuidFor(`kms:${scope.accountId}:${alias}`)}`;
}

/**
 * Name of a master-user secret RDS (and DocumentDB) manages: `rds!cluster-<uuid>` for a cluster, `rds!db-<uuid>`
 * for an instance (a stand-in uuid, stable per identifier).
 */
export function managedSecretName(kind: "cluster" | "db", identifier: string): string {
  return `rds!${kind}-${uuidFor(`rds-secret:${kind}:${identifier}`)}`;
}

/**
 * The top-level entries of a `${jsonencode({...})}` string: key -> the entry's value as a Terraform string
 * (a quoted literal unquoted, a number or bool as text, a traversal as `${traversal}`); undefined when the string
 * is not a single jsonencode of an object literal.
 */
export function jsonencodeEntries(text: string): Map<string, string> | undefined {
  const match = /^\$\{jsonencode\((\{[\s\S]*\})\)\}$/.exec(text.trim());
  if (!match) return undefined;
  const source = match[1] as string;
  const entries = new Map<string, string>();
  let index = 1;
  const skipSpace = () => {
    while (index < source.length && /[\s,]/.test(source[index] as string)) index++;
  };
  const readQuoted = (): string => {
    // at the opening quote; returns the raw contents (escapes kept except \" and \\)
    let out = "";
    index++;
    let depth = 0;
    while (index < source.length) {
      const char = source[index] as string;
      if (char === "\\") {
        out += source[index + 1] === '"' || source[index + 1] === "\\" ? source[index + 1] : source.slice(index, index + 2);
        index += 2;
        continue;
      }
      if (char === "$" && source[index + 1] === "{") {
        depth++;
        out += "${";
        index += 2;
        continue;
      }
      if (char === "}" && depth > 0) depth--;
      if (char === '"' && depth === 0) {
        index++;
        return out;
      }
      out += char;
      index++;
    }
    return out;
  };
  const readRaw = (): string => {
    // a traversal, number, bool or nested object/list up to the next top-level , or }
    let depth = 0;
    const start = index;
    let quoted = false;
    while (index < source.length) {
      const char = source[index] as string;
      if (quoted) {
        if (char === "\\") index++;
        else if (char === '"') quoted = false;
      } else if (char === '"') quoted = true;
      else if (char === "{" || char === "[" || char === "(") depth++;
      else if (char === "}" || char === "]" || char === ")") {
        if (depth === 0) break;
        depth--;
      } else if (char === "," && depth === 0) break;
      index++;
    }
    return source.slice(start, index).trim();
  };
  while (index < source.length) {
    skipSpace();
    if (source[index] === "}" || index >= source.length) break;
    if (source[index] !== '"') return undefined;
    const key = readQuoted();
    skipSpace();
    if (source[index] !== "=") return undefined;
    index++;
    while (source[index] === " ") index++;
    if (source[index] === '"') entries.set(key, readQuoted());
    else {
      const raw = readRaw();
      entries.set(key, /^(-?\d+(\.\d+)?|true|false|null)$/.test(raw) || raw.startsWith("{") || raw.startsWith("[") ? raw : `\${${raw}}`);
    }
  }
  return entries;
}

/** The six characters AWS appends to a secret's name in its ARN (a stand-in, stable per name). */
export function secretArnSuffix(name: string): string {
  return hash(`secret:${name}`, 6, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}

export class ReferenceResolver {
  private readonly regions = new Map<string, string>();

  constructor(
    private readonly model: StackModel,
    readonly scope: AccountScope,
    private readonly externals?: ExternalLookups,
  ) {
    for (const provider of model.json.provider?.aws ?? []) {
      const alias = literal(provider.alias);
      const region = literal(provider.region);
      if (region) this.regions.set(alias ? `aws.${alias}` : "aws", region);
    }
  }

  /** The account scope of a stack from its default AWS provider (region, first allowed account). */
  static scopeOf(model: StackModel): AccountScope | undefined {
    const provider = (model.json.provider?.aws ?? []).find((candidate) => candidate.alias === undefined);
    const region = literal(provider?.region);
    const accountId = strings(provider?.allowed_account_ids)[0];
    if (!region || !accountId) return undefined;
    return { partition: partitionOfRegion(region), accountId, region };
  }

  /** Region a block is created in (its provider's). */
  regionOf(block: Block): string {
    const provider = literal(block.body.provider) ?? "aws";
    return this.regions.get(provider) ?? this.scope.region;
  }

  /** `value` with every reference resolved; undefined when any reference cannot be resolved. */
  resolve(value: string): string | undefined {
    let unresolved = false;
    const out = value.replace(REFERENCE, (_, expression: string) => {
      const resolved = this.expression(expression.trim());
      if (resolved === undefined) unresolved = true;
      return resolved ?? "";
    });
    return unresolved ? undefined : out;
  }

  private expression(expression: string): string | undefined {
    const parameter = PARAMETER_FIELD.exec(expression) ?? PARAMETER_LOOKUP.exec(expression);
    if (parameter) {
      const source = this.model.byAddress(`data.aws_ssm_parameter.${parameter[1]}`);
      const name = source ? this.argument(source, "name") : undefined;
      if (name === undefined) return undefined;
      const field = parameter[2] as string;
      return this.externals?.parameterField(name, field) ?? publishedIdentifierStandIn(name, field, this.scope);
    }
    const match = SIMPLE_REFERENCE.exec(expression);
    if (!match) return undefined;
    const [, data, type, name, attribute, nested] = match as unknown as [string, string | undefined, string, string, string, string | undefined];
    const block = this.model.byAddress(`${data ?? ""}${type}.${name}`);
    if (!block) return undefined;
    return nested === undefined ? this.attribute(block, attribute) : this.nestedAttribute(block, attribute, nested);
  }

  /** `block.attribute[0].nested`: the master-user secret RDS and DocumentDB manage. */
  private nestedAttribute(block: Block, attribute: string, nested: string): string | undefined {
    if (attribute !== "master_user_secret" || block.kind !== "resource") return undefined;
    const secret = this.managedSecretOf(block);
    if (!secret) return undefined;
    if (nested === "secret_arn") return secret.arn;
    if (nested === "kms_key_id") return secret.keyArn;
    return undefined;
  }

  /**
   * The master-user secret RDS or DocumentDB manages for a cluster or instance with `manage_master_user_password`:
   * its ARN and the key that encrypts it (`master_user_secret_kms_key_id`, else the account's AWS-managed
   * `aws/secretsmanager` key: awsManagedKeyArn).
   */
  managedSecretOf(block: Block): { name: string; arn: string; keyArn: string } | undefined {
    if (block.body.manage_master_user_password !== true && block.body.manage_master_user_password !== "true") return undefined;
    const region = this.regionOf(block);
    const { partition, accountId } = this.scope;
    let name: string | undefined;
    if (block.type === "aws_rds_cluster" || block.type === "aws_docdb_cluster") {
      const identifier = this.argument(block, "cluster_identifier");
      name = identifier === undefined ? undefined : managedSecretName("cluster", identifier);
    } else if (block.type === "aws_db_instance") {
      const identifier = this.argument(block, "identifier");
      name = identifier === undefined ? undefined : managedSecretName("db", identifier);
    }
    if (name === undefined) return undefined;
    const keyId = this.argument(block, "master_user_secret_kms_key_id");
    const keyArn = this.keyArnOf(keyId ?? AWS_MANAGED_SECRETS_KEY_ALIAS, region);
    if (keyArn === undefined) return undefined;
    return { name, arn: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-${secretArnSuffix(name)}`, keyArn };
  }

  /** The ARN of the key a key id names: a key ARN, an alias name or alias ARN (the key the alias targets), or a key id. */
  keyArnOf(keyId: string, region: string = this.scope.region): string | undefined {
    const { partition, accountId } = this.scope;
    if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(keyId)) return keyId;
    const alias = keyId.startsWith("alias/") ? keyId : /:(alias\/.+)$/.exec(keyId)?.[1];
    if (alias) return this.aliasKeyArn(alias, region);
    return `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`;
  }

  /** A literal (or resolvable) string argument of a block. */
  private argument(block: Block, key: string): string | undefined {
    const value = block.body[key];
    if (typeof value !== "string") return undefined;
    return this.resolve(value);
  }

  /** The value of `block.attribute` as AWS would report it. */
  attribute(block: Block, attribute: string): string | undefined {
    const { scope } = this;
    const region = this.regionOf(block);
    const { partition, accountId } = scope;
    const arg = (key: string) => this.argument(block, key);
    const kind = block.kind === "data" ? `data.${block.type}` : block.type;
    switch (kind) {
      case "data.aws_caller_identity":
        return attribute === "account_id" ? accountId : undefined;
      case "data.aws_partition":
        return attribute === "partition" ? partition : attribute === "dns_suffix" ? "amazonaws.com" : undefined;
      case "data.aws_region":
        return attribute === "name" || attribute === "region" || attribute === "id" ? region : undefined;
      case "data.aws_iam_policy_document":
        return undefined; // documents are read as statements (see documents.ts), never as strings
      default:
        break;
    }
    if (attribute === "arn") return this.arnOf(block);
    const direct: Record<string, Record<string, () => string | undefined>> = {
      aws_s3_bucket: { id: () => arg("bucket"), bucket: () => arg("bucket") },
      aws_iam_role: { id: () => arg("name"), name: () => arg("name"), unique_id: () => `AROA${hash(`role:${arg("name")}`, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}` },
      aws_iam_policy: { id: () => this.arnOf(block), name: () => arg("name") },
      aws_iam_instance_profile: { id: () => arg("name"), name: () => arg("name") },
      aws_kms_key: { id: () => this.kmsKeyId(block), key_id: () => this.kmsKeyId(block) },
      aws_kms_alias: { id: () => arg("name"), name: () => arg("name") },
      "data.aws_kms_key": { id: () => this.dataKmsKeyId(block), key_id: () => this.dataKmsKeyId(block) },
      "data.aws_kms_alias": {
        target_key_arn: () => this.aliasKeyArn(arg("name"), region),
        target_key_id: () => this.aliasKeyId(arg("name")),
        name: () => arg("name"),
      },
      aws_secretsmanager_secret: { id: () => this.arnOf(block), name: () => arg("name") },
      "data.aws_secretsmanager_secret": { id: () => this.arnOf(block), name: () => arg("name") },
      aws_sqs_queue: { id: () => `https://sqs.${region}.amazonaws.com/${accountId}/${arg("name")}`, url: () => `https://sqs.${region}.amazonaws.com/${accountId}/${arg("name")}`, name: () => arg("name") },
      aws_sns_topic: { id: () => this.arnOf(block), name: () => arg("name") },
      aws_cloudwatch_log_group: { id: () => arg("name"), name: () => arg("name") },
      // A subnet id AWS assigns: a stand-in from the subnet's CIDR (its natural key within the VPC).
      aws_subnet: { id: () => (arg("cidr_block") === undefined ? undefined : `subnet-${hash(`subnet:${arg("cidr_block")}`, 17)}`) },
      aws_eks_cluster: { id: () => arg("name"), name: () => arg("name") },
      "data.aws_eks_cluster": { id: () => arg("name"), name: () => arg("name") },
      aws_rds_cluster: { id: () => arg("cluster_identifier"), cluster_identifier: () => arg("cluster_identifier"), cluster_resource_id: () => this.clusterResourceId(arg("cluster_identifier")) },
      "data.aws_rds_cluster": { id: () => arg("cluster_identifier"), cluster_identifier: () => arg("cluster_identifier"), cluster_resource_id: () => this.clusterResourceId(arg("cluster_identifier")) },
      aws_route53_zone: { id: () => this.zoneId(arg("name")), zone_id: () => this.zoneId(arg("name")), name: () => arg("name") },
      "data.aws_route53_zone": { id: () => this.zoneId(arg("name")), zone_id: () => this.zoneId(arg("name")), name: () => arg("name") },
      aws_opensearch_domain: { domain_name: () => arg("domain_name"), id: () => this.arnOf(block) },
      aws_elasticache_user: { user_id: () => arg("user_id"), id: () => arg("user_id"), user_name: () => arg("user_name") },
      aws_elasticache_replication_group: { id: () => arg("replication_group_id"), replication_group_id: () => arg("replication_group_id") },
      aws_elasticache_user_group: { id: () => arg("user_group_id"), user_group_id: () => arg("user_group_id") },
      aws_iam_openid_connect_provider: { id: () => this.arnOf(block), url: () => arg("url")?.replace(/^https:\/\//, "") },
      aws_backup_vault: { id: () => arg("name"), name: () => arg("name") },
      aws_mq_broker: { id: () => `b-${uuidFor(`mq:${arg("broker_name")}`)}`, broker_name: () => arg("broker_name") },
      aws_docdb_cluster: { id: () => arg("cluster_identifier"), cluster_identifier: () => arg("cluster_identifier"), cluster_resource_id: () => this.clusterResourceId(arg("cluster_identifier")) },
      aws_db_instance: { id: () => arg("identifier"), identifier: () => arg("identifier"), resource_id: () => this.instanceResourceId(arg("identifier")) },
    };
    return direct[kind]?.[attribute]?.();
  }

  /** ARN of a resource or data source, when this module knows how AWS forms it. */
  arnOf(block: Block): string | undefined {
    const region = this.regionOf(block);
    const { partition, accountId } = this.scope;
    const arg = (key: string) => this.argument(block, key);
    const regional = (service: string, rest: string | undefined) => (rest === undefined ? undefined : `arn:${partition}:${service}:${region}:${accountId}:${rest}`);
    const global = (service: string, rest: string | undefined) => (rest === undefined ? undefined : `arn:${partition}:${service}::${accountId}:${rest}`);
    const kind = block.kind === "data" ? `data.${block.type}` : block.type;
    const literalArn = literal(block.body.arn);
    if (block.kind === "data" && literalArn) return literalArn;
    switch (kind) {
      case "aws_s3_bucket":
      case "data.aws_s3_bucket":
        return arg("bucket") === undefined ? undefined : `arn:${partition}:s3:::${arg("bucket")}`;
      case "aws_iam_role":
      case "data.aws_iam_role": {
        const name = arg("name");
        const path = arg("path") ?? "/";
        return name === undefined ? undefined : global("iam", `role${path}${name}`);
      }
      case "aws_iam_policy":
      case "data.aws_iam_policy": {
        const name = arg("name");
        const path = arg("path") ?? "/";
        return name === undefined ? undefined : global("iam", `policy${path}${name}`);
      }
      case "aws_iam_instance_profile":
        return global("iam", arg("name") === undefined ? undefined : `instance-profile/${arg("name")}`);
      case "aws_iam_openid_connect_provider":
        return global("iam", arg("url") === undefined ? undefined : `oidc-provider/${arg("url")?.replace(/^https:\/\//, "")}`);
      case "aws_kms_key":
        return regional("kms", `key/${this.kmsKeyId(block)}`);
      case "data.aws_kms_key":
        return this.dataKmsKeyArn(block);
      case "aws_kms_alias":
      case "data.aws_kms_alias":
        return regional("kms", arg("name"));
      case "aws_secretsmanager_secret":
      case "data.aws_secretsmanager_secret": {
        const name = arg("name");
        return name === undefined ? undefined : regional("secretsmanager", `secret:${name}-${secretArnSuffix(name)}`);
      }
      case "aws_sqs_queue":
        return regional("sqs", arg("name"));
      case "aws_sns_topic":
      case "data.aws_sns_topic":
        return regional("sns", arg("name"));
      // A connection's id AWS assigns: a stand-in from its name (ARN form of the CodeConnections API).
      case "data.aws_codestarconnections_connection":
        return regional("codestar-connections", arg("name") === undefined ? undefined : `connection/${uuidFor(`connection:${arg("name")}`)}`);
      case "aws_cloudwatch_log_group":
        return regional("logs", arg("name") === undefined ? undefined : `log-group:${arg("name")}`);
      case "aws_eks_cluster":
      case "data.aws_eks_cluster":
        return regional("eks", arg("name") === undefined ? undefined : `cluster/${arg("name")}`);
      case "aws_rds_cluster":
      case "data.aws_rds_cluster":
        return regional("rds", arg("cluster_identifier") === undefined ? undefined : `cluster:${arg("cluster_identifier")}`);
      case "aws_docdb_cluster":
        return regional("rds", arg("cluster_identifier") === undefined ? undefined : `cluster:${arg("cluster_identifier")}`);
      case "aws_opensearch_domain":
      case "data.aws_opensearch_domain":
        return regional("es", arg("domain_name") === undefined ? undefined : `domain/${arg("domain_name")}`);
      case "aws_elasticache_replication_group":
        return regional("elasticache", arg("replication_group_id") === undefined ? undefined : `replicationgroup:${arg("replication_group_id")}`);
      case "aws_elasticache_user":
        return regional("elasticache", arg("user_id") === undefined ? undefined : `user:${arg("user_id")}`);
      case "aws_elasticache_user_group":
        return regional("elasticache", arg("user_group_id") === undefined ? undefined : `usergroup:${arg("user_group_id")}`);
      case "aws_route53_zone":
      case "data.aws_route53_zone":
        return arg("name") === undefined ? undefined : `arn:${partition}:route53:::hostedzone/${this.zoneId(arg("name"))}`;
      case "aws_backup_vault":
        return regional("backup", arg("name") === undefined ? undefined : `backup-vault:${arg("name")}`);
      case "aws_mq_broker":
        return regional("mq", arg("broker_name") === undefined ? undefined : `broker:${arg("broker_name")}:b-${uuidFor(`mq:${arg("broker_name")}`)}`);
      case "aws_cloudfront_distribution":
        return `arn:${partition}:cloudfront::${accountId}:distribution/E${hash(`cf:${block.address}`, 13, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
      case "aws_sfn_state_machine":
        return regional("states", arg("name") === undefined ? undefined : `stateMachine:${arg("name")}`);
      case "aws_ecr_repository":
        return regional("ecr", arg("name") === undefined ? undefined : `repository/${arg("name")}`);
      default:
        return undefined;
    }
  }

  /** Alias names that point at a key of this stack (their `target_key_id` references it). */
  private aliasesOf(key: Block): string[] {
    return this.model
      .referrers(key, ["aws_kms_alias"], "target_key_id")
      .map((alias) => literal(alias.body.name))
      .filter((name): name is string => name !== undefined)
      .sort();
  }

  /** A key's id: derived from its first alias (so a lookup by alias elsewhere matches), else its address. */
  private kmsKeyId(key: Block): string {
    const alias = this.aliasesOf(key)[0];
    return alias ? this.aliasKeyId(alias) ?? uuidFor(key.address) : uuidFor(`${this.model.stackName}:${key.address}`);
  }

  private aliasKeyId(alias: string | undefined): string | undefined {
    return alias === undefined ? undefined : uuidFor(`kms:${this.scope.accountId}:${alias}`);
  }

  private aliasKeyArn(alias: string | undefined, region: string): string | undefined {
    return alias === undefined ? undefined : aliasKeyArnIn(this.scope, region, alias);
  }

  private dataKmsKeyId(block: Block): string | undefined {
    const keyId = this.argument(block, "key_id");
    if (keyId === undefined) return undefined;
    if (keyId.startsWith("alias/")) return this.aliasKeyId(keyId);
    const arnMatch = /:key\/(.+)$/.exec(keyId);
    if (arnMatch) return arnMatch[1];
    const aliasArn = /:(alias\/.+)$/.exec(keyId);
    if (aliasArn) return this.aliasKeyId(aliasArn[1]);
    return keyId;
  }

  private dataKmsKeyArn(block: Block): string | undefined {
    const keyId = this.argument(block, "key_id");
    if (keyId?.startsWith("arn:") && keyId.includes(":key/")) return keyId;
    const id = this.dataKmsKeyId(block);
    return id === undefined ? undefined : `arn:${this.scope.partition}:kms:${this.regionOf(block)}:${this.scope.accountId}:key/${id}`;
  }

  private zoneId(name: string | undefined): string | undefined {
    return name === undefined ? undefined : `Z${hash(`zone:${name.replace(/\.$/, "")}`, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
  }

  private instanceResourceId(identifier: string | undefined): string | undefined {
    return identifier === undefined ? undefined : `db-${hash(`rds-instance:${this.scope.accountId}:${identifier}`, 26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
  }

  private clusterResourceId(identifier: string | undefined): string | undefined {
    return identifier === undefined ? undefined : `cluster-${hash(`rds:${this.scope.accountId}:${identifier}`, 26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`;
  }

  /** The block a single-reference string points at (`${aws_iam_role.x.name}` -> the role). */
  referencedBlock(value: unknown): Block | undefined {
    if (typeof value !== "string") return undefined;
    const match = /^\$\{([^{}]*)\}$/.exec(value.trim());
    const simple = match ? SIMPLE_REFERENCE.exec((match[1] as string).trim()) : null;
    if (!simple) return undefined;
    return this.model.byAddress(`${simple[1] ?? ""}${simple[2]}.${simple[3]}`);
  }
}
