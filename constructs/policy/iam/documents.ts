/**
 * IAM documents of a synthesized stack in the JSON form AWS evaluates, with references resolved (resolve.ts):
 * every role with its trust policy, inline and attached policies and permissions boundary; customer-managed
 * policies; resource policies (buckets, keys, secrets, domains, topics, queues). A string that cannot be resolved is
 * kept as written and listed in `unresolved`, so a check can fail on it instead of silently skipping it.
 */
import { blocks, literal, strings, type Block, type PolicyStatement, type StackModel } from "../model";
import { AWS_MANAGED_SECRETS_KEY_ALIAS, jsonencodeEntries, ReferenceResolver, type AccountScope, type ExternalLookups } from "./resolve";

export type IamCondition = Record<string, Record<string, string[]>>;

export interface IamStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: "*" | Record<string, string[]>;
  NotPrincipal?: Record<string, string[]>;
  Condition?: IamCondition;
}

export interface IamDocument {
  Version: "2012-10-17";
  Statement: IamStatement[];
}

export interface DocumentOrigin {
  readonly stack: string;
  /** Terraform address of the resource carrying the document. */
  readonly address: string;
  /** Construct path (for messages). */
  readonly path: string;
}

export interface NamedDocument extends DocumentOrigin {
  readonly name: string;
  readonly document: IamDocument;
  /** Strings of the document whose references could not be resolved. */
  readonly unresolved: readonly string[];
}

