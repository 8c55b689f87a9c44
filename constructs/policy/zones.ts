/**
 * Hosted zones across synthesized stacks (pure: read from the JSON, so every stack, present and future, is covered).
 *
 * - `certificateZoneProblems`: ACM issues a DNS-validated certificate only once its validation CNAME resolves through
 *   public DNS (AWS Certificate Manager user guide, "DNS validation"), which needs the zone to be delegated from its
 *   parent. A zone created in the same apply is not delegated yet, so `aws_acm_certificate_validation` waits until it
 *   times out (75 minutes by default) and everything that depends on the certificate fails. No stack may write a
 *   certificate's validation records into a zone it creates, or looks up by the name of a zone it creates.
 * - `zoneRequirements`: what the preflight checks before a stack is applied — every public zone the stack looks up must
 *   exist, and a zone certificates are validated in must be delegated: its parent's NS records must equal the zone's
 *   name servers. Where the expected name servers come from, and who writes the delegation, is read from the stacks.
 */
import { type Block, literal, StackModel, type SynthesizedStack } from "./model";

// ---------------------------------------------------------------------------------------------------------
// Check (f): no certificate validates in a zone created in the same stack.

export interface CertificateZoneProblem {
  /** The validation record or certificate validation at fault. */
  readonly block: Block;
  /** The zone resource created in the same stack. */
  readonly zone: Block;
  readonly message: string;
}

/** Validation records of ACM certificates: Route 53 records that take their name, value or for_each from a certificate. */
export function certificateValidationRecords(model: StackModel): { record: Block; certificates: Block[] }[] {
  return model
    .resources("aws_route53_record")
    .map((record) => ({ record, certificates: model.references(record).filter((target) => target.kind === "resource" && target.type === "aws_acm_certificate") }))
    .filter((entry) => entry.certificates.length > 0);
}

/** The zone a record is written to, when the stack declares it: a created zone, or a lookup. */
function zoneOf(model: StackModel, record: Block): Block | undefined {
  return model.refsIn(record.body.zone_id).find((target) => target.type === "aws_route53_zone");
}

/** The zone resource of this stack behind `zone`: itself, or the resource a lookup resolves to by reference or by name. */
function createdZoneBehind(model: StackModel, zone: Block): Block | undefined {
  if (zone.kind === "resource") return zone;
  const referenced = model.refsIn(zone.body).find((target) => target.kind === "resource" && target.type === "aws_route53_zone");
  if (referenced) return referenced;
  const name = literal(zone.body.name);
  const zoneId = literal(zone.body.zone_id);
  return model.resources("aws_route53_zone").find((created) => (name !== undefined && sameName(literal(created.body.name), name)) || (zoneId !== undefined && zoneId === literal(created.body.zone_id)));
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();
}

