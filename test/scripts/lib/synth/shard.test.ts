/**
 * One share in this process (scripts/lib/synth/shard.ts): between batches it forgets the tokens of the batch it has
 * written, so memory follows the batch and not the number of stacks already written (cdktf never removes a token
 * from its process-wide registry, and each token refers to its resource).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../../../config/loader";
import { configWithTenants } from "../../../../scripts/bench";
import { synthesizeShard } from "../../../../scripts/lib/synth/shard";

const TIMEOUT_MS = 300_000;
let dir: string;
let config: PlatformConfig;
const work = mkdtempSync(join(tmpdir(), "platform-shard-"));

beforeAll(() => {
  dir = configWithTenants(6);
  config = loadConfig(dir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

interface TokenRegistry {
  readonly stringTokenMap: Map<string, unknown>;
  readonly numberTokenMap: Map<number, unknown>;
}

/** Entries of cdktf's process-wide token registry (cdktf/lib/tokens/private/token-map.js). */
function registeredTokens(): number {
  const registry = (createRequire(require.resolve("cdktf"))("./tokens/private/token-map") as { TokenMap: { instance(): TokenRegistry } }).TokenMap.instance();
  return registry.stringTokenMap.size + registry.numberTokenMap.size;
}

const tenantStacks = (count: number) => Array.from({ length: count }, (_, index) => `prod-tenant-bench${String(index).padStart(4, "0")}`);

describe("synthesizeShard", () => {
  it(
    "keeps only the last batch's tokens: six stacks in batches of two leave what one batch of two leaves",
    async () => {
      const before = registeredTokens();
      const one = await synthesizeShard({ config, build: {}, names: tenantStacks(2), outdir: join(work, "one"), batchSize: 2 });
      const oneBatch = registeredTokens() - before;
      expect(Object.keys(one.stacks)).toHaveLength(2);
      expect(oneBatch).toBeGreaterThan(100); // a tenant stack registers ~150 tokens

      const start = registeredTokens();
      const three = await synthesizeShard({ config, build: {}, names: tenantStacks(6), outdir: join(work, "three"), batchSize: 2 });
      expect(three.problems).toEqual([]);
      expect(Object.keys(three.stacks)).toHaveLength(6);
      // Without forgetting, three batches would add three times as many.
      expect(registeredTokens() - start).toBeLessThanOrEqual(oneBatch);
    },
    TIMEOUT_MS,
  );
});
