/**
 * Products: the application workloads a platform runs, declared as data.
 *
 *   products/<name>.yaml                      the product (ProductFileSchema): its workloads (web services, workers,
 *                                             cron jobs, run-before-rollout jobs), secrets, config maps, the data
 *                                             services it uses, with production's replicas, resources, HPA bounds,
 *                                             probes and hosts
 *   environments/<env>.yaml `products.<name>` runs the product in that environment: its domain and namespace, and
 *                                             overrides over the product file (e.g. fewer replicas in dev). Any
 *                                             product key may be overridden; objects merge key by key, lists and
 *                                             scalars replace (see config/layering.ts).
 *   environments/<env>.yaml `workloads`       the environment's workload policy (security, rollout, spreading,
 *                                             disruption budgets, quotas, ingress group); defaults per profile.
 *
 * The loader layers the product file under the environment's instance before validation, so a product is
 * validated as the environment will run it (`ProductSchema`), and errors name the key path under `products.<name>`.
 * Constructs take the resolved, typed product (`ProductConfig`) plus a namespace and naming scope, never the raw
 * environment: a tenant can instantiate the same product in its own namespace with its own overrides.
 */
import { z } from "zod";
import { SERVICE_KINDS } from "../../constructs/core/connections";
import { RDS_CA_CONFIG_MAP, RDS_CA_MOUNT, RDS_CA_VOLUME } from "../../constructs/core/platform-contracts";
import { imagePinningProblem } from "../../constructs/workload/image";
import { CPU_QUANTITY_HINT, MEMORY_QUANTITY_HINT, parseCpu, parseMemory } from "../../constructs/workload/quantity";
import { looksLikeTenantNamespace } from "../../constructs/alert-rules/rules";
import { ALB_BODY_INSPECTION_BYTES, MAX_UPLOAD_BYTES } from "../../constructs/waf/rules";
import { LOG_CLASSES, ProductAlertOverridesSchema, ProductLogsSchema, ProductMonitoringSchema } from "./observability";
import { dnsLabel, duplicatesOf, ianaTimeZone, kubernetesCron, uniqueList } from "./primitives";
import { WORKLOAD_VARIABLE_NAMES, WORKLOAD_VARIABLES } from "./injected-env";

export const WORKLOAD_KINDS = ["web", "worker", "cron", "pre-rollout"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
/** Kinds that run as a Deployment (long-running, probed, scaled, disrupted). */
export const DEPLOYMENT_KINDS: readonly WorkloadKind[] = ["web", "worker"];

/** Data services a workload can be connected to (S3 buckets are reached through `grants` instead). */
export const CONNECTABLE_KINDS = SERVICE_KINDS.filter((kind) => kind !== "s3") as Exclude<(typeof SERVICE_KINDS)[number], "s3">[];

export const GRANT_ACCESS = {
  bucket: ["read", "read-write"],
  queue: ["publish", "consume"],
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Primitives

const workloadName = dnsLabel(40, "a workload name");
const secretName = dnsLabel(40, "a secret name");
const configMapName = dnsLabel(40, "a config map name");
const serviceRef = dnsLabel(40, "a service name");
const resourceName = dnsLabel(63, "a resource name");

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envVarName = z.string().regex(ENV_VAR, { error: "environment variable names are letters, digits and '_', not starting with a digit" });

/** IANA service name, as Kubernetes requires for named ports. */
const portName = z
  .string()
  .regex(/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, {
    error: "port names are at most 15 lowercase letters, digits and '-', with at least one letter (e.g. http, metrics)",
  })
  .refine((value) => !value.includes("--"), { error: "port names must not contain '--'" });
const portNumber = z.int().min(1).max(65535);
/** A container port, by name (declared in `ports`) or number. */
const portRef = z.union([portNumber, portName], { error: "expected a port name declared in ports (e.g. http) or a port number" });

const scalar = z
  .union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" })
  .transform((value) => String(value));

const intOrPercent = z
  .union([z.int().min(0), z.string().regex(/^\d{1,3}%$/)], { error: "expected a whole number or a percentage such as 25%" })
  .transform((value) => String(value));

function cpuQuantity() {
  return z
    .union([z.string(), z.number()], { error: `expected ${CPU_QUANTITY_HINT}` })
    .transform((value) => String(value))
    .refine((value) => parseCpu(value) !== undefined, { error: `unparseable quantity; expected ${CPU_QUANTITY_HINT}` });
}

function memoryQuantity() {
  return z
    .union([z.string(), z.number()], { error: `expected ${MEMORY_QUANTITY_HINT}` })
    .transform((value) => String(value))
    .refine((value) => parseMemory(value) !== undefined, { error: `unparseable quantity; expected ${MEMORY_QUANTITY_HINT}` });
}

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "expected a lowercase DNS domain such as noor.example.com" });

