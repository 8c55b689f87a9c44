/**
 * Secret scan: synthesized attributes must never hold a credential. Credentials reach workloads through
 * Secrets Manager / External Secrets and services generate their own; a literal here would sit in git, in the
 * plan, in CI logs and in state.
 *
 * - known credential formats anywhere (AWS access keys, private keys, Anthropic / OpenAI / GitHub / Slack / Stripe /
 *   Google / npm / SendGrid tokens: constructs/policy/secret-patterns.ts, the list the configuration errors mask too)
 * - webhook URLs that carry their own secret (Slack, Discord, Teams, PagerDuty, URLs with user:password@)
 * - literal values in credential-named attributes (`password`, `auth_token`, `secret_string`, ...), in Helm
 *   values and `set` entries, Kubernetes secret data, and environment variables named like a credential
 *   (`*PASSWORD*`, `*PASS`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`: isCredentialName) of containers (typed resources and
 *   manifests, local chart templates and objects in Helm values) and Lambda functions
 *
 * Expressions (`${random_password.x.result}`, `${aws_secretsmanager_secret_version...}`) are not literals.
 */
import { isCredentialName, KEY_PATTERNS, type Pattern, PRIVATE_KEY_PATTERNS, TOKEN_PATTERNS, WEBHOOK_PATTERNS } from "../secret-patterns";
import { manifestObjects, releaseValueDocuments, templated } from "../kubernetes-objects";
import { type Block, type Body, blocks, dig, literal, one, type StackModel } from "../model";
import type { Rule, Violation } from "../types";

/** Attribute names (snake_case) whose value is a credential. */
const CREDENTIAL_ATTRIBUTE = /^(.*_)?(password|passwd|passphrase|secret|secret_string|secret_key|secret_access_key|access_key|token|auth_token|api_key|apikey|private_key|client_secret|credentials?)$/i;
/** Whether an attribute path (`master_password`, `set[2].value` of `grafana.adminPassword`) names a credential. */
export function isSensitiveAttribute(path: string): boolean {
  const key = path.split(/[.[\]]/).filter((part) => part !== "" && !/^\d+$/.test(part)).pop() ?? "";
  return CREDENTIAL_ATTRIBUTE.test(key) || isCredentialName(key);
}

function isLiteralValue(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && !value.includes("${") && !templated(value) && !/^(true|false)$/i.test(value.trim());
}

/** Every string inside a value, with its attribute path. */
function strings(value: unknown, path: string, visit: (text: string, path: string, key: string) => void, key = ""): void {
  if (typeof value === "string") visit(value, path, key);
  else if (Array.isArray(value)) value.forEach((item, index) => strings(item, `${path}[${index}]`, visit, key));
  else if (value !== null && typeof value === "object") {
    for (const [childKey, child] of Object.entries(value)) strings(child, path === "" ? childKey : `${path}.${childKey}`, visit, childKey);
  }
}

interface Location {
  readonly block?: Block;
  readonly label: string;
  readonly body: unknown;
}

/** What the scan reads: every resource and data source, plus provider blocks, outputs, variables and locals. */
function locations(model: StackModel): Location[] {
  const out: Location[] = model.all().map((block) => ({ block, label: "", body: block.body }));
  for (const [name, instances] of Object.entries(model.json.provider ?? {})) {
    instances.forEach((instance, index) => out.push({ label: `provider.${name}[${index}].`, body: instance }));
  }
  for (const key of ["output", "variable", "locals"] as const) {
    for (const [name, value] of Object.entries((model.json[key] as Record<string, unknown> | undefined) ?? {})) {
      out.push({ label: `${key}.${name}.`, body: value });
    }
  }
  return out;
}

interface StringEntry {
  readonly location: Location;
  readonly text: string;
  /** Attribute path inside the location's body. */
  readonly path: string;
  /** The innermost attribute name. */
  readonly key: string;
}

