/**
 * The platform namespace where database users are created (constructs/database-user): the only place the master
 * credentials of the environment's PostgreSQL services reach inside the cluster.
 *
 * - An isolated namespace (constructs/app-namespace: Pod Security `restricted`, quota, LimitRange, default-deny
 *   network policies plus DNS) for the bootstrap Jobs of the environment's products and of its shared tenants.
 * - Its own SecretStore role (constructs/namespace-secrets) that reads exactly the master-user secrets of these
 *   services, by the ARN each service publishes in its connection description, and an ExternalSecret per service
 *   (`master-<service>`: username, password).
 * - The region's RDS certificate authorities (RDS_CA_CONFIG_MAP): the Jobs send the master credentials only to a
 *   server they verified (`PGSSLMODE=verify-full`).
 * Application namespaces never get master credentials: every product instance connects as its own IAM-authenticated
 * user (see constructs/product-workloads).
 */
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { localChartRelease } from "../../charts/release";
import type { WorkloadPolicy } from "../../config/schema/products";
import { externalSecretsRoleArn } from "../addons/external-secrets";
import { AppNamespace, type NamespaceQuota } from "../app-namespace";
import type { AccountScope } from "../core/aws";
import { publishedConnection } from "../core/connection-lookup";
import { RDS_CA_CONFIG_MAP, RDS_CA_FILE } from "../core/platform-contracts";
import { rdsCaBundle } from "../core/rds-ca";
import type { Naming } from "../core/naming";
import { BOOTSTRAP_RESOURCES, DATABASE_BOOTSTRAP_NAMESPACE, masterSecretName } from "../database-user";
import { NamespaceSecrets } from "../namespace-secrets";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "../workload/quantity";

export { DATABASE_BOOTSTRAP_NAMESPACE } from "../database-user";

/** Bootstrap Jobs that may run at once (shared tenants' stacks apply in parallel). */
export const MAX_CONCURRENT_JOBS = 20;
/** The namespace's quota: MAX_CONCURRENT_JOBS bootstrap containers. */
export const DATABASE_BOOTSTRAP_QUOTA: NamespaceQuota = {
  requestsCpu: formatCpu(MAX_CONCURRENT_JOBS * (parseCpu(BOOTSTRAP_RESOURCES.requests.cpu) ?? 0)),
  requestsMemory: formatMemory(MAX_CONCURRENT_JOBS * (parseMemory(BOOTSTRAP_RESOURCES.requests.memory) ?? 0)),
  limitsCpu: formatCpu(MAX_CONCURRENT_JOBS * (parseCpu(BOOTSTRAP_RESOURCES.limits.cpu) ?? 0)),
  limitsMemory: formatMemory(MAX_CONCURRENT_JOBS * (parseMemory(BOOTSTRAP_RESOURCES.limits.memory) ?? 0)),
  pods: MAX_CONCURRENT_JOBS,
};
/** Chart release of the namespace's SecretStore and ExternalSecrets (charts/local/workload-secrets). */
const SECRETS_CHART = "workload-secrets";
const PLATFORM_PART_OF = "platform";

export interface DatabaseBootstrapProps {
  /** Naming scope of the cluster's owner (the environment, or a dedicated tenant): its services and roles. */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** PostgreSQL services (names in `services.postgres`) whose master credentials the Jobs use. */
  readonly services: readonly string[];
  /** The environment's workload policy (LimitRange, secret refresh interval). */
  readonly policy: WorkloadPolicy;
  /** Platform resources first (the External Secrets stores). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export class DatabaseBootstrap extends Construct {
  readonly namespace: AppNamespace;
  /** The RDS certificate authorities the Jobs verify the databases with. */
  readonly rdsCa: ConfigMapV1;
  readonly secretStore?: NamespaceSecrets;
  readonly secretsRelease?: Release;
  /** What a bootstrap Job waits for: the namespace, its policies and the master credentials. */
  readonly ready: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: DatabaseBootstrapProps) {
    super(scope, id);
    const services = [...new Set(props.services)].sort();
    for (const service of services) masterSecretName(service); // a Kubernetes name, or an error naming the service
    const { limitRange } = props.policy.namespace;
    const checks = [
      ["cpu", BOOTSTRAP_RESOURCES.limits.cpu, limitRange.max.cpu, parseCpu],
      ["memory", BOOTSTRAP_RESOURCES.limits.memory, limitRange.max.memory, parseMemory],
    ] as const;
    for (const [what, quantity, limit, parse] of checks) {
      if ((parse(quantity) ?? 0) > (parse(limit) ?? Number.POSITIVE_INFINITY)) {
        throw new Error(`DatabaseBootstrap ${id}: a bootstrap Job needs ${what} ${quantity}, more than the LimitRange maximum ${limit} (workloads.namespace.limitRange.max.${what})`);
      }
    }
    this.namespace = new AppNamespace(this, "namespace", {
      name: DATABASE_BOOTSTRAP_NAMESPACE,
      product: PLATFORM_PART_OF,
      quota: DATABASE_BOOTSTRAP_QUOTA,
      limitRange,
      podSecurity: "restricted",
    });
    // The RDS authorities the Jobs verify the databases with (PGSSLROOTCERT, constructs/database-user).
    this.rdsCa = new ConfigMapV1(this, "rds-ca", {
      metadata: { name: RDS_CA_CONFIG_MAP, namespace: DATABASE_BOOTSTRAP_NAMESPACE, labels: { "app.kubernetes.io/part-of": PLATFORM_PART_OF } },
      data: { [RDS_CA_FILE]: rdsCaBundle(props.account.region) },
      dependsOn: [this.namespace.namespace],
    });
    const inNamespace = [this.namespace.namespace, this.namespace.defaultDeny, this.namespace.allowDns, this.rdsCa];
    if (services.length === 0) {
      this.ready = inNamespace;
      return;
    }
    const secretArns = services.map((service) => publishedConnection(this, `connection-${service}`, props.naming, service)("secretArn"));
    const dataKey = new DataAwsKmsAlias(this, "data-key", { name: props.naming.kmsAlias("data") });
    this.secretStore = new NamespaceSecrets(this, "secret-store", {
      namespace: DATABASE_BOOTSTRAP_NAMESPACE,
      naming: props.naming,
      account: props.account,
      operatorRoleArn: externalSecretsRoleArn(props.account, props.naming),
      dataKeyArn: dataKey.targetKeyArn,
      ownSecrets: false,
      extraSecretArns: secretArns,
    });
    const externalSecrets = services.map((service, index) => ({
      name: masterSecretName(service),
      refreshInterval: props.policy.secrets.refreshInterval,
      data: ["username", "password"].map((key) => ({ secretKey: key, remoteRef: { key: secretArns[index] as string, property: key } })),
    }));
    this.secretsRelease = localChartRelease(this, "secrets", {
      chart: SECRETS_CHART,
      name: SECRETS_CHART,
      namespace: DATABASE_BOOTSTRAP_NAMESPACE,
      values: { labels: { "app.kubernetes.io/part-of": PLATFORM_PART_OF }, secretStore: this.secretStore.storeValues(), externalSecrets },
      dependsOn: [...inNamespace, this.secretStore.policy, ...(props.dependsOn ?? [])],
    });
    this.ready = [...inNamespace, this.secretsRelease];
  }
}

