import { describe, expect, it } from "vitest";
import managed from "../../../../constructs/policy/iam/aws-managed-policies.json";
import classified from "../../../../constructs/policy/iam/aws-managed-admin-equivalent.json";
import { normalizeIamDocument, type IamDocument } from "../../../../constructs/policy/iam/documents";
import { adminEquivalence, ESCALATION_METHODS, escalationMethods, grantOf } from "../../../../constructs/policy/iam/escalation";
import { StackModel } from "../../../../constructs/policy/model";
import { ReferenceResolver, type AccountScope } from "../../../../constructs/policy/iam/resolve";

const SELF = "arn:aws:iam::123456789012:role/acme-app";

function doc(...statements: IamDocument["Statement"]): IamDocument {
  return { Version: "2012-10-17", Statement: statements };
}

const ids = (documents: IamDocument[]) => escalationMethods(documents, { arn: SELF }).map((method) => method.id);

describe("privilege escalation methods", () => {
  it("cites a published source for every method and needs every action of it", () => {
    for (const method of ESCALATION_METHODS) expect(method.source, method.id).toMatch(/Rhino Security Labs #\d+|pathfinding\.cloud/);
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] })])).toEqual([]);
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] }), doc({ Effect: "Allow", Action: ["ec2:Run*"], Resource: ["*"] })])).toEqual(["PassRole+EC2"]);
  });

  it("counts broad resources and the principal itself, not other named resources", () => {
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PutRolePolicy"], Resource: ["arn:aws:iam::123456789012:role/acme-other"] })])).toEqual([]);
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PutRolePolicy"], Resource: [SELF] })])).toEqual(["PutRolePolicy"]);
    expect(ids([doc({ Effect: "Allow", Action: ["iam:Put*"], Resource: ["arn:aws:iam::123456789012:role/acme-*"] })])).toEqual(expect.arrayContaining(["PutRolePolicy", "PutRolePermissionsBoundary"]));
  });

  it("reads NotAction as everything else, and an unconditional Deny on * as removing the action", () => {
    expect(ids([doc({ Effect: "Allow", NotAction: ["iam:*"], Resource: ["*"] })])).toEqual(expect.arrayContaining(["UpdateFunctionCode", "SSMSendCommand"]));
    expect(ids([doc({ Effect: "Allow", Action: ["iam:CreatePolicyVersion"], Resource: ["*"] }, { Effect: "Deny", Action: ["iam:*"], Resource: ["*"] })])).toEqual([]);
  });

  it("honours the documented mitigations: permissions boundary, policy allow-list, passed-to service", () => {
    const boundary = { "StringEquals": { "iam:PermissionsBoundary": ["arn:aws:iam::123456789012:policy/boundary"] } };
    expect(ids([doc({ Effect: "Allow", Action: ["iam:AttachRolePolicy"], Resource: ["*"], Condition: boundary })])).toEqual([]);
    const readOnly = { "ArnEquals": { "iam:PolicyARN": ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } };
    expect(escalationMethods([doc({ Effect: "Allow", Action: ["iam:AttachRolePolicy"], Resource: ["*"], Condition: readOnly })], {}, (arn) => arn.endsWith("/AdministratorAccess"))).toEqual([]);
    expect(escalationMethods([doc({ Effect: "Allow", Action: ["iam:AttachRolePolicy"], Resource: ["*"], Condition: readOnly })], {}, () => true).map((method) => method.id)).toEqual(["AttachRolePolicy"]);
    const toEks = { "StringEquals": { "iam:PassedToService": ["eks.amazonaws.com"] } };
    const compute = doc({ Effect: "Allow", Action: ["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"], Resource: ["*"] });
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"], Condition: toEks }), compute])).toEqual([]);
    expect(grantOf([doc({ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"], Condition: toEks })], "iam:PassRole", {})?.services).toEqual(["eks.amazonaws.com"]);
    const toLambda = { "StringEquals": { "iam:PassedToService": ["lambda.amazonaws.com"] } };
    expect(ids([doc({ Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"], Condition: toLambda }), compute])).toEqual(["PassRole+Lambda"]);
  });
});

describe("admin-equivalent AWS-managed policies", () => {
  it("classifies the policies everyone knows", () => {
    const reasons = classified.adminEquivalent as Record<string, string>;
    expect(reasons.AdministratorAccess).toBe("allows every action on every resource");
    expect(reasons.PowerUserAccess).toMatch(/^allows every action except iam:\*/);
    expect(reasons.IAMFullAccess).toMatch(/CreatePolicyVersion/);
    expect(reasons.ReadOnlyAccess).toBeUndefined();
    expect(classified.known.length).toBeGreaterThan(1000);
  });

  it("agrees with the analysis for every document the pack keeps (re-run scripts/convert-managed-policies.ts after changing escalation.ts)", () => {
    const reasons = classified.adminEquivalent as Record<string, string>;
    for (const [path, entry] of Object.entries(managed.policies)) {
      const name = path.split("/").pop() as string;
      expect(adminEquivalence(normalizeIamDocument(entry.document)), name).toBe(reasons[name]);
      expect(classified.known, name).toContain(name);
    }
  });
});

describe("policy documents the pack reads", () => {
  const model = new StackModel(
    {
      data: {
        aws_iam_policy_document: {
          base: { statement: [{ sid: "Read", actions: ["s3:GetObject"], resources: ["*"] }, { actions: ["sqs:SendMessage"], resources: ["*"] }] },
          override: { statement: [{ sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] },
          merged: {
            source_policy_documents: ["${data.aws_iam_policy_document.base.json}"],
            override_policy_documents: ["${data.aws_iam_policy_document.override.json}"],
            statement: [{ sid: "List", actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::b"] }],
          },
          dynamic: { dynamic: { statement: { for_each: "${var.x}" } } },
          loop: { source_policy_documents: ["${data.aws_iam_policy_document.loop.json}"] },
        },
      },
    },
    "fixture",
  );

  it("merges source and override documents as the provider does (override by sid, others appended)", () => {
    const read = model.policyStatements("${data.aws_iam_policy_document.merged.json}");
    expect(read?.statements.map((statement) => [statement.sid, statement.actions[0], statement.resources[0]])).toEqual([
      ["Read", "s3:GetObject", "arn:aws:s3:::b/*"],
      [undefined, "sqs:SendMessage", "*"],
      ["List", "s3:ListBucket", "arn:aws:s3:::b"],
    ]);
  });

  it("reads JSON with references inside its strings, and says why it cannot read the rest", () => {
    expect(model.policyStatements('{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"${aws_s3_bucket.b.arn}/*"}]}')?.statements[0]?.resources).toEqual(["${aws_s3_bucket.b.arn}/*"]);
    expect(model.readPolicy("${jsonencode(local.policy)}")).toEqual({ problem: expect.stringMatching(/Terraform expression/) });
    expect(model.readPolicy("${data.aws_iam_policy_document.dynamic.json}")).toEqual({ problem: expect.stringMatching(/dynamic block/) });
    expect(model.readPolicy("${data.aws_iam_policy_document.loop.json}")).toEqual({ problem: expect.stringMatching(/includes itself/) });
    expect(model.readPolicy("${data.aws_iam_policy_document.missing.json}")).toEqual({ problem: expect.stringMatching(/not in this stack/) });
    expect(model.readPolicy("not json")).toEqual({ problem: expect.stringMatching(/not a JSON policy document/) });
  });
});

describe("identifiers another stack publishes", () => {
  const model = new StackModel(
    {
      provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["111111111111"] }] },
      data: {
        aws_ssm_parameter: {
          db: { name: "/acme/prod/services/noor-db/connection" },
          other: { name: "/acme/prod/settings/noor" },
        },
      },
    },
    "fixture",
  );
  const resolver = new ReferenceResolver(model, ReferenceResolver.scopeOf(model) as AccountScope);

  it("stand in for a connection description's resource id and secret ARN when the publishing stack is not at hand", () => {
    expect(resolver.resolve("arn:aws:rds-db:eu-west-1:111111111111:dbuser:${jsondecode(data.aws_ssm_parameter.db.insecure_value).resourceId}/noor")).toBe(
      "arn:aws:rds-db:eu-west-1:111111111111:dbuser:published-noor-db-resourceId/noor",
    );
    expect(resolver.resolve("${jsondecode(data.aws_ssm_parameter.db.insecure_value).secretArn}")).toMatch(/^arn:aws:secretsmanager:eu-west-1:111111111111:secret:published-noor-db-/);
  });

  it("leave every other field, and parameters that are not connection descriptions, unresolved (the document is unreadable)", () => {
    expect(resolver.resolve("${jsondecode(data.aws_ssm_parameter.db.insecure_value).host}")).toBeUndefined();
    expect(resolver.resolve("${jsondecode(data.aws_ssm_parameter.other.insecure_value).resourceId}")).toBeUndefined();
  });
});