const STRING_ENTRIES = new WeakMap<StackModel, readonly StringEntry[]>();

/** Every string of every location, walked once per model (five rules scan them). */
function stringEntries(model: StackModel): readonly StringEntry[] {
  let entries = STRING_ENTRIES.get(model);
  if (entries === undefined) {
    const found: StringEntry[] = [];
    for (const location of locations(model)) strings(location.body, "", (text, path, key) => found.push({ location, text, path, key }));
    entries = found;
    STRING_ENTRIES.set(model, entries);
  }
  return entries;
}

function patternRule(model: StackModel, patterns: readonly Pattern[]): Violation[] {
  const out: Violation[] = [];
  for (const { location, text, path } of stringEntries(model)) {
    for (const pattern of patterns) {
      if (pattern.regex.test(text)) out.push({ ...(location.block ? { block: location.block } : {}), message: `${location.label}${path} holds ${pattern.name}` });
    }
  }
  return out;
}

/** Credential-named keys with literal values inside one parsed Helm values document. */
function helmValuesCredentials(document: unknown): string[] {
  if (document === undefined) return [];
  const found: string[] = [];
  strings(document, "", (value, path, key) => {
    if (isCredentialName(key) && value.trim() !== "") found.push(path);
  });
  return found;
}

function literalCredentials(model: StackModel): Violation[] {
  const out: Violation[] = [];
  for (const { location, text, path, key } of stringEntries(model)) {
    if (CREDENTIAL_ATTRIBUTE.test(key) && isLiteralValue(text)) out.push({ ...(location.block ? { block: location.block } : {}), message: `${location.label}${path} is a literal credential` });
  }
  for (const release of model.resources("helm_release")) {
    for (const kind of ["set", "set_sensitive", "set_wo"]) {
      blocks(release.body[kind]).forEach((entry, index) => {
        if (isCredentialName(String(entry.name)) && isLiteralValue(entry.value)) {
          out.push({ block: release, message: `${kind}[${index}] ${String(entry.name)} is a literal credential` });
        }
      });
    }
    const documents = releaseValueDocuments(release);
    let parsed = 0;
    for (const [index, values] of (Array.isArray(release.body.values) ? release.body.values : []).entries()) {
      if (typeof values !== "string") continue;
      for (const path of helmValuesCredentials(documents[parsed++])) out.push({ block: release, message: `values[${index}] ${path} is a literal credential` });
    }
  }
  for (const secret of model.resources("kubernetes_secret_v1", "kubernetes_secret")) {
    for (const field of ["data", "string_data", "binary_data"]) {
      for (const [key, value] of Object.entries(one(secret.body[field]) ?? {})) {
        if (isLiteralValue(value)) out.push({ block: secret, message: `${field}.${key} is a literal value (sync secrets with External Secrets instead)` });
      }
    }
  }
  for (const block of model.all().filter((item) => item.type.startsWith("kubernetes_") && item.type !== "kubernetes_manifest")) {
    const visitEnv = (container: Body) =>
      blocks(container.env).forEach((env) => {
        if (isCredentialName(String(env.name), "env") && isLiteralValue(env.value)) {
          out.push({ block, message: `container ${String(container.name)} env ${String(env.name)} is a literal credential` });
        }
      });
    findContainers(block.body).forEach(visitEnv);
  }
  // Containers in manifest form: kubernetes_manifest, local chart templates, objects embedded in Helm values.
  for (const object of manifestObjects(model)) {
    for (const container of findContainers(object.object ?? {}, [], ["containers", "initContainers", "ephemeralContainers"])) {
      blocks(container.env).forEach((env) => {
        if (isCredentialName(String(env.name), "env") && isLiteralValue(env.value)) {
          out.push({ block: object.block, message: `${object.kind} (${object.via}) container ${String(container.name)} env ${String(env.name)} is a literal credential` });
        }
      });
    }
  }
  // A parameter named like a credential (`/acme/prod/app/DB_PASSWORD`) holding a literal: the value is in code and in
  // state, and a String parameter is not even encrypted.
  for (const parameter of model.resources("aws_ssm_parameter")) {
    const name = literal(parameter.body.name)?.split("/").pop() ?? "";
    for (const field of ["value", "insecure_value"]) {
      if (isCredentialName(name, "env") && isLiteralValue(parameter.body[field])) {
        out.push({ block: parameter, message: `SSM parameter ${String(parameter.body.name)} (${String(parameter.body.type ?? "String")}) holds a literal credential in ${field}` });
      }
    }
  }
  for (const fn of model.resources("aws_lambda_function")) {
    for (const [name, value] of Object.entries(one(dig(fn.body, "environment", "variables")) ?? {})) {
      if (isCredentialName(name, "env") && isLiteralValue(value)) out.push({ block: fn, message: `environment variable ${name} is a literal credential` });
    }
  }
  return out;
}

