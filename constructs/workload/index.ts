/**
 * One application workload, from its typed spec (config/schema/products.ts `WorkloadSchema`):
 *
 * - `web`: Deployment + ClusterIP Service (+ Ingress in the environment's ALB group when it has hosts)
 * - `worker`: Deployment without a Service
 * - `cron`: CronJob (no overlapping runs, bounded history, missed runs skipped after a deadline)
 * - `pre-rollout`: a Job Terraform runs to completion before the product's Deployments roll out (e.g. database
 *   migrations). Its name carries a hash of its image and command, so a new image version is a new Job and runs
 *   again; an unchanged one is left alone.
 *
 * Every workload gets its own ServiceAccount (no token mounted unless it needs AWS access), an IAM role bound to
 * exactly that service account with EKS Pod Identity when it has AWS permissions, the hardened pod template of
 * pod.ts, and a NetworkPolicy admitting only what it needs on top of its namespace's default deny: the load
 * balancer to its web port, the workloads that declared they call it; egress to the workloads it calls, to the data
 * tier on the ports of the services it uses, to AWS (Pod Identity agent and HTTPS) when it has AWS permissions, and
 * to the external ports it declares. DNS is allowed namespace-wide by the namespace's own policy.
 *
 * Deployments: topology spread over zones and hosts, rolling updates from the environment policy, a
 * PodDisruptionBudget whenever more than one replica can run, an `autoscaling/v2` HPA (CPU and/or memory, min/max,
 * scale-down stabilization) that owns the replica count when configured (the Deployment then starts at the HPA's
 * minimum and ignores drift in `replicas`).
 *
 * When the stack creates the namespace, every object names it through a reference (`namespaceResource`), so none is
 * sent to the API server before its namespace exists.
 */
