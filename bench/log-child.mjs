// Runs the real pipeline (built dist/) on one log file and prints timing and peak RSS as JSON.
// Kept in its own process so the parent's memory does not blur the measurement.
import { diagnose } from '../dist/src/run.js';

const file = process.argv[2];
const t0 = process.hrtime.bigint();
const report = await diagnose({ logs: [file], pcaps: [], configs: [], host: false, local: [], peer: [] });
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const lines = report.inputs.reduce((n, i) => n + (i.lines ?? 0), 0);
process.stdout.write(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, lines, findings: report.findings.length, codes: [...new Set(report.findings.map((f) => f.code))] }) + '\n');
