/** Types of the ElastiCache password rotation function (index.mjs), for the tests that run its steps against fakes. */
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

export interface RotationElastiCache {
  describeUser(userId: string): Promise<{ Status?: string; Authentication?: { Type?: string; PasswordCount?: number } } | undefined>;
  modifyUser(input: { UserId: string; AuthenticationMode: { Type: "password"; Passwords: string[] } }): Promise<unknown>;
}

export declare const USER_TAG: string;
export declare const PASSWORD_LENGTH: number;
export declare const ACTIVE_WAIT_MS: number;
export declare const POLL_MS: number;
export declare function createHandler(deps: {
  secrets: RotationSecrets;
  elasticache: RotationElastiCache;
  sleep?: (ms: number) => Promise<void>;
  waitMs?: number;
}): (event: RotationEvent) => Promise<void>;
export declare function handler(event: RotationEvent): Promise<void>;
