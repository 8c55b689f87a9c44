/**
 * No secret values in Terraform state. Terraform stores every argument of every resource and every data source result
 * in the state (unless the argument is write-only, Terraform 1.11+: `*_wo`), so a credential that Terraform generates,
 * reads or is given as a literal is readable by anyone who can read the state. The rule flags:
 *
 * - a sensitive argument (SENSITIVE_ARGUMENTS: what the providers mark `Sensitive`, plus credential-named arguments of
 *   any other resource) fed from a generator (random_password, random_string, tls_private_key,
 *   aws_secretsmanager_random_password), from a data source that returns a secret (aws_secretsmanager_secret_version,
 *   aws_kms_secrets, kubernetes_secret, SSM SecureString), from another resource's sensitive argument, or a literal;
 * - a data source that returns a secret at all (its result is in the state whether or not anything uses it), and a
 *   generator whose value reaches anything but write-only arguments and accepted bootstrap credentials.
 *
 * One documented exception (ACCEPTED_BOOTSTRAP_CREDENTIALS): an argument the provider requires, cannot take write-only
 * and that has no service-managed alternative — aws_mq_broker `user.password` in hashicorp/aws 6.25
 * (terraform-provider-aws#48180) — is accepted only as a bootstrap value that a rotation replaces at once: the same
 * generated value is written to a Secrets Manager secret write-only, the secret has a rotation with
 * `rotate_immediately`, and the resource ignores later changes to the argument. The state then holds a password that no
 * longer works.
 */
import { type Block, type Body, isFalse, one, type StackModel } from "../model";
import type { Rule, Violation } from "../types";

/** Sensitive arguments by resource type (the providers' `Sensitive` flags; paths through nested blocks). */
export const SENSITIVE_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ["password"],
  aws_rds_cluster: ["master_password"],
  aws_docdb_cluster: ["master_password"],
  aws_neptune_cluster: ["master_password"],
  aws_redshift_cluster: ["master_password"],
  aws_redshiftserverless_namespace: ["admin_user_password"],
  aws_mq_broker: ["user.password", "ldap_server_metadata.service_account_password"],
  aws_elasticache_replication_group: ["auth_token"],
  aws_elasticache_user: ["passwords", "authentication_mode.passwords"],
  aws_opensearch_domain: ["advanced_security_options.master_user_options.master_user_password"],
  aws_elasticsearch_domain: ["advanced_security_options.master_user_options.master_user_password"],
  aws_secretsmanager_secret_version: ["secret_string", "secret_binary"],
  aws_dms_endpoint: ["password"],
  aws_iam_user_login_profile: ["password"],
  kubernetes_secret: ["data", "binary_data"],
  kubernetes_secret_v1: ["data", "binary_data"],
  helm_release: ["set_sensitive.value"],
};

/** Arguments of other resources whose name says they hold a credential. */
const CREDENTIAL_NAME = /(^|_)(password|passwords|secret_string|secret_binary|auth_token|private_key|client_secret|api_key)$/;

/** Resources and data sources whose attributes are generated or read secrets (all stored in the state). */
export const SECRET_SOURCES: Readonly<Record<string, string>> = {
  random_password: "random_password (result stored in state)",
  random_string: "random_string (result stored in state)",
  tls_private_key: "tls_private_key (private key stored in state)",
  "data.aws_secretsmanager_random_password": "aws_secretsmanager_random_password data source (result stored in state)",
  "data.aws_secretsmanager_secret_version": "aws_secretsmanager_secret_version data source (secret value stored in state)",
  "data.aws_kms_secrets": "aws_kms_secrets data source (plaintext stored in state)",
  "data.kubernetes_secret": "kubernetes_secret data source (secret data stored in state)",
  "data.kubernetes_secret_v1": "kubernetes_secret_v1 data source (secret data stored in state)",
};

/** A reference to a generator or secret data source inside an expression (type, then name). */
const GENERATOR_REFERENCE = /\b(random_password|random_string|tls_private_key|data\.aws_secretsmanager_random_password|data\.aws_secretsmanager_secret_version|data\.aws_kms_secrets|data\.kubernetes_secret(?:_v1)?)\.([A-Za-z_][\w-]*)/;

