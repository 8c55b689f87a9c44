/** Types of the rotation function (index.mjs), for the tests that run its steps against fakes. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

export interface RotationSecrets {
  describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]> }>;
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{ SecretString?: string }>;
  getRandomPassword(input: Record<string, unknown>): Promise<{ RandomPassword?: string }>;
  putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<unknown>;
  updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
}

export declare const ADMINISTRATOR_TAGS: string;
export declare const PASSWORD_LENGTH: number;
export declare function createHandler(deps: {
  secrets: RotationSecrets;
  request: (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number }>;
  managementUrl: string;
}): (event: RotationEvent) => Promise<void>;
export declare function handler(event: RotationEvent): Promise<void>;
