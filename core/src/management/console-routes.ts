/**
 * The web console at `/`: one HTML page, its script and its style sheet,
 * all served from here (no CDN, no font, nothing from elsewhere: it works on
 * a network with no internet). A strict Content-Security-Policy allows only
 * this origin's script, style and API. These three files hold no data of
 * the pair, so they are served without the token even off loopback; the
 * page then asks the operator for the token to read and act.
 */
import { CONSOLE_HTML } from './console/page';
import { CONSOLE_JS } from './console/script';
import { CONSOLE_CSS } from './console/style';
import type { ManagementRoute } from './router';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function asset(path: string, contentType: string, text: string): ManagementRoute {
  return {
    method: 'GET',
    path,
    requiresToken: false,
    public: true,
    handler: () => ({ status: 200, body: null, raw: { contentType, text }, headers: { 'content-security-policy': CONSOLE_CSP } }),
  };
}

export function consoleRoutes(): ManagementRoute[] {
  return [
    asset('/', 'text/html; charset=utf-8', CONSOLE_HTML),
    asset('/console.js', 'text/javascript; charset=utf-8', CONSOLE_JS),
    asset('/console.css', 'text/css; charset=utf-8', CONSOLE_CSS),
  ];
}
