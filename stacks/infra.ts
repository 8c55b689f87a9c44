/**
 * `<env>-infra`: the environment's foundations — KMS keys, the network and the EKS cluster with its node
 * pools and managed add-ons, the alerts topic and AWS Backup (vaults, plans, DR copies), the managed data services and buckets, and the public edge
 * (certificates in the zones `<env>-dns` created and delegated, WAF, CloudFront). Nothing in this stack configures a Kubernetes or Helm provider.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { resolveDrRegion } from "../config/schema/backup";
import { protectedResourceTypes } from "../config/schema/backup-coverage";
import { AlertsTopic } from "../constructs/alerts-topic";
import { Backup } from "../constructs/backup";
import { CiRunner } from "../constructs/ci-runner";
import { Cluster } from "../constructs/cluster";
import { awsProvider } from "../constructs/core/aws";
import { DataServices } from "../constructs/data-services";
import { ServiceAlarms } from "../constructs/service-alarms";
import { dataServiceAlarmTargets } from "../constructs/service-alarms/targets";
import { Edge } from "../constructs/edge";
import { uploadScopes } from "../constructs/edge/uploads";
import { ObjectStorage } from "../constructs/object-storage";
import { CLOUDFRONT_REGION } from "../constructs/cdn/rules";
import { PlatformKeys, RegionalBackupKey } from "../constructs/kms";
import { VeleroStorage } from "../constructs/velero";
import { Network } from "../constructs/network";
import { ciStackProps, environmentCiRoleArn, githubRepository, protectsState, type BackendSettings, type EnvironmentContext } from "./context";
import { BaseStack } from "./base-stack";

export class InfraStack extends BaseStack {
  readonly keys: PlatformKeys;
  readonly network: Network;
  readonly cluster: Cluster;
  /** The CodeBuild-hosted GitHub Actions runner in the private subnets (plans and applies of the stacks reaching the cluster). */
  readonly runner: CiRunner;
  readonly alerts: AlertsTopic;
  readonly backup: Backup;
  /** Velero's bucket (and its DR replica), when Velero is enabled. */
  readonly velero?: VeleroStorage;
  readonly storage: ObjectStorage;
  readonly services: DataServices;
  /** CloudWatch alarms of the data services, published to the alerts topic. */
  readonly alarms: ServiceAlarms;
  /** Zones, certificates, web ACLs and distributions, when the environment declares domains (not in tenant stacks). */
  readonly edge?: Edge;

  /** `name` is `<env>-infra` for an environment, `tenant-<id>-infra` for a dedicated tenant. */
  constructor(scope: Construct, name: string, context: EnvironmentContext, backend: BackendSettings) {
    super(scope, name, ciStackProps(context, name, backend));
    const { environment, naming } = context;

    this.keys = new PlatformKeys(this, "keys", {
      naming,
      account: this.account,
      deletionWindowDays: environment.kms.deletionWindowDays,
      rotationPeriodDays: environment.kms.rotationPeriodDays,
      preventDestroy: protectsState(context),
      allowCloudFrontOrigins: Object.keys(environment.edge.cdn).length > 0,
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

    const { cluster } = environment;
    this.cluster = new Cluster(this, "cluster", {
      naming,
      account: this.account,
      kubernetesVersion: cluster.kubernetesVersion,
      nodeImageRelease: cluster.nodeImageRelease,
      subnetIds: this.network.subnetIds("private"),
      clusterKey: this.keys.cluster,
      logsKey: this.keys.logs,
      volumeKey: this.keys.data,
      logRetentionDays: environment.logging.retentionDays,
      workloadSecurityGroupId: this.network.workloadSecurityGroup.id,
      // The environment's deploy role in this cluster's account (created by that account's account stack).
      ciDeployRoleArn: environmentCiRoleArn(context.project, environment.name, this.account, "deploy"),
      ciPlanRoleArn: environmentCiRoleArn(context.project, environment.name, this.account, "plan"),
      endpoint: cluster.endpoint,
      supportType: cluster.supportType,
      adminRoleArns: cluster.access.adminRoleArns,
      viewerRoleArns: cluster.access.viewerRoleArns,
      adminPermissionSets: cluster.access.adminPermissionSets,
      viewerPermissionSets: cluster.access.viewerPermissionSets,
      networkPolicy: cluster.networkPolicy,
      sessionManager: cluster.nodeAccess.sessionManager,
      autoscaled: environment.addons.clusterAutoscaler.enabled,
      managedAddons: cluster.managedAddons,
      nodePools: cluster.nodePools,
      protect: protectsState(context),
    });

    // The CI runner in the private subnets: the jobs that plan and apply the stacks reaching this cluster run there.
    this.runner = new CiRunner(this, "ci-runner", {
      naming,
      account: this.account,
      repository: githubRepository(context.project),
      vpcId: this.network.vpcId,
      subnetIds: this.network.subnetIds("private"),
      clusterSecurityGroupId: this.cluster.clusterSecurityGroupId,
      logsKey: this.keys.logs,
      logRetentionDays: environment.logging.retentionDays,
      computeType: environment.deployment.runner.computeType,
    });

    this.alerts = new AlertsTopic(this, "alerts", {
      naming,
      account: this.account,
      subscriptions: environment.alerts.subscriptions,
      keyDeletionWindowDays: environment.kms.deletionWindowDays,
      keyRotationPeriodDays: environment.kms.rotationPeriodDays,
      preventDestroy: protectsState(context),
    });

    const { backup } = environment;
    const drRegion = resolveDrRegion(backup.copy.region, this.account.region);
    const drProvider = drRegion ? awsProvider(this, "aws-dr", { region: drRegion, accountId: this.account.accountId, tags: this.tags, alias: "dr" }) : undefined;
    const drKey = drProvider && drRegion
      ? new RegionalBackupKey(this, "dr-backup-key", {
          naming,
          account: { accountId: this.account.accountId, region: drRegion },
          provider: drProvider,
          deletionWindowDays: environment.kms.deletionWindowDays,
          rotationPeriodDays: environment.kms.rotationPeriodDays,
          preventDestroy: protectsState(context),
        })
      : undefined;
    this.backup = new Backup(this, "backup", {
      naming,
      account: this.account,
      plans: backup.plans,
      vaultKey: this.keys.backup,
      alertsTopicArn: this.alerts.topicArn,
      ...(drProvider && drRegion && drKey ? { disasterRecovery: { provider: drProvider, region: drRegion, key: drKey.key } } : {}),
      ...(backup.copy.account ? { copyAccount: backup.copy.account } : {}),
      vaultLock: backup.vaultLock,
      selectionConditions: selectionScope(this.tags),
      restoreSubnetGroupName: this.network.dbSubnetGroup.name,
      protectedResourceTypes: Object.fromEntries([...protectedResourceTypes(environment)].map(([plan, types]) => [plan, [...types].sort()])),
      protect: protectsState(context),
    });

    this.storage = new ObjectStorage(this, "storage", {
      naming,
      account: this.account,
      buckets: environment.storage.buckets,
      encryptionKey: this.keys.data,
      accessLogs: environment.storage.accessLogs,
      protectState: protectsState(context),
      replicaKeyDeletionWindowDays: environment.kms.deletionWindowDays,
    });
    if (backup.velero.enabled) {
      const accessLogBucket = this.storage.accessLogBucket?.bucket;
      const replicaAccessLogBucket = drRegion ? this.storage.accessLogBucketIn(drRegion)?.bucket : undefined;
      this.velero = new VeleroStorage(this, "velero", {
        naming,
        account: this.account,
        key: this.keys.backup,
        noncurrentVersionRetentionDays: backup.velero.noncurrentVersionRetentionDays,
        ...(drRegion && drKey ? { replication: { region: drRegion, key: drKey.key } } : {}),
        ...(accessLogBucket ? { accessLogBucket } : {}),
        ...(replicaAccessLogBucket ? { replicaAccessLogBucket } : {}),
        protect: protectsState(context),
      });
    }
    this.services = new DataServices(this, "services", {
      naming,
      account: this.account,
      services: environment.services,
      dataTier: {
        vpcId: this.network.vpcId,
        subnetIds: this.network.subnetIds("data"),
        availabilityZones: this.network.availabilityZones,
        dbSubnetGroupName: this.network.dbSubnetGroup.name,
        cacheSubnetGroupName: this.network.cacheSubnetGroup.name,
      },
      allowedSecurityGroupIds: [this.network.workloadSecurityGroup.id],
      functionSubnetIds: this.network.subnetIds("private"),
      keys: { data: this.keys.data, logs: this.keys.logs },
      logRetentionDays: environment.logging.retentionDays,
      protectState: protectsState(context),
      highAvailability: environment.profile === "production",
      reservedNames: Object.keys(environment.storage.buckets),
      ...(environment.observability.exporters.postgres.enabled ? { postgresMonitoring: { recoveryWindowDays: environment.workloads.secrets.recoveryWindowDays } } : {}),
    });
    this.alarms = new ServiceAlarms(this, "alarms", {
      naming,
      accountId: this.account.accountId,
      topic: this.alerts.topic,
      thresholds: environment.observability.cloudwatchAlarms,
      ...dataServiceAlarmTargets(this.services),
    });
    // Domains are the environment's: a dedicated tenant's stack does not re-create its zones and certificates.
    if (!context.tenant && Object.keys(environment.edge.domains).length > 0) {
      const usEast1 = awsProvider(this, "aws-us-east-1", { region: CLOUDFRONT_REGION, accountId: this.account.accountId, tags: this.tags, alias: "us-east-1" });
      this.edge = new Edge(this, "edge", {
        naming,
        account: this.account,
        edge: environment.edge,
        storage: this.storage,
        usEast1,
        logging: { retentionDays: environment.logging.retentionDays, kmsKey: this.keys.logs },
        uploads: uploadScopes(environment.products),
      });
    }

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "private_subnet_ids", { value: this.network.subnetIds("private") });
    new TerraformOutput(this, "data_subnet_ids", { value: this.network.subnetIds("data") });
    new TerraformOutput(this, "cluster_name", { value: this.cluster.name });
  }
}

/** Standard tags that scope a backup selection to this stack's environment (and tenant). */
function selectionScope(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(["Environment", "Tenant"].flatMap((key) => (tags[key] ? [[key, tags[key]]] : [])));
}
