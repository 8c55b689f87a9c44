import { describe, expect, it } from "vitest";
import { maskSecrets, maskSecretsInText } from "../../../config/errors";
import { isCredentialName, SECRET_PATTERNS, secretPatternIn } from "../../../constructs/policy/secret-patterns";
import { FAKE } from "./cases/secrets";

describe("credential-named variables", () => {
  it("recognises the issue's patterns: *PASSWORD*, *PASS, *SECRET*, *TOKEN*, *API_KEY*", () => {
    for (const name of ["DB_PASSWORD", "PASSWORD_SALT", "SMTP_PASS", "DB_PWD", "CLIENT_SECRET", "SESSION_SECRET_SALT", "GITHUB_TOKEN", "TOKEN_VALUE", "PAYMENT_API_KEY", "OPENAI_APIKEY", "AWS_SECRET_ACCESS_KEY", "PRIVATE_KEY", "adminPassword", "apiToken", "GOOGLE_CREDENTIALS"]) {
      expect(isCredentialName(name, "env"), name).toBe(true);
    }
  });

  it("leaves names that point at a credential or configure it", () => {
    for (const name of ["DB_PASSWORD_FILE", "SECRET_ARN", "SECRET_NAME", "TOKEN_URL", "TOKEN_TTL", "API_KEY_ID", "AWS_ACCESS_KEY_ID", "EXISTING_SECRET", "useToken", "BYPASS", "PASSPORT_STRATEGY", "LOG_LEVEL", "SECRETS_PREFIX"]) {
      expect(isCredentialName(name, "env"), name).toBe(false);
    }
  });

  it("knows the Helm chart conventions that name keys of a Secret", () => {
    for (const name of ["secretKey", "passwordKey", "secret", "existingSecret", "secretName"]) expect(isCredentialName(name, "values"), name).toBe(false);
    expect(isCredentialName("adminPassword", "values")).toBe(true);
    expect(isCredentialName("secret", "env")).toBe(true);
  });
});

describe("vendor key formats", () => {
  it("names each vendor's format", () => {
    expect(secretPatternIn(FAKE.anthropicKey)).toBe("an Anthropic API key");
    expect(secretPatternIn(FAKE.openAiProjectKey)).toBe("an OpenAI API key");
    expect(secretPatternIn(FAKE.openAiLegacyKey)).toBe("an OpenAI API key");
    expect(secretPatternIn(FAKE.slackRefreshToken)).toBe("a Slack token");
    expect(secretPatternIn(FAKE.githubFineGrained)).toBe("a GitHub token");
    expect(secretPatternIn(FAKE.githubToken)).toBe("a GitHub token");
    expect(secretPatternIn(FAKE.stripeLiveKey)).toBe("a Stripe live key");
    expect(secretPatternIn(FAKE.privateKey)).toBe("a private key");
    expect(secretPatternIn(FAKE.opensshKey)).toBe("a private key");
    expect(secretPatternIn(FAKE.awsKey)).toBe("an AWS access key id");
  });

  it("does not match prose, placeholders or public material", () => {
    for (const text of ["sk-ant-...", "use an sk- key", "xoxb-<token>", "ghp_xxx", "sk_live_", "-----BEGIN PUBLIC KEY-----", "sk-12345678"]) expect(secretPatternIn(text), text).toBeUndefined();
  });

  it("is the one list the configuration errors mask with", () => {
    expect(SECRET_PATTERNS.map((pattern) => pattern.name)).toEqual(expect.arrayContaining(["an Anthropic API key", "an OpenAI API key"]));
    expect(maskSecrets(FAKE.anthropicKey)).toBe("<masked: looks like an Anthropic API key>");
    expect(maskSecrets("hunter2hunter2", "SMTP_PASS")).toBe("<masked: the value of a credential-named key>");
    expect(maskSecretsInText(`key ${FAKE.openAiProjectKey} here`)).toBe("key <masked an OpenAI API key> here");
  });
});
