import fs from 'node:fs';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import ImageKit from '@imagekit/nodejs';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { AZURITE_ACCOUNT } from '../../dev/azurite';
import { startTestApp, type TestApp } from '../helpers/app';
import { manage } from '../helpers/manage';
import { containerSas, expiredSas } from '../helpers/sas';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = fs.existsSync(CHROMIUM);
// In CI the browser test always runs (.ci/run installs Chromium); elsewhere it may be skipped, saying why.
if (!available && process.env.CI !== 'true') console.log(`console-browser: skipped, no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`);
const describeBrowser = available || process.env.CI === 'true' ? describe : describe.skip;

/** Set to a folder (docs/images) to write the console's screenshots there. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;

describeBrowser('the web console in Chromium, against the app on Azurite', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];
  const failures: string[] = [];
  const readSas = () => containerSas('photos', 'r', new Date(Date.now() + 3600_000));

  const shot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  };
  const playgroundField = (name: string) => page.locator('#panel-playground').getByLabel(name, { exact: true });
  const namedField = (name: string) => page.locator('#named-form').getByLabel(name, { exact: true });
  const tab = (name: string) => page.getByRole('tab', { name }).click();
  const fact = (figure: 'original' | 'result', name: string) => page.locator(`#pg-${figure}-info dd[data-fact="${name}"]`).textContent();

  beforeAll(async () => {
    app = await startTestApp();
    const container = app.blobs.getContainerClient('photos');
    await container.create();
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2a6f97' } }).jpeg().toBuffer();
    await container.getBlockBlobClient('photo.jpg').uploadData(jpeg, { blobHTTPHeaders: { blobContentType: 'image/jpeg' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    // CSP violations and script errors reach the page's console as errors.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    page.on('dialog', (dialog) => dialog.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('signs in: a wrong key is refused in the page, the right one opens the console and stays in sessionStorage only', async () => {
    await page.goto(`${app.url}/console`);
    await shot('sign-in');
    await page.getByLabel('Private API key').fill('not-the-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key is not accepted.').waitFor();
    await page.getByLabel('Private API key').fill(app.privateKey);
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'Origins' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('imagekit-console-key'))).toBe(app.privateKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('adds an AZURE_BLOB origin, with the API\'s field error shown next to the field first', async () => {
    await page.getByRole('button', { name: 'Add origin' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Photos');
    await page.getByLabel('Storage account name').fill(AZURITE_ACCOUNT);
    await page.getByLabel('Container', { exact: true }).fill('photos');
    await page.getByLabel(/^SAS token/).fill(readSas().slice(1));
    await page.getByLabel(/^Blob service URL/).fill(app.azurite.blobEndpoint);
    await page.getByRole('button', { name: 'Save origin' }).click();
    const fieldError = page.locator('#origin-form-err-sasToken');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBe('must start with "?"');
    expect(await page.getByLabel(/^SAS token/).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^SAS token/).fill(readSas());
    await page.getByRole('button', { name: 'Save origin' }).click();
    await page.getByRole('cell', { name: 'Photos', exact: true }).waitFor();
    expect(await page.locator('#origins-table tbody').textContent()).toContain(`${AZURITE_ACCOUNT}/photos`);
  });

  it('tests access: ok, then with an expired SAS the verdict says it expired', async () => {
    const verdict = page.locator('#origin-test-result');
    await page.getByRole('button', { name: 'Test access origin Photos' }).click();
    await page.waitForFunction(() => document.querySelector('#origin-test-result')?.getAttribute('data-verdict') === 'ok');
    expect(await verdict.textContent()).toMatch(/^Photos: OK\. /);
    await shot('origins');

    await page.getByRole('button', { name: 'Edit origin Photos' }).click();
    await page.getByLabel(/^SAS token/).fill(expiredSas('photos'));
    await page.getByRole('button', { name: 'Save origin' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved origin Photos.' }).waitFor();
    await page.getByRole('button', { name: 'Test access origin Photos' }).click();
    await page.waitForFunction(() => document.querySelector('#origin-test-result')?.getAttribute('data-verdict') === 'sas-expired');
    expect(await verdict.textContent()).toMatch(/^Photos: SAS token expired\. .*expired on /);

    // Left empty on an edit, the stored token is kept: put a valid one back for the next steps.
    await page.getByRole('button', { name: 'Edit origin Photos' }).click();
    await page.getByLabel(/^SAS token/).fill(readSas());
    await page.getByRole('button', { name: 'Save origin' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved origin Photos.' }).waitFor();
  });

  it('puts the origin on the default endpoint, ordering origins with the keyboard', async () => {
    const proxy = await manage(app, 'POST', '/v1/accounts/origins', { type: 'WEB_PROXY', name: 'Proxy' });
    await page.reload();
    await tab('URL endpoints');
    await page.getByRole('button', { name: 'Edit URL endpoint (default)' }).click();
    expect(await page.getByLabel('URL prefix').isDisabled()).toBe(true);
    const add = page.getByLabel('Origin to add');
    await add.selectOption({ label: 'Proxy (WEB_PROXY)' });
    await page.getByRole('button', { name: 'Add to list' }).click();
    await add.selectOption({ label: 'Photos (AZURE_BLOB)' });
    await page.getByRole('button', { name: 'Add to list' }).click();
    // Keyboard only: focus Photos' Up button, press Enter; focus stays on the moved origin.
    await page.getByRole('button', { name: 'Up Photos' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#endpoint-origins li').allTextContents()).toEqual([expect.stringContaining('Photos'), expect.stringContaining('Proxy')]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Down Photos');
    await shot('endpoints');
    await page.getByRole('button', { name: 'Save URL endpoint' }).click();
    await page.getByRole('cell', { name: 'Photos → Proxy' }).waitFor();
    const stored = await manage(app, 'GET', '/v1/accounts/url-endpoints/default');
    expect(stored.json.origins).toEqual([expect.any(String), proxy.json.id]);
    expect((stored.json.origins as string[])[0]).not.toBe(proxy.json.id);
  });

  it('runs a transformation in the playground: shown dimensions match the decoded image; signed URLs verify; errors show ik-error', async () => {
    // Arrow keys move between tabs, as the WAI-ARIA tabs pattern has it.
    await page.getByRole('tab', { name: 'URL endpoints' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Playground' }).getAttribute('aria-selected')).toBe('true');
    await page.getByLabel('Asset path').fill('photo.jpg');
    await playgroundField('Transformation').fill('w-300,h-200:e-grayscale');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('status').filter({ hasText: 'Playground result ready.' }).waitFor();
    const url = (await page.locator('#pg-url').textContent())!;
    expect(url).toBe(`${app.url}/photo.jpg?tr=w-300,h-200:e-grayscale`);
    // The snippet's SDK call builds exactly the URL shown.
    const sdk = new ImageKit({ privateKey: app.privateKey, baseURL: app.url, maxRetries: 0 });
    const steps = [{ raw: 'w-300,h-200' }, { raw: 'e-grayscale' }];
    expect(sdk.helper.buildSrc({ urlEndpoint: app.url, src: '/photo.jpg', transformation: steps })).toBe(url);
    const decoded = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
    expect(await fact('result', 'Dimensions')).toBe(`${decoded.width} × ${decoded.height}`);
    expect([decoded.width, decoded.height]).toEqual([300, 200]);
    expect(await fact('original', 'Dimensions')).toBe('640 × 480');
    expect(await fact('result', 'Format')).toBe('JPEG');
    expect(await fact('result', 'x-rendition-cache')).toMatch(/^(MISS|HIT|MEMORY)/);
    expect(await fact('result', 'Server-Timing')).toMatch(/\w+;dur=/);
    expect(Number((await fact('result', 'Bytes'))!.replace(/,/g, ''))).toBeGreaterThan(100);
    expect(await page.locator('#pg-snippet').textContent()).toContain(`buildSrc({\n  urlEndpoint: "${app.url}",\n  src: "/photo.jpg",\n  transformation: [{ raw: "w-300,h-200" }, { raw: "e-grayscale" }],\n});`);
    await shot('playground');

    await page.getByLabel('Sign the URL').check();
    await page.getByLabel(/^Signed URL expires in/).fill('600');
    await playgroundField('Transformation').fill('w-160');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction(() => document.querySelector('#pg-url')?.textContent?.includes('ik-s='));
    await page.locator('#pg-result-info dd[data-fact="Dimensions"]').filter({ hasText: '160 × 120' }).waitFor();
    const signed = new URL((await page.locator('#pg-url').textContent())!);
    const expiry = signed.searchParams.get('ik-t')!;
    expect(Number(expiry)).toBeGreaterThan(Date.now() / 1000 + 500);
    const expected = createHmac('sha1', app.privateKey).update(`photo.jpg?tr=w-160${expiry}`).digest('hex');
    expect(signed.searchParams.get('ik-s')).toBe(expected);
    expect(await page.locator('#pg-snippet').textContent()).toMatch(/client\.helper\.buildSrc\([\s\S]*signed: true,\n {2}expiresIn: 600/);
    // Without an expiry, the signed URL is the SDK's to the byte.
    await page.getByLabel(/^Signed URL expires in/).fill('');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForFunction(() => /ik-s=/.test(document.querySelector('#pg-url')?.textContent ?? '') && !/ik-t=/.test(document.querySelector('#pg-url')?.textContent ?? ''));
    expect(await page.locator('#pg-url').textContent()).toBe(sdk.helper.buildSrc({ urlEndpoint: app.url, src: '/photo.jpg', transformation: [{ raw: 'w-160' }], signed: true }));
    await page.locator('#pg-result-info dd[data-fact="Dimensions"]').filter({ hasText: '160 × 120' }).waitFor();
    await page.getByLabel('Sign the URL').uncheck();

    await playgroundField('Transformation').fill('w-abc');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('#pg-result-error').filter({ hasText: /^400: EBADPARAM - / }).waitFor();
    expect(await page.locator('#pg-result').isHidden()).toBe(true);
  });

  it('adds a named transformation with a live preview, and uses it', async () => {
    await tab('Named transformations');
    await page.getByRole('button', { name: 'Add named transformation' }).click();
    await page.getByLabel(/^Name \(letters/).fill('thumb');
    await namedField('Transformation').fill('w-120,h-90');
    await page.locator('#named-preview-info').filter({ hasText: 'Preview: 120 × 90' }).waitFor();
    await namedField('Transformation').fill('w-bad');
    await page.locator('#named-preview-info').filter({ hasText: 'EBADPARAM' }).waitFor();
    await page.getByRole('button', { name: 'Save named transformation' }).click();
    await page.locator('#named-form-err-transformation').filter({ hasText: /\S/ }).waitFor();
    await namedField('Transformation').fill('w-120,h-90');
    await shot('named');
    await page.getByRole('button', { name: 'Save named transformation' }).click();
    await page.getByRole('cell', { name: 'thumb', exact: true }).waitFor();
    const used = await sharp(Buffer.from(await (await fetch(`${app.url}/photo.jpg?tr=n-thumb`)).arrayBuffer())).metadata();
    expect([used.width, used.height]).toEqual([120, 90]);
  });

  it('purges a URL and shows the request status as it completes; a refused wildcard is shown on the field', async () => {
    await tab('Purge');
    await page.getByLabel('URL to purge').fill(`${app.url}/p*`);
    await page.getByRole('button', { name: 'Purge', exact: true }).click();
    await page.locator('#purge-form-err-url').filter({ hasText: /wildcard/ }).waitFor();
    await page.getByLabel('URL to purge').fill(`${app.url}/photo.jpg`);
    await page.getByRole('button', { name: 'Purge', exact: true }).click();
    await page.locator('#purge-log li[data-status="Completed"]').waitFor();
    expect(await page.locator('#purge-log li').first().textContent()).toBe(`${app.url}/photo.jpg — Completed`);
    await shot('purge');
    // The rendition is gone: the next request transforms again.
    const again = await fetch(`${app.url}/photo.jpg?tr=w-300,h-200:e-grayscale`);
    expect(again.headers.get('x-rendition-cache')).toBe('MISS');
  });

  it('works at 400 px wide without horizontal scrolling of the page', async () => {
    await page.setViewportSize({ width: 400, height: 900 });
    for (const name of ['Origins', 'URL endpoints', 'Playground']) {
      await tab(name);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    }
    await tab('Playground');
    await shot('playground-400');
    await tab('Origins');
    await shot('origins-400');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out: the key is gone from the tab; every request went to the app itself and nothing broke the CSP', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Private API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('imagekit-console-key'))).toBeNull();
    expect(await page.getByRole('tab', { name: 'Origins' }).isHidden()).toBe(true);
    const elsewhere = requests.filter((url) => !url.startsWith(`${app.url}/`) && !url.startsWith('blob:'));
    expect(elsewhere).toEqual([]);
    expect(requests.filter((url) => url.includes(app.privateKey))).toEqual([]);
    // The one refused sign-in, the refused SAS token, the refused wildcard purge and the deliberate bad transformations are the only failures.
    expect(failures.filter((f) => !/^(401 .*\/v1\/accounts\/url-endpoints|400 .*\/v1\/files\/purge|400 .*\/v1\/accounts\/origins|400 .*\/v1\/named-transformations|400 .*tr=w-(abc|bad))$/.test(f))).toEqual([]);
    expect(problems.filter((p) => !/status of (401|400)/.test(p))).toEqual([]);
  });
});
