import { renderLimits } from '../../shared/app/options';
import { parseSettings, type Settings } from '../../shared/settings';
import type { RenderOptions } from '../../shared/transform/render';

/** The settings the app would read from `env` and the required settings alone; nothing built from them here reaches storage. */
export function testSettings(env: Record<string, string> = {}): Settings {
  return parseSettings({ PRIVATE_API_KEY: 'private_unit_test_key_0123456789', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', ...env });
}

/** The render limits the app builds from the default settings. */
export const DEFAULT_RENDER_LIMITS = renderLimits(testSettings());

/** render() options as delivery passes them under the default settings, without admission or deadline; `extra` adds or replaces. */
export const renderOptions = (extra: Partial<RenderOptions> = {}): RenderOptions => ({ accept: '', autoAvif: false, defaultQuality: 80, limits: DEFAULT_RENDER_LIMITS, ...extra });
