/** The interactive view's header counts with the right word (issue 15 §3): "1 line", "1 frame". */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { Header } from '../../src/ui/components/Header.js';
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
});
