// The frame every page shares: language, viewport, no favicon request, the stylesheet under the
// answer's nonce, and the page's module script.
import type { Child, FC } from 'hono/jsx';
import { STATUS_CSS } from './styles.js';

export const PageDocument: FC<{
  title: string;
  nonce: string;
  /** A module under /ui/assets/, when the page has one. */
  script?: string;
  /** Stylesheets of the page's own, served by the monitor. */
  stylesheets?: readonly string[];
  children?: Child;
}> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {/* No favicon request: nothing to serve, and a 404 would be noise in every browser console. */}
      <link rel="icon" href="data:," />
      <title>{props.title}</title>
      {(props.stylesheets ?? []).map((href) => (
        <link rel="stylesheet" href={href} />
      ))}
      <style nonce={props.nonce}>{STATUS_CSS}</style>
    </head>
    <body>
      <main>{props.children}</main>
      {props.script === undefined ? null : <script type="module" src={props.script} nonce={props.nonce}></script>}
    </body>
  </html>
);