export interface RoleModel extends DocumentOrigin {
  readonly name: string;
  readonly arn: string;
  readonly trust?: NamedDocument;
  /** Inline policies (aws_iam_role_policy and inline_policy blocks). */
  readonly inline: readonly NamedDocument[];
  /** ARNs of attached managed policies (AWS-managed or customer-managed). */
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundaryArn?: string;
  /** Tags of the role (its own `tags` over the provider's `default_tags`), as `aws:PrincipalTag/<key>` sees them. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A Secrets Manager secret a stack creates, or one RDS / DocumentDB manages for a database it creates. */
export interface SecretModel extends DocumentOrigin {
  readonly name: string;
  readonly arn: string;
  /** ARN of the KMS key that encrypts it (for the account's AWS-managed key: aliasKeyArnIn(scope, region, "alias/aws/secretsmanager")). */
  readonly keyArn: string;
  readonly managedBy: "terraform" | "rds";
}

/** An SSM parameter a stack publishes as `jsonencode({...})`: its top-level fields, unresolved. */
export interface PublishedParameter {
  readonly name: string;
  readonly fields: ReadonlyMap<string, string>;
  /** Resolves a field value (a string that may hold references) in the publishing stack. */
  readonly resolve: (value: string) => string | undefined;
}

export interface ResourcePolicy extends NamedDocument {
  /** ARN of the resource the policy is attached to. */
  readonly resourceArn: string;
  readonly kind: "bucket" | "key" | "secret" | "domain" | "topic" | "queue" | "vault" | "logs";
}

export interface StackIam {
  readonly stack: string;
  readonly scope: AccountScope;
  readonly roles: readonly RoleModel[];
  /** Customer-managed policies by ARN. */
  readonly managedPolicies: ReadonlyMap<string, NamedDocument>;
  readonly resourcePolicies: readonly ResourcePolicy[];
  /** Secrets the stack creates (and master-user secrets RDS manages for its databases). */
  readonly secrets: readonly SecretModel[];
  /** Documents the resolver could not read at all (not a policy-document data source, not JSON). */
  readonly unreadable: readonly DocumentOrigin[];
}

function principalsJson(resolve: (value: string) => string, principals: PolicyStatement["principals"]): IamStatement["Principal"] | undefined {
  if (principals.length === 0) return undefined;
  if (principals.some((principal) => principal.type === "*")) return "*";
  const out: Record<string, string[]> = {};
  for (const principal of principals) out[principal.type] = [...(out[principal.type] ?? []), ...principal.identifiers.map(resolve)];
  return out;
}

/** Converts normalized statements to IAM JSON, resolving references; records what stays unresolved. */
export function toIamDocument(statements: readonly PolicyStatement[], resolver: ReferenceResolver, unresolved: string[]): IamDocument {
  const resolve = (value: string): string => {
    const resolved = resolver.resolve(value);
    if (resolved === undefined) {
      unresolved.push(value);
      return value;
    }
    return resolved;
  };
  return {
    Version: "2012-10-17",
    Statement: statements.map((statement) => {
      const out: IamStatement = { Effect: statement.effect };
      if (statement.sid) out.Sid = statement.sid;
      if (statement.actions.length > 0) out.Action = statement.actions.map(resolve);
      if (statement.notActions.length > 0) out.NotAction = statement.notActions.map(resolve);
      if (statement.resources.length > 0) out.Resource = statement.resources.map(resolve);
      if (statement.notResources.length > 0) out.NotResource = statement.notResources.map(resolve);
      const principal = principalsJson(resolve, statement.principals);
      if (principal) out.Principal = principal;
      const notPrincipal = principalsJson(resolve, statement.notPrincipals);
      if (notPrincipal && notPrincipal !== "*") out.NotPrincipal = notPrincipal;
      if (statement.conditions.length > 0) {
        const condition: IamCondition = {};
        for (const { test, variable, values } of statement.conditions) {
          condition[test] = { ...condition[test], [variable]: [...(condition[test]?.[variable] ?? []), ...values.map(resolve)] };
        }
        out.Condition = condition;
      }
      return out;
    }),
  };
}

/** SSM parameters the stack publishes as `jsonencode({...})` (connection descriptions), for other stacks' lookups. */
export function publishedParameters(model: StackModel, externals?: ExternalLookups): PublishedParameter[] {
  const scope = ReferenceResolver.scopeOf(model);
  if (!scope) return [];
  const resolver = new ReferenceResolver(model, scope, externals);
  return model.resources("aws_ssm_parameter").flatMap((parameter) => {
    const name = literal(parameter.body.name);
    const fields = typeof parameter.body.value === "string" ? jsonencodeEntries(parameter.body.value) : undefined;
    return name && fields ? [{ name, fields, resolve: (value: string) => resolver.resolve(value) }] : [];
  });
}

/** Answers other stacks' parameter lookups from the parameters every stack of a world publishes. */
export function parameterLookups(models: readonly StackModel[]): ExternalLookups {
  const published = new Map<string, PublishedParameter>();
  const lookups: ExternalLookups = {
    parameterField(name, key) {
      const parameter = published.get(name);
      const value = parameter?.fields.get(key);
      return value === undefined ? undefined : parameter?.resolve(value);
    },
  };
  for (const model of models) for (const parameter of publishedParameters(model, lookups)) published.set(parameter.name, parameter);
  return lookups;
}

function tagsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, tag] of Object.entries(value)) if (typeof tag === "string") out[key] = tag;
  }
  return out;
}

