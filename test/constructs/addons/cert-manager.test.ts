import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { CertManager } from "../../../constructs/addons/cert-manager";
import { resourceList, synthConstruct } from "../../support/synth";
import { overridesOf, releaseNamed } from "./support";

describe("CertManager", () => {
  const { json } = synthConstruct((scope) => new CertManager(scope, "certs", { replicas: 2 }));
  const release = releaseNamed(json, "cert-manager");

  it("installs the pinned chart with its CRDs kept on uninstall, highly available", () => {
    expect(release.attributes).toMatchObject({ chart: "cert-manager", version: "v1.21.1", repository: "https://charts.jetstack.io", namespace: "cert-manager" });
    expect(release.values[0]).toMatchObject({ crds: { enabled: true, keep: true } });
    expect(overridesOf(release)).toEqual({
      replicaCount: 2,
      podDisruptionBudget: { enabled: true },
      webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
      cainjector: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
    });
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("runs in its own namespace under Pod Security admission, without AWS permissions", () => {
    expect(resourceList(json, "kubernetes_namespace_v1")).toEqual([
      { metadata: { name: "cert-manager", labels: expect.objectContaining({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" }) } },
    ]);
    expect(json.resource?.aws_iam_role).toBeUndefined();
  });

  it("rejects an invalid replica count", () => {
    expect(() => new CertManager(new TerraformStack(Testing.app(), "t"), "certs", { replicas: 0 })).toThrow(/CertManager: replicas must be an integer/);
  });
});
