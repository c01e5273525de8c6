// azd postprovision hook: waits until role assignments made by this provisioning are likely in effect.
// On a first `azd up` the app's identity has just been given Storage Blob Data Owner on the host storage
// account; Flex Consumption writes the deployment package there with that identity, and an assignment
// can take up to 10 minutes to take effect, so the deploy that follows would fail with 403 without this.
// azd hands the template's outputs to hooks as environment variables (ROLES_ASSIGNED_AT).
'use strict';

/** Azure's documented upper bound for a new role assignment to take effect. */
const PROPAGATION_SECONDS = Number(process.env.ROLE_PROPAGATION_SECONDS ?? 600);

/** Seconds still to wait for assignments made at `assignedAt` (ISO 8601) to be in effect at `now`. */
function secondsToWait(assignedAt, now = new Date()) {
  const started = Date.parse(assignedAt);
  if (Number.isNaN(started)) return 0;
  return Math.max(0, Math.ceil((started + PROPAGATION_SECONDS * 1000 - now.getTime()) / 1000));
}

async function main() {
  const assignedAt = process.env.ROLES_ASSIGNED_AT;
  if (!assignedAt) {
    console.log('wait-for-roles: ROLES_ASSIGNED_AT is not set (not run by azd after provisioning); not waiting.');
    return;
  }
  const wait = secondsToWait(assignedAt);
  console.log(wait > 0 ? `wait-for-roles: waiting ${wait} s for the new role assignments to take effect before the deploy.` : 'wait-for-roles: role assignments are in effect.');
  await new Promise((resolve) => setTimeout(resolve, wait * 1000));
}

main().catch((error) => {
  console.error(`wait-for-roles: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
