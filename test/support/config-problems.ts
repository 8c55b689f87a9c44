/**
 * Helpers for tests of rejected configuration: load a directory expecting a ConfigError, and pick the one issue
 * at a key path.
 */
import { expect } from "vitest";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";

/** Loads a configuration directory expecting it to be rejected; returns every issue reported. */
export function problems(dir: string): ConfigIssue[] {
  try {
    loadConfig(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error(`expected ${dir} to be rejected`);
}

/** The single issue reported at `pathText` (dot-joined key path); fails when there is not exactly one. */
export function only(issues: ConfigIssue[], pathText: string): ConfigIssue {
  const matching = issues.filter((issue) => issue.path.join(".") === pathText);
  expect(matching, `issues at ${pathText}: ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  return matching[0]!;
}