/** Reads the IAM documents of one synthesized stack. Returns undefined when the stack has no AWS provider scope. */
export function stackIam(model: StackModel, scope: AccountScope | undefined = ReferenceResolver.scopeOf(model), externals?: ExternalLookups): StackIam | undefined {
  if (!scope) return undefined;
  const resolver = new ReferenceResolver(model, scope, externals);
  const defaultProvider = (model.json.provider?.aws ?? []).find((provider) => provider.alias === undefined);
  const defaultTags = tagsOf(blocks(defaultProvider?.default_tags)[0]?.tags);
  const unreadable: DocumentOrigin[] = [];
  const origin = (block: Block): DocumentOrigin => ({ stack: model.stackName, address: block.address, path: block.path });
  const documentOf = (owner: Block, value: unknown, name: string): NamedDocument | undefined => {
    if (value === undefined) return undefined;
    const parsed = model.policyStatements(value);
    if (!parsed) {
      unreadable.push(origin(owner));
      return undefined;
    }
    const unresolved: string[] = [];
    return { ...origin(owner), name, document: toIamDocument(parsed.statements, resolver, unresolved), unresolved };
  };
  // The role a policy or attachment belongs to: a reference to the role, or its literal name.
  const roleBlocks = model.resources("aws_iam_role");
  const roleFor = (value: unknown): Block | undefined => {
    const referenced = resolver.referencedBlock(value);
    if (referenced?.type === "aws_iam_role") return referenced;
    const name = typeof value === "string" ? resolver.resolve(value) : undefined;
    return roleBlocks.find((role) => resolver.attribute(role, "name") === name);
  };

  const inline = new Map<string, NamedDocument[]>();
  const attached = new Map<string, string[]>();
  for (const policy of model.resources("aws_iam_role_policy")) {
    const role = roleFor(policy.body.role);
    const document = documentOf(policy, policy.body.policy, literal(policy.body.name) ?? policy.name);
    if (role && document) inline.set(role.address, [...(inline.get(role.address) ?? []), document]);
  }
  for (const attachment of model.resources("aws_iam_role_policy_attachment")) {
    const role = roleFor(attachment.body.role);
    const arn = typeof attachment.body.policy_arn === "string" ? resolver.resolve(attachment.body.policy_arn) : undefined;
    if (!role || !arn) {
      unreadable.push(origin(attachment));
      continue;
    }
    attached.set(role.address, [...(attached.get(role.address) ?? []), arn]);
  }

  const roles: RoleModel[] = [];
  for (const role of roleBlocks) {
    const arn = resolver.arnOf(role);
    const name = resolver.attribute(role, "name");
    if (!arn || !name) {
      unreadable.push(origin(role));
      continue;
    }
    const inlineBlocks = blocks(role.body.inline_policy).flatMap((block, index) => {
      const document = documentOf(role, block.policy, literal(block.name) ?? `inline-${index}`);
      return document ? [document] : [];
    });
    const boundary = typeof role.body.permissions_boundary === "string" ? resolver.resolve(role.body.permissions_boundary) : undefined;
    const trust = documentOf(role, role.body.assume_role_policy, "trust");
    roles.push({
      ...origin(role),
      name,
      arn,
      ...(trust ? { trust } : {}),
      inline: [...(inline.get(role.address) ?? []), ...inlineBlocks],
      managedPolicyArns: [...(attached.get(role.address) ?? []), ...strings(role.body.managed_policy_arns).map((value) => resolver.resolve(value) ?? value)],
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      tags: { ...defaultTags, ...tagsOf(role.body.tags) },
    });
  }

  const secrets: SecretModel[] = [];
  for (const secret of model.resources("aws_secretsmanager_secret")) {
    const name = resolver.attribute(secret, "name");
    const arn = resolver.arnOf(secret);
    const keyId = typeof secret.body.kms_key_id === "string" ? resolver.resolve(secret.body.kms_key_id) : AWS_MANAGED_SECRETS_KEY_ALIAS;
    const keyArn = keyId === undefined ? undefined : resolver.keyArnOf(keyId, resolver.regionOf(secret));
    if (!name || !arn || !keyArn) {
      unreadable.push(origin(secret));
      continue;
    }
    secrets.push({ ...origin(secret), name, arn, keyArn, managedBy: "terraform" });
  }
  for (const database of model.resources("aws_rds_cluster", "aws_docdb_cluster", "aws_db_instance")) {
    const managed = resolver.managedSecretOf(database);
    if (managed) secrets.push({ ...origin(database), ...managed, managedBy: "rds" });
  }

  const managedPolicies = new Map<string, NamedDocument>();
  for (const policy of model.resources("aws_iam_policy")) {
    const arn = resolver.arnOf(policy);
    const document = documentOf(policy, policy.body.policy, literal(policy.body.name) ?? policy.name);
    if (arn && document) managedPolicies.set(arn, document);
  }

  const resourcePolicies: ResourcePolicy[] = [];
  const addResourcePolicy = (owner: Block, value: unknown, target: Block | undefined, kind: ResourcePolicy["kind"], explicitArn?: string) => {
    const resourceArn = explicitArn ?? (target ? resolver.arnOf(target) : undefined);
    const document = documentOf(owner, value, kind);
    if (!document) return;
    if (!resourceArn) {
      unreadable.push(origin(owner));
      return;
    }
    resourcePolicies.push({ ...document, resourceArn, kind });
  };
  const target = (value: unknown): Block | undefined => resolver.referencedBlock(value);
  const literalTarget = (value: unknown): string | undefined => (typeof value === "string" ? resolver.resolve(value) : undefined);
  for (const policy of model.resources("aws_s3_bucket_policy")) {
    const bucket = literalTarget(policy.body.bucket);
    addResourcePolicy(policy, policy.body.policy, undefined, "bucket", bucket ? `arn:${scope.partition}:s3:::${bucket}` : undefined);
  }
  for (const key of model.resources("aws_kms_key")) addResourcePolicy(key, key.body.policy, key, "key");
  for (const policy of model.resources("aws_kms_key_policy")) addResourcePolicy(policy, policy.body.policy, target(policy.body.key_id), "key");
  for (const secret of model.resources("aws_secretsmanager_secret")) addResourcePolicy(secret, secret.body.policy, secret, "secret");
  for (const policy of model.resources("aws_secretsmanager_secret_policy")) addResourcePolicy(policy, policy.body.policy, target(policy.body.secret_arn), "secret");
  for (const domain of model.resources("aws_opensearch_domain")) addResourcePolicy(domain, domain.body.access_policies, domain, "domain");
  for (const policy of model.resources("aws_opensearch_domain_policy")) {
    const name = literalTarget(policy.body.domain_name);
    addResourcePolicy(policy, policy.body.access_policies, undefined, "domain", name ? `arn:${scope.partition}:es:${resolver.regionOf(policy)}:${scope.accountId}:domain/${name}` : undefined);
  }
  for (const topic of model.resources("aws_sns_topic")) addResourcePolicy(topic, topic.body.policy, topic, "topic");
  for (const policy of model.resources("aws_sns_topic_policy")) addResourcePolicy(policy, policy.body.policy, undefined, "topic", literalTarget(policy.body.arn));
  for (const queue of model.resources("aws_sqs_queue")) addResourcePolicy(queue, queue.body.policy, queue, "queue");
  for (const policy of model.resources("aws_sqs_queue_policy")) addResourcePolicy(policy, policy.body.policy, target(policy.body.queue_url), "queue");
  for (const policy of model.resources("aws_backup_vault_policy")) {
    const vault = literalTarget(policy.body.backup_vault_name);
    addResourcePolicy(policy, policy.body.policy, undefined, "vault", vault ? `arn:${scope.partition}:backup:${resolver.regionOf(policy)}:${scope.accountId}:backup-vault:${vault}` : undefined);
  }
  for (const policy of model.resources("aws_cloudwatch_log_resource_policy")) {
    addResourcePolicy(policy, policy.body.policy_document, undefined, "logs", `arn:${scope.partition}:logs:${resolver.regionOf(policy)}:${scope.accountId}:*`);
  }

  return { stack: model.stackName, scope, roles, managedPolicies, resourcePolicies, secrets, unreadable };
}

/** Every action string (Action and NotAction) of a document. */
export function actionsOf(document: IamDocument): string[] {
  return document.Statement.flatMap((statement) => [...(statement.Action ?? []), ...(statement.NotAction ?? [])]);
}

/** Every document of a stack with its origin: trust, inline, managed and resource policies. */
export function documentsOf(iam: StackIam): NamedDocument[] {
  return [
    ...iam.roles.flatMap((role) => [...(role.trust ? [role.trust] : []), ...role.inline]),
    ...iam.managedPolicies.values(),
    ...iam.resourcePolicies,
  ];
}
