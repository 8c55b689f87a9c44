import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localChartObjects, objectsInTemplate, TEMPLATE_VALUE } from "../../../charts/local-kinds";
import { manifestObjects, templated } from "../../../constructs/policy/kubernetes-objects";
import { StackModel } from "../../../constructs/policy/model";
import { rbacModel } from "../../../constructs/policy/rules/kubernetes-access";

const ROLE_TEMPLATE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Values.name }}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
{{- if .Values.extra }}
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
{{- end }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .Values.name }}
subjects:
  - kind: ServiceAccount
    name: reader
    namespace: {{ .Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: computed
rules:
  {{- toYaml .Values.rules | nindent 2 }}
`;

describe("local chart templates read without Helm", () => {
  it("reads each document, counts conditional parts as rendered and marks what Helm computes", () => {
    const objects = objectsInTemplate(ROLE_TEMPLATE, "reader", "templates/rbac.yaml");
    expect(objects.map((object) => object.kind)).toEqual(["ClusterRole", "ClusterRoleBinding", "Role"]);
    const [role, binding, computed] = objects;
    expect((role?.object?.metadata as Record<string, unknown> | undefined)?.name).toBe(TEMPLATE_VALUE);
    expect((role?.object?.rules as unknown[] | undefined)?.length).toBe(2);
    expect(templated(binding?.object?.roleRef)).toBe(true);
    expect(templated(computed?.object?.rules)).toBe(true);
  });

  it("reports a document that is not YAML even without the template expressions", () => {
    const [broken] = objectsInTemplate("apiVersion: v1\nkind: Namespace\nmetadata: {{ include \"x\" . }} [\n", "x", "templates/ns.yaml");
    expect(broken?.problem).toMatch(/cannot be read as YAML without Helm/);
  });

  it("gives the RBAC rules the objects of a release of a local chart (fail closed on computed rules)", () => {
    const directory = mkdtempSync(join(tmpdir(), "local-charts-"));
    mkdirSync(join(directory, "reader", "templates"), { recursive: true });
    writeFileSync(join(directory, "reader", "Chart.yaml"), "apiVersion: v2\nname: reader\nversion: 0.1.0\n");
    writeFileSync(join(directory, "reader", "templates", "rbac.yaml"), ROLE_TEMPLATE);
    const model = new StackModel({ resource: { helm_release: { reader: { name: "reader", chart: "assets/chart-reader/0123ABCD", namespace: "ops" } } } }, "fixture");
    const objects = manifestObjects(model, localChartObjects(directory));
    expect(objects.map((object) => `${object.kind} ${object.via}`)).toEqual([
      "ClusterRole local chart reader templates/rbac.yaml",
      "ClusterRoleBinding local chart reader templates/rbac.yaml",
      "Role local chart reader templates/rbac.yaml",
    ]);
    const rbac = rbacModel(model, objects);
    expect(rbac.roles.map((role) => [role.kind, role.name ?? null, role.unknown ?? null, role.rules.length])).toEqual([
      ["ClusterRole", null, null, 2],
      ["Role", "computed", "its rules are computed by the template", 0],
    ]);
    expect(rbac.bindings.map((binding) => [binding.kind, binding.roleName ?? null, binding.subjects])).toEqual([["ClusterRoleBinding", null, [`ServiceAccount reader`]]]);
  });
});