/** Data sources that return a secret: flagged wherever they appear. */
const SECRET_DATA_SOURCES = ["aws_secretsmanager_secret_version", "aws_kms_secrets", "kubernetes_secret", "kubernetes_secret_v1"];

export interface AcceptedBootstrap {
  readonly type: string;
  readonly argument: string;
  readonly reason: string;
}

export const ACCEPTED_BOOTSTRAP_CREDENTIALS: readonly AcceptedBootstrap[] = [
  {
    type: "aws_mq_broker",
    argument: "user.password",
    reason:
      "Amazon MQ requires one administrative user with a password at creation and aws_mq_broker has no write-only password in hashicorp/aws 6.25 " +
      "(terraform-provider-aws#48180): the value is a bootstrap password, replaced by an immediate Secrets Manager rotation",
  },
];

interface Finding {
  readonly block: Block;
  readonly message: string;
}

/** Values at a dotted path through nested blocks (`user.password` of every `user` block). */
function valuesAt(body: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return [body];
  if (Array.isArray(body)) return body.flatMap((item) => valuesAt(item, path));
  if (body === null || typeof body !== "object") return [];
  const [head, ...rest] = path as [string, ...string[]];
  const child = (body as Body)[head];
  return child === undefined ? [] : valuesAt(child, rest);
}

/** Every argument path of `body` whose last key looks like a credential (not write-only). */
function credentialPaths(body: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (Array.isArray(body)) body.forEach((item) => credentialPaths(item, prefix, out));
  else if (body !== null && typeof body === "object") {
    for (const [key, child] of Object.entries(body)) {
      if (key === "//" || key === "lifecycle" || key === "depends_on") continue;
      if (CREDENTIAL_NAME.test(key)) out.add([...prefix, key].join("."));
      credentialPaths(child, [...prefix, key], out);
    }
  }
  return out;
}

/** Sensitive argument paths of a resource: the listed ones and credential-named ones (never write-only `*_wo`). */
export function sensitivePaths(block: Block): string[] {
  const listed = SENSITIVE_ARGUMENTS[block.type] ?? [];
  const named = SENSITIVE_ARGUMENTS[block.type] ? [] : [...credentialPaths(block.body)];
  return [...new Set([...listed, ...named])].filter((path) => !path.endsWith("_wo"));
}

function sourceKey(block: Block): string {
  return block.kind === "data" ? `data.${block.type}` : block.type;
}

/** Why a value is a stored secret, or undefined: a literal, a generator or secret data source, another sensitive argument. */
function secretOrigin(model: StackModel, value: unknown): string | undefined {
  if (value === null || value === undefined || value === "" || typeof value === "boolean" || typeof value === "number") return undefined;
  if (typeof value === "string" && !value.includes("${")) return "a literal value in code or configuration";
  if (typeof value === "object") {
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      const origin = secretOrigin(model, child);
      if (origin) return origin;
    }
    return undefined;
  }
  const text = String(value);
  // Fail closed: a generator named in the expression counts even when the stack does not define it.
  const named = GENERATOR_REFERENCE.exec(text);
  if (named && !model.byAddress(named[0])) return `${named[0]} (a generated or read secret stored in state)`;
  for (const block of model.refsIn(text)) {
    const source = SECRET_SOURCES[sourceKey(block)];
    if (source) return `${block.address}: ${source}`;
    if (block.kind === "data" && block.type === "aws_ssm_parameter") {
      if (new RegExp(`${block.address.replace(/\./g, "\\.")}\\.value\\b`).test(text)) return `${block.address}.value (a decrypted parameter stored in state)`;
    }
    if (block.kind === "resource") {
      for (const path of sensitivePaths(block)) {
        const attribute = path.split(".").pop() as string;
        if (new RegExp(`${block.address.replace(/\./g, "\\.")}\\.${attribute}\\b`).test(text)) return `${block.address}.${path} (a sensitive argument stored in state)`;
      }
      if (block.type === "aws_iam_access_key" && /\.secret\b/.test(text)) return `${block.address}.secret (an access key secret stored in state)`;
    }
  }
  return undefined;
}

