// @ts-check
import { api, ApiFailure, forgetKey, storedKey, storeKey } from './api.js';
import { buildUrl, endpointUrl, sdkSnippet, signUrl } from './urls.js';

/** @typedef {{ id: string, type: string, name: string, [field: string]: unknown }} Origin */
/** @typedef {{ id: string, urlPrefix: string, description: string, origins: string[], [field: string]: unknown }} Endpoint */
/** @typedef {{ id: string, name: string, transformation: string, enabled: boolean }} Named */

/** @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);

/**
 * An element with attributes and children; text is always set as text, never parsed as HTML.
 * @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} children
 */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** @param {string} label @param {string} name @param {() => void} action */
const button = (label, name, action) => {
  const node = /** @type {HTMLButtonElement} */ (el('button', { type: 'button', 'aria-label': `${label} ${name}` }, label));
  node.addEventListener('click', action);
  return node;
};

const say = (/** @type {string} */ text) => ($('status').textContent = text);

/** @type {{ origins: Origin[], endpoints: Endpoint[], named: Named[] }} */
const state = { origins: [], endpoints: [], named: [] };

// ---------- Sign-in ----------

function showWorkspace(/** @type {boolean} */ signedIn) {
  $('sign-in').hidden = signedIn;
  $('workspace').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
}

/** Every failure of an action: a refused key signs out; anything else is shown where the action was. */
function failed(/** @type {unknown} */ error, /** @type {HTMLElement | null} */ where) {
  if (error instanceof ApiFailure && error.status === 401) {
    signOut('The API key was refused; sign in again.');
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (where) where.textContent = message;
  else say(message);
}

function signOut(message = 'Signed out.') {
  forgetKey();
  state.origins = [];
  state.endpoints = [];
  state.named = [];
  showWorkspace(false);
  /** @type {HTMLInputElement} */ ($('api-key')).value = '';
  $('sign-in-error').textContent = message === 'Signed out.' ? '' : message;
  say(message);
  $('api-key').focus();
}

$('sign-in-form').addEventListener('submit', async (/** @type {SubmitEvent} */ event) => {
  event.preventDefault();
  const key = /** @type {HTMLInputElement} */ ($('api-key')).value.trim();
  $('sign-in-error').textContent = '';
  try {
    await api('GET', '/v1/accounts/url-endpoints', undefined, key);
  } catch (error) {
    $('sign-in-error').textContent = error instanceof ApiFailure && error.status === 401 ? 'This key is not accepted.' : error instanceof Error ? error.message : String(error);
    return;
  }
  storeKey(key);
  await enter();
  say('Signed in.');
});

$('sign-out').addEventListener('click', () => signOut());

async function enter() {
  showWorkspace(true);
  try {
    await Promise.all([loadOrigins(), loadEndpoints(), loadNamed()]);
  } catch (error) {
    failed(error, null);
  }
}

// ---------- Tabs (WAI-ARIA tabs pattern: arrows, Home, End) ----------

const tabs = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('[role="tab"]')]);

function selectTab(/** @type {HTMLButtonElement} */ tab) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute('aria-selected', String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute('aria-controls') ?? '').hidden = !selected;
  }
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    const at = tabs.indexOf(tab);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    selectTab(target);
    target.focus();
  });
}

// ---------- Forms: values in, API field errors out ----------

/** Each named control gets a place for its own error, announced with the control. */
function prepareForm(/** @type {HTMLFormElement} */ form) {
  for (const control of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[name]'))) {
    if (form.querySelector(`#${form.id}-err-${control.name}`)) continue;
    const error = el('p', { class: 'error field-error', id: `${form.id}-err-${control.name}` });
    (control.type === 'checkbox' ? /** @type {HTMLElement} */ (control.parentElement) : control).after(error);
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), error.id].filter(Boolean).join(' '));
  }
}

