/**
 * "The system browser" for interactive sign-in tests, mocked at the edge: it follows the authorize URL with an HTTP
 * client and, like a browser running Entra's form_post page, posts the hidden form to the loopback redirect URI.
 */
import * as https from 'node:https';

export interface BrowserVisit {
  /** Status and text of the authorize page. */
  readonly authorizeStatus: number;
  readonly authorizePage: string;
  /** Status and text of the page the loopback redirect answered with, if the page posted back to it. */
  readonly redirectStatus?: number;
  readonly redirectPage?: string;
}

function get(url: string, ca: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      })
      .on('error', reject);
  });
}

function decode(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}

export async function visitAuthorizeUrl(url: string, ca: string): Promise<BrowserVisit> {
  const authorize = await get(url, ca);
  const form = /<form method="POST" name="hiddenform" action="([^"]+)">(.*?)<noscript>/s.exec(authorize.text);
  if (!form) return { authorizeStatus: authorize.status, authorizePage: authorize.text };
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)) {
    fields.append(decode(input[1]!), decode(input[2]!));
  }
  const target = new URL(decode(form[1]!));
  // The loopback listener binds 127.0.0.1; a browser resolving "localhost" reaches it the same way.
  if (target.hostname === 'localhost') target.hostname = '127.0.0.1';
  const response = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
  return { authorizeStatus: authorize.status, authorizePage: authorize.text, redirectStatus: response.status, redirectPage: await response.text() };
}
