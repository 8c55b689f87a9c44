/**
 * Configuration may choose any version the version catalog lists (constructs/core/versions.ts), but validation rejects
 * one the catalog does not list or one past its end of standard support on the support date, with the file, key,
 * value and what is allowed. Tests evaluate support on 2026-12-06 (vitest.config.mts sets PLATFORM_SUPPORT_DATE).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../config/errors";
import { loadConfig } from "../../config/loader";
import { withSupportDate } from "../../config/runtime-options";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";

function problems(edits: Parameters<typeof tempConfig>[0], date?: string): ConfigIssue[] {
  try {
    const dir = tempConfig(edits);
    if (date) withSupportDate(date, () => loadConfig(dir));
    else loadConfig(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the configuration to be rejected");
}

function at(issues: ConfigIssue[], file: string, path: string): ConfigIssue {
  const matching = issues.filter((issue) => issue.file.endsWith(file) && issue.path.join(".") === path);
  expect(matching, JSON.stringify(issues.map((issue) => [issue.file, issue.path.join("."), issue.message]), null, 1)).toHaveLength(1);
  return matching[0] as ConfigIssue;
}

describe("versions in configuration", () => {
  it("accepts the bundled configuration on the support date", () => {
    expect(() => loadConfig(BUNDLED_CONFIG_DIR)).not.toThrow();
  });

  it("rejects Aurora PostgreSQL 16.6, the former default: a non-LTS minor the catalog does not list", () => {
    const issue = at(problems({ set: { "environments/prod.yaml": { services: { postgres: { "noor-db": { engineVersion: "16.6" } } } } } }), "prod.yaml", "services.postgres.noor-db.engineVersion");
    expect(issue.message).toBe(
      "Aurora PostgreSQL 16.6 is not in the version catalog (constructs/core/versions.ts); allowed on 2026-12-06: 15.10 (until 2028-02-29), 16.8 (until 2029-02-28), 17.7 (until 2030-02-28)",
    );
    expect(issue.value).toBe("16.6");
    expect(issue.line).toBeGreaterThan(0);
  });

  it("rejects a version past its end of standard support on the support date (the bundled 15.10 in March 2028)", () => {
    const issues = problems({}, "2028-03-01");
    expect(at(issues, "prod.yaml", "services.postgres.smartedu-db.engineVersion").message).toMatch(
      /^Aurora PostgreSQL 15\.10 reached the end of standard support on 2028-02-29 \(https:\/\/docs\.aws\.amazon\.com\/\S+\); allowed on 2028-03-01: 16\.8 \(until 2029-02-28\), 17\.7 \(until 2030-02-28\)$/,
    );
    // Kubernetes 1.35 left standard support in 2027: staging (STANDARD) is rejected, production (EXTENDED) may stay.
    expect(at(issues, "staging.yaml", "cluster.kubernetesVersion").message).toMatch(/^Amazon EKS Kubernetes 1\.35 reached the end of standard support on 2027-03-27/);
    expect(at(issues, "staging.yaml", "cluster.managedAddons.coreDns").message).toMatch(/reached the end of standard support on 2027-03-27 \(Kubernetes 1\.35\)/);
    expect(issues.filter((issue) => issue.file.endsWith("prod.yaml") && issue.path[0] === "cluster")).toEqual([]);
  });

  it("rejects an add-on build or AMI release the catalog does not list for the cluster's Kubernetes version", () => {
    const issues = problems({ set: { "environments/dev.yaml": { cluster: { managedAddons: { coreDns: "v1.11.4-eksbuild.2" }, nodeImageRelease: "1.35.2-20260301" } } } });
    expect(at(issues, "dev.yaml", "cluster.managedAddons.coreDns").message).toBe(
      "EKS add-on CoreDNS v1.11.4-eksbuild.2 is not in the version catalog (constructs/core/versions.ts); allowed on 2026-12-06: v1.13.2-eksbuild.4 (until 2027-03-27)",
    );
    expect(at(issues, "dev.yaml", "cluster.nodeImageRelease").message).toMatch(/^EKS-optimized AL2023 AMI release 1\.35\.2-20260301 is not in the version catalog/);
  });

  it("rejects RabbitMQ 4.2 on an instance family it does not run on", () => {
    const issue = at(problems({ set: { "environments/staging.yaml": { services: { rabbitmq: { "murima-mq": { engineVersion: "4.2" } } } } } }), "staging.yaml", "services.rabbitmq.murima-mq.instanceType");
    expect(issue.message).toBe("RabbitMQ 4.2 runs only on mq.m7g instance types (Amazon MQ for RabbitMQ engine versions); use one, or RabbitMQ 3.13");
  });
});
