/**
 * `<env>-tenant-<id>`: a shared tenant inside its environment's cluster, with its own stack and state so adding
 * or removing one tenant never plans a change in another tenant's (or the environment's) stack. It references
 * only its own resources and, by name, the environment's cluster, data services, buckets, keys and hosted zones.
 * One TenantProduct per product of the tenant file (see constructs/tenant-product for what each contains).
 */
import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import type { Construct } from "constructs";
import type { ProductConfig } from "../config/schema/products";
import { secretsAwaitingValuesOutput } from "../constructs/secret-values";
import { PlanAccess, secretNamespacesOf } from "../constructs/plan-access";
import { TenantProduct } from "../constructs/tenant-product";
import { BaseStack } from "./base-stack";
import { clusterProviders } from "./cluster-providers";
import { ciStackProps, protectsState, type BackendSettings, type EnvironmentContext } from "./context";

export class SharedTenantStack extends BaseStack {
  readonly cluster: DataAwsEksCluster;
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;
  /** The tenant's product instances, by name. */
  readonly products: ReadonlyMap<string, TenantProduct>;
  /** The CI plan role reads the tenant's Helm release Secrets (the cluster-wide read roles are the platform stack's). */
  readonly planAccess: PlanAccess;

  /** `products`: the tenant's resolved product instances (config/loader.ts LoadedTenant.products). */
  constructor(scope: Construct, name: string, context: EnvironmentContext, backend: BackendSettings, products: Readonly<Record<string, ProductConfig>>) {
    if (!context.tenant || context.tenant.isolation !== "shared") {
      throw new Error(`SharedTenantStack ${name}: needs a shared tenant in its context`);
    }
    super(scope, name, ciStackProps(context, name, backend));
    // The environment's cluster: the tenant naming scope adds the tenant id, so the name comes from the environment.
    const clusterName = context.naming.withoutTenant().clusterName;
    const providers = clusterProviders(this, clusterName, context.account.region);
    this.cluster = providers.cluster;
    this.kubernetes = providers.kubernetes;
    this.helm = providers.helm;
    const { tenant } = context;
    this.products = new Map(
      Object.keys(products)
        .sort()
        .map((product) => [
          product,
          new TenantProduct(this, `product-${product}`, {
            tenant,
            name: product,
            product: products[product] as ProductConfig,
            environment: context.environment,
            naming: context.naming,
            account: context.account,
            clusterName,
            protectSecrets: protectsState(context),
          }),
        ]),
    );
    // What a human still has to seed (the tenant's product secrets), at the end of every plan and apply.
    secretsAwaitingValuesOutput(this, [...this.products.values()].flatMap((product) => [...product.workloads.secretGates.values()]));
    this.planAccess = new PlanAccess(this, "ci-plan-access", { secretNamespaces: secretNamespacesOf(this) });
  }
}
