/**
 * Generic apply-order check (b): every custom resource depends, directly or transitively, on the Helm release that
 * installs its CustomResourceDefinition.
 *
 * Custom resources reach a cluster three ways in these stacks, and each is found in the synthesized JSON:
 * - a `kubernetes_manifest` (its `manifest.apiVersion` and `kind`);
 * - a `helm_release` of a local chart (charts/local/<name>): the kinds its templates render (charts/local-kinds.ts);
 * - a `helm_release` of a catalog chart whose values embed manifests (`extraManifests`, `extraObjects`: any object
 *   with a string `apiVersion` and `kind`) or turn on a monitoring object the chart renders (`serviceMonitor`,
 *   `podMonitor`, `prometheusRule` with `enabled: true`). Upstream charts default these switches to off.
 *
 * CRD_OWNERS is the committed table of API group and kind -> the catalog chart that installs the CRD. A custom kind
 * missing from it is itself a problem, so a new kind cannot slip past the check. For each custom resource:
 * - a release of the owning chart renders its own CRDs first (Helm installs `crds/` before templates): fine;
 * - otherwise the owning chart's release in the same stack must be a dependency (references or depends_on), or the
 *   owning chart must be installed by a stack deployed before this one (the stack catalog's order);
 * - a `kubernetes_manifest` of a kind whose CRD comes from a release of the SAME stack is always a problem, even with
 *   `depends_on`: the provider needs the CRD's schema at plan time, so a fresh cluster fails `terraform plan`
 *   ("API did not recognize GroupVersionKind from manifest (CRD may not be installed)",
 *   hashicorp/terraform-provider-kubernetes#1367, #2597). Render such objects through a local chart instead
 *   (charts/local), which Helm renders at apply time.
 *
 * Pure: it reads synthesized JSON only, plus the local charts' kinds and the chart catalog passed in.
 */
import { parse } from "yaml";
import { CHART_CATALOG, type CatalogChart, type ChartSource } from "../../../charts/catalog";
import type { RenderedKind } from "../../../charts/local-kinds";
import { localChartOf } from "../../../charts/values-check";
import { layer } from "../../../config/layering";
import { literal, one, strings, type Block } from "../model";
import { StackSet, type StackEntry } from "./graph";

/** One API group's custom kinds and the catalog chart that installs their CRDs. */
export interface CrdOwner {
  readonly group: string;
  readonly kinds: readonly string[];
  readonly chart: CatalogChart;
}

/**
 * API group and kinds -> the chart that installs the CRDs (from each chart's `crds/` or its CRD-installing hook at the
 * pinned version). Extend it when the platform starts emitting a new custom kind.
 */
export const CRD_OWNERS: readonly CrdOwner[] = [
  { group: "external-secrets.io", kinds: ["ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore", "PushSecret", "ClusterPushSecret"], chart: "external-secrets" },
  {
    group: "generators.external-secrets.io",
    kinds: ["Password", "ECRAuthorizationToken", "Fake", "UUID", "Webhook", "VaultDynamicSecret", "ClusterGenerator", "GeneratorState"],
    chart: "external-secrets",
  },
  {
    group: "monitoring.coreos.com",
    kinds: ["ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ScrapeConfig", "Prometheus", "PrometheusAgent", "Alertmanager", "AlertmanagerConfig", "ThanosRuler"],
    chart: "kube-prometheus-stack",
  },
  { group: "argoproj.io", kinds: ["Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate", "AnalysisRun", "Experiment"], chart: "argo-rollouts" },
  { group: "karpenter.sh", kinds: ["NodePool", "NodeClaim"], chart: "karpenter" },
  { group: "karpenter.k8s.aws", kinds: ["EC2NodeClass"], chart: "karpenter" },
  { group: "cert-manager.io", kinds: ["Certificate", "CertificateRequest", "Issuer", "ClusterIssuer"], chart: "cert-manager" },
  { group: "acme.cert-manager.io", kinds: ["Order", "Challenge"], chart: "cert-manager" },
  { group: "elbv2.k8s.aws", kinds: ["TargetGroupBinding", "IngressClassParams"], chart: "aws-load-balancer-controller" },
  {
    group: "velero.io",
    kinds: ["Schedule", "Backup", "Restore", "BackupStorageLocation", "VolumeSnapshotLocation", "BackupRepository", "DeleteBackupRequest", "DownloadRequest", "PodVolumeBackup", "PodVolumeRestore", "ServerStatusRequest", "DataUpload", "DataDownload"],
    chart: "velero",
  },
];

