/**
 * Stands in for the `whatwg-url` package in the bundles. node-fetch 2 uses `require('url').URL` (Node's own WHATWG
 * URL) and reaches for `whatwg-url` only on Node versions older than 10; bundling that fallback would add its Unicode
 * tables (about 280 KB, most of the extension's size) for code that never runs.
 */
export { URL } from 'node:url';
