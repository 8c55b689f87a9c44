/**
 * `environments/<name>.yaml`: one deployment environment (dev, staging, prod, ...). Values the file omits come
 * from the built-in defaults of its `profile` (see `config/defaults.ts`); the merged result is validated here.
 */
import { z } from "zod";
import { planSubnets, SubnetLayoutError } from "../../constructs/network/subnet-layout";
import { awsAccountId, awsRegion, dnsLabel, ipv4Cidr, logRetentionDays, parseCidr, tagMap, uniqueList } from "./primitives";
import { PolicySchema, PRODUCTION_FAIL_AT_FLOOR, SEVERITIES, severityIndex } from "./policy";
import { AddonsSchema } from "./addons";
import { ClusterSchema, clusterProfileIssues } from "./cluster";
import { CLUSTER_AUTOSCALER_APP_VERSION } from "../../constructs/addons/cluster-autoscaler/facts";
import { AlertsSchema } from "./alerts";
import { BackupSchema, backupRegionIssues } from "./backup";
import { backupCoverageIssues, pointInTimeRetention } from "./backup-coverage";
import { checkProducts, ProductInstanceSchema, WorkloadPolicySchema } from "./products";
import { exporterIssues, ObservabilitySchema, observabilityIssues } from "./observability";
import { declaredServiceNames, serviceEnvironmentIssues, ServicesSchema, StorageSchema, type ResolvedPostgresService } from "./services";
import { EdgeSchema, edgeEnvironmentIssues, managedRuleGroupsOf } from "./edge";
import { BODY_SIZE_GROUP, BODY_SIZE_RULE, groupSettings, ruleOverrides } from "../../constructs/waf/rules";

export const PROFILES = ["production", "staging", "development"] as const;
export type Profile = (typeof PROFILES)[number];

/** Interface endpoint services the network construct knows how to create (`com.amazonaws.<region>.<name>`). */
export const INTERFACE_ENDPOINT_SERVICES = [
  "autoscaling",
  "ec2",
  "ec2messages",
  "ecr.api",
  "ecr.dkr",
  "eks",
  "eks-auth",
  "elasticloadbalancing",
  "kms",
  "logs",
  "monitoring",
  "secretsmanager",
  "sns",
  "sqs",
  "ssm",
  "ssmmessages",
  "sts",
  "xray",
] as const;

export const NAT_MODES = ["per-az", "single", "none"] as const;

/** Interface endpoints the Session Manager agent needs in a VPC without NAT. */
export const SESSION_MANAGER_ENDPOINTS = ["ssm", "ssmmessages", "ec2messages"] as const;

const SubnetNewBitsSchema = z.strictObject({
  /** Bits added to the VPC prefix for each public subnet (load balancers, NAT gateways). */
  public: z.int().min(1).max(12),
  /** Bits added for each private subnet (nodes and pods: the VPC CNI gives every pod a VPC address). */
  private: z.int().min(1).max(12),
  /** Bits added for each data subnet (databases, caches, search, brokers). */
  data: z.int().min(1).max(12),
});

