/**
 * IAM permissions of the cluster's own components: the EBS CSI driver and the VPC CNI (each has its own role,
 * bound to its service account with EKS Pod Identity). Written out instead of attaching the AWS managed
 * policies so every statement is scoped to this account and region and the volume key is named explicitly.
 */
import { partitionOf, type AccountScope } from "../core/aws";
import type { WorkloadPolicyStatement } from "../workload-identity";

/** Tag the EBS CSI driver puts on every volume and snapshot it creates. */
export const EBS_CSI_CLUSTER_TAG = "ebs.csi.aws.com/cluster";

const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/** The EBS CSI driver: create, attach, resize, snapshot and delete the volumes it owns, encrypted with `volumeKeyArn`. */
export function ebsCsiDriverStatements(account: AccountScope, volumeKeyArn: string): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  const volume = `arn:${partition}:ec2:${account.region}:${account.accountId}:volume/*`;
  const snapshot = `arn:${partition}:ec2:${account.region}::snapshot/*`;
  const instance = `arn:${partition}:ec2:${account.region}:${account.accountId}:instance/*`;
  const requestsDriverTag = { test: "StringEquals", variable: `aws:RequestTag/${EBS_CSI_CLUSTER_TAG}`, values: ["true"] };
  const ownedByDriver = { test: "StringEquals", variable: `aws:ResourceTag/${EBS_CSI_CLUSTER_TAG}`, values: ["true"] };
  return [
    {
      sid: "Describe",
      actions: [
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances",
        "ec2:DescribeSnapshots",
        "ec2:DescribeTags",
        "ec2:DescribeVolumes",
        "ec2:DescribeVolumesModifications",
      ],
      resources: ["*"],
      justification: "EC2 Describe actions do not support resource-level permissions",
    },
    // Create: the new volume or snapshot must carry the driver's tag (IAM checks each resource of a call).
    { sid: "CreateTaggedVolumes", actions: ["ec2:CreateVolume"], resources: [volume], condition: [requestsDriverTag] },
    { sid: "CreateTaggedSnapshots", actions: ["ec2:CreateSnapshot"], resources: [snapshot], condition: [requestsDriverTag] },
    // ... from any snapshot (restore) or volume (snapshot source) of this account and region.
    { sid: "RestoreFromSnapshots", actions: ["ec2:CreateVolume"], resources: [snapshot] },
    { sid: "SnapshotVolumes", actions: ["ec2:CreateSnapshot"], resources: [volume] },
    { sid: "AttachAndResize", actions: ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:ModifyVolume"], resources: [volume, instance] },
    {
      sid: "TagOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [volume, snapshot],
      condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateVolume", "CreateSnapshot"] }],
    },
    { sid: "RetagOwned", actions: ["ec2:CreateTags", "ec2:DeleteTags"], resources: [volume, snapshot], condition: [ownedByDriver] },
    { sid: "DeleteOwned", actions: ["ec2:DeleteVolume", "ec2:DeleteSnapshot"], resources: [volume, snapshot], condition: [ownedByDriver] },
    { sid: "UseVolumeKey", actions: KEY_USE_ACTIONS, resources: [volumeKeyArn] },
    {
      sid: "GrantVolumeKeyToEbs",
      actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      resources: [volumeKeyArn],
      condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
    },
  ];
}

/** The VPC CNI: manage the network interfaces and secondary addresses of the nodes, in this account and region. */
export function vpcCniStatements(account: AccountScope): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  const ec2InThisAccount = `arn:${partition}:ec2:${account.region}:${account.accountId}:*`;
  return [
    {
      sid: "Describe",
      actions: ["ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeTags"],
      resources: ["*"],
      justification: "EC2 Describe actions do not support resource-level permissions",
    },
    {
      sid: "ManageNodeNetworkInterfaces",
      actions: [
        "ec2:AssignPrivateIpAddresses",
        "ec2:AttachNetworkInterface",
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DetachNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:UnassignPrivateIpAddresses",
      ],
      resources: [ec2InThisAccount],
    },
    {
      sid: "TagNetworkInterfaces",
      actions: ["ec2:CreateTags"],
      resources: [`arn:${partition}:ec2:${account.region}:${account.accountId}:network-interface/*`],
    },
  ];
}
