/**
 * The IAM and security-group change tables a reviewer reads first, as `cdk diff` shows them: policy statements
 * and network rules added, removed, widened or narrowed. A row is marked as broadening when it grants more
 * (an Allow added or widened, a Deny removed or narrowed, a rule opened to more addresses or ports).
 *
 * Policies come from `aws_iam_policy_document` data sources (how this project writes every policy) and from
 * literal JSON policy arguments; statements are matched by `sid`, else by effect and principals.
 */
import { Address4, Address6 } from "ip-address";
import type { Block, SynthesizedStack } from "../../../constructs/policy/model";
import { StackModel } from "../../../constructs/policy/model";

export type RowChange = "added" | "removed" | "widened" | "narrowed";

export interface StatementRow {
  readonly stack: string;
  /** Construct path of the policy document (or the resource holding a JSON policy). */
  readonly policy: string;
  readonly change: RowChange;
  readonly broadening: boolean;
  readonly effect: string;
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly string[];
}

export interface RuleRow {
  readonly stack: string;
  readonly group: string;
  readonly direction: "ingress" | "egress";
  readonly change: RowChange;
  readonly broadening: boolean;
  readonly protocol: string;
  readonly ports: string;
  readonly peer: string;
}

interface Statement {
  readonly sid?: string;
  readonly effect: string;
  readonly principals: string[];
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: string[];
}

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map((item) => (typeof item === "string" ? item : JSON.stringify(item))));

function documentStatements(block: Block): Statement[] {
  const statements = Array.isArray(block.body.statement) ? block.body.statement : block.body.statement ? [block.body.statement] : [];
  return (statements as Record<string, unknown>[]).map((statement) => ({
    ...(typeof statement.sid === "string" ? { sid: statement.sid } : {}),
    effect: typeof statement.effect === "string" ? statement.effect : "Allow",
    principals: (Array.isArray(statement.principals) ? statement.principals : []).flatMap((principal: Record<string, unknown>) => list(principal.identifiers).map((identifier) => `${String(principal.type)}:${identifier}`)),
    actions: [...list(statement.actions), ...list(statement.not_actions).map((action) => `NOT ${action}`)],
    resources: [...list(statement.resources), ...list(statement.not_resources).map((resource) => `NOT ${resource}`)],
    conditions: (Array.isArray(statement.condition) ? statement.condition : []).map((condition: Record<string, unknown>) => `${String(condition.test)} ${String(condition.variable)} ${list(condition.values).join(",")}`),
  }));
}

function jsonStatements(text: string): Statement[] | undefined {
  try {
    const document = JSON.parse(text) as { Statement?: unknown };
    const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : undefined;
    return statements?.map((statement: Record<string, unknown>) => {
      const principal = statement.Principal;
      const principals = principal === "*" ? ["*"] : principal && typeof principal === "object" ? Object.entries(principal).flatMap(([kind, ids]) => list(ids).map((id) => `${kind}:${id}`)) : [];
      const conditions = statement.Condition && typeof statement.Condition === "object" ? Object.entries(statement.Condition as Record<string, Record<string, unknown>>).flatMap(([test, variables]) => Object.entries(variables).map(([variable, values]) => `${test} ${variable} ${list(values).join(",")}`)) : [];
      return {
        ...(typeof statement.Sid === "string" && statement.Sid !== "" ? { sid: statement.Sid } : {}),
        effect: String(statement.Effect ?? "Allow"),
        principals,
        actions: [...list(statement.Action), ...list(statement.NotAction).map((action) => `NOT ${action}`)],
        resources: [...list(statement.Resource), ...list(statement.NotResource).map((resource) => `NOT ${resource}`)],
        conditions,
      };
    });
  } catch {
    return undefined;
  }
}

