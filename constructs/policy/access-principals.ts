/**
 * The IAM principals a stack's EKS access entries name, read from its synthesized JSON (pure, generic over every
 * stack): `CreateAccessEntry` rejects a principal that does not exist (EKS API reference), so the preflight checks
 * each of these before the stack is applied.
 */
import { permissionSetOfRegex } from "../cluster/access-rules";
import { type Block, literal, StackModel, strings, type SynthesizedStack } from "./model";

export type AccessPrincipal =
  /** A role named by ARN: check it with iam:GetRole (the name is the ARN's last segment; the path must match too). */
  | { readonly kind: "role"; readonly arn: string; readonly accessEntries: readonly string[] }
  /**
   * The role of an IAM Identity Center permission set, resolved at plan time in `accountId` (the stack's account):
   * exactly one role named by `nameRegex` must exist under `pathPrefix` (iam:ListRoles with PathPrefix).
   */
  | {
      readonly kind: "permission-set";
      readonly permissionSet: string;
      readonly nameRegex: string;
      readonly pathPrefix: string;
      readonly accountId?: string;
      readonly accessEntries: readonly string[];
    }
  /** A role the same stack creates: nothing to check before the apply. */
  | { readonly kind: "created"; readonly address: string; readonly accessEntries: readonly string[] }
  /** Any other expression (a role lookup the preflight cannot interpret): reported so it is not silently skipped. */
  | { readonly kind: "expression"; readonly expression: string; readonly accessEntries: readonly string[] };

/** A principal without the entries that name it (distributes over the union's members). */
type PrincipalOnly = AccessPrincipal extends infer P ? (P extends AccessPrincipal ? Omit<P, "accessEntries"> : never) : never;

/** The account the stack's default AWS provider is pinned to. */
function stackAccount(json: SynthesizedStack): string | undefined {
  const providers = (json.provider?.aws ?? []) as { alias?: string; allowed_account_ids?: unknown }[];
  const main = providers.find((provider) => provider.alias === undefined);
  return strings(main?.allowed_account_ids)[0];
}

/** Every principal of the stack's `aws_eks_access_entry` resources, one entry per principal. */
export function accessEntryPrincipals(json: SynthesizedStack, stack?: string): AccessPrincipal[] {
  const model = new StackModel(json, stack);
  const accountId = stackAccount(json);
  const byKey = new Map<string, { principal: PrincipalOnly; entries: string[] }>();
  const add = (key: string, principal: PrincipalOnly, entry: Block) => {
    const current = byKey.get(key) ?? { principal, entries: [] };
    current.entries.push(entry.address);
    byKey.set(key, current);
  };
  for (const entry of model.resources("aws_eks_access_entry")) {
    const value = entry.body.principal_arn;
    const arn = literal(value);
    if (arn !== undefined) {
      add(`role:${arn}`, { kind: "role", arn }, entry);
      continue;
    }
    const targets = model.refsIn(value);
    const lookup = targets.find((target) => target.kind === "data" && target.type === "aws_iam_roles");
    const regex = lookup ? literal(lookup.body.name_regex) : undefined;
    const permissionSet = regex ? permissionSetOfRegex(regex) : undefined;
    if (lookup && regex && permissionSet) {
      add(`sso:${permissionSet}`, { kind: "permission-set", permissionSet, nameRegex: regex, pathPrefix: literal(lookup.body.path_prefix) ?? "/", ...(accountId ? { accountId } : {}) }, entry);
      continue;
    }
    const created = targets.find((target) => target.kind === "resource" && target.type === "aws_iam_role");
    if (created) {
      add(`created:${created.address}`, { kind: "created", address: created.address }, entry);
      continue;
    }
    add(`expression:${String(value)}`, { kind: "expression", expression: String(value) }, entry);
  }
  return [...byKey.values()].map(({ principal, entries }): AccessPrincipal => ({ ...principal, accessEntries: entries.sort() }));
}
