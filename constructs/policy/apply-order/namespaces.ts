/**
 * Generic apply-order check (a): every namespaced Kubernetes object depends on its namespace.
 *
 * Terraform creates the resources of one apply in parallel unless one depends on another. An object that names its
 * namespace with a literal string and has no dependency on the `kubernetes_namespace_v1` of the same stack is sent to
 * the API server at the same time as the namespace, and fails with `namespaces "<name>" not found` on the first
 * apply (and is destroyed after its namespace on the last, which the API server refuses the same way). The check:
 *
 * - an object whose namespace is created in the same stack (a `kubernetes_namespace(_v1)`, or a `helm_release` with
 *   `create_namespace`) must depend on that creator, directly or transitively (a reference to the namespace's name,
 *   or `depends_on`);
 * - an object whose namespace the stack does not create must name one that exists in every cluster
 *   (PREEXISTING_NAMESPACES, each with its reason) or one created by a stack deployed before this one (the stack
 *   catalog's order, cdktf manifest `dependencies`).
 *
 * Pure: it reads synthesized JSON only, so the policy pack, `npm run preflight` or a test can run it.
 */
import { dig, literal, one, type Block } from "../model";
import { addressesIn, expressionsIn } from "../../core/references";
import { StackSet, type StackEntry } from "./graph";

/** Namespaces every (EKS) cluster has before any stack of this project is applied, with why. */
export const PREEXISTING_NAMESPACES: Readonly<Record<string, string>> = {
  "kube-system": "created by Kubernetes; EKS runs CoreDNS, kube-proxy, the VPC CNI and the Pod Identity agent there, and the platform installs its cluster-wide controllers there",
  default: "created by Kubernetes; objects without a namespace land there",
  "kube-public": "created by Kubernetes (cluster-info)",
  "kube-node-lease": "created by Kubernetes (node heartbeats)",
};

/** Kubernetes resource types of cluster-scoped objects (no namespace). */
export const CLUSTER_SCOPED_TYPES: ReadonlySet<string> = new Set(
  [
    "namespace",
    "storage_class",
    "cluster_role",
    "cluster_role_binding",
    "persistent_volume",
    "priority_class",
    "validating_webhook_configuration",
    "mutating_webhook_configuration",
    "csi_driver",
    "runtime_class",
    "api_service",
    "certificate_signing_request",
    "ingress_class",
    "node_taint",
    "default_service_account",
  ].flatMap((kind) => [`kubernetes_${kind}`, `kubernetes_${kind}_v1`]),
);

/** Where an object's namespace comes from. */
export interface NamespacedObject {
  readonly block: Block;
  /** The namespace's name, when it can be known offline. */
  readonly namespace?: string;
  /** The raw value (a literal, or an expression). */
  readonly value: unknown;
}

/** A namespace the stack creates, and the block that creates it. */
export interface NamespaceCreator {
  readonly name: string;
  readonly block: Block;
}

export interface NamespaceProblem {
  readonly stack: string;
  /** Terraform address of the object. */
  readonly address: string;
  /** Construct path of the object. */
  readonly path: string;
  readonly namespace: string;
  readonly message: string;
}

const NAMESPACE_TYPES = new Set(["kubernetes_namespace", "kubernetes_namespace_v1"]);

function isKubernetesResource(block: Block): boolean {
  return block.kind === "resource" && block.type.startsWith("kubernetes_");
}

/** Namespaces a stack creates: namespace resources, and Helm releases with `create_namespace`. */
export function namespaceCreators(blocks: readonly Block[]): NamespaceCreator[] {
  const out: NamespaceCreator[] = [];
  for (const block of blocks) {
    if (block.kind !== "resource") continue;
    if (NAMESPACE_TYPES.has(block.type)) {
      const name = literal(dig(block.body, "metadata", "name"));
      if (name) out.push({ name, block });
    } else if (block.type === "helm_release" && (block.body.create_namespace === true || block.body.create_namespace === "true")) {
      out.push({ name: literal(block.body.namespace) ?? "default", block });
    }
  }
  return out;
}

