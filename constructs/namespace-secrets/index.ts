/**
 * The IAM side of one namespace's SecretStore (see constructs/addons/external-secrets for the isolation model):
 * a role only External Secrets may assume, and only for sessions it tags with this namespace, that reads
 *
 * - the namespace's own secrets, `<prefix>/<namespace>/*` (constructs/core/secrets.ts), and
 * - exactly the extra secrets the namespace's ExternalSecrets name (the credentials of the data services its
 *   workloads use, by ARN as their connection descriptions publish it),
 *
 * and decrypts with the data key only through Secrets Manager and only for those secrets (encryption context
 * `SecretARN`). The store and the ExternalSecrets that use it are rendered by the local chart
 * charts/local/workload-secrets (`storeValues`).
 *
 * Why the trust names the account and conditions on `aws:PrincipalArn` rather than naming the operator's role as
 * principal: IAM rejects a trust policy naming a role that does not exist yet (a shared tenant's stack can be
 * planned before the platform stack's first apply) and silently breaks it when the role is re-created; the ARN
 * condition has neither problem and admits the same single principal.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { accountRootArn, dnsSuffixOf, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { NAMESPACE_SECRET_STORE } from "../core/platform-contracts";
import { ownerSecretsArnPattern } from "../core/secrets";
import { STORE_ROLE_COMPONENT } from "../addons/external-secrets";

/** Session tags External Secrets sets with `sessionTagsPolicy: Simple` (external-secrets PR #6311). */
export const ESO_NAMESPACE_TAG = "esoNamespace";
export const ESO_STORE_KIND_TAG = "esoStoreKind";
export const SECRETS_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface NamespaceSecretsProps {
  readonly namespace: string;
  /** Naming scope of the namespace's secrets and role (the environment's, or a tenant's). */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** ARN of the External Secrets operator's role of the cluster (externalSecretsRoleArn). */
  readonly operatorRoleArn: string;
  /** ARN of the data key that encrypts the secrets. */
  readonly dataKeyArn: string;
  /**
   * ARNs (or ARN patterns) of secrets outside the namespace's path its ExternalSecrets read, e.g. a data service's
   * credentials; may be Terraform references.
   * @default none
   */
  readonly extraSecretArns?: readonly string[];
  /**
   * Whether the namespace's own path `<prefix>/<namespace>/*` is readable (a namespace with declared secrets).
   * @default true
   */
  readonly ownSecrets?: boolean;
}

/** Name of a namespace's store role: `<prefix>-eso-<namespace>` (the operator may assume exactly this pattern). */
export function storeRoleName(naming: Naming, namespace: string): string {
  return naming.name("iam-role", STORE_ROLE_COMPONENT, namespace);
}

export class NamespaceSecrets extends Construct {
  readonly role: IamRole;
  /** The role's permissions (what the store's release waits for). */
  readonly policy: IamRolePolicy;
  readonly storeName = NAMESPACE_SECRET_STORE;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: NamespaceSecretsProps) {
    super(scope, id);
    if (!K8S_NAME.test(props.namespace)) throw new Error(`NamespaceSecrets ${id}: namespace "${props.namespace}" is not a Kubernetes namespace name`);
    const extra = [...(props.extraSecretArns ?? [])];
    const own = props.ownSecrets ?? true;
    if (!own && extra.length === 0) throw new Error(`NamespaceSecrets ${id}: the namespace ${props.namespace} reads no secret (neither its own path nor extraSecretArns); it needs no store`);
    const { account, namespace } = props;
    this.region = account.region;
    const readable = [...(own ? [ownerSecretsArnPattern(account, props.naming, { kind: "namespace", namespace })] : []), ...extra];

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "ExternalSecretsForThisNamespaceOnly",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
          condition: [
            { test: "ArnEquals", variable: "aws:PrincipalArn", values: [props.operatorRoleArn] },
            { test: "StringEquals", variable: `aws:RequestTag/${ESO_NAMESPACE_TAG}`, values: [namespace] },
            { test: "StringEquals", variable: `aws:RequestTag/${ESO_STORE_KIND_TAG}`, values: ["SecretStore"] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: storeRoleName(props.naming, namespace),
      description: `External Secrets store of namespace ${namespace}: its own secrets only`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        { sid: "ReadNamespaceSecrets", actions: [...SECRETS_READ_ACTIONS], resources: readable },
        {
          sid: "DecryptNamespaceSecretsWithDataKey",
          actions: ["kms:Decrypt"],
          resources: [props.dataKeyArn],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${account.region}.${dnsSuffixOf(account.region)}`] },
            { test: "StringLike", variable: "kms:EncryptionContext:SecretARN", values: readable },
          ],
        },
      ],
    });
    this.policy = new IamRolePolicy(this, "policy", { name: "secrets", role: this.role.id, policy: permissions.json });
  }

  /** The `secretStore` values of charts/local/workload-secrets. */
  storeValues(): { name: string; region: string; role: string } {
    return { name: this.storeName, region: this.region, role: this.role.arn };
  }
}
