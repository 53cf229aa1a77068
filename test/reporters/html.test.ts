import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { htmlReporter } from '../../src/reporters/html.js';
import { reporters } from '../../src/reporters/index.js';
import type { Report } from '../../src/report/types.js';
import { runPipeline, FIXTURES } from './pipeline.js';
import { frozenReport } from './frozen.js';

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

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('html report in headless Chromium', () => {
  if (!existsSync(CHROMIUM)) console.warn(`skipping the Chromium screenshot test: ${CHROMIUM} is not installed (Debian package chromium)`);

  it('renders to a non-empty screenshot', async () => {
    const report = await runPipeline({ logs: [UDP500] });
    const dir = mkdtempSync(join(tmpdir(), 'ipsec-doctor-html-'));
    try {
      const page = join(dir, 'report.html');
      const png = join(dir, 'report.png');
      writeFileSync(page, reporters.html(report, { color: false }));
      execFileSync(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, `--screenshot=${png}`,
        '--window-size=1200,900', pathToFileURL(page).href,
      ], { stdio: 'pipe', timeout: 60000 });
      expect(existsSync(png)).toBe(true);
      expect(statSync(png).size).toBeGreaterThan(10000);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
      if (process.env.KEEP_SCREENSHOT) writeFileSync(process.env.KEEP_SCREENSHOT, readFileSync(png));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);
});
void FIXTURES;
