/**
 * `tenants/<id>.yaml`: one tenant. A `shared` tenant lives in its environment's cluster (own namespace, quotas,
 * network policies, workload instances, database and credentials) with its own stack and state. A `dedicated`
 * tenant gets its own infra and platform stacks — its own VPC (CIDR allocated once from the project's pool and
 * written into this file), cluster and data services — composed from the same constructs as an environment.
 */
import { z } from "zod";
import { dnsLabel, ipv4Cidr, tagMap } from "./primitives";
import { AutoscalingSchema, ResourcesSchema } from "./products";

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

/** One product the tenant runs: an instance of its environment's `products.<name>`, with the tenant's overrides. */
export const TenantProductSchema = z.strictObject({
  /**
   * Domain the product's relative hosts live under for this tenant; must be a subdomain of the product's domain in
   * the environment (its hosted zone validates the tenant's certificate). Default: `<id>.<product domain>`.
   */
  domain: hostname.optional(),
  /** Per-workload overrides (replicas, autoscaling, resources) on top of the environment's instance. */
  workloads: z.record(dnsLabel(40, "a workload name"), TenantWorkloadOverrideSchema).default({}),
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
  domain: z
    .strictObject({
      /** Not supported yet (rejected by the loader): set `products.<name>.domain` instead. */
      host: hostname.optional(),
      /** Not supported yet (rejected by the loader): a custom domain needs its own hosted zone. */
      custom: hostname.optional(),
    })
    .default({}),
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
  /** Dedicated tenants: the VPC CIDR, allocated from the project's tenancy pool by the onboarding command. */
  network: z
    .strictObject({
      cidr: ipv4Cidr({ minPrefix: 16, maxPrefix: 24, privateOnly: true }),
    })
    .optional(),
});

export type TenantConfig = z.output<typeof TenantSchema>;
export type TenantProductConfig = z.output<typeof TenantProductSchema>;
