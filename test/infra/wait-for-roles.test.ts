/** infra/hooks/wait-for-roles.js, azd's postprovision hook, run as azd runs it: a Node process with the template's outputs in its environment. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const hook = path.resolve(__dirname, '..', '..', 'infra', 'hooks', 'wait-for-roles.js');

async function runHook(env: Record<string, string>): Promise<{ output: string; seconds: number }> {
  const started = Date.now();
  const { stdout } = await run(process.execPath, [hook], { env: { PATH: process.env.PATH, ...env } });
  return { output: stdout.trim(), seconds: (Date.now() - started) / 1000 };
}

describe('azd postprovision hook: wait for new role assignments', () => {
  it('waits out the rest of the propagation time after a deployment that just ran', async () => {
    const { output, seconds } = await runHook({ ROLES_ASSIGNED_AT: new Date().toISOString(), ROLE_PROPAGATION_SECONDS: '2' });
    expect(output).toMatch(/^wait-for-roles: waiting [12] s for the new role assignments/);
    expect(seconds).toBeGreaterThanOrEqual(1);
  });

  it('does not wait once the propagation time has passed', async () => {
    const { output, seconds } = await runHook({ ROLES_ASSIGNED_AT: new Date(Date.now() - 11 * 60_000).toISOString() });
    expect(output).toBe('wait-for-roles: role assignments are in effect.');
    expect(seconds).toBeLessThan(5);
  });

  it('does not wait outside azd (no template outputs)', async () => {
    expect((await runHook({})).output).toMatch(/ROLES_ASSIGNED_AT is not set/);
  });
});