function clearErrors(/** @type {HTMLFormElement} */ form) {
  for (const node of form.querySelectorAll('.field-error, .form-error')) node.textContent = '';
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
}

/**
 * The API names each failing field (`sasToken: must start with "?"; container: ...`): each message goes next to its
 * field, the rest to the form.
 */
function showErrors(/** @type {HTMLFormElement} */ form, /** @type {unknown} */ error) {
  if (error instanceof ApiFailure && error.status === 401) return failed(error, null);
  const message = error instanceof Error ? error.message : String(error);
  const rest = [];
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z]+)(?:\.\d+)?: (.*)$/.exec(part);
    const slot = match && form.querySelector(`#${form.id}-err-${match[1]}`);
    if (slot && match) {
      slot.textContent = match[2];
      form.querySelector(`[name="${match[1]}"]`)?.setAttribute('aria-invalid', 'true');
    } else rest.push(part);
  }
  const general = form.querySelector('.form-error');
  if (general) general.textContent = rest.join('; ');
  /** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]'))?.focus();
}

/** @param {HTMLFormElement} form @param {string} name */
const control = (form, name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));

/** @param {HTMLFormElement} form @param {string} name */
function text(form, name) {
  const value = control(form, name).value.trim();
  return value === '' ? undefined : value;
}

/** @param {HTMLFormElement} form @param {Record<string, unknown>} values */
function fill(form, values) {
  for (const node of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('[name]'))) {
    const value = values[node.name];
    if (node.type === 'checkbox') node.checked = value === undefined ? node.defaultChecked : value === true;
    else node.value = value === undefined || value === null ? '' : String(value);
  }
}

function openForm(/** @type {HTMLFormElement} */ form, /** @type {string} */ title) {
  clearErrors(form);
  /** @type {HTMLElement} */ (form.querySelector('h3')).textContent = title;
  form.hidden = false;
  /** @type {HTMLElement} */ (form.querySelector('input:not([type=hidden]):not([disabled]), select')).focus();
}

/** Closes a form and gives focus back to the button that opens new ones. */
function closeForm(/** @type {HTMLFormElement} */ form, /** @type {string} */ opener) {
  form.hidden = true;
  delete form.dataset.id;
  $(opener).focus();
}

for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (document.querySelectorAll('form.api-form'))) {
  prepareForm(form);
}

/** Deletes after the user confirms; a refusal (an origin still in use) is shown in the status line. */
async function remove(/** @type {string} */ path, /** @type {string} */ what, /** @type {() => Promise<void>} */ reload) {
  if (!window.confirm(`Delete ${what}?`)) return;
  try {
    await api('DELETE', path);
    say(`Deleted ${what}.`);
    await reload();
  } catch (error) {
    failed(error, null);
  }
}

/**
 * Wires a resource's form: its opener button, Cancel, and a submit that creates (POST) or updates (`update` on
 * `path/{id}`), then reloads the list; the API's field errors land next to their fields.
 * @param {{ form: HTMLFormElement, opener: string, edit: (item: undefined) => void, path: string, update: string,
 *   body: (id: string | undefined) => Record<string, unknown>, label: (saved: any) => string, reload: () => Promise<void> }} resource
 */
function wireForm({ form, opener, edit, path, update, body, label, reload }) {
  $(opener).addEventListener('click', () => edit(undefined));
  form.querySelector('.cancel')?.addEventListener('click', () => closeForm(form, opener));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const id = form.dataset.id;
    try {
      const saved = await api(id ? update : 'POST', id ? `${path}/${id}` : path, body(id));
      say(`Saved ${label(saved)}.`);
      closeForm(form, opener);
      await reload();
    } catch (error) {
      showErrors(form, error);
    }
  });
}

/**
 * A table's body: one row per item, or one saying there are none.
 * @template T @param {string} table @param {T[]} items @param {(item: T) => (Node | string)[]} cells @param {string} empty
 */
