/**
 * `<env>-platform`: everything that runs inside the cluster. Its Kubernetes and Helm providers find the cluster
 * by name and authenticate with short-lived tokens (see cluster-providers.ts).
 */
import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import type { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct } from "constructs";
import type { TenantConfig } from "../config/schema/tenant";
import { PlatformAddons } from "../constructs/addons";
import { MONITORING_NAMESPACE } from "../constructs/core/platform-contracts";
import { DatabaseBootstrap } from "../constructs/database-bootstrap";
import { SearchSecurity } from "../constructs/search-security";
import { secretName } from "../constructs/core/secrets";
import { postgresExporterSecretName } from "../constructs/postgres-monitor-user/naming";
import { redisExporterSecretName } from "../constructs/redis-exporter";
import { environmentObservability, type EnvironmentObservability } from "../constructs/monitoring/environment";
import type { ProductWorkloads } from "../constructs/product-workloads";
import { environmentProducts, workloadNetworkLayout } from "../constructs/product-workloads/environment";
import { secretsAwaitingValuesOutput } from "../constructs/secret-values";
import { PlanAccess, secretNamespacesOf } from "../constructs/plan-access";
import { Velero } from "../constructs/velero";
import { BaseStack } from "./base-stack";
import { clusterProviders } from "./cluster-providers";
import { ciStackProps, protectsState, type BackendSettings, type EnvironmentContext } from "./context";

/** Product name -> certificate ARN of the tenant's products on custom domains. */
function customCertificates(tenant: TenantConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(tenant.products).flatMap(([name, product]) => (product.certificateArn ? [[name, product.certificateArn]] : [])));
}

/**
 * Secrets the platform's ClusterSecretStores serve, and the namespaces using them: Alertmanager's receivers and the
 * data-service exporters' own credentials.
 */
function platformSecrets(context: EnvironmentContext): { names: string[]; namespaces: string[] } {
  const { observability, services } = context.environment;
  const names = [
    ...observability.alertmanager.receivers.map((receiver) => secretName(context.naming, { kind: "platform", path: receiver.credentialsSecret })),
    ...(observability.exporters.redis.enabled ? Object.keys(services.redis).map((service) => redisExporterSecretName(context.naming, service)) : []),
    ...(observability.exporters.postgres.enabled ? Object.keys(services.postgres).map((service) => postgresExporterSecretName(context.naming, service)) : []),
  ];
  return { names, namespaces: [MONITORING_NAMESPACE] };
}

export class PlatformStack extends BaseStack {
  readonly cluster: DataAwsEksCluster;
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;
  readonly addons: PlatformAddons;
  /** The environment's products (config `products`), by name. */
  readonly products: ReadonlyMap<string, ProductWorkloads>;
  /** Velero (backups of Kubernetes objects and volumes), when `backup.velero.enabled`. */
  readonly velero?: Velero;
  /** Where database users are created with the PostgreSQL services' master credentials (tenants' too). */
  readonly databaseBootstrap: DatabaseBootstrap;
  /** Where the search services' security-plugin roles are maintained, when the environment has search services. */
  readonly searchSecurity?: SearchSecurity;
  /** Metrics, alert rules and routing, dashboards and logs (config `observability`). */
  readonly observability: EnvironmentObservability;
  /** Read-only RBAC of the CI plan role (its access entry is in the infra stack). */
  readonly planAccess: PlanAccess;

  /** `name` is `<env>-platform` for an environment, `tenant-<id>-platform` for a dedicated tenant. */
  constructor(scope: Construct, name: string, context: EnvironmentContext, backend: BackendSettings) {
    super(scope, name, ciStackProps(context, name, backend));
    const providers = clusterProviders(this, context.naming.clusterName, context.account.region);
    this.cluster = providers.cluster;
    this.kubernetes = providers.kubernetes;
    this.helm = providers.helm;
    this.addons = new PlatformAddons(this, "addons", {
      naming: context.naming,
      account: context.account,
      cluster: this.cluster,
      config: context.environment.addons,
      nodeImageRelease: context.environment.cluster.nodeImageRelease,
      sessionManager: context.environment.cluster.nodeAccess.sessionManager,
      tags: this.tags,
      platformSecrets: platformSecrets(context),
    });
    const { velero } = context.environment.backup;
    if (velero.enabled) {
      this.velero = new Velero(this, "velero", {
        naming: context.naming,
        account: context.account,
        clusterName: context.naming.clusterName,
        schedules: velero.schedules,
        volumeKeyArn: this.addons.lookup.dataKey.arn,
      });
    }
    const opensearch = Object.keys(context.environment.services.opensearch);
    const dataTierCidrs = workloadNetworkLayout(context.environment).dataTierCidrs;
    if (opensearch.length > 0) {
      this.searchSecurity = new SearchSecurity(this, "search-security", {
        naming: context.naming,
        account: context.account,
        services: opensearch,
        policy: context.environment.workloads,
      });
    }
    const searchSecurity = this.searchSecurity ? { dataTierCidrs, dependsOn: this.searchSecurity.ready } : undefined;
    this.observability = environmentObservability(this, {
      environment: context.environment,
      naming: context.naming,
      account: context.account,
      clusterName: context.naming.clusterName,
      tags: this.tags,
      protectState: protectsState(context),
      // Receiver credentials and Grafana's password come through External Secrets; volumes use the default class.
      dependsOn: [this.addons.externalSecrets.stores, this.addons.storageClasses.defaultClass],
      ...(searchSecurity ? { searchSecurity } : {}),
    });
    this.databaseBootstrap = new DatabaseBootstrap(this, "database-bootstrap", {
      naming: context.naming,
      account: context.account,
      services: Object.keys(context.environment.services.postgres),
      policy: context.environment.workloads,
      dependsOn: [this.addons.externalSecrets.stores],
    });
    this.products = environmentProducts(this, {
      environment: context.environment,
      naming: context.naming,
      account: context.account,
      clusterName: context.naming.clusterName,
      protectSecrets: protectsState(context),
      // A dedicated tenant's domains are not the edge's: its stack issues their certificates (or uses the tenant's own).
      ...(context.tenant ? { certificates: "issue" as const, customCertificates: customCertificates(context.tenant) } : {}),
      // Secrets need the External Secrets stores; pods get ALB readiness gates from the controller's webhook; Rollouts
      // need the Argo Rollouts CRDs.
      dependsOn: [this.addons.externalSecrets.stores, this.addons.loadBalancerController.release, ...(this.addons.argoRollouts ? [this.addons.argoRollouts.release] : [])],
      databaseBootstrap: this.databaseBootstrap.ready,
      ...(this.searchSecurity ? { searchSecurity: this.searchSecurity.ready } : {}),
    });
    // What a human still has to seed (products' secrets, receivers' credentials), at the end of every plan and apply.
    secretsAwaitingValuesOutput(this, [...[...this.products.values()].flatMap((product) => [...product.secretGates.values()]), ...this.observability.monitoring.secretGates]);
    // Last: it reads the Helm release namespaces of everything above.
    this.planAccess = new PlanAccess(this, "ci-plan-access", { clusterWide: true, secretNamespaces: secretNamespacesOf(this) });
  }
}
