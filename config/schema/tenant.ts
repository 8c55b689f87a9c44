/**
 * `tenants/<id>.yaml`: one tenant. A `shared` tenant lives in its environment's cluster (own namespace, quotas,
 * network policies, workload instances, database and credentials) with its own stack and state. A `dedicated`
 * tenant gets its own infra and platform stacks — its own VPC (CIDR allocated once from the project's pool and
 * written into this file), cluster and data services — composed from the same constructs as an environment.
 */
import { z } from "zod";
import { dnsLabel, ipv4Cidr, tagMap } from "./primitives";
import { AutoscalingSchema, ResourcesSchema } from "./products";
import { ServiceSizesSchema } from "./services";

export const ISOLATION_MODES = ["shared", "dedicated"] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];

/** Kubernetes resource quantity, e.g. 500m, 2, 1.5, 512Mi, 4Gi. */
export const quantity = z
  .union([z.string(), z.number()], { error: "expected a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi" })
  .transform((value) => String(value))
  .refine((value) => /^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.test(value), {
    error: "expected a Kubernetes quantity such as 500m, 2, 1.5, 512Mi or 4Gi",
  });

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "expected a lowercase DNS host name such as app.example.com" });

/**
 * Overrides of one workload of a tenant's product instance. Every field replaces the environment's value; the
 * layered workload is validated with the product schema (e.g. requests within limits, minReplicas <= maxReplicas).
 */
const TenantWorkloadOverrideSchema = z.strictObject({
  replicas: z.int().min(1).max(1000).optional(),
  autoscaling: AutoscalingSchema.optional(),
  resources: ResourcesSchema.optional(),
});

/** A Kubernetes namespace name: an RFC 1123 label (kubernetes.io/docs/concepts/overview/working-with-objects/names). */
const K8S_NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * An EKS cluster name (EKS CreateCluster: 1-100 characters, `^[0-9A-Za-z][A-Za-z0-9\-_]*$`), restricted to lowercase
 * letters, digits and '-' so it is also valid where the platform writes it into tag keys, Kubernetes labels and
 * Prometheus external labels.
 */
export const EKS_CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** ARN of an ACM certificate: `arn:<partition>:acm:<region>:<account>:certificate/<id>`. */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z]{2}(-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f-]{36}$/;

/** One product the tenant runs: an instance of its environment's `products.<name>`, with the tenant's overrides. */
export const TenantProductSchema = z.strictObject({
  /**
   * Domain the product's relative hosts live under for this tenant. Default: `<id>.<product domain>`.
   *
   * - Inside one of the environment's hosted zones (`edge.domains`): the tenant's stack issues a certificate for
   *   the domain and `*.<domain>`, DNS-validated in that zone, and external-dns publishes the hosts.
   * - Anywhere else (a custom domain the tenant owns): set `certificateArn`; the tenant points its hosts (CNAME)
   *   at the load balancer named in the stack's `custom-domain-<product>` output.
   */
  domain: hostname.optional(),
  /**
   * Custom domains only: ARN of the ACM certificate, in the environment's account and region, that covers the
   * product's hosts under `domain` (imported, or issued and validated by the tenant in its own DNS).
   */
  certificateArn: z.string().regex(ACM_CERTIFICATE_ARN, { error: "expected an ACM certificate ARN such as arn:aws:acm:eu-west-1:111111111111:certificate/0f6e6d0c-2f52-4b8e-9a4e-3c1d2b7a9f10" }).optional(),
  /** Per-workload overrides (replicas, autoscaling, resources) on top of the environment's instance. */
  workloads: z.record(dnsLabel(40, "a workload name"), TenantWorkloadOverrideSchema).default({}),
  /**
   * Dedicated tenants: the Kubernetes namespace of the product in the tenant's own cluster (e.g. the one its guide's
   * commands name). Default: `<id>-<product>`. Shared tenants' namespaces always carry the tenant id (one cluster).
   */
  namespace: z
    .string({ error: "expected a Kubernetes namespace name" })
    .regex(K8S_NAMESPACE, { error: "expected a Kubernetes namespace name (RFC 1123 label): lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters" })
    .max(63, { error: "a Kubernetes namespace name is at most 63 characters" })
    .optional(),
});

