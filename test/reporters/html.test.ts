import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlReporter } from '../../src/reporters/html.js';
import { reporters } from '../../src/reporters/index.js';
import type { Report } from '../../src/report/types.js';
import { runPipeline, FIXTURES } from './pipeline.js';
import { frozenReport } from './frozen.js';
import { CASES, WIDTHS, findChromium, shootAll } from '../../scripts/html-screenshots.js';

const PSK = 'test/reporters/fixtures/lab-psk-mismatch-right.log';
const UDP500 = 'test/reporters/fixtures/lab-udp500-dropped-left.log';

function embeddedJson(html: string): unknown {
  const m = /<script type="application\/json" id="ipsec-doctor-report">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded report');
  return JSON.parse(m[1]);
}

describe('html reporter', () => {
  it.each(['psk-mismatch', 'udp500-dropped'] as const)('golden: %s (frozen pipeline report of the lab log)', async (name) => {
    const report = await frozenReport(name);
    await expect(reporters.html(report, { color: false })).toMatchFileSnapshot(`./fixtures/${name}.golden.html`);
  });

  it('is self-contained: findings, evidence, the ladder as inline SVG, the report JSON embedded', async () => {
    const report = await runPipeline({ logs: [UDP500] });
    const html = htmlReporter(report, { color: false });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // nothing to fetch: no external scripts, stylesheets, images or fonts
    expect(html).not.toMatch(/<(?:script|img|iframe)[^>]+src=|<link\b|@import|url\(\s*['"]?https?:/i);
    expect(html).toContain('IKE_NO_RESPONSE');
    expect(html).toContain('lab-udp500-dropped-left.log:137');
    expect(html).toMatch(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="ladder"/);
    // retransmissions are dashed arrows, with their timing
    expect(html.match(/stroke-dasharray/g)?.length).toBe(3);
    expect(html).toContain('retransmit 3 of IKE_SA_INIT 0  (+5 s)');
    expect(embeddedJson(html)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('escapes text and the embedded JSON (<, U+2028, U+2029) so a hostile log line stays text', async () => {
    const report = (await runPipeline({ logs: [PSK] })) as Report;
    // a real report, one excerpt replaced by what an attacker-controlled peer ID could put in a log
    const hostile = `IDir '</script><script>alert(1)</script>' does not match to '<img src=x onerror=alert(2)>'\u2028\u2029`;
    report.findings[0].evidence[0].excerpt = hostile;
    report.findings[0].message = `<b>${hostile}</b>`;
    const html = htmlReporter(report, { color: false });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const script = /<script type="application\/json" id="ipsec-doctor-report">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(script).not.toMatch(/[<\u2028\u2029]/);
    expect(script).toContain('\\u003c/script>');
    expect((embeddedJson(html) as Report).findings[0].evidence[0].excerpt).toBe(hostile);
    // exactly one script element: ours
    expect(html.match(/<script\b/g)?.length).toBe(1);
  });
});

describe('html reporter: code and wrapping', () => {
  it('renders code spans in messages and hints as <code>, with no backticks left in the prose', async () => {
    const cfg = (f: string) => `samples/firewall-iptables-gateway-mistakes/${f}`;
    const report = await runPipeline({ configs: [cfg('iptables-save.conf'), cfg('moon.swanctl.conf')] });
    const html = htmlReporter(report, { color: false });
    const natT = /<section class="finding error" id="f1">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(natT).toMatch(/<p class="hint"><b>Fix:<\/b> [^<]*add: <code>iptables -t filter -I INPUT 6 -s 198\.51\.100\.7 -p udp --dport 4500 -j ACCEPT<\/code><\/p>/);
    // every paragraph of prose (message, why, fix) and table cell: code spans became <code>, no backtick remains
    const prose = [...html.matchAll(/<p[^>]*>([\s\S]*?)<\/p>|<td>([\s\S]*?)<\/td>/g)].map((m) => m[1] ?? m[2]);
    expect(prose.length).toBeGreaterThan(10);
    for (const p of prose) expect(p).not.toContain('`');
    // what is inside <code> is escaped like any text
    expect(prose.join('')).not.toMatch(/<code>[^<]*[<>"][^<]*<\/code>/);
  });

  it('escapes code spans like any other text', async () => {
    const report = (await runPipeline({ logs: [PSK] })) as Report;
    report.findings[0].hint = 'run `echo "<img src=x>"` then';
    const html = htmlReporter(report, { color: false });
    expect(html).toContain('run <code>echo &quot;&lt;img src=x&gt;&quot;</code> then');
    expect(html).not.toContain('<img src=x>');
  });

  it('wraps evidence at spaces and breaks a token only when it alone overflows; each evidence line is its own block', async () => {
    const report = await runPipeline({ logs: [UDP500] });
    const html = htmlReporter(report, { color: false });
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(style).not.toMatch(/word-break:\s*break-all/);
    const evidenceRule = /(?:^|\n)[^{}\n]*\.evidence[^{]*\{([^}]*)\}/.exec(style)![1];
    expect(evidenceRule).toMatch(/white-space:\s*pre-wrap/);
    expect(evidenceRule).toMatch(/overflow-wrap:\s*anywhere/);
    const f = report.findings.find((x) => x.code === 'IKE_NO_RESPONSE')!;
    const section = /<section class="finding[^"]*" id="f1">([\s\S]*?)<\/section>/.exec(html)![1];
    const lines = [...section.matchAll(/<div class="ev"><span class="loc">([^<]*)<\/span> {2}([^<]*)<\/div>/g)];
    expect(lines.length).toBe(f.evidence.length);
    expect(lines[0][2]).toBe(f.evidence[0].excerpt.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  });
});

const CHROMIUM = findChromium();

describe.skipIf(!CHROMIUM)('html report in headless Chromium (scripts/html-screenshots.ts)', () => {
  if (!CHROMIUM) console.warn('skipping the Chromium screenshots: no Chromium installed (Debian package chromium, or CHROMIUM=/path)');

  it('renders every case at 1280 and 800 px to a screenshot of that width', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-html-'));
    try {
      const shots = await shootAll(dir, CHROMIUM!, { 'psk-mismatch': CASES['psk-mismatch'] });
      expect(shots.length).toBe(WIDTHS.length);
      for (const [i, png] of shots.entries()) {
        const bytes = readFileSync(png);
        expect(bytes.subarray(1, 4).toString()).toBe('PNG');
        expect(statSync(png).size).toBeGreaterThan(10000);
        // IHDR width: the page was laid out at that width
        expect(bytes.readUInt32BE(16)).toBe(WIDTHS[i]);
      }
      if (process.env.KEEP_SCREENSHOT) writeFileSync(process.env.KEEP_SCREENSHOT, readFileSync(shots[0]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
void FIXTURES;
