/**
 * Read-only RBAC for the CI plan role, so pull-request plans of the platform and tenant stacks can read what those
 * stacks manage in the cluster. The plan role's access entry (constructs/cluster/access.ts) puts it in the
 * Kubernetes group CI_PLAN_KUBERNETES_GROUP and associates no EKS access policy; this construct binds that group:
 *
 * - cluster-wide (the platform stack, `clusterWide`): a ClusterRole reading every kind of object this code base can
 *   manage except Secrets (rules.ts), bound with a ClusterRoleBinding; and a ClusterRole reading Secrets, bound
 *   nowhere cluster-wide;
 * - per namespace holding Helm release storage or managed Secrets (platform and tenant stacks): a RoleBinding of the
 *   Secrets role, so those Secrets are readable there and nowhere else.
 *
 * Why not the built-in `view` role or AmazonEKSAdminViewPolicy: `view` misses what the stacks manage at cluster scope
 * (storage classes, RBAC) and grants pod logs the plan never needs; AmazonEKSAdminViewPolicy reads every Secret of
 * the cluster. Every verb here is get, list or watch.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { DefaultTokenResolver, StringConcat, TerraformResource, TerraformStack, Token, Tokenization } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { CI_PLAN_KUBERNETES_GROUP } from "../cluster/access-rules";
import { MANAGED_BY } from "../core/tagging";
import { MANAGED_BY_LABEL } from "../workload/labels";
import { PLAN_READ_ROLE, PLAN_RELEASE_SECRETS_ROLE, planReadRules, releaseSecretRules } from "./rules";

export * from "./rules";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const LABELS = { [MANAGED_BY_LABEL]: MANAGED_BY };
/** Namespaces every cluster has: nothing in a stack creates them. */
const SYSTEM_NAMESPACES = new Set(["kube-system", "default", "kube-public", "kube-node-lease"]);

export interface PlanAccessProps {
  /**
   * Create the cluster-wide roles and the read binding (once per cluster: its platform stack).
   * @default false — only the namespace bindings (a tenant stack)
   */
  readonly clusterWide?: boolean;
  /** Namespaces whose Secrets the plan reads, with the resource creating each in this stack (to be bound after it). */
  readonly secretNamespaces: readonly { readonly name: string; readonly namespace?: NamespaceV1 }[];
  /**
   * Kubernetes group the plan role is mapped to.
   * @default CI_PLAN_KUBERNETES_GROUP
   */
  readonly group?: string;
}

export class PlanAccess extends Construct {
  readonly readRole?: ClusterRoleV1;
  readonly readBinding?: ClusterRoleBindingV1;
  readonly secretsRole?: ClusterRoleV1;
  /** Secrets bindings by namespace. */
  readonly secretBindings: Readonly<Record<string, RoleBindingV1>>;

  constructor(scope: Construct, id: string, props: PlanAccessProps) {
    super(scope, id);
    const group = props.group ?? CI_PLAN_KUBERNETES_GROUP;
    const subject = [{ kind: "Group", name: group, apiGroup: RBAC_GROUP }];
    const names = props.secretNamespaces.map((entry) => entry.name);
    const repeated = names.filter((name, index) => names.indexOf(name) !== index);
    if (repeated.length > 0) throw new Error(`PlanAccess: namespaces listed twice: ${[...new Set(repeated)].join(", ")}`);
    if (group.startsWith("system:")) throw new Error(`PlanAccess: group "${group}" is a Kubernetes system group; the plan role needs a group of its own`);

    if (props.clusterWide ?? false) {
      this.readRole = new ClusterRoleV1(this, "read-role", {
        metadata: { name: PLAN_READ_ROLE, labels: LABELS },
        rule: planReadRules().map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
      });
      this.readBinding = new ClusterRoleBindingV1(this, "read-binding", {
        metadata: { name: PLAN_READ_ROLE, labels: LABELS },
        roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: this.readRole.metadata.name },
        subject,
      });
      this.secretsRole = new ClusterRoleV1(this, "release-secrets-role", {
        metadata: { name: PLAN_RELEASE_SECRETS_ROLE, labels: LABELS },
        rule: releaseSecretRules().map((rule) => ({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] })),
      });
    }
    this.secretBindings = Object.fromEntries(
      [...props.secretNamespaces]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(({ name, namespace }) => {
          const binding = new RoleBindingV1(this, `release-secrets-${name}`, {
            metadata: { name: PLAN_RELEASE_SECRETS_ROLE, namespace: namespace ? namespace.metadata.name : name, labels: LABELS },
            // A tenant stack binds the role its environment's platform stack created (a binding may precede its role).
            roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: this.secretsRole ? this.secretsRole.metadata.name : PLAN_RELEASE_SECRETS_ROLE },
            subject,
            ...(namespace ? { dependsOn: [namespace] } : {}),
          });
          return [name, binding];
        }),
    );
  }
}

/**
 * The namespaces of `scope`'s stack where the plan must read Secrets — Helm release namespaces and namespaces of
 * managed Secrets — each with the namespace resource the stack creates for it, if any. Call it once the stack's
 * other constructs exist.
 */
export function secretNamespacesOf(scope: IConstruct): { name: string; namespace?: NamespaceV1 }[] {
  const stack = TerraformStack.of(scope);
  const resolver = new DefaultTokenResolver(new StringConcat());
  const resolve = (value: unknown): unknown => Tokenization.resolve(value, { scope: stack, preparing: false, resolver });
  const resources = stack.node.findAll().filter((node): node is TerraformResource => node instanceof TerraformResource);
  const literal = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    if (!Token.isUnresolved(value)) return value;
    const resolved = resolve(value);
    return typeof resolved === "string" && !resolved.includes("${") ? resolved : undefined;
  };
  const namespaces = new Map<string, NamespaceV1>();
  for (const resource of resources) {
    if (resource.terraformResourceType !== "kubernetes_namespace_v1" && resource.terraformResourceType !== "kubernetes_namespace") continue;
    const ns = resource as NamespaceV1;
    const name = literal(ns.metadataInput?.name);
    if (name) namespaces.set(name, ns);
  }
  /** A namespace value: a name, or a reference to a namespace resource of this stack (resolved to its name). */
  const nameOf = (value: unknown): string | undefined => {
    const direct = literal(value);
    if (direct) return direct;
    const expression = typeof value === "string" ? resolve(value) : undefined;
    if (typeof expression !== "string") return undefined;
    for (const [name, ns] of namespaces) if (expression.includes(`${ns.terraformResourceType}.${ns.friendlyUniqueId}.`)) return name;
    return undefined;
  };
  const wanted = new Set<string>();
  for (const resource of resources) {
    let value: unknown;
    if (resource.terraformResourceType === "helm_release") value = (resource as Release).namespaceInput ?? "default";
    else if (/^kubernetes_secret(_v1)?(_data)?$/.test(resource.terraformResourceType)) value = (resource as unknown as { metadataInput?: { namespace?: string } }).metadataInput?.namespace ?? "default";
    else continue;
    const name = nameOf(value);
    if (!name) throw new Error(`secretNamespacesOf: cannot tell the namespace of ${resource.node.path}; name it literally or by the namespace resource of this stack`);
    wanted.add(name);
  }
  return [...wanted].sort().map((name) => {
    const namespace = namespaces.get(name);
    return namespace && !SYSTEM_NAMESPACES.has(name) ? { name, namespace } : { name };
  });
}