/** A host relative to the product's domain: `app`, `api.v2`, `*` (any one label) or `@` (the domain itself). */
const relativeHost = z
  .string()
  .regex(/^(@|\*|(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)$/, {
    error: "expected a host relative to the product domain: a label such as app, '*' for any subdomain, or '@' for the domain itself",
  });

const urlPath = z.string().regex(/^\/[A-Za-z0-9/_.~-]*$/, { error: "expected a URL path starting with '/', e.g. /api" });

/** Kubernetes Go-duration, e.g. 30s, 15m, 1h. */
const duration = z.string().regex(/^\d+(s|m|h)$/, { error: "expected a duration such as 30s, 15m or 1h" });


// ---------------------------------------------------------------------------------------------------------------
// Workload volumes

/** gp3 volumes hold 1 GiB to 16 TiB. */
export const VOLUME_SIZE_RANGE_GIB = [1, 16_384] as const;
const GIBIBYTE = 1024 ** 3;
/** Where the platform mounts the writable scratch volume; no other volume may use it. */
export const TMP_MOUNT = "/tmp";
/** Paths a volume may not cover: the root, system and kernel interfaces, and the service account token. */
export const RESERVED_MOUNT_PATHS = ["/", "/etc", "/proc", "/sys", "/dev", "/var/run/secrets", "/run/secrets", "/bin", "/sbin", "/lib", "/usr"] as const;

const volumeSize = z
  .union([z.string(), z.number()], { error: `expected a size such as 20Gi (${VOLUME_SIZE_RANGE_GIB[0]}Gi to ${VOLUME_SIZE_RANGE_GIB[1]}Gi)` })
  .transform((value) => String(value))
  .refine(
    (value) => {
      const bytes = parseMemory(value);
      return bytes !== undefined && bytes >= VOLUME_SIZE_RANGE_GIB[0] * GIBIBYTE && bytes <= VOLUME_SIZE_RANGE_GIB[1] * GIBIBYTE;
    },
    { error: `expected a size such as 20Gi, from ${VOLUME_SIZE_RANGE_GIB[0]}Gi to ${VOLUME_SIZE_RANGE_GIB[1]}Gi (a gp3 volume)` },
  );

const mountPath = z
  .string({ error: "expected an absolute path such as /var/cache/app" })
  .regex(/^(\/[A-Za-z0-9._-]+)+$/, { error: "expected an absolute path such as /var/cache/app (letters, digits, '.', '_' and '-' between '/', no trailing '/')" })
  .refine((value) => !value.split("/").some((segment) => segment === "." || segment === ".."), { error: "a mount path may not contain '.' or '..' segments" });

/** An extra writable mount of a workload (the root filesystem stays read-only). */
export const VolumeSchema = z
  .strictObject({
    /** Volume name, unique in the workload (a persistent claim is named `<workload>-<name>`). */
    name: dnsLabel(20, "a volume name"),
    /** Where the container sees it. */
    mountPath,
    /** Scratch space on the node's disk (or in memory), gone with the pod. */
    emptyDir: z
      .strictObject({
        sizeLimit: memoryQuantity(),
        /** tmpfs in the pod's memory: counts against the container's memory limit. */
        memory: z.boolean().default(false),
      })
      .optional(),
    /** A gp3 volume of its own for each pod (generic ephemeral volume), created with the pod and deleted with it. */
    ephemeral: z.strictObject({ size: volumeSize }).optional(),
    /**
     * A gp3 volume that outlives the pods (a PersistentVolumeClaim `<workload>-<name>`), e.g. a cache kept across
     * restarts. ReadWriteOnce: one pod mounts it, so a Deployment with one runs exactly one replica and is replaced
     * with the Recreate strategy; cron jobs and pre-rollout jobs run one pod at a time.
     */
    persistent: z.strictObject({ size: volumeSize }).optional(),
  })
  .superRefine((volume, ctx) => {
    const kinds = (["emptyDir", "ephemeral", "persistent"] as const).filter((key) => volume[key] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", message: `a volume needs exactly one of emptyDir, ephemeral or persistent; found ${kinds.length === 0 ? "none" : kinds.join(", ")}`, input: volume });
    }
  });

export type VolumeConfig = z.output<typeof VolumeSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Workload

export const ResourcesSchema = z
  .strictObject({
    /** What the scheduler reserves per replica; HPA utilization targets are percentages of these. */
    requests: z.strictObject({ cpu: cpuQuantity(), memory: memoryQuantity() }),
    /** Ceilings per replica. A memory limit is required; a CPU limit is optional (omitting it avoids throttling). */
    limits: z.strictObject({ cpu: cpuQuantity().optional(), memory: memoryQuantity() }),
  })
  .superRefine((resources, ctx) => {
    const pairs = [
      ["cpu", parseCpu(resources.requests.cpu), resources.limits.cpu === undefined ? undefined : parseCpu(resources.limits.cpu)],
      ["memory", parseMemory(resources.requests.memory), parseMemory(resources.limits.memory)],
    ] as const;
    for (const [what, request, limit] of pairs) {
      if (request === undefined || limit === undefined || request <= limit) continue;
      ctx.addIssue({
        code: "custom",
        path: ["requests", what],
        message: `requests.${what} ${resources.requests[what]} is above limits.${what} ${resources.limits[what]}; a request must not exceed its limit`,
        input: resources.requests[what],
      });
    }
  });

const ProbeSchema = z
  .strictObject({
    /** HTTP GET on a path (2xx/3xx is healthy). */
    http: z.strictObject({ path: urlPath, port: portRef.optional() }).optional(),
    /** TCP connect to a port. */
    tcp: z.strictObject({ port: portRef }).optional(),
    /** A command in the container (exit 0 is healthy). */
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    initialDelaySeconds: z.int().min(0).max(3600).optional(),
    periodSeconds: z.int().min(1).max(3600).optional(),
    timeoutSeconds: z.int().min(1).max(600).optional(),
    failureThreshold: z.int().min(1).max(100).optional(),
  })
  .superRefine((probe, ctx) => {
    const handlers = (["http", "tcp", "exec"] as const).filter((key) => probe[key] !== undefined);
    if (handlers.length !== 1) {
      ctx.addIssue({ code: "custom", message: `a probe needs exactly one of http, tcp or exec; found ${handlers.length === 0 ? "none" : handlers.join(", ")}`, input: probe });
    }
  });

export const GrantSchema = z
  .strictObject({
    /** A bucket of the environment's object storage (`storage.buckets.<name>`). */
    bucket: resourceName.optional(),
    /** An SQS queue, by its configured name. */
    queue: resourceName.optional(),
    /** Read the product's Secrets Manager secrets whose names start with this prefix (under the product's path). */
    secretsPrefix: z.string().regex(/^[a-z0-9][a-z0-9/_-]*$/, { error: "expected a secret name prefix: lowercase letters, digits, '/', '_' and '-'" }).optional(),
    /** bucket: read | read-write; queue: publish | consume. */
    access: z.enum(["read", "read-write", "publish", "consume"]).optional(),
    /** Environment variable that receives the resource's physical name (bucket name, queue URL). */
    env: envVarName.optional(),
  })
  .superRefine((grant, ctx) => {
    const targets = (["bucket", "queue", "secretsPrefix"] as const).filter((key) => grant[key] !== undefined);
    if (targets.length !== 1) {
      ctx.addIssue({ code: "custom", message: `a grant names exactly one of bucket, queue or secretsPrefix; found ${targets.length === 0 ? "none" : targets.join(", ")}`, input: grant });
      return;
    }
    const [target] = targets;
    if (target === "bucket" || target === "queue") {
      const allowed: readonly string[] = GRANT_ACCESS[target];
      if (!grant.access || !allowed.includes(grant.access)) {
        ctx.addIssue({ code: "custom", path: ["access"], message: `a ${target} grant needs access: ${allowed.join(" or ")}`, input: grant.access });
      }
    } else {
      if (grant.access !== undefined) ctx.addIssue({ code: "custom", path: ["access"], message: "a secretsPrefix grant is read-only; remove access", input: grant.access });
      if (grant.env !== undefined) ctx.addIssue({ code: "custom", path: ["env"], message: "a secretsPrefix grant has no single resource to put in env; remove env", input: grant.env });
    }
  });

const EnvValueSchema = z.union(
  [
    scalar,
    z.strictObject({ secret: secretName, property: z.string().min(1).optional() }),
    z.strictObject({ configMap: configMapName, key: z.string().min(1) }),
  ],
  { error: "expected a plain value, {secret: <declared secret>[, property: <key>]} or {configMap: <declared config map>, key: <key>}" },
);

export const AutoscalingSchema = z
  .strictObject({
    minReplicas: z.int().min(1).max(1000),
    maxReplicas: z.int().min(1).max(1000),
    /** Target average CPU utilization, percent of the CPU request. */
    cpuUtilization: z.int().min(1).max(100).optional(),
    /** Target average memory utilization, percent of the memory request. */
    memoryUtilization: z.int().min(1).max(100).optional(),
    /** How long the HPA waits before scaling down. Default: the environment's `workloads.autoscaling`. */
    scaleDownStabilizationSeconds: z.int().min(0).max(3600).optional(),
  })
  .superRefine((hpa, ctx) => {
    if (hpa.minReplicas > hpa.maxReplicas) {
      ctx.addIssue({
        code: "custom",
        path: ["minReplicas"],
        message: `HPA minReplicas ${hpa.minReplicas} is above maxReplicas ${hpa.maxReplicas}; minReplicas must be <= maxReplicas`,
        input: hpa.minReplicas,
      });
    }
    if (hpa.cpuUtilization === undefined && hpa.memoryUtilization === undefined) {
      ctx.addIssue({ code: "custom", message: "autoscaling needs a target: cpuUtilization and/or memoryUtilization (percent of the request)", input: hpa });
    }
  });

/** Rollout strategies of progressive delivery (Argo Rollouts). */
export const ROLLOUT_STRATEGIES = ["canary", "blueGreen"] as const;

/** One canary step: this share of the replicas runs the new version for `pause` while the analysis watches it. */
const CanaryStepSchema = z.strictObject({
  /** Percent of replicas on the new version (1-99; the last step is followed by full promotion). */
  weight: z.int().min(1).max(99),
  /** How long the step lasts before the next one. */
  pause: duration,
});

/**
 * Progressive delivery of a web workload (Argo Rollouts, `addons.argoRollouts`): a canary (the new version on a growing
 * share of the replicas) or blue-green (the new version beside the old one, switched over at once), rolled back
 * automatically when its own requests fail or slow down beyond the product's alert thresholds.
 */
export const ProgressiveDeliverySchema = z
  .strictObject({
    strategy: z.enum(ROLLOUT_STRATEGIES, { error: `expected one of ${ROLLOUT_STRATEGIES.join(", ")}` }),
    /** canary only: the steps. Default: 20% for 2m, then 50% for 2m, then everything. */
    steps: z.array(CanaryStepSchema).min(1).max(10).optional(),
    /** What the analysis measures on the new version's pods (the product's `monitoring.httpMetrics`). */
    analysis: z
      .strictObject({
        /** Time between measurements (and the rate() window of each query). */
        interval: duration.default("1m"),
        /** Measurements of a blue-green post-promotion analysis (a canary measures until the last step ends). */
        measurements: z.int().min(1).max(60).default(5),
        /** Failed measurements tolerated before the rollout is aborted and rolled back. */
        failureLimit: z.int().min(0).max(10).default(1),
        /** 5xx share of the new version's requests that fails a measurement. Default: the product's httpErrorRatePercent alert threshold. */
        errorRatePercent: z.number().gt(0).lt(100).optional(),
        /** p95 request duration of the new version that fails a measurement. Default: the product's httpLatencyP95Seconds threshold. */
        latencyP95Seconds: z.number().gt(0).max(600).optional(),
      })
      .prefault({}),
  })
  .superRefine((delivery, ctx) => {
    if (delivery.strategy !== "canary" && delivery.steps) {
      ctx.addIssue({ code: "custom", path: ["steps"], message: "steps apply to the canary strategy; blue-green switches all traffic at once", input: delivery.steps });
    }
    (delivery.steps ?? []).forEach((step, index, steps) => {
      const previous = steps[index - 1];
      if (previous && step.weight <= previous.weight) {
        ctx.addIssue({ code: "custom", path: ["steps", index, "weight"], message: `weights must grow from step to step (${previous.weight} then ${step.weight})`, input: step.weight });
      }
    });
  });

const workloadShape = {
    /**
     * web: Deployment + Service (+ Ingress when `ingress` is set); worker: Deployment without a Service;
     * cron: CronJob on `schedule`; pre-rollout: a Job that runs to completion before the product's Deployments
     * roll out (e.g. database migrations), named after its image so a new image version runs it again.
     */
    kind: z.enum(WORKLOAD_KINDS, { error: `expected one of ${WORKLOAD_KINDS.join(", ")}` }),
    description: z.string().max(256).optional(),
    /** Image with an explicit tag (not latest) and/or digest. */
    image: z.string({ error: "expected an image reference such as registry.example.com/app:1.2.3" }),
    command: z.array(z.string()).min(1).optional(),
    args: z.array(z.string()).optional(),
    /** Container ports by name, e.g. `http: 8000`. A web workload's Service exposes them (http on port 80). */
    ports: z.record(portName, portNumber).default({}),
    /** Fixed replica count (Deployments without autoscaling). Default: the environment's `workloads.minReplicas`. */
    replicas: z.int().min(1).max(1000).optional(),
    /** HorizontalPodAutoscaler (autoscaling/v2). The Deployment leaves replicas to it. */
    autoscaling: AutoscalingSchema.optional(),
    resources: ResourcesSchema,
    /** Health endpoint: HTTP liveness, readiness and startup probes with the environment's timings. */
    health: z.strictObject({ path: urlPath, port: portRef.optional() }).optional(),
    /** Explicit probes; each replaces the one derived from `health`. */
    probes: z.strictObject({ liveness: ProbeSchema.optional(), readiness: ProbeSchema.optional(), startup: ProbeSchema.optional() }).optional(),
    /** Environment variables: plain values, declared secrets (synced by External Secrets) or config map keys. */
    env: z.record(envVarName, EnvValueSchema).default({}),
    /** Declared config maps whose keys all become environment variables (e.g. feature flags). */
    envFrom: uniqueList(configMapName, "config maps").default([]),
    /** Data services (declared under the product's `services`) injected as <PREFIX>_HOST, _PORT, ... and credentials. */
    uses: uniqueList(serviceRef, "services").default([]),
    /** Workloads of the same product this one calls: network policies allow exactly these paths. */
    connectsTo: uniqueList(workloadName, "workloads").default([]),
    /** AWS permissions, resolved to ARNs from deterministic names (never hand-written ARNs). */
    grants: z.array(GrantSchema).default([]),
    /** Public routing through the environment's shared ALB (web workloads only). */
    ingress: z
      .strictObject({
        /** Hosts relative to the product domain (`app` -> app.<domain>, `@` -> <domain>, `*` -> any subdomain). */
        hosts: uniqueList(relativeHost, "hosts").min(1),
        /** Path prefixes routed to this workload. */
        paths: uniqueList(urlPath, "paths").min(1).default(["/"]),
        /** Container port the load balancer targets. Default: http. */
        port: portRef.optional(),
        /** Rule order within the ALB group (1-1000, lower first); more specific paths need lower numbers. */
        order: z.int().min(1).max(1000).optional(),
        /**
         * Paths of these hosts that accept request bodies over 8 KB (file uploads), up to `maxBodySize`. The
         * environment's web ACL blocks larger bodies everywhere else (its common rule set's SizeRestrictions_BODY;
         * WAF inspects only the first 8 KB of a body behind a load balancer), and here blocks a declared Content-Length
         * above maxBodySize. Default paths: the ingress paths.
         */
        uploads: z
          .strictObject({
            maxBodySize: z
              .union([z.string(), z.number()], { error: "expected a size such as 50Mi" })
              .transform((value) => String(value))
              .refine(
                (value) => {
                  const bytes = parseMemory(value);
                  return bytes !== undefined && bytes > ALB_BODY_INSPECTION_BYTES && bytes <= MAX_UPLOAD_BYTES;
                },
                { error: `expected a size such as 50Mi, above 8Ki (what every path accepts) and at most ${MAX_UPLOAD_BYTES / 1024 ** 3}Gi` },
              ),
            paths: uniqueList(urlPath, "paths").min(1).optional(),
          })
          .optional(),
      })
      .optional(),
    /** TCP ports this workload may reach on any destination outside the cluster (e.g. 443 for third-party APIs). */
    egress: z.strictObject({ externalPorts: z.array(portNumber).min(1) }).optional(),
    /** Cron expression (kind cron), e.g. "0 2 * * *". */
    schedule: kubernetesCron.optional(),
    /** IANA time zone of `schedule`. Default: UTC. */
    timeZone: ianaTimeZone.optional(),
    /** Job attempts before failing (cron, pre-rollout). Default: the environment's `workloads.jobs.backoffLimit`. */
    backoffLimit: z.int().min(0).max(20).optional(),
    /** Seconds a job may run. Default: the environment's `workloads.jobs.activeDeadlineSeconds`. */
    activeDeadlineSeconds: z.int().min(1).max(86_400).optional(),
    /** Identity the container runs as (must be non-root). Default: the environment's `workloads.securityContext`. */
    securityContext: z.strictObject({ runAsUser: z.int().min(1).optional(), runAsGroup: z.int().min(1).optional(), fsGroup: z.int().min(1).optional() }).optional(),
    /** Size of the writable /tmp (emptyDir). Default: the environment's `workloads.tmpSizeLimit`. */
    tmpSizeLimit: memoryQuantity().optional(),
    /** Writable mounts beside /tmp: emptyDir with a size limit, ephemeral gp3 volumes, persistent claims (caches). */
    volumes: z.array(VolumeSchema).default([]),
    /** Retention class of this workload's logs. Default: the product's `logs.class`. */
    logs: z.strictObject({ class: z.enum(LOG_CLASSES, { error: `expected one of ${LOG_CLASSES.join(", ")}` }) }).optional(),
    /** Default: the environment's `workloads.terminationGracePeriodSeconds`. */
    terminationGracePeriodSeconds: z.int().min(0).max(3600).optional(),
    /**
     * Prometheus metrics endpoint (web and worker only). A web workload gets a ServiceMonitor, a worker a PodMonitor,
     * both rendered by the monitoring chart; the workload's network policy admits Prometheus on this port.
     */
    metrics: z
      .strictObject({
        /** Container port name declared in `ports`. */
        port: portName,
        path: urlPath.default("/metrics"),
        /** Scrape interval. Default: the environment's `observability.prometheus.scrapeInterval`. */
        interval: duration.optional(),
      })
      .optional(),
    /** Canary or blue-green rollouts with automatic rollback (web workloads; needs `addons.argoRollouts` and `metrics`). */
    progressiveDelivery: ProgressiveDeliverySchema.optional(),
};

/** One workload of a product. */
export const WorkloadSchema = z.strictObject(workloadShape).superRefine(checkWorkload);

/** Container port number a reference resolves to, or undefined when the workload does not expose it. */
export function resolvePort(workload: Pick<WorkloadConfig, "ports">, ref: string | number): number | undefined {
  if (typeof ref === "number") return Object.values(workload.ports).includes(ref) ? ref : undefined;
  return workload.ports[ref];
}

/** The port a health check or ingress uses when none is named: `http`, or the only declared port. */
export function defaultPortName(workload: Pick<WorkloadConfig, "ports">): string | undefined {
  const names = Object.keys(workload.ports);
  if (names.includes("http")) return "http";
  return names.length === 1 ? names[0] : undefined;
}

type Ctx = z.core.$RefinementCtx<unknown>;

function checkProgressiveDelivery(workload: z.output<z.ZodObject<typeof workloadShape>>, ctx: Ctx): void {
  const delivery = workload.progressiveDelivery;
  if (!delivery) return;
  if (workload.kind !== "web") {
    issue(ctx, ["progressiveDelivery"], `progressive delivery shifts request traffic and judges the new version by its HTTP metrics: it applies to web workloads, not to a ${workload.kind}`, delivery);
    return;
  }
  if (!workload.metrics) {
    issue(ctx, ["progressiveDelivery"], "the rollback analysis reads the workload's own HTTP metrics: declare metrics (port and path) so Prometheus scrapes them", delivery);
  }
  const claims = workload.volumes.filter((volume) => volume.persistent).map((volume) => volume.name);
  if (claims.length > 0) {
    issue(ctx, ["progressiveDelivery"], `persistent volume(s) ${claims.join(", ")} attach to one pod at a time, so two versions cannot run side by side; remove progressiveDelivery or use ephemeral volumes`, delivery);
  }
}

function issue(ctx: Ctx, path: (string | number)[], message: string, input: unknown): void {
  ctx.addIssue({ code: "custom", path, message, input });
}

function checkWorkload(workload: z.output<z.ZodObject<typeof workloadShape>>, ctx: Ctx): void {
  const { kind } = workload;
  const isDeployment = DEPLOYMENT_KINDS.includes(kind);
  if (workload.ingress && kind !== "web") {
    issue(ctx, ["ingress"], `a ${kind} has no Service, so it cannot have an ingress; use kind: web`, workload.ingress);
  }
  if (kind === "web" && Object.keys(workload.ports).length === 0) {
    issue(ctx, ["ports"], "a web workload must expose at least one port (e.g. http: 8080)", workload.ports);
  }
  if (kind === "cron" && !workload.schedule) issue(ctx, ["schedule"], "a cron workload needs a schedule such as \"0 2 * * *\"", undefined);
  if (workload.metrics && !isDeployment) issue(ctx, ["metrics"], `metrics are scraped from long-running workloads (web, worker), not from a ${kind}`, workload.metrics);
  if (workload.metrics && workload.ports[workload.metrics.port] === undefined) {
    issue(ctx, ["metrics", "port"], `port "${workload.metrics.port}" is not declared in ports (declared: ${Object.keys(workload.ports).join(", ") || "none"})`, workload.metrics.port);
  }
  if (kind !== "cron" && workload.schedule) issue(ctx, ["schedule"], `only cron workloads have a schedule (this is a ${kind})`, workload.schedule);
  if (kind !== "cron" && workload.timeZone) issue(ctx, ["timeZone"], `only cron workloads have a timeZone (this is a ${kind})`, workload.timeZone);
  if (!isDeployment) {
    for (const key of ["replicas", "autoscaling", "health", "probes"] as const) {
      if (workload[key] !== undefined) issue(ctx, [key], `${key} applies to long-running workloads (web, worker), not to a ${kind}`, workload[key]);
    }
  } else {
    for (const key of ["backoffLimit", "activeDeadlineSeconds"] as const) {
      if (workload[key] !== undefined) issue(ctx, [key], `${key} applies to jobs (cron, pre-rollout), not to a ${kind}`, workload[key]);
    }
    if (workload.replicas !== undefined && workload.autoscaling) {
      issue(
        ctx,
        ["replicas"],
        `replicas ${workload.replicas} conflicts with autoscaling (minReplicas ${workload.autoscaling.minReplicas}, maxReplicas ${workload.autoscaling.maxReplicas}): the HPA owns the replica count; remove replicas`,
        workload.replicas,
      );
    }
    const probes = workload.probes ?? {};
    if (!workload.health && (!probes.liveness || !probes.readiness)) {
      issue(ctx, ["health"], "a long-running workload needs health checks: set health.path (HTTP probes) or probes.liveness and probes.readiness", undefined);
    }
  }

  // Probes and ingress may only target ports the container exposes.
  const declared = Object.entries(workload.ports).map(([name, port]) => `${name}: ${port}`).join(", ") || "none";
  const checkPort = (path: (string | number)[], ref: string | number | undefined, what: string) => {
    const target = ref ?? defaultPortName(workload);
    if (target === undefined) {
      issue(ctx, path, `${what} needs a port: name one, or declare ports.http (declared ports: ${declared})`, ref);
    } else if (resolvePort(workload, target) === undefined) {
      issue(ctx, path, `${what} uses port ${target}, which the container does not expose (declared ports: ${declared})`, target);
    }
  };
  if (workload.health) checkPort(["health", "port"], workload.health.port, "health");
  for (const name of ["liveness", "readiness", "startup"] as const) {
    const probe = workload.probes?.[name];
    if (probe?.http) checkPort(["probes", name, "http", "port"], probe.http.port, `the ${name} probe`);
    if (probe?.tcp) checkPort(["probes", name, "tcp", "port"], probe.tcp.port, `the ${name} probe`);
  }
  if (workload.ingress && kind === "web") checkPort(["ingress", "port"], workload.ingress.port, "the ingress");
  const ingressPaths = workload.ingress?.paths ?? [];
  (workload.ingress?.uploads?.paths ?? []).forEach((path, index) => {
    if (!ingressPaths.some((prefix) => prefix === "/" || path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`))) {
      issue(ctx, ["ingress", "uploads", "paths", index], `${path} is not under the paths routed to this workload (${ingressPaths.join(", ")}); uploads there would never reach it`, path);
    }
  });

  checkVolumes(workload, ctx);
  checkProgressiveDelivery(workload, ctx);

  for (const [name, value] of Object.entries(workload.env)) {
    if (typeof value === "string" && value.includes("${")) {
      issue(ctx, ["env", name], "'${' would be read as a Terraform interpolation; use $(VAR) to refer to another variable (Kubernetes expands it)", value);
    }
  }
  const grantEnv = workload.grants.map((grant) => grant.env).filter((env): env is string => env !== undefined);
  for (const name of duplicatesOf(grantEnv)) issue(ctx, ["grants"], `two grants set the environment variable ${name}`, name);
  for (const name of grantEnv.filter((env) => env in workload.env)) {
    issue(ctx, ["env", name], `${name} is also set by a grant's env; set it in one place`, workload.env[name]);
  }
}

/** A volume's mount path covers `path` (is it, or a parent of it). */
function covers(mount: string, path: string): boolean {
  return mount === "/" || path === mount || path.startsWith(`${mount}/`);
}

function checkVolumes(workload: z.output<z.ZodObject<typeof workloadShape>>, ctx: Ctx): void {
  const names = new Map<string, number>();
  const paths = new Map<string, number>();
  workload.volumes.forEach((volume, index) => {
    const at = (...path: (string | number)[]) => ["volumes", index, ...path];
    if (volume.name === "tmp") issue(ctx, at("name"), "tmp is the platform's /tmp volume; choose another name", volume.name);
    if (volume.name === RDS_CA_VOLUME) issue(ctx, at("name"), `${RDS_CA_VOLUME} is the platform's volume of the RDS certificate authorities; choose another name`, volume.name);
    if (!(RESERVED_MOUNT_PATHS as readonly string[]).includes(volume.mountPath) && (covers(volume.mountPath, RDS_CA_MOUNT) || covers(RDS_CA_MOUNT, volume.mountPath))) {
      issue(ctx, at("mountPath"), `the platform mounts the RDS certificate authorities at ${RDS_CA_MOUNT} (for PostgreSQL and DocumentDB clients); mount this volume elsewhere`, volume.mountPath);
    }
    const sameName = names.get(volume.name);
    if (sameName !== undefined) issue(ctx, at("name"), `volumes[${sameName}] is already named ${volume.name}; volume names are unique in a workload`, volume.name);
    names.set(volume.name, index);
    const samePath = paths.get(volume.mountPath);
    if (samePath !== undefined) issue(ctx, at("mountPath"), `volumes[${samePath}] is already mounted at ${volume.mountPath}`, volume.mountPath);
    paths.set(volume.mountPath, index);
    if (volume.mountPath === TMP_MOUNT) {
      issue(ctx, at("mountPath"), `${TMP_MOUNT} is the platform's scratch volume; size it with tmpSizeLimit, or mount this volume elsewhere`, volume.mountPath);
    }
    const reserved = RESERVED_MOUNT_PATHS.find((path) => volume.mountPath === path || (["/proc", "/sys", "/dev", "/var/run/secrets", "/run/secrets"].includes(path) && covers(path, volume.mountPath)));
    if (reserved) issue(ctx, at("mountPath"), `a volume may not be mounted at or inside ${reserved} (the system, the kernel's interfaces or the service account token live there); reserved: ${RESERVED_MOUNT_PATHS.join(", ")}`, volume.mountPath);
    if (volume.emptyDir?.memory) {
      const size = parseMemory(volume.emptyDir.sizeLimit);
      const limit = parseMemory(workload.resources.limits.memory);
      if (size !== undefined && limit !== undefined && size >= limit) {
        issue(ctx, at("emptyDir", "sizeLimit"), `a memory-backed emptyDir counts against the container's memory limit (${workload.resources.limits.memory}); ${volume.emptyDir.sizeLimit} would leave nothing for the process: lower it or set memory: false`, volume.emptyDir.sizeLimit);
      }
    }
    if (volume.persistent && DEPLOYMENT_KINDS.includes(workload.kind)) {
      if (workload.autoscaling) {
        issue(ctx, at("persistent"), `a persistent volume (ReadWriteOnce) is mounted by one pod, but autoscaling runs up to ${workload.autoscaling.maxReplicas}; use ephemeral (one volume per pod) or run one replica without autoscaling`, volume.persistent);
      } else if (workload.replicas !== undefined && workload.replicas > 1) {
        issue(ctx, at("persistent"), `a persistent volume (ReadWriteOnce) is mounted by one pod, but this workload runs ${workload.replicas} replicas; use ephemeral (one volume per pod) or replicas: 1`, volume.persistent);
      }
    }
  });
}

export type WorkloadConfig = z.output<typeof WorkloadSchema>;
export type ResourcesConfig = z.output<typeof ResourcesSchema>;
export type GrantConfig = z.output<typeof GrantSchema>;
export type AutoscalingConfig = z.output<typeof AutoscalingSchema>;
export type ProbeConfig = z.output<typeof ProbeSchema>;
export type EnvValue = z.output<typeof EnvValueSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Product

/** How a product's workloads authenticate to a redis service (`services.<name>.authentication`). */
export const SERVICE_AUTHENTICATION_MODES = ["iam", "password"] as const;
/**
 * Why an opensearch binding cannot use `authentication: password` (OpenSearch internal users). The environment's
 * domains use fine-grained access control with an IAM master role, which the platform's security Jobs act as
 * (constructs/search-security), and an access policy that admits IAM principals only:
 * - AWS allows an internal user database only with an internal master user: MasterUserARN "only specify if
 *   InternalUserDatabaseEnabled is false", MasterUserName/Password only if it is true (CloudFormation
 *   AWS::OpenSearchService::Domain MasterUserOptions; the provider's advanced_security_options.master_user_options
 *   says the same). The master password would be an ordinary argument of aws_opensearch_domain, stored in the state
 *   (the provider version pinned, hashicorp/aws 6.25, has no write-only master password);
 * - "If a resource-based access policy contains IAM users or roles, clients must send signed requests ... You can't
 *   sign a request with a user name and password and IAM credentials" (Amazon OpenSearch Service developer guide,
 *   fine-grained access control): basic-auth clients need an access policy admitting every principal, which removes
 *   the IAM layer (the access tag) for every client of the domain;
 * - turning the internal user database on later is a configuration change that runs a blue/green deployment, and
 *   back off replaces the domain (provider documentation, internal_user_database_enabled).
 */
export const OPENSEARCH_PASSWORD_UNSUPPORTED =
  "OpenSearch internal users are not offered: the domains use an IAM master role, and AWS allows the internal user database only with an internal master user " +
  "(whose password the pinned provider would store in the Terraform state); basic-auth requests are unsigned, so the domain's IAM access policy would have to admit every principal. " +
  "Workloads sign requests with their own role (SigV4, <P>_IAM_AUTH=true); remove the key";

/** Kinds whose authentication a product chooses (the others have one mode each). */
export const AUTHENTICATION_KINDS: readonly string[] = ["redis", "opensearch"];

const ServiceBindingSchema = z.strictObject({
  /** Kind of data service (the connection description says the same). */
  kind: z.enum(CONNECTABLE_KINDS, { error: `expected one of ${CONNECTABLE_KINDS.join(", ")}` }),
  /** Name of the service in the environment (`services.<kind>.<name>`). Default: the key. */
  name: resourceName.optional(),
  /** Prefix of the injected variables (<PREFIX>_HOST, _PORT, ...). Default: the key in upper case. */
  envPrefix: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: "expected an upper-case prefix such as DATABASE" }).optional(),
  /**
   * How the workloads authenticate to a redis service: `iam` (default: an IAM token from the workload's role, no
   * password exists) or `password`, for clients that cannot sign an IAM token: the instance's own ElastiCache user gets
   * a password generated and rotated in Secrets Manager (never in configuration or Terraform state), injected as
   * <P>_PASSWORD from a Kubernetes Secret. opensearch: `iam` only (see OPENSEARCH_PASSWORD_UNSUPPORTED). Other kinds
   * have one mode each (postgres: IAM; mongodb, rabbitmq: password).
   */
  authentication: z.enum(SERVICE_AUTHENTICATION_MODES, { error: `expected one of ${SERVICE_AUTHENTICATION_MODES.join(", ")}` }).optional(),
  /** Days between rotations of the password (`authentication: password` only). Default: 30. */
  passwordRotationDays: z.int().min(1).max(1000).optional(),
});

const SecretDeclarationSchema = z.strictObject({
  description: z.string().max(256).optional(),
  /**
   * Keys of a JSON secret to expose (reference them with `property`). Without properties the whole secret
   * string is the value.
   */
  properties: uniqueList(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "expected a JSON key: letters, digits, '.', '_' and '-'" }), "properties").optional(),
});

