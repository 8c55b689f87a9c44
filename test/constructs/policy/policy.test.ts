/**
 * The policy pack as wired into synthesis (`applyPolicy`), suppressions, and the reporters.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import type { Profile } from "../../../config/schema/environment";
import { ConfigError } from "../../../config/errors";
import { applyPolicy, type PolicyOptions } from "../../../constructs/policy";
import { awsProvider } from "../../../constructs/core/aws";
import { defaultFailAt, evaluateStack, failing, passed } from "../../../constructs/policy/engine";
import { formatTable, jsonReport, markdownSummary, sarifReport } from "../../../constructs/policy/report";
import { RULES } from "../../../constructs/policy/rules";
import { loadSuppressions, suppressionErrors } from "../../../constructs/policy/suppressions";
import { bucket } from "./cases/storage";
import { fixture, FIXTURE_STACK } from "./cases/support";
import { TEST_ACCOUNT } from "../../support/synth";

const NOW = new Date("2026-06-01T12:00:00Z");

function policyStack(build: (scope: Construct) => void, options: PolicyOptions): TerraformStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, FIXTURE_STACK);
  awsProvider(stack, "aws", { region: TEST_ACCOUNT.region, accountId: TEST_ACCOUNT.accountId, tags: {} });
  build(stack);
  applyPolicy(stack, { now: NOW, ...options });
  return stack;
}

/** A bucket encrypted with SSE-S3 instead of a customer key (S3-KMS, medium). */
const sseS3 = (scope: Construct) => bucket(scope, { encryption: "sse-s3" });
/** A compliant bucket without prevent_destroy (STATEFUL-PREVENT-DESTROY, production only). */
const unprotected = (scope: Construct) => bucket(scope, { preventDestroy: false });

/** A bare bucket: no public access block (critical), no encryption, TLS policy, versioning, ... */
const bareBucket = (scope: Construct) => new S3Bucket(scope, "uploads", { bucket: "acme-prod-uploads", lifecycle: { preventDestroy: true } });

function synthError(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
  } catch (error) {
    return (error as Error).message;
  }
  return "";
}

function suppressionsDir(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "policy-config-"));
  mkdirSync(join(dir, "policy"));
  writeFileSync(join(dir, "policy", "suppressions.yaml"), yaml);
  return dir;
}

/** The ConfigError message loading `yaml` as the suppressions file throws ("" when it loads). */
function loadError(yaml: string): string {
  try {
    loadSuppressions(suppressionsDir(yaml), NOW);
  } catch (error) {
    return error instanceof ConfigError ? error.message : `not a ConfigError: ${String(error)}`;
  }
  return "";
}

