/**
 * The policy pack's mutation suite (npm run policy:mutations, scripts/lib/mutations): at least 60 realistic
 * regressions, each applied alone to the bundled configuration, every one caught by its expected rule, and the
 * unmutated stacks pass. The suite runs in-process once; the assertions read its results.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { RULES } from "../../constructs/policy/rules";
import { allMutations, runMutationSuite, type SuiteResult } from "../../scripts/lib/mutations/run";
import { BUNDLED_CONFIG_DIR } from "../support/synth";

const NOW = new Date("2026-12-06T12:00:00Z");
let suite: SuiteResult;

beforeAll(async () => {
  // The unmutated baseline is the bundled synthesis of this run (test/support/global-setup.ts), not a second one.
  suite = await runMutationSuite({ configDir: BUNDLED_CONFIG_DIR, now: NOW, baselineFrom: inject("bundledOutdir") });
}, 900_000);

describe("policy mutation suite", () => {
  it("starts from stacks that pass the pack (otherwise a catch proves nothing)", () => {
    expect(suite.baselineFailures).toEqual([]);
  });

  it("has at least 60 regressions with unique ids, through stack patches and configuration edits", () => {
    const mutations = allMutations(NOW);
    expect(mutations.length).toBeGreaterThanOrEqual(60);
    expect(new Set(mutations.map((mutation) => mutation.id)).size).toBe(mutations.length);
    expect(mutations.filter((mutation) => mutation.kind === "config").length).toBeGreaterThanOrEqual(8);
    expect(suite.total).toBe(mutations.length);
  });

  it("catches every regression with its expected rule (100 %)", () => {
    const missed = suite.results.filter((result) => !result.caught).map((result) => `${result.id} (expected ${result.expected}): ${result.observed.join("; ")}`);
    expect(missed).toEqual([]);
    expect(suite.caught).toBe(suite.total);
  });

  it("exercises the rule families reviewers look for", () => {
    const expected = new Set(allMutations(NOW).flatMap((mutation) => (typeof mutation.expect === "string" ? [mutation.expect] : [])));
    for (const rule of ["SG-NO-WORLD-ADMIN", "RDS-NOT-PUBLIC", "IAM-NO-WILDCARD", "IAM-PERMISSIONS-BOUNDARY", "KMS-KEY-POLICY-PUBLIC", "K8S-RBAC-CLUSTER-ADMIN", "K8S-NO-PRIVILEGED", "K8S-NO-ADDED-CAPABILITIES", "K8S-NETPOL-NO-ALLOW-ALL", "WAF-COUNT-MODE-PROD", "ACCOUNT-DETECTIVE-CONTROLS", "ACCOUNT-BASELINE-COVERAGE", "GITHUB-OIDC-DEPLOY-TRUST", "SECRET-TOKEN", "SECRET-LITERAL-CREDENTIAL"]) {
      expect(expected.has(rule), rule).toBe(true);
    }
    // Every expected id is a rule of the pack (a typo would otherwise never be caught).
    expect([...expected].filter((id) => !RULES.some((rule) => rule.id === id))).toEqual([]);
  });
});