/** Whether the accepted bootstrap exception applies to `block`'s `argument` fed from `generator`. */
function acceptedBootstrap(model: StackModel, block: Block, argument: string, generator: Block | undefined): boolean {
  if (!generator || !ACCEPTED_BOOTSTRAP_CREDENTIALS.some((item) => item.type === block.type && item.argument === argument)) return false;
  const ignored = (one(block.body.lifecycle)?.ignore_changes as string[] | undefined) ?? [];
  if (!ignored.includes(argument.split(".")[0] as string) && !ignored.includes("all")) return false;
  const versions = model.resources("aws_secretsmanager_secret_version").filter((version) => model.refersTo(version.body.secret_string_wo, generator));
  return versions.some((version) =>
    model
      .resources("aws_secretsmanager_secret_rotation")
      .some(
        (rotation) =>
          model.refsIn(rotation.body.secret_id).some((secret) => model.refersTo(version.body.secret_id, secret)) &&
          !isFalse(rotation.body.rotate_immediately) &&
          rotation.body.rotation_lambda_arn !== undefined,
      ),
  );
}

/** Every stored secret of a stack (see the module comment). */
export function stateSecretFindings(model: StackModel): Finding[] {
  const findings: Finding[] = [];
  const accepted = new Set<string>();
  for (const block of model.all().filter((item) => item.kind === "resource")) {
    for (const path of sensitivePaths(block)) {
      const parts = path.split(".");
      for (const value of valuesAt(block.body, parts)) {
        const origin = secretOrigin(model, value);
        if (!origin) continue;
        const generator = model.refsIn(value).find((source) => sourceKey(source) === "data.aws_secretsmanager_random_password");
        if (acceptedBootstrap(model, block, path, generator)) {
          accepted.add(generator?.address ?? "");
          continue;
        }
        findings.push({ block, message: `${path} is stored in the Terraform state and comes from ${origin}; use a service-managed secret or a write-only argument (*_wo) instead` });
      }
    }
  }
  for (const type of SECRET_DATA_SOURCES) {
    for (const block of model.dataSources(type)) findings.push({ block, message: `data source ${block.address} stores a secret value in the Terraform state; read secrets at run time (External Secrets, the service) or with an ephemeral resource` });
  }
  for (const generator of [...model.resources("random_password", "random_string", "tls_private_key"), ...model.dataSources("aws_secretsmanager_random_password")]) {
    if (accepted.has(generator.address)) continue;
    const uses = model.referrers(generator).filter((user) => !writeOnlyUse(model, user, generator));
    if (uses.length > 0 || generator.kind === "resource") {
      findings.push({
        block: generator,
        message: `${generator.address} keeps a generated secret in the Terraform state${uses.length > 0 ? ` and feeds ${uses.map((user) => user.address).join(", ")}` : ""}; generate it outside Terraform or pass it only to write-only arguments`,
      });
    }
  }
  return findings;
}

/** Whether every reference from `user` to `generator` is inside a write-only argument. */
function writeOnlyUse(model: StackModel, user: Block, generator: Block): boolean {
  return Object.entries(user.body).every(([key, value]) => key.endsWith("_wo") || !model.refersTo(value, generator));
}

export const STATE_RULES: readonly Rule[] = [
  {
    id: "STATE-NO-SECRETS",
    title: "No generated, read or literal secret values in Terraform state",
    severity: "high",
    scope: "all",
    upstream: "custom (issue 15: no secret values in state)",
    fix:
      "Let the service manage the credential (manage_master_user_password, IAM authentication), pass generated values only to write-only arguments (secret_string_wo, password_wo), " +
      "or generate them outside Terraform (Secrets Manager rotation). Never read a secret with a data source.",
    check: ({ model }): Violation[] => stateSecretFindings(model).map((finding) => ({ block: finding.block, message: finding.message })),
  },
];
