/**
 * Suppressions: the operator's accepted exceptions to policy rules, kept in `policy/suppressions.yaml` of the
 * configuration directory (schema in `config/schema/policy.ts`, read and checked with the configuration by
 * `config/suppressions.ts`). Here: matching them to findings, and the per-stack checks the policy pack repeats where
 * the stack's profile is known (`suppressionErrors`): expired ones, unknown rules, and critical rules in a production
 * stack. The same checks apply to the platform's exceptions declared in code (constructs/policy/exceptions.ts).
 */
import picomatch from "picomatch";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import type { Profile } from "../../config/schema/environment";
import type { LoadedSuppression, Suppression } from "../../config/schema/policy";
import { isoDay, readSuppressions, strictSuppressionProblems, SUPPRESSIONS_FILE } from "../../config/suppressions";
import { ruleById } from "./rules";
import type { Finding } from "./types";

export { isoDay, SUPPRESSIONS_FILE, type LoadedSuppression };

/**
 * Reads and validates the suppressions of a configuration directory (none when the file is absent). Throws a
 * ConfigError listing every rejected suppression. The loader reads them with the rest of the configuration
 * (PlatformConfig.suppressions); this is for commands that read a directory's suppressions alone.
 */
export function loadSuppressions(configDir: string, now: Date = new Date()): LoadedSuppression[] {
  const issues: ConfigIssue[] = [];
  const loaded = readSuppressions(configDir, issues, { now });
  if (issues.length > 0) throw new ConfigError(issues);
  return loaded;
}

/** Whether a suppression pattern can match a resource of `stack` (its first path segment matches the stack). */
export function targetsStack(suppression: Suppression, stack: string): boolean {
  const [first = ""] = suppression.path.split("/");
  return picomatch.isMatch(stack, first);
}

/**
 * Problems with suppressions for one stack: expired ones (when not caught at load time), unknown rules, critical
 * rules suppressed in a production stack, and high or critical rules suppressed by a glob or without an expiry at
 * most a year away. The platform's exceptions declared in code (`inCode`) name one resource by construction and live
 * with the code that needs them, so they carry no expiry; a critical one is still rejected in production.
 */
export function suppressionErrors(suppressions: readonly Suppression[], stack: string, profile: Profile, now: Date = new Date(), options: { inCode?: boolean } = {}): string[] {
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
    if (!options.inCode) {
      for (const problem of strictSuppressionProblems(suppression, rule.severity, now)) errors.push(`${origin}: ${problem.message}`);
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
