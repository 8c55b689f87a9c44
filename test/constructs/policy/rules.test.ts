/**
 * Every rule of the catalog has at least one case: a compliant fixture it passes and a violating fixture it
 * flags, at the violating resource's construct path, with a message saying what is wrong.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../../constructs/policy/rules";
import { ruleApplies } from "../../../constructs/policy/types";
import { ACCOUNT_CASES } from "./cases/account";
import { BACKUP_CASES } from "./cases/backup";
import { CLUSTER_CASES } from "./cases/cluster";
import { DATABASE_CASES } from "./cases/databases";
import { EDGE_CASES } from "./cases/edge";
import { ENCRYPTION_CASES } from "./cases/encryption";
import { IAM_CASES } from "./cases/iam";
import { KUBERNETES_CASES } from "./cases/kubernetes";
import { NETWORK_CASES } from "./cases/network";
import { SECRET_CASES } from "./cases/secrets";
import { SERVICE_CASES } from "./cases/services";
import { STORAGE_CASES } from "./cases/storage";
import { findings, FIXTURE_STACK, type RuleCase } from "./cases/support";

const CASES: readonly RuleCase[] = [
  ...NETWORK_CASES,
  ...DATABASE_CASES,
  ...SERVICE_CASES,
  ...CLUSTER_CASES,
  ...IAM_CASES,
  ...STORAGE_CASES,
  ...EDGE_CASES,
  ...ENCRYPTION_CASES,
  ...BACKUP_CASES,
  ...KUBERNETES_CASES,
  ...SECRET_CASES,
  ...ACCOUNT_CASES,
];

describe("rule catalog", () => {
  it("has at least 50 rules with unique ids, a severity, a scope and a fix", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)*$/);
      expect(["low", "medium", "high", "critical"]).toContain(rule.severity);
      expect(["all", "prod", "all-strict-prod"]).toContain(rule.scope);
      expect(rule.fix.length, rule.id).toBeGreaterThan(20);
    }
  });

  it("has a compliant and a violating fixture for every rule", () => {
    const tested = new Set(CASES.map((testCase) => testCase.rule));
    expect(RULES.map((rule) => rule.id).filter((id) => !tested.has(id))).toEqual([]);
    expect([...tested].filter((id) => !RULES.some((rule) => rule.id === id))).toEqual([]);
  });
});

describe.each(CASES.map((testCase) => [`${testCase.rule}${testCase.name ? ` (${testCase.name})` : ""}`, testCase] as const))("%s", (_, testCase) => {
  const profile = testCase.profile ?? "production";

  it("passes the compliant fixture", () => {
    expect(findings(testCase.rule, testCase.compliant, profile)).toEqual([]);
  });

  it("flags the violating fixture at its construct path, naming the problem", () => {
    const found = findings(testCase.rule, testCase.violating, profile);
    expect(found.length).toBeGreaterThan(0);
    const messages = found.map((finding) => finding.message).join("\n");
    for (const pattern of [testCase.expect].flat()) expect(messages).toMatch(pattern);
    for (const finding of found) {
      expect(finding.rule).toBe(testCase.rule);
      expect(finding.path.startsWith(`${FIXTURE_STACK}/`) || finding.path === FIXTURE_STACK).toBe(true);
    }
  });

  it("applies only where its scope says", () => {
    const rule = RULES.find((item) => item.id === testCase.rule);
    if (rule?.scope !== "prod") return;
    expect(ruleApplies(rule, "development")).toBe(false);
    expect(findings(testCase.rule, testCase.violating, "development")).toEqual([]);
  });
});