function renderRows(table, items, cells, empty) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...items.map((item) => el('tr', {}, ...cells(item))));
  if (items.length === 0) body.append(el('tr', {}, el('td', { colspan: '4' }, empty)));
}

// ---------- Origins ----------

const originForm = /** @type {HTMLFormElement} */ ($('origin-form'));

async function loadOrigins() {
  state.origins = await api('GET', '/v1/accounts/origins');
  /** @param {Origin} origin */
  const cells = (origin) => {
    const details = origin.type === 'AZURE_BLOB' ? `${origin.accountName}/${origin.container}${origin.prefix ? `/${origin.prefix}` : ''}` : String(origin.baseUrl ?? 'absolute URLs');
    const name = `origin ${origin.name}`;
    const actions = [button('Edit', name, () => editOrigin(origin)), button('Test access', name, () => testOrigin(origin)), button('Delete', name, () => remove(`/v1/accounts/origins/${origin.id}`, name, loadOrigins))];
    return [el('td', {}, origin.name), el('td', {}, origin.type), el('td', { class: 'wrap' }, details), el('td', { class: 'row-actions' }, ...actions)];
  };
  renderRows('origins-table', state.origins, cells, 'No origins yet.');
  renderOriginChoices();
}

function showOriginType() {
  const type = control(originForm, 'type').value;
  for (const group of /** @type {NodeListOf<HTMLElement>} */ (originForm.querySelectorAll('[data-types]'))) group.hidden = group.dataset.types !== type;
}
control(originForm, 'type').addEventListener('change', showOriginType);

function editOrigin(/** @type {Origin | undefined} */ origin) {
  fill(originForm, origin ?? { type: 'AZURE_BLOB' });
  originForm.dataset.id = origin?.id ?? '';
  if (!origin) delete originForm.dataset.id;
  control(originForm, 'type').disabled = origin !== undefined;
  control(originForm, 'sasToken').placeholder = origin ? 'Leave empty to keep the stored token' : '';
  showOriginType();
  openForm(originForm, origin ? `Edit origin ${origin.name}` : 'Add origin');
}

wireForm({
  form: originForm,
  opener: 'origin-new',
  edit: editOrigin,
  path: '/v1/accounts/origins',
  update: 'PUT',
  label: (saved) => `origin ${saved.name}`,
  reload: loadOrigins,
  body: (id) => {
    const type = control(originForm, 'type').value;
    /** @type {Record<string, unknown>} */
    const body = { type, name: text(originForm, 'name') ?? '', includeCanonicalHeader: control(originForm, 'includeCanonicalHeader').checked };
    const canonical = text(originForm, 'baseUrlForCanonicalHeader');
    if (canonical) body.baseUrlForCanonicalHeader = canonical;
    if (type === 'AZURE_BLOB') {
      Object.assign(body, { accountName: text(originForm, 'accountName') ?? '', container: text(originForm, 'container') ?? '', prefix: text(originForm, 'prefix') ?? '' });
      const sas = text(originForm, 'sasToken');
      // Left empty on an edit, the stored token is kept.
      if (sas || !id) body.sasToken = sas ?? '';
      const endpoint = text(originForm, 'endpoint');
      if (endpoint) body.endpoint = endpoint;
    }
    if (type === 'WEB_FOLDER') Object.assign(body, { baseUrl: text(originForm, 'baseUrl') ?? '', forwardHostHeaderToOrigin: control(originForm, 'forwardHostHeaderToOrigin').checked });
    return body;
  },
});

const VERDICTS = /** @type {Record<string, string>} */ ({
  ok: 'OK',
  'asset-missing': 'Asset missing',
  'sas-expired': 'SAS token expired',
  'sas-not-yet-valid': 'SAS token not yet valid',
  'no-read-permission': 'No read permission',
  'access-denied': 'Access denied',
  'container-missing': 'Container missing',
  unreachable: 'Unreachable',
  blocked: 'Blocked by the private-address guard',
  failed: 'Failed',
});

