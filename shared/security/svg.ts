import type { DOMPurify } from 'dompurify';
import { overLimit, unsupported } from '../http/errors';
import { SVG_CSP } from '../http/headers';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Local references (`#id`) and embedded raster images are all an SVG may point at. */
const SAFE_REFERENCE = /^(#|data:image\/(png|jpeg|gif|webp);base64,)/i;
/** A CSS `url(...)` that leaves the document, or an `@import`. */
const EXTERNAL_CSS = /@import|url\(\s*['"]?\s*(?!#)/i;

interface Sanitiser {
  purify: DOMPurify;
  window: import('jsdom').DOMWindow;
}

let sanitiser: Sanitiser | undefined;

/** jsdom is large: loaded on the first SVG, not at every cold start. */
async function load(): Promise<Sanitiser> {
  if (sanitiser) return sanitiser;
  const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')]);
  const { window } = new JSDOM('');
  const purify = createDOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    if ((name === 'href' || name === 'xlink:href') && !SAFE_REFERENCE.test(data.attrValue.trim())) data.keepAttr = false;
    if (EXTERNAL_CSS.test(data.attrValue)) data.keepAttr = false;
  });
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style' && EXTERNAL_CSS.test(node.textContent ?? '')) node.parentNode?.removeChild(node);
  });
  sanitiser = { purify, window };
  return sanitiser;
}

/**
 * An SVG fit to serve as SVG: parsed as strict XML (malformed input, and entity tricks that need a DTD, are
 * refused), then DOMPurify's SVG allow-list removes scripts, event handlers, `foreignObject`, animation of
 * attributes, and every reference that leaves the document (links, images, CSS `url()` and `@import`).
 */
export async function sanitizeSvg(input: Buffer, maxBytes: number): Promise<Buffer> {
  if (input.length > maxBytes) throw overLimit(`The SVG is ${input.length} bytes; at most ${maxBytes} are allowed`);
  const { purify, window } = await load();
  let doc: Document;
  try {
    doc = new window.DOMParser().parseFromString(input.toString('utf8'), 'image/svg+xml');
  } catch {
    throw unsupported('The SVG is not well-formed XML');
  }
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length > 0) {
    throw unsupported('The SVG is not well-formed XML with an <svg> root');
  }
  doc.doctype?.remove();
  purify.sanitize(root, { IN_PLACE: true, USE_PROFILES: { svg: true, svgFilters: true }, FORBID_TAGS: ['foreignObject'] });
  return Buffer.from(new window.XMLSerializer().serializeToString(doc), 'utf8');
}

/** Markup a browser would run scripts in when opened directly from this host. */
const SVG_TYPE = /^image\/svg\+xml\s*(;|$)/i;
const MARKUP_TYPE = /^(text\/html|application\/xhtml\+xml|text\/xml|application\/xml|[a-z]+\/[\w.+-]*\+xml)\s*(;|$)/i;

/**
 * What delivery sends, made safe: SVG is sanitised, and SVG and other markup get the restrictive CSP, so
 * nothing served from this host can run script or load anything, whichever path produced it.
 */
export async function secureOutput<T extends { body: Buffer; contentType: string; extraHeaders?: Record<string, string> }>(output: T, maxSvgBytes: number): Promise<T> {
  const csp = { ...output.extraHeaders, 'content-security-policy': SVG_CSP };
  if (SVG_TYPE.test(output.contentType)) return { ...output, body: await sanitizeSvg(output.body, maxSvgBytes), extraHeaders: csp };
  if (MARKUP_TYPE.test(output.contentType)) return { ...output, extraHeaders: csp };
  return output;
}