describe("applyPolicy: findings fail synthesis", () => {
  it("fails synth with the construct path, the rule and the fix", () => {
    const message = synthError(policyStack(bareBucket, { profile: "production" }));
    expect(message).toContain("[fixture/uploads]");
    expect(message).toContain("[S3-BLOCK-PUBLIC] (critical) fixture/uploads: no aws_s3_bucket_public_access_block");
    expect(message).toMatch(/Fix: Add an aws_s3_bucket_public_access_block/);
    expect(message).toContain("To accept a finding, add { rule, path, reason } to policy/suppressions.yaml of the configuration directory.");
  });

  it("synthesizes a compliant stack", () => {
    expect(synthError(policyStack((scope) => bucket(scope), { profile: "production" }))).toBe("");
  });

  it("reports findings below the environment's threshold as warnings, not errors", () => {
    // S3-KMS is medium: a warning in development (fails at high), an error in production (fails at low).
    const dev = policyStack(sseS3, { profile: "development" });
    expect(synthError(dev)).toBe("");
    const warnings = dev.node.findAll().flatMap((node) => node.node.metadata.filter((entry) => entry.type === "@cdktf/warn").map((entry) => String(entry.data)));
    expect(warnings.some((warning) => warning.includes("[S3-KMS] (medium)"))).toBe(true);
    expect(synthError(policyStack(sseS3, { profile: "production" }))).toContain("[S3-KMS] (medium)");
  });

  it("takes the threshold from the profile defaults unless given", () => {
    expect(defaultFailAt("production")).toBe("low");
    expect(defaultFailAt("staging")).toBe("medium");
    expect(defaultFailAt("development")).toBe("high");
    expect(synthError(policyStack(sseS3, { profile: "development", failAt: "medium" }))).toContain("[S3-KMS]");
  });

  it("runs production-only rules only in production", () => {
    expect(synthError(policyStack(unprotected, { profile: "production" }))).toContain("[STATEFUL-PREVENT-DESTROY]");
    expect(synthError(policyStack(unprotected, { profile: "staging" }))).toBe("");
  });

  it("accepts a suppressed finding and records its reason", () => {
    const suppressions = [{ rule: "S3-KMS", path: "fixture/*", reason: "objects are public website assets", origin: "test" }];
    expect(synthError(policyStack(sseS3, { profile: "production", suppressions }))).toBe("");
    const evaluation = evaluateStack(fixture(sseS3), { profile: "production", suppressions });
    expect(evaluation.suppressed.map((finding) => [finding.rule, finding.suppression?.reason])).toEqual([["S3-KMS", "objects are public website assets"]]);
    expect(passed(evaluation)).toBe(true);
  });

  it("rejects a suppression of a critical rule in a production stack", () => {
    const suppressions = [{ rule: "S3-BLOCK-PUBLIC", path: "fixture/uploads", reason: "the bucket hosts a public website", expires: "2027-01-31", origin: "suppressions[0]" }];
    const message = synthError(policyStack((scope) => bucket(scope, { publicAccessBlock: false }), { profile: "production", suppressions }));
    expect(message).toContain("policy suppression rejected: suppressions[0]: S3-BLOCK-PUBLIC is a critical rule and cannot be suppressed in production stack fixture");
    // Outside production the same suppression is accepted.
    expect(synthError(policyStack((scope) => bucket(scope, { publicAccessBlock: false }), { profile: "staging", suppressions }))).toBe("");
  });

  it("rejects a glob, a missing expiry or a distant expiry on a high or critical rule's suppression (also when not loaded from a file)", () => {
    const errors = suppressionErrors(
      [
        { rule: "S3-VERSIONING", path: "fixture/*", reason: "migrating buckets one by one", expires: "2026-09-01" },
        { rule: "S3-VERSIONING", path: "fixture/uploads", reason: "migrating buckets one by one" },
        { rule: "S3-VERSIONING", path: "fixture/uploads", reason: "migrating buckets one by one", expires: "2027-06-03" },
        { rule: "S3-VERSIONING", path: "fixture/uploads", reason: "migrating buckets one by one", expires: "2027-06-02" },
        { rule: "S3-KMS", path: "fixture/**", reason: "public website assets" },
      ],
      "fixture",
      "staging",
      NOW,
    );
    expect(errors).toEqual([
      expect.stringMatching(/^suppressions\[0\]: S3-VERSIONING is a high rule: its suppression names one exact construct path, not a glob/),
      expect.stringMatching(/^suppressions\[1\]: S3-VERSIONING is a high rule: its suppression needs an expiry at most 366 days away/),
      expect.stringMatching(/^suppressions\[2\]: S3-VERSIONING is a high rule: its suppression may run at most 366 days \(until 2027-06-02\)/),
    ]);
  });

  it("rejects an expired suppression where it applies", () => {
    const errors = suppressionErrors([{ rule: "S3-KMS", path: "fixture/**", reason: "migrating to the data key", expires: "2026-05-31" }], "fixture", "staging", NOW);
    expect(errors).toEqual([expect.stringContaining("expired on 2026-05-31")]);
    expect(suppressionErrors([{ rule: "S3-KMS", path: "other/**", reason: "migrating to the data key", expires: "2026-05-31" }], "fixture", "staging", NOW)).toEqual([]);
  });
});