async function testOrigin(/** @type {Origin} */ origin) {
  const out = $('origin-test-result');
  /** @type {Record<string, string>} */
  const body = {};
  if (origin.type === 'WEB_PROXY') {
    const url = window.prompt('A WEB_PROXY origin is tested with the URL of an image it should fetch:', 'https://');
    if (!url) return;
    body.path = url;
  }
  out.className = 'verdict';
  out.textContent = `Testing ${origin.name}…`;
  try {
    const report = await api('POST', `/v1/accounts/origins/${origin.id}/test`, body);
    out.className = `verdict ${report.ok ? 'good' : 'bad'}`;
    out.textContent = `${origin.name}: ${VERDICTS[report.verdict] ?? report.verdict}. ${report.message}`;
    out.dataset.verdict = report.verdict;
  } catch (error) {
    out.className = 'verdict bad';
    failed(error, out);
  }
}

// ---------- URL endpoints ----------

const endpointForm = /** @type {HTMLFormElement} */ ($('endpoint-form'));
/** The origin ids of the endpoint being edited, in preference order. */
let endpointOrigins = /** @type {string[]} */ ([]);

const originName = (/** @type {string} */ id) => state.origins.find((o) => o.id === id)?.name ?? id;

async function loadEndpoints() {
  state.endpoints = await api('GET', '/v1/accounts/url-endpoints');
  /** @param {Endpoint} endpoint */
  const cells = (endpoint) => {
    const name = `URL endpoint ${endpoint.urlPrefix || '(default)'}`;
    const actions = el('td', { class: 'row-actions' }, button('Edit', name, () => editEndpoint(endpoint)));
    if (endpoint.id !== 'default') actions.append(button('Delete', name, () => remove(`/v1/accounts/url-endpoints/${endpoint.id}`, name, loadEndpoints)));
    return [el('td', {}, endpoint.urlPrefix || '(default)'), el('td', { class: 'wrap' }, endpoint.description), el('td', { class: 'wrap' }, endpoint.origins.map(originName).join(' → ') || 'none'), actions];
  };
  renderRows('endpoints-table', state.endpoints, cells, 'No URL endpoints.');
  renderPlaygroundEndpoints();
}

/** The ordered list with Up, Down and Remove per origin; focus stays on the moved origin's button. */
function renderOrder(/** @type {string | undefined} */ focusId, /** @type {string} */ focusAction = 'up') {
  const list = $('endpoint-origins');
  list.replaceChildren(
    ...endpointOrigins.map((id, index) => {
      const name = originName(id);
      const move = (/** @type {number} */ by) => () => {
        const [item] = endpointOrigins.splice(index, 1);
        endpointOrigins.splice(index + by, 0, item);
        renderOrder(id, by < 0 ? 'up' : 'down');
        say(`${name} moved to position ${index + by + 1} of ${endpointOrigins.length}.`);
      };
      const up = button('Up', name, move(-1));
      const down = button('Down', name, move(1));
      up.dataset.action = 'up';
      down.dataset.action = 'down';
      up.disabled = index === 0;
      down.disabled = index === endpointOrigins.length - 1;
      const drop = button('Remove', name, () => {
        endpointOrigins.splice(index, 1);
        renderOrder(undefined);
        $('endpoint-origin-add').focus();
      });
      const item = el('li', { draggable: 'true', 'data-id': id }, el('span', { class: 'grow' }, `${index + 1}. ${name}`), up, down, drop);
      item.addEventListener('dragstart', (event) => event.dataTransfer?.setData('text/plain', String(index)));
      item.addEventListener('dragover', (event) => event.preventDefault());
      item.addEventListener('drop', (event) => {
        event.preventDefault();
        const from = Number(event.dataTransfer?.getData('text/plain'));
        if (!Number.isInteger(from) || from === index) return;
        const [moved] = endpointOrigins.splice(from, 1);
        endpointOrigins.splice(index, 0, moved);
        renderOrder(undefined);
      });
      return item;
    }),
  );
  $('endpoint-origins-none').hidden = endpointOrigins.length > 0;
  if (focusId) {
    const target = /** @type {HTMLButtonElement | null} */ (list.querySelector(`li[data-id="${focusId}"] [data-action="${focusAction}"]`));
    (target && !target.disabled ? target : /** @type {HTMLElement | null} */ (list.querySelector(`li[data-id="${focusId}"] button:not([disabled])`)))?.focus();
  }
  renderOriginChoices();
}

