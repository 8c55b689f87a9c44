/**
 * What the add-ons need from `<env>-infra`, found by name at plan time — never by a cross-stack reference:
 *
 * - the cluster (by name, already looked up by the platform stack for its providers): endpoint, VPC and the
 *   security group EKS created;
 * - the workload security group (by its deterministic name in that VPC): Karpenter nodes join it, as managed
 *   nodes do, because data services admit only it;
 * - the cluster and data KMS keys (by alias): node root volumes and persistent volumes are encrypted with them.
 */
import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsKmsKey } from "@cdktf/provider-aws/lib/data-aws-kms-key";
import { DataAwsSecurityGroup } from "@cdktf/provider-aws/lib/data-aws-security-group";
import { Construct } from "constructs";
import type { Naming } from "../../core/naming";

/** Component name of the workload security group (constructs/network names it `<prefix>-workloads`). */
export const WORKLOAD_SECURITY_GROUP_COMPONENT = "workloads";

export interface InfraLookupProps {
  readonly naming: Naming;
  /** The cluster data source of the platform stack. */
  readonly cluster: DataAwsEksCluster;
}

export class InfraLookup extends Construct {
  readonly vpcId: string;
  readonly clusterEndpoint: string;
  readonly clusterSecurityGroupId: string;
  readonly workloadSecurityGroup: DataAwsSecurityGroup;
  readonly clusterKey: DataAwsKmsKey;
  readonly dataKey: DataAwsKmsKey;

  constructor(scope: Construct, id: string, props: InfraLookupProps) {
    super(scope, id);
    const vpcConfig = props.cluster.vpcConfig.get(0);
    this.vpcId = vpcConfig.vpcId;
    this.clusterEndpoint = props.cluster.endpoint;
    this.clusterSecurityGroupId = vpcConfig.clusterSecurityGroupId;
    this.workloadSecurityGroup = new DataAwsSecurityGroup(this, "workload-security-group", {
      name: props.naming.name("security-group", WORKLOAD_SECURITY_GROUP_COMPONENT),
      vpcId: this.vpcId,
    });
    this.clusterKey = new DataAwsKmsKey(this, "cluster-key", { keyId: props.naming.kmsAlias("cluster") });
    this.dataKey = new DataAwsKmsKey(this, "data-key", { keyId: props.naming.kmsAlias("data") });
  }
}
