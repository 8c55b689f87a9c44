/**
 * PromQL syntax check with the official grammar (@prometheus-io/lezer-promql, the parser of Prometheus' own UI):
 * an expression is valid when its parse tree has no error node.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Positions of syntax errors in `expr` (empty when it parses). */
export function promqlErrors(expr: string): number[] {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

/** Grafana's built-in variables replaced by values PromQL accepts, so a dashboard query can be parsed. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, "5m").replace(/\$([a-z_]+)/g, "$1");
}
