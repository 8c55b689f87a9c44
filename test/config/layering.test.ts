import { describe, expect, it } from "vitest";
import { derivedDefaults, PROFILE_DEFAULTS } from "../../config/defaults";
import { layer } from "../../config/layering";
import { resolveEnvironmentLayers } from "../../config/loader";
import { EnvironmentSchema, PROFILES } from "../../config/schema/environment";

describe("layer()", () => {
  it("merges objects key by key with later layers winning", () => {
    expect(layer({ a: 1, nested: { x: 1, y: 2 } }, { nested: { y: 3 } }, { b: 2 })).toEqual({ a: 1, b: 2, nested: { x: 1, y: 3 } });
  });

  it("replaces lists whole instead of concatenating them", () => {
    expect(layer({ list: [1, 2, 3] }, { list: [9] })).toEqual({ list: [9] });
  });

  it("skips undefined layers and never mutates its inputs", () => {
    const defaults = { nested: { x: 1 } };
    const result = layer(defaults, undefined, { nested: { x: 2 } }) as { nested: { x: number } };
    expect(result.nested.x).toBe(2);
    expect(defaults.nested.x).toBe(1);
    result.nested.x = 5;
    expect(defaults.nested.x).toBe(1);
  });

  it("applies the documented order defaults -> environment -> tenant", () => {
    const defaults = { replicas: 2, resources: { cpu: "500m", memory: "1Gi" } };
    const environment = { replicas: 4, resources: { cpu: "1" } };
    const tenant = { resources: { memory: "2Gi" } };
    expect(layer(defaults, environment, tenant)).toEqual({ replicas: 4, resources: { cpu: "1", memory: "2Gi" } });
  });
});

describe("profile defaults", () => {
  const keyPaths = (value: unknown, prefix = ""): string[] =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.entries(value).flatMap(([key, child]) => keyPaths(child, `${prefix}${key}.`))
      : [prefix.slice(0, -1)];

  it("sets the same keys in every profile", () => {
    const [first, ...rest] = PROFILES.map((profile) => keyPaths(PROFILE_DEFAULTS[profile]).sort());
    for (const other of rest) expect(other).toEqual(first);
  });

  it("make a minimal environment file valid in every profile", () => {
    for (const profile of PROFILES) {
      const minimal = { name: "qa", profile, account: { id: "123456789012", region: "eu-west-1" }, network: { cidr: "10.99.0.0/16" } };
      const result = EnvironmentSchema.safeParse(resolveEnvironmentLayers(minimal, "qa"));
      expect(result.success, `${profile}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
  });

  it("are stricter in production than in development", () => {
    expect(PROFILE_DEFAULTS.production.network?.natGateways).toBe("per-az");
    expect(PROFILE_DEFAULTS.development.network?.natGateways).toBe("single");
    expect(PROFILE_DEFAULTS.production.logging?.retentionDays).toBeGreaterThanOrEqual(365);
    expect(PROFILE_DEFAULTS.production.kms?.deletionWindowDays).toBe(30);
    expect(derivedDefaults("prod")).toEqual({ deployment: { githubEnvironment: "prod", runner: { computeType: "BUILD_GENERAL1_MEDIUM" } } });
  });
});