/** The namespace value of a namespaced object, or undefined for cluster-scoped objects and non-Kubernetes blocks. */
function namespaceValue(block: Block): { value: unknown } | undefined {
  if (block.kind !== "resource") return undefined;
  if (block.type === "helm_release") {
    if (block.body.create_namespace === true || block.body.create_namespace === "true") return undefined; // it creates it
    return { value: block.body.namespace ?? "default" };
  }
  if (!isKubernetesResource(block) || CLUSTER_SCOPED_TYPES.has(block.type)) return undefined;
  if (block.type === "kubernetes_manifest") {
    // A custom or built-in object: namespaced exactly when its manifest names a namespace.
    const metadata = one(one(block.body.manifest)?.metadata);
    return metadata?.namespace === undefined ? undefined : { value: metadata.namespace };
  }
  return { value: dig(block.body, "metadata", "namespace") ?? "default" };
}

/** Every namespaced object of a stack with its namespace resolved where possible (a reference to a creator's name). */
export function namespacedObjects(blocks: readonly Block[], creators: readonly NamespaceCreator[]): NamespacedObject[] {
  const byAddress = new Map(creators.map((creator) => [creator.block.address, creator]));
  const out: NamespacedObject[] = [];
  for (const block of blocks) {
    const found = namespaceValue(block);
    if (!found) continue;
    const { value } = found;
    const name = literal(value);
    if (name !== undefined) {
      out.push({ block, namespace: name, value });
      continue;
    }
    const referenced = typeof value === "string" ? expressionsIn(value).flatMap(addressesIn) : [];
    const creator = referenced.map((address) => byAddress.get(address)).find((item) => item !== undefined);
    out.push({ block, ...(creator ? { namespace: creator.name } : {}), value });
  }
  return out;
}

/**
 * Problems of every stack: namespaced objects that do not depend on the namespace their stack creates, namespaces a
 * stack uses but nothing before it creates, namespaces created twice in one stack, namespace values that cannot be
 * resolved offline.
 */
export function namespaceOrderProblems(stacks: readonly StackEntry[], preexisting: Readonly<Record<string, string>> = PREEXISTING_NAMESPACES): NamespaceProblem[] {
  const set = new StackSet(stacks);
  const createdBy = new Map<string, Set<string>>();
  const creatorsOf = new Map<string, NamespaceCreator[]>();
  for (const name of set.names()) {
    const creators = namespaceCreators(set.model(name).all());
    creatorsOf.set(name, creators);
    createdBy.set(name, new Set(creators.map((creator) => creator.name)));
  }
  const problems: NamespaceProblem[] = [];
  for (const stack of set.names()) {
    const graph = set.graph(stack);
    const creators = creatorsOf.get(stack) ?? [];
    const byName = new Map<string, NamespaceCreator>();
    for (const creator of creators) {
      const other = byName.get(creator.name);
      if (other) {
        problems.push({
          stack,
          address: creator.block.address,
          path: creator.block.path,
          namespace: creator.name,
          message: `namespace "${creator.name}" is created twice in the stack (also by ${other.block.address}); one of the two fails with "already exists"`,
        });
      } else byName.set(creator.name, creator);
    }
    const upstream = set.upstreamOf(stack);
    for (const object of namespacedObjects(set.model(stack).all(), creators)) {
      const { block } = object;
      const report = (namespace: string, message: string) => problems.push({ stack, address: block.address, path: block.path, namespace, message });
      if (object.namespace === undefined) {
        report(String(object.value), `its namespace ${JSON.stringify(object.value)} is an expression that names no namespace of the stack; name the namespace resource's metadata name, or a literal namespace`);
        continue;
      }
      const creator = byName.get(object.namespace);
      if (creator) {
        if (creator.block.address !== block.address && !graph.dependsOn(block.address, creator.block.address)) {
          report(
            object.namespace,
            `is in namespace "${object.namespace}", which ${creator.block.address} creates in the same apply, but does not depend on it: Terraform creates both at once and the object fails with 'namespaces "${object.namespace}" not found'. Reference the namespace's metadata name or add it to depends_on`,
          );
        }
        continue;
      }
      if (object.namespace in preexisting) continue;
      if (upstream.some((name) => createdBy.get(name)?.has(object.namespace as string))) continue;
      report(
        object.namespace,
        `is in namespace "${object.namespace}", which neither this stack nor a stack deployed before it (${upstream.length > 0 ? upstream.join(", ") : "none"}) creates, and which is not one every cluster has (${Object.keys(preexisting).sort().join(", ")})`,
      );
    }
  }
  return problems;
}

/** A problem as one line. */
export function formatNamespaceProblem(problem: NamespaceProblem): string {
  return `${problem.stack}: ${problem.address} (${problem.path}) ${problem.message}`;
}
