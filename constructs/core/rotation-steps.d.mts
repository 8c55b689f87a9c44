/** Types of the rotation steps the platform's rotation functions share (rotation-steps.mjs), for their tests' fakes. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

export interface RotationSecrets {
  describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]>; Tags?: { Key?: string; Value?: string }[] }>;
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{ SecretString?: string }>;
  getRandomPassword(input: Record<string, unknown>): Promise<{ RandomPassword?: string }>;
  putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<unknown>;
  updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
}

export declare function checkRotationEvent(
  secrets: Pick<RotationSecrets, "describeSecret">,
  event: RotationEvent,
  steps: Readonly<Record<string, unknown>>,
): Promise<{ secretId: string; token: string; step: string; description: Awaited<ReturnType<RotationSecrets["describeSecret"]>> } | undefined>;
export declare function finishSecret(secrets: Pick<RotationSecrets, "describeSecret" | "updateSecretVersionStage">, secretId: string, token: string): Promise<boolean>;
export declare function secretsManagerCalls(sdk: unknown): RotationSecrets;
