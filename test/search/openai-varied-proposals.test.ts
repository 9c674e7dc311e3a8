/**
 * The openai proposer as bench/search.ts --proposer openai drives it: through the real client,
 * against the test chat server's `varied` proposals. What the bench needs of it: proposals that
 * differ with the seed, held to the boundary, and a search that spends its budget on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';
import { OpenAIPolicy } from '../../src/agents/openai/mod.ts';
import { Mcts } from '../../src/search/mcts.ts';
import { EmbeddedScorer } from '../../src/search/score/mod.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';

const preceding = "import { readFileSync } from 'node:fs';\nimport { parseConfig, defaults } from './config.js';\n\n";
const target = `export function loadConfig(path) {\n  const text = readFileSync(path, 'utf8');\n  if (!text) return defaults();\n  return parseConfig(text);\n}\n`;

describe('the openai proposer against varied test proposals', () => {
  let chat: FakeChat;
  let policy: OpenAIPolicy;
  const known = new Knowledge('javascript').addText(preceding);
  const ctx = () => ({ path: 'src/load.js', language: 'javascript' as const, preceding, knownIdentifiers: known.knownNames(), boundary: { answer: known.answer(target), prefix: [] } });

  beforeAll(async () => {
    chat = await FakeChat.start({ proposals: 'varied' });
    policy = new OpenAIPolicy({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey } });
  });
  afterAll(async () => {
    await chat.close();
  });

  it('proposes different steps for different seeds, each inside the boundary', async () => {
    const proposer = policy.proposer(ctx());
    const guard = new SequenceGuard(known.answer(target));
    const bySeed = await Promise.all([1, 2, 3].map((seed) => proposer.propose({ context: '', target, steps: [], k: 3, seed })));
    const texts = bySeed.map((ps) => ps.map((p) => p.text).join('\n'));
    expect(new Set(texts).size).toBe(3);
    for (const ps of bySeed) for (const p of ps) expect(guard.admits([p.text]), p.text).toBe(true);
    expect(bySeed.flat().some((p) => p.text.includes('`parseConfig`'))).toBe(true);
  });

  it('gives a search enough different sequences to spend a budget of 16 scorer calls', async () => {
    const scorer = new EmbeddedScorer();
    scorer.train(`${preceding}export function loadOther(path) {\n  return parseConfig(readFileSync(path, 'utf8'));\n}\n`);
    const guard = new SequenceGuard(known.answer(target));
    const r = await new Mcts().search({ context: preceding, target, proposer: policy.proposer(ctx()), scorer, seed: 1, guard }, { scorerCalls: 16, batchSize: 1 });
    expect(r.scorerCalls).toBe(16);
  });
});
