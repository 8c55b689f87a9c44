/** Types of the rotation function (index.mjs), for the tests that run its steps against fakes. */
import type { RotationEvent, RotationSecrets } from "../../core/rotation-steps.mjs";

export type { RotationEvent, RotationSecrets };

export declare const ADMINISTRATOR_TAGS: string;
export declare const PASSWORD_LENGTH: number;
export declare function createHandler(deps: {
  secrets: RotationSecrets;
  request: (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number }>;
  managementUrl: string;
}): (event: RotationEvent) => Promise<void>;
export declare function handler(event: RotationEvent): Promise<void>;
