import { describe, expect, it } from "vitest";
import { ConfigError, type ConfigIssue } from "../../../config/errors";
import { defined } from "../../constructs/addons/support";
import { loadConfig, resolveEnvironmentLayers } from "../../../config/loader";
import { PROFILE_DEFAULTS } from "../../../config/defaults";
import { EnvironmentSchema, PROFILES, type Profile } from "../../../config/schema/environment";
import { bundledConfig, tempConfig } from "../../support/synth";

const BASE = { account: { id: "111111111111", region: "eu-west-1" }, network: { cidr: "10.40.0.0/16" } };

/** Issues (path + message) of an environment file of `profile` with `cluster` overrides. */
function issues(profile: Profile, overrides: Record<string, unknown>): { path: string; message: string }[] {
  const raw = { name: "test", profile, ...BASE, ...overrides };
  const result = EnvironmentSchema.safeParse(resolveEnvironmentLayers(raw, "test"));
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

/** Issues the loader reports for a configuration directory it rejects. */
function loaderIssues(dir: string): readonly ConfigIssue[] {
  try {
    loadConfig(dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error(`expected ${dir} to be rejected`);
}

const pool = (changes: Record<string, unknown>) => ({
  cluster: {
    nodePools: [
      {
        name: "system",
        instanceTypes: ["m7g.large"],
        amiType: "AL2023_ARM_64_STANDARD",
        capacityType: "ON_DEMAND",
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        diskSizeGiB: 50,
        labels: {},
        taints: [],
        maxUnavailablePercentage: 33,
        autoRepair: true,
        ...changes,
      },
    ],
  },
});

describe("cluster configuration defaults", () => {
  it("pins the same Kubernetes version, image release and add-on versions in every profile", () => {
    const clusters = PROFILES.map((profile) => PROFILE_DEFAULTS[profile].cluster);
    for (const cluster of clusters) {
      expect(cluster).toMatchObject({ kubernetesVersion: "1.35", nodeImageRelease: "1.35.4-20260512" });
      expect(cluster?.managedAddons).toEqual(clusters[0]?.managedAddons);
    }
  });

  it("differs by profile where production needs more: extended support, three nodes, more add-on replicas", () => {
    const config = bundledConfig();
    const env = (name: string) => defined(config.environments.find((entry) => entry.config.name === name), name).config;
    expect(env("prod").cluster.supportType).toBe("EXTENDED");
    expect(env("dev").cluster.supportType).toBe("STANDARD");
    expect(env("prod").cluster.nodePools[0]).toMatchObject({ minSize: 3, instanceTypes: ["m7g.xlarge", "m6g.xlarge"] });
    expect(env("dev").cluster.nodePools[0]?.minSize).toBe(1);
    expect(env("prod").addons.karpenter.nodePool.capacityTypes).toEqual(["on-demand"]);
    expect(env("dev").addons.karpenter.nodePool.capacityTypes).toEqual(["spot", "on-demand"]);
    expect(env("prod").addons.storage.reclaimPolicy).toBe("Retain");
    expect(env("dev").addons.storage.reclaimPolicy).toBe("Delete");
    expect(env("prod").cluster.endpoint.publicAccess).toBe(false);
  });

  it("accepts the bundled environments' cluster settings", () => {
    for (const profile of PROFILES) expect(issues(profile, {})).toEqual([]);
  });
});

describe("cluster configuration validation", () => {
  const cases: [string, Profile, Record<string, unknown>, string, RegExp][] = [
    ["an unquoted or unpinned Kubernetes version", "staging", { cluster: { kubernetesVersion: "1" } }, "cluster.kubernetesVersion", /quoted Kubernetes minor version such as "1\.35"/],
    ["an image release for another version", "staging", { cluster: { nodeImageRelease: "1.34.7-20260512" } }, "cluster.nodeImageRelease", /is for Kubernetes 1\.34 but kubernetesVersion is 1\.35/],
    ["a malformed add-on version", "staging", { cluster: { managedAddons: { coreDns: "1.13" } } }, "cluster.managedAddons.coreDns", /EKS add-on version such as v1\.21\.1-eksbuild\.8/],
    ["a public endpoint without CIDRs", "development", { cluster: { endpoint: { publicAccess: true, publicAccessCidrs: [] } } }, "cluster.endpoint.publicAccessCidrs", /would open it to the internet/],
    ["CIDRs for a private endpoint", "development", { cluster: { endpoint: { publicAccess: false, publicAccessCidrs: ["203.0.113.0/24"] } } }, "cluster.endpoint.publicAccessCidrs", /publicAccess is false/],
    ["the internet as a public CIDR", "development", { cluster: { endpoint: { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } } }, "cluster.endpoint.publicAccessCidrs.0", /whole internet may not reach the Kubernetes API/],
    ["a public endpoint in production", "production", { cluster: { endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } } }, "cluster.endpoint.publicAccess", /production profile keeps the Kubernetes API private/],
    ["a user as cluster admin", "staging", { cluster: { access: { adminRoleArns: ["arn:aws:iam::111111111111:user/bob"] } } }, "cluster.access.adminRoleArns.0", /is an IAM user; access entries are granted to roles here/],
    ["something that is no ARN", "staging", { cluster: { access: { viewerRoleArns: ["platform-admin"] } } }, "cluster.access.viewerRoleArns.0", /expected an IAM role ARN such as arn:aws:iam::123456789012:role\/platform-admin/],
    [
      "an STS session ARN",
      "staging",
      { cluster: { access: { adminRoleArns: ["arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_PlatformAdmin_1f9ff11932198c00/alice"] } } },
      "cluster.access.adminRoleArns.0",
      /is an STS session \(assumed-role\) ARN, which an access entry cannot name; use the role's IAM ARN \(arn:aws:iam::<account>:role\/<path>AWSReservedSSO_PlatformAdmin_1f9ff11932198c00\)/,
    ],
    [
      "an IAM Identity Center role without its path",
      "staging",
      { cluster: { access: { adminRoleArns: ["arn:aws:iam::111111111111:role/AWSReservedSSO_PlatformAdmin_1f9ff11932198c00"] } } },
      "cluster.access.adminRoleArns.0",
      /IAM Identity Center role without its path: EKS rejects it \(invalid principal\); its ARN is arn:aws:iam::111111111111:role\/aws-reserved\/sso\.amazonaws\.com\/\[<region>\/\]AWSReservedSSO_PlatformAdmin_1f9ff11932198c00\. Better, name the permission set/,
    ],
    ["a role name as permission set", "staging", { cluster: { access: { adminPermissionSets: ["AWSReservedSSO_PlatformAdmin_1f9ff11932198c00"] } } }, "cluster.access.adminPermissionSets.0", /expected the permission set's name, not its role's/],
    ["a permission set name with a space", "staging", { cluster: { access: { viewerPermissionSets: ["Platform Read"] } } }, "cluster.access.viewerPermissionSets.0", /1-32 of letters, digits and \+ = , \. @ _ -/],
    ["a permission set name over 32 characters", "staging", { cluster: { access: { viewerPermissionSets: ["P".repeat(33)] } } }, "cluster.access.viewerPermissionSets.0", /permission set name: 1-32/],
    ["a permission set listed twice", "staging", { cluster: { access: { adminPermissionSets: ["PlatformAdmin", "PlatformAdmin"] } } }, "cluster.access.adminPermissionSets", /duplicate permission sets: PlatformAdmin/],
    ["a permission set both admin and viewer", "staging", { cluster: { access: { adminPermissionSets: ["PlatformAdmin"], viewerPermissionSets: ["PlatformAdmin"] } } }, "cluster.access.viewerPermissionSets.0", /is also in adminPermissionSets; its role has one access entry/],
    [
      "a role both admin and viewer",
      "staging",
      { cluster: { access: { adminRoleArns: ["arn:aws:iam::111111111111:role/ops"], viewerRoleArns: ["arn:aws:iam::111111111111:role/ops"] } } },
      "cluster.access.viewerRoleArns.0",
      /is also in adminRoleArns; a role has one access entry/,
    ],
    ["a Graviton type with the x86 image", "staging", pool({ amiType: "AL2023_x86_64_STANDARD" }), "cluster.nodePools.0.instanceTypes.0", /m7g\.large is arm64 but amiType AL2023_x86_64_STANDARD is for x86_64/],
    ["an unknown instance family", "staging", pool({ instanceTypes: ["q9z.large"] }), "cluster.nodePools.0.instanceTypes.0", /unknown instance family "q9z"/],
    ["min above max", "staging", pool({ minSize: 5, desiredSize: 5, maxSize: 4 }), "cluster.nodePools.0.minSize", /minSize 5 is greater than maxSize 4/],
    ["desired outside min..max", "staging", pool({ desiredSize: 9 }), "cluster.nodePools.0.desiredSize", /desiredSize 9 must lie between minSize 2 and maxSize 4/],
    ["a single-node pool in production", "production", pool({ minSize: 1, desiredSize: 1 }), "cluster.nodePools.0.minSize", /production profile needs at least 2 nodes per pool/],
    ["an unknown image type", "staging", pool({ amiType: "AL2_x86_64" }), "cluster.nodePools.0.amiType", /AL2023_ARM_64_STANDARD, AL2023_x86_64_STANDARD/],
    ["a misspelled key", "staging", { cluster: { kubernetesVersoin: "1.35" } }, "cluster", /kubernetesVersoin/],
  ];
  for (const [what, profile, overrides, path, message] of cases) {
    it(`rejects ${what}`, () => {
      const found = issues(profile, overrides);
      expect(found.filter((issue) => issue.path === path && message.test(issue.message)), JSON.stringify(found)).toHaveLength(1);
    });
  }

  it("accepts roles with paths (an IAM Identity Center role with its path included) and permission set names", () => {
    const access = {
      adminRoleArns: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BreakGlass_0123456789abcdef", "arn:aws:iam::111111111111:role/team/ops"],
      viewerRoleArns: ["arn:aws:iam::222222222222:role/auditor"],
      adminPermissionSets: ["PlatformAdmin"],
      viewerPermissionSets: ["Read.Only+Audit@eu"],
    };
    expect(issues("staging", { cluster: { access } })).toEqual([]);
  });

  it("rejects duplicate node pool names", () => {
    const twice = pool({});
    const list = (twice.cluster.nodePools as unknown[]).concat(twice.cluster.nodePools);
    expect(issues("staging", { cluster: { nodePools: list } })).toContainEqual({ path: "cluster.nodePools", message: expect.stringMatching(/duplicate node pool names: system/) });
  });

  it("reports the file and key path through the loader", () => {
    const dir = tempConfig({ set: { "environments/staging.yaml": { cluster: { nodePools: [{ ...pool({ minSize: 9, desiredSize: 9 }).cluster.nodePools[0] }] } } } });
    const issue = loaderIssues(dir).find((candidate) => candidate.path.join(".") === "cluster.nodePools.0.minSize");
    expect(issue).toMatchObject({ file: expect.stringMatching(/environments\/staging\.yaml$/), value: 9, message: "minSize 9 is greater than maxSize 4" });
  });
});

const karpenter = (changes: Record<string, unknown>) => ({ addons: { karpenter: { nodePool: changes } } });

describe("add-on configuration validation", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["external-dns without zones", { addons: { externalDns: { enabled: true, zones: [] } } }, "addons.externalDns.zones", /manages no zone/],
    ["a malformed zone", { addons: { externalDns: { enabled: true, zones: ["Example..com"] } } }, "addons.externalDns.zones.0", /DNS zone name/],
    ["an unknown DNS policy", { addons: { externalDns: { policy: "create-only" } } }, "addons.externalDns.policy", /sync, upsert-only/],
    ["a Karpenter family of another architecture", karpenter({ instanceFamilies: ["m7g", "m7i"] }), "addons.karpenter.nodePool.instanceFamilies.1", /m7i is x86_64 but architectures are arm64/],
    ["an unknown Karpenter family", karpenter({ instanceFamilies: ["zz1"] }), "addons.karpenter.nodePool.instanceFamilies.0", /unknown instance family/],
    ["a malformed duration", karpenter({ consolidateAfter: "5 minutes" }), "addons.karpenter.nodePool.consolidateAfter", /duration such as 30s, 10m or 720h/],
    ["a malformed disruption budget", karpenter({ disruptionBudget: "ten" }), "addons.karpenter.nodePool.disruptionBudget", /percentage such as 10%/],
    ["an unknown capacity type", karpenter({ capacityTypes: ["reserved"] }), "addons.karpenter.nodePool.capacityTypes.0", /on-demand, spot/],
    ["zero replicas", { addons: { metricsServer: { replicas: 0 } } }, "addons.metricsServer.replicas", /expected number to be >=1/i],
    ["an unknown reclaim policy", { addons: { storage: { reclaimPolicy: "Recycle" } } }, "addons.storage.reclaimPolicy", /Retain, Delete/],
  ];
  for (const [what, overrides, path, message] of cases) {
    it(`rejects ${what}`, () => {
      const found = issues("staging", overrides);
      expect(found.filter((issue) => issue.path === path && message.test(issue.message)), JSON.stringify(found)).toHaveLength(1);
    });
  }
});