export const NetworkSchema = z
  .strictObject({
    /** VPC CIDR: private range, /16 to /24. Must not overlap another environment, tenant or peer network. */
    cidr: ipv4Cidr({ minPrefix: 16, maxPrefix: 24, privateOnly: true }),
    /** Number of availability zones used when `availabilityZones` is not given. */
    azCount: z.int().min(2).max(6),
    /**
     * Explicit availability zone names (recommended: keeps the plan free of data-source lookups and stable
     * if an AZ is added to the region). When omitted, the first `azCount` available zones are looked up.
     */
    availabilityZones: uniqueList(
      z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: "expected an availability zone name such as eu-west-1a" }),
      "availability zones",
    )
      .min(2)
      .max(6)
      .optional(),
    /** NAT gateways: one per AZ (no cross-AZ dependency), a single shared one, or none (endpoints only). */
    natGateways: z.enum(NAT_MODES),
    subnetNewBits: SubnetNewBitsSchema,
    flowLogs: z.strictObject({
      /** Aggregation interval of VPC flow log records in seconds. */
      aggregationIntervalSeconds: z.union([z.literal(60), z.literal(600)], { error: "expected 60 or 600" }),
    }),
    /** Interface VPC endpoints created in the private subnets. */
    interfaceEndpoints: uniqueList(z.enum(INTERFACE_ENDPOINT_SERVICES), "interface endpoints"),
    /** Networks this VPC may be peered or connected with; their CIDRs must not overlap any VPC of the platform. */
    peerNetworks: z
      .array(
        z.strictObject({
          name: dnsLabel(63, "a peer network name"),
          cidr: ipv4Cidr(),
        }),
      )
      .superRefine((peers, ctx) => {
        const names = peers.map((peer) => peer.name);
        const dupes = names.filter((name, index) => names.indexOf(name) !== index);
        if (dupes.length > 0) {
          ctx.addIssue({ code: "custom", message: `duplicate peer network names: ${[...new Set(dupes)].join(", ")}`, input: names });
        }
      }),
  })
  .superRefine((network, ctx) => {
    if (network.availabilityZones && network.availabilityZones.length !== network.azCount) {
      ctx.addIssue({
        code: "custom",
        path: ["azCount"],
        message: `azCount is ${network.azCount} but ${network.availabilityZones.length} availabilityZones are listed; they must agree`,
        input: network.azCount,
      });
    }
    if (!parseCidr(network.cidr)) return; // reported by the cidr check
    try {
      planSubnets(network.cidr, network.availabilityZones?.length ?? network.azCount, network.subnetNewBits);
    } catch (error) {
      if (!(error instanceof SubnetLayoutError)) throw error;
      ctx.addIssue({ code: "custom", path: ["subnetNewBits"], message: error.message, input: network.subnetNewBits });
    }
  });

/** CodeBuild compute types a CI runner may use (CodeBuild API reference, ProjectEnvironment `computeType`, Linux containers). */
export const RUNNER_COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"] as const;
export type RunnerComputeType = (typeof RUNNER_COMPUTE_TYPES)[number];

const GITHUB_ENVIRONMENT_NAME = /^[A-Za-z0-9._-]{1,255}$/;
/** Suffix of the default approval environment: `<githubEnvironment>-approval`. */
export const APPROVAL_ENVIRONMENT_SUFFIX = "-approval";

/**
 * How CI deploys the environment. Two GitHub environments per environment: the deploy role trusts jobs in
 * `githubEnvironment` (restrict its deployment branches to the deploy branch), and each deploy run waits once, on one job
 * in `approvalEnvironment`, for that environment's required reviewers before it applies the reviewed plans.
 */
export const DeploymentSchema = z
  .strictObject({
    /** GitHub environment whose jobs may assume the deploy role for this environment (the apply jobs run in it). */
    githubEnvironment: z.string().regex(GITHUB_ENVIRONMENT_NAME, { error: "expected a GitHub environment name" }),
    /**
     * GitHub environment of the one approval job per deploy run (put the required reviewers here).
     * @default "<githubEnvironment>-approval"
     */
    approvalEnvironment: z.string().regex(GITHUB_ENVIRONMENT_NAME, { error: "expected a GitHub environment name" }).optional(),
    /** The CodeBuild-hosted GitHub Actions runner in the environment's private subnets (plans and applies of the stacks that reach the cluster). */
    runner: z.strictObject({
      /** CodeBuild compute type of each runner build. */
      computeType: z.enum(RUNNER_COMPUTE_TYPES),
    }),
  })
  .superRefine((deployment, ctx) => {
    const approval = deployment.approvalEnvironment ?? `${deployment.githubEnvironment}${APPROVAL_ENVIRONMENT_SUFFIX}`;
    if (approval === deployment.githubEnvironment) {
      ctx.addIssue({ code: "custom", path: ["approvalEnvironment"], message: "must differ from githubEnvironment: the apply jobs run in githubEnvironment, and reviewers there would be asked once per job instead of once per run", input: approval });
    } else if (!GITHUB_ENVIRONMENT_NAME.test(approval)) {
      ctx.addIssue({ code: "custom", path: ["githubEnvironment"], message: `the default approval environment "${approval}" is longer than GitHub's 255 characters; set deployment.approvalEnvironment`, input: deployment.githubEnvironment });
    }
  })
  .transform((deployment) => ({ ...deployment, approvalEnvironment: deployment.approvalEnvironment ?? `${deployment.githubEnvironment}${APPROVAL_ENVIRONMENT_SUFFIX}` }));

