describe('settings: where the app keeps its own data', () => {
  const load = (env: Record<string, string>) => {
    const saved = { ...process.env };
    delete process.env.STORAGE_CONNECTION_STRING;
    delete process.env.STORAGE_ACCOUNT_NAME;
    Object.assign(process.env, { PRIVATE_API_KEY: 'private_settings_unit_key', ...env });
    try {
      let read: unknown;
      jest.isolateModules(() => {
        read = (require('../../shared/settings') as typeof import('../../shared/settings')).settings();
      });
      return read as Record<string, unknown>;
    } finally {
      process.env = saved;
    }
  };

  it('takes a connection string (account key) or an account name (managed identity)', () => {
    expect(load({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }).STORAGE_CONNECTION_STRING).toBe('UseDevelopmentStorage=true');
    expect(load({ STORAGE_ACCOUNT_NAME: 'imagesdata01' }).STORAGE_ACCOUNT_NAME).toBe('imagesdata01');
  });

  it('refuses neither and both, naming the two settings', () => {
    const message = /STORAGE_CONNECTION_STRING: set exactly one of STORAGE_CONNECTION_STRING \(account key\) and STORAGE_ACCOUNT_NAME \(managed identity\)/;
    expect(() => load({})).toThrow(message);
    expect(() => load({ STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', STORAGE_ACCOUNT_NAME: 'imagesdata01' })).toThrow(message);
    expect(() => load({ STORAGE_ACCOUNT_NAME: 'Not_An_Account' })).toThrow(/STORAGE_ACCOUNT_NAME: must be a storage account name/);
  });
});
