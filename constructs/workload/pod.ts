/**
 * The hardened pod template every workload kind shares (Deployment, CronJob, Job):
 *
 * - non-root (`runAsNonRoot` plus a fixed non-zero uid/gid), `RuntimeDefault` seccomp, no privilege escalation,
 *   every capability dropped, read-only root filesystem with a size-limited writable `emptyDir` on /tmp and the
 *   workload's own writable volumes (size-limited emptyDir, generic ephemeral gp3 volumes, persistent claims) —
 *   which passes the `restricted` Pod Security Standard the product namespaces enforce (it allows these volume types);
 * - no service-account token unless the workload needs AWS access (EKS Pod Identity exchanges that token);
 * - no Service-link environment variables (`enableServiceLinks: false`): configuration is explicit;
 * - requests for CPU and memory, a memory limit, and probes derived from a declared health path.
 */
import type {
  DeploymentV1SpecTemplateSpec,
  DeploymentV1SpecTemplateSpecContainerEnv,
  DeploymentV1SpecTemplateSpecContainerLivenessProbe,
  DeploymentV1SpecTemplateSpecTopologySpreadConstraint,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { defaultPortName, type ProbeConfig, type VolumeConfig, type WorkloadConfig, type WorkloadPolicy } from "../../config/schema/products";
import { DEFAULT_STORAGE_CLASS } from "../core/platform-contracts";

/** Where the writable scratch volume is mounted (the root filesystem is read-only). */
export const TMP_MOUNT_PATH = "/tmp";
export const TMP_VOLUME = "tmp";
/** Topology keys replicas are spread over. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
export const HOST_TOPOLOGY_KEY = "kubernetes.io/hostname";
/** Spread is computed per ReplicaSet, so a rollout's new pods spread on their own. */
export const SPREAD_MATCH_LABEL_KEYS = ["pod-template-hash"];
/** Replicas of one workload may differ by at most this many between zones (and between hosts). */
export const MAX_SKEW = 1;

/** Access mode of the gp3 volumes (EBS attaches to one node). */
export const VOLUME_ACCESS_MODE = "ReadWriteOnce";

/** Name of the PersistentVolumeClaim of a workload's persistent volume. */
export function persistentClaimName(workload: string, volume: Pick<VolumeConfig, "name">): string {
  return `${workload}-${volume.name}`;
}

/** A config map mounted read-only as a directory of files (the `restricted` Pod Security Standard allows configMap volumes). */
export interface ConfigMapVolume {
  /** Volume name (unique in the pod). */
  readonly name: string;
  /** The config map (Kubernetes name, in the pod's namespace). */
  readonly configMap: string;
  readonly mountPath: string;
}

/** The pod volume of a configured volume (emptyDir, generic ephemeral gp3 volume, or the workload's claim). */
function podVolume(workload: string, volume: VolumeConfig) {
  if (volume.emptyDir) return { name: volume.name, emptyDir: { sizeLimit: volume.emptyDir.sizeLimit, ...(volume.emptyDir.memory ? { medium: "Memory" } : {}) } };
  if (volume.ephemeral) {
    return {
      name: volume.name,
      ephemeral: {
        volumeClaimTemplate: {
          spec: { accessModes: [VOLUME_ACCESS_MODE], storageClassName: DEFAULT_STORAGE_CLASS, resources: { requests: { storage: volume.ephemeral.size } } },
        },
      },
    };
  }
  return { name: volume.name, persistentVolumeClaim: { claimName: persistentClaimName(workload, volume) } };
}

/** One container environment variable (a plain value or a reference). */
export type EnvVar = DeploymentV1SpecTemplateSpecContainerEnv;

export interface PodTemplateInput {
  /** Container name (the workload name). */
  readonly name: string;
  readonly spec: WorkloadConfig;
  readonly policy: WorkloadPolicy;
  readonly serviceAccountName: string;
  /** Mount the service-account token (needed for EKS Pod Identity). */
  readonly awsAccess: boolean;
  /** Environment variables in order (Kubernetes expands $(VAR) only from earlier entries). */
  readonly env: readonly EnvVar[];
  /** Config maps (Kubernetes names) whose keys all become environment variables. */
  readonly envFromConfigMaps: readonly string[];
  /** Config maps mounted read-only as files (the platform's, e.g. the RDS certificate authorities). */
  readonly configMapVolumes?: readonly ConfigMapVolume[];
  readonly restartPolicy: "Always" | "Never";
  /** Spread replicas across zones and hosts (Deployments); selected by these labels. */
  readonly spreadSelector?: Readonly<Record<string, string>>;
}

type Probe = DeploymentV1SpecTemplateSpecContainerLivenessProbe;

function probe(config: ProbeConfig, workload: WorkloadConfig, policy: WorkloadPolicy, failureThreshold = policy.probes.failureThreshold): Probe {
  const port = (ref: string | number | undefined) => String(ref ?? defaultPortName(workload));
  return {
    ...(config.http ? { httpGet: { path: config.http.path, port: port(config.http.port), scheme: "HTTP" } } : {}),
    ...(config.tcp ? { tcpSocket: [{ port: port(config.tcp.port) }] } : {}),
    ...(config.exec ? { exec: { command: [...config.exec.command] } } : {}),
    initialDelaySeconds: config.initialDelaySeconds ?? 0,
    periodSeconds: config.periodSeconds ?? policy.probes.periodSeconds,
    timeoutSeconds: config.timeoutSeconds ?? policy.probes.timeoutSeconds,
    failureThreshold: config.failureThreshold ?? failureThreshold,
  };
}

/** Liveness, readiness and startup probes: explicit ones, else derived from `health`. */
export function probesOf(workload: WorkloadConfig, policy: WorkloadPolicy): { liveness?: Probe; readiness?: Probe; startup?: Probe } {
  const fromHealth: ProbeConfig | undefined = workload.health ? { http: { path: workload.health.path, ...(workload.health.port !== undefined ? { port: workload.health.port } : {}) } } : undefined;
  const explicit = workload.probes ?? {};
  const liveness = explicit.liveness ?? fromHealth;
  const readiness = explicit.readiness ?? fromHealth;
  const startup = explicit.startup ?? fromHealth;
  return {
    ...(liveness ? { liveness: probe(liveness, workload, policy) } : {}),
    ...(readiness ? { readiness: probe(readiness, workload, policy) } : {}),
    // A slow start is given periodSeconds x startupFailureThreshold before liveness takes over.
    ...(startup ? { startup: probe(startup, workload, policy, policy.probes.startupFailureThreshold) } : {}),
  };
}

function topologySpread(selector: Readonly<Record<string, string>>, policy: WorkloadPolicy): DeploymentV1SpecTemplateSpecTopologySpreadConstraint[] {
  const constraint = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: MAX_SKEW,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: [{ matchLabels: { ...selector } }],
    matchLabelKeys: SPREAD_MATCH_LABEL_KEYS,
  });
  return [constraint(ZONE_TOPOLOGY_KEY, policy.topologySpread.zone), constraint(HOST_TOPOLOGY_KEY, policy.topologySpread.host)];
}

