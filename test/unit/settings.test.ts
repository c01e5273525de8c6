import { parseSettings } from '../../shared/settings';

describe('settings: where the app keeps its own data', () => {
  const load = (env: Record<string, string>) => parseSettings({ PRIVATE_API_KEY: 'private_settings_unit_key', ...env });

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
