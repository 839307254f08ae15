import { describe, expect, it } from 'vitest';
import { splitHl7Batch } from './batch';

const m = (id: string): string => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|${id}|P|2.5\rPID|1||${id}`;

describe('splitHl7Batch', () => {
  it('splits an FHS/BHS batch and checks the trailer counts', () => {
    const batch = splitHl7Batch(['FHS|^~\\&|A', 'BHS|^~\\&|A', m('1'), m('2'), 'BTS|2', 'FTS|1'].join('\n'));
    expect(batch.fileHeader).toBe('FHS|^~\\&|A');
    expect(batch.batchHeaders).toHaveLength(1);
    expect(batch.messages.map((x) => x.text)).toEqual([m('1'), m('2')]);
    expect(batch.messages.map((x) => x.line)).toEqual([3, 5]);
    expect(batch.issues).toEqual([]);
  });

  it('reports a batch that declares more messages than arrived (truncated transfer), keeping what did', () => {
    const batch = splitHl7Batch(['BHS|^~\\&|A', m('1'), 'BTS|3'].join('\r'));
    expect(batch.messages).toHaveLength(1);
    expect(batch.issues[0]).toMatchObject({ severity: 'warning', location: 'BTS-1' });
    expect(batch.issues[0].problem).toContain('batch declares 3 messages but 1 were found');
  });

  it('reports missing trailers', () => {
    const batch = splitHl7Batch(['FHS|^~\\&', 'BHS|^~\\&', m('1')].join('\r'));
    expect(batch.issues.map((i) => i.segment)).toEqual(['BTS', 'FTS']);
  });

  it('splits consecutive messages without envelope and reports lines outside any message', () => {
    const batch = splitHl7Batch(['PID|orphan', m('1'), m('2'), m('3')].join('\r\n'));
    expect(batch.messages).toHaveLength(3);
    expect(batch.issues[0].problem).toBe(
      "line 1 'PID|orphan' is outside any message (no MSH before it); skipped",
    );
  });
});
