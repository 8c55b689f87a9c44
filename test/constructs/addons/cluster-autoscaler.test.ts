import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { ClusterAutoscaler, clusterAutoscalerStatements, type ClusterAutoscalerProps } from "../../../constructs/addons/cluster-autoscaler";
import { Naming } from "../../../constructs/core/naming";
import { actionProblem } from "../../../constructs/policy/iam/actions";
import { actionCatalog } from "../../support/iam";
import { synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { expectJustifiedWildcards, expectTrustScopedTo, identityPolicies } from "./iam-assertions";
import { overridesOf, releaseNamed } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const props: ClusterAutoscalerProps = { naming, account: TEST_ACCOUNT, clusterName: "acme-prod-eks", replicas: 2 };

describe("ClusterAutoscaler defaults", () => {
  const { json } = synthConstruct((scope) => new ClusterAutoscaler(scope, "autoscaler", props));
  const release = releaseNamed(json, "cluster-autoscaler");

  it("installs the pinned chart in kube-system, discovering this cluster's managed node groups by their tags", () => {
    expect(release.attributes).toMatchObject({ chart: "cluster-autoscaler", version: "9.59.0", namespace: "kube-system" });
    expect(overridesOf(release)).toEqual({
      cloudProvider: "aws",
      awsRegion: "eu-west-1",
      autoDiscovery: { clusterName: "acme-prod-eks" },
      replicaCount: 2,
      rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
      extraArgs: { expander: "least-waste", "balance-similar-node-groups": true, "scale-down-unneeded-time": "10m", "scale-down-utilization-threshold": 0.5, "skip-nodes-with-local-storage": false },
    });
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("binds its role to kube-system/cluster-autoscaler of this cluster, scaling only groups tagged as the cluster's", () => {
    expectTrustScopedTo(json, "autoscaler_identity", { cluster: "acme-prod-eks", namespace: "kube-system", serviceAccount: "cluster-autoscaler" });
    const { permissions } = identityPolicies(json, "autoscaler_identity");
    const scale = permissions.find((statement) => statement.sid === "ScaleOwnGroups");
    expect(scale?.condition).toEqual([{ test: "StringEquals", variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/acme-prod-eks", values: ["owned"] }]);
    expect(permissions.find((statement) => statement.sid === "DescribeOwnNodeGroups")?.resources).toEqual(["arn:aws:eks:eu-west-1:123456789012:nodegroup/acme-prod-eks/*/*"]);
    expectJustifiedWildcards(clusterAutoscalerStatements(props));
  });

  it("names only actions that exist (the IAM action catalog)", async () => {
    const catalog = await actionCatalog();
    const actions = clusterAutoscalerStatements(props).flatMap((statement) => statement.actions ?? []);
    expect(actions.map((action) => actionProblem(action, catalog)).filter(Boolean)).toEqual([]);
  });
});

describe("ClusterAutoscaler validation (one failing input per rule)", () => {
  const cases: [string, Partial<ClusterAutoscalerProps>, RegExp][] = [
    ["replicas out of range", { replicas: 0 }, /replicas must be an integer from 1 to 10/],
    ["an unknown expander", { expander: "cheapest" as never }, /expander "cheapest" is not one of least-waste, random, most-pods, priority/],
    ["a scale-down time that is not a duration", { scaleDownUnneededTime: "ten minutes" }, /scaleDownUnneededTime "ten minutes" is not a duration/],
    ["a utilization threshold above 1", { scaleDownUtilizationThreshold: 1.5 }, /scaleDownUtilizationThreshold 1\.5 must be above 0 and at most 1/],
  ];
  it.each(cases)("rejects %s", (_what, overrides, message) => {
    expect(() => synthConstruct((scope) => new ClusterAutoscaler(scope, "autoscaler", { ...props, ...overrides }))).toThrow(message);
  });
});
