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
import { bucketName, environmentAccessLogBucket } from "../object-storage";
import { openSearchDomainName } from "../opensearch";
import { SearchRole, searchRoleDefinition, searchRoleName } from "../search-role";
import { selectorLabels } from "../workload/labels";
import { loadDashboardFiles, type ProductDashboards } from "./dashboards";
import { Monitoring, type MonitoringProps } from "./index";
import { passwordRotationOf, regionalWebAclArn, workloadNetworkLayout } from "../product-workloads/environment";
import { CachePasswordRotation } from "../cache-password-rotation";
import { PostgresExporter } from "../postgres-exporter";
import { RedisExporter } from "../redis-exporter";
import { ACCESS_LOG_PREFIX, ingressGroupSettings } from "../workload/ingress";
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
    .map(([name, product]) => ({
      name,
      namespace: namespaceOf(name, product),
      ...(product.alerts ? { overrides: product.alerts } : {}),
      httpMetrics: product.monitoring.httpMetrics,
      rules: product.monitoring.rules,
    }));
}

/** The products' dashboards (files the loader resolved and checked), by product name. */
export function productDashboards(products: Products): ProductDashboards[] {
  return Object.entries(products)
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([, product]) => product.monitoring.dashboards.length > 0)
    .map(([name, product]) => ({ product: name, dashboards: loadDashboardFiles(product.monitoring.dashboards) }));
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
  readonly environment: Pick<EnvironmentConfig, "name" | "observability" | "products" | "storage" | "workloads" | "edge" | "network" | "services">;
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
  /** prometheus-redis-exporter per Redis service (observability.exporters.redis.enabled), by service name. */
  readonly redisExporters: ReadonlyMap<string, RedisExporter>;
  /** prometheus-postgres-exporter per PostgreSQL service (observability.exporters.postgres.enabled), by service name. */
  readonly postgresExporters: ReadonlyMap<string, PostgresExporter>;
}

/**
 * The monitoring load balancer of an environment: an ALB group of its own (`monitoring`) with the environment's
 * ingress policy, the scheme configured for it, the edge's regional web ACL and the access-log bucket; clients from the
 * VPC and its peer networks unless `allowedCidrs` says otherwise (any client, behind SSO, when internet-facing).
 */
function exposureOf(scope: Construct, props: EnvironmentObservabilityProps): NonNullable<MonitoringProps["exposure"]> {
  const { environment, naming } = props;
  const config = environment.observability.exposure;
  const domain = environment.edge.domains[config.domain ?? ""];
  if (!domain) throw new Error(`exposure: no edge domain "${config.domain}" (the configuration schema reports this)`);
  const base = ingressGroupSettings(naming, { ...environment.workloads.ingress, scheme: config.scheme }, regionalWebAclArn(scope, "monitoring-edge", environment.edge, naming), environmentAccessLogBucket(environment.storage, naming));
  const groupName = naming.name("k8s-name", MONITORING_GROUP);
  const group = {
    ...base,
    groupName,
    loadBalancerName: naming.name("load-balancer", MONITORING_GROUP),
    ...(base.accessLogs ? { accessLogs: { ...base.accessLogs, prefix: `${ACCESS_LOG_PREFIX}/${groupName}` } } : {}),
  };
  const defaultCidrs = config.scheme === "internal" ? [environment.network.cidr, ...environment.network.peerNetworks.map((peer) => peer.cidr)] : ["0.0.0.0/0"];
  return { config, domain: domain.name, group, allowedCidrs: config.allowedCidrs ?? defaultCidrs };
}

/** Group (and load balancer) name suffix of the monitoring UIs. */
export const MONITORING_GROUP = "monitoring";

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
    productDashboards: productDashboards(environment.products),
    // The environment's hosts: a dedicated tenant's cluster (same configuration) keeps its UIs private.
    ...(config.exposure.enabled && !naming.scope.tenant ? { exposure: exposureOf(scope, props) } : {}),
    ...(config.logs.backend === "loki" ? { lokiUrl: LOKI_URL } : {}),
    cloudwatchSearchTags: scopeTags(props.tags),
    dependsOn: [...dependsOn],
    // Encrypted with the data key like the products' secrets, kept as long, protected where state is.
    receiverSecrets: { keyAlias: naming.kmsAlias("data"), recoveryWindowDays: environment.workloads.secrets.recoveryWindowDays, protect: props.protectState },
  });

  // Data-service exporters with their own users (off by default); their passwords rotate with the stack's function.
  const redisExporters = new Map<string, RedisExporter>();
  if (config.exporters.redis.enabled) {
    const dataTierCidrs = workloadNetworkLayout(environment).dataTierCidrs;
    for (const [service, settings] of Object.entries(environment.services.redis).sort(([a], [b]) => a.localeCompare(b))) {
      const logging = passwordRotationOf(environment, naming, account);
      const rotation = CachePasswordRotation.of(scope, {
        naming,
        account,
        dataKeyAlias: naming.kmsAlias("data"),
        logging: { retentionDays: logging.retentionDays, kmsKeyAlias: logging.logsKeyAlias, ...(logging.alarmTopicArn ? { alarmTopicArn: logging.alarmTopicArn } : {}) },
      });
      redisExporters.set(
        service,
        new RedisExporter(scope, `redis-exporter-${service}`, {
          naming,
          serviceName: service,
          rotation,
          accountId: account.accountId,
          dataKeyAlias: naming.kmsAlias("data"),
          recoveryWindowDays: environment.workloads.secrets.recoveryWindowDays,
          protect: props.protectState,
          dataTierCidrs,
          ...(settings.port !== undefined ? { port: settings.port } : {}),
          // Its ServiceMonitor needs the monitoring CRDs; its ExternalSecret the platform's stores.
          dependsOn: [...dependsOn, monitoring.release],
        }),
      );
    }
  }

  const postgresExporters = new Map<string, PostgresExporter>();
  if (config.exporters.postgres.enabled) {
    const dataTierCidrs = workloadNetworkLayout(environment).dataTierCidrs;
    for (const [service, settings] of Object.entries(environment.services.postgres).sort(([a], [b]) => a.localeCompare(b))) {
      postgresExporters.set(
        service,
        new PostgresExporter(scope, `postgres-exporter-${service}`, {
          naming,
          serviceName: service,
          region: account.region,
          dataTierCidrs,
          ...(settings.port !== undefined ? { port: settings.port } : {}),
          // Its ServiceMonitor needs the monitoring CRDs; its ExternalSecret the platform's stores.
          dependsOn: [...dependsOn, monitoring.release],
        }),
      );
    }
  }

  const { logs } = config;
  const accessLogBucket = environmentAccessLogBucket(environment.storage, naming);
  const logging = new Logging(scope, "logging", {
    naming,
    account,
    clusterName,
    backend: logs.backend,
    retention: logs.retention,
    ...(logs.auditArchive ? { auditArchive: { bucketName: bucketName(naming.withoutTenant(), logs.auditArchive.bucket), prefix: logs.auditArchive.prefix } } : {}),
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
  return { alertRules, logging, monitoring, redisExporters, postgresExporters, ...(logsSearchRole ? { logsSearchRole } : {}) };
}