import { createHash } from "node:crypto";
import type { CronJobV1SpecJobTemplateSpecTemplateSpec } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { HorizontalPodAutoscalerV2, type HorizontalPodAutoscalerV2SpecMetric } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import type { JobV1SpecTemplateSpec } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1, type NetworkPolicyV1SpecEgress, type NetworkPolicyV1SpecIngress } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { IResolvable, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import {
  defaultPortName,
  replicaBounds,
  resolvePort,
  WorkloadSchema,
  type WorkloadConfig,
  type WorkloadPolicy,
} from "../../config/schema/products";
import type { AccountScope } from "../core/aws";
import { validateName, type Naming } from "../core/naming";
import { CronJobV1, DeploymentV1, JobV1 } from "../core/kubernetes-workload-resources";
import { MONITORING_NAMESPACE, PROMETHEUS_POD_LABELS } from "../core/platform-contracts";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../workload-identity";
import { imagePinningProblem } from "./image";
import { ALB_ANNOTATIONS, groupAnnotations, HEALTHY_STATUS_CODES, INGRESS_CLASS_NAME, type IngressGroupSettings } from "./ingress";
import { INSTANCE_LABEL, NAME_LABEL, selectorLabels, workloadLabels } from "./labels";
import { persistentClaimName, podTemplateSpec, VOLUME_ACCESS_MODE, type ConfigMapVolume, type EnvVar } from "./pod";
import { DEFAULT_STORAGE_CLASS, RELOADER_SECRETS_ANNOTATION, RELOADER_TEMPLATE_ANNOTATION } from "../core/platform-contracts";
import { rolloutValues, type RolloutSettings, type RolloutValues } from "./rollout";

export { appSecretName, grantEnv, grantStatements, queueName, serviceStatements } from "./grants";
export { ingressGroupSettings, type IngressGroupSettings } from "./ingress";
export type { ConfigMapVolume, EnvVar } from "./pod";
export { DEFAULT_CANARY_STEPS, type RolloutSettings, type RolloutValues } from "./rollout";

/** Suffix of the Service a blue-green rollout previews the new version on. */
export const PREVIEW_SERVICE_SUFFIX = "-preview";

/** Port of a web workload's `http` container port on its Service (other ports keep their number). */
export const SERVICE_HTTP_PORT = 80;
/** Label Kubernetes sets on every namespace with its name (network policies select namespaces by it). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Old ReplicaSets kept for `kubectl rollout undo`. */
export const REVISION_HISTORY_LIMIT = 5;
/** HPA scale-down rate once the stabilization window has passed (the Kubernetes default: all surplus per 15 s). */
export const SCALE_DOWN_POLICY = { type: "Percent", value: 100, periodSeconds: 15 } as const;
/** Terraform waits this long beyond the job deadline for a pre-rollout job before failing the apply. */
export const JOB_WAIT_MARGIN_SECONDS = 120;
/** EKS Pod Identity agent on every node (link-local); pods with AWS access fetch credentials from it. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
export const POD_IDENTITY_AGENT_PORT = 80;
/** AWS APIs are reached over HTTPS (public endpoints, gateway or interface endpoints). */
export const AWS_API_PORT = 443;
const JOB_HASH_LENGTH = 8;

/** A workload this one calls, or is called by (network policy peers within the namespace). */
export interface WorkloadPeer {
  /** Pod labels of the peer. */
  readonly selector: Readonly<Record<string, string>>;
  /** Container ports of the peer (for calls to it). */
  readonly ports: readonly number[];
}

export interface WorkloadNetworkProps {
  /** CIDRs the load balancer sends from (its subnets); admitted to the ingress port of web workloads. */
  readonly loadBalancerCidrs: readonly string[];
  /** The data tier: its subnets and the ports of the services this workload uses (may be Terraform tokens). */
  readonly dataTier?: { readonly cidrs: readonly string[]; readonly ports: readonly string[] };
  /** Workloads of the namespace this one calls. @default none */
  readonly connectsTo?: readonly WorkloadPeer[];
  /** Workloads of the namespace that call this one. @default none */
  readonly calledBy?: readonly WorkloadPeer[];
}

export interface WorkloadIngressProps {
  readonly group: IngressGroupSettings;
  /** Fully qualified hosts routed to the workload. */
  readonly hosts: readonly string[];
  /** ACM certificates for the hosts (merged into the group's HTTPS listener). */
  readonly certificateArns: readonly string[];
}

export interface WorkloadProps {
  /** Workload name: names its Deployment/CronJob/Job, Service, ServiceAccount and container. */
  readonly name: string;
  readonly namespace: string;
  /**
   * The namespace object, when the same stack creates it. Every object of the workload then depends on it, so
   * Terraform creates them after the namespace and destroys them before it (an object sent in parallel with its
   * namespace fails with `namespaces "<name>" not found`).
   * @default none: the namespace exists before the stack is applied (another stack, or one every cluster has)
   */
  readonly namespaceResource?: NamespaceV1;
  /** Product the workload belongs to (`app.kubernetes.io/part-of`). */
  readonly product: string;
  readonly spec: WorkloadConfig;
  /** The environment's workload policy (security identity, rollout, spreading, disruption, probe timings). */
  readonly policy: WorkloadPolicy;
  /** Naming scope of the workload's IAM role. */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** EKS cluster the workload runs in (its IAM role trusts only this cluster). */
  readonly clusterName: string;
  readonly network: WorkloadNetworkProps;
  /**
   * Container environment, in order (references to other variables with $(VAR) need them earlier).
   * @default the plain values of `spec.env` only
   */
  readonly env?: readonly EnvVar[];
  /** Config maps (Kubernetes names) loaded whole into the environment. @default none */
  readonly envFromConfigMaps?: readonly string[];
  /**
   * Config maps mounted read-only as files (the platform's own, e.g. the RDS certificate authorities).
   * @default none
   */
  readonly configMapVolumes?: readonly ConfigMapVolume[];
  /** Pod template annotations, e.g. checksums of mounted configuration so a change rolls the pods. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Extra pod labels (not selectors), e.g. the log pipeline's (LOG_LABELS). @default none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * AWS permissions; when non-empty the workload gets an IAM role (EKS Pod Identity) and a mounted token.
   * @default none: no role, no token
   */
  readonly awsStatements?: readonly WorkloadPolicyStatement[];
  /** Tags of the workload's IAM role (e.g. a search domain's access tag). @default none */
  readonly roleTags?: Readonly<Record<string, string>>;
  /** Required when the spec has an ingress: the environment's ALB group and the hosts' certificates. */
  readonly ingress?: WorkloadIngressProps;
  /** Resources that must exist before the workload's pods start (secrets, config maps, pre-rollout jobs). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Whether the apply waits for the Deployment's rollout (a pre-rollout Job's completion): false, or an expression,
   * while a secret the pods read has no value yet, so the apply does not time out on pods that cannot start (see
   * constructs/secret-values).
   * @default true
   */
  readonly awaitReadiness?: boolean | IResolvable;
  /**
   * `prevent_destroy` on the workload's persistent volume claims (constructs do so where state is protected).
   * @default true
   */
  readonly protectVolumes?: boolean;
  /**
   * Kubernetes Secrets the pods read, for Stakater Reloader (constructs/addons/reloader): the Deployment names them in
   * its `secret.reloader.stakater.com/reload` annotation, so a changed value (a rotation synced by External Secrets)
   * rolls the pods, and Terraform ignores the pod-template annotation Reloader sets.
   * @default none: pods keep the values they started with until their next rollout
   */
  readonly reloadSecrets?: readonly string[];
  /**
   * Progressive delivery (web workloads, Argo Rollouts): the Deployment is referenced by a Rollout (`this.rollout`,
   * rendered by the product's workload-rollouts release), which runs the pods; see constructs/workload/rollout.ts.
   * @default none: the Deployment rolls out by itself
   */
  readonly progressiveDelivery?: RolloutSettings;
}

/** Name of a workload's IAM role (EKS Pod Identity): `<prefix>-<namespace>-<workload>`. */
export function workloadRoleName(naming: Naming, namespace: string, workload: string): string {
  return naming.name("iam-role", namespace, workload);
}

/** Name of a pre-rollout job: the workload name and a hash of what it runs. */
export function preRolloutJobName(name: string, spec: Pick<WorkloadConfig, "image" | "command" | "args">): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([spec.image, spec.command ?? [], spec.args ?? []]))
    .digest("hex")
    .slice(0, JOB_HASH_LENGTH);
  return validateName("k8s-name", `${name}-${hash}`);
}

