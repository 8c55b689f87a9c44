import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { Naming } from "../../../constructs/core/naming";
import { NamespaceSecrets, storeRoleName } from "../../../constructs/namespace-secrets";
import { synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const OPERATOR = "arn:aws:iam::123456789012:role/acme-prod-external-secrets";
const DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/data";
const props = { namespace: "shop", naming, account: TEST_ACCOUNT, operatorRoleArn: OPERATOR, dataKeyArn: DATA_KEY };

type Statement = { sid?: string; actions: string[]; resources?: string[]; principals?: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] };
function documents(json: ReturnType<typeof synthConstruct>["json"]): Record<string, Statement[]> {
  const docs = (json.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: Statement[] }>;
  return Object.fromEntries(Object.entries(docs).map(([name, doc]) => [name.includes("trust") ? "trust" : "permissions", doc.statement]));
}

describe("NamespaceSecrets", () => {
  it("defaults: a role only the operator assumes, for this namespace's SecretStore sessions, reading the namespace's path", () => {
    const { json, construct } = synthConstruct((scope) => new NamespaceSecrets(scope, "store", props));
    const roles = Object.values(json.resource?.aws_iam_role ?? {});
    expect(roles.map((role) => role.name)).toEqual(["acme-prod-eso-shop"]);
    expect(storeRoleName(naming.forTenant("globex"), "globex-shop")).toBe("acme-prod-globex-eso-globex-shop");
    const { trust, permissions } = documents(json);
    expect(trust).toEqual([
      {
        sid: "ExternalSecretsForThisNamespaceOnly",
        actions: ["sts:AssumeRole", "sts:TagSession"],
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
        condition: [
          { test: "ArnEquals", variable: "aws:PrincipalArn", values: [OPERATOR] },
          { test: "StringEquals", variable: "aws:RequestTag/esoNamespace", values: ["shop"] },
          { test: "StringEquals", variable: "aws:RequestTag/esoStoreKind", values: ["SecretStore"] },
        ],
      },
    ]);
    const own = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/shop/*";
    expect(permissions).toEqual([
      { sid: "ReadNamespaceSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [own] },
      {
        sid: "DecryptNamespaceSecretsWithDataKey",
        actions: ["kms:Decrypt"],
        resources: [DATA_KEY],
        condition: [
          { test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.eu-west-1.amazonaws.com"] },
          { test: "StringLike", variable: "kms:EncryptionContext:SecretARN", values: [own] },
        ],
      },
    ]);
    expect(construct.storeValues()).toEqual({ name: "secrets-manager", region: "eu-west-1", role: expect.stringContaining("TfToken") });
  });

  it("adds the exact extra secrets (a data service's credentials) and can leave out the namespace's own path", () => {
    const extra = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:/acme/prod/services/queue/credentials-??????";
    const { json } = synthConstruct((scope) => new NamespaceSecrets(scope, "store", { ...props, ownSecrets: false, extraSecretArns: [extra] }));
    expect(documents(json).permissions?.[0]?.resources).toEqual([extra]);
  });

  it("rejects a namespace that is not a name, and a store that reads nothing", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => new NamespaceSecrets(stack(), "s", { ...props, namespace: "Shop" })).toThrow('NamespaceSecrets s: namespace "Shop" is not a Kubernetes namespace name');
    expect(() => new NamespaceSecrets(stack(), "s", { ...props, ownSecrets: false })).toThrow("reads no secret");
  });
});
