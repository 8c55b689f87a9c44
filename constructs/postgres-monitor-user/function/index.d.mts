/** Types of the PostgreSQL monitoring-user rotation function (index.mjs), for the tests that run its steps against fakes. */
import type { RotationEvent, RotationSecrets } from "../../core/rotation-steps.mjs";

export type { RotationEvent, RotationSecrets };

/** One database session: `query` runs one statement with its parameters and returns its rows; `end` closes it. */
export interface DatabaseClient {
  query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<unknown>;
}

/** The postgres.js options of a session (what `connect` receives). */
export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly ssl: { readonly ca: string[]; readonly rejectUnauthorized: true };
  readonly max: 1;
  readonly prepare: false;
  readonly fetch_types: false;
  readonly connect_timeout: number;
  readonly connection: { readonly application_name: string; readonly statement_timeout: string; readonly lock_timeout: string };
  readonly onnotice: () => void;
}

export interface Settings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly masterSecretArn: string;
  readonly monitorUsers: readonly [string, string];
}

export declare const PASSWORD_LENGTH: number;
export declare const CONNECTION_LIMIT: number;
export declare const SCRAM_ITERATIONS: number;
export declare const SCRAM_SALT_BYTES: number;
export declare const CONNECT_TIMEOUT_SECONDS: number;
export declare const END_TIMEOUT_SECONDS: number;
export declare const STATEMENT_TIMEOUT_MS: number;
export declare const LOCK_TIMEOUT_MS: number;
export declare const APPLICATION_NAME: string;
export declare const SQL: Readonly<{ begin: string; commit: string; rollback: string; quote: string; role: string; check: string }>;
export declare function roleStatements(quoted: { role: string; database: string; password: string }): { create: string; grantMonitor: string; grantConnect: string; setPassword: string };
export declare function scramVerifier(password: string, salt?: Buffer, iterations?: number): string;
export declare function settingsFrom(env: Record<string, string | undefined>): Settings;
export declare function createHandler(deps: {
  secrets: RotationSecrets;
  connect(options: ConnectionOptions): DatabaseClient | Promise<DatabaseClient>;
  ca: string[];
  settings: Settings;
  log?: (entry: Record<string, unknown>) => void;
}): (event: RotationEvent) => Promise<void>;
export declare function postgresConnector(postgres: (options: ConnectionOptions) => {
  unsafe(text: string, params?: unknown[]): Promise<Iterable<Record<string, unknown>>>;
  end(options: { timeout: number }): Promise<unknown>;
}): (options: ConnectionOptions) => DatabaseClient;
export declare function regionAuthorities(bundle: readonly string[], region: string | undefined): string[];
export declare function awsDependencies(region?: string): Promise<{
  secrets: RotationSecrets;
  connect(options: ConnectionOptions): DatabaseClient;
  ca: string[];
}>;
export declare function handler(event: RotationEvent): Promise<void>;