export class Workload extends Construct {
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  readonly serviceAccount: ServiceAccountV1;
  readonly identity?: WorkloadIdentity;
  readonly deployment?: DeploymentV1;
  readonly cronJob?: CronJobV1;
  readonly job?: JobV1;
  readonly service?: ServiceV1;
  readonly ingress?: IngressV1;
  readonly autoscaler?: HorizontalPodAutoscalerV2;
  readonly disruptionBudget?: PodDisruptionBudgetV1;
  readonly networkPolicy: NetworkPolicyV1;
  /** Claims of the workload's persistent volumes, by volume name. */
  readonly volumeClaims: ReadonlyMap<string, PersistentVolumeClaimV1>;
  /** The Rollout and analysis of a workload with progressive delivery (values of charts/local/workload-rollouts). */
  readonly rollout?: RolloutValues;
  /** The Service a blue-green rollout previews the new version on. */
  readonly previewService?: ServiceV1;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { spec, policy, name, namespace } = props;
    validateProps(id, props);

    this.selector = selectorLabels({ name, namespace });
    this.labels = workloadLabels({ name, namespace, product: props.product, kind: spec.kind });
    const metadata = { name, namespace, labels: { ...this.labels } };
    // Every object waits for the namespace when this stack creates it (see WorkloadProps.namespaceResource).
    const inNamespace: ITerraformDependable[] = props.namespaceResource ? [props.namespaceResource] : [];
    const statements = props.awsStatements ?? [];
    const awsAccess = statements.length > 0;

