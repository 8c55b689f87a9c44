/**
 * Reading a data service's published connection description (the String SSM parameter at connectionParameterName,
 * written by constructs/data-access) from a stack that does not own the service: one data source, then one field at
 * a time. Kept apart from ./connections, which configuration validation imports and which loads no provider binding.
 */
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { connectionParameterName } from "./connections";
import type { Naming } from "./naming";

/** A field of the connection JSON (`host`, `port`, `secretArn`, ...); `fallback` when the field is absent. */
export type ConnectionField = (key: string, fallback?: unknown) => string;

/** Declares the parameter's data source as `id` in `scope` and returns a reader of its fields. */
export function publishedConnection(scope: Construct, id: string, naming: Naming, serviceName: string): ConnectionField {
  const parameter = new DataAwsSsmParameter(scope, id, { name: connectionParameterName(naming, serviceName) });
  const connection = Fn.jsondecode(parameter.insecureValue);
  return (key, fallback = "") => Token.asString(Fn.lookup(connection, key, fallback));
}