describe("loadSuppressions", () => {
  const valid = `suppressions:\n  - rule: S3-KMS\n    path: prod-infra/site/*\n    reason: public website assets need no customer key\n    expires: "2026-12-31"\n`;

  it("loads valid suppressions with their origin", () => {
    const loaded = loadSuppressions(suppressionsDir(valid), NOW);
    expect(loaded).toEqual([
      { rule: "S3-KMS", path: "prod-infra/site/*", reason: "public website assets need no customer key", expires: "2026-12-31", origin: expect.stringMatching(/suppressions\.yaml suppressions\[0\]$/) },
    ]);
  });

  it("returns none when the file does not exist", () => {
    expect(loadSuppressions(mkdtempSync(join(tmpdir(), "policy-empty-")), NOW)).toEqual([]);
  });

  it("rejects a suppression without a reason", () => {
    expect(loadError(`suppressions:\n  - rule: S3-KMS\n    path: prod-infra/site/*\n`)).toMatch(/suppressions\[0\]\.reason[\s\S]*required key is missing/);
  });

  it("rejects a reason shorter than 10 characters", () => {
    expect(loadError(`suppressions:\n  - rule: S3-KMS\n    path: prod-infra/site/*\n    reason: it is ok\n`)).toMatch(/suppressions\[0\]\.reason[\s\S]*at least 10 characters/);
  });

  it("rejects an expired suppression", () => {
    expect(loadError(valid.replace("2026-12-31", "2026-05-01"))).toMatch(/suppressions\[0\]\.expires[\s\S]*expired on 2026-05-01 \(today is 2026-06-01\)/);
  });

  it("rejects an unknown rule and a malformed date", () => {
    expect(loadError(valid.replace("S3-KMS", "S3-NOPE"))).toMatch(/suppressions\[0\]\.rule[\s\S]*unknown rule id/);
    expect(loadError(valid.replace("2026-12-31", "2026-13-45"))).toMatch(/suppressions\[0\]\.expires[\s\S]*not a calendar date/);
  });

  it("keeps the bundled suppressions file for the operator's own: the platform's exceptions live in code", () => {
    expect(loadSuppressions(join(__dirname, "..", "..", "..", "config"), NOW)).toEqual([]);
  });
});

describe("reports", () => {
  const evaluations = (["production", "development"] as Profile[]).map((profile) =>
    evaluateStack(fixture((scope) => bucket(scope, { encryption: "sse-s3", logging: false })), {
      stack: `${profile}-stack`,
      profile,
      suppressions: [{ rule: "ACCESS-LOGS", path: "*/uploads", reason: "CloudTrail data events audit this bucket" }],
    }),
  );

  it("fails production (threshold low) and passes development (threshold high) on the same findings", () => {
    expect(evaluations.map((evaluation) => [evaluation.stack, failing(evaluation).map((finding) => finding.rule)])).toEqual([
      ["production-stack", ["S3-KMS"]],
      ["development-stack", []],
    ]);
  });

  it("prints a table with failing findings and a status line per stack", () => {
    const table = formatTable(evaluations);
    expect(table).toMatch(/FAIL\s+medium\s+S3-KMS\s+fixture\/uploads/);
    expect(table).toMatch(/warn\s+medium\s+S3-KMS/);
    expect(table).toMatch(/FAIL\s+production-stack\s+profile production\s+fails at low\s+1 failing, 0 warning\(s\), 1 suppressed/);
    expect(table).toMatch(/pass\s+development-stack/);
  });

  it("writes SARIF 2.1.0 with every rule and each finding at its synthesized file", () => {
    const sarif = sarifReport(evaluations) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[] };
    expect(sarif.version).toBe("2.1.0");
    const [run] = sarif.runs;
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    const kms = run?.results.find((result) => result.ruleId === "S3-KMS");
    expect(kms).toMatchObject({
      level: "warning",
      locations: [{ physicalLocation: { artifactLocation: { uri: "cdktf.out/stacks/production-stack/cdk.tf.json" } }, logicalLocations: [{ fullyQualifiedName: "fixture/uploads" }] }],
    });
    expect(run?.results.find((result) => result.ruleId === "ACCESS-LOGS")).toMatchObject({ suppressions: [{ kind: "external", justification: "CloudTrail data events audit this bucket" }] });
  });

  it("writes a JSON report and a markdown summary", () => {
    const report = jsonReport(evaluations, NOW);
    expect(report).toMatchObject({ passed: false, generatedAt: NOW.toISOString(), stacks: [{ stack: "production-stack", passed: false, failing: 1 }, { stack: "development-stack", passed: true }] });
    const markdown = markdownSummary(evaluations);
    expect(markdown).toContain("## Policy: failed");
    expect(markdown).toContain("| production-stack | production | low | 1 | 0 | 1 | ❌ |");
    expect(markdown).toMatch(/### Suppressed findings[\s\S]*CloudTrail data events audit this bucket/);
  });
});
