/**
 * The VPC of an environment (or dedicated tenant): public / private / data subnet tiers over N availability
 * zones, internet and NAT gateways with per-AZ routing, flow logs, gateway and interface endpoints, subnet
 * discovery tags for the AWS Load Balancer Controller and Karpenter, and the DB / cache subnet groups of the
 * data tier.
 *
 * Tiers:
 * - public: load balancers and NAT gateways only; no public IPs are assigned on launch
 * - private: nodes and pods; default route to the NAT gateway of the same AZ (or the single NAT)
 * - data: managed data services; no route to the internet at all
 */
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { InterfaceEndpointService, NatMode } from "../../config/schema/environment";
import { LOG_RETENTION_DAYS, parseCidr } from "../../config/schema/primitives";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { planSubnets, SUBNET_TIERS, type SubnetLayout, type SubnetNewBits, type SubnetTier } from "./subnet-layout";

/** Three AZs: survives the loss of one zone with quorum-based services (OpenSearch masters, DocumentDB). */
export const DEFAULT_AZ_COUNT = 3;
/** /16 VPC -> /19 private, /22 public, /22 data subnets. */
export const DEFAULT_SUBNET_NEW_BITS: SubnetNewBits = { private: 3, public: 6, data: 6 };
/** Flow log records are aggregated over this many seconds unless configured. */
export const DEFAULT_FLOW_LOG_AGGREGATION_SECONDS = 600;
/** Gateway endpoints are free and keep S3 / DynamoDB traffic off the NAT gateways. */
export const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;

export interface NetworkFlowLogProps {
  /** Retention of the flow log group in days (a CloudWatch Logs retention value). */
  readonly retentionDays: number;
  /** Customer-managed key that encrypts the flow log group. */
  readonly kmsKey: KmsKey;
  /**
   * Aggregation interval of flow log records.
   * @default 600 seconds
   */
  readonly aggregationIntervalSeconds?: 60 | 600;
}

export interface NetworkProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** VPC CIDR (IPv4, host bits zero). */
  readonly cidr: string;
  /**
   * Number of availability zones, when `availabilityZones` is not given.
   * @default 3
   */
  readonly azCount?: number;
  /**
   * Explicit availability zone names. Keeps the plan stable and reviewable.
   * @default the first `azCount` zones of the region in state "available", looked up at plan time
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateway layout.
   * @default "per-az" — no AZ depends on another AZ's NAT gateway (environments choose "single" to save cost)
   */
  readonly natGateways?: NatMode;
  /**
   * Bits added to the VPC prefix for each tier's subnets.
   * @default { private: 3, public: 6, data: 6 }
   */
  readonly subnetNewBits?: SubnetNewBits;
  /** VPC flow logs (ALL traffic) to an encrypted CloudWatch log group. Always on. */
  readonly flowLogs: NetworkFlowLogProps;
  /**
   * Interface endpoints in the private subnets, reachable on 443 from inside the VPC.
   * @default none
   */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /** Name of the EKS cluster that uses this VPC, for load balancer and Karpenter subnet discovery tags. */
  readonly clusterName: string;
}