/** The pod spec of a workload. */
export function podTemplateSpec(input: PodTemplateInput): DeploymentV1SpecTemplateSpec {
  const { spec, policy } = input;
  const identity = {
    runAsUser: String(spec.securityContext?.runAsUser ?? policy.securityContext.runAsUser),
    runAsGroup: String(spec.securityContext?.runAsGroup ?? policy.securityContext.runAsGroup),
  };
  const probes = probesOf(spec, policy);
  const { limits, requests } = spec.resources;
  return {
    serviceAccountName: input.serviceAccountName,
    automountServiceAccountToken: input.awsAccess,
    enableServiceLinks: false,
    restartPolicy: input.restartPolicy,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? policy.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: true,
      ...identity,
      fsGroup: String(spec.securityContext?.fsGroup ?? policy.securityContext.fsGroup),
      seccompProfile: { type: "RuntimeDefault" },
    },
    container: [
      {
        name: input.name,
        image: spec.image,
        imagePullPolicy: "IfNotPresent",
        ...(spec.command ? { command: [...spec.command] } : {}),
        ...(spec.args ? { args: [...spec.args] } : {}),
        port: Object.entries(spec.ports).map(([name, containerPort]) => ({ name, containerPort, protocol: "TCP" })),
        env: [...input.env],
        envFrom: input.envFromConfigMaps.map((name) => ({ configMapRef: { name } })),
        resources: {
          requests: { cpu: requests.cpu, memory: requests.memory },
          limits: { memory: limits.memory, ...(limits.cpu !== undefined ? { cpu: limits.cpu } : {}) },
        },
        securityContext: {
          runAsNonRoot: true,
          ...identity,
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        },
        volumeMount: [
          { name: TMP_VOLUME, mountPath: TMP_MOUNT_PATH },
          ...spec.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
          ...(input.configMapVolumes ?? []).map((volume) => ({ name: volume.name, mountPath: volume.mountPath, readOnly: true })),
        ],
        ...(probes.liveness ? { livenessProbe: probes.liveness } : {}),
        ...(probes.readiness ? { readinessProbe: probes.readiness } : {}),
        ...(probes.startup ? { startupProbe: probes.startup } : {}),
      },
    ],
    volume: [
      { name: TMP_VOLUME, emptyDir: { sizeLimit: spec.tmpSizeLimit ?? policy.tmpSizeLimit } },
      ...spec.volumes.map((volume) => podVolume(input.name, volume)),
      ...(input.configMapVolumes ?? []).map((volume) => ({ name: volume.name, configMap: { name: volume.configMap } })),
    ],
    ...(input.spreadSelector ? { topologySpreadConstraint: topologySpread(input.spreadSelector, policy) } : {}),
  };
}
