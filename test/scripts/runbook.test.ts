import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderRunbooks, RUNBOOK_DIR } from "../../scripts/runbook";
import { bundledConfig } from "../support/synth";

const config = bundledConfig();
const runbooks = await renderRunbooks(config);

describe("restore runbooks", () => {

  it("exist for every environment and are up to date (run `npm run runbook` after changing backups or stateful resources)", () => {
    expect(Object.keys(runbooks).sort()).toEqual(config.environments.map((environment) => `${environment.config.name}.md`).sort());
    for (const [file, content] of Object.entries(runbooks)) {
      expect(readFileSync(join(RUNBOOK_DIR, file), "utf8"), `docs/runbooks/${file} is stale: run npm run runbook`).toBe(content);
    }
  });

  it("state the objectives, where the backups are, every stateful resource and how to fail over", () => {
    const prod = runbooks["prod.md"] ?? "";
    expect(prod).toContain("RPO target 15m (derived data: cache 1d, search 1h); RTO target 2h.");
    expect(prod).toContain("AWS Backup vault `acme-prod-backup` in eu-west-1");
    expect(prod).toContain("vault `acme-prod-backup-dr` in eu-central-1");
    expect(prod).toContain("| daily | `cron(0 2 ? * * *)` | 35 days | yes |");
    expect(prod).toContain("### prod-infra/velero/bucket/bucket");
    expect(prod).toContain("velero restore create --from-backup");
    expect(prod).toContain("## Region failure");
    const dev = runbooks["dev.md"] ?? "";
    expect(dev).toContain("Disaster-recovery copies: none");
    expect(dev).toContain("No disaster-recovery region is configured");
  });
});
