/**
 * The platform add-ons of one cluster, composed from configuration: the AWS Load Balancer Controller (default
 * ingress), External Secrets with its ClusterSecretStores, metrics-server, the default encrypted gp3
 * StorageClass, and — when enabled — Karpenter, external-dns and cert-manager. Each add-on is its own construct
 * in constructs/addons/<name>; this one only wires them to what `<env>-infra` provides, found by name
 * (constructs/addons/infra-lookup).
 */
import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { Construct } from "constructs";
import type { AddonsConfig } from "../../config/schema/addons";
import type { AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { CertManager } from "./cert-manager";
import { ExternalDns } from "./external-dns";
import { ExternalSecrets } from "./external-secrets";
import { InfraLookup } from "./infra-lookup";
import { Karpenter } from "./karpenter";
import { LoadBalancerController } from "./load-balancer-controller";
import { MetricsServer } from "./metrics-server";
import { StorageClasses } from "./storage-classes";

export interface PlatformAddonsProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** The cluster data source of the platform stack (its providers use the same one). */
  readonly cluster: DataAwsEksCluster;
  /** The `addons` section of the environment configuration. */
  readonly config: AddonsConfig;
  /** EKS AMI release of the managed nodes (`cluster.nodeImageRelease`); Karpenter nodes use the same build. */
  readonly nodeImageRelease: string;
  /**
   * Tags for AWS resources the add-ons create at run time (load balancers, Karpenter instances), which provider
   * default tags cannot reach.
   * @default none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Platform secrets (by name) and the platform namespaces that read them through the ClusterSecretStores
   * (Alertmanager's receiver credentials in `monitoring`); see constructs/addons/external-secrets.
   * @default none
   */
  readonly platformSecrets?: { readonly names: readonly string[]; readonly namespaces: readonly string[] };
}

export class PlatformAddons extends Construct {
  readonly lookup: InfraLookup;
  readonly loadBalancerController: LoadBalancerController;
  readonly externalSecrets: ExternalSecrets;
  readonly metricsServer: MetricsServer;
  readonly storageClasses: StorageClasses;
  readonly karpenter?: Karpenter;
  readonly externalDns?: ExternalDns;
  readonly certManager?: CertManager;

  constructor(scope: Construct, id: string, props: PlatformAddonsProps) {
    super(scope, id);
    const { naming, account, config } = props;
    const clusterName = naming.clusterName;
    const base = { naming, account, clusterName };
    this.lookup = new InfraLookup(this, "infra", { naming, cluster: props.cluster });

    this.storageClasses = new StorageClasses(this, "storage-classes", {
      volumeKeyArn: this.lookup.dataKey.arn,
      reclaimPolicy: config.storage.reclaimPolicy,
    });
    this.loadBalancerController = new LoadBalancerController(this, "load-balancer-controller", {
      ...base,
      vpcId: this.lookup.vpcId,
      replicas: config.loadBalancerController.replicas,
      resourceTags: props.tags ?? {},
    });
    this.externalSecrets = new ExternalSecrets(this, "external-secrets", {
      ...base,
      replicas: config.externalSecrets.replicas,
      dataKeyArn: this.lookup.dataKey.arn,
      ...(props.platformSecrets ? { platformSecrets: props.platformSecrets.names, platformNamespaces: props.platformSecrets.namespaces } : {}),
    });
    this.metricsServer = new MetricsServer(this, "metrics-server", { replicas: config.metricsServer.replicas });

    if (config.karpenter.enabled) {
      this.karpenter = new Karpenter(this, "karpenter", {
        ...base,
        clusterEndpoint: this.lookup.clusterEndpoint,
        nodeSecurityGroupIds: [this.lookup.clusterSecurityGroupId, this.lookup.workloadSecurityGroup.id],
        nodeKeyArn: this.lookup.clusterKey.arn,
        nodeImageRelease: props.nodeImageRelease,
        replicas: config.karpenter.replicas,
        nodePool: config.karpenter.nodePool,
        nodeTags: props.tags ?? {},
      });
    }
    if (config.externalDns.enabled) {
      this.externalDns = new ExternalDns(this, "external-dns", { ...base, zones: config.externalDns.zones, policy: config.externalDns.policy });
    }
    if (config.certManager.enabled) {
      this.certManager = new CertManager(this, "cert-manager", { replicas: config.certManager.replicas });
    }
  }
}
