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

export function deviceLoginPage(problem?: string): string {
  return `<html><head><title>Enter code</title></head><body><h1>Enter code</h1>${problem ? `<p id="problem">${escape(problem)}</p>` : ''}<form method="POST" action="/devicelogin"><input name="user_code" placeholder="Code" /><input name="username" placeholder="Account" /><button name="action" value="approve">Next</button><button name="action" value="decline">Cancel</button></form></body></html>`;
}
