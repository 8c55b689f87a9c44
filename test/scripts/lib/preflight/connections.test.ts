/**
 * The GitHub-connection check (CodeConnections): a stack that names a connection needs it AVAILABLE; one it creates is
 * PENDING until a human completes the handshake. The bundled stacks name none, so the check runs on a stack JSON.
 */
import { describe, expect, it } from "vitest";
import { StackModel, type SynthesizedStack } from "../../../../constructs/policy/model";
import { recordedApi } from "../../../../scripts/lib/preflight/aws";
import { connectionRequirements, connectionsCheck } from "../../../../scripts/lib/preflight/checks/connections";
import type { PreflightTarget } from "../../../../scripts/lib/preflight/types";

const ARN = "arn:aws:codeconnections:eu-west-1:111111111111:connection/8f14e45f-ceea-467f-a8f4-3b2c1d0e9a7b";

const json: SynthesizedStack = {
  provider: { aws: [{ region: "eu-west-1" }] },
  resource: {
    aws_codebuild_source_credential: { github: { auth_type: "CODECONNECTIONS", server_type: "GITHUB", token: ARN } },
    aws_codeconnections_connection: { github_new: { name: "acme-github", provider_type: "GitHub" } },
  },
} as SynthesizedStack;
const model = new StackModel(json, "ci-runners");
const target = { stack: "ci-runners", model, entry: { account: { accountId: "111111111111", region: "eu-west-1" } } } as unknown as PreflightTarget;

async function run(status: string | undefined) {
  const requirements = connectionRequirements(model);
  if (!requirements) throw new Error("no requirements");
  const api = recordedApi([
    {
      "codestar-connections:GetConnection": [
        status === undefined
          ? { input: { ConnectionArn: ARN }, error: { name: "ResourceNotFoundException", message: `Connection ${ARN} not found` } }
          : { input: { ConnectionArn: ARN }, output: { Connection: { ConnectionName: "acme-github", ConnectionArn: ARN, ProviderType: "GitHub", OwnerAccountId: "111111111111", ConnectionStatus: status } } },
      ],
    },
  ]);
  const facts = await connectionsCheck.collect(requirements, api, { ...target, state: undefined } as PreflightTarget);
  return connectionsCheck.evaluate(requirements, facts, target);
}

describe("GitHub connections", () => {
  it("finds connection ARNs in any resource and the connections the stack creates", () => {
    expect(connectionRequirements(model)).toEqual({ referenced: new Map([[ARN, ["aws_codebuild_source_credential.github"]]]), created: ["aws_codeconnections_connection.github_new"] });
  });

  it("an AVAILABLE connection passes; the one created by this apply is a warning to authorize after it", async () => {
    const outcome = await run("AVAILABLE");
    expect(outcome.verified).toEqual([`connection ${ARN} AVAILABLE`]);
    expect(outcome.problems.map((item) => `${item.severity}: ${item.subject} ${item.message}`)).toEqual(["warning: connection aws_codeconnections_connection.github_new is created by this apply in PENDING status"]);
  });

  it("a PENDING or missing connection is an error with the console step", async () => {
    const pending = await run("PENDING");
    expect(pending.problems[0]).toMatchObject({ severity: "error", where: ["aws_codebuild_source_credential.github"], message: expect.stringContaining("is PENDING: the runners that use it cannot start") as unknown, fix: expect.stringContaining("Update pending connection") as unknown });
    const missing = await run(undefined);
    expect(missing.problems[0]).toMatchObject({ severity: "error", message: "does not exist" });
  });
});