export const EnvironmentSchema = z
  .strictObject({
    /** Environment name; must equal the file name. Part of every resource and stack name. */
    name: dnsLabel(8, "an environment name"),
    /** Selects the built-in defaults and the strictness of checks (production is strictest). */
    profile: z.enum(PROFILES),
    account: z.strictObject({
      /** AWS account the environment deploys into; providers refuse any other account. */
      id: awsAccountId,
      /** Home region of the environment. */
      region: awsRegion,
    }),
    /** Overrides the project owner tag for this environment. */
    owner: z.string().min(1).max(128).optional(),
    /** Overrides the project cost centre tag for this environment. */
    costCentre: z.string().min(1).max(128).optional(),
    /** Extra tags for every resource of this environment (merged over the project tags). */
    tags: tagMap,
    network: NetworkSchema,
    kms: z.strictObject({
      /** Waiting period before a scheduled key deletion completes. */
      deletionWindowDays: z.int().min(7).max(30),
      /** Automatic rotation period of every customer-managed key. */
      rotationPeriodDays: z.int().min(90).max(2560),
    }),
    logging: z.strictObject({
      /** Retention of every CloudWatch log group the platform creates. */
      retentionDays: logRetentionDays,
    }),
    deployment: DeploymentSchema,
    /** Policy pack: the severity at which findings fail synthesis (see config/schema/policy.ts). */
    policy: PolicySchema,
    /** The EKS cluster and its managed node pools (see config/schema/cluster.ts). */
    cluster: ClusterSchema,
    /** Platform add-ons installed into the cluster (see config/schema/addons.ts). */
    addons: AddonsSchema,
    /** Backup and disaster-recovery policy: AWS Backup plans, copies, vault lock, Velero (see config/schema/backup.ts). */
    backup: BackupSchema,
    /** Subscriptions of the environment's alerts topic (see config/schema/alerts.ts). */
    alerts: AlertsSchema,
    /** Workload policy: security, rollout, spreading, disruption budgets, quotas, ingress group (see config/schema/products.ts). */
    workloads: WorkloadPolicySchema,
    /** Products this environment runs (products/<name>.yaml), with their domain, namespace and overrides. */
    products: z.record(dnsLabel(20, "a product name"), ProductInstanceSchema),
    /** Metrics, alert rules and routing, dashboards, logs and managed-service alarms (see config/schema/observability.ts). */
    observability: ObservabilitySchema,
    /** Managed data services by kind and name: postgres, redis, documentdb, opensearch, rabbitmq (see config/schema/services.ts). */
    services: ServicesSchema,
    /** Buckets and their access logging (see config/schema/services.ts). */
    storage: StorageSchema,
    /** Public edge: domains (zones, certificates), WAF, CloudFront distributions (see config/schema/edge.ts). */
    edge: EdgeSchema,
  })
  .superRefine((env, ctx) => {
    for (const [index, zone] of (env.network.availabilityZones ?? []).entries()) {
      if (!zone.startsWith(env.account.region)) {
        ctx.addIssue({
          code: "custom",
          path: ["network", "availabilityZones", index],
          message: `availability zone is not in the environment's region ${env.account.region}`,
          input: zone,
        });
      }
    }
    if (env.cluster.nodeAccess.sessionManager && env.network.natGateways === "none") {
      const missing = SESSION_MANAGER_ENDPOINTS.filter((service) => !env.network.interfaceEndpoints.includes(service));
      if (missing.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["network", "interfaceEndpoints"],
          message: `cluster.nodeAccess.sessionManager needs the ${missing.join(", ")} interface endpoint(s): without NAT gateways the nodes' agent reaches Session Manager only through them`,
          input: env.network.interfaceEndpoints,
        });
      }
    }
    if (env.addons.clusterAutoscaler.enabled) {
      const [minor] = /^\d+\.\d+/.exec(CLUSTER_AUTOSCALER_APP_VERSION) ?? [];
      if (minor !== env.cluster.kubernetesVersion) {
        ctx.addIssue({
          code: "custom",
          path: ["addons", "clusterAutoscaler", "enabled"],
          message: `the pinned Cluster Autoscaler (${CLUSTER_AUTOSCALER_APP_VERSION}) supports Kubernetes ${minor}, but cluster.kubernetesVersion is ${env.cluster.kubernetesVersion}; its minor must match the cluster's (pin the chart release for ${env.cluster.kubernetesVersion} in charts/catalog.ts)`,
          input: true,
        });
      }
      if (env.cluster.nodePools.every((pool) => pool.maxSize <= pool.minSize)) {
        ctx.addIssue({
          code: "custom",
          path: ["addons", "clusterAutoscaler", "enabled"],
          message: `every node pool has maxSize equal to minSize (${env.cluster.nodePools.map((pool) => `${pool.name} ${pool.minSize}-${pool.maxSize}`).join(", ")}): the Cluster Autoscaler would have nothing to scale; raise a pool's maxSize`,
          input: true,
        });
      }
    }
    if (env.network.natGateways === "none") {
      // GitHub is reachable only through the internet: no VPC endpoint serves github.com.
      ctx.addIssue({
        code: "custom",
        path: ["network", "natGateways"],
        message: "none leaves the CI runner (a CodeBuild-hosted GitHub Actions runner in the private subnets, which plans and applies the stacks that reach the private cluster) without a route to GitHub; use single or per-az",
        input: env.network.natGateways,
      });
    }
    for (const issue of clusterProfileIssues(env.profile, env.cluster)) {
      ctx.addIssue({ code: "custom", path: ["cluster", ...issue.path], message: issue.message, input: issue.input });
    }
    for (const issue of backupRegionIssues(env.backup, env.account.region)) {
      ctx.addIssue({ code: "custom", path: ["backup", ...issue.path], message: issue.message, input: issue.input });
    }
    if (env.profile === "production" && severityIndex(env.policy.failAt) > severityIndex(PRODUCTION_FAIL_AT_FLOOR)) {
      ctx.addIssue({
        code: "custom",
        path: ["policy", "failAt"],
        message: `a production environment fails at ${PRODUCTION_FAIL_AT_FLOOR} or lower (allowed: ${SEVERITIES.slice(0, severityIndex(PRODUCTION_FAIL_AT_FLOOR) + 1).join(", ")}): findings of ${PRODUCTION_FAIL_AT_FLOOR} and critical severity always fail production; accept a single finding in policy/suppressions.yaml instead`,
        input: env.policy.failAt,
      });
    }
    checkProducts(env, ctx);
    for (const issue of uploadIssues(env)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
    for (const issue of dnsPublishingIssues(env)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
    for (const issue of observabilityIssues({ ...env, publishes: (domain) => dnsPublishes(env.addons, domain) })) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
    const serviceIssues = [
      ...serviceEnvironmentIssues(env),
      ...backupCoverageIssues(env),
      ...edgeEnvironmentIssues(env.edge, declaredServiceNames(env.services, env.storage).filter(({ path }) => path[0] === "storage").map(({ name }) => name)),
    ];
    for (const issue of serviceIssues) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
    }
    for (const issue of progressiveDeliveryIssues(env)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
    for (const issue of exporterIssues(env)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: issue.input });
  })
  // Point-in-time retention is derived from the service's backup plan (config/schema/backup-coverage.ts): the typed
  // model always carries the value the database is created with.
  .transform((env) => ({
    ...env,
    services: {
      ...env.services,
      postgres: Object.fromEntries(
        Object.entries(env.services.postgres).map(([name, entry]): [string, ResolvedPostgresService] => [
          name,
          { ...entry, backup: { window: entry.backup.window, retentionDays: pointInTimeRetention(entry, env.backup.plans, env.profile).days } },
        ]),
      ),
    },
  }));

