/**
 * The DNS stage, planned from configuration alone (pure: the catalog, the configuration checks and the preflight use
 * it). Every environment declares its public domains under `edge.domains`; a domain with `hostedZone: create` is a
 * hosted zone its `<env>-dns` stack creates, before `<env>-infra` requests certificates in it.
 *
 * ACM validates a certificate by resolving its validation record through public DNS, so the zone must be delegated
 * (its name servers listed as NS records in the parent zone) before `aws_acm_certificate_validation` can complete —
 * a zone created in the same apply never is, and the validation times out (AWS ACM user guide, "DNS validation":
 * the CNAME must be resolvable from the public DNS). Delegation therefore happens in the DNS stage:
 *
 * - when the closest enclosing zone declared anywhere in the configuration is also created by the platform in the
 *   same AWS account, the stack that creates that parent writes the NS record (reading the child's name servers
 *   directly, or — for a child created by another environment's DNS stack — with a data source, which is why that
 *   stack depends on the child's);
 * - otherwise (a top zone, a parent zone the platform only looks up, or a parent in another account) the operator
 *   delegates it by hand: the DNS stack outputs the name servers and the preflight checks the parent's NS records.
 */
import type { HostedZoneMode } from "../dns/rules";

export interface DeclaredDomain {
  readonly name: string;
  readonly hostedZone: HostedZoneMode;
}

/** What the DNS planning reads of one environment. */
export interface ZoneEnvironment {
  readonly name: string;
  readonly accountId: string;
  /** `edge.domains`, by key. */
  readonly domains: Readonly<Record<string, DeclaredDomain>>;
}

/** An NS record a DNS stack writes in a zone it creates, delegating `child` to the child zone's name servers. */
export interface PlannedDelegation {
  /** Domain key (in this environment) of the parent zone the record is written to. */
  readonly parentKey: string;
  readonly parent: string;
  readonly child: string;
  /** Environment whose DNS stack creates the child zone (this one, or another in the same account). */
  readonly childEnvironment: string;
}

/** A zone whose delegation is a manual step: the NS records go into `parent` outside this platform's stacks. */
export interface ManualDelegation {
  readonly zone: string;
  /** The parent domain the NS records belong in: the closest enclosing declared zone, else the zone minus its first label. */
  readonly parent: string;
  /** Why it is manual, for the operator. */
  readonly reason: string;
}

export interface EnvironmentZonePlan {
  readonly environment: string;
  readonly accountId: string;
  /** Zones this environment's DNS stack creates, by domain key. */
  readonly created: readonly { readonly key: string; readonly name: string }[];
  /** NS records this environment's DNS stack writes. */
  readonly delegations: readonly PlannedDelegation[];
  /** Zones created here that the operator delegates by hand. */
  readonly manual: readonly ManualDelegation[];
  /**
   * Environments whose DNS stacks must be applied before this environment's infra stack: the creators of the zones
   * its domains use, and the stacks delegating them (this environment included when it creates zones).
   */
  readonly infraAfterDnsOf: readonly string[];
  /** Environments whose DNS stacks must be applied before this one's (children it delegates to with a data source). */
  readonly dnsAfterDnsOf: readonly string[];
}

/** The parent domain of a name (`shop.example.com` -> `example.com`). */
export function parentDomain(name: string): string {
  return name.slice(name.indexOf(".") + 1);
}

/** True when `name` is a strict subdomain of `zone`. */
export function isInside(name: string, zone: string): boolean {
  return name.endsWith(`.${zone}`);
}

interface Declared {
  readonly environment: string;
  readonly accountId: string;
  readonly key: string;
  readonly name: string;
  readonly mode: HostedZoneMode;
}

/** The closest enclosing declared zone of `name` (any environment, any mode); the creating declaration wins a tie. */
function closestParent(name: string, declared: readonly Declared[]): Declared | undefined {
  const candidates = declared.filter((zone) => isInside(name, zone.name));
  candidates.sort((a, b) => b.name.length - a.name.length || (a.mode === "create" ? -1 : 0) - (b.mode === "create" ? -1 : 0));
  return candidates[0];
}

/** Which environment creates each zone (by name). Duplicates are a configuration error reported by zoneCreationConflicts. */
function creators(declared: readonly Declared[]): Map<string, Declared> {
  const out = new Map<string, Declared>();
  for (const zone of declared) if (zone.mode === "create" && !out.has(zone.name)) out.set(zone.name, zone);
  return out;
}

function declarations(environments: readonly ZoneEnvironment[]): Declared[] {
  return environments.flatMap((environment) =>
    Object.entries(environment.domains).map(([key, domain]) => ({ environment: environment.name, accountId: environment.accountId, key, name: domain.name, mode: domain.hostedZone })),
  );
}

