/**
 * The catalog of third-party Helm charts the platform installs: per chart its repository, the exact version (from the
 * version catalog, constructs/core/versions.ts, with every other pinned version; the releases whose upstream defaults
 * are under ../shared/upstream/charts, converted into charts/upstream/<chart>/<version>.json), the base values as YAML (charts/values/<chart>.yaml) and the typed
 * overrides the add-on constructs compute from configuration (`ChartOverrides`).
 *
 * Repositories are HTTPS chart repositories, except Karpenter: it is published only as an OCI artifact
 * (`oci://public.ecr.aws/karpenter`, pulled over HTTPS/TLS); its old HTTPS repository stopped at v0.16.
 *
 * Every chart with upstream facts is listed, not only the installed ones, so that an engineer who installs
 * one (monitoring, backups, ...) only adds its base values and overrides.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { catalogComponent, defaultVersion, type VersionComponent } from "../constructs/core/versions";
import type { CloudWatchExporterOverrides, FluentBitOverrides, KubePrometheusStackOverrides, LokiOverrides } from "./overrides";

export interface ChartSource {
  /** Chart name in its repository. */
  readonly chart: string;
  /** `https://` chart repository or `oci://` registry. */
  readonly repository: string;
  /** Exact chart version (never a range). */
  readonly version: string;
}

/** Chart names the version catalog lists (`chart/<name>` components). */
type ChartComponentName = VersionComponent extends infer K ? (K extends `chart/${infer N}` ? N : never) : never;

/** A chart's repository and pinned version, both from the version catalog (constructs/core/versions.ts, `chart/<name>`). */
function source<C extends ChartComponentName>(chart: C): { chart: C; repository: string; version: string } {
  const component: VersionComponent = `chart/${chart}`;
  return { chart, repository: catalogComponent(component).source, version: defaultVersion(component) };
}

export const CHART_CATALOG = {
  "aws-load-balancer-controller": source("aws-load-balancer-controller"),
  "external-dns": source("external-dns"),
  "external-secrets": source("external-secrets"),
  "metrics-server": source("metrics-server"),
  karpenter: source("karpenter"),
  "cert-manager": source("cert-manager"),
  "cluster-autoscaler": source("cluster-autoscaler"),
  "ingress-nginx": source("ingress-nginx"),
  "kube-prometheus-stack": source("kube-prometheus-stack"),
  "kube-state-metrics": source("kube-state-metrics"),
  "prometheus-node-exporter": source("prometheus-node-exporter"),
  "prometheus-postgres-exporter": source("prometheus-postgres-exporter"),
  "prometheus-redis-exporter": source("prometheus-redis-exporter"),
  "prometheus-cloudwatch-exporter": source("prometheus-cloudwatch-exporter"),
  "prometheus-yet-another-cloudwatch-exporter": source("prometheus-yet-another-cloudwatch-exporter"),
  grafana: source("grafana"),
  loki: source("loki"),
  "fluent-bit": source("fluent-bit"),
  velero: source("velero"),
  "argo-rollouts": source("argo-rollouts"),
  reloader: source("reloader"),
} as const satisfies Record<string, ChartSource>;

export type CatalogChart = keyof typeof CHART_CATALOG;

export const VALUES_DIR = join(__dirname, "values");

/** Path of a chart's base values file. */
export function baseValuesPath(chart: CatalogChart): string {
  return join(VALUES_DIR, `${chart}.yaml`);
}

/** Parsed values files by path, with the size and modification time they were parsed at. */
const parsedValuesFiles = new Map<string, { readonly stamp: string; readonly value: unknown }>();

/**
 * A values file parsed once per process while it is unchanged, as a fresh copy on each call (callers merge into it).
 * Every stack with a chart read and parsed its base values again: 1.5% of the bundled synth (scripts/profile-summary.ts).
 */
function parsedValues(path: string): unknown {
  const stat = statSync(path);
  const stamp = `${stat.size} ${stat.mtimeMs}`;
  let cached = parsedValuesFiles.get(path);
  if (cached?.stamp !== stamp) {
    cached = { stamp, value: parse(readFileSync(path, "utf8")) as unknown };
    parsedValuesFiles.set(path, cached);
  }
  return structuredClone(cached.value);
}

/** Base values of a chart (its YAML file), or an empty map when the chart has none yet. */
export function baseValues(chart: CatalogChart): Record<string, unknown> {
  const path = baseValuesPath(chart);
  if (!existsSync(path)) return {};
  const parsed = parsedValues(path);
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
