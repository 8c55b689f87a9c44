/**
 * Vitest adapter for cdktf's testing matchers (cdktf ships one for Jest only). Registers
 * `toHaveResource`, `toHaveResourceWithProperties`, `toHaveDataSource(WithProperties)` and
 * `toHaveProvider(WithProperties)` on vitest's `expect`, using vitest's asymmetric matchers for partial equality.
 * `toBeValidTerraform` / `toPlanSuccessfully` need provider downloads and are deliberately not registered.
 */
import {
  getToHaveDataSourceWithProperties,
  getToHaveProviderWithProperties,
  getToHaveResourceWithProperties,
  type TerraformConstructor,
} from "cdktf/lib/testing/matchers";
import { expect } from "vitest";

type Properties = Record<string, unknown>;

function passEvaluation(items: unknown[], properties: Properties): boolean {
  if (Object.keys(properties).length === 0) return items.length > 0;
  return expect.arrayContaining([expect.objectContaining(properties)]).asymmetricMatch(items);
}

type CdktfResult = { pass: boolean; message: string };

function toVitest(result: CdktfResult) {
  return { pass: result.pass, message: () => result.message };
}

export function registerCdktfMatchers(): void {
  const resource = getToHaveResourceWithProperties(passEvaluation);
  const dataSource = getToHaveDataSourceWithProperties(passEvaluation);
  const provider = getToHaveProviderWithProperties(passEvaluation);
  expect.extend({
    toHaveResource: (received: string, type: TerraformConstructor) => toVitest(resource(received, type, {})),
    toHaveResourceWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
      toVitest(resource(received, type, properties)),
    toHaveDataSource: (received: string, type: TerraformConstructor) => toVitest(dataSource(received, type, {})),
    toHaveDataSourceWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
      toVitest(dataSource(received, type, properties)),
    toHaveProvider: (received: string, type: TerraformConstructor) => toVitest(provider(received, type, {})),
    toHaveProviderWithProperties: (received: string, type: TerraformConstructor, properties: Properties) =>
      toVitest(provider(received, type, properties)),
  });
}

interface CdktfMatchers<R = unknown> {
  toHaveResource(type: TerraformConstructor): R;
  toHaveResourceWithProperties(type: TerraformConstructor, properties: Properties): R;
  toHaveDataSource(type: TerraformConstructor): R;
  toHaveDataSourceWithProperties(type: TerraformConstructor, properties: Properties): R;
  toHaveProvider(type: TerraformConstructor): R;
  toHaveProviderWithProperties(type: TerraformConstructor, properties: Properties): R;
}

declare module "vitest" {
  // The type parameter must match vitest's own declaration (`Matchers<T = any>`).
  // oxlint-disable-next-line typescript/no-explicit-any, typescript/no-empty-object-type
  interface Matchers<T = any> extends CdktfMatchers<T> {}
}