const productShape = {
  description: z.string().max(256).optional(),
  /** Data services the product's workloads use, by logical name. */
  services: z.record(serviceRef, ServiceBindingSchema).default({}),
  /**
   * Secrets the workloads read, as references to Secrets Manager secrets named
   * `<project>/<environment>[/<tenant>]/<namespace>/<name>` (created empty, values set out of band, synced by
   * External Secrets). Values never appear in configuration.
   */
  secrets: z.record(secretName, SecretDeclarationSchema).default({}),
  /** Config maps (e.g. feature flags): plain, non-secret key/values. */
  configMaps: z.record(configMapName, z.record(z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "config map keys are letters, digits, '-', '_' and '.'" }), scalar)).default({}),
  workloads: z.record(workloadName, WorkloadSchema).refine((workloads) => Object.keys(workloads).length > 0, { error: "a product needs at least one workload" }),
  /** Alert thresholds of this product that differ from the environment's `observability.alertRules.product`. */
  alerts: ProductAlertOverridesSchema.optional(),
  /** The product's HTTP metric names, its own Grafana dashboards and alert rules (see config/schema/observability.ts). */
  monitoring: ProductMonitoringSchema.prefault({}),
  /** Its log index/stream prefix and retention class (see config/schema/observability.ts). */
  logs: ProductLogsSchema.prefault({}),
};

