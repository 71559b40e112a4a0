/**
 * The frame of every page: head (stylesheet, script, optional refresh without JavaScript), the site bar with its
 * navigation, a skip link for keyboard users, and the footer. Everything inside is escaped by Hono's JSX unless a
 * view opts out, and none does.
 */
import type { Child } from 'hono/jsx';
import { ICON_ASSET, SCRIPT_ASSET, STYLESHEET_ASSET } from './assets.js';

export type NavItem = 'home' | 'audit' | 'messages' | 'outbox';

export interface LayoutProps {
  title: string;
  current?: NavItem;
  /** Seconds after which a browser without JavaScript reloads the page (a report waiting for mail). */
  refreshWithoutScript?: number;
  /** Attributes of `<main>` the page script reads (`data-wait-for`, `data-count`). */
  waitFor?: { localPart: string; count: number };
  /** Shows the admin links and a sign-out button. */
  admin?: boolean;
  children?: Child;
}

const NAV: { key: NavItem; href: string; label: string; admin: boolean }[] = [
  { key: 'home', href: '/', label: 'Test address', admin: false },
  { key: 'audit', href: '/audit', label: 'Domain audit', admin: false },
  { key: 'messages', href: '/messages', label: 'Messages', admin: true },
  { key: 'outbox', href: '/outbox', label: 'Outbox', admin: true },
];

export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · mailtrust`}</title>
        <link rel="stylesheet" href={STYLESHEET_ASSET.path} />
        <link rel="icon" href={ICON_ASSET.path} type="image/svg+xml" />
        {props.refreshWithoutScript !== undefined && (
          <noscript>
            <meta http-equiv="refresh" content={String(props.refreshWithoutScript)} />
          </noscript>
        )}
        <script src={SCRIPT_ASSET.path} defer></script>
      </head>
      <body>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <header class="site">
          <div class="bar">
            <a class="brand" href="/">
              mailtrust
            </a>
            <nav aria-label="Main">
              {NAV.map((item) => (
                <a href={item.href} aria-current={props.current === item.key ? 'page' : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
            {props.admin && (
              <form method="post" action="/logout" class="signout">
                <button type="submit">Sign out</button>
              </form>
            )}
          </div>
        </header>
        <main
          id="content"
          data-wait-for={props.waitFor?.localPart}
          data-count={props.waitFor === undefined ? undefined : String(props.waitFor.count)}
        >
          {props.children}
        </main>
        <footer class="site">
          mailtrust checks PTR, HELO, SPF, DKIM, DMARC, ARC and RFC 5322 headers the way a receiver does.{' '}
          <span class="offscreen" id="copy-status" role="status" aria-live="polite"></span>
        </footer>
      </body>
    </html>
  );
}
