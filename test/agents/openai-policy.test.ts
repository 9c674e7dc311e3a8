import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenAIPolicy,
  PolicyAuthError,
  PolicyBadResponseError,
  PolicyConfigError,
  PolicyOutputError,
  PolicyTimeoutError,
  PolicyUnreachableError,
  registerOpenAIPolicy,
} from '../../src/agents/openai/mod.ts';
import type { DesignInput, FileIntentInput, TestIntentInput } from '../../src/agents/policy.ts';
import { PolicyRegistry } from '../../src/agents/policy.ts';
import { openGuard, SequenceGuard } from '../../src/boundary/mod.ts';
import { createLogger } from '../../src/log/logger.ts';
import { joinSentences, sentencesOf, splitSentences } from '../../src/agents/openai/sentences.ts';
import { GuardedProposer } from '../../src/search/proposer.ts';
import {
  COUNT,
  declarableOf,
  designTexts,
  expectInside,
  FORMAT,
  guardBefore,
  knowledgeBefore,
  knownNamesBefore,
  planTexts,
  runPolicyConformance,
  SUMMARY,
  TALLY,
  TARGET,
} from './policy-conformance.ts';
import { FakeChat, readPrompt } from './support/fake-chat.ts';

let server: FakeChat;

beforeAll(async () => {
  server = await FakeChat.start();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.reset();
});

function policy(params: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): OpenAIPolicy {
  return new OpenAIPolicy({ id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKey: server.opts.apiKey, ...params } }, env);
}

const MILESTONE = { title: 'Formatting', goal: 'Print tables', files: [FORMAT.path] };
const DESIGN = { path: FORMAT.path, responsibility: 'Tables.', publicInterface: ['function `formatTable`'], dependencies: [] };
const CONTEXT = "import pc from 'picocolors';\nimport { topWords } from './count.ts';\n";

// Inputs with a guard that protects nothing: these tests are about the wire and the facts.
const FREE = openGuard();
const designOf = (file = FORMAT): DesignInput => ({ overview: 'tally', milestone: MILESTONE, file, declarable: ['formatTable', 'topWords'], guard: FREE });
const intentOf = (): FileIntentInput => ({ file: FORMAT, design: DESIGN, chunks: 1, reads: [{ path: COUNT.path, written: true }], guard: FREE });
const testIntentOf = (subjects: string[] = []): TestIntentInput => ({ file: COUNT, subjects, guard: FREE });
const planOf = () => ({ summary: SUMMARY, guard: FREE });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// The fake answers from the facts in the prompt and is deterministic, so the determinism check runs too.
runPolicyConformance('openai', () => policy(), { deterministic: true });