/** API groups Kubernetes serves itself (no CRD needed). `""` is the core group (`apiVersion: v1`). */
export const BUILT_IN_API_GROUPS: ReadonlySet<string> = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "node.k8s.io",
  "certificates.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
]);

/** Values keys with which upstream charts render a Prometheus-operator object when `enabled: true`. */
export const MONITORING_SWITCHES: Readonly<Record<string, string>> = {
  serviceMonitor: "ServiceMonitor",
  servicemonitor: "ServiceMonitor",
  podMonitor: "PodMonitor",
  prometheusRule: "PrometheusRule",
};
const MONITORING_GROUP = "monitoring.coreos.com";

export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
}

/** The owner of a custom kind, or undefined when the table lacks it. */
export function crdOwnerOf(group: string, kind: string, owners: readonly CrdOwner[] = CRD_OWNERS): CrdOwner | undefined {
  return owners.find((owner) => owner.group === group && owner.kinds.includes(kind));
}

/** A custom resource a block creates. */
export interface EmittedCustomResource {
  readonly group: string;
  readonly kind: string;
  /** How: `kubernetes_manifest`, `local chart <name>`, or `values <path>`. */
  readonly via: string;
}

export interface CustomResourceProblem {
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  readonly group: string;
  readonly kind: string;
  readonly message: string;
}

export interface CustomResourceCheckOptions {
  /** Local chart -> kinds its templates render (charts/local-kinds.ts `localChartKinds()`). */
  readonly localChartKinds: ReadonlyMap<string, readonly RenderedKind[]>;
  /** @default CRD_OWNERS */
  readonly owners?: readonly CrdOwner[];
  /** @default CHART_CATALOG */
  readonly catalog?: Readonly<Record<string, ChartSource>>;
}

/** The catalog chart a helm_release installs (by chart name and repository), if any. */
export function catalogChartOf(block: Block, catalog: Readonly<Record<string, ChartSource>> = CHART_CATALOG): string | undefined {
  if (block.type !== "helm_release") return undefined;
  return Object.entries(catalog).find(([, source]) => source.chart === block.body.chart && source.repository === block.body.repository)?.[0];
}

/** The merged values documents of a release (later documents win, as in Helm). */
function releaseValues(block: Block): unknown {
  const documents = strings(block.body.values).map((text) => {
    try {
      return parse(text) as unknown;
    } catch {
      return undefined;
    }
  });
  return layer(...documents.filter((document) => document !== null && typeof document === "object")) ?? {};
}

