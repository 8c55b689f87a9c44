/**
 * The observability of an environment's platform stack, composed from its configuration: alert rules from the
 * thresholds (with each product's overrides), scrape targets for the workloads that declare a metrics endpoint, the
 * log pipeline and the monitoring stack. Kept here so the stack only calls one function.
 */
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../../config/schema/environment";
import { DEPLOYMENT_KINDS } from "../../config/schema/products";
import { AlertRules, type ProductScope } from "../alert-rules";
import { ALERTS_COMPONENT, alertsTopicName } from "../alerts-topic";
import type { AccountScope } from "../core/aws";
import { validateName, type Naming } from "../core/naming";
import { EXTERNAL_SECRETS_METRICS } from "../core/platform-contracts";
import { fluentBitRoleName, Logging, LOKI_URL } from "../logging";
import { environmentAccessLogBucket } from "../object-storage";
import { openSearchDomainName } from "../opensearch";
import { SearchRole, searchRoleDefinition, searchRoleName } from "../search-role";
import { selectorLabels } from "../workload/labels";
import { Monitoring } from "./index";
import type { ScrapeTarget } from "./values";

type Products = EnvironmentConfig["products"];

/** Namespace a product instance runs in. */
function namespaceOf(name: string, product: Products[string]): string {
  return product.namespace ?? name;
}

/** Products as the alert rules see them: namespace and overrides. */
export function productScopes(products: Products): ProductScope[] {
  return Object.entries(products)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, product]) => ({ name, namespace: namespaceOf(name, product), ...(product.alerts ? { overrides: product.alerts } : {}) }));
}

/** Platform components Prometheus scrapes beyond the charts' own: External Secrets (sync status of every secret). */
export function platformScrapeTargets(): ScrapeTarget[] {
  const { namespace, selector, port, path } = EXTERNAL_SECRETS_METRICS;
  return [{ name: "external-secrets", namespace, kind: "service", selector: { ...selector }, port, path }];
}

/** A ServiceMonitor (web) or PodMonitor (worker) per workload that declares a metrics endpoint. */
export function scrapeTargets(products: Products): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [];
  for (const [productName, product] of Object.entries(products).sort(([a], [b]) => a.localeCompare(b))) {
    const namespace = namespaceOf(productName, product);
    for (const [name, workload] of Object.entries(product.workloads).sort(([a], [b]) => a.localeCompare(b))) {
      if (!workload.metrics || !DEPLOYMENT_KINDS.includes(workload.kind)) continue;
      targets.push({
        name: validateName("k8s-name", `${namespace}-${name}`),
        namespace,
        kind: workload.kind === "web" ? "service" : "pod",
        selector: selectorLabels({ name, namespace }),
        port: workload.metrics.port,
        path: workload.metrics.path,
        ...(workload.metrics.interval ? { interval: workload.metrics.interval } : {}),
      });
    }
  }
  return targets;
}

export interface EnvironmentObservabilityProps {
  readonly environment: Pick<EnvironmentConfig, "name" | "observability" | "products" | "storage" | "workloads">;
  /** Naming scope of the stack (the environment's, or a dedicated tenant's). */
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  /** The stack's standard tags; Environment (and Tenant) select the resources the CloudWatch exporter reads. */
  readonly tags: Readonly<Record<string, string>>;
  /** Whether the Loki bucket gets `prevent_destroy` (see protectsState in stacks/context.ts). */
  readonly protectState: boolean;
  /** Platform resources the releases wait for (External Secrets stores, the default StorageClass). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Required when logs go to OpenSearch: the data tier the domain is in and what the security Jobs wait for
   * (constructs/search-security), so Fluent Bit's role is mapped to the `platform-logs` role.
   * @default none
   */
  readonly searchSecurity?: { readonly dataTierCidrs: readonly string[]; readonly dependsOn: readonly ITerraformDependable[] };
}

