import * as assert from 'node:assert/strict';
import { readHeader } from '../../../src/payload/csvHeader';
import { LineIndex } from '../../../src/payload/lineIndex';

/** The header line's cells and where each sits (no quotes in these headers, so a split is exact). */
function header(line: string): { cells: string[]; spans: { start: number; end: number }[]; lines: LineIndex } {
  const cells = line.split(',');
  let start = 0;
  const spans = cells.map((cell) => {
    const span = { start, end: start + cell.length };
    start = span.end + 1;
    return span;
  });
  return { cells, spans, lines: new LineIndex(`${line}\r\n`) };
}

describe('CSV header', () => {
  it('maps each field to its first column, and gives a repeated one (also under its old name) one error', () => {
    const { cells, spans, lines } = header('Device Serial Number,Group Tag,Hardware Hash,OrderID,Hardware Hash');
    const read = readHeader(cells, spans, lines)!;
    assert.deepEqual([...read.columns], [['serialNumber', 0], ['groupTag', 1], ['hardwareIdentifier', 2]]);
    assert.deepEqual(
      read.problems.map((problem) => [problem.code, problem.column]),
      [['csv-duplicate-column', 46], ['csv-duplicate-column', 54]],
    );
  });

  it('reports missing serial and hash columns at line 1 after the problems of the cells', () => {
    const { cells, spans, lines } = header('device serial number,Colour');
    const read = readHeader(cells, spans, lines)!;
    assert.deepEqual(
      read.problems.map((problem) => [problem.code, problem.line, problem.column]),
      [['csv-header-case', 1, 1], ['csv-extra-column', 1, 22], ['csv-missing-column', 1, 1]],
    );
  });

  it('is no header at all when no cell names a device field, even with partner columns', () => {
    const { cells, spans, lines } = header('Manufacturer name,Device model,Colour');
    assert.equal(readHeader(cells, spans, lines), undefined);
  });
});
