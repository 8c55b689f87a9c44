/**
 * One secret's versions and staging labels as Secrets Manager keeps them, for the tests of the rotation functions
 * (cache passwords, brokers, PostgreSQL monitoring users): the calls their `RotationSecrets` make on the rotated
 * secret. Each test adds what is its own (the master secret, tags, argument checks) around these.
 */
export class ResourceNotFound extends Error {
  override name = "ResourceNotFoundException";
}

export interface FakeSecretVersion {
  value?: string;
  stages: string[];
}

interface VersionRequest {
  readonly VersionId?: string;
  readonly VersionStage?: string;
}

interface PutRequest {
  readonly ClientRequestToken: string;
  readonly SecretString: string;
  readonly VersionStages: readonly string[];
}

interface StageRequest {
  readonly VersionStage: string;
  readonly MoveToVersionId: string;
  readonly RemoveFromVersionId?: string;
}

/** A secret whose first version (`v1`, AWSCURRENT) holds `firstValue`. */
export function fakeSecretVersions(firstValue: string) {
  const versions = new Map<string, FakeSecretVersion>([["v1", { value: firstValue, stages: ["AWSCURRENT"] }]]);
  const byStage = (stage: string): [string, FakeSecretVersion] | undefined => [...versions].find(([, version]) => version.stages.includes(stage));
  return {
    versions,
    byStage,
    /** DescribeSecret's `VersionIdsToStages`. */
    stagesById: (): Record<string, string[]> => Object.fromEntries([...versions].map(([id, version]) => [id, [...version.stages]])),
    /** GetSecretValue by id or stage (AWSCURRENT when neither); ResourceNotFoundException as the service answers. */
    getSecretValue({ VersionId, VersionStage }: VersionRequest): { SecretString: string } {
      const found = VersionId ? versions.get(VersionId) : byStage(VersionStage ?? "AWSCURRENT")?.[1];
      if (!found?.value || (VersionStage && !found.stages.includes(VersionStage))) throw new ResourceNotFound(`no version ${VersionId ?? ""} ${VersionStage ?? ""}`);
      return { SecretString: found.value };
    },
    putSecretValue({ ClientRequestToken, SecretString, VersionStages }: PutRequest): void {
      versions.set(ClientRequestToken, { value: SecretString, stages: [...VersionStages] });
    },
    /** UpdateSecretVersionStage: the label moves; moving AWSCURRENT leaves AWSPREVIOUS on the version it left. */
    updateSecretVersionStage({ VersionStage, MoveToVersionId, RemoveFromVersionId }: StageRequest): void {
      for (const version of versions.values()) version.stages = version.stages.filter((stage) => stage !== "AWSPREVIOUS");
      const from = RemoveFromVersionId ? versions.get(RemoveFromVersionId) : undefined;
      if (from) from.stages = [...from.stages.filter((stage) => stage !== VersionStage), "AWSPREVIOUS"];
      const to = versions.get(MoveToVersionId);
      if (to) to.stages = [...to.stages.filter((stage) => stage !== "AWSPENDING"), VersionStage];
    },
  };
}
