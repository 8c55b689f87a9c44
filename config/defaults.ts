/**
 * Built-in defaults: the first configuration layer. Layering is explicit and ordered:
 *
 *   1. built-in defaults for the environment's profile (this file)
 *   2. the environment file `environments/<name>.yaml`
 *   3. (tenants) the tenant file `tenants/<id>.yaml`, for the keys a tenant may override
 *
 * Objects merge key by key; a later layer's scalar or list replaces the earlier one whole (lists are never
 * concatenated, so an environment can shorten a default list). The merged result is validated by the schema.
 */
import type { z } from "zod";
import { defaultVersion } from "../constructs/core/versions";
import type { EnvironmentSchema, Profile } from "./schema/environment";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a defaults layer may set: any part of an environment file except its identity. */
export type EnvironmentDefaults = DeepPartial<Omit<z.input<typeof EnvironmentSchema>, "name" | "profile" | "account">>;

const COMMON: EnvironmentDefaults = {
  tags: {},
  network: {
    azCount: 3,
    // /16 VPC -> /19 private (8k addresses per AZ for pods), /22 public, /22 data.
    subnetNewBits: { public: 6, private: 3, data: 6 },
    peerNetworks: [],
  },
  kms: { rotationPeriodDays: 365 },
  // Products run only where an environment lists them.
  products: {},
};

/**
 * Workload policy shared by every profile (see config/schema/products.ts). Pods run as a fixed non-root uid;
 * a workload whose image needs another sets its own securityContext.
 */
const WORKLOADS_COMMON = {
  securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
  tmpSizeLimit: "256Mi",
  terminationGracePeriodSeconds: 30,
  probes: { periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, startupFailureThreshold: 30 },
  jobs: { backoffLimit: 2, activeDeadlineSeconds: 1800, historyLimit: 3, startingDeadlineSeconds: 300 },
  secrets: { refreshInterval: "1h" },
  namespace: {
    podSecurity: "restricted" as const,
    limitRange: {
      defaultRequest: { cpu: "100m", memory: "128Mi" },
      default: { cpu: "500m", memory: "512Mi" },
      max: { cpu: "8", memory: "16Gi" },
    },
  },
  ingress: {
    scheme: "internet-facing" as const,
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    idleTimeoutSeconds: 60,
    deregistrationDelaySeconds: 30,
  },
};

/**
 * Cluster settings every profile shares. Every version comes from the version catalog (constructs/core/versions.ts):
 * Kubernetes 1.35 (EKS standard support until 2027-03-27), the node AMI release and the EKS add-on builds published
 * for it (creatable in an account: `aws eks describe-addon-versions --kubernetes-version 1.35`, run by preflight).
 */
const CLUSTER_COMMON = {
  kubernetesVersion: defaultVersion("kubernetes"),
  nodeImageRelease: defaultVersion("eks-node-ami"),
  endpoint: { publicAccess: false, publicAccessCidrs: [] },
  access: { adminRoleArns: [], viewerRoleArns: [], adminPermissionSets: [], viewerPermissionSets: [] },
  networkPolicy: true,
  // No SSH key and no bastion; Session Manager only where an environment turns it on.
  nodeAccess: { sessionManager: false },
  managedAddons: {
    vpcCni: defaultVersion("eks-addon/vpc-cni"),
    coreDns: defaultVersion("eks-addon/coredns"),
    kubeProxy: defaultVersion("eks-addon/kube-proxy"),
    ebsCsiDriver: defaultVersion("eks-addon/aws-ebs-csi-driver"),
    podIdentityAgent: defaultVersion("eks-addon/eks-pod-identity-agent"),
  },
} satisfies EnvironmentDefaults["cluster"];

/** The managed node pool that runs the add-ons (Graviton: cheaper per vCPU than the x86 equivalents). */
function systemPool(instanceTypes: string[], size: { min: number; desired: number; max: number }) {
  return {
    name: "system",
    instanceTypes,
    amiType: "AL2023_ARM_64_STANDARD" as const,
    capacityType: "ON_DEMAND" as const,
    minSize: size.min,
    desiredSize: size.desired,
    maxSize: size.max,
    diskSizeGiB: 50,
    labels: { "node-pool": "system" },
    taints: [],
    maxUnavailablePercentage: 33,
    autoRepair: true,
  };
}

