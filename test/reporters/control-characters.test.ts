/**
 * Issue 16 §5: a peer chooses its own identity and the responder's log prints it; the
 * report must not let it drive the reader's terminal. Hostile identities (escape
 * sequences, C0, DEL, C1, bidi overrides) go into a real strongSwan responder log
 * (samples/lab-psk-mismatch/right.log, the peer's ID replaced), through the real
 * pipeline: text and Markdown show every such character visibly, the interactive view
 * too, JSON keeps the exact value.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reporters } from '../../src/reporters/index.js';
import { visible } from '../../src/reporters/visible.js';
import { runInteractive } from '../../src/ui/run-ui.js';
import type { Report } from '../../src/report/types.js';
import { CHECKS } from '../ui/snapshots.js';
import { ROOT, runPipeline } from './pipeline.js';

const RIGHT = readFileSync(join(ROOT, 'samples/lab-psk-mismatch/right.log'), 'utf8');
/** What may reach a terminal from a report: tab and newline, never another C0, DEL, C1 or a bidi control. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const ISSUE_ID = 'evil\x1b]0;pwned\x07\x1b[2J';

async function reportWithPeerId(id: string): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-ctl-'));
  try {
    const file = join(dir, 'right.log');
    writeFileSync(file, RIGHT.replaceAll('left.example', id));
    return await runPipeline({ logs: [file] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hostilePiece = fc.constantFrom(
  '\x1b]0;pwned\x07', '\x1b[2J', '\x1b[31m', '\x1bc', '\x9b2J', '\x9d0;t\x9c', '\r', '\b\b\b', '\x7f', '\x07', '\x0b', '\x0c', '\x1b', '\u202e', '\u2066', '\x85', '\x00',
);
// a readable part: no quote (it ends the ID in charon's line) and no newline (it ends the line)
const plainPiece = fc.string({ minLength: 1, maxLength: 6 }).map((s) => s.replace(/['\n\x00-\x1f\x7f-\x9f]/g, 'x'));
const hostileId = fc.array(fc.oneof(hostilePiece, plainPiece), { minLength: 1, maxLength: 6 }).map((parts) => `peer${parts.join('')}`);

describe('control characters from the evidence', () => {
  it("the issue's identity: shown as \\x1b … in text and Markdown, exact in JSON", async () => {
    const report = await reportWithPeerId(ISSUE_ID);
    expect(report.findings.map((f) => f.code)).toContain('AUTH_FAILED');
    for (const format of ['text', 'markdown']) {
      const out = reporters[format](report, { color: false });
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J');
    }
    const json = JSON.parse(reporters.json(report, { color: false })) as Report;
    const auth = json.findings.find((f) => f.code === 'AUTH_FAILED')!;
    expect(auth.evidence.map((e) => e.excerpt).join('\n')).toContain(ISSUE_ID);
  });

  it('any identity with control characters: none reaches text or Markdown raw, JSON keeps it (fast-check)', async () => {
    let kept = 0;
    await fc.assert(
      fc.asyncProperty(hostileId, async (id) => {
        const report = await reportWithPeerId(id);
        // NUL bytes are skipped when the log is read (sources/log-file.ts): the rest of the ID is what the log says
        const seen = id.replaceAll('\x00', '');
        for (const format of ['text', 'markdown']) {
          const out = reporters[format](report, { color: format === 'text' ? false : true });
          const bad = RAW_CONTROL.exec(out);
          expect(bad, `raw U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${format}`).toBeNull();
        }
        // where the evidence kept the identity exactly (JSON), text shows it escaped, whole
        const json = JSON.parse(reporters.json(report, { color: false })) as Report;
        const exact = json.findings.flatMap((f) => f.evidence.map((e) => e.excerpt)).some((x) => x.includes(seen));
        if (exact) {
          kept++;
          expect(reporters.text(report, { color: false })).toContain(visible(seen));
        }
      }),
      { numRuns: 40 },
    );
    // most generated identities leave charon's line readable: the exact-value branch was exercised
    expect(kept).toBeGreaterThan(10);
  }, 60000);

  it('the command line: an error message quoting a path with escapes is shown visibly', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--log', '/nonexistent/\x1b]0;pwned\x07.log'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});

class FakeStdout extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  frames: string[] = [];
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(s: string) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

describe('control characters in the interactive view', () => {
  it('the list, the detail pane and the ladder show the identity visibly; exports still get the exact value', async () => {
    const report = await reportWithPeerId(ISSUE_ID);
    const stdout = new FakeStdout();
    const stdin = new FakeStdin();
    let exported: Report | undefined;
    const done = runInteractive({
      checks: CHECKS,
      color: false,
      formats: ['json'],
      run: async ({ onResult, onInputs }) => {
        onInputs(report.inputs);
        for (const r of report.results) onResult(r);
        return report;
      },
      onExport: async (r) => ((exported = r), 'exported'),
      io: { stdout: stdout as never, stdin: stdin as never, stderr: new FakeStdout() as never, debug: true, patchConsole: false },
    });
    const screen = () => stdout.frames.at(-1) ?? '';
    const until = async (re: RegExp) => {
      const end = Date.now() + 15000;
      while (!re.test(screen()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(screen()).toMatch(re);
    };
    await until(/AUTH_FAILED — \d+ error/);
    stdin.write('\r'); // the detail of the first finding (AUTH_FAILED), with its evidence
    await until(/Evidence/);
    expect(screen()).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J');
    stdin.write('\x1b');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('l'); // the ladder
    await until(/Ladder/);
    stdin.write('e');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('\r');
    await new Promise((r) => setTimeout(r, 200));
    // Ink draws with its own escapes (colour is off here); the evidence's must never be among them
    for (const f of stdout.frames) {
      for (const raw of ['\x1b]', '\x07', '\x1b[2J', '\x9b', '\r']) expect(f).not.toContain(raw);
    }
    expect(JSON.stringify(exported)).toContain(JSON.stringify(ISSUE_ID).slice(1, -1));
    stdin.write('q');
    await done;
  }, 30000);
});
