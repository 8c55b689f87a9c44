import { Testing, TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { localChartOf, releaseValuesProblems } from "../../../charts/values-check";
import { ExternalSecrets, externalSecretsStatements } from "../../../constructs/addons/external-secrets";
import { Naming } from "../../../constructs/core/naming";
import { PARAMETER_STORE_STORE, SECRETS_MANAGER_STORE } from "../../../constructs/core/platform-contracts";
import { synthConstruct, TEST_ACCOUNT } from "../../support/synth";
import { expectExplicitActions, expectJustifiedWildcards, expectTrustScopedTo, identityPolicies } from "./iam-assertions";
import { overridesOf, releaseNamed } from "./support";

const naming = new Naming({ project: "acme", environment: "prod" });
const DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/data";
const props = { naming, account: TEST_ACCOUNT, clusterName: "acme-prod-eks", replicas: 2, dataKeyArn: DATA_KEY };

describe("ExternalSecrets", () => {
  const { json } = synthConstruct((scope) => new ExternalSecrets(scope, "eso", props));
  const operator = releaseNamed(json, "external-secrets");
  const stores = releaseNamed(json, "cluster-secret-stores");

  it("installs the pinned operator with highly available webhook and cert controller", () => {
    expect(operator.attributes).toMatchObject({ chart: "external-secrets", version: "2.9.0", repository: "https://charts.external-secrets.io", namespace: "external-secrets" });
    expect(overridesOf(operator)).toMatchObject({
      replicaCount: 2,
      podDisruptionBudget: { enabled: true },
      webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
      certController: { replicaCount: 2, podDisruptionBudget: { enabled: true } },
    });
  });

  it("creates the two ClusterSecretStores of the platform contract through a local chart released after the operator, admitting no namespace by default", () => {
    expect(localChartOf(String(stores.attributes.chart))).toBe("cluster-secret-stores");
    expect(overridesOf(stores)).toEqual({ region: "eu-west-1", secretsManager: { name: SECRETS_MANAGER_STORE }, parameterStore: { name: PARAMETER_STORE_STORE }, namespaces: [] });
    expect(stores.attributes.depends_on).toEqual([expect.stringMatching(/^helm_release\.eso_release_/)]);
    expect(json.resource?.kubernetes_manifest).toBeUndefined();
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("trusts exactly external-secrets/external-secrets", () => {
    expectTrustScopedTo(json, "eso_identity", { cluster: "acme-prod-eks", namespace: "external-secrets", serviceAccount: "external-secrets" });
    expect(identityPolicies(json, "eso_identity").trust).toHaveLength(1);
  });

  it("reads no application secret: assumes the namespace store roles, reads the scope's parameters with its data key", () => {
    const { permissions } = identityPolicies(json, "eso_identity");
    expectExplicitActions(permissions);
    expectJustifiedWildcards(externalSecretsStatements(TEST_ACCOUNT, naming, DATA_KEY));
    const byId = Object.fromEntries(permissions.map((statement) => [statement.sid, statement]));
    expect(Object.keys(byId).sort()).toEqual(["AssumeNamespaceStoreRoles", "DecryptParametersWithDataKey", "ReadScopedParameters"]);
    expect(byId.AssumeNamespaceStoreRoles).toMatchObject({
      actions: ["sts:AssumeRole", "sts:TagSession"],
      resources: ["arn:aws:iam::123456789012:role/acme-prod-eso-*", "arn:aws:iam::123456789012:role/acme-prod-*-eso-*"],
    });
    expect(byId.ReadScopedParameters?.resources).toEqual(["arn:aws:ssm:eu-west-1:123456789012:parameter/acme/prod/*"]);
    expect(byId.DecryptParametersWithDataKey).toMatchObject({
      actions: ["kms:Decrypt"],
      resources: [DATA_KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["ssm.eu-west-1.amazonaws.com"] }],
    });
  });

  it("reads exactly the platform secrets its ClusterSecretStores serve, for the platform namespaces named", () => {
    const withPlatform = synthConstruct((scope) => new ExternalSecrets(scope, "eso", { ...props, platformSecrets: ["acme-prod/alertmanager/slack"], platformNamespaces: ["monitoring"] })).json;
    expect(overridesOf(releaseNamed(withPlatform, "cluster-secret-stores"))).toMatchObject({ namespaces: ["monitoring"] });
    const byId = Object.fromEntries(identityPolicies(withPlatform, "eso_identity").permissions.map((statement) => [statement.sid, statement]));
    const secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/alertmanager/slack-??????";
    expect(byId.ReadPlatformSecrets?.resources).toEqual([secret]);
    expect(byId.DecryptPlatformSecretsWithDataKey?.condition).toEqual([
      { test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.eu-west-1.amazonaws.com"] },
      { test: "StringLike", variable: "kms:EncryptionContext:SecretARN", values: [secret] },
    ]);
  });

  it("runs a single replica without disruption budgets where configured", () => {
    const single = synthConstruct((scope) => new ExternalSecrets(scope, "eso", { ...props, replicas: 1 })).json;
    expect(overridesOf(releaseNamed(single, "external-secrets"))).toMatchObject({ replicaCount: 1, podDisruptionBudget: { enabled: false } });
  });

  it("rejects an invalid replica count", () => {
    expect(() => new ExternalSecrets(new TerraformStack(Testing.app(), "t"), "eso", { ...props, replicas: 11 })).toThrow(
      "ExternalSecrets: replicas must be an integer from 1 to 10, got 11",
    );
  });
});