/**
 * Variables the platform sets on workloads (constructs/product-workloads): the product's domain, the AWS region of
 * workloads with AWS access, the object key prefix of a tenant's bucket grants, the shared tenant an instance serves.
 * A workload's `env` cannot set them.
 */
export const INJECTED_ENV = {
  appDomain: WORKLOAD_VARIABLES.appDomain.name,
  awsRegion: WORKLOAD_VARIABLES.awsRegion.name,
  objectPrefix: WORKLOAD_VARIABLES.objectPrefix.name,
  tenantId: WORKLOAD_VARIABLES.tenantId.name,
} as const;
const INJECTED_ENV_NAMES: readonly string[] = WORKLOAD_VARIABLE_NAMES;

/** Environment variables a workload gets from its `uses` (see constructs/workload/connection-env.ts). */
export function serviceEnvPrefix(logical: string, binding: Pick<ServiceBindingConfig, "envPrefix">): string {
  return binding.envPrefix ?? logical.toUpperCase().replaceAll("-", "_");
}

function checkProduct(product: z.output<z.ZodObject<typeof productShape>>, ctx: Ctx): void {
  if (product.configMaps[RDS_CA_CONFIG_MAP] !== undefined) {
    issue(ctx, ["configMaps", RDS_CA_CONFIG_MAP], `${RDS_CA_CONFIG_MAP} is the platform's config map of the RDS certificate authorities; choose another name`, RDS_CA_CONFIG_MAP);
  }
  for (const [service, binding] of Object.entries(product.services)) {
    if (binding.kind === "opensearch" && binding.authentication === "password") {
      issue(ctx, ["services", service, "authentication"], OPENSEARCH_PASSWORD_UNSUPPORTED, binding.authentication);
    } else if (binding.authentication !== undefined && !AUTHENTICATION_KINDS.includes(binding.kind)) {
      issue(
        ctx,
        ["services", service, "authentication"],
        `authentication is chosen for ${AUTHENTICATION_KINDS.join(", ")} services only; a ${binding.kind} service has one mode (postgres: IAM, mongodb and rabbitmq: a managed password); remove the key`,
        binding.authentication,
      );
    }
    if (binding.passwordRotationDays !== undefined && binding.authentication !== "password") {
      issue(ctx, ["services", service, "passwordRotationDays"], "passwordRotationDays applies with authentication: password only (an IAM user has no password)", binding.passwordRotationDays);
    }
  }
  const workloads = Object.entries(product.workloads);
  for (const [name, workload] of workloads) {
    const at = (...path: (string | number)[]) => ["workloads", name, ...path];
    for (const [variable, value] of Object.entries(workload.env)) {
      if (INJECTED_ENV_NAMES.includes(variable)) {
        issue(ctx, at("env", variable), `${variable} is set by the platform (${INJECTED_ENV_NAMES.join(", ")}); rename this variable`, variable);
        continue;
      }
      if (typeof value === "string") continue;
      if ("secret" in value) {
        const declared = product.secrets[value.secret];
        if (!declared) {
          const known = Object.keys(product.secrets).join(", ") || "none";
          issue(ctx, at("env", variable, "secret"), `secret "${value.secret}" is not declared under secrets (declared: ${known})`, value.secret);
        } else if (value.property !== undefined && declared.properties && !declared.properties.includes(value.property)) {
          issue(ctx, at("env", variable, "property"), `secret "${value.secret}" declares properties ${declared.properties.join(", ")}; "${value.property}" is not one of them`, value.property);
        } else if (value.property !== undefined && !declared.properties) {
          issue(ctx, at("env", variable, "property"), `secret "${value.secret}" declares no properties (its whole value is used); declare properties or remove property`, value.property);
        } else if (value.property === undefined && declared.properties) {
          issue(ctx, at("env", variable), `secret "${value.secret}" is a JSON secret; name one of its properties (${declared.properties.join(", ")})`, value);
        }
      } else {
        const map = product.configMaps[value.configMap];
        if (!map) {
          issue(ctx, at("env", variable, "configMap"), `config map "${value.configMap}" is not declared under configMaps (declared: ${Object.keys(product.configMaps).join(", ") || "none"})`, value.configMap);
        } else if (!(value.key in map)) {
          issue(ctx, at("env", variable, "key"), `config map "${value.configMap}" has no key "${value.key}"`, value.key);
        }
      }
    }
    workload.envFrom.forEach((map, index) => {
      if (!product.configMaps[map]) issue(ctx, at("envFrom", index), `config map "${map}" is not declared under configMaps (declared: ${Object.keys(product.configMaps).join(", ") || "none"})`, map);
    });
    workload.uses.forEach((service, index) => {
      const binding = product.services[service];
      if (!binding) {
        issue(ctx, at("uses", index), `service "${service}" is not declared under services (declared: ${Object.keys(product.services).join(", ") || "none"})`, service);
        return;
      }
      const prefix = serviceEnvPrefix(service, binding);
      for (const variable of Object.keys(workload.env).filter((key) => key.startsWith(`${prefix}_`))) {
        issue(ctx, at("env", variable), `${variable} collides with the variables injected for service "${service}" (${prefix}_*); rename it or set services.${service}.envPrefix`, variable);
      }
    });
    workload.connectsTo.forEach((target, index) => {
      const other = product.workloads[target];
      if (target === name) issue(ctx, at("connectsTo", index), "a workload does not need to connect to itself", target);
      else if (!other) issue(ctx, at("connectsTo", index), `no workload "${target}" in this product (workloads: ${Object.keys(product.workloads).join(", ")})`, target);
      else if (other.kind !== "web") issue(ctx, at("connectsTo", index), `"${target}" is a ${other.kind} and has no Service to connect to`, target);
    });
  }
  // The same host and path may be routed to one workload only.
  const routes = new Map<string, string>();
  for (const [name, workload] of workloads) {
    for (const host of workload.ingress?.hosts ?? []) {
      for (const path of workload.ingress?.paths ?? []) {
        const key = `${host} ${path}`;
        const other = routes.get(key);
        if (other) issue(ctx, ["workloads", name, "ingress"], `host ${host} path ${path} is already routed to workload "${other}"; each host and path may be routed once`, { host, path });
        else routes.set(key, name);
      }
    }
  }
}

