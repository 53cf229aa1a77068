/**
 * Runs lab scenarios by hand and prints what happened:
 *   tsx test/lab/run-scenario.ts healthy [more names…] [--out DIR]
 */
import { join } from 'node:path';
import { labUnavailableReason } from './preflight.js';
import { removeCredentials, runScenario } from './driver.js';
import { scenarioByName } from './scenarios.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
const reason = labUnavailableReason();
if (reason) {
  console.error(reason);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
try {
  for (const name of args) {
    const started = Date.now();
    const r = await runScenario(scenarioByName(name), { outDir: out ? join(out, name) : undefined, log: (l) => console.error(l) });
    console.log(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s) in ${r.dir}`);
    console.log(`  initiate exit ${r.initiate.code}: ${r.initiate.stdout.trim().split('\n').pop()}`);
    for (const p of r.pings) console.log(`  ping ${p.from} ${p.size}B${p.df ? ' DF' : ''}${p.afterFault ? ' (after fault)' : ''}: ${p.received}/${p.transmitted}`);
    if (r.live) console.log(`  live: exit ${r.live.code}, ${r.live.report ? `codes ${[...new Set(r.live.report.findings.map((f) => f.code))].join(' ')}` : 'no report'} ${r.live.stderr.split('\n')[0] ?? ''}`);
  }
} finally {
  await removeCredentials();
}
