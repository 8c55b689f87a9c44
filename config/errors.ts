/**
 * Configuration problems. The loader collects every problem of a run before it fails, so one run shows all of
 * them; each names the file (with line and column where the key exists), the key path, the value found and
 * what is allowed.
 */
import { isCredentialName, SECRET_PATTERNS, secretPatternIn } from "../constructs/policy/secret-patterns";

export type ConfigPath = readonly (string | number)[];

export interface ConfigIssue {
  /** File the problem is in, relative to the working directory. */
  readonly file: string;
  /** Key path inside the file, e.g. ["network", "cidr"]. Empty for file-level problems. */
  readonly path: ConfigPath;
  /** 1-based line and column of the key (or of its nearest existing parent) when known. */
  readonly line?: number;
  readonly column?: number;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value found, when there is one. */
  readonly value?: unknown;
}

/** Formats a key path as `network.availabilityZones[1]`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    out += typeof segment === "number" ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "(file)" : out;
}

/**
 * A value fit to print: strings that look like a credential (the policy pack's secret patterns), and literal strings
 * under a credential-named key (`password`, `apiKey`, `DB_PASSWORD`), are replaced by a marker, so an error never
 * echoes a pasted secret into a terminal or CI log.
 */
export function maskSecrets(value: unknown, key?: string | number): unknown {
  if (typeof value === "string") {
    const pattern = secretPatternIn(value);
    if (pattern) return `<masked: looks like ${pattern}>`;
    if (typeof key === "string" && value !== "" && isCredentialName(key, "env")) return "<masked: the value of a credential-named key>";
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([childKey, child]) => [childKey, maskSecrets(child, childKey)]));
  }
  return value;
}

/** `text` with every credential-shaped substring replaced by a marker. */
export function maskSecretsInText(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(new RegExp(pattern.regex.source, `${pattern.regex.flags.replace("g", "")}g`), `<masked ${pattern.name}>`), text);
}

/** The issue as it may be shown: value and message masked (see maskSecrets). */
export function maskIssue(issue: ConfigIssue): ConfigIssue {
  const key = issue.path[issue.path.length - 1];
  return { ...issue, message: maskSecretsInText(issue.message), ...("value" in issue ? { value: maskSecrets(issue.value, key) } : {}) };
}

function formatValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function formatIssue(raw: ConfigIssue): string {
  const issue = maskIssue(raw);
  const location = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const lines = [`${location}  ${formatPath(issue.path)}`];
  if ("value" in issue) lines.push(`    found:   ${formatValue(issue.value)}`);
  lines.push(`    problem: ${issue.message}`);
  return lines.join("\n");
}

/** Thrown by the loader with every problem it found. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const sorted = issues.map(maskIssue).sort(
      (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || formatPath(a.path).localeCompare(formatPath(b.path)),
    );
    const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
    super(`Configuration is invalid (${count}); nothing was synthesized.\n\n${sorted.map(formatIssue).join("\n\n")}\n`);
    this.name = "ConfigError";
    this.issues = sorted;
  }
}
