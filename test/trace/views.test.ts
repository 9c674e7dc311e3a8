/**
 * The views of a recorded run: the text timeline and the Mermaid diagram name every agent and
 * account for every message; the HTML page is self-contained and escapes what messages carry.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, readTrace, renderHtml, renderMermaid, renderText, startRecorder, type TraceModel } from '../../src/trace/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { HOSTILE } from './support/hostile.ts';
import { runObserved, type ObservedRun } from './support/recorded-run.ts';
import { tempDir } from '../support/tmp.ts';


describe.skipIf(!natsServerAvailable())('trace views', () => {
  let server: NatsServerHandle;
  let model: TraceModel;
  let run: ObservedRun;
  beforeAll(async () => {
    server = await startNatsServer();
    const file = join(tempDir('retrace-views-'), 'v1.jsonl');
    run = await runObserved(server.url, 'v1', async (bus) => [await startRecorder(bus, 'v1', file)], [
      { subject: 'retrace.v1.trace', type: 'agent.step', sender: 'coder/evil', policy: 'grounded@9', body: { job: 'coder:evil', index: 0, step: { text: HOSTILE } } },
    ]);
    const t = await readTrace(file);
    model = buildModel(t.header, t.records);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('finds the agents, the receivers of work, the searches and the policies', () => {
    expect(model.messages).toHaveLength(run.messages);
    const names = model.agents.map((a) => a.name);
    expect(names[0]).toBe('conductor');
    for (const role of ['planner', 'architect', 'coder', 'tester', 'debugger']) expect(names).toContain(`${role}/local`);
    expect(names).toContain('coder/evil');
    // Work goes to the instance whose result answered it.
    for (const m of model.messages.filter((x) => x.kind === 'work')) expect(m.to).toBe(`${m.job!.split(':')[0]}/local`);
    for (const m of model.messages.filter((x) => x.kind === 'result')) expect(m.to).toBe('conductor');
    const sent = model.agents.reduce((n, a) => n + a.sent, 0);
    expect(sent).toBe(run.messages);
    expect(model.searches).toHaveLength(run.searches);
    for (const s of model.searches) {
      expect(s.nodes.length).toBeGreaterThan(0);
      expect(s.bestPath.every((id) => s.nodes.some((n) => n.id === id))).toBe(true);
    }
    expect(model.policies.map((p) => `${p.role} ${p.policy}`)).toContain('coder grounded@0');
    expect(model.policies.map((p) => `${p.role} ${p.policy}`)).toContain('coder grounded@9');
  });

  it('text: one line per message, every agent named', () => {
    const text = renderText(model);
    const lines = text.trimEnd().split('\n');
    const timeline = lines.filter((l) => /^\s*\+\d+\.\dms /.test(l));
    expect(timeline).toHaveLength(run.messages);
    expect(lines[0]).toContain(`${run.messages} messages`);
    for (const a of model.agents) expect(lines[1]).toContain(a.name);
    for (const job of run.jobs) expect(timeline.filter((l) => l.includes(` ${job} `)).length).toBeGreaterThanOrEqual(2);
    expect(timeline.filter((l) => / conductor -> retrace\.v1\.work\.\w+ agent\.work /.test(l))).toHaveLength(run.jobs.length);
  });

  it('mermaid: a participant per agent, arrows adding up to every message, notes for policies', () => {
    const mmd = renderMermaid(model);
    const lines = mmd.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(mmd).toContain(`${run.messages} messages`);
    for (const a of model.agents) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  participant \\w+ as ${a.name.replace('/', '\\/')}$`)));
    const arrows = lines.filter((l) => /^ {2}\w+(->>|-->>|--\))\w+: /.test(l));
    const total = arrows.reduce((n, l) => {
      const grouped = /--\)\w+: (\d+) (steps?|search(es)?)/.exec(l);
      return n + (grouped ? Number(grouped[1]) : 1);
    }, 0);
    expect(total).toBe(run.messages);
    expect(arrows.filter((l) => l.includes('->>') && l.includes('agent.work'))).toHaveLength(run.jobs.length);
    const noteOver = (agent: string) => lines.filter((l) => l.startsWith(`  Note over ${/^  participant (\w+) as (.*)$/.exec(lines.find((x) => x.endsWith(` as ${agent}`))!)![1]}: `));
    expect(noteOver('coder/local')).toEqual([expect.stringMatching(/: policy grounded@0$/)]);
    expect(noteOver('coder/evil')).toEqual([expect.stringMatching(/: policy grounded@9$/)]);
    expect(noteOver('conductor')).toEqual([]);
    // Nothing from a body breaks a line of the diagram.
    expect(mmd).not.toMatch(/;|<script/);
  });

  it('html: self-contained, with the trace embedded as inert JSON', () => {
    const html = renderHtml(model);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=|https?:\/\//);
    expect(html).toContain("default-src 'none'");
    // The hostile body never closes the data element nor opens a tag.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('window.__pwned = 1</');
    const data = /<script type="application\/json" id="retrace-trace">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const back = JSON.parse(data) as TraceModel;
    expect(back.messages).toHaveLength(run.messages);
    expect(back.messages.find((m) => m.job === 'coder:evil')!.body).toMatchObject({ step: { text: HOSTILE } });
    // What the page shows elsewhere is embedded once: a result's steps are its step messages, a
    // search's tree is in the searches table.
    for (const m of back.messages.filter((x) => x.kind === 'result')) {
      const steps = model.messages.filter((x) => x.kind === 'step' && x.job === m.job).length;
      expect((m.body as { steps: unknown }).steps).toBe(`[${steps} steps: this job's step messages]`);
    }
    for (const m of back.messages.filter((x) => x.kind === 'search')) expect(m.body).toMatchObject({ tree: '[in the searches table]' });
    expect(back.searches).toEqual(model.searches);
  });
});
