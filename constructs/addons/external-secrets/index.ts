/**
 * External Secrets Operator and how namespaces reach AWS Secrets Manager through it.
 *
 * Isolation model (issue 15.3): every namespace that syncs secrets has its own namespaced `SecretStore` whose
 * `role` is an IAM role of that namespace only (constructs/namespace-secrets), scoped to the namespace's secret path
 * (`<prefix>/<namespace>/*`) and to the exact data-service credentials its workloads use. The operator's own role
 * (EKS Pod Identity) reads no application secret: it may only assume those store roles, and each store role trusts
 * the operator only for sessions tagged with its own namespace. The operator sets those tags itself
 * (`sessionTagsPolicy: Simple` adds `esoNamespace` = the SecretStore's namespace and `esoStoreKind`; built-in tags
 * cannot be overridden by a store's `customSessionTags` — external-secrets PR #6311, in the CRDs of the pinned
 * v2.9.0), so a SecretStore written in namespace A that names namespace B's role is refused by STS, and an
 * ExternalSecret in A naming B's remote key is refused by IAM. An operator version without session tags sends
 * none, and every store role refuses it: the failure is closed.
 *
 * Why per-namespace SecretStores rather than one ClusterSecretStore with namespace conditions: a ClusterSecretStore
 * reads with one identity for every namespace it admits, so isolation would rest on the store's conditions alone;
 * here it rests on IAM, which the simulation tests prove (test/security/tenant-isolation.test.ts).
 *
 * The platform's two ClusterSecretStores (names from constructs/core/platform-contracts.ts) remain for platform
 * namespaces only (`spec.conditions`: e.g. `monitoring` for Alertmanager's receiver credentials); with them the
 * operator reads exactly the platform secrets named in `platformSecrets`, decryptable only with this environment's
 * data key and for those secrets (encryption context), and the SSM parameters under `/<project>/<env>/`.
 *
 * The stores are rendered by the local chart charts/local/cluster-secret-stores in a second release that depends
 * on the operator's release, not by `kubernetes_manifest`: ClusterSecretStore is a CRD the operator's chart
 * installs, and a `kubernetes_manifest` of a kind the API server does not know yet fails `terraform plan` on a new
 * cluster.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { chartRelease, localChartRelease } from "../../../charts/release";
import { dnsSuffixOf, partitionOf, roleArn, type AccountScope } from "../../core/aws";
import type { Naming } from "../../core/naming";
import { PARAMETER_STORE_STORE, PLATFORM_NAMESPACES, SECRETS_MANAGER_STORE } from "../../core/platform-contracts";
import { secretArnPattern } from "../../core/secrets";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../../workload-identity";
import { addonNamespace, checkReplicas, type AddonBaseProps } from "../common";

export const EXTERNAL_SECRETS_NAMESPACE = PLATFORM_NAMESPACES.externalSecrets.name;
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/** Name component of the namespace store roles: `<prefix>-eso-<namespace>` (constructs/namespace-secrets). */
export const STORE_ROLE_COMPONENT = "eso";

/** Name of the operator's own IAM role in a naming scope (the cluster's: the environment's, or a dedicated tenant's). */
export function externalSecretsRoleName(naming: Naming): string {
  return naming.name("iam-role", "external-secrets");
}

/** ARN of the operator's role: store roles trust it (by ARN, so it need not exist in the stack that trusts it). */
export function externalSecretsRoleArn(account: AccountScope, naming: Naming): string {
  return roleArn(account, externalSecretsRoleName(naming));
}

export interface ExternalSecretsProps extends AddonBaseProps {
  /** Operator replicas (webhook and cert controller run as many). */
  readonly replicas: number;
  /** ARN of the data key that encrypts the environment's secrets and SecureString parameters. */
  readonly dataKeyArn: string;
  /**
   * Names of the platform secrets the ClusterSecretStores serve (Alertmanager receivers' credentials); the operator
   * may read exactly these.
   * @default none
   */
  readonly platformSecrets?: readonly string[];
  /**
   * Namespaces allowed to use the ClusterSecretStores (`spec.conditions`); application namespaces use their own
   * SecretStores.
   * @default none: the ClusterSecretStores serve no namespace
   */
  readonly platformNamespaces?: readonly string[];
}