function renderOriginChoices() {
  const select = $('endpoint-origin-add');
  const free = state.origins.filter((o) => !endpointOrigins.includes(o.id));
  select.replaceChildren(...free.map((o) => el('option', { value: o.id }, `${o.name} (${o.type})`)));
  select.disabled = free.length === 0;
  $('endpoint-origin-add-button').disabled = free.length === 0;
}

$('endpoint-origin-add-button').addEventListener('click', () => {
  const id = $('endpoint-origin-add').value;
  if (!id) return;
  endpointOrigins.push(id);
  renderOrder(undefined);
  say(`${originName(id)} added at position ${endpointOrigins.length}.`);
});

function editEndpoint(/** @type {Endpoint | undefined} */ endpoint) {
  fill(endpointForm, endpoint ?? {});
  if (endpoint) endpointForm.dataset.id = endpoint.id;
  else delete endpointForm.dataset.id;
  control(endpointForm, 'urlPrefix').disabled = endpoint?.id === 'default';
  endpointOrigins = [...(endpoint?.origins ?? [])];
  renderOrder(undefined);
  openForm(endpointForm, endpoint ? `Edit URL endpoint ${endpoint.urlPrefix || '(default)'}` : 'Add URL endpoint');
}

wireForm({
  form: endpointForm,
  opener: 'endpoint-new',
  edit: editEndpoint,
  path: '/v1/accounts/url-endpoints',
  update: 'PUT',
  label: (saved) => `URL endpoint ${saved.urlPrefix || '(default)'}`,
  reload: loadEndpoints,
  body: (id) => {
    /** @type {Record<string, unknown>} */
    const body = { description: control(endpointForm, 'description').value, origins: endpointOrigins };
    if (id !== 'default') body.urlPrefix = control(endpointForm, 'urlPrefix').value.trim();
    for (const flag of ['restrictUnsignedUrls', 'restrictUnnamedTransformations', 'allowUnsignedWebProxy']) body[flag] = control(endpointForm, flag).checked;
    const seconds = text(endpointForm, 'originalsCacheSeconds');
    if (seconds !== undefined) body.originalsCacheSeconds = Number(seconds);
    return body;
  },
});

// ---------- Delivery: fetch an image and describe what came back ----------

