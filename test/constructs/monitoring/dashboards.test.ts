import { describe, expect, it } from "vitest";
import { DashboardError, DATASOURCE_UIDS, loadDashboards, parseDashboard } from "../../../constructs/monitoring/dashboards";
import { promqlErrors, withoutGrafanaVariables } from "../alert-rules/promql";

const dashboards = loadDashboards();

interface Target {
  readonly expr?: string;
  readonly datasource?: { readonly uid?: string };
}

function targetsOf(json: string): Target[] {
  const parsed = JSON.parse(json) as { panels: { targets?: Target[] }[] };
  return parsed.panels.flatMap((panel) => panel.targets ?? []);
}

describe("dashboards/*.json", () => {
  it("provisions the platform's dashboards (workloads, cluster, data services, logs)", () => {
    expect(dashboards.map((dashboard) => dashboard.uid)).toEqual(["platform-cluster", "platform-data-services", "platform-logs", "platform-workloads"]);
  });

  it("uses only data sources the monitoring stack provisions", () => {
    for (const dashboard of dashboards) {
      expect(dashboard.datasources.length, dashboard.name).toBeGreaterThan(0);
      for (const uid of dashboard.datasources) expect(Object.values(DATASOURCE_UIDS)).toContain(uid);
    }
  });

  it("writes every Prometheus query in valid PromQL", () => {
    let checked = 0;
    for (const dashboard of dashboards) {
      for (const target of targetsOf(dashboard.json)) {
        if (target.datasource?.uid !== DATASOURCE_UIDS.prometheus || !target.expr) continue;
        expect(promqlErrors(withoutGrafanaVariables(target.expr)), `${dashboard.name}: ${target.expr}`).toEqual([]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it("reads the same HTTP series the alert rules use", () => {
    const workloads = dashboards.find((dashboard) => dashboard.name === "platform-workloads");
    expect(workloads?.json).toContain('http_requests_total{namespace=~\\"$namespace\\", status=~\\"5..\\"}');
    expect(workloads?.json).toContain("http_request_duration_seconds_bucket");
  });
});

const valid = { uid: "x", title: "X", panels: [{ type: "stat", datasource: { type: "prometheus", uid: "prometheus" }, targets: [{ expr: "up" }] }] };

/** A thunk parsing `value` as a dashboard file, for `expect(...).toThrow`. */
function check(value: unknown, name = "x.json"): () => unknown {
  return () => parseDashboard(`dashboards/${name}`, JSON.stringify(value));
}

describe("dashboard checks", () => {
  it("accepts a minimal dashboard and compacts its JSON", () => {
    expect(parseDashboard("dashboards/x.json", JSON.stringify(valid, null, 2)).json).toBe(JSON.stringify(valid));
  });

  it("rejects a dashboard without uid, title or panels", () => {
    expect(check({ ...valid, uid: "" })).toThrow(/needs a "uid"/);
    expect(check({ ...valid, title: undefined })).toThrow(/needs a "title"/);
    expect(check({ ...valid, panels: [] })).toThrow(/needs at least one panel/);
  });

  it("rejects a fixed numeric id", () => {
    expect(check({ ...valid, id: 12 })).toThrow(/remove "id"/);
  });

  it("rejects text Terraform would interpolate", () => {
    expect(check({ ...valid, description: "rate over ${interval}" })).toThrow(DashboardError);
    expect(check({ ...valid, description: "rate over ${interval}" })).toThrow(/Terraform would interpolate/);
  });

  it("rejects a data source the stack does not provision", () => {
    expect(check({ ...valid, panels: [{ datasource: { type: "influxdb", uid: "influx" } }] })).toThrow(/unknown data source uid\(s\) influx/);
  });

  it("rejects a file name that is not a provisioning key and invalid JSON", () => {
    expect(check(valid, "My Dashboard.json")).toThrow(/file names are lowercase words/);
    expect(() => parseDashboard("dashboards/x.json", "{")).toThrow(/not JSON/);
  });
});
