/**
 * The IAM role of cluster nodes — managed node groups and Karpenter's nodes alike: EC2 may assume it, and it
 * carries only NODE_ROLE_MANAGED_POLICIES (join the cluster, describe its own instance, pull images) and, when nodes
 * are reached with Session Manager (no SSH key, no bastion), SESSION_MANAGER_POLICY. Pods
 * never use it: they get their own roles through EKS Pod Identity, and IMDS hop limit 1 keeps them from it.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { Construct } from "constructs";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";

/** Managed policies of a node role: join the cluster, describe its own instance, pull images. Nothing else. */
export const NODE_ROLE_MANAGED_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"] as const;
/**
 * What Session Manager needs on a node (its agent registers the instance and opens sessions through ssmmessages). The
 * EKS-optimized AL2023 images ship and enable amazon-ssm-agent (awslabs/amazon-eks-ami,
 * templates/al2023/provisioners/install-worker.sh), so no user data is needed.
 */
export const SESSION_MANAGER_POLICY = "AmazonSSMManagedInstanceCore";

export interface NodeRole {
  readonly role: IamRole;
  /** The policy attachments: nodes must not launch before they exist. */
  readonly attachments: readonly IamRolePolicyAttachment[];
}

/** A node role in `scope` (construct ids `node-trust`, `node-role`, `node-role-<policy>`). */
export function nodeRole(scope: Construct, props: { readonly account: AccountScope; readonly name: string; readonly description: string; readonly sessionManager?: boolean }): NodeRole {
  const trust = new DataAwsIamPolicyDocument(scope, "node-trust", {
    statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: [servicePrincipal("ec2")] }] }],
  });
  const role = new IamRole(scope, "node-role", { name: props.name, description: props.description, assumeRolePolicy: trust.json });
  const policies = [...NODE_ROLE_MANAGED_POLICIES, ...(props.sessionManager ? [SESSION_MANAGER_POLICY] : [])];
  const attachments = policies.map(
    (policy) =>
      new IamRolePolicyAttachment(scope, `node-role-${policy}`, {
        role: role.name,
        policyArn: `arn:${partitionOf(props.account.region)}:iam::aws:policy/${policy}`,
      }),
  );
  return { role, attachments };
}