    this.serviceAccount = new ServiceAccountV1(this, "service-account", { metadata, automountServiceAccountToken: awsAccess, dependsOn: inNamespace });
    if (awsAccess) {
      this.identity = new WorkloadIdentity(this, "identity", {
        account: props.account,
        clusterName: props.clusterName,
        namespace,
        serviceAccount: name,
        roleName: workloadRoleName(props.naming, namespace, name),
        statements,
        ...(props.roleTags ? { tags: props.roleTags } : {}),
      });
    }

    // Persistent volumes: a claim each, bound when the first pod uses it. The gp3 class binds WaitForFirstConsumer, so
    // the provider must not wait for Bound at create (`wait_until_bound`, default true, would time out the apply before
    // the pod that binds it exists: registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/persistent_volume_claim_v1).
    const claims = new Map<string, PersistentVolumeClaimV1>();
    for (const volume of spec.volumes) {
      if (!volume.persistent) continue;
      claims.set(
        volume.name,
        new PersistentVolumeClaimV1(this, `volume-${volume.name}`, {
          metadata: { name: persistentClaimName(name, volume), namespace, labels: { ...this.labels } },
          spec: { accessModes: [VOLUME_ACCESS_MODE], storageClassName: DEFAULT_STORAGE_CLASS, resources: { requests: { storage: volume.persistent.size } } },
          waitUntilBound: false,
          lifecycle: { preventDestroy: props.protectVolumes ?? true },
          dependsOn: inNamespace,
        }),
      );
    }
    this.volumeClaims = claims;

    const isDeployment = spec.kind === "web" || spec.kind === "worker";
    const pod = podTemplateSpec({
      name,
      spec,
      policy,
      serviceAccountName: name,
      awsAccess,
      env: props.env ?? plainEnv(spec),
      envFromConfigMaps: props.envFromConfigMaps ?? [],
      ...(props.configMapVolumes ? { configMapVolumes: props.configMapVolumes } : {}),
      restartPolicy: isDeployment ? "Always" : "Never",
      ...(isDeployment ? { spreadSelector: this.selector } : {}),
    });
    const template = { metadata: { labels: { ...props.podLabels, ...this.labels }, annotations: { ...props.podAnnotations } }, spec: pod };
    const dependsOn = [...inNamespace, this.serviceAccount, ...(this.identity ? [this.identity.association] : []), ...claims.values(), ...(props.dependsOn ?? [])];