/** Every policy of a stack: key -> { path, statements }. */
function policies(stack: string, json: SynthesizedStack | undefined): Map<string, { path: string; statements: Statement[] }> {
  const out = new Map<string, { path: string; statements: Statement[] }>();
  if (!json) return out;
  const model = new StackModel(json, stack);
  for (const block of model.all()) {
    if (block.kind === "data" && block.type === "aws_iam_policy_document") out.set(block.address, { path: block.path, statements: documentStatements(block) });
    if (block.kind !== "resource") continue;
    for (const argument of ["policy", "assume_role_policy"]) {
      const value = block.body[argument];
      const statements = typeof value === "string" && value.trim().startsWith("{") ? jsonStatements(value) : undefined;
      if (statements) out.set(`${block.address}.${argument}`, { path: `${block.path} (${argument})`, statements });
    }
  }
  return out;
}

function matchKey(statement: Statement): string {
  return statement.sid ?? `${statement.effect}|${[...statement.principals].sort().join(",")}`;
}

const added = (after: readonly string[], before: readonly string[]) => after.filter((item) => !before.includes(item));

export function statementRows(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined): StatementRow[] {
  const before = policies(stack, base);
  const after = policies(stack, head);
  const rows: StatementRow[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key);
    const now = after.get(key);
    const path = (now ?? old)?.path ?? key;
    const group = (statements: Statement[] = []) => {
      const map = new Map<string, Statement>();
      const counts = new Map<string, number>();
      for (const statement of statements) {
        const base2 = matchKey(statement);
        const count = counts.get(base2) ?? 0;
        counts.set(base2, count + 1);
        map.set(count === 0 ? base2 : `${base2}#${count}`, statement);
      }
      return map;
    };
    const oldStatements = group(old?.statements);
    const newStatements = group(now?.statements);
    for (const statementKey of new Set([...oldStatements.keys(), ...newStatements.keys()])) {
      const a = oldStatements.get(statementKey);
      const b = newStatements.get(statementKey);
      const row = (change: RowChange, statement: Statement, detail: Partial<Statement> = statement): StatementRow => {
        const allow = statement.effect === "Allow";
        const broadening = allow ? change === "added" || change === "widened" : change === "removed" || change === "narrowed";
        return { stack, policy: path, change, broadening, effect: statement.effect, principals: detail.principals ?? statement.principals, actions: detail.actions ?? statement.actions, resources: detail.resources ?? statement.resources, conditions: detail.conditions ?? statement.conditions };
      };
      if (!a && b) rows.push(row("added", b));
      else if (a && !b) rows.push(row("removed", a));
      else if (a && b) {
        const more = { principals: added(b.principals, a.principals), actions: added(b.actions, a.actions), resources: added(b.resources, a.resources), conditions: added(a.conditions, b.conditions) };
        const less = { principals: added(a.principals, b.principals), actions: added(a.actions, b.actions), resources: added(a.resources, b.resources), conditions: added(b.conditions, a.conditions) };
        const widened = more.principals.length + more.actions.length + more.resources.length + more.conditions.length > 0;
        const narrowed = less.principals.length + less.actions.length + less.resources.length + less.conditions.length > 0;
        if (widened) rows.push(row("widened", b, { principals: more.principals.map((item) => `+${item}`), actions: more.actions.map((item) => `+${item}`), resources: more.resources.map((item) => `+${item}`), conditions: more.conditions.map((item) => `−${item}`) }));
        if (narrowed) rows.push(row("narrowed", b, { principals: less.principals.map((item) => `−${item}`), actions: less.actions.map((item) => `−${item}`), resources: less.resources.map((item) => `−${item}`), conditions: less.conditions.map((item) => `+${item}`) }));
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------

interface Rule {
  readonly key: string;
  readonly group: string;
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly peers: string[];
}

function ports(protocol: string, from: unknown, to: unknown): { from: number; to: number } {
  if (protocol === "-1" || protocol === "all") return { from: 0, to: 65535 };
  const a = Number(from ?? 0);
  const b = Number(to ?? from ?? 65535);
  return { from: Number.isFinite(a) ? a : 0, to: Number.isFinite(b) ? b : 65535 };
}

function groupName(value: unknown, model: StackModel): string {
  const reference = typeof value === "string" ? /\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z_]+\}/.exec(value) : null;
  return reference ? (model.byAddress(reference[1] as string)?.path ?? (reference[1] as string)) : String(value ?? "?");
}

function rules(stack: string, json: SynthesizedStack | undefined): Map<string, Rule> {
  const out = new Map<string, Rule>();
  if (!json) return out;
  const model = new StackModel(json, stack);
  for (const block of model.all()) {
    if (block.kind !== "resource") continue;
    const body = block.body;
    if (block.type === "aws_vpc_security_group_ingress_rule" || block.type === "aws_vpc_security_group_egress_rule" || block.type === "aws_security_group_rule") {
      const direction = block.type.includes("egress") || body.type === "egress" ? "egress" : "ingress";
      const protocol = String(body.ip_protocol ?? body.protocol ?? "-1");
      const range = ports(protocol, body.from_port, body.to_port);
      const peers = [body.cidr_ipv4, body.cidr_ipv6, body.prefix_list_id, ...list(body.cidr_blocks), ...list(body.ipv6_cidr_blocks), body.referenced_security_group_id ?? body.source_security_group_id]
        .filter((peer) => peer !== undefined && peer !== null)
        .map((peer) => (typeof peer === "string" && peer.startsWith("${") ? groupName(peer, model) : String(peer)));
      out.set(block.address, { key: block.address, group: groupName(body.security_group_id, model), direction, protocol, ...range, peers });
    }
    if (block.type === "aws_security_group" || block.type === "aws_default_security_group") {
      for (const direction of ["ingress", "egress"] as const) {
        const inline = Array.isArray(body[direction]) ? (body[direction] as Record<string, unknown>[]) : [];
        for (const rule of inline) {
          const protocol = String(rule.protocol ?? "-1");
          const range = ports(protocol, rule.from_port, rule.to_port);
          const peers = [...list(rule.cidr_blocks), ...list(rule.ipv6_cidr_blocks), ...list(rule.prefix_list_ids), ...list(rule.security_groups).map((peer) => (peer.startsWith("${") ? groupName(peer, model) : peer))];
          const key = `${block.address}.${direction}.${protocol}.${range.from}-${range.to}.${rule.description ?? ""}`;
          out.set(key, { key, group: block.path, direction, protocol, ...range, peers });
        }
      }
    }
  }
  return out;
}

/** Whether `outer` contains `inner` (both CIDRs); non-CIDR peers only contain themselves. */
function contains(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  try {
    if (outer.includes(":") !== inner.includes(":")) return false;
    if (outer.includes(":")) return new Address6(inner).isInSubnet(new Address6(outer));
    return new Address4(inner).isInSubnet(new Address4(outer));
  } catch {
    return false;
  }
}

function portsText(rule: Rule): string {
  if (rule.protocol === "-1") return "all";
  return `${rule.protocol} ${rule.from === rule.to ? rule.from : `${rule.from}-${rule.to}`}`;
}

export function ruleRows(stack: string, base: SynthesizedStack | undefined, head: SynthesizedStack | undefined): RuleRow[] {
  const before = rules(stack, base);
  const after = rules(stack, head);
  const rows: RuleRow[] = [];
  const row = (rule: Rule, change: RowChange, broadening: boolean, peer = rule.peers.join(", ")): RuleRow => ({ stack, group: rule.group, direction: rule.direction, change, broadening, protocol: rule.protocol, ports: portsText(rule), peer });
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key);
    const b = after.get(key);
    if (!a && b) rows.push(row(b, "added", true));
    else if (a && !b) rows.push(row(a, "removed", false));
    else if (a && b) {
      const widerPorts = b.from < a.from || b.to > a.to || (b.protocol === "-1" && a.protocol !== "-1");
      const newPeers = b.peers.filter((peer) => !a.peers.some((old) => contains(old, peer)));
      const lostPeers = a.peers.filter((peer) => !b.peers.some((now) => contains(now, peer)));
      if (widerPorts || newPeers.length > 0) rows.push(row(b, "widened", true, newPeers.length > 0 ? newPeers.map((peer) => `+${peer}`).join(", ") : b.peers.join(", ")));
      else if (lostPeers.length > 0 || b.from > a.from || b.to < a.to) rows.push(row(b, "narrowed", false));
    }
  }
  return rows;
}