/** Workloads with progressive delivery need the Argo Rollouts controller in the environment's cluster. */
export function progressiveDeliveryIssues(env: {
  readonly addons: { readonly argoRollouts: { readonly enabled: boolean } };
  readonly products: Readonly<Record<string, { readonly workloads: Readonly<Record<string, { readonly progressiveDelivery?: unknown }>> }>>;
}): { path: (string | number)[]; message: string; input: unknown }[] {
  if (env.addons.argoRollouts.enabled) return [];
  return Object.entries(env.products).flatMap(([product, config]) =>
    Object.entries(config.workloads).flatMap(([workload, spec]) =>
      spec.progressiveDelivery === undefined
        ? []
        : [
            {
              path: ["products", product, "workloads", workload, "progressiveDelivery"],
              message: "progressive delivery needs the Argo Rollouts controller: set addons.argoRollouts.enabled: true in this environment",
              input: spec.progressiveDelivery,
            },
          ],
    ),
  );
}

/**
 * Products' upload paths relax the common rule set's SizeRestrictions_BODY on the environment's web ACL, which the
 * platform then manages: the environment may not override that rule itself.
 */
function uploadIssues(env: {
  readonly edge: { readonly waf: { readonly managedRuleGroups: readonly unknown[] } };
  readonly products: Readonly<Record<string, { readonly workloads: Readonly<Record<string, { readonly ingress?: { readonly uploads?: unknown } | undefined }>> }>>;
}): { path: (string | number)[]; message: string; input: unknown }[] {
  const uploaders = Object.entries(env.products).flatMap(([product, config]) =>
    Object.entries(config.workloads).flatMap(([workload, spec]) => (spec.ingress?.uploads ? [`${product}/${workload}`] : [])),
  );
  if (uploaders.length === 0) return [];
  return managedRuleGroupsOf(env.edge.waf).flatMap((entry, index) => {
    const group = groupSettings(entry);
    if (group.name !== BODY_SIZE_GROUP || ruleOverrides(group)[BODY_SIZE_RULE] === undefined) return [];
    return [
      {
        path: ["edge", "waf", "managedRuleGroups", index],
        message: `${BODY_SIZE_RULE} is managed by the platform while products declare uploads (${uploaders.join(", ")}): it only labels bodies over 8 KB, and the web ACL blocks them outside the upload paths; remove its override`,
        input: group,
      },
    ];
  });
}

