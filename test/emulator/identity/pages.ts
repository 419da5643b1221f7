/** The few HTML pages a browser sees at the emulated Entra ID. */
import type { OAuthErrorResponse } from './aadErrors';

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Entra's `response_mode=form_post` page: a hidden form that the browser submits to the redirect URI at once. */
export function autoPostPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}" />`)
    .join('');
  return `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escape(action)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`;
}

/** The page Entra shows instead of redirecting when it cannot trust the request (unknown app, wrong redirect URI). */
export function errorPage(error: OAuthErrorResponse): string {
  return `<html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id="error">${escape(String(error.body.error_description))}</p></body></html>`;
}

/** What the device-login form shows: an optional problem with what was typed, and the values to keep. */
export interface DeviceLoginForm {
  readonly problem?: string;
  readonly code?: string;
  readonly account?: string;
  /** Accounts of the emulated directory, offered as suggestions. */
  readonly accounts: readonly string[];
}

export type DeviceLoginOutcome =
  | { readonly kind: 'signed-in'; readonly appName: string; readonly account: string }
  | { readonly kind: 'declined'; readonly appName: string };

// The look of a sign-in page (a card on a quiet background), small enough to stay inline: the page is also served
// through code-server's port proxy, where only relative URLs work, so it loads nothing else.
const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f2f2f2;
    font:15px/1.45 "Segoe UI",system-ui,-apple-system,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b}
  main{width:440px;max-width:calc(100vw - 32px);background:#fff;padding:40px 44px 36px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
  .brand{display:flex;align-items:center;gap:10px;font-size:13px;color:#5e5e5e;margin-bottom:22px}
  h1{font-size:24px;font-weight:600;margin:0 0 12px}
  p{margin:0 0 16px}
  label{display:block;font-size:13px;color:#5e5e5e;margin:18px 0 4px}
  input{width:100%;padding:6px 2px;border:0;border-bottom:1px solid #666;font:inherit;outline:none;background:transparent}
  input:focus{border-bottom:2px solid #0067b8;padding-bottom:5px}
  input[name=user_code]{font:600 20px/1.4 Consolas,"Cascadia Mono",monospace;letter-spacing:3px;text-transform:uppercase}
  .problem{color:#c50f1f;background:#fde7e9;border-left:3px solid #c50f1f;padding:8px 12px;margin:0 0 8px}
  .buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:28px}
  button{min-width:108px;padding:6px 14px;font:inherit;border:1px solid transparent;cursor:pointer}
  button.primary{background:#0067b8;color:#fff}button.primary:hover{background:#005da6}
  button.secondary{background:#ccc;color:#1b1b1b}button.secondary:hover{background:#bbb}
  .state{display:flex;align-items:center;gap:12px;margin-bottom:12px}
  .state svg{flex:none}
  .hint{font-size:13px;color:#5e5e5e;margin-top:24px}
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title><style>${STYLE}</style></head><body><main><div class="brand"><svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"><rect width="20" height="20" rx="3" fill="#0067b8"/><circle cx="8" cy="10" r="3.2" stroke="#fff" stroke-width="1.8" fill="none"/><path d="M11 10h6M15 10v3" stroke="#fff" stroke-width="1.8"/></svg>Sandbox sign-in (emulated Entra ID)</div>${body}</main></body></html>`;
}

/** Entra's "Enter code" page: the code shown by the app, and the account to approve it as. */
export function deviceLoginPage(form: DeviceLoginForm = { accounts: [] }): string {
  const problem = form.problem ? `<p class="problem" id="problem" role="alert">${escape(form.problem)}</p>` : '';
  const accounts = form.accounts.map((account) => `<option value="${escape(account)}"></option>`).join('');
  // A relative action: behind code-server's proxy the page lives at /proxy/PORT/devicelogin, not /devicelogin.
  return page(
    'Enter code',
    `<h1>Enter code</h1><p>Enter the code displayed in VS Code (or your app) to allow it to access Microsoft Intune as you.</p>${problem}` +
      `<form method="POST" action="devicelogin" autocomplete="off">` +
      `<label for="user_code">Code</label><input id="user_code" name="user_code" value="${escape(form.code ?? '')}" placeholder="Code" autofocus required spellcheck="false" autocapitalize="characters">` +
      `<label for="username">Account</label><input id="username" name="username" value="${escape(form.account ?? '')}" list="accounts" placeholder="someone@example.com" spellcheck="false">` +
      `<datalist id="accounts">${accounts}</datalist>` +
      `<div class="buttons"><button class="secondary" name="action" value="decline" formnovalidate>Cancel</button><button class="primary" name="action" value="approve">Next</button></div>` +
      `</form>`,
  );
}

const CHECK = '<svg width="32" height="32" viewBox="0 0 32 32" aria-hidden="true"><circle cx="16" cy="16" r="16" fill="#107c10"/><path d="M9 16.5l4.5 4.5L23 11.5" stroke="#fff" stroke-width="2.6" fill="none"/></svg>';
const CROSS = '<svg width="32" height="32" viewBox="0 0 32 32" aria-hidden="true"><circle cx="16" cy="16" r="16" fill="#605e5c"/><path d="M11 11l10 10M21 11L11 21" stroke="#fff" stroke-width="2.6"/></svg>';

/** The page after the form: signed in (close the window) or declined. */
export function deviceLoginDonePage(outcome: DeviceLoginOutcome): string {
  if (outcome.kind === 'signed-in') {
    return page(
      'Signed in',
      `<div class="state" id="signed-in">${CHECK}<h1>You're signed in</h1></div>` +
        `<p>You have signed in to <b>${escape(outcome.appName)}</b> on your device as <b>${escape(outcome.account)}</b>.</p>` +
        `<p class="hint">You can close this window and return to VS Code.</p>`,
    );
  }
  return page(
    'Sign-in declined',
    `<div class="state" id="declined">${CROSS}<h1>Sign-in declined</h1></div>` +
      `<p>You did not allow <b>${escape(outcome.appName)}</b> to sign in. Nothing was shared with it.</p>` +
      `<p class="hint">You can close this window. To sign in after all, start the sign-in again in VS Code for a new code.</p>`,
  );
}
