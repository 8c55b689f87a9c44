/**
 * The policy gate cannot be switched off by configuration: production's threshold has a floor, an environment that
 * deploys where production deploys is production, and suppressions of high and critical rules are exact and expire.
 * Each is a configuration error at the file, line and key.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { namedLikeProduction } from "../../config/production-gate";
import { latestExpiry } from "../../config/suppressions";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";

const NOW = new Date("2026-06-01T12:00:00Z");

function problems(dir: string): readonly ConfigIssue[] {
  try {
    loadConfig(dir, { now: NOW });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error(`expected ${dir} to be rejected`);
}

const fileOf = (issue: ConfigIssue) => issue.file.split("/").slice(-2).join("/");

function suppressions(entries: string): string {
  return tempConfig({ write: { "policy/suppressions.yaml": `suppressions:\n${entries}` } });
}

describe("production's threshold has a floor", () => {
  it("rejects a production environment that would fail only at critical", () => {
    const [issue, ...rest] = problems(tempConfig({ set: { "environments/prod.yaml": { policy: { failAt: "critical" } } } }));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ path: ["policy", "failAt"], value: "critical", message: expect.stringMatching(/a production environment fails at high or lower \(allowed: low, medium, high\)/) });
    expect(fileOf(issue!)).toBe("environments/prod.yaml");
    expect(issue!.line).toBeGreaterThan(0);
  });

  it("accepts high in production and anything elsewhere", () => {
    expect(() => loadConfig(tempConfig({ set: { "environments/prod.yaml": { policy: { failAt: "high" } }, "environments/dev.yaml": { policy: { failAt: "critical" } } } }), { now: NOW })).not.toThrow();
  });
});

describe("an environment that deploys where production deploys must use the production profile", () => {
  it("rejects one deployed through production's GitHub environment (names compared without case: GitHub's are case-insensitive)", () => {
    const found = problems(tempConfig({ set: { "environments/staging.yaml": { deployment: { githubEnvironment: "Production" } } } }));
    expect(found).toEqual([expect.objectContaining({ path: ["deployment", "githubEnvironment"], value: "Production", message: expect.stringMatching(/GitHub environment Production is already environment prod's/) })]);
    expect(fileOf(found[0]!)).toBe("environments/staging.yaml");
  });

  it("rejects one whose GitHub environment is named like production", () => {
    const found = problems(tempConfig({ set: { "environments/dev.yaml": { deployment: { githubEnvironment: "prod-eu" } } } }));
    expect(found).toEqual([expect.objectContaining({ path: ["deployment", "githubEnvironment"], message: expect.stringMatching(/whose name says production/) })]);
    expect(namedLikeProduction("live_us")).toBe(true);
    expect(namedLikeProduction("product-demo")).toBe(false);
    expect(namedLikeProduction("preprod")).toBe(false);
  });

  it("rejects one in production's account (or the bootstrap account) unless the account records why they share it", () => {
    const project = readFileSync(join(BUNDLED_CONFIG_DIR, "project.yaml"), "utf8");
    const unshared = project.replace(/^\s*sharedWithNonProduction:.*\n/m, "");
    expect(unshared).not.toBe(project);
    const found = problems(tempConfig({ write: { "project.yaml": unshared } }));
    expect(found.map((issue) => [fileOf(issue), issue.path.join("."), issue.value])).toEqual([
      ["environments/dev.yaml", "account.id", "111111111111"],
      ["environments/staging.yaml", "account.id", "111111111111"],
    ]);
    expect(found[0]?.message).toMatch(/environment dev \(profile development\) deploys into account 111111111111 \(main\), the account of production environment prod: it is production; set profile: production, .* or record why in project.yaml accounts\.main\.sharedWithNonProduction/);
    // The bootstrap account is production even without a production environment in it.
    const moved = problems(
      tempConfig({
        write: { "project.yaml": unshared.replace(/^accounts:\n/m, 'accounts:\n  live: { id: "222222222222", region: eu-west-1 }\n') },
        set: { "environments/prod.yaml": { account: { id: "222222222222" } }, "environments/staging.yaml": { account: { id: "222222222222" } } },
      }),
    ).filter((issue) => issue.path.join(".") === "account.id");
    expect(moved.map((issue) => [fileOf(issue), issue.message.replace(/:.*/, "")])).toEqual([
      ["environments/dev.yaml", "environment dev (profile development) deploys into account 111111111111 (main), the account of the bootstrap stack (Terraform state)"],
      ["environments/staging.yaml", "environment staging (profile staging) deploys into account 222222222222 (live), the account of production environment prod"],
    ]);
  });

  it("accepts the same settings on a production environment", () => {
    // A production profile brings production's other requirements too: Murima's audit logs need the archive.
    const staging = {
      profile: "production",
      deployment: { githubEnvironment: "production-eu" },
      observability: { logs: { auditArchive: { bucket: "murima-audit-archive" } } },
      storage: { buckets: { "murima-audit-archive": { objectLock: { mode: "COMPLIANCE", retentionDays: 2557 } } } },
    };
    expect(() => loadConfig(tempConfig({ set: { "environments/staging.yaml": staging } }), { now: NOW })).not.toThrow();
  });
});

describe("suppressions of high and critical rules are exact and expire within a year", () => {
  it("rejects a glob, a missing expiry and an expiry more than a year away", () => {
    const found = problems(
      suppressions(
        [
          "  - { rule: S3-VERSIONING, path: 'dev-infra/storage/*', reason: migrating buckets one by one, expires: '2026-09-01' }",
          "  - { rule: IAM-NO-WILDCARD, path: dev-infra/cluster/role, reason: AWS cannot scope this action }",
          "  - { rule: ALB-HTTPS, path: dev-platform/ingress/web, reason: legacy client on plain HTTP, expires: '2027-07-01' }",
        ].join("\n") + "\n",
      ),
    );
    expect(found.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["suppressions.0.path", expect.stringMatching(/S3-VERSIONING is a high rule: its suppression names one exact construct path, not a glob/)],
      ["suppressions.1.rule", expect.stringMatching(/IAM-NO-WILDCARD is a high rule: its suppression needs an expiry at most 366 days away \(expires: "2027-06-02" at the latest\)/)],
      ["suppressions.2.expires", expect.stringMatching(/ALB-HTTPS is a high rule: its suppression may run at most 366 days \(until 2027-06-02\)/)],
    ]);
    expect(found.every((issue) => fileOf(issue) === "policy/suppressions.yaml" && (issue.line ?? 0) > 0)).toBe(true);
    expect(latestExpiry(NOW)).toBe("2027-06-02");
  });

  it("keeps globs and open-ended suppressions for low and medium rules", () => {
    const dir = suppressions("  - { rule: S3-KMS, path: 'dev-infra/storage/**', reason: 'public website assets, no customer key needed' }\n");
    expect(loadConfig(dir, { now: NOW }).suppressions).toHaveLength(1);
  });

  it("accepts an exact, expiring suppression of a high rule", () => {
    const dir = suppressions("  - { rule: S3-VERSIONING, path: dev-infra/storage/bucket-noor-uploads/bucket, reason: migration in progress, expires: '2027-05-31' }\n");
    expect(loadConfig(dir, { now: NOW }).suppressions).toHaveLength(1);
  });
});