/** Every container block anywhere in a Kubernetes resource (`container` / `init_container`, or in manifest form `containers`). */
function findContainers(value: unknown, out: Body[] = [], keys: readonly string[] = ["container", "init_container"]): Body[] {
  if (Array.isArray(value)) value.forEach((item) => findContainers(item, out, keys));
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (keys.includes(key)) out.push(...blocks(child));
      findContainers(child, out, keys);
    }
  }
  return out;
}

const SECRET_FIX = "Remove the value from code and config: store it in Secrets Manager (or let the service manage it) and reference the secret; rotate the exposed credential.";

export const SECRET_RULES: readonly Rule[] = [
  {
    id: "SECRET-AWS-ACCESS-KEY",
    title: "No AWS access keys in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks aws-access-token",
    unknown: { decision: "safe", reason: "An expression is a reference to a value stored elsewhere (Secrets Manager, a generated password), never a value written in code or configuration: the scan reads literals." },
    fix: `${SECRET_FIX} Workloads and CI use roles (Pod Identity, OIDC), never access keys.`,
    check: ({ model }) => patternRule(model, KEY_PATTERNS),
  },
  {
    id: "SECRET-PRIVATE-KEY",
    title: "No private keys in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks private-key",
    unknown: { decision: "safe", reason: "An expression (a tls_private_key, a secret version) is not a key written in code; the scan reads literals." },
    fix: SECRET_FIX,
    check: ({ model }) => patternRule(model, PRIVATE_KEY_PATTERNS),
  },
  {
    id: "SECRET-TOKEN",
    title: "No API tokens of known formats in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks anthropic-api-key, openai-api-key, github-pat, github-fine-grained-pat, slack-bot-token, slack-user-token, stripe-access-token, gcp-api-key, npm-access-token, sendgrid-api-token",
    unknown: { decision: "safe", reason: "An expression is a reference to a stored value; the scan reads literals." },
    fix: SECRET_FIX,
    check: ({ model }) => patternRule(model, TOKEN_PATTERNS),
  },
  {
    id: "SECRET-WEBHOOK-URL",
    title: "No secret-bearing webhook URLs in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks slack-webhook-url",
    unknown: { decision: "safe", reason: "An expression is a reference to a stored value; the scan reads literals." },
    fix: "Keep webhook URLs in Secrets Manager and let External Secrets provide them to Alertmanager / Grafana; rotate the exposed webhook.",
    check: ({ model }) => patternRule(model, WEBHOOK_PATTERNS),
  },
  {
    id: "SECRET-LITERAL-CREDENTIAL",
    title: "No literal values in password, token and secret attributes",
    severity: "critical",
    scope: "all",
    upstream: "CKV_SECRET_6; NAG SMG4",
    unknown: { decision: "safe", reason: "A credential-named value that is an expression (or a Helm template value) is a reference to a generated or stored secret, which is what the rule asks for; literal values are findings." },
    fix: SECRET_FIX,
    check: ({ model }) => literalCredentials(model),
  },
];

