/**
 * Kubernetes workload rules over the Kubernetes provider's resources (Deployments, StatefulSets, DaemonSets,
 * Jobs, CronJobs, Pods), their disruption budgets, autoscalers and network policies. Every container is
 * checked (init containers too, where it matters), and a missing security context is a finding, not a pass.
 */
import { type Block, type Body, blocks, describe, dig, isExpression, isFalse, isTrue, literal, numberOf, one, type StackModel, strings } from "../model";
import { addressSet, describeWorld, subtract, worldRanges } from "../public-space";
import type { Rule, Violation } from "../types";
import { k8sNamespace, problems } from "./support";

/** Workload resource types and the path from the resource body to its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  kubernetes_deployment: ["spec", "template", "spec"],
  kubernetes_deployment_v1: ["spec", "template", "spec"],
  kubernetes_stateful_set: ["spec", "template", "spec"],
  kubernetes_stateful_set_v1: ["spec", "template", "spec"],
  kubernetes_daemonset: ["spec", "template", "spec"],
  kubernetes_daemon_set_v1: ["spec", "template", "spec"],
  kubernetes_job: ["spec", "template", "spec"],
  kubernetes_job_v1: ["spec", "template", "spec"],
  kubernetes_cron_job: ["spec", "job_template", "spec", "template", "spec"],
  kubernetes_cron_job_v1: ["spec", "job_template", "spec", "template", "spec"],
  kubernetes_pod: ["spec"],
  kubernetes_pod_v1: ["spec"],
};
/** Long-running workloads: probes, disruption budgets and spreading apply to these. */
const LONG_RUNNING = ["kubernetes_deployment", "kubernetes_deployment_v1", "kubernetes_stateful_set", "kubernetes_stateful_set_v1"];
const DAEMONS = ["kubernetes_daemonset", "kubernetes_daemon_set_v1"];
const PDB_TYPES = ["kubernetes_pod_disruption_budget_v1", "kubernetes_pod_disruption_budget"];
const HPA_TYPES = ["kubernetes_horizontal_pod_autoscaler_v2", "kubernetes_horizontal_pod_autoscaler_v2beta2", "kubernetes_horizontal_pod_autoscaler_v1", "kubernetes_horizontal_pod_autoscaler"];
const NETPOL_TYPES = ["kubernetes_network_policy_v1", "kubernetes_network_policy"];
const SECURE_SECCOMP = ["RuntimeDefault", "Localhost"];
const ZONE_KEY = "topology.kubernetes.io/zone";
export const PROD_MIN_REPLICAS = 2;

interface Workload {
  readonly block: Block;
  readonly pod: Body;
  readonly namespace: string;
  readonly name?: string;
  readonly containers: readonly Body[];
  readonly initContainers: readonly Body[];
}

export function workloads(model: StackModel, types: readonly string[] = Object.keys(POD_SPEC_PATHS)): Workload[] {
  return types.flatMap((type) =>
    model.resources(type).flatMap((block) => {
      const pod = one(dig(block.body, ...(POD_SPEC_PATHS[type] ?? [])));
      if (!pod) return [];
      return [{
        block,
        pod,
        namespace: k8sNamespace(model, dig(block.body, "metadata", "namespace")),
        name: literal(dig(block.body, "metadata", "name")),
        containers: blocks(pod.container),
        initContainers: blocks(pod.init_container),
      }];
    }),
  );
}

function containerViolations(list: readonly Workload[], check: (container: Body, workload: Workload) => readonly string[], includeInit = true): Violation[] {
  return list.flatMap((workload) =>
    [...workload.containers, ...(includeInit ? workload.initContainers : [])].flatMap((container) =>
      check(container, workload).map((message) => ({ block: workload.block, message: `container ${describe(container.name)}: ${message}` })),
    ),
  );
}

