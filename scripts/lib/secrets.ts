/**
 * The thin AWS layer of `npm run secrets -- check` (and of the preflight): which of the secrets a configuration needs
 * seeded exist in Secrets Manager and have a value. Every decision is made by the pure functions of
 * constructs/secret-values/inventory.ts; this module only asks AWS:
 *
 * - ListSecrets (name prefix filter, including secrets scheduled for deletion): names, KMS keys and
 *   SecretVersionsToStages — metadata only, readable with the read-only plan role (`secretsmanager:ListSecrets`);
 * - with `keys`, GetSecretValue of each secret that has a value, reduced at once to the JSON keys it has. The value is
 *   never returned, stored or printed. Needs `secretsmanager:GetSecretValue` and `kms:Decrypt` on the data key, which
 *   the plan role does not have: a denied read is reported as "keys not verified", not as a failure.
 */
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient, type ListSecretsCommandOutput } from "@aws-sdk/client-secrets-manager";
import { secretValueStatuses, type ListedSecret, type SecretValueRequirement, type SecretValueStatus, type ValueShape } from "../../constructs/secret-values/inventory";

/** ListSecrets accepts at most 10 values per filter. */
export const MAX_FILTER_VALUES = 10;

/** What the layer needs of an SDK client (a SecretsManagerClient, or a recorded-response fake in tests). */
export interface SecretsManagerSender {
  send(command: ListSecretsCommand | GetSecretValueCommand): Promise<unknown>;
}

export type ClientFactory = (region: string) => SecretsManagerSender;

/** SDK clients per region with the default credential chain (the environment's account must be the caller's). */
export function defaultClientFactory(): ClientFactory {
  const clients = new Map<string, SecretsManagerClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new SecretsManagerClient({ region });
      clients.set(region, client);
    }
    return client;
  };
}

/** Name prefixes that cover every requirement's secret (its first path segment plus `/`), sorted. */
export function namePrefixes(requirements: readonly Pick<SecretValueRequirement, "secretName">[]): string[] {
  return [...new Set(requirements.map((requirement) => `${requirement.secretName.split("/")[0]}/`))].sort();
}

/** Every secret (also those scheduled for deletion) whose name starts with one of the prefixes, all pages. */
export async function listSecrets(client: SecretsManagerSender, prefixes: readonly string[]): Promise<ListedSecret[]> {
  const out: ListedSecret[] = [];
  for (let index = 0; index < prefixes.length; index += MAX_FILTER_VALUES) {
    const values = prefixes.slice(index, index + MAX_FILTER_VALUES);
    let nextToken: string | undefined;
    do {
      const page = (await client.send(
        new ListSecretsCommand({ Filters: [{ Key: "name", Values: values }], IncludePlannedDeletion: true, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) }),
      )) as Pick<ListSecretsCommandOutput, "SecretList" | "NextToken">;
      for (const entry of page.SecretList ?? []) {
        out.push({
          ...(entry.Name !== undefined ? { Name: entry.Name } : {}),
          ...(entry.ARN !== undefined ? { ARN: entry.ARN } : {}),
          ...(entry.KmsKeyId !== undefined ? { KmsKeyId: entry.KmsKeyId } : {}),
          ...(entry.SecretVersionsToStages !== undefined ? { SecretVersionsToStages: entry.SecretVersionsToStages } : {}),
          ...(entry.DeletedDate !== undefined ? { DeletedDate: entry.DeletedDate } : {}),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return out;
}

/** The shape of a secret's current value (its JSON keys), never the value itself. */
export async function valueShape(client: SecretsManagerSender, secretName: string): Promise<ValueShape> {
  let text: string | undefined;
  try {
    const response = (await client.send(new GetSecretValueCommand({ SecretId: secretName }))) as { SecretString?: string; SecretBinary?: Uint8Array };
    if (response.SecretString === undefined) return { kind: "string" }; // binary: External Secrets passes it whole
    text = response.SecretString;
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    return { kind: "unreadable", reason: `GetSecretValue failed with ${name}${name === "AccessDeniedException" ? " (needs secretsmanager:GetSecretValue and kms:Decrypt on the data key)" : ""}` };
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return { kind: "json", keys: Object.keys(parsed).sort() };
  } catch {
    // not JSON: a plain string value
  }
  return { kind: "string" };
}

export interface CheckOptions {
  /** Also verify the JSON keys of every value (GetSecretValue). @default false */
  readonly keys?: boolean;
  /** @default SDK clients with the default credential chain */
  readonly clientFor?: ClientFactory;
}

/** The seeding status of each requirement, asking Secrets Manager in each requirement's region. */
export async function checkSecretValues(requirements: readonly SecretValueRequirement[], options: CheckOptions = {}): Promise<SecretValueStatus[]> {
  const clientFor = options.clientFor ?? defaultClientFactory();
  const listed: ListedSecret[] = [];
  const shapes = new Map<string, ValueShape>();
  for (const region of [...new Set(requirements.map((requirement) => requirement.region))].sort()) {
    const inRegion = requirements.filter((requirement) => requirement.region === region);
    const client = clientFor(region);
    const found = await listSecrets(client, namePrefixes(inRegion));
    listed.push(...found);
    if (!options.keys) continue;
    const wanted = new Set(inRegion.map((requirement) => requirement.secretName));
    for (const secret of found) {
      const hasValue = Object.values(secret.SecretVersionsToStages ?? {}).some((stages) => stages.includes("AWSCURRENT"));
      if (secret.Name && wanted.has(secret.Name) && hasValue && secret.DeletedDate === undefined) shapes.set(secret.Name, await valueShape(client, secret.Name));
    }
  }
  return secretValueStatuses(requirements, listed, shapes);
}
