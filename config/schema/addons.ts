/**
 * `addons` section of an environment file: the platform add-ons `<env>-platform` installs into the cluster
 * with Helm (chart versions are pinned in charts/catalog.ts, not here). The AWS Load Balancer Controller,
 * External Secrets, metrics-server and the default storage class are always installed (workloads depend on
 * them); external-dns, Karpenter and cert-manager are switched on per environment.
 */
import { z } from "zod";
import { ARCHITECTURES, familyOf, INSTANCE_FAMILIES, INSTANCE_SIZE, sizeOf } from "../../constructs/cluster/instance-families";
import { uniqueList } from "./primitives";

export const DNS_POLICIES = ["sync", "upsert-only"] as const;
export const KARPENTER_CAPACITY_TYPES = ["on-demand", "spot"] as const;
export const CONSOLIDATION_POLICIES = ["WhenEmpty", "WhenEmptyOrUnderutilized"] as const;
export const RECLAIM_POLICIES = ["Retain", "Delete"] as const;

/** A Go duration as Karpenter reads it: 30s, 5m, 720h. */
export const GO_DURATION = /^\d+(s|m|h)$/;
/** A percentage such as 10%. */
export const PERCENTAGE = /^(100|[1-9]?\d)%$/;
/** A DNS zone name such as example.com (lowercase, no trailing dot). */
export const DNS_ZONE_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const duration = z.string().regex(GO_DURATION, { error: "expected a duration such as 30s, 10m or 720h" });
const replicas = z.int().min(1).max(10);

/** A DNS zone name such as example.com (no trailing dot). */
const zoneName = z.string().regex(DNS_ZONE_NAME, { error: "expected a DNS zone name such as example.com" });

export const KarpenterNodePoolSchema = z
  .strictObject({
    /** CPU architectures Karpenter may launch. */
    architectures: uniqueList(z.enum(ARCHITECTURES, { error: `expected one of ${ARCHITECTURES.join(", ")}` }), "architectures").min(1),
    /** Capacity types, cheapest first is Karpenter's choice: spot is used when allowed and available. */
    capacityTypes: uniqueList(
      z.enum(KARPENTER_CAPACITY_TYPES, { error: `expected one of ${KARPENTER_CAPACITY_TYPES.join(", ")}` }),
      "capacity types",
    ).min(1),
    /** Instance families Karpenter may choose from; each must be known and of a listed architecture. */
    instanceFamilies: uniqueList(z.string(), "instance families").min(1),
    /**
     * Only these instance types (e.g. m7g.xlarge), each of a listed family: an allow-list finer than families.
     * Default: every type of the families (within instanceSizes).
     */
    instanceTypes: uniqueList(z.string(), "instance types").min(1).optional(),
    /** Only these sizes (e.g. large, xlarge, 2xlarge) of the families. Default: every size. */
    instanceSizes: uniqueList(z.string(), "instance sizes").min(1).optional(),
    /** Total vCPUs this pool may provision (a cost ceiling). */
    cpuLimit: z.int().min(1).max(100_000),
    /** Total memory this pool may provision, in GiB. */
    memoryLimitGiB: z.int().min(1).max(400_000),
    consolidationPolicy: z.enum(CONSOLIDATION_POLICIES, { error: `expected one of ${CONSOLIDATION_POLICIES.join(", ")}` }),
    /** How long a node must be consolidatable before Karpenter acts. */
    consolidateAfter: duration,
    /** Maximum node lifetime; nodes are replaced (with the current image) when it expires. */
    expireAfter: duration,
    /** Share of nodes that voluntary disruption may take down at once, e.g. "10%". */
    disruptionBudget: z.string().regex(PERCENTAGE, { error: "expected a percentage such as 10%" }),
    /** Root volume size of Karpenter nodes (gp3, encrypted with the cluster key). */
    diskSizeGiB: z.int().min(20).max(16384),
  })
  .superRefine((pool, ctx) => {
    (pool.instanceSizes ?? []).forEach((size, index) => {
      if (!INSTANCE_SIZE.test(size)) {
        ctx.addIssue({ code: "custom", path: ["instanceSizes", index], message: "expected an EC2 instance size such as large, xlarge, 2xlarge or metal", input: size });
      }
    });
    (pool.instanceTypes ?? []).forEach((instanceType, index) => {
      const family = familyOf(instanceType);
      const size = sizeOf(instanceType);
      if (family === undefined || size === undefined || !INSTANCE_SIZE.test(size)) {
        ctx.addIssue({ code: "custom", path: ["instanceTypes", index], message: "expected an instance type <family>.<size> such as m7g.xlarge", input: instanceType });
      } else if (!pool.instanceFamilies.includes(family)) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceTypes", index],
          message: `${instanceType} is not of the pool's instanceFamilies (${pool.instanceFamilies.join(", ")}); Karpenter needs both to match, so it could never launch it`,
          input: instanceType,
        });
      } else if (pool.instanceSizes && !pool.instanceSizes.includes(size)) {
        ctx.addIssue({ code: "custom", path: ["instanceTypes", index], message: `${instanceType} is not of the pool's instanceSizes (${pool.instanceSizes.join(", ")}); it could never be launched`, input: instanceType });
      }
    });
    pool.instanceFamilies.forEach((family, index) => {
      const architecture = INSTANCE_FAMILIES[family];
      if (architecture === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceFamilies", index],
          message: `unknown instance family; known: ${Object.keys(INSTANCE_FAMILIES).sort().join(", ")}`,
          input: family,
        });
      } else if (!pool.architectures.includes(architecture)) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceFamilies", index],
          message: `${family} is ${architecture} but architectures are ${pool.architectures.join(", ")}; add ${architecture} or remove the family`,
          input: family,
        });
      }
    });
  });

