import { describe, expect, it } from 'vitest';
import { codesOf, diagnoseLines, findingOf, linesOf } from '../helpers/diagnose-lines.js';

const only = ['sa-install'];

describe('sa-install', () => {
  it('strongSwan: the kernel refuses the negotiated SAs', async () => {
    // charon format strings: child_create.c "unable to install %sIPsec SA (SAD) in kernel", kernel_netlink_ipsec.c
    // "unable to add SAD entry with SPI %.8x%s (%N)"
    const report = await diagnoseLines({
      name: 'charon.log',
      lines: [
        'Nov 22 21:40:02 gw-east charon[1487]: 14[KNL] <west-east|1> unable to add SAD entry with SPI c2d1a0b3 (FAILED)',
        'Nov 22 21:40:02 gw-east charon[1487]: 14[IKE] <west-east|1> unable to install inbound and outbound IPsec SA (SAD) in kernel',
        'Nov 22 21:40:02 gw-east charon[1487]: 14[IKE] <west-east|1> failed to establish CHILD_SA, keeping IKE_SA',
      ],
    }, { only: ['sa-install', 'proposal-mismatch', 'traffic-selectors'] });
    expect(codesOf(report)).toEqual(['SA_INSTALL_FAILED']);
    const f = findingOf(report, 'SA_INSTALL_FAILED');
    expect(f.severity).toBe('error');
    expect(linesOf(f)).toContain(2);
    expect(f.hint).toMatch(/xfrm/);
  });

  it('libreswan: Child SA failed while installing the inbound SA', async () => {
    // libreswan/libreswan testing/pluto/impair-install-ipsec-sa-inbound-state-initiator-ikev2/west.console.txt (GPLv2+)
    const report = await diagnoseLines({
      name: 'west.log',
      lines: [
        "\"west-east\" #1: initiator established IKE SA; authenticated peer using authby=secret and FQDN '@east'",
        'IMPAIR: "west-east" #2: kernel: install_ipsec_sa_inbound_state in setup_half_kernel_state()',
        '"west-east" #2: CHILD SA failed: TEMPORARY_FAILURE',
        '"west-east" #1: IKE SA established but initiator rejected Child SA response',
        'ERROR: "west-east" #2: netlink response for Del SA esp.ESPSPIi@192.1.2.23: No such process (errno 3)',
      ],
    }, { only: ['sa-install', 'proposal-mismatch', 'traffic-selectors'] });
    expect(codesOf(report)).toEqual(['SA_INSTALL_FAILED']);
    expect(linesOf(findingOf(report, 'SA_INSTALL_FAILED'))).toContain(3);
  });

  it('installed SAs report nothing', async () => {
    const report = await diagnoseLines({
      name: 'west.log',
      lines: ['CHILD_SA westnet-eastnet-ikev2{1} established with SPIs c2d1a0b3_i c8e7f6a5_o and TS 192.0.1.0/24 === 192.0.2.0/24'],
    }, { only });
    expect(report.findings).toEqual([]);
  });
});