/** A product file, `products/<name>.yaml`. */
export const ProductFileSchema = z
  .strictObject({
    /** Product name; must equal the file name. Default namespace of the product's workloads. */
    name: dnsLabel(20, "a product name"),
    ...productShape,
  })
  .superRefine(checkProduct);

/** A product as an environment (or tenant) runs it: the product file with the instance's settings and overrides. */
export const ProductSchema = z
  .strictObject({
    ...productShape,
    /** Domain the relative ingress hosts live under, e.g. noor.example.com (app -> app.noor.example.com). */
    domain: hostname.optional(),
    /** Kubernetes namespace of the instance. Default: the product name. */
    namespace: dnsLabel(63, "a namespace").optional(),
    /**
     * Domain of the ACM certificate (issued by the edge in the infra stack) the load balancer presents for the
     * product's hosts; looked up by this name. Default: `*.<domain>`.
     */
    certificateDomain: z
      .string()
      .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "expected a certificate domain such as *.noor.example.com or noor.example.com" })
      .optional(),
  })
  .superRefine(checkProduct);

// What an environment file may write under `products.<name>` (documents the usual overrides for editors; the
// layered result is validated by ProductSchema, which also accepts every other product key).
const quantityInput = z.union([z.string(), z.number()]);
const WorkloadOverrideInput = z.looseObject({
  image: z.string().optional(),
  replicas: z.int().optional(),
  autoscaling: z.looseObject({ minReplicas: z.int().optional(), maxReplicas: z.int().optional() }).optional(),
  resources: z
    .looseObject({
      requests: z.looseObject({ cpu: quantityInput.optional(), memory: quantityInput.optional() }).optional(),
      limits: z.looseObject({ cpu: quantityInput.optional(), memory: quantityInput.optional() }).optional(),
    })
    .optional(),
  env: z.record(z.string(), z.unknown()).optional(),
});
const ProductInstanceInput = z.looseObject({
  domain: z.string().optional(),
  namespace: z.string().optional(),
  certificateDomain: z.string().optional(),
  services: z.record(z.string(), z.looseObject({ name: z.string().optional() })).optional(),
  workloads: z.record(z.string(), WorkloadOverrideInput).optional(),
});

