/**
 * Validation results shared by the data-service constructs and the configuration schema. Each construct keeps its
 * rules in one function that returns problems (key path relative to the service's settings, message, value); the
 * construct throws them, and the configuration loader reports them at `services.<kind>.<name>.<path>` of the
 * environment file. One implementation, two callers: the rules cannot drift apart.
 */

import { versionProblem, type VersionCheck, type VersionComponent } from "../core/versions";

export interface SettingProblem {
  /** Key path relative to the settings object, e.g. ["backup", "retentionDays"]. */
  readonly path: readonly (string | number)[];
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value found. */
  readonly value?: unknown;
}

/** Thrown by a construct whose props break one of its rules; lists every problem at once. */
export class InvalidSettingsError extends Error {
  readonly problems: readonly SettingProblem[];

  constructor(subject: string, problems: readonly SettingProblem[]) {
    const lines = problems.map((problem) => {
      const path = problem.path.length > 0 ? problem.path.join(".") : "(settings)";
      const found = "value" in problem ? ` (found ${JSON.stringify(problem.value)})` : "";
      return `  - ${path}: ${problem.message}${found}`;
    });
    super(`${subject}: invalid settings\n${lines.join("\n")}`);
    this.name = "InvalidSettingsError";
    this.problems = problems;
  }
}

export function throwIfProblems(subject: string, problems: readonly SettingProblem[]): void {
  if (problems.length > 0) throw new InvalidSettingsError(subject, problems);
}

/** Collects problems with a fluent "check" helper. */
export class ProblemList {
  readonly items: SettingProblem[] = [];

  /** Records a problem at `path` unless `ok`. */
  check(ok: boolean, path: readonly (string | number)[], message: string, value?: unknown): void {
    if (!ok) this.items.push({ path, message, value });
  }

  /** Integer in [min, max]. */
  range(value: number, min: number, max: number, path: readonly (string | number)[], what: string): void {
    this.check(Number.isInteger(value) && value >= min && value <= max, path, `${what} must be an integer from ${min} to ${max}`, value);
  }

  oneOf<T>(value: T, allowed: readonly T[], path: readonly (string | number)[], what: string): void {
    this.check(allowed.includes(value), path, `${what} must be one of ${allowed.join(", ")}`, value);
  }

  /**
   * A version listed in the version catalog (constructs/core/versions.ts) and, when `asOf` is given (configuration
   * validation), not past its end of standard support on that day.
   */
  version(component: VersionComponent, value: string, path: readonly (string | number)[], asOf?: string, check?: VersionCheck): void {
    const problem = versionProblem(component, value, asOf, check);
    this.check(problem === undefined, path, problem ?? "", value);
  }
}