/** Every certificate validation of the stack that depends on a zone the same stack creates. */
export function certificateZoneProblems(model: StackModel): CertificateZoneProblem[] {
  const problems: CertificateZoneProblem[] = [];
  const recordsInCreatedZones = new Map<string, Block>();
  for (const { record, certificates } of certificateValidationRecords(model)) {
    const zone = zoneOf(model, record);
    const created = zone ? createdZoneBehind(model, zone) : undefined;
    if (!created) continue;
    recordsInCreatedZones.set(record.address, created);
    problems.push({
      block: record,
      zone: created,
      message:
        `writes the DNS validation record of ${certificates.map((certificate) => certificate.address).join(", ")} into zone ${literal(created.body.name) ?? created.address} ` +
        `(${created.path}), which this stack creates: the zone is not delegated during this apply, so ACM cannot validate. ` +
        "Create the zone in the DNS stage (<env>-dns) and look it up by name here.",
    });
  }
  for (const validation of model.resources("aws_acm_certificate_validation")) {
    const zones = model.refsIn(validation.body.validation_record_fqdns).flatMap((record) => {
      const zone = recordsInCreatedZones.get(record.address);
      return zone ? [zone] : [];
    });
    const zone = zones[0];
    if (!zone) continue;
    problems.push({
      block: validation,
      zone,
      message: `waits for validation records in zone ${literal(zone.body.name) ?? zone.address} (${zone.path}), which this stack creates: it would time out on the first apply`,
    });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Preflight: the zones a stack needs.

/** Where the name servers a zone's delegation must list come from. */
export type NameServerSource =
  /** A zone the platform creates: the creating stack's output (a map of zone name to name servers) at `key`. */
  | { readonly kind: "stack-output"; readonly stack: string; readonly output: string; readonly key: string }
  /** A zone created outside the platform: its delegation set (Route 53 GetHostedZone, `DelegationSet.NameServers`). */
  | { readonly kind: "hosted-zone"; readonly name: string };

/** Who lists the name servers in the parent zone. */
export type DelegationSource =
  /** An NS record a stack of the platform writes in the parent zone. */
  | { readonly kind: "platform"; readonly stack: string; readonly address: string; readonly parentZone: string }
  /** The operator, in the parent domain (at its DNS provider or registrar, or in a zone the platform only looks up). */
  | { readonly kind: "manual"; readonly parent: string };

export interface ZoneRequirement {
  /** The zone's DNS name. */
  readonly zone: string;
  /** The stack's lookups of it (`data.aws_route53_zone.*`). */
  readonly lookups: readonly string[];
  /**
   * Certificate validation records are written to it, so it must be delegated (publicly resolvable) before the
   * stack is applied; otherwise it only has to exist.
   */
  readonly mustBeDelegated: boolean;
  readonly nameServers: NameServerSource;
  readonly delegation: DelegationSource;
}

/** The output of a DNS stack that maps zone names to their name servers (stacks/dns.ts). */
export const NAME_SERVERS_OUTPUT = "name_servers";

interface ZoneIndex {
  /** zone name -> stack and zone resource that creates it. */
  readonly created: Map<string, { stack: string; block: Block; json: SynthesizedStack }>;
  /** zone name -> stack and NS record that delegates it. */
  readonly delegated: Map<string, { stack: string; record: Block; parentZone: string }>;
}

function indexZones(models: ReadonlyMap<string, StackModel>): ZoneIndex {
  const created: ZoneIndex["created"] = new Map();
  const delegated: ZoneIndex["delegated"] = new Map();
  for (const [stack, model] of models) {
    for (const zone of model.resources("aws_route53_zone")) {
      const name = literal(zone.body.name);
      if (name !== undefined && !isPrivate(zone)) created.set(normalize(name), { stack, block: zone, json: model.json });
    }
    for (const record of model.resources("aws_route53_record")) {
      const name = literal(record.body.name);
      if (name === undefined || literal(record.body.type) !== "NS") continue;
      const parent = zoneOf(model, record);
      const parentZone = parent ? literal(parent.body.name) : undefined;
      if (parentZone !== undefined) delegated.set(normalize(name), { stack, record, parentZone: normalize(parentZone) });
    }
  }
  return { created, delegated };
}

function normalize(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

function isPrivate(zone: Block): boolean {
  return zone.body.vpc !== undefined || zone.body.private_zone === true || zone.body.private_zone === "true";
}

/** True when the stack's output `name` is a map with key `key`. */
function outputHasKey(json: SynthesizedStack, name: string, key: string): boolean {
  const value = (json.output?.[name] as { value?: unknown } | undefined)?.value;
  return value !== null && typeof value === "object" && Object.keys(value).some((candidate) => normalize(candidate) === key);
}

/** The closest enclosing zone any stack creates or looks up, else the parent domain (`a.example.com` -> `example.com`). */
function parentOf(zone: string, known: readonly string[]): string {
  const enclosing = known.filter((candidate) => zone.endsWith(`.${candidate}`)).sort((a, b) => b.length - a.length);
  return enclosing[0] ?? zone.slice(zone.indexOf(".") + 1);
}

/**
 * The zones `stack` looks up (public `data.aws_route53_zone` by name), with whether each must be delegated before the
 * stack is applied, where its expected name servers come from and who delegates it. `stacks` is every synthesized
 * stack (name -> JSON): the creating and delegating stacks are found among them.
 */
export function zoneRequirements(stacks: ReadonlyMap<string, SynthesizedStack>, stack: string, models?: ReadonlyMap<string, StackModel>): ZoneRequirement[] {
  const all = models ?? new Map([...stacks].map(([name, json]) => [name, new StackModel(json, name)] as const));
  const model = all.get(stack);
  if (!model) throw new Error(`zoneRequirements: no synthesized stack named ${stack}`);
  const index = indexZones(all);
  const knownZones = [...new Set([...index.created.keys(), ...[...all.values()].flatMap((other) => other.dataSources("aws_route53_zone").flatMap((lookup) => (literal(lookup.body.name) ? [normalize(literal(lookup.body.name) as string)] : [])))])];
  const validated = new Set(certificateValidationRecords(model).flatMap(({ record }) => {
    const zone = zoneOf(model, record);
    return zone?.kind === "data" ? [zone.address] : [];
  }));
  const byZone = new Map<string, { lookups: string[]; mustBeDelegated: boolean }>();
  for (const lookup of model.dataSources("aws_route53_zone")) {
    const name = literal(lookup.body.name);
    if (name === undefined || lookup.body.private_zone === true || lookup.body.private_zone === "true") continue;
    const key = normalize(name);
    const entry = byZone.get(key) ?? { lookups: [], mustBeDelegated: false };
    entry.lookups.push(lookup.address);
    entry.mustBeDelegated ||= validated.has(lookup.address);
    byZone.set(key, entry);
  }
  return [...byZone]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zone, { lookups, mustBeDelegated }]) => {
      const creator = index.created.get(zone);
      const nameServers: NameServerSource =
        creator && outputHasKey(creator.json, NAME_SERVERS_OUTPUT, zone)
          ? { kind: "stack-output", stack: creator.stack, output: NAME_SERVERS_OUTPUT, key: zone }
          : { kind: "hosted-zone", name: zone };
      const delegator = index.delegated.get(zone);
      const delegation: DelegationSource = delegator
        ? { kind: "platform", stack: delegator.stack, address: delegator.record.address, parentZone: delegator.parentZone }
        : { kind: "manual", parent: parentOf(zone, knownZones.filter((candidate) => candidate !== zone)) };
      return { zone, lookups, mustBeDelegated, nameServers, delegation };
    });
}