/** `products.<name>` of an environment, after the loader layered the product file under it. */
export const ProductInstanceSchema = z.pipe(ProductInstanceInput, ProductSchema);

export type ProductConfig = z.output<typeof ProductSchema>;
export type ProductFileConfig = z.output<typeof ProductFileSchema>;
export type ServiceBindingConfig = z.output<typeof ServiceBindingSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Environment workload policy

export const TOPOLOGY_WHEN_UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"] as const;

const containerQuantities = z.strictObject({ cpu: cpuQuantity(), memory: memoryQuantity() });

export const WorkloadPolicySchema = z.strictObject({
  /** Require every image to be pinned by digest (a tag alone can be moved). */
  requireImageDigest: z.boolean(),
  /** Least replicas of every web/worker (fixed count or HPA minimum); also the default replica count. */
  minReplicas: z.int().min(1).max(10),
  /** Non-root identity pods run as unless a workload sets its own. */
  securityContext: z.strictObject({ runAsUser: z.int().min(1), runAsGroup: z.int().min(1), fsGroup: z.int().min(1) }),
  /** Size of the writable /tmp emptyDir. */
  tmpSizeLimit: memoryQuantity(),
  terminationGracePeriodSeconds: z.int().min(0).max(3600),
  /** Deployment rolling update. */
  rollingUpdate: z.strictObject({ maxSurge: intOrPercent, maxUnavailable: intOrPercent }),
  /** Topology spread of Deployment replicas across zones and hosts. */
  topologySpread: z.strictObject({
    zone: z.enum(TOPOLOGY_WHEN_UNSATISFIABLE),
    host: z.enum(TOPOLOGY_WHEN_UNSATISFIABLE),
  }),
  /** PodDisruptionBudget of every Deployment that can run more than one replica. */
  disruptionBudget: z.strictObject({ maxUnavailable: intOrPercent }),
  autoscaling: z.strictObject({ scaleDownStabilizationSeconds: z.int().min(0).max(3600) }),
  /** Timings of probes derived from `health`. */
  probes: z.strictObject({
    periodSeconds: z.int().min(1).max(300),
    timeoutSeconds: z.int().min(1).max(60),
    failureThreshold: z.int().min(1).max(30),
    /** Startup probe: the container gets periodSeconds x startupFailureThreshold to start. */
    startupFailureThreshold: z.int().min(1).max(120),
  }),
  jobs: z.strictObject({
    backoffLimit: z.int().min(0).max(20),
    activeDeadlineSeconds: z.int().min(1).max(86_400),
    /** Finished cron job runs kept for inspection. */
    historyLimit: z.int().min(0).max(20),
    /** A missed cron run is skipped when it cannot start within this many seconds. */
    startingDeadlineSeconds: z.int().min(10).max(86_400),
  }),
  namespace: z.strictObject({
    /** Pod Security Admission level enforced on product namespaces. */
    podSecurity: z.enum(["restricted", "baseline"]),
    /** ResourceQuota = the workloads' needs at full scale (HPA maximum + surge) plus this margin. */
    quotaHeadroomPercent: z.int().min(0).max(500),
    /** LimitRange of containers in product namespaces; no workload may exceed `max`. */
    limitRange: z.strictObject({ defaultRequest: containerQuantities, default: containerQuantities, max: containerQuantities }),
  }),
  secrets: z.strictObject({
    /** How often External Secrets re-reads Secrets Manager (picks up rotations). */
    refreshInterval: duration,
    /** Days a deleted secret can be restored. */
    recoveryWindowDays: z.int().min(7).max(30),
  }),
  /** The environment's shared ALB (one IngressGroup): settings every Ingress of the group carries. */
  ingress: z.strictObject({
    scheme: z.enum(["internet-facing", "internal"]),
    /** TLS policy of the HTTPS listener. */
    sslPolicy: z.string().regex(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, { error: "expected an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06" }),
    /** Seconds a connection may idle (the longest request the ALB lets run without bytes flowing). */
    idleTimeoutSeconds: z.int().min(1).max(4000),
    /** Seconds a target keeps serving in-flight requests after it is deregistered. */
    deregistrationDelaySeconds: z.int().min(0).max(3600),
    deletionProtection: z.boolean(),
  }),
});

