// proxy-from-env 2 ships no types; this is its one export (https://www.npmjs.com/package/proxy-from-env).
declare module 'proxy-from-env' {
  /** The proxy URL the standard environment variables give for `url` ('' when none, or when NO_PROXY matches). */
  export function getProxyForUrl(url: string | URL): string;
}
