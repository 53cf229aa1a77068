/**
 * Ladder step times claim no more precision than the source has (issue 15 §3): a log printed
 * to the second shows its time of day, never "+0.000s"; a capture keeps seconds since the
 * first step, to the millisecond; an ESP lane names its SPI as every report does (0x…).
 */
import { describe, expect, it } from 'vitest';
import { runPipeline } from './pipeline.js';
import { ladderLines } from '../../src/reporters/ladder-text.js';
import type { LadderView } from '../../src/evidence/derived/ladder/lane.js';

const lanes = async (files: Parameters<typeof runPipeline>[0]) => ((await runPipeline(files)).views?.ladder as LadderView).ladders;

describe('ladder step times', () => {
  it('a log with second resolution shows the time of day, not +0.000s', async () => {
    const [lane] = await lanes({ logs: ['samples/lab-psk-mismatch/right.log'] });
    const text = ladderLines(lane).join('\n');
    expect(text).not.toMatch(/\+\d+\.\d+s/);
    expect(text).toMatch(/^ {2}1 {2}23:31:32 /m);
  });

  it('a capture keeps seconds since the first step, and its ESP lane spells SPIs 0x…', async () => {
    const [lane] = await lanes({ pcaps: ['samples/lab-healthy/left.pcap'] });
    const text = ladderLines(lane).join('\n');
    expect(text).toMatch(/^ {2}1 {3}\+0\.000s/m);
    expect(text).toMatch(/^ {4}ESP 0x[0-9a-f]{8} /m);
    expect(text).not.toMatch(/ESP [0-9a-f]{8}\b/);
  });
});
