/**
 * The version catalog: every version the platform pins — managed database and broker engines, the EKS Kubernetes
 * version, its managed add-ons and node AMI release, and the Helm charts — with the page each fact comes from and its
 * support dates. Pure data and pure functions (no cdktf, provider or configuration imports), so configuration
 * validation, the constructs, the chart catalog (charts/catalog.ts) and `npm run versions` read one source.
 *
 * - Defaults (config/defaults.ts, construct defaults) take versions from here (`defaultVersion`).
 * - Configuration may choose another version of a component, but validation rejects one that is not listed here, or
 *   past its end of standard support on the day of validation (config/runtime-options.ts `supportDate`).
 * - `npm run versions` (scripts/versions.ts) reports what is past or near end of support; a weekly workflow runs it.
 *
 * Dates are ISO days (YYYY-MM-DD). `released` may be null where AWS publishes no date for the exact version;
 * `endOfStandardSupport: null` means AWS has announced none (the version is supported until further notice);
 * `endOfExtendedSupport` is absent where AWS offers no extended support. Reviewed on CATALOG_REVIEWED against the pages
 * cited: when a page changes, update the entry (and its `source`) in the same change as the configuration using it.
 * Facts that only the account can confirm (a version creatable in a region) are checked by preflight with
 * `aws rds describe-db-engine-versions`, `aws eks describe-addon-versions` and friends.
 */

/** The day the entries below were last checked against their sources. */
export const CATALOG_REVIEWED = "2026-12-06";

export interface CatalogVersion {
  readonly version: string;
  /** Release date on AWS (or upstream), null where no date is published for the exact version. */
  readonly released: string | null;
  /** Last day of standard support; null: none announced. */
  readonly endOfStandardSupport: string | null;
  /** Last day of (paid) extended support; null: none announced; absent: AWS offers none. */
  readonly endOfExtendedSupport?: string | null;
  /** The page the facts come from, when it is more specific than the component's. */
  readonly source?: string;
  /** What the entry relies on beyond the source (derivations, caveats). */
  readonly notes?: string;
  /** Aurora long-term-support minor version. */
  readonly lts?: boolean;
  /** EKS add-on builds and node AMI releases: the Kubernetes minor version they are built for (support follows it). */
  readonly kubernetes?: string;
  /** Parameter group family of the version (ElastiCache, DocumentDB). */
  readonly parameterFamily?: string;
  /** Instance type families the version runs on, where AWS restricts them (Amazon MQ for RabbitMQ 4.2: mq.m7g). */
  readonly instanceFamilies?: readonly string[];
}

export interface CatalogComponent {
  readonly title: string;
  /** `service`: a managed service engine; `kubernetes`: EKS and what is built for it; `chart`: a Helm chart. */
  readonly kind: "service" | "kubernetes" | "chart";
  /** The AWS (or upstream) page listing versions and support dates. */
  readonly source: string;
  /** Version the platform uses when configuration names none. */
  readonly default: string;
  readonly versions: readonly CatalogVersion[];
}

const AURORA_LTS_NOTE =
  "Aurora long-term-support minor (AWS designates one per major and keeps it at least three years: Aurora version policy, " +
  "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.VersionPolicy.html); its standard support ends with the major's Aurora end of " +
  "standard support (release calendar), RDS Extended Support runs three years more. Confirm with `aws rds describe-db-major-engine-versions`.";
const RDS_MINOR_NOTE =
  "Community release of 2025-11-13. An RDS for PostgreSQL minor version is kept at least 12 months after its RDS release; AWS announces its " +
  "deprecation date later (release calendar). " +
  "AWS named it an upgrade target when it deprecated the 2025 minors in May 2026. Confirm with `aws rds describe-db-engine-versions`.";
const ADDON_NOTE = "EKS add-on build published for Kubernetes 1.35 (`aws eks describe-addon-versions --kubernetes-version 1.35`); supported while 1.35 is.";
const CHART_NOTE = "Upstream supports only its latest release line; there is no published end of support. The upstream defaults of this version are in charts/upstream.";

const EKS_ADDONS_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html";

function addon(title: string, version: string): CatalogComponent {
  return {
    title,
    kind: "kubernetes",
    source: EKS_ADDONS_SOURCE,
    default: version,
    versions: [{ version, released: null, endOfStandardSupport: null, kubernetes: "1.35", notes: ADDON_NOTE }],
  };
}

function chart(title: string, repository: string, version: string): CatalogComponent {
  return { title, kind: "chart", source: repository, default: version, versions: [{ version, released: null, endOfStandardSupport: null, notes: CHART_NOTE }] };
}

