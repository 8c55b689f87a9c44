/**
 * Where the OpenSearch security plugin's roles and role mappings are maintained (issue 14.12): a platform namespace,
 * `search-security`, with one service account per search service bound with EKS Pod Identity to that domain's
 * master role (whose trust admits exactly this namespace and service account of this cluster). Jobs running as it
 * (constructs/search-role) call the plugin's REST API with SigV4.
 *
 * Why Jobs in the cluster rather than a Terraform provider for the security plugin: the domains are VPC-only and
 * CI runners cannot reach private endpoints, so a provider would fail every plan; the Jobs run next to the domain,
 * are idempotent (each PUTs one role and its mapping as a whole) and run again whenever what they apply changes.
 * The platform stack creates the namespace and service accounts; the environment's products, Fluent Bit and every
 * shared tenant's stack each apply their own roles.
 */
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { WorkloadPolicy } from "../../config/schema/products";
import { AppNamespace, type NamespaceQuota } from "../app-namespace";
import { roleArn, type AccountScope } from "../core/aws";
import { validateName, type Naming } from "../core/naming";
import { openSearchMasterRoleName, SEARCH_SECURITY_NAMESPACE, searchAdminServiceAccount } from "../opensearch";

export { SEARCH_SECURITY_NAMESPACE } from "../opensearch";

/** Security Jobs that may run at once (shared tenants' stacks apply in parallel). */
export const MAX_CONCURRENT_SEARCH_JOBS = 20;
/** Resources of a security Job's container (curl). */
export const SEARCH_JOB_RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } } as const;
export const SEARCH_SECURITY_QUOTA: NamespaceQuota = {
  requestsCpu: `${MAX_CONCURRENT_SEARCH_JOBS * 10}m`,
  requestsMemory: `${MAX_CONCURRENT_SEARCH_JOBS * 16}Mi`,
  limitsCpu: `${MAX_CONCURRENT_SEARCH_JOBS * 100}m`,
  limitsMemory: `${MAX_CONCURRENT_SEARCH_JOBS * 64}Mi`,
  pods: MAX_CONCURRENT_SEARCH_JOBS,
};

export interface SearchSecurityProps {
  /** Naming scope of the cluster's owner (its search services and master roles). */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Search services (names in `services.opensearch`). */
  readonly services: readonly string[];
  /** The environment's workload policy (LimitRange). */
  readonly policy: WorkloadPolicy;
}

export class SearchSecurity extends Construct {
  readonly namespace: AppNamespace;
  readonly serviceAccounts: ReadonlyMap<string, ServiceAccountV1>;
  /** What a security Job waits for: the namespace, its policies, the service accounts and their associations. */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: SearchSecurityProps) {
    super(scope, id);
    const services = [...new Set(props.services)].sort();
    if (services.length === 0) throw new Error(`SearchSecurity ${id}: no search service to administer`);
    for (const service of services) validateName("k8s-name", searchAdminServiceAccount(service));
    this.namespace = new AppNamespace(this, "namespace", {
      name: SEARCH_SECURITY_NAMESPACE,
      product: "platform",
      quota: SEARCH_SECURITY_QUOTA,
      limitRange: props.policy.namespace.limitRange,
      podSecurity: "restricted",
    });
    const ready: ITerraformDependable[] = [this.namespace.namespace, this.namespace.defaultDeny, this.namespace.allowDns];
    const accounts = new Map<string, ServiceAccountV1>();
    for (const service of services) {
      const name = searchAdminServiceAccount(service);
      const account = new ServiceAccountV1(this, `service-account-${service}`, {
        metadata: { name, namespace: this.namespace.namespace.metadata.name, labels: { "app.kubernetes.io/part-of": "platform" } },
        automountServiceAccountToken: false,
      });
      const association = new EksPodIdentityAssociation(this, `association-${service}`, {
        clusterName: props.naming.clusterName,
        namespace: SEARCH_SECURITY_NAMESPACE,
        serviceAccount: name,
        roleArn: roleArn(props.account, openSearchMasterRoleName(props.naming, service)),
        dependsOn: [account],
      });
      accounts.set(service, account);
      ready.push(account, association);
    }
    this.serviceAccounts = accounts;
    this.ready = ready;
  }
}
