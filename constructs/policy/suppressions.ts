/**
 * Suppressions: accepted exceptions to policy rules, kept in `config/policy/suppressions.yaml` (schema in
 * `config/schema/policy.ts`). Rejected, with the file and key path:
 * - a suppression without a reason, or with a reason shorter than 10 characters (schema);
 * - an expired suppression (its `expires` date is before today, UTC);
 * - a suppression of an unknown rule id;
 * - a suppression of a critical rule that matches a production stack (checked per stack, where the profile
 *   is known: `suppressionErrors`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import type { Profile } from "../../config/schema/environment";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { type Suppression, SuppressionsFileSchema } from "../../config/schema/policy";
import { readYamlFile } from "../../config/source";
import { issueAt, validateWith } from "../../config/validate";
import { RULE_IDS, ruleById } from "./rules";
import type { Finding } from "./types";

/** Where suppressions live, relative to the configuration directory. */
export const SUPPRESSIONS_FILE = join("policy", "suppressions.yaml");

export interface LoadedSuppression extends Suppression {
  /** `config/policy/suppressions.yaml suppressions[2]`, for messages. */
  readonly origin: string;
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Reads and validates the suppressions of a configuration directory (none when the file is absent).
 * Throws a ConfigError listing every rejected suppression.
 */
export function loadSuppressions(configDir: string, now: Date = new Date()): LoadedSuppression[] {
  const path = join(configDir, SUPPRESSIONS_FILE);
  if (!existsSync(path)) return [];
  const issues: ConfigIssue[] = [];
  const source = readYamlFile(path, issues);
  const parsed = source ? validateWith(SuppressionsFileSchema, source.data, source, issues) : undefined;
  if (!source || !parsed) throw new ConfigError(issues);
  const today = isoDay(now);
  parsed.suppressions.forEach((suppression, index) => {
    if (!ruleById(suppression.rule)) {
      issues.push(issueAt(source, ["suppressions", index, "rule"], `unknown rule id; rules are listed by \`npm run policy -- --list-rules\` (e.g. ${RULE_IDS.slice(0, 3).join(", ")})`, suppression.rule));
    }
    if (suppression.expires !== undefined && suppression.expires < today) {
      issues.push(issueAt(source, ["suppressions", index, "expires"], `expired on ${suppression.expires} (today is ${today}): fix the finding, or renew the suppression with a new reason`, suppression.expires));
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return parsed.suppressions.map((suppression, index) => ({ ...suppression, origin: `${source.file} suppressions[${index}]` }));
}

/** Whether a suppression pattern can match a resource of `stack` (its first path segment matches the stack). */
export function targetsStack(suppression: Suppression, stack: string): boolean {
  const [first = ""] = suppression.path.split("/");
  return picomatch.isMatch(stack, first);
}

/**
 * Problems with suppressions for one stack: expired ones (when not caught at load time), unknown rules, and
 * critical rules suppressed in a production stack.
 */
export function suppressionErrors(suppressions: readonly Suppression[], stack: string, profile: Profile, now: Date = new Date()): string[] {
  const today = isoDay(now);
  const errors: string[] = [];
  suppressions.forEach((suppression, index) => {
    if (!targetsStack(suppression, stack)) return;
    const origin = (suppression as Partial<LoadedSuppression>).origin ?? `suppressions[${index}]`;
    const rule = ruleById(suppression.rule);
    if (!rule) {
      errors.push(`${origin}: unknown rule id "${suppression.rule}"`);
      return;
    }
    if (suppression.expires !== undefined && suppression.expires < today) {
      errors.push(`${origin}: the suppression of ${suppression.rule} for ${suppression.path} expired on ${suppression.expires}; fix the finding or renew it with a new reason`);
    }
    if (rule.severity === "critical" && profile === "production") {
      errors.push(`${origin}: ${suppression.rule} is a critical rule and cannot be suppressed in production stack ${stack} (path ${suppression.path}); fix the resource instead`);
    }
  });
  return errors;
}

/** The suppression that accepts a finding, if any. */
export function suppressionFor(finding: Pick<Finding, "rule" | "path">, suppressions: readonly Suppression[]): Suppression | undefined {
  return suppressions.find((suppression) => suppression.rule === finding.rule && picomatch.isMatch(finding.path, suppression.path, { dot: true }));
}
