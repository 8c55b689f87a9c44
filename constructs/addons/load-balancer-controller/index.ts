/**
 * AWS Load Balancer Controller: the platform's ingress. It provisions an ALB per Ingress group (IngressClass
 * `alb`, the contract in constructs/core/platform-contracts.ts) and NLBs for Services that ask for them. The
 * community ingress-nginx controller reached end of maintenance in March 2026 and is not used.
 *
 * Its IAM role is bound to `kube-system/aws-load-balancer-controller` with EKS Pod Identity. The permissions
 * follow the controller's published policy, with resource ARNs narrowed to this account and region and every
 * write on an existing load balancer, target group or security group limited to resources the controller
 * tagged (`elbv2.k8s.aws/cluster`). The region and VPC are passed explicitly: pods cannot reach instance
 * metadata (node hop limit 1).
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Construct } from "constructs";
import { chartRelease } from "../../../charts/release";
import { partitionOf, type AccountScope } from "../../core/aws";
import { INGRESS_CLASS_NAME } from "../../core/platform-contracts";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../../workload-identity";
import { checkReplicas, SYSTEM_NAMESPACE, type AddonBaseProps } from "../common";

export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** Tag the controller puts on every AWS resource it creates. */
export const LOAD_BALANCER_CONTROLLER_TAG = "elbv2.k8s.aws/cluster";

export interface LoadBalancerControllerProps extends AddonBaseProps {
  /** VPC of the cluster (looked up by the platform stack). */
  readonly vpcId: string;
  /** Controller replicas (it serves admission webhooks, so two keep Ingress changes possible during a node drain). */
  readonly replicas: number;
  /**
   * Tags the controller adds to every load balancer, target group and security group it creates.
   * @default none (the provider's default tags do not reach resources the controller creates)
   */
  readonly resourceTags?: Readonly<Record<string, string>>;
}

export class LoadBalancerController extends Construct {
  readonly identity: WorkloadIdentity;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    checkReplicas("LoadBalancerController", props.replicas);
    this.identity = new WorkloadIdentity(this, "identity", {
      account: props.account,
      clusterName: props.clusterName,
      namespace: SYSTEM_NAMESPACE,
      serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      roleName: props.naming.name("iam-role", "aws-lb-controller"),
      statements: loadBalancerControllerStatements(props.account),
    });
    this.release = chartRelease(this, "release", {
      chart: "aws-load-balancer-controller",
      name: "aws-load-balancer-controller",
      namespace: SYSTEM_NAMESPACE,
      overrides: {
        clusterName: props.clusterName,
        region: props.account.region,
        vpcId: props.vpcId,
        replicaCount: props.replicas,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
        ingressClass: INGRESS_CLASS_NAME,
        defaultTags: { ...props.resourceTags },
      },
      dependsOn: [this.identity.association],
    });
  }
}

/** Condition on the controller's ownership tag: present (`"false"`: not null) or absent (`"true"`). */
function tagged(kind: "Request" | "Resource", isNull: "true" | "false") {
  return { test: "Null", variable: `aws:${kind}Tag/${LOAD_BALANCER_CONTROLLER_TAG}`, values: [isNull] };
}

