/**
 * External Secrets Operator and the platform's two ClusterSecretStores (names from
 * constructs/core/platform-contracts.ts): `aws-secrets-manager` and `aws-parameter-store`. Workloads reference
 * secrets through them; secret values never pass through Terraform.
 *
 * The stores are rendered by the local chart charts/local/cluster-secret-stores in a second release that
 * depends on the operator's release, not by `kubernetes_manifest`: ClusterSecretStore is a CRD the operator's
 * chart installs, and a `kubernetes_manifest` of a kind the API server does not know yet fails `terraform plan`
 * on a new cluster.
 *
 * The operator's IAM role (bound to `external-secrets/external-secrets` with EKS Pod Identity) may read:
 * - Secrets Manager secrets named with this scope's prefix (`<project>-<env>[-<tenant>]-...` or `.../...`) and the
 *   secrets RDS manages (`rds!...`, named by RDS, not by us) — but decrypt only with this environment's data key,
 *   so a secret of another environment in the same account stays unreadable;
 * - SSM parameters under `/<project>/<env>/` (the data-service connection descriptions).
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { chartRelease, localChartRelease } from "../../../charts/release";
import { dnsSuffixOf, partitionOf, type AccountScope } from "../../core/aws";
import type { Naming } from "../../core/naming";
import { PARAMETER_STORE_STORE, PLATFORM_NAMESPACES, SECRETS_MANAGER_STORE } from "../../core/platform-contracts";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../../workload-identity";
import { addonNamespace, checkReplicas, type AddonBaseProps } from "../common";

export const EXTERNAL_SECRETS_NAMESPACE = PLATFORM_NAMESPACES.externalSecrets.name;
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/** Name prefix RDS gives the master-user secrets it manages. */
export const RDS_MANAGED_SECRET_PREFIX = "rds!";

export interface ExternalSecretsProps extends AddonBaseProps {
  /** Operator replicas (webhook and cert controller run as many). */
  readonly replicas: number;
  /** ARN of the data key that encrypts the environment's secrets and SecureString parameters. */
  readonly dataKeyArn: string;
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
      roleName: props.naming.name("iam-role", "external-secrets"),
      statements: externalSecretsStatements(props.account, props.naming, props.dataKeyArn),
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
      },
      dependsOn: [this.release],
    });
  }
}

/** Read-only access to this scope's secrets and parameters, decryptable only with its data key. */
export function externalSecretsStatements(account: AccountScope, naming: Naming, dataKeyArn: string): WorkloadPolicyStatement[] {
  const partition = partitionOf(account.region);
  const secrets = `arn:${partition}:secretsmanager:${account.region}:${account.accountId}:secret:`;
  const { project, environment, tenant } = naming.scope;
  const parameterPath = [project, environment, tenant].filter(Boolean).join("/");
  return [
    {
      sid: "ReadScopedSecrets",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
      resources: [`${secrets}${naming.prefix}-*`, `${secrets}${naming.prefix}/*`, `${secrets}${RDS_MANAGED_SECRET_PREFIX}*`],
    },
    {
      sid: "ReadScopedParameters",
      actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
      resources: [`arn:${partition}:ssm:${account.region}:${account.accountId}:parameter/${parameterPath}/*`],
    },
    {
      sid: "DecryptWithDataKeyThroughSecretsServices",
      actions: ["kms:Decrypt"],
      resources: [dataKeyArn],
      condition: [
        {
          test: "StringEquals",
          variable: "kms:ViaService",
          values: ["secretsmanager", "ssm"].map((service) => `${service}.${account.region}.${dnsSuffixOf(account.region)}`),
        },
      ],
    },
  ];
}
