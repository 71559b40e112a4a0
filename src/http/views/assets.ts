/**
 * The static files of the pages — the stylesheet and the page script — served under names that carry the first
 * hex digits of their SHA-256, so a page always loads the version it was rendered with and browsers may cache
 * them for good (`Cache-Control: immutable`).
 */
import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.js';
import { STYLESHEET } from './stylesheet.js';

export interface Asset {
  path: string;
  contentType: string;
  body: string;
  /** Size of the body in UTF-8 bytes. */
  bytes: number;
}

function asset(name: string, extension: string, contentType: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${extension}`, contentType, body, bytes: Buffer.byteLength(body) };
}

export const STYLESHEET_ASSET = asset('style', 'css', 'text/css; charset=utf-8', STYLESHEET);
export const SCRIPT_ASSET = asset('page', 'js', 'text/javascript; charset=utf-8', PAGE_SCRIPT);
/** The tab icon: a check mark on the site bar's colour. */
export const ICON_ASSET = asset(
  'icon',
  'svg',
  'image/svg+xml',
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#14233a"/>' +
    '<path d="M8 17l5 5 11-12" fill="none" stroke="#8cc4ff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>',
);

/** Every asset by path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map(
  [STYLESHEET_ASSET, SCRIPT_ASSET, ICON_ASSET].map((a) => [a.path, a]),
);
