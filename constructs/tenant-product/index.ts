/**
 * One product instance of a shared tenant inside its environment's cluster:
 *
 * - a ProductWorkloads in the tenant's own namespace (`<id>-<product>`, labelled with the tenant), with the
 *   tenant's quota and the namespace's default-deny network policies: workload policies admit only pods of the
 *   same namespace (plus the load balancer and Prometheus), so no traffic flows between tenant namespaces;
 * - ingress hosts under the tenant's domain (default `<id>.<product domain>`, so `app.<id>.<product domain>`),
 *   joined to the tenant's load balancer (the environment's ALB ingress group `tenants-<ingressGroup>`). The environment's wildcard `*.<product domain>` covers a single label,
 *   so the tenant gets its own certificate (`<domain>`, `*.<domain>`), DNS-validated in the environment's hosted
 *   zone containing the domain (found by name), where external-dns publishes the hosts. On a custom domain the
 *   tenant brings its certificate (`certificateArn`) and points its hosts at the load balancer named in the
 *   `custom-domain` output;
 * - secrets under the tenant's Secrets Manager path (`<project>/<env>/<id>/<namespace>/...`) and workload roles
 *   scoped to it, bucket grants limited to the `tenants/<id>/` key prefix of the environment's buckets;
 * - its own database and IAM-authenticated user on the environment's PostgreSQL services (constructs/database-user,
 *   created in the platform's database-bootstrap namespace; see its trust boundary). No master credential reaches
 *   the tenant's namespace;
 * - TENANT_ID on every workload, and on the environment's Redis and OpenSearch the key and index prefixes it keeps
 *   to (`<P>_KEY_PREFIX=<id>:`, `<P>_INDEX_PREFIX=<id>-`), which the services enforce: its own ElastiCache user admits
 *   only `<id>:` keys and channels (constructs/cache-user; the loader counts users against the user group quota),
 *   its own OpenSearch role only `<id>-*` indices (constructs/search-role);
 * - secrets read through the namespace's own SecretStore, whose role reads only the tenant namespace's secrets
 *   (constructs/namespace-secrets).
 */
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, TerraformStack, Token, type TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../config/schema/environment";
import type { ProductConfig } from "../../config/schema/products";
import type { TenantConfig } from "../../config/schema/tenant";
import type { NamespaceQuota } from "../app-namespace";
import type { DnsValidatedCertificate } from "../certificates";
import type { AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { edgeParameterName } from "../edge";
import { environmentAccessLogBucket } from "../object-storage";
import { ProductWorkloads } from "../product-workloads";
import { customDomainOutput, deliveryOf, issueDomainCertificate, passwordRotationOf, workloadNetworkLayout } from "../product-workloads/environment";
import { TENANT_LABEL, type DatabaseUser } from "../database-user";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "../workload/quantity";
import { ingressGroupSettings } from "../workload/ingress";

/** Key prefix of a tenant's objects in the environment's buckets. */
export function tenantObjectPrefix(tenant: string): string {
  return `tenants/${tenant}/`;
}

export interface TenantProductProps {
  readonly tenant: TenantConfig;
  /** Product name. */
  readonly name: string;
  /** The tenant's resolved instance (config/loader.ts LoadedTenant.products). */
  readonly product: ProductConfig;
  /** The environment (its own instance of the product, workload policy, network, edge and storage). */
  readonly environment: Pick<EnvironmentConfig, "network" | "workloads" | "products" | "edge" | "storage" | "addons" | "observability">;
  /** The tenant's naming scope (secrets, roles). */
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  /** Whether secrets get `prevent_destroy` (protectsState of the tenant's context). */
  readonly protectSecrets: boolean;
}

export class TenantProduct extends Construct {
  readonly workloads: ProductWorkloads;
  /** The certificate issued for the tenant's domain (absent on a custom domain, which brings its own). */
  readonly certificate?: DnsValidatedCertificate;
  /** On a custom domain: the output naming the hosts and the load balancer they must point at. */
  readonly customDomain?: TerraformOutput;
  /** The tenant's own database users (each owning its database), by the product's logical service name. */
  readonly databases: ReadonlyMap<string, DatabaseUser>;

  constructor(scope: Construct, id: string, props: TenantProductProps) {
    super(scope, id);
    const { tenant, product, environment, name } = props;
    const environmentProduct = environment.products[name];
    if (!environmentProduct) {
      throw new Error(`TenantProduct ${id}: environment does not run product "${name}" (its products: ${Object.keys(environment.products).sort().join(", ") || "none"})`);
    }
    if (tenant.ingressGroup === undefined) {
      throw new Error(`TenantProduct ${id}: tenant ${tenant.id} has no ingressGroup (the loader requires one for shared tenants)`);
    }
    if (product.namespace === (environmentProduct.namespace ?? name)) {
      throw new Error(`TenantProduct ${id}: namespace "${product.namespace}" is the environment's own namespace of ${name}; a tenant needs its own`);
    }
    const environmentNaming = props.naming.withoutTenant();
    const network = workloadNetworkLayout(environment);

    // The tenant's own certificate: issued for its domain in the environment's hosted zone, or its custom domain's.
    const hasIngress = Object.values(product.workloads).some((workload) => workload.ingress);
    const customCertificateArn = tenant.products[name]?.certificateArn;
    if (hasIngress && product.domain && !customCertificateArn) this.certificate = issueDomainCertificate(this, product.domain, environment.edge);
    const certificateArn = customCertificateArn ?? this.certificate?.arn;

    const { storage, edge } = environment;
    const accessLogBucket = environmentAccessLogBucket(storage, environmentNaming);
    // The tenant's load balancer gets the environment's web ACL (found the same way) and access logging.
    const webAclArn =
      edge.waf.regional && Object.keys(edge.domains).length > 0
        ? Token.asString(Fn.lookup(Fn.jsondecode(new DataAwsSsmParameter(this, "edge", { name: edgeParameterName(environmentNaming) }).insecureValue), "webAclArn"))
        : undefined;

    this.workloads = new ProductWorkloads(this, "product", {
      name,
      product,
      policy: environment.workloads,
      naming: props.naming,
      resourcesNaming: environmentNaming,
      account: props.account,
      clusterName: props.clusterName,
      network,
      ingressGroup: ingressGroupSettings(environmentNaming, environment.workloads.ingress, webAclArn, accessLogBucket, tenant.ingressGroup),
      dataKeyAlias: environmentNaming.kmsAlias("data"),
      protectSecrets: props.protectSecrets,
      quota: tenantQuota(tenant.quotas),
      namespaceLabels: { [TENANT_LABEL]: tenant.id },
      objectPrefix: tenantObjectPrefix(tenant.id),
      sharedTenant: tenant.id,
      // The environment's cluster: its Reloader and Argo Rollouts serve the tenant's namespaces too.
      delivery: deliveryOf(environment),
      // The environment's logs key and audit retention: the tenant's rotation function logs like the environment's.
      passwordRotation: passwordRotationOf(environment, environmentNaming, props.account),
      ...(certificateArn ? { certificateArn } : {}),
    });
    this.databases = this.workloads.databaseUsers;
    // At stack scope, so the output is named `custom-domain-<product>` as in a dedicated tenant's platform stack.
    if (customCertificateArn) this.customDomain = customDomainOutput(TerraformStack.of(this), `custom-domain-${name}`, product, this.workloads);
  }
}

/** Limits are allowed this multiple of the requests quota when the tenant file does not set them. */
export const DEFAULT_LIMITS_TO_REQUESTS = 2;

/** The namespace quota from the tenant's `quotas` (requests; limits default to DEFAULT_LIMITS_TO_REQUESTS times). */
export function tenantQuota(quotas: TenantConfig["quotas"]): NamespaceQuota {
  return {
    requestsCpu: quotas.cpu,
    requestsMemory: quotas.memory,
    limitsCpu: quotas.limitsCpu ?? formatCpu((parseCpu(quotas.cpu) ?? 0) * DEFAULT_LIMITS_TO_REQUESTS),
    limitsMemory: quotas.limitsMemory ?? formatMemory((parseMemory(quotas.memory) ?? 0) * DEFAULT_LIMITS_TO_REQUESTS),
    pods: quotas.pods,
  };
}
