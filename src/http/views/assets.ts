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

/** Every asset by path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([STYLESHEET_ASSET, SCRIPT_ASSET].map((a) => [a.path, a]));
