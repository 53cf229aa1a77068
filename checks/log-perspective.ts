import { defineCheck } from '../src/engine/define-check.js';
import type { CheckContext } from '../src/engine/types.js';
import type { LogEvent } from '../src/evidence/log-events.js';
import { isNotify, logFiles, refsOf } from '../src/evidence/derived/log/sessions.js';

/** Notifies a responder sends to say no without saying why (RFC 7296 §3.10.1). */
const VERDICTS = ['NO_PROPOSAL_CHOSEN', 'AUTHENTICATION_FAILED', 'TS_UNACCEPTABLE', 'INVALID_ID_INFORMATION', 'INVALID_SYNTAX', 'FAILED_CP_REQUIRED', 'SINGLE_PAIR_REQUIRED', 'INTERNAL_ADDRESS_FAILURE'];

export default defineCheck({
  meta: {
    id: 'log-perspective',
    title: 'Whose log is this',
    stage: 'state',
    description:
      'Tells whether a log was written by the initiator or the responder. RFC 7296 lets a responder refuse with a bare notify ' +
      '(NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED, TS_UNACCEPTABLE): the initiator never learns why, the responder\'s log does.',
    requires: ['logEvents'], reads: ['initiate', 'respond', 'message', 'packet', 'notify'],
    codes: {
      LOG_FROM_INITIATOR: {
        severity: 'info',
        message: '{file} is the initiator\'s log: the peer answered {verdicts}, and only the responder\'s log says why.',
        hint: 'Get the responder\'s log for the same time (strongSwan: `journalctl -u strongswan` or charon.log with `ike = 2`/`cfg = 2` in `charondebug`/`filelog`; libreswan: `journalctl -u ipsec` or pluto.log) and pass both: `ipsec-doctor --log initiator.log --log responder.log`.',
      },
    },
  },
  run(ctx) {
    checkLogs(ctx);
  },
});

function checkLogs(ctx: CheckContext): void {
  const files = logFiles(ctx.evidence);
  // with the responder's log at hand the reason is already in the evidence
  if (files.some((f) => f.role === 'responder' || f.role === 'both')) return;
  for (const file of files) {
    if (file.role !== 'initiator') continue;
    const verdicts: LogEvent[] = [];
    const names = new Set<string>();
    for (const e of file.events) {
      const name = verdictOf(e);
      if (!name) continue;
      verdicts.push(e);
      names.add(name);
    }
    if (!verdicts.length) continue;
    ctx.report({
      code: 'LOG_FROM_INITIATOR',
      data: { file: file.source, verdicts: [...names] },
      evidence: refsOf(verdicts.slice(0, 10)),
    });
  }
}

function verdictOf(e: LogEvent): string | undefined {
  for (const name of VERDICTS) if (isNotify(e, name, 'received')) return name;
  const d = e.data as { direction?: string; ok?: boolean };
  if (d.direction !== 'received') return undefined;
  if (e.kind === 'no-proposal-chosen') return 'NO_PROPOSAL_CHOSEN';
  if (e.kind === 'auth' && d.ok === false) return 'AUTHENTICATION_FAILED';
  if (e.kind === 'ts-unacceptable') return 'TS_UNACCEPTABLE';
  return undefined;
}
