/**
 * Nodes in configuration: Session Manager access, Karpenter's instance type and size allow-lists, the Cluster
 * Autoscaler as the alternative to Karpenter. Bad input is reported at its key.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { buildStacks, resourceList, synthJson, tempConfigsRemovedAfterAll } from "../support/synth";

/** Temporary configuration directories, removed after this file's tests. */
const config = tempConfigsRemovedAfterAll();

const dev = (patch: Record<string, unknown>) => problems(config({ set: { "environments/dev.yaml": patch } })).filter((issue) => issue.file.endsWith("environments/dev.yaml"));

describe("nodes: defaults", () => {
  it("keeps nodes without SSH or Session Manager, Karpenter on, the Cluster Autoscaler off", () => {
    const prod = loadConfig(config({})).environments.find(({ config: environment }) => environment.name === "prod")?.config;
    expect(prod?.cluster.nodeAccess).toEqual({ sessionManager: false });
    expect(prod?.addons.karpenter.enabled).toBe(true);
    expect(prod?.addons.clusterAutoscaler).toEqual({ enabled: false, replicas: 2, expander: "least-waste", scaleDownUnneededTime: "10m", scaleDownUtilizationThreshold: 0.5 });
    expect(prod?.addons.karpenter.nodePool.instanceTypes).toBeUndefined();
  });

  it("installs the Cluster Autoscaler instead of Karpenter when an environment asks", async () => {
    const dir = config({ set: { "environments/dev.yaml": { addons: { karpenter: { enabled: false }, clusterAutoscaler: { enabled: true } }, cluster: { nodeAccess: { sessionManager: true } } } } });
    const platform = (await buildStacks(loadConfig(dir), { stackPatterns: ["dev-platform"] })).get("dev-platform");
    const json = synthJson(platform as NonNullable<typeof platform>);
    const charts = resourceList(json, "helm_release").map((release) => release.chart);
    expect(charts).toContain("cluster-autoscaler");
    expect(charts).not.toContain("karpenter");
  });
});

describe("nodes: bad input", () => {
  it("rejects Session Manager without NAT unless the VPC has its endpoints", () => {
    const issue = only(dev({ cluster: { nodeAccess: { sessionManager: true } }, network: { natGateways: "none", interfaceEndpoints: ["ssm"] } }), "network.interfaceEndpoints");
    expect(issue.message).toBe("cluster.nodeAccess.sessionManager needs the ssmmessages, ec2messages interface endpoint(s): without NAT gateways the nodes' agent reaches Session Manager only through them");
  });

  it("rejects a Karpenter instance type outside the pool's families or sizes, and an unknown size", () => {
    const issues = dev({ addons: { karpenter: { nodePool: { instanceTypes: ["m5.large", "m7g.4xlarge"], instanceSizes: ["large", "xlarge", "giant"] } } } });
    expect(only(issues, "addons.karpenter.nodePool.instanceTypes.0").message).toMatch(/^m5\.large is not of the pool's instanceFamilies \(m7g, c7g, r7g, m6g, c6g, r6g\)/);
    expect(only(issues, "addons.karpenter.nodePool.instanceTypes.1").message).toBe("m7g.4xlarge is not of the pool's instanceSizes (large, xlarge, giant); it could never be launched");
    expect(only(issues, "addons.karpenter.nodePool.instanceSizes.2").message).toBe("expected an EC2 instance size such as large, xlarge, 2xlarge or metal");
  });

  it("rejects the Cluster Autoscaler beside Karpenter", () => {
    expect(only(dev({ addons: { clusterAutoscaler: { enabled: true } } }), "addons.clusterAutoscaler.enabled").message).toMatch(/^Karpenter is enabled: the Cluster Autoscaler is its alternative/);
  });

  it("rejects the Cluster Autoscaler for another Kubernetes minor, and with nothing to scale", () => {
    const version = dev({ addons: { karpenter: { enabled: false }, clusterAutoscaler: { enabled: true } }, cluster: { kubernetesVersion: "1.34", nodeImageRelease: "1.34.2-20260512" } });
    expect(version.map((issue) => issue.message)).toContainEqual(expect.stringMatching(/^the pinned Cluster Autoscaler \(1\.35\.0\) supports Kubernetes 1\.35, but cluster\.kubernetesVersion is 1\.34/));
    const fixed = dev({ addons: { karpenter: { enabled: false }, clusterAutoscaler: { enabled: true } }, cluster: { nodePools: [{ name: "system", instanceTypes: ["m7g.large"], amiType: "AL2023_ARM_64_STANDARD", capacityType: "ON_DEMAND", minSize: 2, desiredSize: 2, maxSize: 2, diskSizeGiB: 50, labels: {}, taints: [], maxUnavailablePercentage: 33, autoRepair: true }] } });
    expect(only(fixed, "addons.clusterAutoscaler.enabled").message).toMatch(/^every node pool has maxSize equal to minSize \(system 2-2\)/);
  });
});
