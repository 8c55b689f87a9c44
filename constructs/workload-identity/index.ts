/**
 * An IAM role for exactly one Kubernetes service account, bound with EKS Pod Identity.
 *
 * Why Pod Identity rather than IRSA (OIDC): the role trust names the Pod Identity service instead of a
 * per-cluster OIDC provider, so roles need no cluster-specific issuer URL, survive a cluster replacement, and the
 * binding (`aws_eks_pod_identity_association`) is managed by name in the platform stack without looking up an
 * OIDC provider ARN. The trust is still scoped to one namespace and service account: the Pod Identity agent
 * tags every session with `kubernetes-namespace` and `kubernetes-service-account`, and the trust requires both,
 * plus this account and this cluster (`eks-cluster-name`).
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { acceptPolicyFinding } from "../policy/exceptions";
import { Construct } from "constructs";
import type { AccountScope } from "../core/aws";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../core/platform-contracts";

export interface WorkloadIdentityProps {
  readonly account: AccountScope;
  /** EKS cluster the service account lives in. */
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** IAM role name (from the naming helper). */
  readonly roleName: string;
  /**
   * Permissions of the role. Actions must be explicit (no `*`); a `*` resource must carry a `justification`
   * naming why the action cannot be scoped (e.g. `ec2:Describe*` has no resource-level permissions).
   */
  readonly statements: readonly WorkloadPolicyStatement[];
  /** Role description. @default "<namespace>/<serviceAccount>" */
  readonly description?: string;
  /**
   * Tags of the role, e.g. a search domain's access tag (constructs/opensearch `searchAccessTag`), which resource
   * policies read as `aws:PrincipalTag`.
   * @default none (the provider's default tags only)
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface WorkloadPolicyStatement extends DataAwsIamPolicyDocumentStatement {
  /** Required when `resources` contains "*": why the action cannot be scoped to resources. */
  readonly justification?: string;
}

/** A Kubernetes name (namespace or service account): RFC 1123 label. */
const K8S_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class WorkloadIdentity extends Construct {
  readonly role: IamRole;
  readonly association: EksPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    for (const [what, value] of [["namespace", props.namespace], ["serviceAccount", props.serviceAccount]] as const) {
      if (!K8S_NAME.test(value)) throw new Error(`WorkloadIdentity ${id}: ${what} "${value}" is not a valid Kubernetes name`);
    }
    if (props.statements.length === 0) {
      throw new Error(`WorkloadIdentity ${id}: at least one policy statement is required (a role without permissions needs no identity)`);
    }
    props.statements.forEach((statement, index) => {
      const actions = statement.actions ?? [];
      if (actions.length === 0 || actions.some((action) => action === "*" || action.endsWith(":*"))) {
        throw new Error(`WorkloadIdentity ${id}: statement ${index} must list explicit actions (no "*" or "service:*"), got ${JSON.stringify(actions)}`);
      }
      if ((statement.resources ?? []).includes("*") && !statement.justification) {
        throw new Error(`WorkloadIdentity ${id}: statement ${index} uses resource "*" without a justification`);
      }
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: [POD_IDENTITY_SERVICE_PRINCIPAL] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.accountId] },
            { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: [props.clusterName] },
            { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: [props.namespace] },
            { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: [props.serviceAccount] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description ?? `${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: trust.json,
      ...(props.tags && Object.keys(props.tags).length > 0 ? { tags: { ...props.tags } } : {}),
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: props.statements.map(({ justification: _justification, ...statement }) => statement),
    });
    const policy = new IamRolePolicy(this, "policy", { name: "workload", role: this.role.id, policy: permissions.json });
    // A Resource "*" is only ever written with its justification (checked above): that is the accepted exception.
    const unscoped = props.statements.filter((statement) => (statement.resources ?? []).includes("*"));
    if (unscoped.length > 0) {
      acceptPolicyFinding(
        policy,
        "IAM-NO-WILDCARD",
        `Resource "*" only where AWS cannot scope the action: ${unscoped.map((statement) => `${statement.sid ?? (statement.actions ?? []).join(", ")}: ${statement.justification}`).join("; ")}; the role is bound to service account ${props.namespace}/${props.serviceAccount} only`,
      );
    }
    this.association = new EksPodIdentityAssociation(this, "association", {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
    });
  }
}