/** Whether external-dns publishes hosts under `domain` (its zone is one external-dns manages). */
export function dnsPublishes(addons: { readonly externalDns: { readonly enabled: boolean; readonly zones: readonly string[] } }, domain: string): boolean {
  return addons.externalDns.enabled && addons.externalDns.zones.some((zone) => domain === zone || domain.endsWith(`.${zone}`));
}

/**
 * Every product that routes hosts through the load balancer needs its hosts published: external-dns must manage a
 * zone containing its domain, or the hosts would never resolve.
 */
function dnsPublishingIssues(env: {
  readonly addons: { readonly externalDns: { readonly enabled: boolean; readonly zones: readonly string[] } };
  readonly products: Readonly<Record<string, { readonly domain?: string | undefined; readonly workloads?: Readonly<Record<string, { readonly ingress?: unknown }>> | undefined }>>;
}): { path: (string | number)[]; message: string; input: unknown }[] {
  const { externalDns } = env.addons;
  return Object.entries(env.products).flatMap(([name, product]) => {
    const routes = Object.values(product.workloads ?? {}).some((workload) => workload.ingress !== undefined);
    if (!routes || !product.domain || dnsPublishes(env.addons, product.domain)) return [];
    const fix = externalDns.enabled
      ? `add its zone to addons.externalDns.zones (now: ${externalDns.zones.join(", ")})`
      : `enable addons.externalDns with its zone in addons.externalDns.zones`;
    return [{ path: ["products", name, "domain"], message: `nothing publishes the hosts of ${product.domain}: ${fix}`, input: product.domain }];
  });
}

export type EnvironmentConfig = z.output<typeof EnvironmentSchema>;
export type NetworkConfig = z.output<typeof NetworkSchema>;
export type NatMode = (typeof NAT_MODES)[number];
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];