/** Custom resources embedded in or switched on by a release's values. */
function customResourcesInValues(values: unknown): EmittedCustomResource[] {
  const out: EmittedCustomResource[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}[${index}]`));
      return;
    }
    if (value === null || typeof value !== "object") return;
    const object = value as Record<string, unknown>;
    if (typeof object.apiVersion === "string" && typeof object.kind === "string" && object.metadata !== undefined) {
      const group = apiGroupOf(object.apiVersion);
      if (!BUILT_IN_API_GROUPS.has(group)) out.push({ group, kind: object.kind, via: `values ${path || "(root)"}` });
      return;
    }
    for (const [key, item] of Object.entries(object)) {
      const at = path ? `${path}.${key}` : key;
      const switched = MONITORING_SWITCHES[key];
      if (switched && item !== null && typeof item === "object" && (item as Record<string, unknown>).enabled === true) {
        out.push({ group: MONITORING_GROUP, kind: switched, via: `values ${at}.enabled` });
      }
      visit(item, at);
    }
  };
  visit(values, "");
  return out;
}

/** Every custom resource a block creates (none for blocks that create no Kubernetes objects). */
export function customResourcesOf(block: Block, localChartKinds: ReadonlyMap<string, readonly RenderedKind[]>): EmittedCustomResource[] {
  if (block.kind !== "resource") return [];
  if (block.type === "kubernetes_manifest") {
    const manifest = one(block.body.manifest);
    const apiVersion = literal(manifest?.apiVersion);
    const kind = literal(manifest?.kind);
    if (apiVersion === undefined || kind === undefined) return [];
    const group = apiGroupOf(apiVersion);
    return BUILT_IN_API_GROUPS.has(group) ? [] : [{ group, kind, via: "kubernetes_manifest" }];
  }
  if (block.type !== "helm_release") return [];
  const local = localChartOf(String(block.body.chart ?? ""));
  const fromChart = local
    ? (localChartKinds.get(local) ?? []).filter((rendered) => !BUILT_IN_API_GROUPS.has(apiGroupOf(rendered.apiVersion))).map((rendered) => ({ group: apiGroupOf(rendered.apiVersion), kind: rendered.kind, via: `local chart ${local}` }))
    : [];
  return [...fromChart, ...customResourcesInValues(releaseValues(block))];
}

/** Problems of every stack (see the module comment). */
export function customResourceOrderProblems(stacks: readonly StackEntry[], options: CustomResourceCheckOptions): CustomResourceProblem[] {
  const owners = options.owners ?? CRD_OWNERS;
  const catalog = options.catalog ?? CHART_CATALOG;
  const set = new StackSet(stacks);
  const releasesOf = new Map<string, Map<string, Block[]>>();
  for (const name of set.names()) {
    const byChart = new Map<string, Block[]>();
    for (const block of set.model(name).resources("helm_release")) {
      const chart = catalogChartOf(block, catalog);
      if (chart) byChart.set(chart, [...(byChart.get(chart) ?? []), block]);
    }
    releasesOf.set(name, byChart);
  }
  const problems: CustomResourceProblem[] = [];
  for (const stack of set.names()) {
    const graph = set.graph(stack);
    const here = releasesOf.get(stack) ?? new Map<string, Block[]>();
    const upstream = set.upstreamOf(stack);
    for (const block of set.model(stack).all()) {
      for (const resource of customResourcesOf(block, options.localChartKinds)) {
        const report = (message: string) => problems.push({ stack, address: block.address, path: block.path, group: resource.group, kind: resource.kind, message: `${resource.kind} (${resource.group}, ${resource.via}): ${message}` });
        const owner = crdOwnerOf(resource.group, resource.kind, owners);
        if (!owner) {
          report(`no entry in the CRD owners table (constructs/policy/apply-order/custom-resources.ts CRD_OWNERS): add which chart installs its CRD`);
          continue;
        }
        if (catalogChartOf(block, catalog) === owner.chart) continue; // the chart installs its own CRDs first
        const installers = here.get(owner.chart) ?? [];
        if (installers.length > 0) {
          if (block.type === "kubernetes_manifest") {
            report(
              `its CRD is installed by ${installers.map((installer) => installer.address).join(", ")} in the same stack: kubernetes_manifest needs the CRD at plan time, so a plan on a new cluster fails (terraform-provider-kubernetes#1367); render it through a local chart (charts/local) that depends on the release`,
            );
          } else if (!installers.some((installer) => graph.dependsOn(block.address, installer.address))) {
            report(`does not depend on ${installers.map((installer) => installer.address).join(" or ")}, which installs its CRD in the same apply: it may be created before the CRD exists ("no matches for kind ${resource.kind}")`);
          }
          continue;
        }
        if (upstream.some((name) => (releasesOf.get(name)?.get(owner.chart) ?? []).length > 0)) continue;
        report(`its CRD comes from chart ${owner.chart}, which neither this stack nor a stack deployed before it (${upstream.length > 0 ? upstream.join(", ") : "none"}) installs`);
      }
    }
  }
  return problems;
}

export function formatCustomResourceProblem(problem: CustomResourceProblem): string {
  return `${problem.stack}: ${problem.address} (${problem.path}) ${problem.message}`;
}