describe('openai policy: the request on the wire', () => {
  it('sends model, seed, temperature, max_tokens, json response format, and a system + user prompt', async () => {
    await policy({ temperature: 0.3, maxTokens: 512 }).design(designOf(), 17);
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0]!;
    expect(body).toMatchObject({ model: server.opts.model, seed: 17, temperature: 0.3, max_tokens: 512, response_format: { type: 'json_object' } });
    expect(body.messages!.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('sends the token limit as max_completion_tokens when told to (OpenAI reasoning models)', async () => {
    await policy({ maxTokens: 300, maxTokensField: 'max_completion_tokens' }).testIntent(testIntentOf(), 1);
    const body = server.requests[0]! as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(300);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('carries the facts: path, imports and the names used from them, externals; signatures and docs only as hindsight', async () => {
    await policy().design(designOf(), 1);
    const { task, facts, text } = readPrompt(server.requests[0]!.messages!);
    expect(task).toBe('design');
    expect(facts.file).toMatchObject({ path: 'src/format.ts', imports: ['src/count.ts'], externals: ['picocolors'], importUses: { 'src/count.ts': ['topWords'] } });
    expect(facts.file).not.toHaveProperty('definitions');
    expect(facts.hindsight.definitions[0]).toMatchObject({ signature: FORMAT.definitions[0]!.signature, doc: 'Aligned two-column table.' });
    expect(facts.mayName).toEqual(['formatTable', 'topWords']);
    expect(facts.declares).toEqual([{ name: 'formatTable', kind: 'function', entry: 'function `formatTable`' }]);
    expect(text).toMatch(/never a signature/);
  });

  it('tells every role the boundary: written before the code, only `mayName`, no code, literal or comment of the file to come', async () => {
    await policy().fileIntent(intentOf(), 1);
    const [system, user] = server.requests[0]!.messages!;
    expect(system!.content).toContain('read before the code it is about is written');
    expect(system!.content).toMatch(/never quote its code, its lines, its string or number literals or its comments/);
    const { facts } = readPrompt(server.requests[0]!.messages!);
    expect(facts.mayName).toEqual(['formatTable', 'topWords']);
    expect(facts.reads).toEqual([{ path: 'src/count.ts', read: 'the file as written' }]);
    expect(user!.content).toContain('not what goes inside its definitions');
  });

  it("gives the proposer the target's shape and the names it may state, never its body or its own names", async () => {
    const knownIdentifiers = knownNamesBefore(FORMAT.path, { seen: [CONTEXT] });
    expect(knownIdentifiers.has('width')).toBe(false);
    const p = policy().proposer({ path: FORMAT.path, language: 'typescript', preceding: CONTEXT, knownIdentifiers });
    await p.propose({ context: 'ctx', target: TARGET, steps: ['first step'], k: 2, seed: 5 });
    const { facts, text } = readPrompt(server.requests[0]!.messages!);
    expect(facts.target).toMatchObject({ name: 'formatTable', path: FORMAT.path, params: 1, hindsight: { signature: TARGET.split('\n')[1] } });
    expect(facts.target.mayName).toContain('formatTable');
    for (const own of ['width', 'rows']) {
      expect(facts.target.mayName).not.toContain(own);
      expect(facts.target.calls.join(' ')).not.toContain(own);
    }
    expect(facts.target.ownNames).toBeGreaterThan(0);
    expect(facts.stepsSoFar).toEqual(['first step']);
    for (const bodyLine of TARGET.split('\n').slice(2, 4)) expect(text).not.toContain(bodyLine.trim());
    expect(server.requests[0]!.temperature).toBe(0.8);
  });

  it('feeds the search: proposals pass its guard and their confidences become priors', async () => {
    const knowledge = knowledgeBefore(FORMAT.path, { seen: [CONTEXT] });
    const ctx = { path: FORMAT.path, language: 'typescript' as const, preceding: CONTEXT, knownIdentifiers: knownNamesBefore(FORMAT.path, { seen: [CONTEXT] }) };
    const raw = await policy().proposer(ctx).propose({ context: '', target: TARGET, steps: [], k: 3, seed: 2 });
    expect(raw.map((p) => p.prior)).toEqual([1, 1 / 2, 1 / 3]);
    const guarded = new GuardedProposer(policy().proposer(ctx), '', TARGET, new SequenceGuard(knowledge.answer(TARGET)));
    const kept = await guarded.propose([], 3, 2);
    expect(kept).toHaveLength(3);
    expect(guarded.stats.copyRejections).toBe(0);
    expect(kept.reduce((a, p) => a + p.prior, 0)).toBeCloseTo(1, 12);
  });

  it('reads the JSON out of prose and fences when the server ignores response_format', async () => {
    const chatty = await FakeChat.start({ chatty: true });
    try {
      const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: chatty.baseURL, model: chatty.opts.model, apiKey: chatty.opts.apiKey } });
      const out = await p.plan(planOf(), 1);
      expect(out.plan.milestones.flatMap((m) => m.files)).toEqual(SUMMARY.order);
      expect(chatty.requests).toHaveLength(1);
    } finally {
      await chatty.close();
    }
  });

  it('drops response_format for good when the server rejects it', async () => {
    const strict = await FakeChat.start({ rejectResponseFormat: true });
    try {
      const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: strict.baseURL, model: strict.opts.model, apiKey: strict.opts.apiKey } });
      await p.testIntent(testIntentOf(), 1);
      await p.testIntent(testIntentOf(), 2);
      expect(strict.requests.map((r) => r.response_format !== undefined)).toEqual([true, false, false]);
    } finally {
      await strict.close();
    }
  });
});