export const VERSION_CATALOG = {
  "aurora-postgresql": {
    title: "Aurora PostgreSQL",
    kind: "service",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurora-postgresql-release-calendar.html",
    // 16.6 (the former default) is a non-LTS minor, kept only about 12 months: the LTS minors replace it.
    default: "16.8",
    versions: [
      { version: "15.10", lts: true, released: null, endOfStandardSupport: "2028-02-29", endOfExtendedSupport: "2031-02-28", notes: `Released with Aurora 16.6/14.15 (community release of 2024-11-21). ${AURORA_LTS_NOTE}` },
      { version: "16.8", lts: true, released: null, endOfStandardSupport: "2029-02-28", endOfExtendedSupport: "2032-02-29", notes: `Released with Aurora 15.12/14.17 (community release of 2025-02-20). ${AURORA_LTS_NOTE}` },
      { version: "17.7", lts: true, released: null, endOfStandardSupport: "2030-02-28", endOfExtendedSupport: "2033-02-28", notes: AURORA_LTS_NOTE },
    ],
  },
  postgres: {
    title: "RDS for PostgreSQL",
    kind: "service",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
    default: "17.7",
    versions: [
      { version: "15.15", released: null, endOfStandardSupport: null, notes: RDS_MINOR_NOTE },
      { version: "16.11", released: null, endOfStandardSupport: null, notes: RDS_MINOR_NOTE },
      { version: "17.7", released: null, endOfStandardSupport: null, notes: RDS_MINOR_NOTE },
    ],
  },
  valkey: {
    title: "ElastiCache for Valkey",
    kind: "service",
    source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
    default: "8.0",
    versions: [
      { version: "7.2", released: "2024-10-08", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "valkey7" },
      { version: "8.0", released: "2024-11-21", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "valkey8" },
      { version: "8.1", released: "2025-07-24", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "valkey8" },
      { version: "8.2", released: "2025-10-13", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "valkey8" },
    ],
  },
  redis: {
    title: "ElastiCache for Redis OSS",
    kind: "service",
    source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
    default: "7.1",
    versions: [
      { version: "7.0", released: "2022-04-12", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "redis7", notes: "Redis OSS v7: no end of standard support announced (v4/v5 ended 2026-01-31, v6 ends 2027-01-31)." },
      { version: "7.1", released: "2023-11-14", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "redis7", notes: "The last Redis OSS version on ElastiCache; 7.2 and later are Valkey only." },
    ],
  },
  documentdb: {
    title: "Amazon DocumentDB",
    kind: "service",
    source: "https://docs.aws.amazon.com/documentdb/latest/developerguide/docdb-version-support-dates.html",
    default: "5.0.0",
    versions: [
      { version: "4.0.0", released: "2020-11-09", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "docdb4.0" },
      { version: "5.0.0", released: "2023-03-01", endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "docdb5.0" },
      { version: "8.0.0", released: null, endOfStandardSupport: null, endOfExtendedSupport: null, parameterFamily: "docdb8.0" },
    ],
  },
  opensearch: {
    title: "Amazon OpenSearch Service",
    kind: "service",
    source: "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/what-is.html#choosing-version",
    default: "OpenSearch_2.19",
    versions: [
      { version: "OpenSearch_2.17", released: "2024-11-13", endOfStandardSupport: null, endOfExtendedSupport: null },
      { version: "OpenSearch_2.19", released: "2025-04-30", endOfStandardSupport: null, endOfExtendedSupport: null },
      { version: "OpenSearch_3.1", released: "2025-09-09", endOfStandardSupport: null, endOfExtendedSupport: null },
      { version: "OpenSearch_3.3", released: "2025-11-19", endOfStandardSupport: null, endOfExtendedSupport: null },
    ],
  },
  rabbitmq: {
    title: "Amazon MQ for RabbitMQ",
    kind: "service",
    source: "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-version-management.html",
    // 3.13 runs on every instance family the profiles use (mq.t3, mq.m5, mq.m7g); 4.2 needs mq.m7g.
    default: "3.13",
    versions: [
      { version: "3.13", released: "2024-02-22", endOfStandardSupport: null, notes: "No end of support announced (Amazon MQ gives at least 90 days' notice)." },
      { version: "4.2", released: "2025-10-27", endOfStandardSupport: null, instanceFamilies: ["mq.m7g"], notes: "Recommended by AWS; supported only on mq.m7g instance types." },
    ],
  },
  kubernetes: {
    title: "Amazon EKS Kubernetes",
    kind: "kubernetes",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
    default: "1.35",
    versions: [
      { version: "1.33", released: "2025-05-28", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29" },
      { version: "1.34", released: "2025-10-06", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02" },
      { version: "1.35", released: "2026-01-28", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27" },
    ],
  },
  "eks-node-ami": {
    title: "EKS-optimized AL2023 AMI release",
    kind: "kubernetes",
    source: "https://github.com/awslabs/amazon-eks-ami/releases",
    default: "1.35.4-20260512",
    versions: [
      {
        version: "1.35.4-20260512",
        released: "2026-05-12",
        endOfStandardSupport: null,
        kubernetes: "1.35",
        notes: "AMI release v20260512 for Kubernetes 1.35.4; supported while 1.35 is. Newer releases carry OS security fixes: move on as they are published.",
      },
    ],
  },
  "eks-addon/vpc-cni": addon("EKS add-on Amazon VPC CNI", "v1.21.1-eksbuild.8"),
  "eks-addon/coredns": addon("EKS add-on CoreDNS", "v1.13.2-eksbuild.4"),
  "eks-addon/kube-proxy": addon("EKS add-on kube-proxy", "v1.35.3-eksbuild.2"),
  "eks-addon/aws-ebs-csi-driver": addon("EKS add-on Amazon EBS CSI driver", "v1.56.0-eksbuild.1"),
  "eks-addon/eks-pod-identity-agent": addon("EKS add-on EKS Pod Identity Agent", "v1.3.9-eksbuild.3"),
  "chart/aws-load-balancer-controller": chart("Helm chart aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.5.0"),
  "chart/external-dns": chart("Helm chart external-dns", "https://kubernetes-sigs.github.io/external-dns/", "1.21.1"),
  "chart/external-secrets": chart("Helm chart external-secrets", "https://charts.external-secrets.io", "2.9.0"),
  "chart/metrics-server": chart("Helm chart metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "3.13.1"),
  "chart/karpenter": chart("Helm chart karpenter", "oci://public.ecr.aws/karpenter", "1.14.1"),
  "chart/cert-manager": chart("Helm chart cert-manager", "https://charts.jetstack.io", "v1.21.1"),
  "chart/cluster-autoscaler": chart("Helm chart cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.59.0"),
  "chart/ingress-nginx": chart("Helm chart ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "4.15.1"),
  "chart/kube-prometheus-stack": chart("Helm chart kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "88.5.3"),
  "chart/kube-state-metrics": chart("Helm chart kube-state-metrics", "https://prometheus-community.github.io/helm-charts", "8.4.0"),
  "chart/prometheus-node-exporter": chart("Helm chart prometheus-node-exporter", "https://prometheus-community.github.io/helm-charts", "4.56.1"),
  "chart/prometheus-postgres-exporter": chart("Helm chart prometheus-postgres-exporter", "https://prometheus-community.github.io/helm-charts", "8.2.0"),
  "chart/prometheus-redis-exporter": chart("Helm chart prometheus-redis-exporter", "https://prometheus-community.github.io/helm-charts", "6.29.0"),
  "chart/prometheus-cloudwatch-exporter": chart("Helm chart prometheus-cloudwatch-exporter", "https://prometheus-community.github.io/helm-charts", "0.28.1"),
  "chart/prometheus-yet-another-cloudwatch-exporter": chart("Helm chart prometheus-yet-another-cloudwatch-exporter", "https://prometheus-community.github.io/helm-charts", "0.47.0"),
  "chart/grafana": chart("Helm chart grafana", "https://grafana-community.github.io/helm-charts", "12.11.1"),
  "chart/loki": chart("Helm chart loki", "https://grafana.github.io/helm-charts", "7.3.0"),
  "chart/fluent-bit": chart("Helm chart fluent-bit", "https://fluent.github.io/helm-charts", "0.58.1"),
  "chart/velero": chart("Helm chart velero", "https://vmware-tanzu.github.io/helm-charts", "12.1.0"),
  // Not under ../shared/upstream: their chart facts are converted from the charts' upstream repositories at the release
  // tag by scripts/convert-fetched-charts.ts (argoproj/argo-helm argo-rollouts-2.41.0, stakater/Reloader chart-v2.2.16).
  "chart/argo-rollouts": chart("Helm chart argo-rollouts", "https://argoproj.github.io/argo-helm", "2.41.0"),
  "chart/reloader": chart("Helm chart reloader", "https://stakater.github.io/stakater-charts", "2.2.16"),
} as const satisfies Record<string, CatalogComponent>;

export type VersionComponent = keyof typeof VERSION_CATALOG;

/** Catalog components of EKS managed add-ons, by the `cluster.managedAddons` key that pins them. */
export const EKS_ADDON_COMPONENTS = {
  vpcCni: "eks-addon/vpc-cni",
  coreDns: "eks-addon/coredns",
  kubeProxy: "eks-addon/kube-proxy",
  ebsCsiDriver: "eks-addon/aws-ebs-csi-driver",
  podIdentityAgent: "eks-addon/eks-pod-identity-agent",
} as const satisfies Record<string, VersionComponent>;

export function catalogComponent(component: VersionComponent): CatalogComponent {
  return VERSION_CATALOG[component];
}

/** The version configuration and constructs use when none is chosen. */
export function defaultVersion<C extends VersionComponent>(component: C): (typeof VERSION_CATALOG)[C]["default"] {
  return VERSION_CATALOG[component].default;
}

/** The catalog entry of a version, or undefined when the catalog does not list it. */
export function catalogVersion(component: VersionComponent, version: string): CatalogVersion | undefined {
  return (VERSION_CATALOG[component] as CatalogComponent).versions.find((entry) => entry.version === version);
}

/** Every version the catalog lists for a component. */
export function catalogVersions(component: VersionComponent): string[] {
  return (VERSION_CATALOG[component] as CatalogComponent).versions.map((entry) => entry.version);
}

export interface SupportWindow {
  readonly endOfStandardSupport: string | null;
  readonly endOfExtendedSupport?: string | null;
  /** Where the dates come from when they are not the entry's own (`kubernetes 1.35` for an add-on build). */
  readonly derivedFrom?: string;
}

/** The support dates that apply to an entry: its own, or — for add-on builds and AMIs — those of its Kubernetes version. */
export function supportWindow(entry: CatalogVersion): SupportWindow {
  if (entry.kubernetes === undefined || entry.endOfStandardSupport !== null) return entry;
  const cluster = catalogVersion("kubernetes", entry.kubernetes);
  return cluster ? { ...cluster, derivedFrom: `Kubernetes ${entry.kubernetes}` } : entry;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is an ISO day (YYYY-MM-DD) that exists. */
export function isIsoDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text);
}

/** Whole days from `from` to `to` (ISO days; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether standard support of `window` has ended on `asOf` (the end date itself is still supported). */
export function pastStandardSupport(window: SupportWindow, asOf: string): boolean {
  return window.endOfStandardSupport !== null && asOf > window.endOfStandardSupport;
}

export interface VersionCheck {
  /** Also accept a version in extended support (EKS clusters with `supportType: EXTENDED`). */
  readonly extendedSupport?: boolean;
  /** Only versions built for this Kubernetes minor (add-on builds, AMI releases). */
  readonly kubernetes?: string;
}

function supportedOn(component: VersionComponent, asOf: string | undefined, check: VersionCheck): string[] {
  return (VERSION_CATALOG[component] as CatalogComponent).versions
    .filter((entry) => check.kubernetes === undefined || entry.kubernetes === undefined || entry.kubernetes === check.kubernetes)
    .filter((entry) => asOf === undefined || !pastStandardSupport(supportWindow(entry), asOf))
    .map((entry) => {
      const end = supportWindow(entry).endOfStandardSupport;
      return end === null || asOf === undefined ? entry.version : `${entry.version} (until ${end})`;
    });
}

/**
 * Why `version` may not be used, or undefined when it may: it must be listed in the catalog (for add-on builds and AMI
 * releases: built for the cluster's Kubernetes version) and, when `asOf` is given, not past its end of standard
 * support (past its end of extended support with `extendedSupport`). Messages name the catalog and what is allowed.
 */
export function versionProblem(component: VersionComponent, version: string, asOf?: string, check: VersionCheck = {}): string | undefined {
  const { title } = VERSION_CATALOG[component];
  const entry = catalogVersion(component, version);
  const allowed = supportedOn(component, asOf, check);
  const choose = allowed.length > 0 ? `allowed${asOf ? ` on ${asOf}` : ""}: ${allowed.join(", ")}` : "no listed version is supported: update the catalog";
  if (!entry) return `${title} ${version} is not in the version catalog (constructs/core/versions.ts); ${choose}`;
  if (check.kubernetes !== undefined && entry.kubernetes !== undefined && entry.kubernetes !== check.kubernetes) {
    return `${title} ${version} is built for Kubernetes ${entry.kubernetes}, not ${check.kubernetes}; ${choose}`;
  }
  if (asOf === undefined) return undefined;
  const window = supportWindow(entry);
  if (!pastStandardSupport(window, asOf)) return undefined;
  const extendedEnd = window.endOfExtendedSupport;
  if (check.extendedSupport && extendedEnd !== undefined && (extendedEnd === null || asOf <= extendedEnd)) return undefined;
  const source = entry.source ?? VERSION_CATALOG[component].source;
  return `${title} ${version} reached the end of standard support on ${window.endOfStandardSupport}${window.derivedFrom ? ` (${window.derivedFrom})` : ""} (${source}); ${choose}`;
}
