/// <reference lib="dom" />
// The built CLI runs a short scenario against the fake feed (loopback) with `--report out.html`;
// headless Chromium (Debian's) opens the file and the test checks the three charts were drawn
// (their series' colours are on the canvases), the tables are there, and the page logged no error
// and asked the network for nothing. With LOADGEN_REPORT_SCREENSHOT=path it also saves a
// screenshot (the README's docs/report.png).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/report.js';
import { startFeedFixture, type FeedFixture } from './fixtures/feed-fixture.js';

const CLI = join(__dirname, '..', 'dist', 'main.js');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const SCENARIO = `
stages: ['1s@30/s', '1s@30/s', '1s@0']
variables:
  user: range:u1..u500
auth: { user: true }
journeys:
  - name: browse
    weight: 3
    steps:
      - name: page
        method: FeedService/GetFeed
        body: { userId: '{{user}}', pageSize: 3, cursor: '{{cursor}}' }
        extract: { cursor: nextCursor, items: 'items[*].id' }
        repeat: 1..3
        while: cursor
        think: 20ms..60ms
      - name: engage
        method: IngestService/RecordEngagement
        body:
          events: { $each: items, as: item, value: { userId: '{{user}}', itemId: '{{item}}', type: ENGAGEMENT_TYPE_VIEW, occurredAt: '{{now}}' } }
  - name: publish
    steps:
      - method: IngestService/Publish
        body: { requestId: '{{uuid}}', authorId: '{{user}}', article: { title: hello } }
`;

let fixture: FeedFixture;
let browser: Browser;
let dir: string;
let report: Report;
let htmlFile: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (Debian's package), or set CHROMIUM_PATH`);
  fixture = await startFeedFixture({ pages: 3, delayMs: 3, failingUsers: new Set(['u7', 'u8', 'u9']) });
  dir = mkdtempSync(join(tmpdir(), 'loadgen-html-'));
  const scenarioFile = join(dir, 'browse.yaml');
  writeFileSync(scenarioFile, SCENARIO);
  htmlFile = join(dir, 'report.html');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, '--scenario', scenarioFile, '--target', fixture.address, '--auth-secret', 'html-report-test', '--trace-sample', '0.2', '--json', '--report', htmlFile],
      { timeout: 30_000 },
      (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`))),
    );
  });
  report = JSON.parse(stdout) as Report;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('--report out.html', () => {
  it('writes one self-contained file: the chart library and the data inline', () => {
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('uPlot');
    expect(report.steps!.length).toBe(3);
    expect(report.requests.errors).toBeGreaterThanOrEqual(0);
  });

  it('renders the charts and tables in Chromium, without errors or network requests', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(htmlFile).href;
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.uplot canvas');

    const charts = await page.evaluate(() => {
      // Pixels within 12 of the colour on every channel: the series was drawn, not only axes.
      const hasColour = (canvas: HTMLCanvasElement, [r, g, b]: number[]): number => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.abs(data[i] - r) < 12 && Math.abs(data[i + 1] - g) < 12 && Math.abs(data[i + 2] - b) < 12) count++;
        return count;
      };
      const canvas = (id: string): HTMLCanvasElement => document.querySelector(`#${id} canvas`) as HTMLCanvasElement;
      return {
        canvases: document.querySelectorAll('.uplot canvas').length,
        p99: hasColour(canvas('chart-latency'), [0xdd, 0x6b, 0x20]),
        okPerSecond: hasColour(canvas('chart-throughput'), [0x2b, 0x6c, 0xb0]),
        distribution: hasColour(canvas('chart-distribution'), [0x6b, 0x46, 0xc1]),
        tables: Array.from(document.querySelectorAll('h2')).map((h) => [h.textContent, h.nextElementSibling?.querySelectorAll('tbody tr').length]),
      };
    });
    expect(charts.canvases).toBe(3);
    expect(charts.p99).toBeGreaterThan(20);
    expect(charts.okPerSecond).toBeGreaterThan(20);
    expect(charts.distribution).toBeGreaterThan(20);
    const rows = Object.fromEntries(charts.tables);
    expect(rows['Per stage']).toBe(3);
    expect(rows['Per journey step']).toBe(3);
    expect(rows['Journeys']).toBe(2);
    expect(rows['Slowest calls (trace ids)']).toBe(10);
    expect(rows['Settings']).toBeGreaterThan(4);
    const text = await page.textContent('body');
    expect(text).toContain(report.slowest[0].traceId);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    if (process.env.LOADGEN_REPORT_SCREENSHOT) await page.screenshot({ path: process.env.LOADGEN_REPORT_SCREENSHOT, fullPage: true });
    await page.close();
  }, 30_000);
});