/** Secret-change restarts and progressive delivery are opt-in (each installs a controller with cluster-wide rights). */
function deliveryAddonsOff(replicas: number) {
  return { reloader: { enabled: false, replicas }, argoRollouts: { enabled: false, replicas } };
}

/** The Cluster Autoscaler, off: Karpenter scales nodes by default. */
const CLUSTER_AUTOSCALER_COMMON = { enabled: false, expander: "least-waste" as const, scaleDownUnneededTime: "10m", scaleDownUtilizationThreshold: 0.5 };

/** Karpenter's node pool shape shared by every profile (limits and capacity types differ). */
const KARPENTER_POOL_COMMON = {
  architectures: ["arm64" as const],
  instanceFamilies: ["m7g", "c7g", "r7g", "m6g", "c6g", "r6g"],
  consolidationPolicy: "WhenEmptyOrUnderutilized" as const,
  expireAfter: "720h",
  disruptionBudget: "10%",
  diskSizeGiB: 50,
};

/**
 * Backup tiers shared by every profile; profiles switch tiers on and set retention. Times follow the reference
 * guides — the daily full backup at 02:00 UTC, weekly long-term copies on Sunday — and no two rules of a plan may
 * start in overlapping windows (AWS Backup would run only the longer-retained one, config/schema/backup.ts): with
 * the 1h start window the 6-hourly backups run at 00:00, 06:00, 12:00 and 18:00, the continuous rule's snapshots at
 * 01:00, daily 02:00, weekly 03:00, monthly 04:00, yearly 05:00. Caches and search indexes hold derived data
 * (rebuilt from the system of record), so their RPO is the service's own snapshot interval: ElastiCache snapshots
 * daily, OpenSearch hourly. No tier moves to cold storage: what the platform backs up with AWS Backup (Aurora, RDS,
 * DocumentDB, S3) does not support it (config/schema/backup-coverage.ts). Restore tests cover every type a plan
 * protects unless `restoreTesting.resourceTypes` lists some.
 */
const BACKUP_PLAN_COMMON = {
  rpoOverrides: { cache: "24h", search: "1h" },
  timezone: "UTC",
  startWindow: "1h",
  completionWindow: "8h",
  monthly: { enabled: false, dayOfMonth: 1, at: "04:00", retentionDays: 365, coldStorageAfterDays: null, copy: true },
  yearly: { enabled: false, month: 1, dayOfMonth: 1, at: "05:00", retentionDays: 2555, coldStorageAfterDays: null, copy: true },
} as const;

/** Time of day of the first 6-hourly backup (00:00, 06:00, 12:00, 18:00: clear of the other tiers' windows). */
const FREQUENT_AT = "00:00";
/** Time of day of the continuous rule's schedule (snapshots of types without continuous support). */
const CONTINUOUS_AT = "01:00";

/** Velero: daily at 01:00 UTC kept 240 hours (the Murima guide), every namespace but the system ones. */
const VELERO_COMMON = {
  schedules: [
    {
      name: "daily",
      schedule: "0 1 * * *",
      ttl: "240h",
      includedNamespaces: ["*"],
      excludedNamespaces: ["kube-system", "kube-public", "kube-node-lease", "velero"],
      snapshotVolumes: true,
    },
  ],
};

/**
 * Observability (see config/schema/observability.ts). Thresholds follow the reference guides: error rate > 1 %
 * (critical), p95 latency > 500 ms, CPU > 80 %, memory > 85 % (containers) / 90 % (nodes), disk > 85 %, database
 * connections > 80 % of max. Production pages (critical) on user-facing failures; staging and development only
 * warn, with looser latency and error thresholds in development.
 */
