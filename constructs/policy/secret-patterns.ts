/**
 * What a credential looks like: known formats (access keys, private keys, tokens, webhook URLs that carry their
 * secret) and credential-like names. Pure, shared by the policy pack's secret scan (rules/secrets.ts) and by the
 * configuration errors, which never echo a value that looks like a secret (config/errors.ts).
 */
export interface Pattern {
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

/** Every credential pattern, most specific first. */
export const SECRET_PATTERNS: readonly Pattern[] = [...KEY_PATTERNS, ...PRIVATE_KEY_PATTERNS, ...TOKEN_PATTERNS, ...WEBHOOK_PATTERNS];

/** The name of the first credential pattern `text` matches, if any. */
export function secretPatternIn(text: string): string | undefined {
  return SECRET_PATTERNS.find((pattern) => pattern.regex.test(text))?.name;
}
