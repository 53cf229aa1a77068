/**
 * Detection across platforms: each vendor's real lines are claimed by its own dialect
 * only, and no vendor dialect claims pluto's lines (the registry's order decides ties).
 */
import { describe, expect, it } from 'vitest';
import { ciscoAsaDialect } from '../../src/platforms/cisco-asa/log.js';
import { fortigateDialect } from '../../src/platforms/fortigate/log.js';
import { juniperSrxDialect } from '../../src/platforms/juniper-srx/log.js';
import { libreswanDialect } from '../../src/platforms/libreswan/log.js';
import { logDialects } from '../../src/platforms/index.js';
import { windowsDialect } from '../../src/platforms/windows/log.js';
import { mikrotikDialect } from '../../src/platforms/mikrotik/log.js';
import { ciscoIosDialect } from '../../src/platforms/cisco-ios/log.js';
import { ASA, FORTI, FORTI_4X_ALERT, FORTI_4X_GUI, IOS_DEBUG, MIKROTIK_LOG_PRINT, SRX, SRX_SHOW_LOG, WINDOWS_GET_EVENTLOG, decodeAll } from './fixtures/vendor-lines.js';

describe('dialect detection across vendors', () => {
  const samples: [string, string[]][] = [
    ['cisco-asa', ASA],
    ['fortigate', FORTI],
    ['fortigate', FORTI_4X_ALERT],
    ['fortigate', FORTI_4X_GUI],
    ['juniper-srx', SRX],
    ['juniper-srx', SRX_SHOW_LOG],
    ['windows', WINDOWS_GET_EVENTLOG],
    ['mikrotik', MIKROTIK_LOG_PRINT],
    ['cisco-ios', IOS_DEBUG],
  ];
  it.each(samples)('%s lines are sniffed by their own dialect only', (id, lines) => {
    for (const d of logDialects) {
      if (d.id === id) expect(d.sniff(lines)).toBeGreaterThan(0);
      else if (d.id !== 'strongswan') expect(d.sniff(lines), d.id).toBe(0);
    }
    // and the pluto decoder claims none of them
    expect(decodeAll(libreswanDialect, lines).results.every((r) => r === undefined)).toBe(true);
  });

  it('vendor decoders claim no pluto line', () => {
    const pluto = ['"west" #1: sent IKE_SA_INIT request to 192.1.2.23:UDP/500', 'Jan  8 17:04:06 R2-1500 pluto[26867]: "Link1" #1: ignoring informational payload NO_PROPOSAL_CHOSEN, msgid=00000000, length=16'];
    for (const d of [ciscoAsaDialect, fortigateDialect, juniperSrxDialect, windowsDialect, mikrotikDialect, ciscoIosDialect]) {
      expect(d.sniff(pluto)).toBe(0);
      expect(decodeAll(d, pluto).results).toEqual([undefined, undefined]);
    }
  });
});