type ObservabilityDefaults = NonNullable<EnvironmentDefaults["observability"]>;
type Sev = "critical" | "warning" | "info";
function observabilityDefaults(profile: Profile): ObservabilityDefaults {
  const production = profile === "production";
  const development = profile === "development";
  const page: Sev = production ? "critical" : "warning";
  return {
    prometheus: production
      ? { replicas: 2, retention: "15d", retentionSizeGiB: 45, storageGiB: 50, scrapeInterval: "30s" }
      : { replicas: 1, retention: development ? "3d" : "7d", retentionSizeGiB: development ? 9 : 18, storageGiB: development ? 10 : 20, scrapeInterval: "30s" },
    alertmanager: {
      replicas: production ? 2 : 1,
      storageGiB: 2,
      retention: "120h",
      groupBy: ["alertname", "namespace", "severity"],
      repeatInterval: production ? "4h" : "12h",
      alertsTopicSeverities: production ? ["critical", "warning"] : development ? [] : ["critical"],
      receivers: [],
    },
    grafana: { storageGiB: production ? 10 : 5 },
    alertRules: {
      // Placeholder: point it at the team's runbooks (each alert links to <base>/<alert-name>).
      runbookBaseUrl: "https://runbooks.example.com/alerts",
      product: {
        httpErrorRatePercent: { threshold: development ? 5 : 1, for: "5m", severity: page },
        httpLatencyP95Seconds: { threshold: development ? 1 : 0.5, for: "10m", severity: "warning" },
        httpLatencyP99Seconds: { threshold: development ? 3 : 2, for: "10m", severity: "warning" },
        podRestartsPerHour: { threshold: 3, for: "5m", severity: "warning" },
        crashLooping: { for: "15m", severity: page },
        containerCpuPercent: { threshold: 80, for: "15m", severity: "warning" },
        containerMemoryPercent: { threshold: 85, for: "15m", severity: "warning" },
        hpaAtMaxReplicas: { for: "15m", severity: "warning" },
        volumeUsagePercent: { threshold: 85, for: "5m", severity: page },
      },
      platform: {
        nodeNotReady: { for: "5m", severity: page },
        nodeCpuPercent: { threshold: 80, for: "15m", severity: "warning" },
        nodeMemoryPercent: { threshold: 90, for: "15m", severity: "warning" },
        nodeDiskPercent: { threshold: 85, for: "10m", severity: page },
        certificateExpiryDays: { threshold: 14, for: "1h", severity: "warning" },
        // A value not seeded yet, or a key missing: the secret's readers cannot start (npm run secrets -- check).
        externalSecretNotSynced: { for: "15m", severity: "warning" },
        dataServiceCpuPercent: { threshold: 80, for: "15m", severity: "warning" },
        cacheMemoryPercent: { threshold: 85, for: "15m", severity: "warning" },
        searchJvmPressurePercent: { threshold: 80, for: "15m", severity: "warning" },
        loadBalancerErrorRatePercent: { threshold: development ? 5 : 1, for: "5m", severity: page },
      },
    },
    // CloudWatch API reads cost money per metric: production and staging only, at the 5-minute period.
    cloudwatchExporter: { enabled: !development, periodSeconds: 300 },
    // Data-service exporters run with their own users (Redis: a monitoring-only user with a rotated password); opt in.
    exporters: { redis: { enabled: false }, postgres: { enabled: false } },
    // Application logs: 30 days in production (the reference guides' retention), less elsewhere; the platform's own
    // logs as long; audit logs a year searchable in production (an object-locked archive keeps them for years).
    logs: {
      backend: "loki",
      retention: {
        application: production ? 30 : development ? 7 : 14,
        infrastructure: production ? 30 : development ? 7 : 14,
        audit: production ? 365 : development ? 7 : 90,
      },
      loki: { replicas: production ? 3 : 1, storageGiB: production ? 20 : 10 },
    },
    // Grafana and Alertmanager stay inside the cluster unless an environment exposes them.
    exposure: { enabled: false, hosts: { grafana: "monitoring", alertmanager: "alertmanager" }, scheme: "internal", authentication: { type: "none" } },
    cloudwatchAlarms: {
      periodSeconds: production ? 60 : 300,
      evaluationPeriods: production ? 5 : 3,
      database: { cpuPercent: 80, freeableMemoryMiB: 256, connectionsPercent: 80, replicaLagSeconds: 30, freeStorageGiB: 10 },
      cache: { cpuPercent: 80, memoryPercent: 85, evictionsPerPeriod: 1000, replicationLagSeconds: 30 },
      documentDb: { cpuPercent: 80, freeableMemoryMiB: 256, replicaLagSeconds: 30 },
      search: { cpuPercent: 80, jvmMemoryPressurePercent: 80, freeStorageGiB: 20 },
      broker: { cpuPercent: 80, readyMessages: 10_000 },
      loadBalancer: { errorRatePercent: development ? 5 : 1, targetLatencyP95Seconds: 1 },
    },
  };
}

