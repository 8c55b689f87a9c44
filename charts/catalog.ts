/**
 * The catalog of third-party Helm charts the platform installs: per chart its repository, the exact version
 * (the releases whose upstream defaults are under ../shared/upstream/charts, converted into
 * charts/upstream/<chart>/<version>.json), the base values as YAML (charts/values/<chart>.yaml) and the typed
 * overrides the add-on constructs compute from configuration (`ChartOverrides`).
 *
 * Repositories are HTTPS chart repositories, except Karpenter: it is published only as an OCI artifact
 * (`oci://public.ecr.aws/karpenter`, pulled over HTTPS/TLS); its old HTTPS repository stopped at v0.16.
 *
 * Every chart with upstream facts is listed, not only the installed ones, so that an engineer who installs
 * one (monitoring, backups, ...) only adds its base values and overrides.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { CloudWatchExporterOverrides, FluentBitOverrides, KubePrometheusStackOverrides, LokiOverrides } from "./overrides";

export interface ChartSource {
  /** Chart name in its repository. */
  readonly chart: string;
  /** `https://` chart repository or `oci://` registry. */
  readonly repository: string;
  /** Exact chart version (never a range). */
  readonly version: string;
}

export const CHART_CATALOG = {
  "aws-load-balancer-controller": { chart: "aws-load-balancer-controller", repository: "https://aws.github.io/eks-charts", version: "3.5.0" },
  "external-dns": { chart: "external-dns", repository: "https://kubernetes-sigs.github.io/external-dns/", version: "1.21.1" },
  "external-secrets": { chart: "external-secrets", repository: "https://charts.external-secrets.io", version: "2.9.0" },
  "metrics-server": { chart: "metrics-server", repository: "https://kubernetes-sigs.github.io/metrics-server/", version: "3.13.1" },
  karpenter: { chart: "karpenter", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
  "cert-manager": { chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.21.1" },
  "cluster-autoscaler": { chart: "cluster-autoscaler", repository: "https://kubernetes.github.io/autoscaler", version: "9.59.0" },
  "ingress-nginx": { chart: "ingress-nginx", repository: "https://kubernetes.github.io/ingress-nginx", version: "4.15.1" },
  "kube-prometheus-stack": { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
  "kube-state-metrics": { chart: "kube-state-metrics", repository: "https://prometheus-community.github.io/helm-charts", version: "8.4.0" },
  "prometheus-node-exporter": { chart: "prometheus-node-exporter", repository: "https://prometheus-community.github.io/helm-charts", version: "4.56.1" },
  "prometheus-postgres-exporter": { chart: "prometheus-postgres-exporter", repository: "https://prometheus-community.github.io/helm-charts", version: "8.2.0" },
  "prometheus-redis-exporter": { chart: "prometheus-redis-exporter", repository: "https://prometheus-community.github.io/helm-charts", version: "6.29.0" },
  "prometheus-cloudwatch-exporter": { chart: "prometheus-cloudwatch-exporter", repository: "https://prometheus-community.github.io/helm-charts", version: "0.28.1" },
  "prometheus-yet-another-cloudwatch-exporter": {
    chart: "prometheus-yet-another-cloudwatch-exporter",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "0.47.0",
  },
  grafana: { chart: "grafana", repository: "https://grafana-community.github.io/helm-charts", version: "12.11.1" },
  loki: { chart: "loki", repository: "https://grafana.github.io/helm-charts", version: "7.3.0" },
  "fluent-bit": { chart: "fluent-bit", repository: "https://fluent.github.io/helm-charts", version: "0.58.1" },
  velero: { chart: "velero", repository: "https://vmware-tanzu.github.io/helm-charts", version: "12.1.0" },
  // Not under ../shared/upstream: facts converted from the charts' upstream repositories at the release tag by
  // scripts/convert-fetched-charts.ts (argoproj/argo-helm argo-rollouts-2.41.0, stakater/Reloader chart-v2.2.16).
  "argo-rollouts": { chart: "argo-rollouts", repository: "https://argoproj.github.io/argo-helm", version: "2.41.0" },
  reloader: { chart: "reloader", repository: "https://stakater.github.io/stakater-charts", version: "2.2.16" },
} as const satisfies Record<string, ChartSource>;

export type CatalogChart = keyof typeof CHART_CATALOG;

export const VALUES_DIR = join(__dirname, "values");

/** Path of a chart's base values file. */
export function baseValuesPath(chart: CatalogChart): string {
  return join(VALUES_DIR, `${chart}.yaml`);
}

/** Base values of a chart (its YAML file), or an empty map when the chart has none yet. */
export function baseValues(chart: CatalogChart): Record<string, unknown> {
  const path = baseValuesPath(chart);
  if (!existsSync(path)) return {};
  const parsed = parse(readFileSync(path, "utf8")) as unknown;
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${path}: base values must be a YAML mapping`);
  return parsed as Record<string, unknown>;
}

/** A Kubernetes service account a chart creates, bound to an IAM role with EKS Pod Identity. */
interface ServiceAccountOverride {
  readonly create: true;
  readonly name: string;
}

/**
 * The values each add-on construct computes from configuration, per chart. For a chart listed here only these
 * keys can be overridden in code (the type checker enforces it). A chart not listed takes any values map; its
 * owner may declare its overrides next to the construct that installs it, by declaration merging:
 *
 *   declare module "../../charts/catalog" { interface ChartOverrides { velero: VeleroOverrides } }
 *
 * Either way every key is checked against the chart's upstream facts by the values test.
 */
export interface ChartOverrides {
  "aws-load-balancer-controller": {
    readonly clusterName: string;
    readonly region: string;
    readonly vpcId: string;
    readonly replicaCount: number;
    readonly serviceAccount: ServiceAccountOverride;
    readonly ingressClass: string;
    readonly defaultTags: Readonly<Record<string, string>>;
  };
  "external-dns": {
    readonly serviceAccount: ServiceAccountOverride;
    readonly domainFilters: readonly string[];
    readonly txtOwnerId: string;
    readonly policy: string;
    readonly extraArgs: readonly string[];
    readonly env: readonly { readonly name: string; readonly value: string }[];
  };
  "external-secrets": {
    readonly replicaCount: number;
    /** The operator's metrics Service (scraped through a ServiceMonitor of the monitoring chart). */
    readonly metrics: { readonly service: { readonly enabled: boolean } };
    readonly serviceAccount: ServiceAccountOverride;
    readonly podDisruptionBudget: { readonly enabled: boolean };
    readonly webhook: { readonly replicaCount: number; readonly podDisruptionBudget: { readonly enabled: boolean } };
    readonly certController: { readonly replicaCount: number; readonly podDisruptionBudget: { readonly enabled: boolean } };
  };
  "metrics-server": {
    readonly replicas: number;
    readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number };
  };
  karpenter: {
    readonly replicas: number;
    readonly serviceAccount: ServiceAccountOverride;
    readonly settings: {
      readonly clusterName: string;
      readonly clusterEndpoint: string;
      readonly interruptionQueue: string;
      readonly eksControlPlane: boolean;
    };
    readonly controller: { readonly env: readonly { readonly name: string; readonly value: string }[] };
  };
  "cert-manager": {
    readonly replicaCount: number;
    readonly podDisruptionBudget: { readonly enabled: boolean };
    readonly webhook: { readonly replicaCount: number; readonly podDisruptionBudget: { readonly enabled: boolean } };
    readonly cainjector: { readonly replicaCount: number; readonly podDisruptionBudget: { readonly enabled: boolean } };
  };
  velero: {
    readonly serviceAccount: { readonly server: ServiceAccountOverride };
    readonly configuration: {
      readonly backupStorageLocation: readonly {
        readonly name: string;
        readonly provider: "aws";
        readonly bucket: string;
        readonly default: boolean;
        readonly config: { readonly region: string };
      }[];
      readonly volumeSnapshotLocation: readonly { readonly name: string; readonly provider: "aws"; readonly config: { readonly region: string } }[];
    };
    readonly snapshotsEnabled: boolean;
    /** Velero `Schedule` objects by name (the chart renders one per key). */
    readonly schedules: Readonly<
      Record<
        string,
        {
          readonly disabled: boolean;
          readonly schedule: string;
          readonly useOwnerReferencesInBackup: boolean;
          readonly template: {
            readonly ttl: string;
            readonly storageLocation: string;
            readonly includedNamespaces: readonly string[];
            readonly excludedNamespaces: readonly string[];
            readonly snapshotVolumes: boolean;
            readonly volumeSnapshotLocations: readonly string[];
          };
        }
      >
    >;
  };
  "cluster-autoscaler": {
    readonly cloudProvider: "aws";
    readonly awsRegion: string;
    readonly autoDiscovery: { readonly clusterName: string };
    readonly replicaCount: number;
    readonly rbac: { readonly serviceAccount: ServiceAccountOverride };
    readonly extraArgs: Readonly<Record<string, string | number | boolean>>;
  };
  "argo-rollouts": {
    readonly controller: { readonly replicas: number; readonly pdb: { readonly enabled: boolean; readonly maxUnavailable?: number } };
  };
  reloader: {
    readonly reloader: {
      readonly reloadStrategy: "annotations";
      readonly ignoreConfigMaps: boolean;
      readonly enableHA: boolean;
      readonly deployment: { readonly replicas: number };
    };
  };
  /** Monitoring (constructs/monitoring). */
  "kube-prometheus-stack": KubePrometheusStackOverrides;
  "prometheus-yet-another-cloudwatch-exporter": CloudWatchExporterOverrides;
  /** Logs (constructs/logging). */
  loki: LokiOverrides;
  "fluent-bit": FluentBitOverrides;
}

/** Overrides of a catalog chart: its declared type, or any values map for a chart without one. */
export type OverridesOf<C extends CatalogChart> = C extends keyof ChartOverrides ? ChartOverrides[C] : object;
