/**
 * DNS as the preflight asks it (the `dns:*` operations of operations.ts), the way ACM sees it:
 *
 * - `dns:ResolveNs` / `dns:Resolve4`: the system resolver (node:dns), to find a parent domain's authoritative name
 *   servers and their addresses;
 * - `dns:QueryNs`: one NS query, without recursion, to one of those servers. A parent that delegates a zone answers
 *   with a referral: no answer, the zone's NS records in the AUTHORITY section. node:dns (c-ares) reads only the
 *   answer section of a response, so a referral would look like "no data": the query is built and parsed with
 *   dns-packet and sent over UDP (TCP when the answer is truncated is not needed for NS sets of a few names; a
 *   truncated answer is reported as such).
 */
import { createSocket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import { randomInt } from "node:crypto";
import { decode, encode, type Answer } from "dns-packet";
import type { InputOf, NsQueryOutput, OperationName, OutputOf } from "./operations";
import { AwsCallError } from "./errors";

/** How long one NS query waits for its answer, and how often it is sent. */
export const QUERY_TIMEOUT_MS = 3000;
export const QUERY_ATTEMPTS = 2;
export const DNS_PORT = 53;

function nsNames(records: readonly Answer[] | undefined, name: string): string[] {
  const wanted = name.replace(/\.$/, "").toLowerCase();
  return (records ?? [])
    .filter((record) => record.type === "NS" && record.name.replace(/\.$/, "").toLowerCase() === wanted)
    .map((record) => String((record as { data: unknown }).data).replace(/\.$/, "").toLowerCase())
    .sort();
}

/** Sends one NS query for `name` to `server` (UDP), without asking for recursion. */
export async function queryNs(server: string, name: string, port = DNS_PORT, timeoutMs = QUERY_TIMEOUT_MS): Promise<NsQueryOutput> {
  const id = randomInt(0, 0xffff);
  // RD off: a parent's authoritative server answers for itself (a referral), never by asking others.
  const query = encode({ type: "query", id, flags: 0, questions: [{ type: "NS", name, class: "IN" }] });
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < QUERY_ATTEMPTS; attempt += 1) {
    try {
      const response = await new Promise<Buffer>((resolve, reject) => {
        const socket = createSocket(server.includes(":") ? "udp6" : "udp4");
        const timer = setTimeout(() => {
          socket.close();
          reject(new Error(`no answer from ${server} within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.on("message", (message) => {
          if (message.length < 2 || message.readUInt16BE(0) !== id) return; // not ours
          clearTimeout(timer);
          socket.close();
          resolve(message);
        });
        socket.on("error", (error) => {
          clearTimeout(timer);
          socket.close();
          reject(error);
        });
        socket.send(query, port, server);
      });
      const packet = decode(response);
      if (packet.flag_tc) throw new Error(`the answer of ${server} for ${name} NS was truncated`);
      return {
        Rcode: (packet as { rcode?: string }).rcode ?? "NOERROR",
        Authoritative: packet.flag_aa,
        Answer: nsNames(packet.answers, name),
        Authority: nsNames(packet.authorities, name),
      };
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
    }
  }
  throw new AwsCallError("DnsQueryFailed", lastError?.message ?? `no answer from ${server}`, "dns:QueryNs", "dns");
}

/** The live `dns:*` operations. */
export async function dnsCall<K extends OperationName>(operation: K, input: InputOf<K>): Promise<OutputOf<K>> {
  const resolver = new Resolver();
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "DnsError";
      throw new AwsCallError(code, error instanceof Error ? error.message : String(error), operation, "dns");
    }
  };
  switch (operation) {
    case "dns:ResolveNs": {
      const { Name } = input as InputOf<"dns:ResolveNs">;
      const names = await wrap(() => resolver.resolveNs(Name));
      return { NameServers: names.map((server) => server.replace(/\.$/, "").toLowerCase()).sort() } as OutputOf<K>;
    }
    case "dns:Resolve4": {
      const { Name } = input as InputOf<"dns:Resolve4">;
      return { Addresses: await wrap(() => resolver.resolve4(Name)) } as OutputOf<K>;
    }
    case "dns:QueryNs": {
      const { Server, Name } = input as InputOf<"dns:QueryNs">;
      return (await queryNs(Server, Name)) as OutputOf<K>;
    }
    default:
      throw new Error(`preflight: unknown DNS operation ${operation}`);
  }
}
