/**
 * observability.exporters (issue 17 gap 2): each exporter reads a rotated password when it starts, so it needs
 * Reloader; the PostgreSQL monitoring user's rotation function runs in the private subnets and needs a way to Secrets
 * Manager. Each rule is an error at the exporter's key, with its line.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { tempConfigsRemovedAfterAll } from "../support/synth";

const config = tempConfigsRemovedAfterAll();
const devIssues = (patch: Record<string, unknown>) => problems(config({ set: { "environments/dev.yaml": patch } })).filter((issue) => issue.file.endsWith("environments/dev.yaml"));
const reloaderOn = { addons: { reloader: { enabled: true } } };

describe("observability.exporters", () => {
  it("needs Reloader for each exporter it turns on", () => {
    const issues = devIssues({ observability: { exporters: { redis: { enabled: true }, postgres: { enabled: true } } } });
    for (const kind of ["redis", "postgres"]) {
      const issue = only(issues, `observability.exporters.${kind}.enabled`);
      expect(issue.message).toBe(
        `the ${kind} exporter reads its rotated password when it starts and needs Stakater Reloader to restart it after each rotation: set addons.reloader.enabled: true in this environment`,
      );
      expect(issue.line).toBeGreaterThan(0);
    }
  });

  it("needs a way to Secrets Manager for the PostgreSQL monitoring user's rotation function", () => {
    const issues = devIssues({ ...reloaderOn, network: { natGateways: "none", interfaceEndpoints: ["ssm"] }, observability: { exporters: { postgres: { enabled: true } } } });
    expect(only(issues, "observability.exporters.postgres.enabled").message).toBe(
      "the monitoring user's rotation function runs in the private subnets and must reach Secrets Manager: add secretsmanager to network.interfaceEndpoints (network.natGateways is none)",
    );
  });

  it("accepts the PostgreSQL exporter with Reloader and a NAT gateway, or with the Secrets Manager endpoint", () => {
    const on = { ...reloaderOn, observability: { exporters: { postgres: { enabled: true } } } };
    const withNat = loadConfig(config({ set: { "environments/dev.yaml": on } }));
    expect(withNat.environments.find(({ config: environment }) => environment.name === "dev")?.config.observability.exporters.postgres.enabled).toBe(true);
    const endpoint = { ...on, network: { natGateways: "none", interfaceEndpoints: ["secretsmanager", "ssm", "ssmmessages", "ec2messages"] } };
    const issues = (() => {
      try {
        loadConfig(config({ set: { "environments/dev.yaml": endpoint } }));
        return [];
      } catch {
        return devIssues(endpoint);
      }
    })();
    expect(issues.filter((issue) => issue.path.join(".").startsWith("observability.exporters"))).toEqual([]);
  });
});