/**
 * Data services, object storage and the edge (see config/schema/services.ts and edge.ts). A platform gets only
 * what its environment file declares; these are the sizes and settings a declared service starts from. Production
 * follows the reference guides' hardware tables: an 8 vCPU / 64 GiB writer with a reader in another zone, a
 * 2 vCPU / 13 GiB cache with a replica, 3 DocumentDB instances, a 3-zone search domain with dedicated masters and
 * a RabbitMQ cluster. Staging keeps the replicated shape on smaller classes; development runs single, burstable
 * instances — still encrypted, TLS-only and private.
 */
function dataDefaults(profile: Profile): Pick<EnvironmentDefaults, "services" | "storage" | "edge"> {
  const production = profile === "production";
  const development = profile === "development";
  const size = <T>(values: Readonly<Record<Profile, T>>): T => values[profile];
  return {
    services: {
      defaults: {
        postgres: {
          engine: "aurora-postgresql",
          // Aurora's long-term-support minor (the version catalog's default; 16.6 was a short-lived non-LTS minor).
          engineVersion: defaultVersion("aurora-postgresql"),
          instanceClass: size({ production: "db.r6g.2xlarge", staging: "db.r6g.large", development: "db.t4g.medium" }),
          readers: development ? 0 : 1,
          masterUsername: "platform_admin",
          port: 5432,
          storage: { allocatedGb: size({ production: 500, staging: 100, development: 20 }), maxAllocatedGb: size({ production: 2000, staging: 500, development: 100 }) },
          multiAz: !development,
          // Point-in-time retention: the plan's continuous rule when it has one, else POINT_IN_TIME_DEFAULT_DAYS
          // (config/schema/backup-coverage.ts); an environment may set backup.retentionDays when its plan has none.
          backup: { window: "01:00-02:00" },
          maintenanceWindow: "sun:03:30-sun:04:30",
          // Product instances connect as their own IAM-authenticated users, never with the master password.
          iamAuthentication: true,
          performanceInsightsRetentionDays: production ? 31 : 7,
          monitoringIntervalSeconds: size({ production: 15, staging: 60, development: 0 }),
          parameters: production ? { logMinDurationStatementMs: 1000 } : { logMinDurationStatementMs: 500 },
          backupPlan: "default",
        },
        redis: {
          engine: "valkey",
          engineVersion: defaultVersion("valkey"),
          nodeType: size({ production: "cache.r7g.large", staging: "cache.t4g.medium", development: "cache.t4g.small" }),
          nodes: development ? 1 : 2,
          port: 6379,
          snapshotRetentionDays: size({ production: 7, staging: 3, development: 1 }),
          snapshotWindow: "00:30-01:30",
          maintenanceWindow: "sun:04:30-sun:05:30",
          evictionPolicy: "volatile-lru",
          backupPlan: "default",
        },
        documentdb: {
          engineVersion: defaultVersion("documentdb"),
          instanceClass: size({ production: "db.r6g.xlarge", staging: "db.t4g.medium", development: "db.t4g.medium" }),
          instances: size({ production: 3, staging: 2, development: 1 }),
          masterUsername: "platformadmin",
          port: 27017,
          backup: { retentionDays: size({ production: 14, staging: 7, development: 1 }), window: "01:00-02:00" },
          maintenanceWindow: "sun:03:30-sun:04:30",
          profilerThresholdMs: 100,
          backupPlan: "default",
        },
        opensearch: {
          engineVersion: defaultVersion("opensearch"),
          instanceType: size({ production: "r6g.xlarge.search", staging: "t3.medium.search", development: "t3.medium.search" }),
          instanceCount: size({ production: 3, staging: 2, development: 1 }),
          dedicatedMasters: { count: production ? 3 : 0, instanceType: "m7g.large.search" },
          availabilityZones: size({ production: 3, staging: 2, development: 1 }),
          volume: { sizeGb: size({ production: 200, staging: 50, development: 10 }), iops: 3000, throughputMiBps: 125 },
          autoTune: production,
          offPeakWindowStart: "22:00",
          backupPlan: "default",
        },
        rabbitmq: {
          engineVersion: defaultVersion("rabbitmq"),
          instanceType: size({ production: "mq.m7g.large", staging: "mq.m5.large", development: "mq.t3.micro" }),
          deployment: production ? "cluster" : "single",
          maintenanceWindow: { dayOfWeek: "SUNDAY", timeOfDay: "03:00", timeZone: "UTC" },
          username: "platformadmin",
          passwordRotationDays: 90,
        },
      },
      postgres: {},
      redis: {},
      documentdb: {},
      opensearch: {},
      rabbitmq: {},
    },
    storage: {
      defaults: {
        versioning: true,
        transitions: [],
        noncurrentVersionExpirationDays: size({ production: 90, staging: 30, development: 7 }),
        abortIncompleteUploadDays: 7,
        backupPlan: "default",
      },
      accessLogs: { enabled: !development, retentionDays: size({ production: 365, staging: 90, development: 30 }) },
      buckets: {},
    },
    edge: {
      waf: {
        regional: !development,
        cloudfront: !development,
        // OWASP Top 10 coverage: the common rule set, known bad inputs, IP reputation, and SQL injection where real data
        // lives (production and staging). 1,125 of the web ACL's 1,500 WCUs.
        managedRuleGroups: [
          "AWSManagedRulesCommonRuleSet",
          "AWSManagedRulesKnownBadInputsRuleSet",
          "AWSManagedRulesAmazonIpReputationList",
          ...(development ? [] : ["AWSManagedRulesSQLiRuleSet" as const]),
        ],
        rateLimits: [],
      },
      defaults: {
        domain: { hostedZone: "lookup", subjectAlternativeNames: [] },
        cdn: { priceClass: production ? "PriceClass_All" : "PriceClass_100", singlePageApp: false, waf: !development },
      },
      domains: {},
      cdn: {},
    },
  };
}

