/**
 * The namespace of one product instance (an environment's product, or a tenant's), isolated by default:
 *
 * - Pod Security Admission `restricted` (or `baseline`) enforced, audited and warned;
 * - pods get ALB readiness gates (`elbv2.k8s.aws/pod-readiness-gate-inject`), so a rollout waits until new pods
 *   are healthy in the load balancer before old ones go;
 * - a ResourceQuota (CPU/memory requests and limits, pods) and a LimitRange (container defaults and ceilings);
 * - a default-deny NetworkPolicy for ingress and egress, plus one allowing DNS to the cluster resolver. Workloads
 *   add their own allows (see constructs/workload).
 */
import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { Construct } from "constructs";
import { validateName } from "../core/naming";
import { MANAGED_BY_LABEL, PART_OF_LABEL } from "../workload/labels";
import { CPU_QUANTITY_HINT, MEMORY_QUANTITY_HINT, parseCpu, parseMemory } from "../workload/quantity";
import { MANAGED_BY } from "../core/tagging";

export const POD_SECURITY_LEVELS = ["restricted", "baseline"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];
/** Label that makes the AWS Load Balancer Controller inject readiness gates into the namespace's pods. */
export const READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";
/** The cluster resolver (CoreDNS keeps the kube-dns labels). */
export const DNS_NAMESPACE = "kube-system";
export const DNS_POD_LABELS = { "k8s-app": "kube-dns" } as const;
export const DNS_PORT = 53;
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface ContainerQuantities {
  readonly cpu: string;
  readonly memory: string;
}

export interface NamespaceQuota {
  /** Sum of CPU requests of all pods. */
  readonly requestsCpu: string;
  readonly requestsMemory: string;
  /** Sum of CPU limits. */
  readonly limitsCpu: string;
  readonly limitsMemory: string;
  readonly pods: number;
}

export interface AppNamespaceProps {
  readonly name: string;
  /** Product the namespace runs (`app.kubernetes.io/part-of`). */
  readonly product: string;
  readonly quota: NamespaceQuota;
  readonly limitRange: {
    /** Requests of a container that sets none. */
    readonly defaultRequest: ContainerQuantities;
    /** Limits of a container that sets none. */
    readonly default: ContainerQuantities;
    /** Largest limits a container may have. */
    readonly max: ContainerQuantities;
  };
  /**
   * Pod Security Standard enforced on the namespace.
   * @default "restricted" (what the platform's workloads are built to pass)
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Extra namespace labels (e.g. the tenant). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

export class AppNamespace extends Construct {
  readonly namespace: NamespaceV1;
  readonly quota: ResourceQuotaV1;
  readonly limitRange: LimitRangeV1;
  readonly defaultDeny: NetworkPolicyV1;
  readonly allowDns: NetworkPolicyV1;
  /** The namespace name (dependants also depend on `namespace`, so they are created after it and deleted before it). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, id);
    validate(id, props);
    const level = props.podSecurity ?? "restricted";
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          [PART_OF_LABEL]: props.product,
          [MANAGED_BY_LABEL]: MANAGED_BY,
          "pod-security.kubernetes.io/enforce": level,
          "pod-security.kubernetes.io/audit": level,
          "pod-security.kubernetes.io/warn": level,
          [READINESS_GATE_LABEL]: "enabled",
        },
      },
    });
    this.name = props.name;
    // A reference (not the literal name), so these objects wait for the namespace.
    const metadata = (name: string) => ({ name, namespace: this.namespace.metadata.name });

    this.quota = new ResourceQuotaV1(this, "quota", {
      metadata: metadata("workloads"),
      spec: {
        hard: {
          "requests.cpu": props.quota.requestsCpu,
          "requests.memory": props.quota.requestsMemory,
          "limits.cpu": props.quota.limitsCpu,
          "limits.memory": props.quota.limitsMemory,
          pods: String(props.quota.pods),
        },
      },
    });
    const { defaultRequest, max } = props.limitRange;
    this.limitRange = new LimitRangeV1(this, "limit-range", {
      metadata: metadata("containers"),
      spec: {
        limit: [
          {
            type: "Container",
            defaultRequest: { cpu: defaultRequest.cpu, memory: defaultRequest.memory },
            default: { cpu: props.limitRange.default.cpu, memory: props.limitRange.default.memory },
            max: { cpu: max.cpu, memory: max.memory },
          },
        ],
      },
    });

    this.defaultDeny = new NetworkPolicyV1(this, "default-deny", {
      metadata: metadata("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    this.allowDns = new NetworkPolicyV1(this, "allow-dns", {
      metadata: metadata("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE } }, podSelector: { matchLabels: { ...DNS_POD_LABELS } } }],
            ports: [
              { port: String(DNS_PORT), protocol: "UDP" },
              { port: String(DNS_PORT), protocol: "TCP" },
            ],
          },
        ],
      },
    });
  }
}

function validate(id: string, props: AppNamespaceProps): void {
  const problems: string[] = [];
  try {
    validateName("k8s-name", props.name);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const quantities: [string, string, "cpu" | "memory"][] = [
    ["quota.requestsCpu", props.quota.requestsCpu, "cpu"],
    ["quota.limitsCpu", props.quota.limitsCpu, "cpu"],
    ["quota.requestsMemory", props.quota.requestsMemory, "memory"],
    ["quota.limitsMemory", props.quota.limitsMemory, "memory"],
  ];
  for (const key of ["defaultRequest", "default", "max"] as const) {
    quantities.push([`limitRange.${key}.cpu`, props.limitRange[key].cpu, "cpu"], [`limitRange.${key}.memory`, props.limitRange[key].memory, "memory"]);
  }
  for (const [path, value, kind] of quantities) {
    const parsed = kind === "cpu" ? parseCpu(value) : parseMemory(value);
    if (parsed === undefined) problems.push(`${path} "${value}" is not ${kind === "cpu" ? CPU_QUANTITY_HINT : MEMORY_QUANTITY_HINT}`);
  }
  if (!Number.isInteger(props.quota.pods) || props.quota.pods < 1) problems.push(`quota.pods ${props.quota.pods} must be a whole number >= 1`);
  for (const what of ["cpu", "memory"] as const) {
    const parse = what === "cpu" ? parseCpu : parseMemory;
    const request = parse(props.limitRange.defaultRequest[what]);
    const limit = parse(props.limitRange.default[what]);
    const max = parse(props.limitRange.max[what]);
    if (request !== undefined && limit !== undefined && request > limit) {
      problems.push(`limitRange.defaultRequest.${what} ${props.limitRange.defaultRequest[what]} is above limitRange.default.${what} ${props.limitRange.default[what]}`);
    }
    if (limit !== undefined && max !== undefined && limit > max) {
      problems.push(`limitRange.default.${what} ${props.limitRange.default[what]} is above limitRange.max.${what} ${props.limitRange.max[what]}`);
    }
  }
  if (problems.length > 0) throw new Error(`AppNamespace ${id} (${props.name}) is invalid:\n  - ${problems.join("\n  - ")}`);
}
