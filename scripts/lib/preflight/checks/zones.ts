/**
 * Zones: every public zone the stack looks up exists in its account, and every zone it validates certificates in is
 * delegated — ACM validates through public DNS, so the parent's NS records must list exactly the zone's name servers
 * (AWS Certificate Manager user guide, "DNS validation"; a zone that is not delegated leaves
 * `aws_acm_certificate_validation` waiting until it times out). Requirements come from `zoneRequirements`
 * (constructs/policy/zones.ts) over the synthesized stacks.
 *
 * How it asks:
 * - Route 53 (ListHostedZonesByName, GetHostedZone): the zone exists once, public, and its delegation set;
 * - when a stack of the platform writes the delegation (an NS record in a parent zone of the same account):
 *   ListResourceRecordSets of that parent, so a missing or stale record names the stack to apply;
 * - public DNS, as ACM sees it: the parent's authoritative servers (system resolver), each asked without recursion
 *   for the zone's NS records (dns.ts reads the referral). Every server must delegate to exactly the zone's set.
 */
import { zoneRequirements, type ZoneRequirement } from "../../../../constructs/policy/zones";
import type { SynthesizedStack } from "../../../../constructs/policy/model";
import { errorCode, type AwsApi } from "../aws";
import type { NsQueryOutput } from "../operations";
import { defineCheck, problem, type CheckOutcome, type PreflightProblem } from "../types";
import { list } from "./support";

/** Resolver answers that are facts about the name (not failures of the resolver). */
const NAME_ERRORS = new Set(["ENOTFOUND", "ENODATA", "ESERVFAIL", "NXDOMAIN"]);

export interface HostedZoneFact {
  readonly id: string;
  readonly nameServers: readonly string[];
}

export interface DelegationRecordFact {
  readonly parentZoneId?: string;
  /** NS values of the record named after the zone in the parent (undefined: no such record). */
  readonly values?: readonly string[];
}

export interface PublicDelegationFact {
  /** The parent's authoritative servers, or the resolver's error code when it has none. */
  readonly parentServers: readonly string[] | { readonly error: string };
  readonly answers: readonly { readonly server: string; readonly result: NsQueryOutput | { readonly error: string } }[];
}

export interface ZoneFacts {
  /** zone -> the public hosted zones of that name in the account. */
  readonly hostedZones: ReadonlyMap<string, readonly HostedZoneFact[]>;
  readonly delegationRecords: ReadonlyMap<string, DelegationRecordFact>;
  readonly publicDelegation: ReadonlyMap<string, PublicDelegationFact>;
}

function normalize(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a.map(normalize))].sort();
  const right = [...new Set(b.map(normalize))].sort();
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

