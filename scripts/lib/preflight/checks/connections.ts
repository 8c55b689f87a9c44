/**
 * Connections to GitHub (AWS CodeConnections, formerly CodeStar Connections) that the stack's resources use, such as
 * the source credential of CodeBuild-hosted GitHub Actions runners: a connection is created PENDING and only a human
 * can complete its handshake with GitHub in the console ("A connection created through the AWS CLI or AWS
 * CloudFormation is in PENDING status by default ... you must use the console to update a pending connection",
 * CodeConnections user guide, "Update a pending connection"). Until it is AVAILABLE the runners never start and the
 * jobs that need them wait in the queue.
 *
 * Found generically: every literal connection ARN in the stack's resources (GetConnection: it must be AVAILABLE), and
 * every connection resource the stack creates (in the state: its status; new: created PENDING, to authorize after the
 * apply).
 */
import { literal, type StackModel } from "../../../../constructs/policy/model";
import { errorCode } from "../aws";
import { collectStackState, type StackState } from "../state";
import { defineCheck, problem, type PreflightProblem } from "../types";

const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
const CONNECTION_TYPES = ["aws_codestarconnections_connection", "aws_codeconnections_connection"];

export interface ConnectionRequirements {
  /** Connection ARN -> resources that name it. */
  readonly referenced: ReadonlyMap<string, readonly string[]>;
  /** Connection resources the stack creates (addresses). */
  readonly created: readonly string[];
}

export interface ConnectionFacts {
  /** ARN -> ConnectionStatus (or `missing`). */
  readonly status: ReadonlyMap<string, string>;
  readonly state?: StackState;
}

function literalStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (literal(value) !== undefined) out.push(value);
  } else if (Array.isArray(value)) value.forEach((item) => literalStrings(item, out));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((item) => literalStrings(item, out));
  return out;
}

export function connectionRequirements(model: StackModel): ConnectionRequirements | undefined {
  const referenced = new Map<string, string[]>();
  for (const block of model.all()) {
    if (block.kind !== "resource") continue;
    for (const value of literalStrings(block.body)) if (CONNECTION_ARN.test(value)) referenced.set(value, [...(referenced.get(value) ?? []), block.address]);
  }
  const created = model.resources(...CONNECTION_TYPES).map((block) => block.address);
  return referenced.size > 0 || created.length > 0 ? { referenced, created } : undefined;
}

export const connectionsCheck = defineCheck<ConnectionRequirements, ConnectionFacts>({
  id: "connections",
  title: "GitHub connections available",
  requirements: (target) => connectionRequirements(target.model),
  async collect(requirements, api, target) {
    const state = requirements.created.length > 0 && target.state ? await collectStackState(api, target.state) : undefined;
    const arns = new Set(requirements.referenced.keys());
    for (const address of requirements.created) for (const instance of state?.resources.get(address)?.instances ?? []) if (instance.arn) arns.add(instance.arn);
    const status = new Map<string, string>();
    for (const arn of arns) {
      const region = arn.split(":")[3] as string;
      try {
        const answer = await api.call("codestar-connections:GetConnection", region, { ConnectionArn: arn });
        status.set(arn, answer.Connection?.ConnectionStatus ?? "UNKNOWN");
      } catch (error) {
        if (errorCode(error) !== "ResourceNotFoundException") throw error;
        status.set(arn, "missing");
      }
    }
    return { status, ...(state ? { state } : {}) };
  },
  evaluate(requirements, facts) {
    const problems: PreflightProblem[] = [];
    const verified: string[] = [];
    const judge = (arn: string, where: readonly string[]) => {
      const status = facts.status.get(arn);
      if (status === "AVAILABLE") verified.push(`connection ${arn} AVAILABLE`);
      else if (status === "missing") problems.push(problem("error", `connection ${arn}`, where, "does not exist", "create the connection (Developer Tools > Settings > Connections), authorize it, and put its ARN in configuration"));
      else problems.push(problem("error", `connection ${arn}`, where, `is ${status}: the runners that use it cannot start until a human completes the handshake with GitHub`, "open it in the console (Developer Tools > Settings > Connections), choose Update pending connection and authorize the GitHub App for the repository"));
    };
    for (const [arn, where] of requirements.referenced) judge(arn, where);
    for (const address of requirements.created) {
      const arns = (facts.state?.resources.get(address)?.instances ?? []).flatMap((instance) => (instance.arn ? [instance.arn] : []));
      if (arns.length === 0) {
        problems.push(problem("warning", `connection ${address}`, [address], "is created by this apply in PENDING status", "after the apply, complete its handshake in the console (Developer Tools > Settings > Connections > Update pending connection); run the preflight again to confirm it is AVAILABLE"));
      } else for (const arn of arns) judge(arn, [address]);
    }
    return { problems, verified };
  },
});