/** The controller's permissions (its published iam_policy.json, narrowed to this account and region). */
export function loadBalancerControllerStatements(account: AccountScope): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  const elb = `arn:${partition}:elasticloadbalancing:${account.region}:${account.accountId}`;
  const securityGroups = `arn:${partition}:ec2:${account.region}:${account.accountId}:security-group/*`;
  const loadBalancers = [`${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`];
  const targetGroups = `${elb}:targetgroup/*/*`;
  const noResourceLevel = "these actions do not support resource-level permissions (List/Describe/Get calls)";
  return [
    {
      sid: "CreateElbServiceLinkedRole",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [`arn:${partition}:iam::${account.accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`],
      condition: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["elasticloadbalancing.amazonaws.com"] }],
    },
    {
      sid: "Describe",
      actions: [
        "ec2:DescribeAccountAttributes",
        "ec2:DescribeAddresses",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInternetGateways",
        "ec2:DescribeVpcs",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeTags",
        "ec2:DescribeRouteTables",
        "ec2:DescribeIpamPools",
        "ec2:GetCoipPoolUsage",
        "ec2:DescribeCoipPools",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:DescribeListenerCertificates",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeRules",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeTrustStores",
        "elasticloadbalancing:DescribeCapacityReservation",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "cognito-idp:DescribeUserPoolClient",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        "wafv2:GetWebACL",
        "wafv2:GetWebACLForResource",
        "waf-regional:GetWebACL",
        "waf-regional:GetWebACLForResource",
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
      ],
      resources: ["*"],
      justification: noResourceLevel,
    },
    {
      sid: "AttachWafAndShield",
      actions: [
        "wafv2:AssociateWebACL",
        "wafv2:DisassociateWebACL",
        "waf-regional:AssociateWebACL",
        "waf-regional:DisassociateWebACL",
        "shield:CreateProtection",
        "shield:DeleteProtection",
      ],
      resources: ["*"],
      justification: "the web ACL or protection is chosen per Ingress by annotation, so its ARN is not known here",
    },
    {
      sid: "ManageBackendSecurityGroupRules",
      actions: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
      resources: [securityGroups],
    },
    { sid: "CreateSecurityGroups", actions: ["ec2:CreateSecurityGroup"], resources: [securityGroups, `arn:${partition}:ec2:${account.region}:${account.accountId}:vpc/*`] },
    {
      sid: "TagSecurityGroupsOnCreate",
      actions: ["ec2:CreateTags"],
      resources: [securityGroups],
      condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateSecurityGroup"] }, tagged("Request", "false")],
    },
    {
      sid: "RetagOwnSecurityGroups",
      actions: ["ec2:CreateTags", "ec2:DeleteTags"],
      resources: [securityGroups],
      condition: [tagged("Request", "true"), tagged("Resource", "false")],
    },
    {
      sid: "DeleteOwnSecurityGroups",
      actions: ["ec2:DeleteSecurityGroup"],
      resources: [securityGroups],
      condition: [tagged("Resource", "false")],
    },
    {
      sid: "CreateTaggedLoadBalancers",
      actions: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      resources: [...loadBalancers, targetGroups],
      condition: [tagged("Request", "false")],
    },
    {
      sid: "ManageListenersAndRules",
      actions: [
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
      ],
      resources: [...loadBalancers, `${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*/*`, `${elb}:listener-rule/app/*/*/*/*`],
    },
    {
      sid: "RetagOwnLoadBalancers",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [...loadBalancers, targetGroups],
      condition: [tagged("Request", "true"), tagged("Resource", "false")],
    },
    {
      sid: "TagListenersAndRules",
      actions: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      resources: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*/*`, `${elb}:listener-rule/app/*/*/*/*`],
    },
    {
      sid: "TagOnCreate",
      actions: ["elasticloadbalancing:AddTags"],
      resources: [...loadBalancers, targetGroups],
      condition: [
        { test: "StringEquals", variable: "elasticloadbalancing:CreateAction", values: ["CreateTargetGroup", "CreateLoadBalancer"] },
        tagged("Request", "false"),
      ],
    },
    {
      sid: "ModifyOwnLoadBalancers",
      actions: [
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetIpAddressType",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListenerAttributes",
        "elasticloadbalancing:ModifyCapacityReservation",
        "elasticloadbalancing:ModifyIpPools",
      ],
      resources: [...loadBalancers, targetGroups],
      condition: [tagged("Resource", "false")],
    },
    {
      sid: "RegisterTargets",
      actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      resources: [targetGroups],
    },
    {
      sid: "ModifyListenersAndRules",
      actions: [
        "elasticloadbalancing:SetWebAcl",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:SetRulePriorities",
      ],
      resources: [...loadBalancers, `${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*/*`, `${elb}:listener-rule/app/*/*/*/*`],
    },
  ];
}