/** Plans every environment's DNS stage: zones, automatic delegations, manual delegations and stack order. */
export function planHostedZones(environments: readonly ZoneEnvironment[]): Map<string, EnvironmentZonePlan> {
  const declared = declarations(environments);
  const created = creators(declared);
  const delegations = new Map<string, PlannedDelegation[]>(environments.map((environment) => [environment.name, []]));
  const manual = new Map<string, ManualDelegation[]>(environments.map((environment) => [environment.name, []]));
  /** Environment whose DNS stack writes the delegation of each created zone. */
  const delegatedBy = new Map<string, string>();
  for (const zone of created.values()) {
    const parent = closestParent(zone.name, declared);
    const parentCreator = parent ? created.get(parent.name) : undefined;
    if (parent && parentCreator && parentCreator.accountId === zone.accountId) {
      delegations.get(parentCreator.environment)?.push({ parentKey: parentCreator.key, parent: parentCreator.name, child: zone.name, childEnvironment: zone.environment });
      delegatedBy.set(zone.name, parentCreator.environment);
      continue;
    }
    const target = parent?.name ?? parentDomain(zone.name);
    const reason = !parent
      ? `no zone of this configuration encloses it: add its NS records to ${target} at that domain's DNS provider or registrar`
      : !parentCreator
        ? `its parent zone ${parent.name} (edge.domains.${parent.key} of ${parent.environment}) is looked up, not created, by the platform: add the NS records there`
        : `its parent zone ${parent.name} is created by ${parentCreator.environment} in account ${parentCreator.accountId}, another account: add the NS records there`;
    manual.get(zone.environment)?.push({ zone: zone.name, parent: target, reason });
  }
  const plan = new Map<string, EnvironmentZonePlan>();
  for (const environment of environments) {
    const own = created.size === 0 ? [] : [...created.values()].filter((zone) => zone.environment === environment.name);
    const used = Object.values(environment.domains).map((domain) => domain.name);
    const infraAfter = new Set<string>();
    for (const name of used) {
      const creator = created.get(name);
      if (creator) infraAfter.add(creator.environment);
      const delegator = delegatedBy.get(name);
      if (delegator) infraAfter.add(delegator);
    }
    const mine = delegations.get(environment.name) ?? [];
    plan.set(environment.name, {
      environment: environment.name,
      accountId: environment.accountId,
      created: own.map((zone) => ({ key: zone.key, name: zone.name })),
      delegations: mine,
      manual: manual.get(environment.name) ?? [],
      infraAfterDnsOf: [...infraAfter].sort(),
      dnsAfterDnsOf: [...new Set(mine.map((delegation) => delegation.childEnvironment).filter((name) => name !== environment.name))].sort(),
    });
  }
  return plan;
}

/** A zone two environments both create: only one of them can be delegated. */
export interface ZoneConflict {
  readonly environment: string;
  readonly key: string;
  readonly name: string;
  readonly createdBy: { readonly environment: string; readonly key: string };
}

/** Zones created by more than one environment (reported on every declaration after the first, in the given order). */
export function zoneCreationConflicts(environments: readonly ZoneEnvironment[]): ZoneConflict[] {
  const first = new Map<string, Declared>();
  const conflicts: ZoneConflict[] = [];
  for (const zone of declarations(environments)) {
    if (zone.mode !== "create") continue;
    const other = first.get(zone.name);
    if (other) conflicts.push({ environment: zone.environment, key: zone.key, name: zone.name, createdBy: { environment: other.environment, key: other.key } });
    else first.set(zone.name, zone);
  }
  return conflicts;
}

/**
 * The environments with a DNS stack in an order where each comes after the DNS stacks it reads (dnsAfterDnsOf), or
 * the environments of a cycle (zones of two environments nested in each other both ways), which cannot be applied.
 */
export function dnsStackOrder(plan: ReadonlyMap<string, EnvironmentZonePlan>): { readonly order: readonly string[]; readonly cycle?: readonly string[] } {
  const withStack = [...plan.values()].filter(hasDnsStack).map((entry) => entry.environment);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  let cycle: string[] | undefined;
  const visit = (name: string, path: readonly string[]): void => {
    if (cycle || state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      cycle = [...path.slice(path.indexOf(name)), name];
      return;
    }
    state.set(name, "visiting");
    for (const dependency of plan.get(name)?.dnsAfterDnsOf ?? []) visit(dependency, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of withStack) visit(name, []);
  return cycle ? { order, cycle } : { order };
}

/** An environment gets a DNS stack when it creates a zone or writes a delegation. */
export function hasDnsStack(plan: EnvironmentZonePlan): boolean {
  return plan.created.length > 0 || plan.delegations.length > 0;
}