export class Network extends Construct {
  readonly vpc: Vpc;
  readonly vpcId: string;
  readonly cidr: string;
  /** AZ names, or tokens resolving to them when they are looked up. */
  readonly availabilityZones: readonly string[];
  readonly layout: SubnetLayout;
  readonly publicSubnets: readonly Subnet[];
  readonly privateSubnets: readonly Subnet[];
  readonly dataSubnets: readonly Subnet[];
  readonly privateRouteTables: readonly RouteTable[];
  readonly dataRouteTables: readonly RouteTable[];
  readonly natGateways: readonly NatGateway[];
  readonly dbSubnetGroup: DbSubnetGroup;
  readonly cacheSubnetGroup: ElasticacheSubnetGroup;
  /** Security group of the interface endpoints (admits 443 from the VPC CIDR). */
  readonly endpointSecurityGroup: SecurityGroup;
  /**
   * Membership group of everything that runs workloads (cluster nodes, and pods given security groups). It has
   * no ingress rules of its own; data services admit traffic only from it (by reference, never by CIDR). Egress
   * is open because nodes reach AWS APIs, the NAT gateways and the data tier.
   */
  readonly workloadSecurityGroup: SecurityGroup;
  readonly flowLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azCount = props.availabilityZones?.length ?? props.azCount ?? DEFAULT_AZ_COUNT;
    const natMode = props.natGateways ?? "per-az";
    const newBits = props.subnetNewBits ?? DEFAULT_SUBNET_NEW_BITS;
    const retention = props.flowLogs.retentionDays;
    if (!parseCidr(props.cidr)) throw new Error(`Network: cidr "${props.cidr}" is not an IPv4 CIDR`);
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) {
      throw new Error(`Network: azCount must be an integer from 2 to 6, got ${azCount}`);
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
      throw new Error(`Network: flowLogs.retentionDays ${retention} is not a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    const { naming } = props;
    this.cidr = props.cidr;
    this.layout = planSubnets(props.cidr, azCount, newBits);

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: `${naming.prefix}-vpc` },
    });
    this.vpcId = this.vpc.id;

    // The default security group stays empty so nothing can fall back to it.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, ingress: [], egress: [] });

    this.availabilityZones = props.availabilityZones
      ? [...props.availabilityZones]
      : this.lookUpZones(azCount);

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: `${naming.prefix}-igw` } });

    const subnets = {} as Record<SubnetTier, Subnet[]>;
    for (const tier of SUBNET_TIERS) {
      subnets[tier] = this.layout[tier].map(
        (cidr, index) =>
          new Subnet(this, `${tier}-${index}`, {
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: this.availabilityZones[index],
            mapPublicIpOnLaunch: false,
            tags: { Name: `${naming.prefix}-${tier}-${index}`, "platform:tier": tier, ...discoveryTags(tier, props.clusterName) },
          }),
      );
    }
    this.publicSubnets = subnets.public;
    this.privateSubnets = subnets.private;
    this.dataSubnets = subnets.data;

    const publicRouteTable = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: { Name: `${naming.prefix}-public` } });
    new Route(this, "public-default-route", { routeTableId: publicRouteTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    subnets.public.forEach((subnet, index) => {
      new RouteTableAssociation(this, `public-rt-assoc-${index}`, { subnetId: subnet.id, routeTableId: publicRouteTable.id });
    });

    const natCount = natMode === "per-az" ? azCount : natMode === "single" ? 1 : 0;
    this.natGateways = subnets.public.slice(0, natCount).map((publicSubnet, index) => {
      const eip = new Eip(this, `nat-eip-${index}`, { domain: "vpc", tags: { Name: `${naming.prefix}-nat-${index}` } });
      return new NatGateway(this, `nat-${index}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnet.id,
        tags: { Name: `${naming.prefix}-nat-${index}` },
        dependsOn: [igw],
      });
    });

    this.privateRouteTables = subnets.private.map((subnet, index) => {
      const table = new RouteTable(this, `private-rt-${index}`, { vpcId: this.vpc.id, tags: { Name: `${naming.prefix}-private-${index}` } });
      const nat = this.natGateways[natMode === "per-az" ? index : 0];
      if (nat) {
        new Route(this, `private-default-route-${index}`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      }
      new RouteTableAssociation(this, `private-rt-assoc-${index}`, { subnetId: subnet.id, routeTableId: table.id });
      return table;
    });

    this.dataRouteTables = subnets.data.map((subnet, index) => {
      const table = new RouteTable(this, `data-rt-${index}`, { vpcId: this.vpc.id, tags: { Name: `${naming.prefix}-data-${index}` } });
      new RouteTableAssociation(this, `data-rt-assoc-${index}`, { subnetId: subnet.id, routeTableId: table.id });
      return table;
    });

    this.flowLogGroup = this.createFlowLogs(props, retention);

    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `endpoint-${service}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.account.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...this.privateRouteTables, ...this.dataRouteTables].map((table) => table.id),
        tags: { Name: `${naming.prefix}-${service}` },
      });
    }

    this.endpointSecurityGroup = new SecurityGroup(this, "endpoints-sg", {
      name: naming.name("security-group", "vpc-endpoints"),
      description: "Interface VPC endpoints: HTTPS from inside the VPC",
      vpcId: this.vpc.id,
      tags: { Name: naming.name("security-group", "vpc-endpoints") },
    });
    new VpcSecurityGroupIngressRule(this, "endpoints-https-from-vpc", {
      securityGroupId: this.endpointSecurityGroup.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.cidr,
    });
    this.workloadSecurityGroup = new SecurityGroup(this, "workloads-sg", {
      name: naming.name("security-group", "workloads"),
      description: "Workload nodes and pods; data services admit only this group",
      vpcId: this.vpc.id,
      tags: { Name: naming.name("security-group", "workloads") },
    });
    new VpcSecurityGroupEgressRule(this, "workloads-egress-all", {
      securityGroupId: this.workloadSecurityGroup.id,
      description: "Nodes and pods reach AWS APIs, the internet through NAT, and the data tier",
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });

    for (const service of props.interfaceEndpoints ?? []) {
      new VpcEndpoint(this, `endpoint-${service.replace(/\./g, "-")}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.account.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: subnets.private.map((subnet) => subnet.id),
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: { Name: `${naming.prefix}-${service}` },
      });
    }

    this.dbSubnetGroup = new DbSubnetGroup(this, "db-subnet-group", {
      name: naming.name("db-subnet-group", "data"),
      description: `${naming.prefix} data tier`,
      subnetIds: subnets.data.map((subnet) => subnet.id),
    });
    this.cacheSubnetGroup = new ElasticacheSubnetGroup(this, "cache-subnet-group", {
      name: naming.name("elasticache-subnet-group", "data"),
      description: `${naming.prefix} data tier`,
      subnetIds: subnets.data.map((subnet) => subnet.id),
    });
  }

  /** Subnet ids of a tier, in AZ order. */
  subnetIds(tier: SubnetTier): string[] {
    const subnets = { public: this.publicSubnets, private: this.privateSubnets, data: this.dataSubnets }[tier];
    return subnets.map((subnet) => subnet.id);
  }

  private lookUpZones(azCount: number): string[] {
    const zones = new DataAwsAvailabilityZones(this, "azs", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    return Array.from({ length: azCount }, (_, index) => Fn.element(zones.names, index) as string);
  }

  private createFlowLogs(props: NetworkProps, retentionDays: number): CloudwatchLogGroup {
    const { naming, account } = props;
    const partition = partitionOf(account.region);
    const group = new CloudwatchLogGroup(this, "flow-log-group", {
      name: naming.logGroup("vpc", "flow-logs"),
      retentionInDays: retentionDays,
      kmsKeyId: props.flowLogs.kmsKey.arn,
    });
    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("vpc-flow-logs")] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [`arn:${partition}:ec2:${account.region}:${account.accountId}:vpc-flow-log/*`],
            },
          ],
        },
      ],
    });
    const role = new IamRole(this, "flow-log-role", {
      name: naming.name("iam-role", "vpc-flow-logs"),
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "flow-log-permissions", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [group.arn, `${group.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-policy", { name: "write-flow-logs", role: role.id, policy: permissions.json });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: props.flowLogs.aggregationIntervalSeconds ?? DEFAULT_FLOW_LOG_AGGREGATION_SECONDS,
    });
    return group;
  }
}

function discoveryTags(tier: SubnetTier, clusterName: string): Record<string, string> {
  switch (tier) {
    case "public":
      return { "kubernetes.io/role/elb": "1", [`kubernetes.io/cluster/${clusterName}`]: "shared" };
    case "private":
      return {
        "kubernetes.io/role/internal-elb": "1",
        [`kubernetes.io/cluster/${clusterName}`]: "shared",
        "karpenter.sh/discovery": clusterName,
      };
    case "data":
      return {};
  }
}
