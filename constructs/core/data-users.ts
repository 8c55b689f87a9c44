/**
 * Who a product instance is on the environment's shared data services, in one place so constructs (which create
 * the users, roles and mappings) and the configuration loader (which rejects collisions before anything is
 * synthesized) agree:
 *
 * - PostgreSQL: an instance connects as its own IAM-authenticated user, never as the master user — the product's
 *   name for the environment's (or a dedicated tenant's) own instance, `<tenant>_<product>` for a shared tenant's
 *   (which also names the tenant's own database);
 * - Redis: a shared tenant's keys and pub/sub channels live under `<tenant>:` (its ElastiCache user's access string
 *   admits nothing else);
 * - OpenSearch: a shared tenant's indices are `<tenant>-*`, the environment's own instance of a product writes
 *   `<product>-*`, Fluent Bit `logs-*` (each writer's OpenSearch role admits its pattern only).
 *
 * Names are derived from DNS labels (`-` becomes `_` for PostgreSQL), so two different owners can derive the
 * same name (`a-b` + `c` and `a` + `b-c` both give `a_b_c`), and an index prefix can lie inside another's (`acme-*`
 * covers `acme-eu-*`). `ownerCollisions` finds both; the loader rejects them.
 */

/** PostgreSQL identifiers: lowercase letters, digits and '_', at most 63 bytes. */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The PostgreSQL user of a product instance (and, for a shared tenant, its database). */
export function databaseUserName(product: string, tenant?: string): string {
  return (tenant ? `${tenant}_${product}` : product).replaceAll("-", "_");
}

/** Key and channel prefix of a shared tenant on the environment's Redis. */
export function tenantKeyPrefix(tenant: string): string {
  return `${tenant}:`;
}

/**
 * Commands a product instance never runs on a cache it shares: the `@dangerous` category (FLUSHALL, FLUSHDB, KEYS,
 * CONFIG, DEBUG, MONITOR, SHUTDOWN, ACL, CLIENT, INFO, ...), and the commands that list key or channel names beyond
 * the user's patterns (ACL key patterns do not filter SCAN, RANDOMKEY or PUBSUB CHANNELS: they would show one
 * tenant the others' key names). https://valkey.io/topics/acl/ (command categories, key permissions).
 */
export const REDIS_SHARED_DENIED_COMMANDS = ["-@dangerous", "-scan", "-randomkey", "-pubsub"] as const;

/**
 * ElastiCache access string of a product instance's own user. A shared tenant: its keys and channels only
 * (`~<id>:*`, `&<id>:*`), every command but the denied ones. The environment's own instance keeps the whole keyspace
 * (its keys predate the tenants and carry no prefix) but never the dangerous commands: no user has `~* +@all`.
 */
export function redisAccessString(keyPrefix?: string): string {
  if (keyPrefix === undefined) return "on ~* &* +@all -@dangerous";
  if (!/^[a-z0-9][a-z0-9-]*:$/.test(keyPrefix)) throw new Error(`Redis key prefix "${keyPrefix}" must be a tenant id followed by ":"`);
  return ["on", `~${keyPrefix}*`, `&${keyPrefix}*`, "+@all", ...REDIS_SHARED_DENIED_COMMANDS].join(" ");
}

/** Default quota of ElastiCache users in one user group (Service Quotas L-943F0F1C "Users per user group"). */
export const ELASTICACHE_USERS_PER_USER_GROUP = 100;

/** Index prefix of the platform's log indices (Fluent Bit, Logstash format: `logs-YYYY.MM.DD`). */
export const LOG_INDEX_PREFIX = "logs-";

/** Index prefix of a shared tenant on the environment's OpenSearch. */
export function tenantIndexPrefix(tenant: string): string {
  return `${tenant}-`;
}

/** Index prefix of the environment's (or a dedicated tenant's) own instance of a product. */
export function productIndexPrefix(product: string): string {
  return `${product}-`;
}

/** One owner of a name or prefix (for messages: the file and key that introduced it). */
export interface NameOwner {
  readonly owner: string;
  readonly value: string;
}

/**
 * Pairs of owners whose values collide: equal names, or (with `prefixes`) one prefix that starts with another, so
 * the shorter one's pattern covers the longer one's objects.
 */
export function ownerCollisions<T extends NameOwner>(entries: readonly T[], prefixes = false): [T, T][] {
  // Linear in the entries (a platform may run a thousand tenants): group equal values, then look up each value's
  // own prefixes.
  const byValue = new Map<string, T[]>();
  for (const entry of entries) byValue.set(entry.value, [...(byValue.get(entry.value) ?? []), entry]);
  const out: [T, T][] = [];
  const pair = (a: T, b: T) => {
    if (a.owner !== b.owner) out.push([a, b]);
  };
  for (const group of byValue.values()) {
    for (let i = 0; i < group.length; i++) for (let j = i + 1; j < group.length; j++) pair(group[i] as T, group[j] as T);
  }
  if (prefixes) {
    for (const [value, group] of byValue) {
      for (let length = 1; length < value.length; length++) {
        for (const shorter of byValue.get(value.slice(0, length)) ?? []) for (const longer of group) pair(shorter, longer);
      }
    }
  }
  return out;
}
