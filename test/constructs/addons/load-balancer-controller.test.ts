import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../../charts/values-check";
import { LoadBalancerController, loadBalancerControllerStatements } from "../../../constructs/addons/load-balancer-controller";
import { Naming } from "../../../constructs/core/naming";
import { INGRESS_CLASS_NAME } from "../../../constructs/core/platform-contracts";
import { synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { expectExplicitActions, expectJustifiedWildcards, expectTrustScopedTo, identityPolicies } from "./iam-assertions";
import { defined, overridesOf, releaseNamed } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const props = { naming, account: TEST_ACCOUNT, clusterName: "acme-prod-eks", vpcId: "vpc-123", replicas: 2, resourceTags: { Project: "acme" } };

describe("LoadBalancerController", () => {
  const { json } = synthConstruct((scope) => new LoadBalancerController(scope, "lbc", props));
  const release = releaseNamed(json, "aws-load-balancer-controller");

  it("installs the pinned chart into kube-system with the alb IngressClass as the default", () => {
    expect(release.attributes).toMatchObject({
      chart: "aws-load-balancer-controller",
      repository: "https://aws.github.io/eks-charts",
      version: "3.5.0",
      namespace: "kube-system",
      atomic: true,
      wait: true,
    });
    expect(release.values[0]).toMatchObject({ createIngressClassResource: true, ingressClassConfig: { default: true }, enableServiceMutatorWebhook: false });
    expect(overridesOf(release)).toEqual({
      clusterName: "acme-prod-eks",
      region: "eu-west-1",
      vpcId: "vpc-123",
      replicaCount: 2,
      serviceAccount: { create: true, name: "aws-load-balancer-controller" },
      ingressClass: INGRESS_CLASS_NAME,
      defaultTags: { Project: "acme" },
    });
    expect(INGRESS_CLASS_NAME).toBe("alb");
  });

  it("uses only values keys the chart release has", () => {
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("trusts exactly kube-system/aws-load-balancer-controller of this cluster", () => {
    expectTrustScopedTo(json, "lbc_identity", { cluster: "acme-prod-eks", namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" });
    expect(identityPolicies(json, "lbc_identity").trust).toHaveLength(1);
  });

  it("uses explicit actions, justifies wildcard resources and limits writes on existing resources to its own", () => {
    const statements = loadBalancerControllerStatements(TEST_ACCOUNT);
    expectJustifiedWildcards(statements);
    const { permissions } = identityPolicies(json, "lbc_identity");
    expectExplicitActions(permissions);
    for (const sid of ["DeleteOwnSecurityGroups", "ModifyOwnLoadBalancers", "RetagOwnLoadBalancers"]) {
      const statement = defined(permissions.find((candidate) => candidate.sid === sid), sid);
      expect(statement.condition, sid).toContainEqual({ test: "Null", variable: "aws:ResourceTag/elbv2.k8s.aws/cluster", values: ["false"] });
    }
    const scoped = permissions.flatMap((statement) => (statement.resources ?? []).filter((resource) => resource !== "*"));
    expect(scoped.length).toBeGreaterThan(10);
    for (const resource of scoped) expect(resource).toMatch(/^arn:aws:(elasticloadbalancing|ec2):eu-west-1:123456789012:|^arn:aws:iam::123456789012:/);
  });

  it("rejects an invalid replica count", () => {
    expect(() => new LoadBalancerController(new TerraformStack(Testing.app(), "t"), "lbc", { ...props, replicas: 0 })).toThrow(
      "LoadBalancerController: replicas must be an integer from 1 to 10, got 0",
    );
  });
});