function hpasFor(model: StackModel, workload: Workload): Block[] {
  return model.resources(...HPA_TYPES).filter((hpa) => {
    const target = one(dig(hpa.body, "spec", "scale_target_ref"));
    if (!target) return false;
    if (k8sNamespace(model, dig(hpa.body, "metadata", "namespace")) !== workload.namespace) return false;
    return model.refersTo(target.name, workload.block) || (workload.name !== undefined && target.name === workload.name);
  });
}

/** Effective minimum replicas: the HPA's minimum when one manages the workload, else spec.replicas (default 1). */
function minimumReplicas(model: StackModel, workload: Workload): number | undefined {
  const hpa = hpasFor(model, workload)[0];
  if (hpa) return numberOf(dig(hpa.body, "spec", "min_replicas")) ?? 1;
  const replicas = dig(workload.block.body, "spec", "replicas");
  return replicas === undefined ? 1 : numberOf(replicas);
}

function templateLabels(workload: Workload): Record<string, unknown> {
  const podSpecPath = POD_SPEC_PATHS[workload.block.type] ?? [];
  return one(dig(workload.block.body, ...podSpecPath.slice(0, -1), "metadata", "labels")) ?? {};
}

function selectsWorkload(pdb: Block, labels: Record<string, unknown>): boolean {
  const selector = one(dig(pdb.body, "spec", "selector", "match_labels"));
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** A PDB amount: a count or a percentage. */
function amount(value: unknown): { percent: boolean; value: number } | undefined {
  const text = String(value);
  if (text.endsWith("%")) return { percent: true, value: Number(text.slice(0, -1)) };
  const number = numberOf(value);
  return number === undefined ? undefined : { percent: false, value: number };
}

/** Whether a PDB lets at least one pod be evicted at the given replica count. */
function allowsDisruption(pdb: Block, replicas: number | undefined): boolean {
  const maxUnavailable = dig(pdb.body, "spec", "max_unavailable");
  const minAvailable = dig(pdb.body, "spec", "min_available");
  if (maxUnavailable !== undefined) return (amount(maxUnavailable)?.value ?? 1) > 0;
  if (minAvailable === undefined) return false;
  const min = amount(minAvailable);
  if (!min) return true;
  if (min.percent) return min.value < 100;
  return replicas === undefined || min.value < replicas;
}

/**
 * The part of an image reference that is written literally: the whole image, or what follows the last expression
 * when that carries the tag or digest (`${aws_ecr_repository.api.repository_url}:1.4.2`). Undefined when the tag or
 * digest itself is computed.
 */
function literalTail(image: string): string | undefined {
  if (!isExpression(image)) return image;
  const tail = image.slice(image.lastIndexOf("}") + 1);
  return /^(:[^/]+|@sha256:[0-9a-f]{64}|:[^/@]+@sha256:[0-9a-f]{64})$/.test(tail) ? `registry/image${tail}` : undefined;
}

function imageReference(image: string): { tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split("@");
  const lastSegment = (withoutDigest ?? "").split("/").pop() ?? "";
  const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * The ip_block CIDRs of network policy rules that cover the whole internet together (public-space.ts): ingress
 * blocks net of their `except` ranges; egress blocks only when they carve nothing out with `except` (egress to the
 * internet is allowed when it excepts the private ranges, so the data tier and the cluster stay unreachable).
 */
function worldBlocks(rules: unknown, key: "from" | "to", allowExcept: boolean): string[] | undefined {
  const ipBlocks = blocks(rules).flatMap((rule) => blocks(rule[key])).map((peer) => one(peer.ip_block)).filter((block): block is Body => block !== undefined);
  const counted = ipBlocks.filter((block) => !(allowExcept && strings(block.except).length > 0));
  const cidrs = counted.map((block) => block.cidr).filter((cidr): cidr is string => typeof cidr === "string");
  const set = addressSet(cidrs);
  const excepts = addressSet(counted.flatMap((block) => strings(block.except)));
  const ranges = { 4: subtract(set.ranges[4], excepts.ranges[4]), 6: subtract(set.ranges[6], excepts.ranges[6]) };
  return worldRanges(ranges) ? cidrs : undefined;
}

function securityContext(container: Body): Body | undefined {
  return one(container.security_context);
}

export const KUBERNETES_RULES: readonly Rule[] = [
  {
    id: "K8S-REQUESTS-LIMITS",
    title: "Every container requests CPU and memory and limits memory",
    severity: "medium",
    scope: "all",
    upstream: "CKV_K8S_10-13; TV KSV-0011/15/16/18",
    unknown: { decision: "finding", reason: "An absent request or limit is reported; a value that is an expression counts as set." },
    fix: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory from the workload config.",
    check: ({ model }) =>
      containerViolations(workloads(model), (container) => {
        const requests = one(dig(container, "resources", "requests")) ?? {};
        const limits = one(dig(container, "resources", "limits")) ?? {};
        return problems(
          requests.cpu === undefined && "no CPU request",
          requests.memory === undefined && "no memory request",
          limits.memory === undefined && "no memory limit",
        );
      }),
  },
  {
    id: "K8S-PROBES",
    title: "Long-running containers have readiness and liveness probes",
    severity: "medium",
    scope: "all",
    upstream: "CKV_K8S_8/9",
    unknown: { decision: "finding", reason: "An absent probe is reported; a probe block is never an expression." },
    fix: "Set readiness_probe and liveness_probe (defaults derive from the workload's health path).",
    check: ({ model }) =>
      containerViolations(
        workloads(model, [...LONG_RUNNING, ...DAEMONS]),
        (container) => problems(container.readiness_probe === undefined && "no readiness_probe", container.liveness_probe === undefined && "no liveness_probe"),
        false,
      ),
  },
  {
    id: "K8S-NON-ROOT",
    title: "Containers run as a non-root user",
    severity: "high",
    scope: "all",
    upstream: "CKV_K8S_23/40; TV KSV-0012/0105",
    unknown: { decision: "finding", reason: "run_as_non_root must be the literal true (on the pod or the container)." },
    fix: "Set security_context.run_as_non_root = true on the pod (and a non-zero run_as_user).",
    check: ({ model }) =>
      workloads(model).flatMap((workload) => {
        const podContext = one(workload.pod.security_context);
        const podNonRoot = isTrue(podContext?.run_as_non_root);
        const out: Violation[] = [];
        if (String(podContext?.run_as_user) === "0") out.push({ block: workload.block, message: "the pod's run_as_user is 0 (root)" });
        for (const container of [...workload.containers, ...workload.initContainers]) {
          const context = securityContext(container);
          if (String(context?.run_as_user) === "0") out.push({ block: workload.block, message: `container ${describe(container.name)}: run_as_user is 0 (root)` });
          else if (!podNonRoot && !isTrue(context?.run_as_non_root)) out.push({ block: workload.block, message: `container ${describe(container.name)}: run_as_non_root is not set on the pod or the container` });
          else if (isFalse(context?.run_as_non_root)) out.push({ block: workload.block, message: `container ${describe(container.name)}: run_as_non_root is false` });
        }
        return out;
      }),
  },
  {
    id: "K8S-READONLY-ROOTFS",
    title: "Containers have a read-only root filesystem",
    severity: "medium",
    scope: "all",
    upstream: "CKV_K8S_22; TV KSV-0014",
    unknown: { decision: "finding", reason: "read_only_root_filesystem must be the literal true." },
    fix: "Set security_context.read_only_root_filesystem = true and mount an emptyDir at /tmp.",
    check: ({ model }) =>
      containerViolations(workloads(model), (container) =>
        isTrue(securityContext(container)?.read_only_root_filesystem) ? [] : ["read_only_root_filesystem is not true"],
      ),
  },
  {
    id: "K8S-NO-PRIVILEGED",
    title: "No privileged containers or privilege escalation; all capabilities dropped; RuntimeDefault seccomp",
    severity: "critical",
    scope: "all",
    upstream: "CKV_K8S_16/20/28/37/39; TV KSV-0017/0001/0003/0005/0030",
    unknown: { decision: "finding", reason: "privileged that is an expression is reported, as is any escalation flag that is not the literal false." },
    fix: "security_context: privileged = false, allow_privilege_escalation = false, capabilities.drop = [\"ALL\"], seccomp_profile.type = \"RuntimeDefault\" (pod or container).",
    check: ({ model }) =>
      workloads(model).flatMap((workload) => {
        const podSeccomp = dig(workload.pod, "security_context", "seccomp_profile", "type");
        return [...workload.containers, ...workload.initContainers].flatMap((container) => {
          const context = securityContext(container);
          const seccomp = dig(context, "seccomp_profile", "type") ?? podSeccomp;
          return problems(
            isTrue(context?.privileged) && "privileged is true",
            isExpression(context?.privileged) && "privileged is an expression, known only at apply time",
            !isFalse(context?.allow_privilege_escalation) && "allow_privilege_escalation is not false",
            !strings(dig(context, "capabilities", "drop")).includes("ALL") && "capabilities.drop does not include ALL",
            !SECURE_SECCOMP.includes(String(seccomp)) && `seccomp profile is ${describe(seccomp)}`,
          ).map((message) => ({ block: workload.block, message: `container ${describe(container.name)}: ${message}` }));
        });
      }),
  },
  {
    id: "K8S-NO-HOST-NS",
    title: "Pods use no host namespaces, hostPath volumes or host ports",
    severity: "high",
    scope: "all",
    upstream: "CKV_K8S_17/18/19/26/27; TV KSV-0008..0024",
    unknown: { decision: "finding", reason: "Host namespace flags that are expressions are reported." },
    fix: "Remove host_network / host_pid / host_ipc, host_path volumes and host_port.",
    check: ({ model }) =>
      workloads(model).flatMap((workload) =>
        problems(
          ...(["host_network", "host_pid", "host_ipc"] as const).map((flag) => (isTrue(workload.pod[flag]) ? `${flag} is true` : isExpression(workload.pod[flag]) ? `${flag} is an expression, known only at apply time` : false)),
          ...blocks(workload.pod.volume).filter((volume) => volume.host_path !== undefined).map((volume) => `volume ${describe(volume.name)} is a hostPath`),
          ...[...workload.containers, ...workload.initContainers].flatMap((container) =>
            blocks(container.port).filter((port) => port.host_port !== undefined).map((port) => `container ${describe(container.name)} binds host port ${describe(port.host_port)}`),
          ),
        ).map((message) => ({ block: workload.block, message })),
      ),
  },
  {
    id: "K8S-IMAGE-PINNED",
    title: "Images have an explicit tag or digest, never latest",
    severity: "high",
    scope: "all",
    upstream: "CKV_K8S_14/43; TV KSV-0013",
    unknown: { decision: "finding", reason: "An image that is an expression is judged by its literal tail (a registry reference followed by :tag or @digest); an image that is entirely an expression is reported." },
    fix: "Set image to <repository>:<version> (or @sha256:<digest>) from the workload config.",
    check: ({ model }) =>
      containerViolations(workloads(model), (container) => {
        const image = container.image;
        if (typeof image !== "string" || image === "") return ["no image"];
        const tail = literalTail(image);
        if (tail === undefined) return [`image ${image} is an expression, known only at plan time: whether it is pinned cannot be judged`];
        const { tag, digest } = imageReference(tail);
        if (digest) return [];
        return !tag || tag === "latest" ? [`image ${image} is not pinned (no tag or "latest")`] : [];
      }),
  },
  {
    id: "K8S-IMAGE-DIGEST",
    title: "Production images are pinned by digest",
    severity: "medium",
    scope: "prod",
    upstream: "CKV_K8S_43; TV KSV-0035",
    unknown: { decision: "finding", reason: "As K8S-IMAGE-PINNED: the literal tail must carry the digest." },
    fix: "Pin production images by digest (<repository>:<tag>@sha256:<digest>), so a re-pushed tag cannot change what runs.",
    check: ({ model }) =>
      containerViolations(workloads(model), (container) =>
        typeof container.image === "string" && !imageReference(literalTail(container.image) ?? "").digest ? [`image ${container.image} has no digest${literalTail(container.image) === undefined ? " that can be read offline" : ""}`] : [],
      ),
  },
  {
    id: "K8S-PDB",
    title: "Replicated production workloads have a disruption budget that allows an eviction",
    severity: "high",
    scope: "prod",
    upstream: "custom (Polaris, kube-score)",
    unknown: { decision: "finding", reason: "A replica count that is an expression is taken as more than one: the workload needs a budget." },
    fix: "Add a kubernetes_pod_disruption_budget_v1 in the workload's namespace selecting its pod labels, with max_unavailable >= 1 (or min_available below the replica count).",
    check: ({ model }) =>
      workloads(model, LONG_RUNNING).flatMap((workload): Violation[] => {
        const replicas = minimumReplicas(model, workload);
        if (replicas !== undefined && replicas <= 1) return [];
        const labels = templateLabels(workload);
        const budgets = model.resources(...PDB_TYPES).filter((pdb) => k8sNamespace(model, dig(pdb.body, "metadata", "namespace")) === workload.namespace && selectsWorkload(pdb, labels));
        if (budgets.length === 0) return [{ block: workload.block, message: `${describe(replicas)} replicas and no PodDisruptionBudget selects its pods` }];
        return budgets.some((pdb) => allowsDisruption(pdb, replicas))
          ? []
          : [{ block: workload.block, message: `its PodDisruptionBudget ${budgets[0]?.path} allows no eviction: node drains block` }];
      }),
  },
  {
    id: "K8S-HPA-SANE",
    title: "Autoscalers have sane bounds, a resolvable target and a metric",
    severity: "medium",
    scope: "all-strict-prod",
    upstream: "custom (kube-score)",
    unknown: { decision: "finding", reason: "A minimum that is an expression is taken as 1." },
    fix: `min_replicas >= 1 (>= ${PROD_MIN_REPLICAS} in production) and <= max_replicas; scale_target_ref names a workload of this stack; at least one metric.`,
    check: ({ model, production }) => {
      const targets = workloads(model, [...LONG_RUNNING]);
      return model.resources(...HPA_TYPES).flatMap((hpa) => {
        const spec = one(dig(hpa.body, "spec")) ?? {};
        const min = numberOf(spec.min_replicas) ?? 1;
        const max = numberOf(spec.max_replicas);
        const ref = one(spec.scale_target_ref) ?? {};
        const namespace = k8sNamespace(model, dig(hpa.body, "metadata", "namespace"));
        const resolves = targets.some((workload) => workload.namespace === namespace && (model.refersTo(ref.name, workload.block) || (workload.name !== undefined && workload.name === ref.name)));
        const minimum = production ? PROD_MIN_REPLICAS : 1;
        return problems(
          min < minimum && `min_replicas is ${min}; at least ${minimum} required${production ? " in production" : ""}`,
          max !== undefined && min > max && `min_replicas ${min} exceeds max_replicas ${max}`,
          !resolves && `scale_target_ref ${describe(ref.kind)} ${describe(ref.name)} does not name a workload of this stack in namespace ${namespace}`,
          blocks(spec.metric).length === 0 && spec.target_cpu_utilization_percentage === undefined && "no metric",
        ).map((message) => ({ block: hpa, message }));
      });
    },
  },
  {
    id: "K8S-HA-SPREAD",
    title: "Production workloads run at least two replicas spread across zones",
    severity: "medium",
    scope: "prod",
    upstream: "custom (Polaris)",
    unknown: { decision: "finding", reason: "A replica count that is an expression is not counted as two; the spread constraint must be literal." },
    fix: `Run >= ${PROD_MIN_REPLICAS} replicas (HPA minimum) with a topology_spread_constraint on ${ZONE_KEY} (or pod anti-affinity).`,
    check: ({ model }) =>
      workloads(model, LONG_RUNNING).flatMap((workload) => {
        const replicas = minimumReplicas(model, workload);
        const zoneSpread = blocks(workload.pod.topology_spread_constraint).some((constraint) => constraint.topology_key === ZONE_KEY);
        const antiAffinity = dig(workload.pod, "affinity", "pod_anti_affinity") !== undefined;
        return problems(
          replicas !== undefined && replicas < PROD_MIN_REPLICAS && `runs ${replicas} replica(s)`,
          replicas === undefined && "the replica count is an expression, known only at plan time",
          !zoneSpread && !antiAffinity && `no topology spread on ${ZONE_KEY} and no pod anti-affinity`,
        ).map((message) => ({ block: workload.block, message }));
      }),
  },
  {
    id: "K8S-NETPOL",
    title: "Workload namespaces deny by default; no policy admits the whole internet",
    severity: "medium",
    scope: "all",
    upstream: "CKV2_K8S_6; TV KUBE-0001/0002",
    unknown: { decision: "safe", reason: "A namespace-wide default deny must be literal. ip_block CIDRs that are expressions are the platform's own network attributes (configuration CIDRs are literals and judged by address arithmetic)." },
    fix: "Add a kubernetes_network_policy_v1 with an empty pod_selector and policy_types [\"Ingress\", \"Egress\"] in every workload namespace; replace 0.0.0.0/0 ip_blocks with specific peers (egress to the internet: 0.0.0.0/0 with except for private ranges).",
    check: ({ model }) => {
      const policies = model.resources(...NETPOL_TYPES);
      const out: Violation[] = [];
      const seen = new Map<string, Block>();
      for (const workload of workloads(model)) if (!seen.has(workload.namespace)) seen.set(workload.namespace, workload.block);
      for (const [namespace, first] of seen) {
        const denied = new Set<string>();
        for (const policy of policies) {
          if (k8sNamespace(model, dig(policy.body, "metadata", "namespace")) !== namespace) continue;
          const selector = one(dig(policy.body, "spec", "pod_selector")) ?? {};
          const selectsAll = Object.keys(one(selector.match_labels) ?? {}).length === 0 && blocks(selector.match_expressions).length === 0;
          if (!selectsAll) continue;
          const types = strings(dig(policy.body, "spec", "policy_types"));
          if (types.includes("Ingress") && blocks(dig(policy.body, "spec", "ingress")).length === 0) denied.add("Ingress");
          if (types.includes("Egress") && blocks(dig(policy.body, "spec", "egress")).length === 0) denied.add("Egress");
        }
        const missing = ["Ingress", "Egress"].filter((type) => !denied.has(type));
        if (missing.length > 0) out.push({ block: first, message: `namespace ${namespace} has no default-deny NetworkPolicy for ${missing.join(" and ")}` });
      }
      for (const policy of policies) {
        const spec = one(dig(policy.body, "spec")) ?? {};
        const ingressWorld = worldBlocks(spec.ingress, "from", false);
        if (ingressWorld) out.push({ block: policy, message: `ingress rules admit ip_blocks ${describeWorld(ingressWorld)}` });
        const egressWorld = worldBlocks(spec.egress, "to", true);
        if (egressWorld) out.push({ block: policy, message: `egress rules allow ip_blocks ${describeWorld(egressWorld)} without except (the data tier and cluster ranges stay reachable)` });
      }
      return out;
    },
  },
];
