/**
 * The HTML page of a recorded run in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): it loads from a file with no console errors, no page errors and no network
 * request; it shows every agent and every message; code in a message stays text; the search
 * trees open with their best path highlighted. Keeps a screenshot (docs/trace-screenshot.png
 * when RETRACE_UPDATE_SCREENSHOT=1, a temp file otherwise, so test runs do not touch the tree).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, readTrace, renderHtml, startRecorder, type TraceModel } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { runObserved } from './support/recorded-run.ts';
import { HOSTILE } from './support/hostile.ts';
import { tempDir } from '../support/tmp.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the trace page test: ${CHROMIUM} is absent (Debian: apt-get install -y chromium)`);

describe.skipIf(!haveChromium || !natsServerAvailable())('trace page in headless Chromium', () => {
  let server: NatsServerHandle;
  let browser: Browser;
  let model: TraceModel;
  let page: string;
  const dir = tempDir('retrace-page-');

  beforeAll(async () => {
    server = await startNatsServer();
    const file = join(dir, 'p1.jsonl');
    await runObserved(server.url, 'p1', async (bus) => [await startRecorder(bus, 'p1', file)], [
      { subject: 'retrace.p1.trace', type: 'agent.step', sender: 'coder/evil', policy: 'grounded@9', body: { job: 'coder:evil', index: 0, step: { text: HOSTILE } } },
    ]);
    const t = await readTrace(file);
    model = buildModel(t.header, t.records);
    page = join(dir, 'p1.html');
    writeFileSync(page, renderHtml(model));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads cleanly and shows every agent and every message', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const tab = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    tab.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForSelector('body[data-ready="true"]');

    const lanes = await tab.$$eval('.lane-head', (els) => els.map((e) => e.getAttribute('data-agent')));
    expect(lanes).toEqual(model.agents.map((a) => a.name));
    for (const role of ['planner', 'architect', 'coder', 'tester', 'debugger']) expect(lanes).toContain(`${role}/local`);
    const rows = await tab.$$eval('.row.msg', (els) => els.map((e) => [Number(e.getAttribute('data-seq')), e.getAttribute('data-from'), e.getAttribute('data-to')] as const));
    expect(rows).toEqual(model.messages.map((m) => [m.seq, m.from, m.to]));
    expect(await tab.$$eval('.row.msg', (els) => els.filter((e) => (e as unknown as { offsetHeight: number }).offsetHeight > 0).length)).toBe(model.messages.length);
    // The agents table counts what each sent.
    const sent = await tab.$$eval('tr.agent', (els) => els.map((e) => [e.getAttribute('data-agent'), Number(e.children[1]!.textContent)]));
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(model.agents.map((a) => [a.name, a.sent])));

    // Code in a message is text: nothing ran, no element was made from it, and it reads back as sent.
    expect(await tab.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await tab.$$('img')).toHaveLength(0);
    const evil = tab.locator('.row.msg[data-from="coder/evil"]');
    await evil.click();
    expect(await evil.locator('.detail pre').textContent()).toContain(JSON.stringify(HOSTILE).slice(1, -1));

    // Filters hide steps and bring them back.
    const steps = model.messages.filter((m) => m.kind === 'step').length;
    await tab.locator('input[data-kind="step"]').uncheck();
    expect(await tab.$$eval('.row.msg', (els) => els.filter((e) => (e as unknown as { offsetHeight: number }).offsetHeight > 0).length)).toBe(model.messages.length - steps);
    await tab.locator('input[data-kind="step"]').check();

    // Search trees: one per refined step, the best path highlighted down to its last node.
    expect(await tab.locator('details.search').count()).toBe(model.searches.length);
    expect(model.searches.length).toBeGreaterThan(0);
    const s = model.searches.find((x) => x.bestPath.length > 1) ?? model.searches[0]!;
    const box = tab.locator('details.search').nth(model.searches.indexOf(s));
    await box.locator('summary').first().click();
    const best = await box.locator('li.best').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-node'))));
    expect(best).toEqual(s.bestPath);
    const shownNodes = await box.locator('li[data-node]').count();
    expect(shownNodes).toBeGreaterThan(0);

    // Policy revisions per role.
    const policies = await tab.$$eval('tr.policy', (els) => els.map((e) => `${e.children[0]!.textContent} ${e.children[1]!.textContent}`));
    expect(policies).toEqual(model.policies.map((p) => `${p.role} ${p.policy}`));
    expect(policies).toContain('coder grounded@9');

    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

    await context.close();
  }, 60_000);

  it('keeps a screenshot of the run without the injected message', async () => {
    const clean = join(dir, 'clean.html');
    const t = await readTrace(join(dir, 'p1.jsonl'));
    writeFileSync(clean, renderHtml(buildModel(t.header, t.records.filter((r) => r.job !== 'coder:evil'))));
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(clean).href);
    await tab.waitForSelector('body[data-ready="true"]');
    await tab.locator('input[data-kind="step"]').uncheck();
    const shot = process.env.RETRACE_UPDATE_SCREENSHOT === '1' ? join(import.meta.dirname, '../../docs/trace-screenshot.png') : join(dir, 'trace.png');
    await tab.screenshot({ path: shot, fullPage: false });
    expect(existsSync(shot)).toBe(true);
    await context.close();
  }, 60_000);
});