    if (isDeployment) {
      const bounds = replicaBounds(spec, policy);
      const delivery = spec.kind === "web" ? props.progressiveDelivery : undefined;
      const reloadSecrets = [...new Set(props.reloadSecrets ?? [])].sort();
      // Fields others own after creation: the HPA's replica count; Argo Rollouts scales a referenced Deployment to zero;
      // Reloader's restart annotation on the pod template (ignored by key: every other annotation stays managed).
      const ignoreChanges = [
        ...(spec.autoscaling || delivery ? ["spec[0].replicas"] : []),
        ...(reloadSecrets.length > 0 ? [`spec[0].template[0].metadata[0].annotations["${RELOADER_TEMPLATE_ANNOTATION}"]`] : []),
      ];
      this.deployment = new DeploymentV1(this, "deployment", {
        metadata: reloadSecrets.length > 0 ? { ...metadata, annotations: { [RELOADER_SECRETS_ANNOTATION]: reloadSecrets.join(",") } } : metadata,
        spec: {
          // With an HPA the Deployment starts at the HPA's minimum (left unset, Kubernetes would start it at 1 and a
          // first rollout would wait on one pod until the HPA first reconciles), and `replicas` is then the HPA's:
          // `ignore_changes` below keeps Terraform from resetting it on later applies. Kubernetes: "If a
          // HorizontalPodAutoscaler is managing scaling for a Deployment, don't set .spec.replicas" in the manifests you
          // apply (kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas); with Terraform the value is
          // set once at creation and then ignored (hashicorp/terraform-provider-kubernetes#584, #1058;
          // developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#ignore_changes).
          replicas: String(spec.autoscaling ? bounds.min : bounds.max),
          revisionHistoryLimit: REVISION_HISTORY_LIMIT,
          selector: { matchLabels: { ...this.selector } },
          // A ReadWriteOnce claim is attached to one node: the old pod must release it before the new one starts.
          strategy: claims.size > 0 ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { ...policy.rollingUpdate } },
          template,
        },
        waitForRollout: props.awaitReadiness ?? true,
        dependsOn,
        ...(ignoreChanges.length > 0 ? { lifecycle: { ignoreChanges } } : {}),
      });
      if (delivery) {
        this.rollout = rolloutValues({
          name,
          namespace,
          labels: this.labels,
          selector: this.selector,
          ...(spec.autoscaling ? {} : { replicas: bounds.max }),
          previewService: `${name}${PREVIEW_SERVICE_SUFFIX}`,
          settings: delivery,
        });
      }
      if (spec.autoscaling) {
        const metrics: HorizontalPodAutoscalerV2SpecMetric[] = [];
        for (const [resource, target] of [["cpu", spec.autoscaling.cpuUtilization], ["memory", spec.autoscaling.memoryUtilization]] as const) {
          if (target !== undefined) metrics.push({ type: "Resource", resource: { name: resource, target: { type: "Utilization", averageUtilization: target } } });
        }
        this.autoscaler = new HorizontalPodAutoscalerV2(this, "autoscaler", {
          metadata,
          spec: {
            minReplicas: spec.autoscaling.minReplicas,
            maxReplicas: spec.autoscaling.maxReplicas,
            // With progressive delivery the Rollout runs the pods (it has the scale subresource HPAs use).
            scaleTargetRef: this.rollout ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name } : { apiVersion: "apps/v1", kind: "Deployment", name },
            metric: metrics,
            behavior: {
              scaleDown: [
                {
                  stabilizationWindowSeconds: spec.autoscaling.scaleDownStabilizationSeconds ?? policy.autoscaling.scaleDownStabilizationSeconds,
                  policy: [{ ...SCALE_DOWN_POLICY }],
                },
              ],
            },
          },
          dependsOn: [...inNamespace, this.deployment],
        });
      }
      if (bounds.max > 1) {
        this.disruptionBudget = new PodDisruptionBudgetV1(this, "disruption-budget", {
          metadata,
          spec: { maxUnavailable: policy.disruptionBudget.maxUnavailable, selector: { matchLabels: { ...this.selector } } },
          dependsOn: inNamespace,
        });
      }
    } else if (spec.kind === "cron") {
      this.cronJob = new CronJobV1(this, "cron-job", {
        metadata,
        spec: {
          schedule: spec.schedule as string,
          ...(spec.timeZone ? { timezone: spec.timeZone } : {}),
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: policy.jobs.startingDeadlineSeconds,
          successfulJobsHistoryLimit: policy.jobs.historyLimit,
          failedJobsHistoryLimit: policy.jobs.historyLimit,
          jobTemplate: {
            metadata: { labels: { ...this.labels } },
            spec: {
              backoffLimit: spec.backoffLimit ?? policy.jobs.backoffLimit,
              activeDeadlineSeconds: spec.activeDeadlineSeconds ?? policy.jobs.activeDeadlineSeconds,
              template: { ...template, spec: pod as CronJobV1SpecJobTemplateSpecTemplateSpec },
            },
          },
        },
        dependsOn,
      });
    } else {
      const deadline = spec.activeDeadlineSeconds ?? policy.jobs.activeDeadlineSeconds;
      const wait = `${deadline + JOB_WAIT_MARGIN_SECONDS}s`;
      this.job = new JobV1(this, "job", {
        metadata: { ...metadata, name: preRolloutJobName(name, spec) },
        spec: {
          backoffLimit: spec.backoffLimit ?? policy.jobs.backoffLimit,
          activeDeadlineSeconds: deadline,
          template: { ...template, spec: pod as JobV1SpecTemplateSpec },
        },
        // Terraform waits for success, so an apply stops before any Deployment rolls out when it fails.
        waitForCompletion: props.awaitReadiness ?? true,
        timeouts: { create: wait, update: wait },
        dependsOn,
      });
    }

    if (spec.kind === "web") {
      const servicePorts = Object.entries(spec.ports).map(([portName, port]) => ({
        name: portName,
        port: portName === "http" ? SERVICE_HTTP_PORT : port,
        targetPort: portName,
        protocol: "TCP",
      }));
      // Blue-green: Argo Rollouts adds the active and preview version's rollouts-pod-template-hash to the selectors of
      // both Services; Terraform must not take it away again (that would send traffic to both versions).
      const blueGreen = this.rollout && props.progressiveDelivery?.strategy === "blueGreen";
      const selectorOwnedByRollouts = blueGreen ? { lifecycle: { ignoreChanges: ["spec[0].selector"] } } : {};
      this.service = new ServiceV1(this, "service", {
        metadata,
        spec: { type: "ClusterIP", selector: { ...this.selector }, port: servicePorts },
        dependsOn: inNamespace,
        ...selectorOwnedByRollouts,
      });
      if (blueGreen) {
        // Without the selector labels, so the workload's ServiceMonitor (which selects by them) does not scrape it twice.
        const { [NAME_LABEL]: _name, [INSTANCE_LABEL]: _instance, ...previewLabels } = this.labels;
        this.previewService = new ServiceV1(this, "preview-service", {
          metadata: { name: `${name}${PREVIEW_SERVICE_SUFFIX}`, namespace, labels: previewLabels },
          spec: { type: "ClusterIP", selector: { ...this.selector }, port: servicePorts },
          dependsOn: inNamespace,
          ...selectorOwnedByRollouts,
        });
      }
    }

    const routes = spec.ingress;
    if (routes && props.ingress) {
      const portName = ingressPortName(spec);
      const readiness = spec.probes?.readiness?.http?.path ?? spec.health?.path;
      this.ingress = new IngressV1(this, "ingress", {
        metadata: {
          ...metadata,
          annotations: {
            ...groupAnnotations(props.ingress.group),
            [ALB_ANNOTATIONS.certificateArn]: props.ingress.certificateArns.join(","),
            [ALB_ANNOTATIONS.targetGroupAttributes]: `deregistration_delay.timeout_seconds=${props.ingress.group.deregistrationDelaySeconds}`,
            [ALB_ANNOTATIONS.successCodes]: HEALTHY_STATUS_CODES,
            ...(readiness ? { [ALB_ANNOTATIONS.healthcheckPath]: readiness } : {}),
            ...(routes.order !== undefined ? { [ALB_ANNOTATIONS.groupOrder]: String(routes.order) } : {}),
          },
        },
        spec: {
          ingressClassName: INGRESS_CLASS_NAME,
          rule: props.ingress.hosts.map((host) => ({
            host,
            http: {
              path: routes.paths.map((path) => ({
                path,
                pathType: "Prefix",
                backend: { service: { name, port: { name: portName } } },
              })),
            },
          })),
        },
        dependsOn: [...inNamespace, this.service as ServiceV1],
      });
    }

    this.networkPolicy = new NetworkPolicyV1(this, "network-policy", {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selector } },
        policyTypes: ["Ingress", "Egress"],
        ingress: this.ingressRules(props),
        egress: this.egressRules(props, awsAccess),
      },
      dependsOn: inNamespace,
    });
  }

  private ingressRules(props: WorkloadProps): NetworkPolicyV1SpecIngress[] {
    const { spec, network } = props;
    const rules: NetworkPolicyV1SpecIngress[] = [];
    if (spec.ingress && props.ingress) {
      const port = resolvePort(spec, spec.ingress.port ?? (defaultPortName(spec) as string)) as number;
      rules.push({ from: network.loadBalancerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(port)] });
    }
    const ports = Object.values(spec.ports);
    for (const caller of network.calledBy ?? []) {
      if (ports.length > 0) rules.push({ from: [{ podSelector: { matchLabels: { ...caller.selector } } }], ports: ports.map(tcp) });
    }
    // Prometheus (monitoring namespace) scrapes the declared metrics port.
    const metricsPort = spec.metrics ? spec.ports[spec.metrics.port] : undefined;
    if (metricsPort !== undefined) {
      rules.push({
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: MONITORING_NAMESPACE } }, podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } }],
        ports: [tcp(metricsPort)],
      });
    }
    return rules;
  }

  private egressRules(props: WorkloadProps, awsAccess: boolean): NetworkPolicyV1SpecEgress[] {
    const { spec, network } = props;
    const rules: NetworkPolicyV1SpecEgress[] = [];
    for (const peer of network.connectsTo ?? []) {
      rules.push({ to: [{ podSelector: { matchLabels: { ...peer.selector } } }], ports: peer.ports.map(tcp) });
    }
    if (network.dataTier && network.dataTier.ports.length > 0) {
      rules.push({ to: network.dataTier.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: network.dataTier.ports.map(tcp) });
    }
    if (awsAccess) {
      rules.push({ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [tcp(POD_IDENTITY_AGENT_PORT)] });
    }
    // HTTPS to any destination: AWS APIs for workloads with AWS access, and the declared external ports.
    const external = new Set<number>([...(awsAccess ? [AWS_API_PORT] : []), ...(spec.egress?.externalPorts ?? [])]);
    if (external.size > 0) rules.push({ ports: [...external].sort((a, b) => a - b).map(tcp) });
    return rules;
  }
}

