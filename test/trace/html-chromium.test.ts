/**
 * The HTML page of a recorded run in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): it loads from a file with no console errors, no page errors and no network
 * request; it shows every agent and every message (a job's steps one row until opened, only the
 * rows in view drawn); code in a message stays text; the searches filter and sort, and their trees
 * open with their best path highlighted; each policy revision shows its spec. Keeps a screenshot (docs/trace-screenshot.png
 * when RETRACE_UPDATE_SCREENSHOT=1, a temp file otherwise, so test runs do not touch the tree).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, readTrace, renderHtml, startRecorder, type TraceModel } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { runObserved } from './support/recorded-run.ts';
import { HOSTILE } from './support/hostile.ts';
import { tempDir } from '../support/tmp.ts';

/** Rows of the timeline's list as filtered (drawn or not). */
const rowCount = async (tab: Page) => Number(await tab.locator('.timeline').getAttribute('data-items'));

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
    await runObserved(server.url, 'p1', async (bus) => [await startRecorder(bus, 'p1', file, { policies: { 'grounded@0': { id: 'grounded', params: {} } } })], [
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
    // The agents table counts what each sent.
    const sent = await tab.$$eval('tr.agent', (els) => els.map((e) => [e.getAttribute('data-agent'), Number(e.children[1]!.textContent)]));
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(model.agents.map((a) => [a.name, a.sent])));

    // Steps are one row per job until opened.
    const steps = model.messages.filter((m) => m.kind === 'step');
    const jobsWithSteps = new Set(steps.map((m) => m.job));
    expect(await rowCount(tab)).toBe(model.messages.length - steps.length + jobsWithSteps.size);
    const group = tab.locator('.row.group').first();
    const job = await group.getAttribute('data-job');
    const inJob = steps.filter((m) => m.job === job).length;
    expect(Number(await group.getAttribute('data-steps'))).toBe(inJob);
    await group.click();
    expect(await rowCount(tab)).toBe(model.messages.length - steps.length + jobsWithSteps.size + inJob);
    const opened = await tab.$$eval('.row.msg.in-group', (els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((seq) => steps.some((m) => m.seq === seq && m.job === job))).toBe(true);
    await tab.locator(`.row.group[data-job="${job}"]`).click();

    // Every message is a row once steps are not grouped, drawn as it scrolls into view; only the
    // rows in view are in the page.
    await tab.locator('#collapse-steps').uncheck();
    expect(await rowCount(tab)).toBe(model.messages.length);
    const seen = await tab.evaluate(async () => {
      type Box = { scrollTop: number; scrollHeight: number; clientHeight: number; querySelectorAll(s: string): Iterable<{ getAttribute(a: string): string | null }> };
      const page = globalThis as unknown as { document: { querySelector(s: string): Box }; requestAnimationFrame(cb: () => void): void };
      const box = page.document.querySelector('.timeline');
      const out: string[][] = [];
      let most = 0;
      for (let top = 0; top <= box.scrollHeight; top += box.clientHeight / 2) {
        box.scrollTop = top;
        await new Promise<void>((r) => page.requestAnimationFrame(() => page.requestAnimationFrame(r)));
        const rows = [...box.querySelectorAll('.row.msg')];
        most = Math.max(most, rows.length);
        out.push(rows.map((e) => `${e.getAttribute('data-seq')} ${e.getAttribute('data-from')} ${e.getAttribute('data-to')}`));
      }
      return { rows: [...new Set(out.flat())], most };
    });
    const want = model.messages.map((m) => `${m.seq} ${m.from} ${m.to}`);
    expect([...seen.rows].sort()).toEqual([...want].sort());
    expect(seen.most).toBeLessThan(100);
    expect(seen.most).toBeLessThan(model.messages.length / 2);

    // Code in a message is text: nothing ran, no element was made from it, and it reads back as sent.
    expect(await tab.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await tab.$$('img')).toHaveLength(0);
    await tab.locator('#filter').fill('coder:evil');
    expect(await rowCount(tab)).toBe(1);
    await tab.locator('.row.msg[data-from="coder/evil"]').click();
    expect(await tab.locator('#detail pre').textContent()).toContain(JSON.stringify(HOSTILE).slice(1, -1));
    await tab.locator('#filter').fill('');

    // Filters hide steps and bring them back.
    await tab.locator('input[data-kind="step"]').uncheck();
    expect(await rowCount(tab)).toBe(model.messages.length - steps.length);
    await tab.locator('input[data-kind="step"]').check();

    // Searches: a row each, filtered and sorted; a row opens its tree, the best path highlighted.
    expect(model.searches.length).toBeGreaterThan(0);
    expect(await tab.locator('.searches').getAttribute('data-items')).toBe(String(model.searches.length));
    await tab.locator('.search-head [data-sort="reward"]').click();
    const rewards = await tab.$$eval('.search-row [data-col="reward"]', (els) => els.map((e) => Number(e.textContent)));
    expect(rewards.length).toBeGreaterThan(0);
    expect(rewards).toEqual([...rewards].sort((a, b) => b - a));
    const s = model.searches.find((x) => x.bestPath.length > 1) ?? model.searches[0]!;
    await tab.locator('#search-filter').fill(s.job);
    const sameJob = model.searches.filter((x) => x.job.toLowerCase().includes(s.job.toLowerCase())).length;
    expect(await tab.locator('.searches').getAttribute('data-items')).toBe(String(sameJob));
    await tab.locator(`.search-row[data-index="${model.searches.indexOf(s)}"]`).click();
    const best = await tab.locator('#search-detail li.best').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-node'))));
    expect(best).toEqual(s.bestPath);
    expect(await tab.locator('#search-detail li[data-node]').count()).toBeGreaterThan(0);

    // Policy revisions per role, with the spec when the trace holds it.
    const policies = await tab.$$eval('tr.policy', (els) => els.map((e) => `${e.children[0]!.textContent} ${e.children[1]!.textContent}`));
    expect(policies).toEqual(model.policies.map((p) => `${p.role} ${p.policy}`));
    expect(policies).toContain('coder grounded@9');
    const specs = await tab.$$eval('tr.policy td.spec', (els) => els.map((e) => e.textContent));
    expect(specs).toEqual(model.policies.map((p) => (p.spec !== undefined ? JSON.stringify(p.spec) : 'not recorded')));
    expect(specs).toContain(JSON.stringify({ id: 'grounded', params: {} }));

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
