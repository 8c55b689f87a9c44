/**
 * Grafana and Alertmanager exposure in configuration: the edge domain must exist and be published, and an OIDC client
 * secret is one more value a human seeds.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { requiredSecretValues } from "../../constructs/secret-values/inventory";
import { only, problems } from "../support/config-problems";
import { tempConfigsRemovedAfterAll } from "../support/synth";

/** Temporary configuration directories, removed after this file's tests. */
const config = tempConfigsRemovedAfterAll();

const OIDC = {
  type: "oidc",
  issuer: "https://login.example.com",
  authorizationEndpoint: "https://login.example.com/authorize",
  tokenEndpoint: "https://login.example.com/token",
  userInfoEndpoint: "https://login.example.com/userinfo",
  clientCredentialsSecret: "monitoring/oidc",
};

describe("exposure in configuration", () => {
  it("rejects a domain key that edge.domains does not declare", () => {
    const dir = config({ set: { "environments/prod.yaml": { observability: { exposure: { domain: "ops" } } } } });
    const issue = only(problems(dir).filter((found) => found.file.endsWith("environments/prod.yaml")), "observability.exposure.domain");
    expect(issue.message).toBe('no domain "ops" under edge.domains (declared: murima, noor, platform, smartedu)');
  });

  it("rejects hosts nothing publishes (external-dns does not manage the domain's zone)", () => {
    const dir = config({ set: { "environments/prod.yaml": { addons: { externalDns: { zones: ["noor.example.com", "smartedu.example.com", "murima.example.com"] } } } } });
    const issue = only(problems(dir).filter((found) => found.file.endsWith("environments/prod.yaml")), "observability.exposure.domain");
    expect(issue.message).toMatch(/^nothing publishes the monitoring hosts under acme\.example\.com/);
  });

  it("lists the OIDC client as a value to seed, with the keys the load balancer reads", () => {
    const dir = config({ set: { "environments/prod.yaml": { observability: { exposure: { scheme: "internet-facing", authentication: OIDC } } } } });
    const requirement = requiredSecretValues(loadConfig(dir)).find((found) => found.purpose === "monitoring-sso");
    expect(requirement).toMatchObject({ stack: "prod-platform", secretName: "acme-prod/monitoring/oidc", keys: ["clientID", "clientSecret"], kmsKeyAlias: "alias/acme-prod-data" });
  });
});
