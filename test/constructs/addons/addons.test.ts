import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { describe, expect, it } from "vitest";
import type { AddonsConfig } from "../../../config/schema/addons";
import { PlatformAddons } from "../../../constructs/addons";
import { InfraLookup } from "../../../constructs/addons/infra-lookup";
import { Naming } from "../../../constructs/core/naming";
import { bundledConfig, resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { defined, overridesOf, releaseNamed, releases } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const prodAddons = defined(bundledConfig().environments.find((entry) => entry.config.name === "prod"), "prod").config.addons;

function synthAddons(config: AddonsConfig) {
  return synthConstruct((scope) => {
    const cluster = new DataAwsEksCluster(scope, "cluster", { name: naming.clusterName });
    return new PlatformAddons(scope, "addons", { naming, account: TEST_ACCOUNT, cluster, config, nodeImageRelease: "1.35.4-20260512", tags: { Project: "acme" } });
  });
}

describe("InfraLookup", () => {
  const { json, construct } = synthConstruct((scope) => {
    const cluster = new DataAwsEksCluster(scope, "cluster", { name: naming.clusterName });
    return new InfraLookup(scope, "infra", { naming, cluster });
  });

  it("finds the workload security group, the keys and the cluster's network by name", () => {
    expect(Object.values(json.data?.aws_security_group ?? {})).toEqual([{ name: "acme-prod-workloads", vpc_id: "${data.aws_eks_cluster.cluster.vpc_config[0].vpc_id}" }]);
    expect(Object.values(json.data?.aws_kms_key ?? {}).map((key) => key.key_id).sort()).toEqual(["alias/acme-prod-cluster", "alias/acme-prod-data"]);
    expect(construct.clusterSecurityGroupId).toMatch(/TOKEN/);
    expect(json.resource).toBeUndefined();
  });
});

describe("PlatformAddons", () => {
  it("installs every add-on the production configuration enables, wired to the looked-up infra", () => {
    const { json } = synthAddons(prodAddons);
    expect(releases(json).map((release) => release.attributes.name).sort()).toEqual([
      "aws-load-balancer-controller",
      "cluster-secret-stores",
      "external-dns",
      "external-secrets",
      "karpenter",
      "karpenter-nodes",
      "metrics-server",
      // Production turns Reloader on for its data-service exporters (observability.exporters needs it).
      "reloader",
    ]);
    expect(overridesOf(releaseNamed(json, "aws-load-balancer-controller"))).toMatchObject({ vpcId: "${data.aws_eks_cluster.cluster.vpc_config[0].vpc_id}", replicaCount: 2 });
    const nodes = overridesOf(releaseNamed(json, "karpenter-nodes")) as { nodeClass: { securityGroupIds: string[]; kmsKeyArn: string } };
    expect(nodes.nodeClass.securityGroupIds).toEqual([
      "${data.aws_eks_cluster.cluster.vpc_config[0].cluster_security_group_id}",
      expect.stringMatching(/^\$\{data\.aws_security_group\.addons_infra_workload-security-group_.*\.id\}$/),
    ]);
    expect(nodes.nodeClass.kmsKeyArn).toMatch(/^\$\{data\.aws_kms_key\.addons_infra_cluster-key_.*\.arn\}$/);
    expect(resourceList(json, "kubernetes_storage_class_v1")[0]).toMatchObject({ reclaim_policy: "Retain", parameters: { kmsKeyId: expect.stringMatching(/addons_infra_data-key/) } });
  });

  it("leaves out the optional add-ons when they are disabled", () => {
    const { json } = synthAddons({
      ...prodAddons,
      karpenter: { ...prodAddons.karpenter, enabled: false },
      externalDns: { ...prodAddons.externalDns, enabled: false },
      certManager: { ...prodAddons.certManager, enabled: false },
      reloader: { ...prodAddons.reloader, enabled: false },
    });
    expect(releases(json).map((release) => release.attributes.name).sort()).toEqual([
      "aws-load-balancer-controller",
      "cluster-secret-stores",
      "external-secrets",
      "metrics-server",
    ]);
    expect(json.resource?.aws_sqs_queue).toBeUndefined();
    expect(json.data?.aws_route53_zone).toBeUndefined();
  });

  it("adds cert-manager when enabled", () => {
    const { json } = synthAddons({ ...prodAddons, certManager: { enabled: true, replicas: 3 } });
    expect(overridesOf(releaseNamed(json, "cert-manager"))).toMatchObject({ replicaCount: 3 });
  });
});
