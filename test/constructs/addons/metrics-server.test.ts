import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { MetricsServer } from "../../../constructs/addons/metrics-server";
import { synthConstruct } from "../../support/synth";
import { overridesOf, releaseNamed } from "./support";

describe("MetricsServer", () => {
  const { json } = synthConstruct((scope) => new MetricsServer(scope, "metrics", { replicas: 2 }));
  const release = releaseNamed(json, "metrics-server");

  it("installs the pinned chart into kube-system with a disruption budget when replicated", () => {
    expect(release.attributes).toMatchObject({ chart: "metrics-server", version: "3.13.1", namespace: "kube-system", max_history: 10, timeout: 600 });
    expect(overridesOf(release)).toEqual({ replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    expect(releaseValuesProblems(json)).toEqual([]);
    expect(json.resource?.aws_iam_role).toBeUndefined();
  });

  it("has no disruption budget with one replica", () => {
    const single = synthConstruct((scope) => new MetricsServer(scope, "metrics", { replicas: 1 })).json;
    expect(overridesOf(releaseNamed(single, "metrics-server"))).toEqual({ replicas: 1, podDisruptionBudget: { enabled: false, maxUnavailable: 1 } });
  });

  it("rejects an invalid replica count", () => {
    expect(() => new MetricsServer(new TerraformStack(Testing.app(), "t"), "metrics", { replicas: 1.5 })).toThrow(/replicas must be an integer from 1 to 10, got 1\.5/);
  });
});
