/**
 * The detail pane's rows on real pipeline output: a finding raised above its
 * registered severity says why, as the reporters do.
 */
import { describe, expect, it } from 'vitest';
import { detailRows } from '../../src/ui/components/FindingDetail.js';
import { makeTheme } from '../../src/ui/theme.js';
import { runPipeline } from '../reporters/pipeline.js';

describe('finding detail rows', () => {
  it('show why a finding is not at its registered severity, before the fix', async () => {
    const sample = (f: string) => `samples/lab-ike-fragments-dropped/${f}`;
    const report = await runPipeline({ logs: [sample('left.log')], pcaps: [sample('left.pcap')] }, { only: ['ike-fragmentation'] });
    const f = report.findings.find((x) => x.code === 'IKE_FRAGMENTS_DROPPED')!;
    const text = detailRows(f, 200, makeTheme(false)).map((r) => r.text);
    const why = text.indexOf('why error: the capture shows the request IP-fragmented, resent and never answered');
    expect(why).toBeGreaterThan(1);
    expect(why).toBeLessThan(text.indexOf('Fix'));
  });
});