/** Defaults per profile. Every profile sets the same keys (a test enforces it). */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, EnvironmentDefaults>> = {
  production: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "per-az",
      flowLogs: { aggregationIntervalSeconds: 60 },
      interfaceEndpoints: ["ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "kms", "ec2"],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 30 },
    logging: { retentionDays: 365 },
    // Extended support: an unplanned forced upgrade of the production control plane is the bigger risk.
    cluster: { ...CLUSTER_COMMON, supportType: "EXTENDED", nodePools: [systemPool(["m7g.xlarge", "m6g.xlarge"], { min: 3, desired: 3, max: 6 })] },
    addons: {
      loadBalancerController: { replicas: 2 },
      externalDns: { enabled: false, zones: [], policy: "upsert-only" },
      externalSecrets: { replicas: 2 },
      metricsServer: { replicas: 2 },
      certManager: { enabled: false, replicas: 2 },
      karpenter: {
        enabled: true,
        replicas: 2,
        nodePool: { ...KARPENTER_POOL_COMMON, capacityTypes: ["on-demand"], cpuLimit: 256, memoryLimitGiB: 1024, consolidateAfter: "10m" },
      },
      clusterAutoscaler: { ...CLUSTER_AUTOSCALER_COMMON, replicas: 2 },
      ...deliveryAddonsOff(2),
      storage: { reclaimPolicy: "Retain" },
    },
    // Production: digests only, two replicas at least, zone spreading enforced, no unavailable replica during a rollout.
    workloads: {
      ...WORKLOADS_COMMON,
      requireImageDigest: true,
      minReplicas: 2,
      rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
      topologySpread: { zone: "DoNotSchedule", host: "ScheduleAnyway" },
      disruptionBudget: { maxUnavailable: 1 },
      autoscaling: { scaleDownStabilizationSeconds: 300 },
      namespace: { ...WORKLOADS_COMMON.namespace, quotaHeadroomPercent: 25 },
      secrets: { ...WORKLOADS_COMMON.secrets, recoveryWindowDays: 30 },
      ingress: { ...WORKLOADS_COMMON.ingress, deletionProtection: true },
    },
    // Every finding fails: production is clean or carries a reasoned suppression.
    policy: { failAt: "low" },
    // The strictest reference policy (SmartEdu): RPO 15 min through continuous backup, 6-hourly and daily backups,
    // weekly kept a year, copies in the DR region, compliance vault lock, quarterly restore tests of every protected
    // type. Every rule keeps at least 35 days (policy pack BACKUP-PLAN-RETENTION).
    backup: {
      plans: {
        default: {
          ...BACKUP_PLAN_COMMON,
          rpo: "15m",
          rto: "2h",
          frequent: { enabled: true, at: FREQUENT_AT, everyHours: 6, retentionDays: 35, copy: false },
          daily: { enabled: true, at: "02:00", retentionDays: 35, coldStorageAfterDays: null, copy: true },
          weekly: { enabled: true, day: "sunday", at: "03:00", retentionDays: 365, coldStorageAfterDays: null, copy: true },
          continuous: { enabled: true, retentionDays: 35, at: CONTINUOUS_AT },
          restoreTesting: { frequency: "quarterly", at: "06:00", validationWindowHours: 4 },
        },
      },
      copy: { region: "paired", account: null },
      vaultLock: { enabled: true, mode: "compliance", changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 },
      velero: { ...VELERO_COMMON, enabled: true, noncurrentVersionRetentionDays: 30 },
    },
    alerts: { subscriptions: [] },
    observability: observabilityDefaults("production"),
    ...dataDefaults("production"),
  },
  staging: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "single",
      flowLogs: { aggregationIntervalSeconds: 600 },
      interfaceEndpoints: ["ecr.api", "ecr.dkr", "sts"],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 30 },
    logging: { retentionDays: 90 },
    cluster: { ...CLUSTER_COMMON, supportType: "STANDARD", nodePools: [systemPool(["m7g.large", "m6g.large"], { min: 2, desired: 2, max: 4 })] },
    addons: {
      loadBalancerController: { replicas: 2 },
      externalDns: { enabled: false, zones: [], policy: "upsert-only" },
      externalSecrets: { replicas: 1 },
      metricsServer: { replicas: 1 },
      certManager: { enabled: false, replicas: 1 },
      karpenter: {
        enabled: true,
        replicas: 2,
        nodePool: { ...KARPENTER_POOL_COMMON, capacityTypes: ["spot", "on-demand"], cpuLimit: 64, memoryLimitGiB: 256, consolidateAfter: "5m" },
      },
      clusterAutoscaler: { ...CLUSTER_AUTOSCALER_COMMON, replicas: 1 },
      ...deliveryAddonsOff(1),
      storage: { reclaimPolicy: "Delete" },
    },
    workloads: {
      ...WORKLOADS_COMMON,
      requireImageDigest: false,
      minReplicas: 2,
      rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
      topologySpread: { zone: "ScheduleAnyway", host: "ScheduleAnyway" },
      disruptionBudget: { maxUnavailable: 1 },
      autoscaling: { scaleDownStabilizationSeconds: 300 },
      namespace: { ...WORKLOADS_COMMON.namespace, quotaHeadroomPercent: 25 },
      secrets: { ...WORKLOADS_COMMON.secrets, recoveryWindowDays: 30 },
      ingress: { ...WORKLOADS_COMMON.ingress, deletionProtection: false },
    },
    // Low findings (e.g. access logging) are warnings before production.
    policy: { failAt: "medium" },
    // Production's shape at lower cost: daily and weekly backups, no copies, governance lock, monthly restore tests.
    backup: {
      plans: {
        default: {
          ...BACKUP_PLAN_COMMON,
          rpo: "24h",
          rto: "4h",
          frequent: { enabled: false, at: FREQUENT_AT, everyHours: 6, retentionDays: 7, copy: false },
          daily: { enabled: true, at: "02:00", retentionDays: 14, coldStorageAfterDays: null, copy: false },
          weekly: { enabled: true, day: "sunday", at: "03:00", retentionDays: 35, coldStorageAfterDays: null, copy: false },
          continuous: { enabled: false, retentionDays: 7, at: CONTINUOUS_AT },
          restoreTesting: { frequency: "monthly", at: "06:00", validationWindowHours: 2 },
        },
      },
      copy: { region: null, account: null },
      vaultLock: { enabled: false, mode: "governance", changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 },
      velero: { ...VELERO_COMMON, enabled: true, noncurrentVersionRetentionDays: 7 },
    },
    alerts: { subscriptions: [] },
    observability: observabilityDefaults("staging"),
    ...dataDefaults("staging"),
  },
  development: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "single",
      flowLogs: { aggregationIntervalSeconds: 600 },
      interfaceEndpoints: [],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 7 },
    logging: { retentionDays: 30 },
    cluster: { ...CLUSTER_COMMON, supportType: "STANDARD", nodePools: [systemPool(["m7g.large", "t4g.large"], { min: 1, desired: 2, max: 3 })] },
    addons: {
      loadBalancerController: { replicas: 1 },
      externalDns: { enabled: false, zones: [], policy: "sync" },
      externalSecrets: { replicas: 1 },
      metricsServer: { replicas: 1 },
      certManager: { enabled: false, replicas: 1 },
      karpenter: {
        enabled: true,
        replicas: 1,
        nodePool: { ...KARPENTER_POOL_COMMON, capacityTypes: ["spot", "on-demand"], cpuLimit: 32, memoryLimitGiB: 128, consolidateAfter: "1m" },
      },
      clusterAutoscaler: { ...CLUSTER_AUTOSCALER_COMMON, replicas: 1 },
      ...deliveryAddonsOff(1),
      storage: { reclaimPolicy: "Delete" },
    },
    // Development: single replicas allowed, faster scale-down, secrets restorable for a week.
    workloads: {
      ...WORKLOADS_COMMON,
      requireImageDigest: false,
      minReplicas: 1,
      rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" },
      topologySpread: { zone: "ScheduleAnyway", host: "ScheduleAnyway" },
      disruptionBudget: { maxUnavailable: 1 },
      autoscaling: { scaleDownStabilizationSeconds: 60 },
      namespace: { ...WORKLOADS_COMMON.namespace, quotaHeadroomPercent: 50 },
      secrets: { ...WORKLOADS_COMMON.secrets, recoveryWindowDays: 7 },
      ingress: { ...WORKLOADS_COMMON.ingress, deletionProtection: false },
    },
    // Only high and critical findings fail; the rest are warnings.
    policy: { failAt: "high" },
    // A daily backup kept a week: enough to rehearse restores, nothing to pay for long-term.
    backup: {
      plans: {
        default: {
          ...BACKUP_PLAN_COMMON,
          rpo: "24h",
          rto: "8h",
          frequent: { enabled: false, at: FREQUENT_AT, everyHours: 6, retentionDays: 7, copy: false },
          daily: { enabled: true, at: "02:00", retentionDays: 7, coldStorageAfterDays: null, copy: false },
          weekly: { enabled: false, day: "sunday", at: "03:00", retentionDays: 35, coldStorageAfterDays: null, copy: false },
          continuous: { enabled: false, retentionDays: 7, at: CONTINUOUS_AT },
          restoreTesting: { frequency: "none", at: "06:00", validationWindowHours: 1 },
        },
      },
      copy: { region: null, account: null },
      vaultLock: { enabled: false, mode: "governance", changeableForDays: 3, minRetentionDays: 1, maxRetentionDays: 400 },
      velero: { ...VELERO_COMMON, enabled: true, noncurrentVersionRetentionDays: 7 },
    },
    alerts: { subscriptions: [] },
    observability: observabilityDefaults("development"),
    ...dataDefaults("development"),
  },
};

/** Compute type of the CI runner builds: 4 vCPU and 7 GB (CodeBuild build environment compute types), enough for npm ci and Terraform with the AWS, Kubernetes and Helm providers. */
export const DEFAULT_RUNNER_COMPUTE_TYPE = "BUILD_GENERAL1_MEDIUM";

/** The `deployment` defaults depend on the environment name, so they are computed. */
export function derivedDefaults(name: string): EnvironmentDefaults {
  return { deployment: { githubEnvironment: name, runner: { computeType: DEFAULT_RUNNER_COMPUTE_TYPE } } };
}
