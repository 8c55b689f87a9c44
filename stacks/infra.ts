/**
 * `<env>-infra`: the environment's foundations — KMS keys and the network. Data services, the cluster and
 * backup vaults join here in later issues. Nothing in this stack configures a Kubernetes or Helm provider.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { PlatformKeys } from "../constructs/kms";
import { Network } from "../constructs/network";
import { environmentTags, protectsState, type BackendSettings, type EnvironmentContext } from "./context";
import { BaseStack } from "./base-stack";

export function infraStackName(environment: string): string {
  return `${environment}-infra`;
}

export class InfraStack extends BaseStack {
  readonly keys: PlatformKeys;
  readonly network: Network;

  constructor(scope: Construct, context: EnvironmentContext, backend: BackendSettings) {
    const name = infraStackName(context.environment.name);
    super(scope, name, { account: context.account, backend, tags: environmentTags(context, name) });
    const { environment, naming } = context;

    this.keys = new PlatformKeys(this, "keys", {
      naming,
      account: this.account,
      deletionWindowDays: environment.kms.deletionWindowDays,
      rotationPeriodDays: environment.kms.rotationPeriodDays,
      preventDestroy: protectsState(environment),
    });

    const { network } = environment;
    this.network = new Network(this, "network", {
      naming,
      account: this.account,
      cidr: network.cidr,
      azCount: network.azCount,
      ...(network.availabilityZones ? { availabilityZones: network.availabilityZones } : {}),
      natGateways: network.natGateways,
      subnetNewBits: network.subnetNewBits,
      interfaceEndpoints: network.interfaceEndpoints,
      flowLogs: {
        retentionDays: environment.logging.retentionDays,
        kmsKey: this.keys.logs,
        aggregationIntervalSeconds: network.flowLogs.aggregationIntervalSeconds,
      },
      clusterName: naming.clusterName,
    });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "private_subnet_ids", { value: this.network.subnetIds("private") });
    new TerraformOutput(this, "data_subnet_ids", { value: this.network.subnetIds("data") });
  }
}
