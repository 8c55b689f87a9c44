/**
 * The operator's policy suppressions (`policy/suppressions.yaml` of the configuration directory; schema in
 * config/schema/policy.ts), read and checked with the rest of the configuration so their problems are reported in
 * the same list:
 * - a suppression without a reason, or with a reason shorter than 10 characters (schema);
 * - an expired suppression (its `expires` date is before today, UTC);
 * - a suppression of a rule the policy pack does not have (constructs/policy/rule-ids.ts);
 * - a suppression of a critical rule whose path matches a production stack (the bootstrap stack, or a stack of an
 *   environment with the production profile). The policy pack checks this again per stack;
 * - a suppression of a high or critical rule whose path is a glob (it names one resource, exactly), that has no
 *   expiry, or whose expiry is more than a year away (MAX_SUPPRESSION_DAYS): such exceptions are revisited.
 *
 * The platform's own accepted exceptions are not here: they live in code next to the construct they concern
 * (constructs/policy/exceptions.ts), so a fresh configuration directory needs no suppressions file at all.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import picomatch from "picomatch";
import { POLICY_RULES, type PolicyRuleId } from "../constructs/policy/rule-ids";
import type { ConfigIssue } from "./errors";
import { type LoadedSuppression, MAX_SUPPRESSION_DAYS, type Severity, STRICT_SUPPRESSION_SEVERITIES, SuppressionsFileSchema, type Suppression } from "./schema/policy";
import { readYamlFile, type FileOverlay } from "./source";
import { issueAt, validateWith } from "./validate";

/** Where suppressions live, relative to the configuration directory. */
export const SUPPRESSIONS_FILE = join("policy", "suppressions.yaml");

/** Today's date (UTC) as YYYY-MM-DD. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The last expiry a high or critical rule's suppression may have, counted from `now`. */
export function latestExpiry(now: Date): string {
  return isoDay(new Date(now.getTime() + MAX_SUPPRESSION_DAYS * 24 * 60 * 60 * 1000));
}

/**
 * What a suppression of a high or critical rule lacks: an exact path (a glob could accept findings on resources
 * nobody reviewed) and an expiry at most a year away. Keys and messages, for the loader and the policy pack.
 */
export function strictSuppressionProblems(suppression: Suppression, severity: Severity, now: Date): { key: "path" | "expires" | "rule"; message: string }[] {
  if (!STRICT_SUPPRESSION_SEVERITIES.includes(severity)) return [];
  const out: { key: "path" | "expires" | "rule"; message: string }[] = [];
  if (picomatch.scan(suppression.path).isGlob) {
    out.push({ key: "path", message: `${suppression.rule} is a ${severity} rule: its suppression names one exact construct path, not a glob (list each resource in its own suppression)` });
  }
  const latest = latestExpiry(now);
  if (suppression.expires === undefined) {
    out.push({ key: "rule", message: `${suppression.rule} is a ${severity} rule: its suppression needs an expiry at most ${MAX_SUPPRESSION_DAYS} days away (expires: "${latest}" at the latest)` });
  } else if (suppression.expires > latest) {
    out.push({ key: "expires", message: `${suppression.rule} is a ${severity} rule: its suppression may run at most ${MAX_SUPPRESSION_DAYS} days (until ${latest}), so it is revisited` });
  }
  return out;
}

export interface SuppressionCheck {
  /** Names of the production stacks the configuration defines (critical rules cannot be suppressed there). @default none */
  readonly productionStacks?: readonly string[];
  /** @default now */
  readonly now?: Date;
  readonly overlay?: FileOverlay;
}

/** Reads and checks `policy/suppressions.yaml` of `directory` (none when the file is absent); problems go to `issues`. */
export function readSuppressions(directory: string, issues: ConfigIssue[], check: SuppressionCheck = {}): LoadedSuppression[] {
  const path = join(directory, SUPPRESSIONS_FILE);
  if (!existsSync(path) && typeof check.overlay?.get(resolve(path)) !== "string") return [];
  const problems: ConfigIssue[] = [];
  const source = readYamlFile(path, problems, check.overlay);
  const parsed = source ? validateWith(SuppressionsFileSchema, source.data, source, problems) : undefined;
  if (!source || !parsed) {
    issues.push(...problems);
    return [];
  }
  const today = isoDay(check.now ?? new Date());
  const ids = Object.keys(POLICY_RULES);
  parsed.suppressions.forEach((suppression, index) => {
    const rule = POLICY_RULES[suppression.rule as PolicyRuleId] as { severity: string } | undefined;
    if (!rule) {
      problems.push(issueAt(source, ["suppressions", index, "rule"], `unknown rule id; rules are listed by \`npm run policy -- --list-rules\` (e.g. ${ids.slice(0, 3).join(", ")})`, suppression.rule));
    } else if (rule.severity === "critical") {
      const [first = ""] = suppression.path.split("/");
      const production = (check.productionStacks ?? []).filter((stack) => picomatch.isMatch(stack, first));
      if (production.length > 0) {
        problems.push(issueAt(source, ["suppressions", index, "rule"], `${suppression.rule} is a critical rule and cannot be suppressed in production stacks (path ${suppression.path} matches ${production.join(", ")}); fix the resource instead`, suppression.rule));
      }
    }
    if (rule) {
      for (const problem of strictSuppressionProblems(suppression, rule.severity as Severity, check.now ?? new Date())) {
        problems.push(issueAt(source, ["suppressions", index, problem.key], problem.message, problem.key === "rule" ? suppression.rule : suppression[problem.key]));
      }
    }
    if (suppression.expires !== undefined && suppression.expires < today) {
      problems.push(issueAt(source, ["suppressions", index, "expires"], `expired on ${suppression.expires} (today is ${today}): fix the finding, or renew the suppression with a new reason`, suppression.expires));
    }
  });
  issues.push(...problems);
  if (problems.length > 0) return [];
  return parsed.suppressions.map((suppression, index) => ({ ...suppression, origin: `${source.file} suppressions[${index}]` }));
}