export const TenantSchema = z.strictObject({
  /** DNS-safe tenant id, unique across the platform; must equal the file name. Part of every name and tag. */
  id: dnsLabel(20, "a tenant id"),
  /** Environment the tenant belongs to (its file in environments/ must exist). */
  environment: dnsLabel(8, "an environment name"),
  isolation: z.enum(ISOLATION_MODES),
  /** Owner tag for the tenant's resources (defaults to the environment's / project's). */
  owner: z.string().min(1).max(128).optional(),
  /** Cost centre tag for the tenant's resources (defaults to the environment's / project's). */
  costCentre: z.string().min(1).max(128).optional(),
  /** Extra tags for the tenant's resources. */
  tags: tagMap.default({}),
  /**
   * Products of the tenant's environment the tenant runs, by name, with per-tenant overrides. A shared tenant
   * runs at least one; a dedicated tenant runs exactly these in its own cluster (none when empty).
   */
  products: z.record(dnsLabel(20, "a product name"), TenantProductSchema.nullish().transform((value) => value ?? { workloads: {} })).default({}),
  /** Kubernetes resource quota of each of the tenant's namespaces (shared tenants: one namespace per product). */
  quotas: z
    .strictObject({
      /** Sum of CPU requests of the namespace's pods. */
      cpu: quantity,
      /** Sum of memory requests. */
      memory: quantity,
      /** Sum of CPU limits. Default: twice `cpu`. */
      limitsCpu: quantity.optional(),
      /** Sum of memory limits. Default: twice `memory`. */
      limitsMemory: quantity.optional(),
      pods: z.int().min(1).max(10_000),
    })
    .default({ cpu: "8", memory: "16Gi", pods: 100 }),
  /**
   * Marks the tenant for removal: lifts deletion protection and prevent_destroy on its resources (final snapshots
   * are still taken) so its stacks can be destroyed. See `npm run tenant -- remove`.
   */
  decommission: z.boolean().default(false),
  /**
   * Shared tenants: which of the environment's tenant load balancers (ALB ingress group `tenants-<n>`) serves the
   * tenant's hosts. Allocated by the onboarding command (the lowest group with room, see the project's
   * `tenancy.tenantsPerLoadBalancer`) and written here so it never moves when other tenants come and go.
   */
  ingressGroup: z.int().min(1).max(999).optional(),
  /**
   * Dedicated tenants: sizes of their own data services, by kind and service name as the environment declares them
   * (`postgres.<name>`: instanceClass, readers, storage, parameters; `redis.<name>`: nodeType, nodes;
   * `documentdb.<name>`: instanceClass, instances; `opensearch.<name>`: instanceType, instanceCount,
   * dedicatedMasters, volume; `rabbitmq.<name>`: instanceType, deployment). Written over the environment's entry and
   * checked by the same rules (e.g. the production profile's minimum readers). Default: the environment's sizes.
   * Shared tenants use the environment's services and cannot size them.
   */
  services: ServiceSizesSchema.optional(),
  /**
   * Dedicated tenants: their backup policy, written over the environment's `backup` section key by key (lists
   * replace), with the same keys (see config/schema/backup.ts) — e.g. `plans.default.rules.daily.retentionDays` —
   * and validated with it (vault lock ranges, RPO of every stateful resource). Default: the environment's policy.
   * Shared tenants' data lives in the environment's services and is backed up by its policy.
   */
  backup: z.record(z.string(), z.unknown(), { error: "expected a mapping of backup settings (the keys of an environment's backup section)" }).optional(),
  /**
   * Dedicated tenants: their EKS cluster. `name` replaces the derived `<project>-<environment>-<id>-eks` (e.g. the name
   * the tenant's guide uses with `aws eks update-kubeconfig --name`); it must be unique among the clusters of the
   * account and region. Changing it replaces the cluster.
   */
  cluster: z
    .strictObject({
      name: z
        .string({ error: "expected an EKS cluster name" })
        .regex(EKS_CLUSTER_NAME, { error: "expected an EKS cluster name: lowercase letters, digits and '-', starting and ending with a letter or digit" })
        .max(100, { error: "an EKS cluster name is at most 100 characters" }),
    })
    .optional(),
  /**
   * Dedicated tenants: the AWS account (a name in project.yaml `accounts`) its stacks deploy into, in its
   * environment's region. Default: its environment's account. Shared tenants live in their environment's cluster.
   */
  account: dnsLabel(20, "an account name").optional(),
  /** Dedicated tenants: the VPC CIDR, allocated from the project's tenancy pool by the onboarding command. */
  network: z
    .strictObject({
      cidr: ipv4Cidr({ minPrefix: 16, maxPrefix: 24, privateOnly: true }),
      /**
       * Set true to keep a CIDR outside the project's `tenancy.cidrPool` deliberately (e.g. a migrated tenant whose
       * partners already route its range). Without it such a CIDR is rejected. Overlaps are rejected either way.
       */
      outsidePool: z.boolean().default(false),
    })
    .optional(),
});

export type TenantConfig = z.output<typeof TenantSchema>;
export type TenantProductConfig = z.output<typeof TenantProductSchema>;