describe('openai policy: holding answers to the facts', () => {
  it('re-cuts milestones to cover the writing order exactly once, dropping unknown paths', async () => {
    const answer = {
      thoughts: ['plan'],
      plan: {
        overview: 'tally',
        requirements: ['count words'],
        milestones: [
          { title: 'Sources', goal: 'code', files: ['src/format.ts', 'src/count.ts', 'src/nowhere.ts', 'package.json'] },
          { title: 'Tests', goal: 'tests', files: ['test/count.test.ts', 'src/count.ts'] },
        ],
      },
    };
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().plan(planOf(), 1);
    expect(out.plan.milestones.flatMap((m) => m.files)).toEqual(SUMMARY.order);
    expect(out.plan.milestones.map((m) => m.title)).toEqual(['Sources', 'Tests']);
    expect(out.plan.milestones[1]!.files).toEqual(['test/count.test.ts', 'README.md']);
  });

  it("keeps a design to the file's path, its real dependencies and its declared names", async () => {
    const answer = {
      thought: 'tables',
      design: {
        path: 'src/other.ts',
        responsibility: 'Prints tables.',
        publicInterface: ['formatTable(rows)', 'printEverything()'],
        dependencies: [{ path: 'lodash', why: 'invented' }, { path: 'picocolors', why: 'bold counts' }],
      },
    };
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().design(designOf(), 1);
    expect(out.design).toEqual({
      path: 'src/format.ts',
      responsibility: 'Prints tables.',
      publicInterface: ['function `formatTable`'],
      dependencies: [{ path: 'src/count.ts', why: 'src/format.ts imports it' }, { path: 'picocolors', why: 'bold counts' }],
    });
  });

  it('asks again, with the reason, when a thought names nothing real', async () => {
    server.inject({ kind: 'content', content: '{"thought": "I will write some code."}' });
    const text = await policy().fileIntent(intentOf(), 1);
    expect(text).toContain('src/format.ts');
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]!.messages!;
    expect(retry.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[3]!.content).toContain('names neither src/format.ts');
  });
});

describe('openai policy: failures', () => {
  it('malformed JSON content: one retry with the error in the prompt, then success', async () => {
    server.inject({ kind: 'content', content: '{"thought": "cut off' });
    const text = await policy().testIntent(testIntentOf(['src/count.ts']), 1);
    expect(text).toContain('src/count.ts');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.messages![2]).toEqual({ role: 'assistant', content: '{"thought": "cut off' });
    expect(server.requests[1]!.messages![3]!.content).toContain('no JSON object');
  });

  it('malformed JSON content twice: a PolicyOutputError after exactly one retry', async () => {
    server.inject({ kind: 'content', content: 'Sorry, I cannot.' }, { kind: 'content', content: '{"thought": ', finishReason: 'length' });
    const err = await policy().diagnose({ path: COUNT.path, findings: [], excerpt: '', guard: FREE }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyOutputError);
    expect((err as PolicyOutputError).issues).toContain('cut off at the token limit');
    expect(server.requests).toHaveLength(2);
  });

  it('an answer of the wrong shape twice: a PolicyOutputError naming the field', async () => {
    server.inject({ kind: 'content', content: '{"thoughts": "x"}' }, { kind: 'content', content: '{"thought": 3}' });
    const err = await policy().reviewChecks({ path: COUNT.path, findings: [], baseline: [], checks: ['syntax'], guard: FREE }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyOutputError);
    expect((err as PolicyOutputError).issues).toContain('thought');
  });

  it('401 for a wrong key: a PolicyAuthError, not retried, without the key in it', async () => {
    const before = server.rejected;
    const err = await policy({ apiKey: 'sk-wrong-key-999' }).fileIntent(intentOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyAuthError);
    expect(server.rejected - before).toBe(1);
    expect(String(err)).not.toContain('sk-wrong-key-999');
    expect((err as PolicyAuthError).endpoint).toBe(server.baseURL);
  });

  it('500 then success: retried', async () => {
    server.inject({ kind: 'status', status: 500, retryAfterMs: 1 });
    const text = await policy({ maxRetries: 2 }).fileIntent(intentOf(), 1);
    expect(text).toContain('src/format.ts');
    expect(server.requests).toHaveLength(2);
  });

  it('429 then success: retried', async () => {
    server.inject({ kind: 'status', status: 429, retryAfterMs: 1 });
    await policy({ maxRetries: 1 }).fileIntent(intentOf(), 1);
    expect(server.requests).toHaveLength(2);
  });

  it('5xx on every attempt: a PolicyUnreachableError after maxRetries retries', async () => {
    server.inject({ kind: 'status', status: 503, retryAfterMs: 1 }, { kind: 'status', status: 502, retryAfterMs: 1 });
    const err = await policy({ maxRetries: 1 }).fileIntent(intentOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
    expect(server.requests).toHaveLength(2);
  });

  it('an answer slower than timeoutMs: a PolicyTimeoutError', async () => {
    server.inject({ kind: 'slow', ms: 1500 });
    const err = await policy({ timeoutMs: 100, maxRetries: 0 }).fileIntent(intentOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyTimeoutError);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
  });

  it('a body that is not a chat completion: a PolicyBadResponseError', async () => {
    server.inject({ kind: 'wrong-shape' });
    const err = await policy({ maxRetries: 0 }).fileIntent(intentOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyBadResponseError);
    expect(err).not.toBeInstanceOf(PolicyOutputError);
  });

  it('an unknown model (404): a PolicyBadResponseError that says so', async () => {
    const err = await policy({ model: 'no/such-model' }).fileIntent(intentOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyBadResponseError);
    expect(String(err)).toContain('404');
  });

  it('nobody listening: a PolicyUnreachableError, not a timeout', async () => {
    const port = await freePort();
    const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 0 } }, {});
    const err = await p.plan(planOf(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
    expect(err).not.toBeInstanceOf(PolicyTimeoutError);
  });
});

