/**
 * A configuration with two AWS accounts, built from the bundled one at run time: `main` (111111111111: the
 * bootstrap account, dev and staging, and the dedicated tenant initech, which names it) and `prod`
 * (222222222222: the prod environment and its shared tenant globex). So production's CI roles exist in both
 * accounts, dev's and staging's only in main.
 */
import { tempConfig } from "./synth";

export const MAIN_ACCOUNT = "111111111111";
export const PROD_ACCOUNT = "222222222222";

export function twoAccountConfigDir(): string {
  return tempConfig({
    set: {
      "project.yaml": { accounts: { prod: { id: PROD_ACCOUNT, region: "eu-west-1" } } },
      "environments/prod.yaml": {
        account: { id: PROD_ACCOUNT },
        cluster: { access: { adminRoleArns: [`arn:aws:iam::${PROD_ACCOUNT}:role/platform-admin`], viewerRoleArns: [`arn:aws:iam::${PROD_ACCOUNT}:role/platform-readonly`] } },
      },
      "tenants/initech.yaml": { account: "main" },
    },
  });
}
