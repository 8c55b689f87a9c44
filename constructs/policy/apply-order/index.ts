/**
 * Generic apply-order checks over synthesized stacks (pure; see each module):
 * - namespaces.ts (a): every namespaced Kubernetes object depends on the namespace its stack creates, or is in one that
 *   exists before the stack is applied;
 * - custom-resources.ts (b): every custom resource depends on the release that installs its CRD (committed table of
 *   API group and kind -> chart).
 * Both take the stacks of one synthesis with their deployment order (`StackEntry`: name, JSON, dependsOn — cdktf's
 * manifest.json `dependencies`).
 */
export { DependencyGraph, StackSet, type StackEntry } from "./graph";
export { formatNamespaceProblem, namespaceOrderProblems, PREEXISTING_NAMESPACES, type NamespaceProblem } from "./namespaces";
export { CRD_OWNERS, customResourceOrderProblems, formatCustomResourceProblem, type CrdOwner, type CustomResourceProblem } from "./custom-resources";