describe('openai policy: accounting, keys, registration', () => {
  it('sums prompt and completion tokens from every usage, retries included', async () => {
    const p = policy();
    server.inject({ kind: 'content', content: 'no json' });
    await p.fileIntent(intentOf(), 1);
    await p.plan(planOf(), 2);
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const prompt = server.requests.reduce((n, r) => n + r.messages!.reduce((m, x) => m + words(x.content), 0), 0);
    expect(p.usage()).toMatchObject({ requests: 3, promptTokens: prompt });
    expect(p.usage().completionTokens).toBeGreaterThan(0);
    expect(p.usage().totalTokens).toBe(p.usage().promptTokens + p.usage().completionTokens);
  });

  it('takes the key from the environment, and never shows it', async () => {
    const p = new OpenAIPolicy(
      { id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKeyEnv: 'RETRACE_TEST_KEY' } },
      { RETRACE_TEST_KEY: server.opts.apiKey },
    );
    await p.testIntent(testIntentOf(), 1);
    expect(JSON.stringify(p)).not.toContain(server.opts.apiKey);
    expect(JSON.stringify(p)).toContain('$RETRACE_TEST_KEY');
  });

  it('rejects a bad or misspelt boundaryRetries, naming it', () => {
    for (const [params, named] of [
      [{ boundaryRetries: -1 }, 'boundaryRetries'],
      [{ boundaryRetries: 1.5 }, 'boundaryRetries'],
      [{ boundaryRetries: 'twice' }, 'boundaryRetries'],
      [{ boundaryRetry: 2 }, 'boundaryRetry'],
    ] as const) {
      const err = (() => {
        try {
          policy(params);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, JSON.stringify(params)).toBeInstanceOf(PolicyConfigError);
      expect(String(err)).toContain(named);
    }
    expect(policy({ boundaryRetries: 0 })).toBeInstanceOf(OpenAIPolicy);
  });

  it('registers as "openai" and rejects params without a model', () => {
    const registry = registerOpenAIPolicy(new PolicyRegistry());
    expect(registry.create({ id: 'openai', params: { baseURL: server.baseURL, model: 'm' } })).toBeInstanceOf(OpenAIPolicy);
    expect(() => registry.create({ id: 'openai', params: { baseURL: server.baseURL } })).toThrow(PolicyConfigError);
    expect(() => registry.create({ id: 'openai', params: { model: 'm', temperature: 'hot' } })).toThrow(/temperature/);
  });
});

describe('openai policy: the knowledge boundary', () => {
  /** A logger that keeps its JSON lines, to read what the policy logged. */
  function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
    return { logger, lines };
  }

  function loggedPolicy(params: Record<string, unknown> = {}): { p: OpenAIPolicy; lines: Array<Record<string, unknown>> } {
    const { logger, lines } = capturingLogger();
    const spec = { id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKey: server.opts.apiKey, ...params } };
    return { p: new OpenAIPolicy(spec, {}, { logger }), lines };
  }

  // Designs come before any source is written: the brief is all that is known, and formatTable's declared names.
  const designInput = (): DesignInput => ({
    overview: 'tally counts words and prints a table.',
    milestone: MILESTONE,
    file: FORMAT,
    declarable: declarableOf(FORMAT.path),
    guard: guardBefore(FORMAT.path, { written: [] }),
  });
  const SIGNATURE_LINE = TARGET.split('\n')[1]!;
  const leakingDesign = JSON.stringify({
    thought: 'src/format.ts turns the counts into the table the command prints.',
    design: {
      path: FORMAT.path,
      responsibility: 'It pads each `word` to the `width` of the longest one.',
      publicInterface: [SIGNATURE_LINE],
      dependencies: [
        { path: 'src/count.ts', why: 'uses `topWords`' },
        { path: 'picocolors', why: 'bold counts' },
      ],
    },
  });

  it('a design whose responsibility names local names and whose interface is a line: asked again with what crossed, and the answer used passes the guard', async () => {
    const { p, lines } = loggedPolicy();
    const input = designInput();
    expect(input.guard.violations(['`word`', '`width`']).map((v) => v.detail)).toEqual(['word', 'width']);
    server.inject({ kind: 'content', content: leakingDesign });
    const out = await p.design(input, 1);
    expectInside(input.guard, designTexts(out.thought, out.design));
    expect(out.design.publicInterface).toEqual(['function `formatTable`']);
    expect(out.design.responsibility.length).toBeGreaterThan(0);
    // The server saw the re-ask: its own answer, then the feedback naming what crossed.
    expect(server.requests).toHaveLength(2);
    const reask = server.requests[1]!.messages!;
    expect(reask.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(reask[2]!.content).toBe(leakingDesign);
    expect(reask[3]!.content).toContain('the name `word`');
    expect(reask[3]!.content).toContain('the name `width`');
    expect(reask[3]!.content).toContain('Rewrite it without them');
    expect(p.usage()).toMatchObject({ boundaryRetries: 1, boundaryRepairs: 0, boundaryFallbacks: 0 });
    expect(lines.some((l) => l.msg === 'openai policy: answer crosses the knowledge boundary; asking again' && l.task === 'design')).toBe(true);
  });

  it('an interface entry that is a line of the file is cut to the declared name, without asking again', async () => {
    const input = designInput();
    const answer = JSON.parse(leakingDesign) as { design: { responsibility: string; publicInterface: string[] } };
    answer.design.responsibility = 'Lines the counted words up in two columns.';
    answer.design.publicInterface = [SIGNATURE_LINE, 'formatTable(rows)'];
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().design(input, 1);
    expect(out.design.publicInterface).toEqual(['function `formatTable`']);
    expect(out.design.responsibility).toBe('Lines the counted words up in two columns.');
    expectInside(input.guard, designTexts(out.thought, out.design));
    expect(server.requests).toHaveLength(1);
  });

  it('a server that always leaks: boundaryRetries re-asks, then the repaired answer, inside the guard, and a warning', async () => {
    for (const retries of [2, 0]) {
      server.reset();
      const { p, lines } = loggedPolicy(retries === 2 ? {} : { boundaryRetries: retries });
      server.inject(...Array.from({ length: 3 }, () => ({ kind: 'content' as const, content: leakingDesign })));
      const input = designInput();
      const out = await p.design(input, 1);
      expect(server.requests).toHaveLength(1 + retries);
      expectInside(input.guard, designTexts(out.thought, out.design));
      // What is left: the thought and the interface; the responsibility had nothing inside the boundary.
      expect(out.thought).toBe('src/format.ts turns the counts into the table the command prints.');
      expect(out.design.responsibility).toBe('');
      expect(out.design.publicInterface).toEqual(['function `formatTable`']);
      expect(p.usage()).toMatchObject({ boundaryRetries: retries, boundaryRepairs: 1, boundaryFallbacks: 1 });
      const warning = lines.find((l) => l.level === 40);
      expect(warning?.msg).toMatch(/every re-ask crossed the knowledge boundary.*may be empty/);
    }
  });

  it('a thought that always leaks falls back to what is left of it, however little', async () => {
    const input = { ...intentOf(), guard: guardBefore(FORMAT.path) };
    const leak = JSON.stringify({ thought: 'In src/format.ts the `width` is the longest `word`.' });
    server.inject(...Array.from({ length: 3 }, () => ({ kind: 'content' as const, content: leak })));
    const { p, lines } = loggedPolicy();
    const text = await p.fileIntent(input, 1);
    expect(text).toBe('');
    expect(server.requests).toHaveLength(3);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('a diagnosis that writes the corrected line is cut to the sentences before it', async () => {
    // The faulty draft misspells a local; the corrected line is the answer.
    const real = TALLY['src/count.ts']!;
    const draft = real.replace('return lowered.split', 'return lowerd.split');
    const excerpt = draft.split('\n').slice(2, 5).join('\n');
    const guard = guardBefore(COUNT.path, { seen: [draft] });
    const fixed = real.split('\n')[4]!.trim();
    const leak = `The fault in src/count.ts sits in splitWords: 'lowerd' is not defined, a misspelling. It should read \`${fixed}\`.`;
    expect(guard.admits([leak])).toBe(false);
    server.inject({ kind: 'content', content: JSON.stringify({ thought: leak }) });
    const { p } = loggedPolicy();
    const text = await p.diagnose({ path: COUNT.path, findings: [{ check: 'undefined-name', line: 5, message: "'lowerd' is not defined" }], excerpt, definition: COUNT.definitions[0]!, guard }, 1);
    expect(text).toBe("The fault in src/count.ts sits in splitWords: 'lowerd' is not defined, a misspelling.");
    expectInside(guard, [text]);
    expect(server.requests).toHaveLength(1);
    expect(p.usage()).toMatchObject({ boundaryRepairs: 1, boundaryRetries: 0 });
    // And the prompt asked for no corrected line in the first place.
    expect(server.requests[0]!.messages![1]!.content).toContain('Do not write the corrected line');
  });

  it('a plan is checked as one sequence: a thought naming the code to come is dropped, the rest kept', async () => {
    const guard = guardBefore('src/count.ts', { written: [], declared: [] });
    const answer = {
      thoughts: ['First `splitWords` lower-cases the text and `countWords` tallies it.', 'The manifests come first.'],
      plan: { overview: 'tally counts words and prints a table.', requirements: ['Counts words.'], milestones: [{ title: 'Everything', goal: 'All files', files: SUMMARY.order }] },
    };
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().plan({ summary: SUMMARY, guard }, 1);
    expect(out.thoughts).toEqual(['The manifests come first.']);
    expect(out.plan.overview).toBe('tally counts words and prints a table.');
    expectInside(guard, planTexts(out.thoughts, out.plan));
    expect(server.requests).toHaveLength(1);
  });

  it("a review with only baseline findings: the prompt says they are the checker's limits, not faults", async () => {
    const baseline = [{ check: 'undefined-name' as const, line: 8, message: "'console' is not defined" }];
    const guard = guardBefore(FORMAT.path);
    const text = await policy().reviewChecks({ path: COUNT.path, findings: [], baseline, checks: ['syntax', 'undefined-name'], guard }, 1);
    const { facts, text: prompt } = readPrompt(server.requests[0]!.messages!);
    expect(facts.findings).toEqual([]);
    expect(facts.baseline).toEqual(baseline);
    expect(prompt).toContain("The findings under `baseline` are the checker's limits, not faults");
    expect(prompt).toContain('No finding is a fault of what was written.');
    expect(prompt).not.toContain('Read the findings');
    expect(text).toContain("checker's limits");
    expectInside(guard, [text]);
  });

  describe('proposals', () => {
    const knownIdentifiers = knownNamesBefore(FORMAT.path, { seen: [CONTEXT] });
    const answer = knowledgeBefore(FORMAT.path, { seen: [CONTEXT] }).answer(TARGET);
    const withBoundary = { path: FORMAT.path, language: 'typescript' as const, preceding: CONTEXT, knownIdentifiers, boundary: { answer, prefix: [] } };
    const derived = { path: FORMAT.path, language: 'typescript' as const, preceding: CONTEXT, knownIdentifiers };
    const steps = (...texts: string[]) => JSON.stringify({ steps: texts.map((text, i) => ({ text, confidence: 1 / (i + 1) })) });

    it('are held to the search boundary the context carries, or to one built from the context: crossing ones dropped or cut, none sent on', async () => {
      for (const ctx of [withBoundary, derived]) {
        server.reset();
        server.inject({
          kind: 'content',
          content: steps('Compute the `width` from the longest word first.', '`formatTable` lines the words up in two columns.', 'Each row keeps its count. Then `rows.map` pads it.'),
        });
        const p = policy();
        const out = await p.proposer(ctx).propose({ context: '', target: TARGET, steps: [], k: 3, seed: 1 });
        expect(out.map((x) => x.text)).toEqual(['`formatTable` lines the words up in two columns.', 'Each row keeps its count.']);
        expect(server.requests).toHaveLength(1);
        expect(p.usage().boundaryRepairs).toBe(1);
        const search = new SequenceGuard(answer);
        for (const x of out) expect(search.violations([x.text])).toEqual([]);
      }
    });

    it('judged after the steps so far: a run split across the steps and a proposal is refused', async () => {
      const line = TARGET.split('\n')[2]!.trim();
      const half = Math.floor(line.length / 2);
      server.inject({ kind: 'content', content: steps(`\`${line.slice(half)}\``, '`formatTable` returns one line per row.') });
      const out = await policy().proposer(withBoundary).propose({ context: '', target: TARGET, steps: [`\`${line.slice(0, half)}\``], k: 2, seed: 1 });
      expect(out.map((x) => x.text)).toEqual(['`formatTable` returns one line per row.']);
    });

    it('when every proposal crosses, the model is asked again with what crossed', async () => {
      server.inject({ kind: 'content', content: steps('The `width` comes first.', 'Then `rows` are mapped.') });
      const p = policy();
      const out = await p.proposer(withBoundary).propose({ context: '', target: TARGET, steps: [], k: 2, seed: 3 });
      expect(out.length).toBeGreaterThan(0);
      expect(server.requests).toHaveLength(2);
      const feedback = server.requests[1]!.messages![3]!.content;
      expect(feedback).toContain('the name `width`');
      expect(feedback).toContain('the name `rows`');
      expect(p.usage().boundaryRetries).toBe(1);
    });
  });
});

describe('openai policy: sentences, the unit a repair keeps or drops', () => {
  it('ends a sentence at . ! ? before a space and at a line break, never inside a code span, a path or a number', () => {
    const text = 'The fault sits in `a.b()`. It should read `x = 1.5; y. z`! Then src/count.ts and 3.14 stay whole?\n- a list item\nlast';
    expect(splitSentences(text)).toEqual(['The fault sits in `a.b()`.', 'It should read `x = 1.5; y. z`!', 'Then src/count.ts and 3.14 stay whole?', '- a list item', 'last']);
  });

  it('joins kept sentences back with the whitespace that followed each, and treats a stray backtick as a character', () => {
    const text = 'One.  Two (with a `span`.) Three.\n\nFour';
    const kept = sentencesOf(text).filter((s) => !s.text.startsWith('Three'));
    expect(joinSentences(kept)).toBe('One.  Two (with a `span`.) Four');
    expect(splitSentences("It's 5` o'clock. Next.")).toEqual(["It's 5` o'clock.", 'Next.']);
  });
});
