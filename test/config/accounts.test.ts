/**
 * project.yaml `accounts`: every account the platform uses, by name. The bootstrap account, every environment's
 * account (by id) and every dedicated tenant's account (by name) must be declared; detective controls may be
 * declared as the organization's, with a reason.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { only, problems } from "../support/config-problems";
import { BUNDLED_CONFIG_DIR, tempConfig } from "../support/synth";
import { MAIN_ACCOUNT, PROD_ACCOUNT, twoAccountConfigDir } from "../support/accounts";

describe("accounts in the bundled configuration", () => {
  it("declares one account holding the state bucket and every environment", () => {
    const config = loadConfig(BUNDLED_CONFIG_DIR);
    expect(Object.keys(config.project.accounts)).toEqual(["main"]);
    expect(config.project.bootstrap.account).toBe("main");
    expect(config.project.accounts.main).toMatchObject({
      id: MAIN_ACCOUNT,
      region: "eu-west-1",
      controls: { cloudTrail: { managedBy: "platform" }, guardDuty: { managedBy: "platform" }, config: { managedBy: "platform" }, accessAnalyzer: { managedBy: "platform" } },
      auditLogs: { retentionDays: 2557, lockDays: 365, lockMode: "COMPLIANCE" },
      serviceLinkedRoles: { existing: [] },
    });
  });

  it("loads a configuration with two accounts (prod in its own, the dedicated tenant naming main)", () => {
    const config = loadConfig(twoAccountConfigDir());
    expect(Object.fromEntries(Object.entries(config.project.accounts).map(([name, account]) => [name, account.id]))).toEqual({ main: MAIN_ACCOUNT, prod: PROD_ACCOUNT });
    expect(config.environments.find((environment) => environment.config.name === "prod")?.config.account.id).toBe(PROD_ACCOUNT);
    expect(config.tenants.find((tenant) => tenant.config.id === "initech")?.config.account).toBe("main");
  });
});

describe("rejecting accounts that are not declared", () => {
  it("rejects an environment whose account is not in the map, listing the declared ones", () => {
    const issue = only(problems(tempConfig({ set: { "environments/prod.yaml": { account: { id: "333333333333" } } } })), "account.id");
    expect(issue.file).toMatch(/environments[/\\]prod\.yaml$/);
    expect(issue.value).toBe("333333333333");
    expect(issue.message).toMatch(/account 333333333333 is not declared in project\.yaml accounts \(declared: main \(111111111111\)\)/);
  });

  it("rejects a dedicated tenant naming an undeclared account, and a shared tenant naming any", () => {
    const dedicated = only(problems(tempConfig({ set: { "tenants/initech.yaml": { account: "elsewhere" } } })), "account");
    expect(dedicated.file).toMatch(/tenants[/\\]initech\.yaml$/);
    expect(dedicated.message).toMatch(/is not an account of project\.yaml accounts \(declared: main \(111111111111\)\)/);
    const shared = only(problems(tempConfig({ set: { "tenants/globex.yaml": { account: "main" } } })), "account");
    expect(shared.message).toMatch(/only a dedicated tenant has its own account/);
  });

  it("rejects a bootstrap account that is not in the map, and points the old keys at their replacement", () => {
    const unknown = only(problems(tempConfig({ set: { "project.yaml": { bootstrap: { account: "state" } } } })), "bootstrap.account");
    expect(unknown.message).toMatch(/is not an account of accounts \(declared: main \(111111111111\)\)/);
    const old = problems(tempConfig({ set: { "project.yaml": { bootstrap: { accountId: "111111111111", region: "eu-west-1" } } } }));
    expect(only(old, "bootstrap.accountId").message).toMatch(/moved: declare the account under accounts/);
    expect(only(old, "bootstrap.region").message).toMatch(/moved: the state bucket lives in the bootstrap account's region/);
  });

  it("rejects two names for one account id and an empty map", () => {
    const twice = only(problems(tempConfig({ set: { "project.yaml": { accounts: { other: { id: MAIN_ACCOUNT, region: "eu-central-1" } } } } })), "accounts.other.id");
    expect(twice.message).toMatch(/already declared as "main"/);
    const issues = problems(tempConfig({ write: { "project.yaml": "name: acme\nowner: o\ncostCentre: c\ntags: {}\naccounts: {}\nbootstrap: { account: main, stateVersionRetentionDays: 90 }\ntenancy: { cidrPool: 10.128.0.0/10, blockPrefix: 16 }\ngithub: { owner: example-org, repository: platform-iac, deployBranch: main }\n" } }));
    expect(issues.some((issue) => issue.path.join(".") === "accounts" && /declare at least one account/.test(issue.message))).toBe(true);
  });
});

describe("controls managed by the organization", () => {
  it("accepts a control declared the organization's with a reason", () => {
    const config = loadConfig(tempConfig({ set: { "project.yaml": { accounts: { main: { controls: { config: { managedBy: "organization", reason: "Control Tower recorder (one per account and region)" } } } } } } }));
    expect(config.project.accounts.main?.controls.config).toEqual({ managedBy: "organization", reason: "Control Tower recorder (one per account and region)" });
  });

  it("rejects one without a reason, and a reason on a platform-managed control", () => {
    expect(only(problems(tempConfig({ set: { "project.yaml": { accounts: { main: { controls: { cloudTrail: { managedBy: "organization" } } } } } } })), "accounts.main.controls.cloudTrail.reason").message).toMatch(/needs a reason of at least 10 characters/);
    expect(only(problems(tempConfig({ set: { "project.yaml": { accounts: { main: { controls: { guardDuty: { reason: "something here" } } } } } } })), "accounts.main.controls.guardDuty.reason").message).toMatch(/only for managedBy: organization/);
  });

  it("rejects an audit log lock longer than the retention", () => {
    expect(only(problems(tempConfig({ set: { "project.yaml": { accounts: { main: { auditLogs: { retentionDays: 365, lockDays: 400 } } } } } })), "accounts.main.auditLogs.lockDays").message).toMatch(/must not exceed retentionDays \(365\)/);
  });
});

describe("environments tell their CI identities apart", () => {
  it("rejects an environment named like another's prefix (its IAM names would fall under the other's)", () => {
    const dir = tempConfig({ write: { "environments/dev-eu.yaml": "name: dev-eu\nprofile: development\naccount: { id: \"111111111111\", region: eu-west-1 }\nnetwork: { cidr: 10.90.0.0/16 }\n" } });
    const issue = only(problems(dir), "name");
    expect(issue.file).toMatch(/dev-eu\.yaml$/);
    expect(issue.message).toMatch(/starts with environment dev's name and a hyphen/);
  });

  it("rejects two environments sharing a GitHub environment (each environment's roles trust only its own)", () => {
    const issue = only(problems(tempConfig({ set: { "environments/staging.yaml": { deployment: { githubEnvironment: "production" } } } })), "deployment.githubEnvironment");
    expect(issue.message).toMatch(/GitHub environment production is already environment prod's/);
  });

  it("gives each environment one approval GitHub environment of its own (default <githubEnvironment>-approval)", () => {
    const bundled = loadConfig(BUNDLED_CONFIG_DIR).environments.map(({ config }) => [config.name, config.deployment.approvalEnvironment]);
    expect(bundled).toEqual(expect.arrayContaining([["prod", "production-approval"], ["dev", "dev-approval"]]));
    const shared = problems(tempConfig({ set: { "environments/staging.yaml": { deployment: { approvalEnvironment: "production-approval" } } } })).filter((issue) => issue.path.join(".") === "deployment.approvalEnvironment");
    // Both files are named: either may be the one to change.
    expect(shared.map((issue) => [issue.file.split("/").at(-1), issue.message.replace(/ \(.*\)/, "")])).toEqual([
      ["prod.yaml", "GitHub environment production-approval is also used by environment staging; each environment needs its own approval environment"],
      ["staging.yaml", "GitHub environment production-approval is also used by environment prod; each environment needs its own approval environment"],
    ]);
    const same = only(problems(tempConfig({ set: { "environments/staging.yaml": { deployment: { approvalEnvironment: "staging" } } } })), "deployment.approvalEnvironment");
    expect(same.message).toMatch(/must differ from githubEnvironment/);
  });

  it("rejects an environment without NAT gateways: its CI runner could not reach GitHub", () => {
    const issue = only(problems(tempConfig({ set: { "environments/dev.yaml": { network: { natGateways: "none", interfaceEndpoints: ["sts", "secretsmanager"] } } } })), "network.natGateways");
    expect(issue.message).toMatch(/none leaves the CI runner .* without a route to GitHub; use single or per-az/);
  });

  it("rejects more CI runners (environments plus dedicated tenants) than GitHub allows webhooks per event on a repository", () => {
    const write = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`tenants/dedicated${index}.yaml`, `id: dedicated${index}\nenvironment: prod\nisolation: dedicated\nnetwork:\n  cidr: 10.${130 + index}.0.0/16\nproducts:\n  smartedu: {}\n`]));
    const issue = only(problems(tempConfig({ write })), "isolation");
    expect(issue.file).toMatch(/initech\.yaml$/);
    expect(issue.message).toMatch(/needs 21 CI runners .* GitHub allows 20 per event on one repository/);
  });

  it("takes the numeric ids of a repository with immutable subject claims as a pair", () => {
    expect(only(problems(tempConfig({ set: { "project.yaml": { github: { ownerId: 123 } } } })), "github.repositoryId").message).toMatch(/set both ownerId and repositoryId/);
    expect(loadConfig(tempConfig({ set: { "project.yaml": { github: { ownerId: 123, repositoryId: 456 } } } })).project.github).toMatchObject({ ownerId: 123, repositoryId: 456 });
  });
});
