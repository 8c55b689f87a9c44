/**
 * What a credential looks like: known formats (access keys, private keys, vendor API tokens, webhook URLs that carry
 * their secret) and credential-like names. Pure, shared by the policy pack's secret scan (rules/secrets.ts) and by the
 * configuration errors, which never echo a value that looks like a secret (config/errors.ts): one list for both.
 *
 * Vendor formats follow the vendors' documented prefixes, as gitleaks' default rules encode them (rule ids in each
 * pattern's comment): the prefix plus enough characters that prose and placeholders do not match.
 */
export interface Pattern {
  readonly name: string;
  readonly regex: RegExp;
}

export const KEY_PATTERNS: readonly Pattern[] = [
  { name: "an AWS access key id", regex: /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
];
export const PRIVATE_KEY_PATTERNS: readonly Pattern[] = [
  // gitleaks private-key: PEM (PKCS#1, PKCS#8, encrypted, EC, DSA), OpenSSH, PuTTY-converted and PGP armour.
  { name: "a private key", regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
];
export const TOKEN_PATTERNS: readonly Pattern[] = [
  // gitleaks anthropic-api-key / anthropic-admin-api-key: sk-ant-api03-..., sk-ant-admin01-...
  { name: "an Anthropic API key", regex: /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{32,}/ },
  // gitleaks openai-api-key: project, service-account and admin keys, and legacy keys (T3BlbkFJ is base64 of "OpenAI").
  { name: "an OpenAI API key", regex: /\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{32,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|\bsk-[A-Za-z0-9]{48}\b/ },
  // gitleaks github-pat, github-oauth, github-app-token, github-refresh-token, github-fine-grained-pat.
  { name: "a GitHub token", regex: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  // gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-config-*: xox?- (b, p, a, r, s, e), app tokens xapp-.
  { name: "a Slack token", regex: /\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}/ },
  // gitleaks stripe-access-token: live secret and restricted keys.
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
 * Words that make a name a credential's name wherever they stand (`DB_PASSWORD`, `PASSWORD_SALT`, `apiToken`,
 * `STRIPE_SECRET_KEY`, `CLIENT_SECRET`): the issue's `*PASSWORD*`, `*SECRET*`, `*TOKEN*` and `*API_KEY*`.
 */
const CONTAINED_WORDS = [["password"], ["passwd"], ["passphrase"], ["secret"], ["token"], ["apikey"], ["api", "key"], ["private", "key"], ["access", "key"], ["credentials"], ["credential"]];
/** Words that make a name a credential's name when they end it (`*PASS`, `DB_PWD`). */
const TRAILING_WORDS = [["pass"], ["pwd"]];
/**
 * Last words that mark a name as naming something other than the credential: where it is (`DB_PASSWORD_FILE`,
 * `SECRET_ARN`, `TOKEN_URL`), what it is called (`secretName`, `SECRET_KEY_ID`) or a setting about it (`TOKEN_TTL`).
 * A URL that carries its secret is caught by the webhook patterns; a key id pairs with a secret that is caught itself.
 */
const REFERENCE_SUFFIXES = [
  "arn", "name", "names", "file", "files", "path", "paths", "dir", "ref", "refs", "id", "ids", "url", "urls", "uri", "endpoint", "host",
  "location", "store", "mount", "ttl", "timeout", "expiry", "expiration", "lifetime", "duration", "length", "size", "enabled", "version",
  "type", "mode", "header", "prefix", "namespace", "selector", "policy", "provider", "rotation", "count", "format", "env", "var", "vars",
];
/** Leading words that mark a reference to a credential or a switch, not the credential (`existingSecret`, `useToken`). */
const REFERENCE_PREFIXES = ["existing", "use", "enable", "enabled", "create", "mount", "auto", "skip", "disable", "require", "required"];
/**
 * Helm values keys whose value is, by chart convention, the name of a key inside a Kubernetes Secret or of the Secret
 * itself (External Secrets `data[].secretKey`, `remoteRef.key`, charts' `secretKeyRef`, `passwordKey`, `tokenKey`).
 */
const VALUES_REFERENCE_KEYS = ["secret", "secretkey", "secretkeyref", "passwordkey", "tokenkey", "usernamekey", "secretref", "secrettemplate", "secrets"];

/** Splits `adminPassword`, `admin_password`, `grafana.admin-password`, `DB_PASSWORD` into lower-case words. */
export function words(name: string): string[] {
  return (name.split(".").pop() ?? name)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_\-[\]0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

function containsSequence(parts: readonly string[], sequence: readonly string[]): boolean {
  for (let index = 0; index + sequence.length <= parts.length; index += 1) {
    if (sequence.every((word, offset) => parts[index + offset] === word)) return true;
  }
  return false;
}

/**
 * Whether a name holds a credential: an environment variable (`kind` "env"), a Helm values key or `set` name
 * ("values"), a configuration key. A name counts when it contains password / passwd / passphrase / secret / token /
 * api key / private key / access key / credential(s) anywhere, or ends with pass / pwd — unless it starts with a word
 * that makes it a reference or a switch (`existingSecret`, `useToken`) or ends with one that names a location, a name
 * or a setting (`SECRET_ARN`, `DB_PASSWORD_FILE`, `TOKEN_TTL`). Helm values also exclude the chart conventions that
 * name keys of a Secret (`secretKey`, `passwordKey`).
 */
export function isCredentialName(name: string, kind: "values" | "env" = "values"): boolean {
  const parts = words(name);
  if (parts.length === 0 || REFERENCE_PREFIXES.includes(parts[0] ?? "")) return false;
  if (REFERENCE_SUFFIXES.includes(parts[parts.length - 1] ?? "")) return false;
  if (kind === "values" && VALUES_REFERENCE_KEYS.includes(parts.join(""))) return false;
  if (CONTAINED_WORDS.some((sequence) => containsSequence(parts, sequence))) return true;
  return TRAILING_WORDS.some((sequence) => sequence.length <= parts.length && sequence.every((word, index) => parts[parts.length - sequence.length + index] === word));
}

/** Every credential pattern, most specific first. */
export const SECRET_PATTERNS: readonly Pattern[] = [...KEY_PATTERNS, ...PRIVATE_KEY_PATTERNS, ...TOKEN_PATTERNS, ...WEBHOOK_PATTERNS];

/** The name of the first credential pattern `text` matches, if any. */
export function secretPatternIn(text: string): string | undefined {
  return SECRET_PATTERNS.find((pattern) => pattern.regex.test(text))?.name;
}
