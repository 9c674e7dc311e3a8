/**
 * Prompt templates over a real nats-server: `retrace policy set` stores a spec with the template
 * files' text (refusing a bad template with exit 2 and storing nothing), and a running agent's
 * live policy takes changed templates at its next piece of work, like any policy change.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivePolicy, policyBucket, setPolicy } from '../../../src/agents/policy-store.ts';
import { withPromptTexts } from '../../../src/agents/openai/prompt-files.ts';
import { defaultRegistry } from '../../../src/agents/registry.ts';
import { openGuard } from '../../../src/boundary/mod.ts';
import { NatsBus } from '../../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../../support/nats-server.ts';
import { waitFor } from '../../support/wait.ts';
import { COUNT, FORMAT } from '../policy-conformance.ts';
import { FakeChat } from '../support/fake-chat.ts';
import { CUSTOM_FILE_INTENT, dirWith } from './support/custom-templates.ts';

const bin = join(import.meta.dirname, '../../../bin/retrace.js');
let nats: NatsServerHandle;
let bus: NatsBus;
let chat: FakeChat;

beforeAll(async () => {
  nats = await startNatsServer();
  bus = await NatsBus.connect({ servers: nats.url });
  chat = await FakeChat.start();
});
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
  await chat?.close();
});

const openai = (prompts: unknown) => ({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey, prompts } });

function policySet(role: string, spec: unknown): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'policy', 'set', role, JSON.stringify(spec), '--nats', nats.url], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const intentInput = {
  file: FORMAT,
  design: { path: FORMAT.path, responsibility: 'Tables.', publicInterface: ['function `formatTable`'], dependencies: [] },
  chunks: 1,
  reads: [{ path: COUNT.path, written: true }],
  guard: openGuard(),
};

describe('prompt templates on the bus', { timeout: 120_000 }, () => {
  it('are stored by `retrace policy set` as the files\' text', async () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT });
    const set = policySet('tester', openai(dir));
    expect(set.status, set.stderr).toBe(0);
    const stored = (await (await policyBucket(bus)).get('tester'))!.value;
    expect(stored).toEqual(withPromptTexts(openai(dir)));
    expect((stored!.params.prompts as Record<string, { text: string }>)['file-intent']!.text).toBe(CUSTOM_FILE_INTENT);
  });

  it('that are bad are refused by `retrace policy set` with exit 2, naming file and line, storing nothing', async () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{path}}', '{{pth}}') });
    const set = policySet('debugger', openai(dir));
    expect(set.status).toBe(2);
    expect(set.stderr).toContain(`${join(dir, 'file-intent.md')} line 7: unknown placeholder {{pth}}`);
    expect(await (await policyBucket(bus)).get('debugger')).toBeUndefined();
  });

  it('reach a running live policy at its next piece of work when changed', async () => {
    const first = await setPolicy(bus, 'coder', withPromptTexts(openai(dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT }))), defaultRegistry());
    const live = await LivePolicy.watch(bus, 'coder', defaultRegistry(), { id: 'grounded', params: {} });
    try {
      await waitFor(() => live.current().revision === first, 'the first templates');
      await live.current().policy.fileIntent(intentInput, 1);
      const changed = CUSTOM_FILE_INTENT.replace('You are a terse coder.', 'You are a careful coder.');
      const second = await setPolicy(bus, 'coder', withPromptTexts(openai(dirWith({ 'file-intent.md': changed }))), defaultRegistry());
      await waitFor(() => live.current().revision === second, 'the changed templates');
      await live.current().policy.fileIntent(intentInput, 1);
      const systems = chat.requests.map((r) => r.messages![0]!.content.split('\n')[0]);
      expect(systems).toEqual(['You are a terse coder.', 'You are a careful coder.']);
      expect(live.current().tag).toBe(`openai@${second}`);
    } finally {
      await live.close();
    }
  });
});
