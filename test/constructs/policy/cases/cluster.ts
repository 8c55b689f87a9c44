import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster, type EksClusterConfig, type EksClusterVpcConfig } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup, type EksNodeGroupConfig } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate, type LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { Release, type ReleaseConfig } from "@cdktf/provider-helm/lib/release";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

const ROLE = "arn:aws:iam::123456789012:role/acme-prod-eks";
const PRIVATE_ENDPOINT: EksClusterVpcConfig = { subnetIds: ["subnet-a", "subnet-b", "subnet-c"], endpointPrivateAccess: true, endpointPublicAccess: false };

export function cluster(scope: Construct, overrides: Partial<EksClusterConfig> = {}): EksCluster {
  return new EksCluster(scope, "eks", {
    name: "acme-prod-eks",
    roleArn: ROLE,
    version: "1.33",
    vpcConfig: PRIVATE_ENDPOINT,
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY_ARN } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    ...overrides,
  });
}

export function nodeGroup(scope: Construct, overrides: Partial<EksNodeGroupConfig> = {}): EksNodeGroup {
  return new EksNodeGroup(scope, "nodes", {
    clusterName: "acme-prod-eks",
    nodeRoleArn: ROLE,
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
    updateConfig: { maxUnavailable: 1 },
    ...overrides,
  });
}

function template(scope: Construct, overrides: Partial<LaunchTemplateConfig> = {}): LaunchTemplate {
  return new LaunchTemplate(scope, "nodes-lt", {
    name: "acme-prod-nodes",
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY_ARN, volumeType: "gp3", volumeSize: 50 } }],
    ...overrides,
  });
}

export function release(scope: Construct, overrides: Partial<ReleaseConfig> = {}): Release {
  return new Release(scope, "metrics-server", {
    name: "metrics-server",
    chart: "metrics-server",
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    version: "3.13.1",
    namespace: "kube-system",
    ...overrides,
  });
}

export const CLUSTER_CASES: readonly RuleCase[] = [
  {
    rule: "EKS-ENDPOINT",
    compliant: (s) => cluster(s),
    violating: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
    expect: /endpoint_public_access is .* in production/,
  },
  {
    rule: "EKS-ENDPOINT",
    name: "development: public only from listed CIDRs",
    profile: "development",
    compliant: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
    violating: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true } }),
    expect: /open to 0\.0\.0\.0\/0 \(public_access_cidrs not set\)/,
  },
  {
    rule: "EKS-ENDPOINT",
    name: "development: CIDRs that add up to the internet",
    profile: "development",
    compliant: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "52.94.0.0/16"] } }),
    violating: (s) => cluster(s, { vpcConfig: { subnetIds: ["subnet-a"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } }),
    expect: /open to 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together .* the whole internet\)/,
  },
  {
    rule: "EKS-SECRETS-KMS",
    compliant: (s) => cluster(s),
    violating: (s) => cluster(s, { encryptionConfig: undefined }),
    expect: /encryption_config for "secrets" is missing/,
  },
  {
    rule: "EKS-CP-LOGS",
    compliant: (s) => cluster(s),
    violating: (s) => cluster(s, { enabledClusterLogTypes: ["api", "audit"] }),
    expect: /lacks authenticator, controllerManager, scheduler/,
  },
  {
    rule: "EKS-NG-NO-SSH",
    compliant: (s) => nodeGroup(s),
    violating: (s) => nodeGroup(s, { remoteAccess: { ec2SshKey: "ops" } }),
    expect: /remote_access is set without source_security_group_ids/,
  },
  {
    rule: "EKS-NG-NO-SSH",
    name: "SSH key in the launch template",
    compliant: (s) => template(s),
    violating: (s) => template(s, { keyName: "ops" }),
    expect: /key_name "ops" installs an SSH key/,
  },
  {
    rule: "EKS-NG-HA",
    compliant: (s) => nodeGroup(s),
    violating: (s) => nodeGroup(s, { scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 }, subnetIds: ["subnet-a"], updateConfig: undefined }),
    expect: [/min_size is 1/, /1 subnet\(s\)/, /update_config is not set/],
  },
  {
    rule: "VERSIONS-PINNED",
    compliant: (s) => release(s),
    violating: (s) => release(s, { version: "^3.13" }),
    expect: /version "\^3\.13" is not an exact chart version/,
  },
  {
    rule: "VERSIONS-PINNED",
    name: "insecure chart repository",
    compliant: (s) => release(s, { repository: "oci://public.ecr.aws/karpenter", chart: "karpenter", version: "1.14.1" }),
    violating: (s) => release(s, { repository: "http://charts.example.com" }),
    expect: /repository http:\/\/charts\.example\.com is not https:\/\/ or oci:\/\//,
  },
  {
    rule: "VERSIONS-PINNED",
    name: "cluster and add-on versions",
    compliant: (s) => {
      cluster(s);
      new EksAddon(s, "vpc-cni", { clusterName: "acme-prod-eks", addonName: "vpc-cni", addonVersion: "v1.20.0-eksbuild.1" });
    },
    violating: (s) => {
      cluster(s, { version: undefined });
      new EksAddon(s, "vpc-cni", { clusterName: "acme-prod-eks", addonName: "vpc-cni" });
    },
    expect: [/version is not set/, /addon_version is not set/],
  },
  {
    rule: "LT-IMDSV2",
    compliant: (s) => template(s),
    violating: (s) => template(s, { metadataOptions: { httpTokens: "optional" } }),
    expect: /http_tokens is "optional"/,
  },
  {
    rule: "LT-EBS-ENCRYPTED",
    compliant: (s) => template(s),
    violating: (s) => template(s, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeType: "gp3", volumeSize: 50 } }] }),
    expect: /volume "\/dev\/xvda" is not encrypted/,
  },
];