export interface EnvironmentObservability {
  readonly alertRules: AlertRules;
  readonly logging: Logging;
  readonly monitoring: Monitoring;
  /** Fluent Bit's role in the log domain's security plugin (backend opensearch). */
  readonly logsSearchRole?: SearchRole;
}

/** Tags that identify the stack's environment (and tenant) among the account's resources. */
function scopeTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(["Environment", "Tenant"].flatMap((key) => (tags[key] ? [[key, tags[key]]] : [])));
}

export function environmentObservability(scope: Construct, props: EnvironmentObservabilityProps): EnvironmentObservability {
  const { environment, naming, account, clusterName } = props;
  const config = environment.observability;
  const dependsOn = props.dependsOn ?? [];

  const alertRules = new AlertRules({
    product: config.alertRules.product,
    platform: config.alertRules.platform,
    runbookBaseUrl: config.alertRules.runbookBaseUrl,
    products: productScopes(environment.products),
    cloudwatchMetrics: config.cloudwatchExporter.enabled,
  });

  const monitoring = new Monitoring(scope, "monitoring", {
    naming,
    account,
    clusterName,
    prometheus: config.prometheus,
    alertmanager: config.alertmanager,
    grafana: config.grafana,
    cloudwatchExporter: config.cloudwatchExporter,
    alertRules,
    alertsTopic: { name: alertsTopicName(naming), keyAlias: naming.kmsAlias(ALERTS_COMPONENT) },
    externalLabels: { environment: environment.name, cluster: clusterName, ...(naming.scope.tenant ? { tenant: naming.scope.tenant } : {}) },
    scrapeTargets: [...platformScrapeTargets(), ...scrapeTargets(environment.products)],
    ...(config.logs.backend === "loki" ? { lokiUrl: LOKI_URL } : {}),
    cloudwatchSearchTags: scopeTags(props.tags),
    dependsOn: [...dependsOn],
    // Encrypted with the data key like the products' secrets, kept as long, protected where state is.
    receiverSecrets: { keyAlias: naming.kmsAlias("data"), recoveryWindowDays: environment.workloads.secrets.recoveryWindowDays, protect: props.protectState },
  });

  const { logs } = config;
  const accessLogBucket = environmentAccessLogBucket(environment.storage, naming);
  const logging = new Logging(scope, "logging", {
    naming,
    account,
    clusterName,
    backend: logs.backend,
    retentionDays: logs.retentionDays,
    ...(logs.backend === "loki" ? { loki: logs.loki } : {}),
    ...(logs.backend === "opensearch" && logs.opensearchService
      ? { opensearch: { serviceName: logs.opensearchService, domainName: openSearchDomainName(naming, logs.opensearchService) } }
      : {}),
    // The infra stack creates the access-log bucket when access logs are on (constructs/object-storage).
    ...(accessLogBucket !== undefined ? { accessLogBucket } : {}),
    protectState: props.protectState,
    // Fluent Bit's ServiceMonitor needs the monitoring CRDs, which the monitoring release installs.
    dependsOn: [...dependsOn, monitoring.release],
  });

  let logsSearchRole: SearchRole | undefined;
  if (logs.backend === "opensearch" && logs.opensearchService) {
    if (!props.searchSecurity) throw new Error(`environmentObservability: logs go to OpenSearch ${logs.opensearchService}, but no searchSecurity was given to map Fluent Bit's role`);
    logsSearchRole = new SearchRole(scope, "logs-search-role", {
      serviceName: logs.opensearchService,
      host: { environmentNaming: naming },
      account,
      roleName: searchRoleName({ logs: true }),
      definition: searchRoleDefinition({ kind: "logs" }),
      backendRoles: [fluentBitRoleName(naming)],
      dataTierCidrs: props.searchSecurity.dataTierCidrs,
      dependsOn: props.searchSecurity.dependsOn,
    });
  }
  return { alertRules, logging, monitoring, ...(logsSearchRole ? { logsSearchRole } : {}) };
}