/** A TCP port of a network policy rule. */
function tcp(port: number | string): { port: string; protocol: string } {
  return { port: String(port), protocol: "TCP" };
}

/** The Service port name the ingress routes to. */
function ingressPortName(spec: WorkloadConfig): string {
  const ref = spec.ingress?.port ?? defaultPortName(spec);
  if (typeof ref === "string") return ref;
  return Object.entries(spec.ports).find(([, port]) => port === ref)?.[0] as string;
}

/** The spec's plain (non-reference) environment values. */
function plainEnv(spec: WorkloadConfig): EnvVar[] {
  return Object.entries(spec.env).flatMap(([name, value]) => (typeof value === "string" ? [{ name, value }] : []));
}

function validateProps(id: string, props: WorkloadProps): void {
  const problems: string[] = [];
  for (const [what, value] of [["name", props.name], ["namespace", props.namespace]] as const) {
    try {
      validateName("k8s-name", value);
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  }
  const parsed = WorkloadSchema.safeParse(props.spec);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `spec.${issue.path.join(".") || "(root)"}: ${issue.message}`));
  }
  const pinning = imagePinningProblem(props.spec.image, props.policy.requireImageDigest);
  if (pinning) problems.push(`spec.image "${props.spec.image}": ${pinning}`);
  if (props.spec.ingress && !props.ingress) {
    problems.push("spec.ingress is set but no ingress group and certificates were given (props.ingress)");
  }
  if (props.ingress && props.ingress.hosts.length === 0) problems.push("ingress.hosts must not be empty");
  const created = props.namespaceResource?.metadataInput?.name;
  if (props.namespaceResource && created !== props.namespace) {
    problems.push(`namespaceResource creates namespace "${created ?? "(unnamed)"}", not the workload's namespace "${props.namespace}"`);
  }
  if (problems.length > 0) {
    throw new Error(`Workload ${id} (${props.namespace}/${props.name}) is invalid:\n  - ${problems.join("\n  - ")}`);
  }
}
