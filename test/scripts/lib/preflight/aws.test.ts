/**
 * The preflight's AWS layer: the recorded layer (--recorded), the recording layer (--record), sharing of calls, and
 * the DNS query that reads a parent's referral (against a DNS server on the loopback address).
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode, encode } from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { AwsCallError, errorCode, memoized, NotRecordedError, recordedApi, recordingApi, type AwsApi } from "../../../../scripts/lib/preflight/aws";
import { queryNs } from "../../../../scripts/lib/preflight/dns";
import { parseState } from "../../../../scripts/lib/preflight/state";

const temporary: string[] = [];
afterEach(() => {
  for (const created of temporary.splice(0)) rmSync(created, { recursive: true, force: true });
});
function directory(): string {
  const created = mkdtempSync(join(tmpdir(), "preflight-aws-"));
  temporary.push(created);
  return created;
}

describe("the recorded layer", () => {
  const role = (name: string) => ({ Role: { RoleName: name, Path: "/", Arn: `arn:aws:iam::111111111111:role/${name}` } });

  it("answers with the most specific matching response of the first source that has one", async () => {
    const base = directory();
    mkdirSync(join(base, "iam"));
    writeFileSync(join(base, "iam", "GetRole.json"), JSON.stringify({ responses: [{ output: role("any") }, { input: { RoleName: "a" }, output: role("a") }] }));
    const api = recordedApi([{ "iam:GetRole": [{ input: { RoleName: "b" }, output: role("b-overlay") }] }, base]);
    expect((await api.call("iam:GetRole", "eu-west-1", { RoleName: "a" })).Role?.RoleName).toBe("a");
    expect((await api.call("iam:GetRole", "eu-west-1", { RoleName: "b" })).Role?.RoleName).toBe("b-overlay");
    expect((await api.call("iam:GetRole", "eu-west-1", { RoleName: "c" })).Role?.RoleName).toBe("any");
  });

  it("matches the region when a response names one, replays AWS's errors, and names the file to add for a call it lacks", async () => {
    const api = recordedApi([
      {
        "iam:GetRole": [{ region: "us-east-1", input: { RoleName: "x" }, error: { name: "NoSuchEntityException", message: "The role with name x cannot be found." } }],
      },
    ]);
    const denied = await api.call("iam:GetRole", "us-east-1", { RoleName: "x" }).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(AwsCallError);
    expect(errorCode(denied)).toBe("NoSuchEntityException");
    const missing = await api.call("iam:GetRole", "eu-west-1", { RoleName: "x" }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotRecordedError);
    expect((missing as Error).message).toBe('no recorded response for iam:GetRole in eu-west-1 with input {"RoleName":"x"}: add one to (in-memory responses)');
  });

  it("rejects a file that is not a recorded response file, naming it", async () => {
    const base = directory();
    mkdirSync(join(base, "sts"));
    writeFileSync(join(base, "sts", "GetCallerIdentity.json"), JSON.stringify({ Account: "111111111111" }));
    await expect(recordedApi([base]).call("sts:GetCallerIdentity", "eu-west-1", {})).rejects.toThrow(`${join(base, "sts", "GetCallerIdentity.json")}: expected {"responses": [...]}`);
  });
});

describe("the recording layer (--record)", () => {
  it("writes every response and every AWS error in the recorded format, which the recorded layer replays", async () => {
    const answers: AwsApi = {
      call: async (operation, _region, input) => {
        if (operation === "iam:GetRole" && (input as { RoleName: string }).RoleName === "gone") throw new AwsCallError("NoSuchEntityException", "The role with name gone cannot be found.", operation, "eu-west-1");
        return { Role: { RoleName: (input as { RoleName: string }).RoleName } } as never;
      },
    };
    const out = directory();
    const recording = recordingApi(answers, out);
    await recording.call("iam:GetRole", "eu-west-1", { RoleName: "kept" });
    await expect(recording.call("iam:GetRole", "eu-west-1", { RoleName: "gone" })).rejects.toThrow(AwsCallError);
    recording.flush();
    const replay = recordedApi([out]);
    expect(await replay.call("iam:GetRole", "eu-west-1", { RoleName: "kept" })).toEqual({ Role: { RoleName: "kept" } });
    await expect(replay.call("iam:GetRole", "eu-west-1", { RoleName: "gone" })).rejects.toMatchObject({ code: "NoSuchEntityException" });
  });

  it("keeps of a state object only resource addresses and their id, arn and name", async () => {
    const state = { version: 4, serial: 3, lineage: "l", resources: [{ mode: "managed", type: "aws_db_instance", name: "db", instances: [{ attributes: { id: "db-1", arn: "arn:aws:rds:eu-west-1:111111111111:db:db-1", name: "db", password: "never-recorded" } }] }] };
    const out = directory();
    const recording = recordingApi({ call: async () => ({ Body: JSON.stringify(state) }) as never }, out);
    await recording.call("s3:GetObject", "eu-west-1", { Bucket: "b", Key: "k" });
    recording.flush();
    const text = readFileSync(join(out, "s3", "GetObject.json"), "utf8");
    expect(text).not.toContain("never-recorded");
    const body = (JSON.parse(text) as { responses: { output: { Body: string } }[] }).responses[0]?.output.Body ?? "";
    expect([...parseState(body).values()]).toEqual([{ address: "aws_db_instance.db", type: "aws_db_instance", instances: [{ id: "db-1", arn: "arn:aws:rds:eu-west-1:111111111111:db:db-1", name: "db" }] }]);
  });
});

describe("memoized", () => {
  it("sends one request per operation, region and input (whatever the key order)", async () => {
    let calls = 0;
    const api = memoized({ call: async () => (calls += 1) as never });
    await Promise.all([api.call("ec2:DescribeSubnets", "eu-west-1", { SubnetIds: ["a"], MaxResults: 5 }), api.call("ec2:DescribeSubnets", "eu-west-1", { MaxResults: 5, SubnetIds: ["a"] })]);
    await api.call("ec2:DescribeSubnets", "eu-west-2", { SubnetIds: ["a"], MaxResults: 5 });
    expect(calls).toBe(2);
  });
});

describe("the NS query to a parent's server", () => {
  let server: Socket | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  /** A DNS server on the loopback address answering NS queries with a referral (records in the authority section). */
  async function referralServer(nameServers: readonly string[]): Promise<{ port: number; recursionAsked: boolean[] }> {
    const recursionAsked: boolean[] = [];
    server = createSocket("udp4");
    server.on("message", (message, remote) => {
      const query = decode(message);
      recursionAsked.push(query.flag_rd);
      const [question] = query.questions ?? [];
      const response = encode({
        type: "response",
        id: query.id,
        flags: 0,
        questions: query.questions,
        authorities: nameServers.map((data) => ({ type: "NS", name: question?.name ?? "", ttl: 172800, class: "IN", data: `${data}.` })),
      });
      server?.send(response, remote.port, remote.address);
    });
    await new Promise<void>((resolve) => server?.bind(0, "127.0.0.1", resolve));
    return { port: server.address().port, recursionAsked };
  }

  it("reads the delegation from the authority section, without asking for recursion", async () => {
    const { port, recursionAsked } = await referralServer(["ns-250.awsdns-31.com", "NS-1021.awsdns-63.net"]);
    const answer = await queryNs("127.0.0.1", "acme.example.com", port);
    expect(answer).toEqual({ Rcode: "NOERROR", Authoritative: false, Answer: [], Authority: ["ns-1021.awsdns-63.net", "ns-250.awsdns-31.com"] });
    expect(recursionAsked).toEqual([false]);
  });

  it("fails with the server and the reason when nothing answers", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    try {
      await expect(queryNs("127.0.0.1", "acme.example.com", silent.address().port, 50)).rejects.toThrow("no answer from 127.0.0.1 within 50 ms");
    } finally {
      silent.close();
    }
  });
});