export type WorkloadPolicy = z.output<typeof WorkloadPolicySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Environment-level checks (the products of one environment together, against its policy)

/** Fully qualified host of a relative ingress host. */
export function qualifyHost(host: string, domain: string): string {
  return host === "@" ? domain : `${host}.${domain}`;
}

/** Least and most replicas a Deployment workload runs with, under a policy. */
export function replicaBounds(workload: WorkloadConfig, policy: Pick<WorkloadPolicy, "minReplicas">): { min: number; max: number } {
  if (workload.autoscaling) return { min: workload.autoscaling.minReplicas, max: workload.autoscaling.maxReplicas };
  const replicas = workload.replicas ?? policy.minReplicas;
  return { min: replicas, max: replicas };
}

export interface ProductsCheckInput {
  readonly products: Readonly<Record<string, ProductConfig>>;
  readonly workloads: WorkloadPolicy;
  /** The environment's data services (`services.<kind>.<name>`); bindings must name declared ones. */
  readonly services?: Readonly<Record<string, unknown>>;
  /** The environment's buckets; bucket grants must name declared ones. */
  readonly storage?: { readonly buckets: Readonly<Record<string, unknown>> };
  /** The environment's edge; a product's domain must be one of its domains (which get the certificates). */
  readonly edge?: { readonly domains: Readonly<Record<string, { readonly name: string; readonly subjectAlternativeNames: readonly string[] }>> };
}

/** Key of a connectable kind under an environment's `services:` (DocumentDB is the MongoDB-compatible service). */
export function servicesConfigKey(kind: ServiceBindingConfig["kind"]): string {
  return kind === "mongodb" ? "documentdb" : kind;
}

/** Whether a certificate name (possibly a wildcard of one label) covers a host. */
export function certificateCovers(name: string, host: string): boolean {
  if (!name.startsWith("*.")) return name === host;
  const suffix = name.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".") && host.length > suffix.length;
}

