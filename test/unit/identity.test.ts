/** The credential's class name; each case loads the module (and @azure/identity) afresh, as the credential is made once per process. */
async function credentialWith(env: Record<string, string | undefined>): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete process.env[name];
  try {
    let made = '';
    await jest.isolateModulesAsync(async () => {
      made = (await import('../../shared/identity')).appIdentity().constructor.name;
    });
    return made;
  } finally {
    process.env = saved;
  }
}

describe('appIdentity', () => {
  it('is only the managed identity where App Service provides one', async () => {
    expect(await credentialWith({ IDENTITY_ENDPOINT: 'http://127.0.0.1:41234/msi/token', IDENTITY_HEADER: 'x' })).toBe('ManagedIdentityCredential');
  });

  it('is DefaultAzureCredential (a developer login) elsewhere', async () => {
    expect(await credentialWith({ IDENTITY_ENDPOINT: undefined, IDENTITY_HEADER: undefined })).toBe('DefaultAzureCredential');
  });
});
