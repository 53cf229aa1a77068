import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log-sessions.js';
import { formatEndpoint } from '../src/evidence/derived/retransmits.js';

export default defineCheck({
  meta: {
    id: 'nat-traversal',
    title: 'NAT traversal',
    description:
      'Reports NAT detected by the IKE daemons (RFC 7296 §2.23 NAT_DETECTION_*_IP, RFC 3947 for IKEv1): which side is behind NAT and the float ' +
      'to UDP 4500 with ESP in UDP (RFC 3948). A port float without a NAT verdict (MOBIKE, RFC 4555) is not NAT.',
    requires: ['logEvents'],
    codes: {
      NAT_DETECTED: {
        severity: 'info',
        message: 'NAT detected: {behind} behind NAT{float}; IKE and ESP use UDP 4500 (ESP in UDP).',
        hint: 'Nothing to change if the tunnel works. Keep UDP 4500 open both ways and NAT keep-alives on (strongSwan `keep_alive`/`keepalive`, libreswan `nat-keepalive`, `keep-alive=`); use FQDN or key-id identities rather than addresses behind NAT (`local.id`/`leftid`).',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  for (const file of logFiles(ctx.evidence)) {
    const verdicts = ofKind(file.events, 'nat').filter((e) => e.data.localBehindNat || e.data.remoteBehindNat);
    if (!verdicts.length) continue;
    const local = verdicts.some((e) => e.data.localBehindNat);
    const remote = verdicts.some((e) => e.data.remoteBehindNat);
    const faked = verdicts.every((e) => e.data.fakeNat);
    const floats = ofKind(file.events, 'nat-t-float');
    const to = floats.find((e) => e.data.to)?.data.to;
    ctx.report({
      code: 'NAT_DETECTED',
      data: {
        behind: local && remote ? 'both this host and the peer are' : local ? 'this host (the log\'s author) is' : 'the peer is',
        localBehindNat: local, remoteBehindNat: remote, faked,
        float: floats.length ? ` — IKE floated to ${formatEndpoint(to) ?? 'port 4500'}` : '',
      },
      evidence: refsOf([...verdicts, ...floats.slice(0, 3)]),
    });
  }
}
