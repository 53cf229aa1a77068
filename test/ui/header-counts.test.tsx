/** The interactive view's header counts with the right word (issue 15 §3): "1 line", "1 frame". */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Header, describeInput } from '../../src/ui/components/Header.js';
import type { InputInfo } from '../../src/evidence/types.js';
import { makeTheme } from '../../src/ui/theme.js';

describe('Header', () => {
  it('says 1 line and 1 frame, 2 lines and 2 frames', () => {
    const theme = makeTheme(false);
    const one = render(<Header tool="ipsec-doctor 0" width={120} theme={theme} inputs={[{ kind: 'log', path: 'a.log', lines: 1 }, { kind: 'pcap', path: 'b.pcap', packets: 1 }]} />);
    expect(one.lastFrame()).toContain('log a.log 1 line · pcap b.pcap 1 frame');
    one.unmount();
    const two = render(<Header tool="ipsec-doctor 0" width={120} theme={theme} inputs={[{ kind: 'log', path: 'a.log', lines: 2 }, { kind: 'pcap', path: 'b.pcap', packets: 2 }]} />);
    expect(two.lastFrame()).toContain('log a.log 2 lines · pcap b.pcap 2 frames');
    two.unmount();
  });

  it('says how much of each input was used, as the other formats do (coverage)', () => {
    const inputs = [{ kind: 'log', path: 'right.log', dialect: 'strongswan', lines: 131, coverage: { unit: 'line', total: 131, events: 15, other: 116, notUnderstood: 0 } }] as InputInfo[];
    expect(describeInput(inputs[0])).toBe('log right.log (strongswan), 131 lines: 15 IKE events, 116 other daemon lines');
  });
});