async function hostedZones(api: AwsApi, region: string, zone: string): Promise<HostedZoneFact[]> {
  const listed = await api.call("route53:ListHostedZonesByName", region, { DNSName: zone, MaxItems: 100 });
  const matching = (listed.HostedZones ?? []).filter((candidate) => normalize(candidate.Name ?? "") === zone && candidate.Config?.PrivateZone !== true);
  const out: HostedZoneFact[] = [];
  for (const candidate of matching) {
    const id = (candidate.Id ?? "").replace(/^\/hostedzone\//, "");
    const detail = await api.call("route53:GetHostedZone", region, { Id: id });
    out.push({ id, nameServers: (detail.DelegationSet?.NameServers ?? []).map(normalize).sort() });
  }
  return out;
}

async function publicDelegation(api: AwsApi, parent: string, zone: string): Promise<PublicDelegationFact> {
  let parentServers: string[];
  try {
    parentServers = [...(await api.call("dns:ResolveNs", "dns", { Name: parent })).NameServers].map(normalize).sort();
  } catch (error) {
    if (NAME_ERRORS.has(errorCode(error))) return { parentServers: { error: errorCode(error) }, answers: [] };
    throw error;
  }
  const answers: PublicDelegationFact["answers"][number][] = [];
  for (const server of parentServers) {
    try {
      const [address] = (await api.call("dns:Resolve4", "dns", { Name: server })).Addresses;
      if (!address) {
        answers.push({ server, result: { error: "no IPv4 address" } });
        continue;
      }
      answers.push({ server, result: await api.call("dns:QueryNs", "dns", { Server: address, Name: zone }) });
    } catch (error) {
      answers.push({ server, result: { error: `${errorCode(error)}: ${error instanceof Error ? error.message : String(error)}` } });
    }
  }
  return { parentServers, answers };
}

/** The parent domain whose servers must delegate the zone. */
function parentOf(requirement: ZoneRequirement): string {
  return requirement.delegation.kind === "platform" ? requirement.delegation.parentZone : requirement.delegation.parent;
}

function evaluateZone(requirement: ZoneRequirement, facts: ZoneFacts, stack: string, account: string): { problems: PreflightProblem[]; verified: string[] } {
  const { zone } = requirement;
  const where = [...requirement.lookups];
  const problems: PreflightProblem[] = [];
  const found = facts.hostedZones.get(zone) ?? [];
  const creator = requirement.nameServers.kind === "stack-output" ? requirement.nameServers.stack : undefined;
  if (found.length === 0) {
    problems.push(
      problem(
        "error",
        `zone ${zone}`,
        where,
        `no public hosted zone ${zone} in account ${account}: ${stack} looks it up by name and its plan fails`,
        creator ? `apply ${creator} first (it creates the zone)` : `create the hosted zone ${zone} in account ${account}, or correct edge.domains (hostedZone: create makes the DNS stack create it)`,
      ),
    );
    return { problems, verified: [] };
  }
  if (found.length > 1) {
    problems.push(problem("error", `zone ${zone}`, where, `${found.length} public hosted zones named ${zone} in account ${account} (${found.map((item) => item.id).join(", ")}): the lookup by name fails on more than one`, "delete the zones that are not in use (keep the one the parent delegates to)"));
    return { problems, verified: [] };
  }
  const hosted = found[0] as HostedZoneFact;
  if (!requirement.mustBeDelegated) return { problems, verified: [`zone ${zone} exists (${hosted.id})`] };
  const expected = hosted.nameServers;
  const parent = parentOf(requirement);
  if (requirement.delegation.kind === "platform") {
    const record = facts.delegationRecords.get(zone);
    const delegator = requirement.delegation.stack;
    if (!record?.parentZoneId) {
      problems.push(problem("error", `zone ${zone}`, where, `the parent zone ${parent}, where ${delegator} writes the delegation, is not a hosted zone of account ${account}`, `apply ${delegator} first`));
    } else if (!record.values) {
      problems.push(problem("error", `zone ${zone}`, where, `no NS record ${zone} in the parent zone ${parent} (${record.parentZoneId}) yet`, `apply ${delegator} first (it writes the delegation)`));
    } else if (!sameSet(record.values, expected)) {
      problems.push(problem("error", `zone ${zone}`, where, `the NS record ${zone} in ${parent} lists ${list(record.values)}, but the zone's name servers are ${list(expected)}`, `apply ${delegator} (its record follows the zone's name servers)`));
    }
  }
  const fix =
    requirement.delegation.kind === "manual"
      ? `add an NS record named ${zone} in ${parent} (at its DNS provider or registrar) with exactly: ${expected.join(" ")}${creator ? ` (the manual_delegations output of ${creator} lists them)` : ""}`
      : `apply ${requirement.delegation.stack}, and make sure ${parent} itself is delegated`;
  const published = facts.publicDelegation.get(zone);
  if (!published) return { problems, verified: [] };
  if (!Array.isArray(published.parentServers)) {
    const code = (published.parentServers as { error: string }).error;
    problems.push(problem("error", `zone ${zone}`, where, `the parent domain ${parent} has no public name servers (${code}): nothing delegates ${zone}, so ACM cannot validate certificates in it`, requirement.delegation.kind === "manual" ? `register or delegate ${parent} first, then ${fix}` : `delegate ${parent} first`));
    return { problems, verified: [] };
  }
  const wrong: string[] = [];
  for (const { server, result } of published.answers) {
    if ("error" in result) {
      wrong.push(`${server}: no answer (${result.error})`);
      continue;
    }
    const listed = result.Authority.length > 0 ? result.Authority : result.Answer;
    if (result.Rcode !== "NOERROR") wrong.push(`${server}: ${result.Rcode}`);
    else if (listed.length === 0) wrong.push(`${server}: no NS records for ${zone}`);
    else if (!sameSet(listed, expected)) wrong.push(`${server}: ${list(listed)}`);
  }
  if (wrong.length > 0) {
    problems.push(problem("error", `zone ${zone}`, where, `not delegated as ACM needs: the zone's name servers are ${list(expected)}, but the parent's servers answer ${wrong.join("; ")}`, fix));
    return { problems, verified: [] };
  }
  return { problems, verified: [`zone ${zone} delegated from ${parent} to its ${expected.length} name servers (${published.answers.length} parent servers agree)`] };
}

export const zonesCheck = defineCheck<ZoneRequirement[], ZoneFacts>({
  id: "zones",
  title: "zones exist and are delegated",
  requirements(target) {
    const stacks = new Map<string, SynthesizedStack>([...target.models].map(([name, model]) => [name, model.json]));
    const requirements = zoneRequirements(stacks, target.stack, target.models);
    return requirements.length > 0 ? requirements : undefined;
  },
  async collect(requirements, api, target) {
    const region = target.entry.account.region;
    const zones = new Map<string, HostedZoneFact[]>();
    const records = new Map<string, DelegationRecordFact>();
    const published = new Map<string, PublicDelegationFact>();
    for (const requirement of requirements) {
      const found = await hostedZones(api, region, requirement.zone);
      zones.set(requirement.zone, found);
      if (!requirement.mustBeDelegated || found.length !== 1) continue;
      if (requirement.delegation.kind === "platform") {
        const [parent] = await hostedZones(api, region, requirement.delegation.parentZone);
        if (!parent) {
          records.set(requirement.zone, {});
        } else {
          const sets = await api.call("route53:ListResourceRecordSets", region, { HostedZoneId: parent.id, StartRecordName: requirement.zone, StartRecordType: "NS", MaxItems: 1 });
          const record = (sets.ResourceRecordSets ?? []).find((set) => normalize(set.Name ?? "") === requirement.zone && set.Type === "NS");
          records.set(requirement.zone, { parentZoneId: parent.id, ...(record ? { values: (record.ResourceRecords ?? []).map((value) => normalize(value.Value ?? "")) } : {}) });
        }
      }
      published.set(requirement.zone, await publicDelegation(api, parentOf(requirement), requirement.zone));
    }
    return { hostedZones: zones, delegationRecords: records, publicDelegation: published };
  },
  evaluate(requirements, facts, target): CheckOutcome {
    const results = requirements.map((requirement) => evaluateZone(requirement, facts, target.stack, target.entry.account.accountId));
    return { problems: results.flatMap((result) => result.problems), verified: results.flatMap((result) => result.verified) };
  },
});
