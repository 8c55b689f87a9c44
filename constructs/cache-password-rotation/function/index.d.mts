/** Types of the ElastiCache password rotation function (index.mjs), for the tests that run its steps against fakes. */
import type { RotationEvent, RotationSecrets } from "../../core/rotation-steps.mjs";

export type { RotationEvent, RotationSecrets };

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
