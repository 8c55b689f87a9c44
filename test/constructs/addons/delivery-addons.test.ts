/** The delivery add-ons: Stakater Reloader (secret-change restarts) and Argo Rollouts (progressive delivery). */
import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { ArgoRollouts } from "../../../constructs/addons/argo-rollouts";
import { Reloader } from "../../../constructs/addons/reloader";
import { resourceList, synthConstruct } from "../../support/synth";
import { overridesOf, releaseNamed } from "./support";
import type { Json } from "../workload/fixtures";

describe("Reloader", () => {
  it("installs the pinned chart in kube-system, restarting on Secrets only, by a template annotation", () => {
    const { json } = synthConstruct((scope) => new Reloader(scope, "reloader", { replicas: 1 }));
    const release = releaseNamed(json, "reloader");
    expect(release.attributes).toMatchObject({ chart: "reloader", version: "2.2.16", repository: "https://stakater.github.io/stakater-charts", namespace: "kube-system" });
    expect(overridesOf(release)).toEqual({ reloader: { reloadStrategy: "annotations", ignoreConfigMaps: true, enableHA: false, deployment: { replicas: 1 } } });
    // Only workloads that name their Secrets are watched.
    expect(release.values[0]).toMatchObject({ reloader: { autoReloadAll: false, ignoreJobs: true, ignoreCronJobs: true } });
    expect(releaseValuesProblems(json)).toEqual([]);
    expect(json.resource?.aws_iam_role).toBeUndefined();
  });

  it("runs with leader election when replicated", () => {
    const { json } = synthConstruct((scope) => new Reloader(scope, "reloader", { replicas: 2 }));
    expect(overridesOf(releaseNamed(json, "reloader"))).toMatchObject({ reloader: { enableHA: true, deployment: { replicas: 2 } } });
  });

  it("rejects an invalid replica count", () => {
    expect(() => new Reloader(new TerraformStack(Testing.app(), "t"), "reloader", { replicas: 0 })).toThrow(/Reloader: replicas must be an integer from 1 to 10, got 0/);
  });
});

describe("ArgoRollouts", () => {
  it("installs the pinned chart in its own namespace, CRDs kept, no dashboard, a disruption budget when replicated", () => {
    const { json } = synthConstruct((scope) => new ArgoRollouts(scope, "rollouts", { replicas: 2 }));
    const release = releaseNamed(json, "argo-rollouts");
    expect(release.attributes).toMatchObject({ chart: "argo-rollouts", version: "2.41.0", repository: "https://argoproj.github.io/argo-helm", namespace: "argo-rollouts" });
    expect(release.values[0]).toMatchObject({ installCRDs: true, keepCRDs: true, dashboard: { enabled: false } });
    expect(overridesOf(release)).toEqual({ controller: { replicas: 2, pdb: { enabled: true, maxUnavailable: 1 } } });
    expect((resourceList(json, "kubernetes_namespace_v1") as Json[]).map((namespace) => namespace.metadata.name)).toEqual(["argo-rollouts"]);
    expect(release.attributes.depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\./)]);
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("has no disruption budget with one replica", () => {
    const { json } = synthConstruct((scope) => new ArgoRollouts(scope, "rollouts", { replicas: 1 }));
    expect(overridesOf(releaseNamed(json, "argo-rollouts"))).toEqual({ controller: { replicas: 1, pdb: { enabled: false } } });
  });

  it("rejects an invalid replica count", () => {
    expect(() => new ArgoRollouts(new TerraformStack(Testing.app(), "t"), "rollouts", { replicas: 11 })).toThrow(/ArgoRollouts: replicas must be an integer from 1 to 10, got 11/);
  });
});