/** @param {string} contentType */
const formatName = (contentType) => (contentType.split(';')[0].replace(/^image\//, '').replace('svg+xml', 'svg') || 'unknown').toUpperCase();

/**
 * Fetches a delivery URL (never from the browser cache, so the headers are this answer's) and shows it in `img`,
 * its facts in `info` and the `ik-error` message in `error`. Resolves the decoded size, or undefined.
 * @param {string} url @param {HTMLImageElement} img @param {HTMLElement} info @param {HTMLElement} error
 */
async function showImage(url, img, info, error) {
  error.textContent = '';
  info.replaceChildren();
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.hidden = true;
  let response;
  try {
    response = await fetch(url, { cache: 'no-store', credentials: 'omit' });
  } catch (failure) {
    error.textContent = `The request failed: ${failure instanceof Error ? failure.message : String(failure)}`;
    return undefined;
  }
  /** @type {[string, string][]} */
  const facts = [];
  const header = (/** @type {string} */ name) => response.headers.get(name) ?? '—';
  if (!response.ok) {
    error.textContent = `${response.status}: ${response.headers.get('ik-error') ?? response.statusText}`;
    facts.push(['Status', String(response.status)], ['x-rendition-cache', header('x-rendition-cache')]);
  } else {
    const blob = await response.blob();
    img.src = URL.createObjectURL(blob);
    await img.decode().catch(() => undefined);
    img.hidden = false;
    facts.push(
      ['Dimensions', `${img.naturalWidth} × ${img.naturalHeight}`],
      ['Format', formatName(response.headers.get('content-type') ?? '')],
      ['Bytes', blob.size.toLocaleString('en')],
      ['x-rendition-cache', header('x-rendition-cache')],
      ['Server-Timing', header('server-timing')],
    );
  }
  info.replaceChildren(...facts.flatMap(([name, value]) => [el('dt', {}, name), el('dd', { 'data-fact': name }, value)]));
  return response.ok ? { width: img.naturalWidth, height: img.naturalHeight } : undefined;
}

// ---------- Playground ----------

const playground = /** @type {HTMLFormElement} */ ($('playground-form'));

function renderPlaygroundEndpoints() {
  const select = $('pg-endpoint');
  const chosen = select.value;
  select.replaceChildren(...state.endpoints.map((e) => el('option', { value: e.urlPrefix }, e.urlPrefix ? `/${e.urlPrefix} — ${e.description}` : `(default) — ${e.description}`)));
  if (chosen && state.endpoints.some((e) => e.urlPrefix === chosen)) select.value = chosen;
}

const playgroundEndpoint = () => endpointUrl(location.origin, $('pg-endpoint').value);
const playgroundPath = () => /** @type {HTMLInputElement} */ ($('pg-path')).value.trim().replace(/^\/+/, '');

$('pg-build').addEventListener('click', () => {
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value.trim();
  const first = [];
  if (value('pg-w')) first.push(`w-${value('pg-w')}`);
  if (value('pg-h')) first.push(`h-${value('pg-h')}`);
  if (value('pg-crop')) first.push(value('pg-crop'));
  if (value('pg-f')) first.push(value('pg-f'));
  if (value('pg-q')) first.push(`q-${value('pg-q')}`);
  if (value('pg-bl')) first.push(`bl-${value('pg-bl')}`);
  const steps = first.length ? [first.join(',')] : [];
  if (/** @type {HTMLInputElement} */ ($('pg-gray')).checked) steps.push('e-grayscale');
  /** @type {HTMLInputElement} */ ($('pg-tr')).value = steps.join(':');
  $('pg-tr').focus();
});

playground.addEventListener('submit', async (event) => {
  event.preventDefault();
  const urlEndpoint = playgroundEndpoint();
  const path = playgroundPath();
  const transformation = /** @type {HTMLInputElement} */ ($('pg-tr')).value.trim();
  const signed = /** @type {HTMLInputElement} */ ($('pg-sign')).checked;
  const expiresIn = Number(/** @type {HTMLInputElement} */ ($('pg-expiry')).value) || 0;
  let original = buildUrl(urlEndpoint, path, '');
  let result = buildUrl(urlEndpoint, path, transformation);
  if (signed) {
    const key = storedKey() ?? '';
    [original, result] = await Promise.all([signUrl(original, urlEndpoint, key, expiresIn), signUrl(result, urlEndpoint, key, expiresIn)]);
  }
  $('pg-url').textContent = result;
  $('pg-snippet').textContent = sdkSnippet(urlEndpoint, path, transformation, signed, expiresIn);
  say('Running…');
  await Promise.all([
    showImage(original, $('pg-original'), $('pg-original-info'), $('pg-original-error')),
    showImage(result, $('pg-result'), $('pg-result-info'), $('pg-result-error')),
  ]);
  say('Playground result ready.');
});

// ---------- Named transformations ----------

const namedForm = /** @type {HTMLFormElement} */ ($('named-form'));

async function loadNamed() {
  state.named = await api('GET', '/v1/named-transformations');
  /** @param {Named} named */
  const cells = (named) => {
    const name = `named transformation ${named.name}`;
    const actions = [button('Edit', name, () => editNamed(named)), button('Delete', name, () => remove(`/v1/named-transformations/${named.id}`, name, loadNamed))];
    return [el('td', {}, named.name), el('td', { class: 'wrap' }, el('code', {}, named.transformation)), el('td', {}, named.enabled ? 'Yes' : 'No'), el('td', { class: 'row-actions' }, ...actions)];
  };
  renderRows('named-table', state.named, cells, 'No named transformations yet.');
}

function editNamed(/** @type {Named | undefined} */ named) {
  fill(namedForm, named ?? {});
  if (named) namedForm.dataset.id = named.id;
  else delete namedForm.dataset.id;
  const preview = /** @type {HTMLInputElement} */ ($('named-preview-path'));
  if (!preview.value) preview.value = playgroundPath();
  openForm(namedForm, named ? `Edit named transformation ${named.name}` : 'Add named transformation');
  schedulePreview();
}

let previewTimer = 0;
/** The preview follows typing, once it pauses, with the raw transformation (a name works only once saved). */
function schedulePreview() {
  window.clearTimeout(previewTimer);
  previewTimer = window.setTimeout(async () => {
    const path = /** @type {HTMLInputElement} */ ($('named-preview-path')).value.trim();
    const info = $('named-preview-info');
    if (!path) {
      info.textContent = 'Name an asset to preview.';
      return;
    }
    const transformation = control(namedForm, 'transformation').value.trim();
    let url = buildUrl(playgroundEndpoint(), path, transformation);
    if ($('pg-sign').checked) url = await signUrl(url, playgroundEndpoint(), storedKey() ?? '', 300);
    const facts = el('dl');
    const error = el('span', { class: 'error' });
    const size = await showImage(url, $('named-preview'), facts, error);
    info.replaceChildren(size ? `Preview: ${size.width} × ${size.height}` : '', error);
  }, 400);
}
control(namedForm, 'transformation').addEventListener('input', schedulePreview);
$('named-preview-path').addEventListener('input', schedulePreview);

wireForm({
  form: namedForm,
  opener: 'named-new',
  edit: editNamed,
  path: '/v1/named-transformations',
  update: 'PATCH',
  label: (saved) => `named transformation ${saved.name}`,
  reload: loadNamed,
  body: () => ({ name: control(namedForm, 'name').value.trim(), transformation: control(namedForm, 'transformation').value.trim(), enabled: control(namedForm, 'enabled').checked }),
});

// ---------- Purge ----------

const purgeForm = /** @type {HTMLFormElement} */ ($('purge-form'));
const POLL_MS = 1000;
const POLLS = 120;

purgeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(purgeForm);
  const url = control(purgeForm, 'url').value.trim();
  const status = el('span', { class: 'purge-status' }, 'Sending');
  const entry = el('li', {}, el('code', {}, url), ' — ', status);
  let id;
  try {
    ({ requestId: id } = await api('POST', '/v1/files/purge', { url }));
  } catch (error) {
    showErrors(purgeForm, error);
    return;
  }
  $('purge-log').prepend(entry);
  // Pending until Front Door confirms (with an edge configured); the rendition cache is already purged.
  for (let poll = 0; poll < POLLS; poll++) {
    try {
      const answer = await api('GET', `/v1/files/purge/${id}`);
      status.textContent = answer.error ? `${answer.status}: ${answer.error}` : answer.status;
      entry.dataset.status = answer.status;
      if (answer.status !== 'Pending') return;
    } catch (error) {
      failed(error, status);
      return;
    }
    await new Promise((resolve) => window.setTimeout(resolve, POLL_MS));
  }
  status.textContent = 'Still pending; check again later';
});

// ---------- Start ----------

if (storedKey()) enter();
else showWorkspace(false);
