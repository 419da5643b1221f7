/**
 * Where every key and value of a JSON payload sits, as a tree that JSON Pointers (Ajv's `instancePath`) walk down.
 *
 * Values come from the native `JSON.parse`; this single structural scan only finds their offsets. It jumps over
 * string contents with `indexOf` instead of visiting each character, so a 20 MB file of 4 KB hashes takes a few
 * milliseconds where a character-by-character tokenizer takes longer than the parse itself: jsonc-parser's
 * `parseTree` gives the same locations but misses the validation budget by far (`npm run bench:validate` measures
 * both; figures in bench/RESULTS.md). It tolerates comments, trailing commas and broken input (it never throws and
 * always advances), because it also runs on files that only the tolerant parser could read.
 */

export interface JsonSpan {
  /** Offset of the value's first character, and one past its last (strings include their quotes). */
  readonly start: number;
  readonly end: number;
  /** The property name's span, quotes included; -1 for array items and the root. */
  readonly keyStart: number;
  readonly keyEnd: number;
}

/** A value's span and, for objects and arrays, its children's (by property name or index). */
export interface LocatedValue extends JsonSpan {
  readonly children?: Map<string, LocatedValue> | LocatedValue[];
}

/** A key repeated in one object: `JSON.parse` keeps the last value, so the tree describes the last one. */
export interface DuplicateKey {
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly firstKeyStart: number;
}

export interface JsonLocations {
  readonly root: LocatedValue | undefined;
  readonly duplicateKeys: readonly DuplicateKey[];
  /** Offset of the first `[` or `{` that opens a level deeper than MAX_NESTING_DEPTH, if any. */
  readonly tooDeepAt?: number;
}

/** Payloads nest at most this deep (body → list → device → state → field); deeper values are scanned, not indexed. */
export const MAX_INDEXED_DEPTH = 5;

/**
 * Deeper than this, a file is refused before a recursive parser sees it: the tolerant parser and the schema validator
 * recurse once per level and overflow the stack after a few thousand, while a real payload needs five.
 */
export const MAX_NESTING_DEPTH = 64;

const enum Expect {
  Value,
  Key,
  AfterValue,
}

interface Frame {
  readonly node: { start: number; end: number; keyStart: number; keyEnd: number; children: Map<string, LocatedValue> | LocatedValue[] };
  readonly depth: number;
  /** Where the frame itself goes once it closes. */
  readonly parent: Frame | undefined;
  readonly key: string | undefined;
}

