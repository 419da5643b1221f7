/**
 * The location step built on jsonc-parser's `parseTree`, the alternative to the payload layer's own scanner
 * (`locateJson` in src/payload/jsonLocations.ts). `npm run bench:validate` measures both in the same run, and the
 * scanner stays only while this one misses the validation budget (bench/RESULTS.md has the figures).
 *
 * It gives the same `JsonLocations` as the scanner: the same spans, values indexed to the same depth, repeated keys
 * reported at the same depths, and the depth limit checked first, since `parseTree` recurses once per level.
 */
import { parseTree, type Node } from 'jsonc-parser';
import { firstTooDeep, MAX_INDEXED_DEPTH, type DuplicateKey, type JsonLocations, type LocatedValue } from '../src/payload/jsonLocations';

function located(node: Node, key: Node | undefined, depth: number, duplicateKeys: DuplicateKey[]): LocatedValue {
  const span = {
    start: node.offset,
    end: node.offset + node.length,
    keyStart: key ? key.offset : -1,
    keyEnd: key ? key.offset + key.length : -1,
  };
  if (node.type === 'array') {
    const items = depth < MAX_INDEXED_DEPTH ? (node.children ?? []).map((item) => located(item, undefined, depth + 1, duplicateKeys)) : [];
    return { ...span, children: items };
  }
  if (node.type !== 'object') return span;
  const properties = new Map<string, LocatedValue>();
  if (depth < MAX_INDEXED_DEPTH) {
    for (const property of node.children ?? []) {
      const [name, value] = property.children ?? [];
      if (!name || !value) continue;
      const earlier = properties.get(name.value as string);
      const child = located(value, name, depth + 1, duplicateKeys);
      if (earlier) duplicateKeys.push({ keyStart: child.keyStart, keyEnd: child.keyEnd, firstKeyStart: earlier.keyStart });
      properties.set(name.value as string, child);
    }
  }
  return { ...span, children: properties };
}

export function locateWithParseTree(text: string): JsonLocations {
  const tooDeepAt = firstTooDeep(text);
  if (tooDeepAt !== undefined) return { root: undefined, duplicateKeys: [], tooDeepAt };
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const duplicateKeys: DuplicateKey[] = [];
  return { root: tree && located(tree, undefined, 0, duplicateKeys), duplicateKeys };
}