export class ExternalSecrets extends Construct {
  readonly namespace: NamespaceV1;
  readonly identity: WorkloadIdentity;
  readonly release: Release;
  readonly stores: Release;

  constructor(scope: Construct, id: string, props: ExternalSecretsProps) {
    super(scope, id);
    checkReplicas("ExternalSecrets", props.replicas);
    const highlyAvailable = props.replicas > 1;
    this.namespace = addonNamespace(this, "namespace", EXTERNAL_SECRETS_NAMESPACE);
    this.identity = new WorkloadIdentity(this, "identity", {
      account: props.account,
      clusterName: props.clusterName,
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
      roleName: externalSecretsRoleName(props.naming),
      statements: externalSecretsStatements(props.account, props.naming, props.dataKeyArn, props.platformSecrets ?? []),
    });
    this.release = chartRelease(this, "release", {
      chart: "external-secrets",
      name: "external-secrets",
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      overrides: {
        replicaCount: props.replicas,
        // Its metrics (ExternalSecret sync status) are scraped by the monitoring stack, installed after this release:
        // a Service here, the ServiceMonitor in the monitoring chart (whose CRDs do not exist yet at this point).
        metrics: { service: { enabled: true } },
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        podDisruptionBudget: { enabled: highlyAvailable },
        webhook: { replicaCount: props.replicas, podDisruptionBudget: { enabled: highlyAvailable } },
        certController: { replicaCount: props.replicas, podDisruptionBudget: { enabled: highlyAvailable } },
      },
      dependsOn: [this.namespace, this.identity.association],
    });
    this.stores = localChartRelease(this, "stores", {
      chart: "cluster-secret-stores",
      name: "cluster-secret-stores",
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      values: {
        region: props.account.region,
        secretsManager: { name: SECRETS_MANAGER_STORE },
        parameterStore: { name: PARAMETER_STORE_STORE },
        namespaces: [...(props.platformNamespaces ?? [])].sort(),
      },
      dependsOn: [this.release],
    });
  }
}

/**
 * The operator's own permissions: assume the namespace store roles of this cluster (each trusts it only for its own
 * namespace's sessions), read the platform secrets its ClusterSecretStores serve, and the scope's SSM parameters.
 */
export function externalSecretsStatements(account: AccountScope, naming: Naming, dataKeyArn: string, platformSecrets: readonly string[] = []): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  const { project, environment, tenant } = naming.scope;
  const parameterPath = [project, environment, tenant].filter(Boolean).join("/");
  const roles = `arn:${partition}:iam::${account.accountId}:role/`;
  const secretArns = [...new Set(platformSecrets)].sort().map((name) => secretArnPattern(account, name));
  return [
    {
      sid: "AssumeNamespaceStoreRoles",
      actions: ["sts:AssumeRole", "sts:TagSession"],
      // Environment namespaces' store roles and shared tenants' (`<prefix>-<tenant>-eso-<namespace>`).
      resources: [`${roles}${naming.prefix}-${STORE_ROLE_COMPONENT}-*`, `${roles}${naming.prefix}-*-${STORE_ROLE_COMPONENT}-*`],
    },
    ...(secretArns.length > 0
      ? [
          {
            sid: "ReadPlatformSecrets",
            actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            resources: secretArns,
          },
          {
            sid: "DecryptPlatformSecretsWithDataKey",
            actions: ["kms:Decrypt"],
            resources: [dataKeyArn],
            condition: [
              { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${account.region}.${dnsSuffixOf(account.region)}`] },
              { test: "StringLike", variable: "kms:EncryptionContext:SecretARN", values: secretArns },
            ],
          },
        ]
      : []),
    {
      sid: "ReadScopedParameters",
      actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      resources: [`arn:${partition}:ssm:${account.region}:${account.accountId}:parameter/${parameterPath}/*`],
    },
    {
      sid: "DecryptParametersWithDataKey",
      actions: ["kms:Decrypt"],
      resources: [dataKeyArn],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`ssm.${account.region}.${dnsSuffixOf(account.region)}`] }],
    },
  ];
}