export function escapePointerToken(token: string): string {
  return token.indexOf('~') === -1 && token.indexOf('/') === -1 ? token : token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.indexOf('~') === -1 ? token : token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The located value at a JSON Pointer (as Ajv reports `instancePath`), or the deepest one on the way to it. */
export function locate(root: LocatedValue | undefined, pointer: string): LocatedValue | undefined {
  if (!root || pointer === '') return root;
  let node: LocatedValue = root;
  for (const token of pointer.slice(1).split('/')) {
    const children = node.children;
    const child = Array.isArray(children) ? children[Number(token)] : children?.get(unescapePointerToken(token));
    if (!child) return node;
    node = child;
  }
  return node;
}

/** Index one past the closing quote of the string that opens at `start`, or the text's end when it never closes. */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Skips whitespace and `//` or `/* *\/` comments. */
function skipTrivia(text: string, from: number): number {
  let at = from;
  for (;;) {
    const code = text.charCodeAt(at);
    if (isWhitespace(code)) {
      at += 1;
    } else if (code === 0x2f && text.charCodeAt(at + 1) === 0x2f) {
      const newline = text.indexOf('\n', at + 2);
      at = newline === -1 ? text.length : newline + 1;
    } else if (code === 0x2f && text.charCodeAt(at + 1) === 0x2a) {
      const close = text.indexOf('*/', at + 2);
      at = close === -1 ? text.length : close + 2;
    } else {
      return at;
    }
  }
}

/** End of a number, `true`, `false`, `null` or any other bare token. */
function endOfBareToken(text: string, start: number): number {
  let at = start + 1;
  for (; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (isWhitespace(code) || code === 0x2c || code === 0x5d || code === 0x7d || code === 0x3a || code === 0x2f || code === 0x22) break;
  }
  return at;
}

function keyText(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** Opens an object or array at `at` inside `parent`, to be filed under `key` (or as an item) once it closes. */
function openFrame(parent: Frame | undefined, at: number, isObject: boolean, key: string | undefined, keyStart: number, keyEnd: number): Frame {
  const children = isObject ? new Map<string, LocatedValue>() : [];
  return { node: { start: at, end: at + 1, keyStart, keyEnd, children }, depth: (parent?.depth ?? -1) + 1, parent, key };
}

/**
 * Files a finished value in its container, recording a repeated key (the later value replaces the earlier, as
 * `JSON.parse` does). Returns the value when it has no container: then it is a candidate for the document's root.
 */
function file(parent: Frame | undefined, key: string | undefined, value: LocatedValue, duplicateKeys: DuplicateKey[]): LocatedValue | undefined {
  if (!parent) return value;
  if (parent.depth >= MAX_INDEXED_DEPTH) return undefined;
  const children = parent.node.children;
  if (Array.isArray(children)) {
    children.push(value);
    return undefined;
  }
  const name = key ?? '';
  const earlier = children.get(name);
  if (earlier) duplicateKeys.push({ keyStart: value.keyStart, keyEnd: value.keyEnd, firstKeyStart: earlier.keyStart });
  children.set(name, value);
  return undefined;
}

/** Closes a container that ends just before `end` and files it in its parent (see `file` for what it returns). */
function closeFrame(frame: Frame, end: number, duplicateKeys: DuplicateKey[]): LocatedValue | undefined {
  frame.node.end = end;
  return file(frame.parent, frame.key, frame.node, duplicateKeys);
}

/**
 * One pass over the text: a small state machine over tokens (what may come next: a key, a value, or a comma or
 * closer after a value) that opens, closes and files containers and values. Every branch advances `at`, so it
 * always ends. The state lives in local variables, not in an object's fields: the loop runs hot, and with its
 * state in a class instance V8 threw its optimized code away at every scan (3× slower on the benchmark file).
 */
export function locateJson(text: string): JsonLocations {
  const duplicateKeys: DuplicateKey[] = [];
  let root: LocatedValue | undefined;
  let tooDeepAt: number | undefined;
  /** The innermost open object or array. */
  let top: Frame | undefined;
  // Where the next value goes.
  let key: string | undefined;
  let keyStart = -1;
  let keyEnd = -1;
  let expect = Expect.Value;
  let at = 0;
  while ((at = skipTrivia(text, at)) < text.length) {
    const code = text.charCodeAt(at);
    if (code === 0x7d || code === 0x5d) {
      // `}` or `]`: tolerate trailing commas and mismatched brackets by closing the innermost container.
      at += 1;
      if (top) {
        // Only the first top-level value is the document; anything after it is a syntax error the parser reports.
        const topLevel = closeFrame(top, at, duplicateKeys);
        root ??= topLevel;
        top = top.parent;
        expect = Expect.AfterValue;
      }
    } else if (code === 0x2c) {
      at += 1;
      expect = top && !Array.isArray(top.node.children) ? Expect.Key : Expect.Value;
      key = undefined;
      keyStart = keyEnd = -1;
    } else if (expect === Expect.Key) {
      if (code !== 0x22) {
        at = endOfBareToken(text, at);
        continue;
      }
      keyStart = at;
      keyEnd = endOfString(text, at);
      key = keyText(text.slice(keyStart, keyEnd));
      at = skipTrivia(text, keyEnd);
      if (text.charCodeAt(at) === 0x3a) at += 1;
      expect = Expect.Value;
    } else if (expect === Expect.AfterValue) {
      // A missing comma: skip the stray token and keep going.
      at = code === 0x22 ? endOfString(text, at) : endOfBareToken(text, at);
    } else if (code === 0x7b || code === 0x5b) {
      top = openFrame(top, at, code === 0x7b, key, keyStart, keyEnd);
      if (top.depth >= MAX_NESTING_DEPTH) tooDeepAt ??= at;
      at += 1;
      expect = code === 0x7b ? Expect.Key : Expect.Value;
      key = undefined;
      keyStart = keyEnd = -1;
    } else {
      const end = code === 0x22 ? endOfString(text, at) : endOfBareToken(text, at);
      const topLevel = file(top, key, { start: at, end, keyStart, keyEnd }, duplicateKeys);
      root ??= topLevel;
      at = end;
      expect = Expect.AfterValue;
    }
  }
  // Broken input may leave containers open: they end where the text does.
  for (; top; top = top.parent) {
    const topLevel = closeFrame(top, text.length, duplicateKeys);
    root ??= topLevel;
  }
  return { root, duplicateKeys, ...(tooDeepAt === undefined ? {} : { tooDeepAt }) };
}

/**
 * Offset of the first `[` or `{` that opens level MAX_NESTING_DEPTH + 1, or undefined. Counts the way a recursive
 * parser can nest, whatever the syntax around the brackets: strings are skipped (ending, like the tolerant parser's,
 * at a closing quote or a line break), and a closer only pops the level it matches, so mismatched or stray brackets
 * can make the count too high, never too low. Regex jumps keep it near `indexOf` speed on 4 KB hashes.
 */
export function firstTooDeep(text: string): number | undefined {
  const structural = /[[\]{}"]/g;
  const insideString = /["\\\r\n]/g;
  const open: number[] = [];
  for (let match = structural.exec(text); match; match = structural.exec(text)) {
    const code = text.charCodeAt(match.index);
    if (code === 0x22) {
      insideString.lastIndex = match.index + 1;
      let end = insideString.exec(text);
      while (end && text.charCodeAt(end.index) === 0x5c) {
        insideString.lastIndex = end.index + 2;
        end = insideString.exec(text);
      }
      if (!end) return undefined;
      structural.lastIndex = text.charCodeAt(end.index) === 0x22 ? end.index + 1 : end.index;
    } else if (code === 0x5b || code === 0x7b) {
      if (open.push(code) > MAX_NESTING_DEPTH) return match.index;
    } else if (open.length > 0 && open[open.length - 1] === (code === 0x5d ? 0x5b : 0x7b)) {
      open.pop();
    }
  }
  return undefined;
}
