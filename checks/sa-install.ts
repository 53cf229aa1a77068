import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import { logFiles, ofKind, refsOf } from '../src/evidence/derived/log/sessions.js';
import { pushTo } from '../src/evidence/derived/aggregate.js';

export default defineCheck({
  meta: {
    id: 'sa-install',
    title: 'Kernel SA / policy installation',
    stage: 'child',
    description:
      'Finds negotiated SAs or policies the kernel refused to install (strongSwan "unable to install inbound and outbound IPsec SA (SAD) in kernel", ' +
      '"unable to install IPsec policies (SPD) in kernel"; libreswan kernel/netlink errors). IKE succeeded; the data plane did not take the result.',
    requires: ['logEvents'], reads: ['sa-install-failed', 'child-established'],
    codes: {
      SA_INSTALL_FAILED: {
        severity: 'error',
        message: 'The kernel refused to install {what}: {detail}.',
        hint: 'Negotiation worked; the local kernel did not take the SA. Check that the xfrm/ESP and algorithm modules are loaded (`modprobe xfrm_user esp4 esp6`), conflicting or stale policies (`ip xfrm policy`), duplicate SPIs, and hardware offload (strongSwan `hw_offload`, libreswan `nic-offload=`).',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  for (const file of logFiles(ctx.evidence)) {
    const byConn = new Map<string, ReturnType<typeof ofKind<'sa-install-failed'>>>();
    for (const e of ofKind(file.events, 'sa-install-failed')) {
      const k = e.conn ?? '';
      pushTo(byConn, k, e);
    }
    for (const [conn, failures] of byConn) {
      const whats = [...new Set(failures.map((e) => e.data.what))];
      const details = [...new Set(failures.map((e) => e.data.detail).filter((d): d is string => !!d))];
      ctx.report({
        code: 'SA_INSTALL_FAILED',
        data: { what: whats, detail: details.length ? details.slice(0, 3) : 'the log gives no kernel error text', conn: conn || undefined, count: failures.length },
        evidence: refsOf(failures.length > 10 ? [...failures.slice(0, 5), ...failures.slice(-5)] : failures),
      });
    }
  }
}
