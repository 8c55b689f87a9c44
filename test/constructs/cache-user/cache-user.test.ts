import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { CacheUser, type CacheUserProps } from "../../../constructs/cache-user";
import { redisAccessString } from "../../../constructs/core/data-users";
import { resourceList, synthConstruct } from "../../support/synth";

const props: CacheUserProps = { userId: "acme-prod-globex-redis-cache-app-shop", engine: "valkey", userGroupId: "acme-prod-redis-cache", accessString: redisAccessString("globex:") };

describe("CacheUser", () => {
  it("defaults: an IAM-authenticated user limited to the tenant's prefix, joined to the cache's group by association", () => {
    const { json } = synthConstruct((scope) => new CacheUser(scope, "user", props));
    expect(resourceList(json, "aws_elasticache_user")).toEqual([
      expect.objectContaining({
        user_id: props.userId,
        user_name: props.userId,
        engine: "valkey",
        authentication_mode: { type: "iam" },
        access_string: "on ~globex:* &globex:* +@all -@dangerous -scan -randomkey -pubsub",
      }),
    ]);
    expect(resourceList(json, "aws_elasticache_user_group_association")).toEqual([
      expect.objectContaining({ user_group_id: "acme-prod-redis-cache", user_id: expect.stringMatching(/^\$\{aws_elasticache_user\.user_\w+\.user_id\}$/) }),
    ]);
    expect(resourceList(json, "aws_elasticache_user_group")).toHaveLength(0);
  });

  it("gives the environment's own instance the whole keyspace but never the dangerous commands", () => {
    expect(redisAccessString()).toBe("on ~* &* +@all -@dangerous");
    expect(() => redisAccessString("globex")).toThrow('Redis key prefix "globex" must be a tenant id followed by ":"');
  });

  it("rejects a user id that is not one, an access string with every command on every key, and an unknown engine", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => new CacheUser(stack(), "u", { ...props, userId: "Acme_User" })).toThrow(/invalid elasticache-user name "Acme_User"/);
    expect(() => new CacheUser(stack(), "u", { ...props, accessString: "on ~* +@all" })).toThrow(/must enable the user \("on \.\.\."\) and deny the dangerous commands/);
    expect(() => new CacheUser(stack(), "u", { ...props, accessString: "~globex:* +@all -@dangerous" })).toThrow(/must enable the user/);
    expect(() => new CacheUser(stack(), "u", { ...props, engine: "memcached" })).toThrow('engine "memcached" is not valkey or redis');
  });

  it("accepts a monitoring user that denies every command first and lists single commands, not one that lists categories after -@all", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    expect(() => new CacheUser(stack(), "u", { ...props, accessString: "on -@all +ping +info" })).not.toThrow();
    expect(() => new CacheUser(stack(), "u", { ...props, accessString: "on -@all +@read" })).toThrow(/starts from "-@all" and must then allow single commands only, not categories/);
    expect(() => new CacheUser(stack(), "u", { ...props, accessString: "on ~* -@all +@all" })).toThrow(/not categories/);
  });
});