/** The environment's declarations a product depends on: data services, buckets, the edge certificate of its hosts. */
function checkDependencies(env: ProductsCheckInput, productName: string, product: ProductConfig, ctx: Ctx): void {
  const at = (...path: (string | number)[]) => ["products", productName, ...path];
  if (env.services) {
    for (const [logical, binding] of Object.entries(product.services)) {
      const key = servicesConfigKey(binding.kind);
      const declared = Object.keys((env.services[key] ?? {}) as Record<string, unknown>);
      const name = binding.name ?? logical;
      if (!declared.includes(name)) {
        issue(ctx, at("services", logical), `service "${name}" (${binding.kind}) is not declared under services.${key} (declared: ${declared.join(", ") || "none"})`, name);
        continue;
      }
      // Every product instance reaches PostgreSQL as its own IAM-authenticated user (constructs/database-user).
      const settings = (env.services[key] as Record<string, { iamAuthentication?: boolean } | undefined>)[name];
      const used = Object.values(product.workloads).some((workload) => workload.uses.includes(logical));
      if (binding.kind === "postgres" && used && settings?.iamAuthentication === false) {
        // Reported at the setting that must change (the environment's), not at the product's binding.
        issue(
          ctx,
          ["services", key, name, "iamAuthentication"],
          `PostgreSQL service "${name}" has iamAuthentication: false, but product ${productName}'s instances connect only as their own IAM-authenticated users (never with the master password); set it to true`,
          false,
        );
      }
    }
  }
  if (env.storage) {
    const buckets = Object.keys(env.storage.buckets);
    for (const [name, workload] of Object.entries(product.workloads)) {
      workload.grants.forEach((grant, index) => {
        if (grant.bucket !== undefined && !buckets.includes(grant.bucket)) {
          issue(ctx, at("workloads", name, "grants", index, "bucket"), `bucket "${grant.bucket}" is not declared under storage.buckets (declared: ${buckets.join(", ") || "none"})`, grant.bucket);
        }
      });
    }
  }
  const hosts = Object.values(product.workloads).flatMap((workload) => workload.ingress?.hosts ?? []);
  if (!env.edge || !product.domain || hosts.length === 0 || product.certificateDomain !== undefined) return;
  const domain = product.domain;
  const entry = Object.entries(env.edge.domains).find(([, candidate]) => candidate.name === domain);
  if (!entry) {
    const declared = Object.values(env.edge.domains).map((candidate) => candidate.name).join(", ") || "none";
    issue(ctx, at("domain"), `no certificate for ${domain}: the edge issues the load balancer's certificates for edge.domains; declare ${domain} there (declared: ${declared}) or set certificateDomain`, domain);
    return;
  }
  const [key, edgeDomain] = entry;
  const names = [`*.${domain}`, domain, ...edgeDomain.subjectAlternativeNames];
  for (const host of new Set(hosts)) {
    const qualified = qualifyHost(host, domain);
    if (!names.some((name) => certificateCovers(name, qualified))) {
      issue(ctx, at("domain"), `host ${qualified} is not covered by the certificate of edge.domains.${key} (${names.join(", ")}); add it to its subjectAlternativeNames`, qualified);
    }
  }
}

/**
 * Rules that need the environment: image pinning policy, minimum replicas, LimitRange ceilings, a domain for
 * every product with an ingress, unique namespaces, unique host/path routes across all products (they share the
 * environment's load balancer), and the data services, buckets and certificates the products rely on being
 * declared. Paths are relative to the environment file.
 */
export function checkProducts(env: ProductsCheckInput, ctx: Ctx): void {
  const { workloads: policy } = env;
  const namespaces = new Map<string, string>();
  const routes = new Map<string, string>();
  const max = policy.namespace.limitRange.max;
  for (const [productName, product] of Object.entries(env.products)) {
    const at = (...path: (string | number)[]) => ["products", productName, ...path];
    const namespace = product.namespace ?? productName;
    const other = namespaces.get(namespace);
    if (other) issue(ctx, at("namespace"), `namespace ${namespace} is already used by product ${other}; each product instance needs its own namespace`, namespace);
    namespaces.set(namespace, productName);
    // Shared tenants' instances run in `<tenant>-<product>`; the product's alert rules and logs find them by that name.
    const mistaken = Object.keys(env.products).find((candidate) => candidate !== productName && looksLikeTenantNamespace(namespace, candidate));
    if (mistaken) {
      issue(ctx, at("namespace"), `namespace ${namespace} has the form <tenant>-${mistaken} of a shared tenant's instance of product ${mistaken}, whose alert rules would include it; choose another namespace`, namespace);
    }

    const hasIngress = Object.values(product.workloads).some((workload) => workload.ingress);
    if (hasIngress && !product.domain) issue(ctx, at("domain"), "the product routes hosts through the load balancer; set its domain (e.g. noor.example.com)", undefined);
    checkDependencies(env, productName, product, ctx);

    for (const [name, workload] of Object.entries(product.workloads)) {
      const problem = imagePinningProblem(workload.image, policy.requireImageDigest);
      if (problem) issue(ctx, at("workloads", name, "image"), problem, workload.image);
      if (DEPLOYMENT_KINDS.includes(workload.kind) && workload.replicas === undefined && !workload.autoscaling && policy.minReplicas > 1) {
        workload.volumes.forEach((volume, index) => {
          if (volume.persistent) {
            issue(ctx, at("workloads", name, "volumes", index, "persistent"), `a persistent volume (ReadWriteOnce) is mounted by one pod, but the workload runs this environment's default of ${policy.minReplicas} replicas (workloads.minReplicas); use ephemeral (one volume per pod)`, volume.persistent);
          }
        });
      }
      if (DEPLOYMENT_KINDS.includes(workload.kind)) {
        const { min } = replicaBounds(workload, policy);
        if (min < policy.minReplicas) {
          const path = workload.autoscaling ? at("workloads", name, "autoscaling", "minReplicas") : at("workloads", name, "replicas");
          issue(ctx, path, `runs ${min} replica(s) at least; this environment requires at least ${policy.minReplicas} (workloads.minReplicas) for availability`, min);
        }
      }
      for (const what of ["cpu", "memory"] as const) {
        const parse = what === "cpu" ? parseCpu : parseMemory;
        const limit = workload.resources.limits[what] ?? workload.resources.requests[what];
        const value = parse(limit);
        const ceiling = parse(max[what]);
        if (value !== undefined && ceiling !== undefined && value > ceiling) {
          issue(ctx, at("workloads", name, "resources", "limits", what), `${limit} is above the namespace LimitRange maximum ${max[what]} (workloads.namespace.limitRange.max.${what}); pods would be rejected`, limit);
        }
      }
      // A container without a CPU limit gets the LimitRange default, which must not be below its request.
      const defaultCpuLimit = policy.namespace.limitRange.default.cpu;
      const cpuRequest = parseCpu(workload.resources.requests.cpu);
      if (workload.resources.limits.cpu === undefined && cpuRequest !== undefined && cpuRequest > (parseCpu(defaultCpuLimit) ?? Infinity)) {
        issue(
          ctx,
          at("workloads", name, "resources", "requests", "cpu"),
          `${workload.resources.requests.cpu} is above the CPU limit ${defaultCpuLimit} the namespace gives containers without one (workloads.namespace.limitRange.default.cpu); set resources.limits.cpu`,
          workload.resources.requests.cpu,
        );
      }
      if (!workload.ingress || !product.domain) continue;
      for (const host of workload.ingress.hosts) {
        for (const path of workload.ingress.paths) {
          const key = `${qualifyHost(host, product.domain)}${path}`;
          const owner = `${productName}/${name}`;
          const previous = routes.get(key);
          if (previous && !previous.startsWith(`${productName}/`)) {
            issue(ctx, at("workloads", name, "ingress", "hosts"), `${key} is already routed to ${previous}; products share the environment's load balancer, so each host and path may be routed once`, host);
          }
          if (!previous) routes.set(key, owner);
        }
      }
    }
  }
}
