/**
 * Secret scan: synthesized attributes must never hold a credential. Credentials reach workloads through
 * Secrets Manager / External Secrets and services generate their own; a literal here would sit in git, in the
 * plan, in CI logs and in state.
 *
 * - known credential formats anywhere (AWS access keys, private keys, GitHub / Slack / Stripe / Google tokens)
 * - webhook URLs that carry their own secret (Slack, Discord, Teams, PagerDuty, URLs with user:password@)
 * - literal values in credential-named attributes (`password`, `auth_token`, `secret_string`, ...), in Helm
 *   values and `set` entries, Kubernetes secret data and container environment variables
 *
 * Expressions (`${random_password.x.result}`, `${aws_secretsmanager_secret_version...}`) are not literals.
 */
import { parse } from "yaml";
import { type Block, type Body, blocks, isExpression, one, type StackModel } from "../model";
import type { Rule, Violation } from "../types";

interface Pattern {
  readonly name: string;
  readonly regex: RegExp;
}

export const KEY_PATTERNS: readonly Pattern[] = [
  { name: "an AWS access key id", regex: /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
];
export const PRIVATE_KEY_PATTERNS: readonly Pattern[] = [
  { name: "a private key", regex: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/ },
];
export const TOKEN_PATTERNS: readonly Pattern[] = [
  { name: "a GitHub token", regex: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { name: "a Slack token", regex: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/ },
  { name: "a Stripe live key", regex: /\b(sk|rk)_live_[A-Za-z0-9]{20,}\b/ },
  { name: "a Google API key", regex: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: "an npm token", regex: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: "a SendGrid key", regex: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
];
export const WEBHOOK_PATTERNS: readonly Pattern[] = [
  { name: "a Slack webhook URL", regex: /https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9/_-]+/ },
  { name: "a Discord webhook URL", regex: /https:\/\/(discord|discordapp)\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/ },
  { name: "a Microsoft Teams webhook URL", regex: /https:\/\/[A-Za-z0-9-]+\.webhook\.office\.com\/webhookb2\/[^\s"']+/ },
  { name: "a PagerDuty integration URL", regex: /https:\/\/events\.pagerduty\.com\/integration\/[A-Za-z0-9]{20,}/ },
  { name: "a Google Chat webhook URL", regex: /https:\/\/chat\.googleapis\.com\/v1\/spaces\/[^\s"']+key=[^\s"']+/ },
  { name: "a URL with embedded credentials", regex: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"'${}]+:[^\s/@"'${}]+@[^\s/"']+/i },
];

/** Attribute names (snake_case) whose value is a credential. */
const CREDENTIAL_ATTRIBUTE = /^(.*_)?(password|passwd|passphrase|secret|secret_string|secret_key|secret_access_key|access_key|token|auth_token|api_key|apikey|private_key|client_secret|credentials?)$/i;
/**
 * Trailing words of Helm values keys and `set` names that hold a credential. Charts use `secret` and
 * `secretKey` for the *name* of a secret (External Secrets `data[].secretKey`, `tls.secret`), so those words
 * alone do not mark a credential there.
 */
const VALUES_CREDENTIAL_WORDS = [["password"], ["passwd"], ["passphrase"], ["token"], ["apikey"], ["api", "key"], ["private", "key"], ["client", "secret"], ["access", "key"]];
/** Trailing words of environment variable names that hold a credential (`DB_PASSWORD`, `SECRET_KEY`). */
const ENV_CREDENTIAL_WORDS = [...VALUES_CREDENTIAL_WORDS, ["secret"], ["secret", "key"]];
/** Leading words that mark a reference to a credential, not the credential (`existingSecret`, `useToken`). */
const REFERENCE_PREFIXES = ["existing", "use", "enable", "enabled", "create", "mount", "auto"];

/** Splits `adminPassword`, `admin_password`, `grafana.admin-password`, `DB_PASSWORD` into lower-case words. */
export function words(name: string): string[] {
  return (name.split(".").pop() ?? name)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Whether a Helm values key / `set` name (or, with `kind` "env", an environment variable) names a credential. */
export function isCredentialName(name: string, kind: "values" | "env" = "values"): boolean {
  const parts = words(name);
  if (parts.length === 0 || REFERENCE_PREFIXES.includes(parts[0] ?? "")) return false;
  const suffixes = kind === "env" ? ENV_CREDENTIAL_WORDS : VALUES_CREDENTIAL_WORDS;
  return suffixes.some((suffix) => suffix.length <= parts.length && suffix.every((word, index) => parts[parts.length - suffix.length + index] === word));
}

/** Whether an attribute path (`master_password`, `set[2].value` of `grafana.adminPassword`) names a credential. */
export function isSensitiveAttribute(path: string): boolean {
  const key = path.split(/[.[\]]/).filter((part) => part !== "" && !/^\d+$/.test(part)).pop() ?? "";
  return CREDENTIAL_ATTRIBUTE.test(key) || isCredentialName(key);
}

function isLiteralValue(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" && !isExpression(value);
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

function patternRule(model: StackModel, patterns: readonly Pattern[]): Violation[] {
  const out: Violation[] = [];
  for (const location of locations(model)) {
    strings(location.body, "", (text, path) => {
      for (const pattern of patterns) {
        if (pattern.regex.test(text)) out.push({ ...(location.block ? { block: location.block } : {}), message: `${location.label}${path} holds ${pattern.name}` });
      }
    });
  }
  return out;
}

/** Credential-named keys with literal values inside Helm values YAML. */
function helmValuesCredentials(text: string): string[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    return [];
  }
  const found: string[] = [];
  strings(document, "", (value, path, key) => {
    if (isCredentialName(key) && value.trim() !== "") found.push(path);
  });
  return found;
}

function literalCredentials(model: StackModel): Violation[] {
  const out: Violation[] = [];
  for (const location of locations(model)) {
    const at = (path: string) => ({ ...(location.block ? { block: location.block } : {}), message: `${location.label}${path} is a literal credential` });
    strings(location.body, "", (text, path, key) => {
      if (CREDENTIAL_ATTRIBUTE.test(key) && isLiteralValue(text)) out.push(at(path));
    });
  }
  for (const release of model.resources("helm_release")) {
    for (const kind of ["set", "set_sensitive", "set_wo"]) {
      blocks(release.body[kind]).forEach((entry, index) => {
        if (isCredentialName(String(entry.name)) && isLiteralValue(entry.value)) {
          out.push({ block: release, message: `${kind}[${index}] ${String(entry.name)} is a literal credential` });
        }
      });
    }
    for (const [index, values] of (Array.isArray(release.body.values) ? release.body.values : []).entries()) {
      if (typeof values !== "string") continue;
      for (const path of helmValuesCredentials(values)) out.push({ block: release, message: `values[${index}] ${path} is a literal credential` });
    }
  }
  for (const secret of model.resources("kubernetes_secret_v1", "kubernetes_secret")) {
    for (const field of ["data", "string_data", "binary_data"]) {
      for (const [key, value] of Object.entries(one(secret.body[field]) ?? {})) {
        if (isLiteralValue(value)) out.push({ block: secret, message: `${field}.${key} is a literal value (sync secrets with External Secrets instead)` });
      }
    }
  }
  for (const block of model.all().filter((item) => item.type.startsWith("kubernetes_"))) {
    const visitEnv = (container: Body) =>
      blocks(container.env).forEach((env) => {
        if (isCredentialName(String(env.name), "env") && isLiteralValue(env.value)) {
          out.push({ block, message: `container ${String(container.name)} env ${String(env.name)} is a literal credential` });
        }
      });
    findContainers(block.body).forEach(visitEnv);
  }
  return out;
}

/** Every `container` / `init_container` block anywhere in a Kubernetes resource. */
function findContainers(value: unknown, out: Body[] = []): Body[] {
  if (Array.isArray(value)) value.forEach((item) => findContainers(item, out));
  else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "container" || key === "init_container") out.push(...blocks(child));
      findContainers(child, out);
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
    fix: `${SECRET_FIX} Workloads and CI use roles (Pod Identity, OIDC), never access keys.`,
    check: ({ model }) => patternRule(model, KEY_PATTERNS),
  },
  {
    id: "SECRET-PRIVATE-KEY",
    title: "No private keys in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks private-key",
    fix: SECRET_FIX,
    check: ({ model }) => patternRule(model, PRIVATE_KEY_PATTERNS),
  },
  {
    id: "SECRET-TOKEN",
    title: "No API tokens of known formats in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks github-pat, slack-bot-token, stripe-access-token, gcp-api-key",
    fix: SECRET_FIX,
    check: ({ model }) => patternRule(model, TOKEN_PATTERNS),
  },
  {
    id: "SECRET-WEBHOOK-URL",
    title: "No secret-bearing webhook URLs in synthesized attributes",
    severity: "critical",
    scope: "all",
    upstream: "gitleaks slack-webhook-url",
    fix: "Keep webhook URLs in Secrets Manager and let External Secrets provide them to Alertmanager / Grafana; rotate the exposed webhook.",
    check: ({ model }) => patternRule(model, WEBHOOK_PATTERNS),
  },
  {
    id: "SECRET-LITERAL-CREDENTIAL",
    title: "No literal values in password, token and secret attributes",
    severity: "critical",
    scope: "all",
    upstream: "CKV_SECRET_6; NAG SMG4",
    fix: SECRET_FIX,
    check: ({ model }) => literalCredentials(model),
  },
];