export const CLUSTER_AUTOSCALER_EXPANDERS = ["least-waste", "random", "most-pods", "priority"] as const;

export const AddonsSchema = z
  .strictObject({
  loadBalancerController: z.strictObject({
    /** Controller replicas (it also serves admission webhooks: keep 2 where availability matters). */
    replicas,
  }),
  externalDns: z
    .strictObject({
      enabled: z.boolean(),
      /** Public Route 53 zones external-dns manages (looked up by name); it touches no other zone. */
      zones: uniqueList(zoneName, "zones"),
      /** `upsert-only` never deletes records; `sync` also removes records whose source is gone. */
      policy: z.enum(DNS_POLICIES, { error: `expected one of ${DNS_POLICIES.join(", ")}` }),
    })
    .superRefine((dns, ctx) => {
      if (dns.enabled && dns.zones.length === 0) {
        ctx.addIssue({ code: "custom", path: ["zones"], message: "external-dns is enabled but manages no zone; list at least one", input: dns.zones });
      }
    }),
  externalSecrets: z.strictObject({ replicas }),
  metricsServer: z.strictObject({ replicas }),
  certManager: z.strictObject({ enabled: z.boolean(), replicas }),
  karpenter: z.strictObject({
    enabled: z.boolean(),
    /** Controller replicas (spread over nodes; needs that many managed nodes). */
    replicas,
    nodePool: KarpenterNodePoolSchema,
  }),
  /**
   * The Cluster Autoscaler, which scales the managed node pools between their minSize and maxSize: the alternative to
   * Karpenter (never both: they would fight over the same pending pods).
   */
  clusterAutoscaler: z.strictObject({
    enabled: z.boolean(),
    replicas,
    /** Which pool grows when several could: least-waste (least idle CPU and memory), random, most-pods or priority. */
    expander: z.enum(CLUSTER_AUTOSCALER_EXPANDERS, { error: `expected one of ${CLUSTER_AUTOSCALER_EXPANDERS.join(", ")}` }),
    /** How long a node must be unneeded before it is removed. */
    scaleDownUnneededTime: duration,
    /** Nodes whose requests are below this share of their capacity may be removed (0 to 1). */
    scaleDownUtilizationThreshold: z.number().gt(0).max(1),
  }),
  /**
   * Stakater Reloader: restarts a workload when a Kubernetes Secret it reads changes (a value rotated or re-seeded in
   * Secrets Manager and synced by External Secrets). Config maps need no reloader: the platform renders them and a
   * checksum of their content rolls the pods that load them.
   */
  reloader: z.strictObject({ enabled: z.boolean(), replicas }),
  /**
   * Argo Rollouts: canary or blue-green rollouts of the web workloads that set `progressiveDelivery`, with automatic
   * rollback when the product's error rate or latency exceeds its thresholds (analysis against Prometheus).
   */
  argoRollouts: z.strictObject({ enabled: z.boolean(), replicas }),
  storage: z.strictObject({
    /** What happens to an EBS volume when its claim is deleted (Retain keeps the data). */
    reclaimPolicy: z.enum(RECLAIM_POLICIES, { error: `expected one of ${RECLAIM_POLICIES.join(", ")}` }),
  }),
  })
  .superRefine((addons, ctx) => {
    if (addons.clusterAutoscaler.enabled && addons.karpenter.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["clusterAutoscaler", "enabled"],
        message: "Karpenter is enabled: the Cluster Autoscaler is its alternative, not a companion (both would add nodes for the same pending pods); disable one",
        input: true,
      });
    }
  });

export type AddonsConfig = z.output<typeof AddonsSchema>;
export type KarpenterNodePoolConfig = z.output<typeof KarpenterNodePoolSchema>;
