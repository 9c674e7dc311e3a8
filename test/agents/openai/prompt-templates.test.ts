/**
 * The openai policy's `prompts` param: template files replace built-in ones, are read into the
 * spec (text and SHA-256) where a spec is set, and are checked before any is used — an unknown
 * template name, an unknown placeholder, a user message without the facts, an unknown partial
 * or text that is not what its hash says is a PolicyConfigError naming the file and line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIPolicy, PolicyConfigError } from '../../../src/agents/openai/mod.ts';
import { readPromptTexts, withPromptTexts } from '../../../src/agents/openai/prompt-files.ts';
import { planPrompt } from '../../../src/agents/openai/prompts.ts';
import { defaultRegistry } from '../../../src/agents/registry.ts';
import { openGuard } from '../../../src/boundary/mod.ts';
import { checkedPolicySpec } from '../../../src/config/specs.ts';
import { COUNT, FORMAT, SUMMARY } from '../policy-conformance.ts';
import { FakeChat } from '../support/fake-chat.ts';
import { tempDir } from '../../support/tmp.ts';
import { CUSTOM_FILE_INTENT, dirWith } from './support/custom-templates.ts';

let server: FakeChat;
beforeAll(async () => {
  server = await FakeChat.start();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => server.reset());

const spec = (prompts: unknown) => ({ id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKey: server.opts.apiKey, prompts } });

const intentInput = { file: FORMAT, design: { path: FORMAT.path, responsibility: 'Tables.', publicInterface: ['function `formatTable`'], dependencies: [] }, chunks: 2, reads: [{ path: COUNT.path, written: true }], guard: openGuard() };

describe('prompt template files', () => {
  it('replace the built-in template they name and leave the others as they are', async () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT });
    const policy = new OpenAIPolicy(withPromptTexts(spec(dir)), {});
    await policy.fileIntent(intentInput, 1);
    await policy.plan({ summary: SUMMARY, guard: openGuard() }, 1);
    const [intent, plan] = server.requests.map((r) => r.messages!);
    expect(intent![0]!.content).toMatch(/^You are a terse coder\.\nThe team is rebuilding an existing repository/);
    expect(intent![1]!.content).toMatch(/^Task: file-intent\nWrite src\/format\.ts in 2 pieces\.\nFacts \(from the repository's syntax trees/);
    expect(plan).toEqual(planPrompt({ summary: SUMMARY, guard: openGuard() }));
  });

  it('are carried in the spec as their text and its SHA-256, so a changed file is a changed spec', () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT });
    const first = withPromptTexts(spec(dir));
    const stored = (first.params.prompts as Record<string, { file: string; sha256: string; text: string }>)['file-intent']!;
    expect(stored).toEqual({ file: join(dir, 'file-intent.md'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), text: CUSTOM_FILE_INTENT });
    writeFileSync(join(dir, 'file-intent.md'), CUSTOM_FILE_INTENT.replace('terse', 'brief'));
    const second = withPromptTexts(spec(dir));
    expect((second.params.prompts as Record<string, { sha256: string }>)['file-intent']!.sha256).not.toBe(stored.sha256);
    // The stored form is itself a valid spec: set again, it stays as it is.
    expect(withPromptTexts(first)).toEqual(first);
    expect(defaultRegistry().check(first)).toEqual(first);
  });

  it('may be named one by one, a map of template name to file', async () => {
    const dir = dirWith({ 'coder.md': CUSTOM_FILE_INTENT });
    const policy = new OpenAIPolicy(withPromptTexts(spec({ 'file-intent': join(dir, 'coder.md') })), {});
    await policy.fileIntent(intentInput, 1);
    expect(server.requests[0]!.messages![0]!.content).toMatch(/^You are a terse coder\./);
  });

  it('are read by a policy given file names directly (an agent started with such a spec)', async () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT });
    await new OpenAIPolicy(spec(dir), {}).fileIntent(intentInput, 1);
    expect(server.requests[0]!.messages![0]!.content).toMatch(/^You are a terse coder\./);
  });

  it('go through the run options, where a bad one is bad input naming its file', () => {
    const dir = dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{path}}', '{{file}}') });
    expect(() => checkedPolicySpec(spec(dir), '--policy coder')).toThrow(`--policy coder: ${join(dir, 'file-intent.md')} line 7: unknown placeholder {{file}}`);
  });
});

describe('prompt templates are refused', () => {
  const refusal = (files: Record<string, string>): string => {
    const dir = dirWith(files);
    try {
      withPromptTexts(spec(dir));
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyConfigError);
      return (err as Error).message.replaceAll(dir, '<dir>');
    }
    throw new Error('the templates were accepted');
  };

  it('for a file that names no template', () => {
    expect(refusal({ 'desing.md': CUSTOM_FILE_INTENT })).toBe(
      'prompts: <dir>/desing.md names no template (files are <name>.md, the names: plan, design, file-intent, review-checks, diagnose, test-intent, propose, rules, facts)',
    );
  });

  it('for an unknown template name in a map', () => {
    expect(() => readPromptTexts({ coder: 'x.md' })).toThrow('prompts: unknown template "coder" (known: plan, design, file-intent,');
  });

  it('for a placeholder its task does not give, with its line', () => {
    expect(refusal({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{chunks}}', '{{pieces}}') })).toBe(
      '<dir>/file-intent.md line 7: unknown placeholder {{pieces}} (here: task, facts, path, chunks, inPieces)',
    );
  });

  it('for a placeholder of another task', () => {
    expect(refusal({ 'plan.md': CUSTOM_FILE_INTENT.replace('Task: file-intent', 'Task: plan') })).toMatch(/^<dir>\/plan\.md line 7: unknown placeholder \{\{path\}\} \(here: task, facts, name\)$/);
  });

  it('for a user message without the facts', () => {
    expect(refusal({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{> facts}}\n', '') })).toBe(
      "<dir>/file-intent.md line 5: the user message never says {{facts}} (the task's facts as JSON): write {{facts}}, or {{> facts}} for the facts block",
    );
  });

  it('for a facts partial that no longer holds the facts', () => {
    expect(refusal({ 'facts.md': 'Facts: see above.\n' })).toBe('<dir>/facts.md: the facts partial never says {{facts}} (the task\'s facts as JSON)');
  });

  it('for an unknown partial, and for a partial in a partial', () => {
    expect(refusal({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{> rules}}', '{{> house}}') })).toBe('<dir>/file-intent.md line 4: unknown partial {{> house}} (partials: rules, facts)');
    expect(refusal({ 'rules.md': 'Be brief.\n{{> facts}}\n' })).toBe('<dir>/rules.md line 2: a partial includes no other ({{> facts}})');
  });

  it('for a template without its parts, or with a part it does not know', () => {
    expect(refusal({ 'diagnose.md': 'Task: diagnose\n{{facts}}\n' })).toBe(
      '<dir>/diagnose.md: no "--- system" line (a task template is notes, then "--- system" and its text, then "--- user" and its text)',
    );
    expect(refusal({ 'diagnose.md': '--- system\nx\n--- assistant\n{{facts}}\n' })).toBe('<dir>/diagnose.md line 3: unknown part "--- assistant" (a task template has "--- system" and "--- user")');
  });

  it('for a section left open, with its line', () => {
    expect(refusal({ 'file-intent.md': CUSTOM_FILE_INTENT.replace('{{/inPieces}}', '') })).toMatch(/^<dir>\/file-intent\.md line 7: Unclosed section "inPieces" at \d+$/);
  });

  it('for a stored text that is not the one its hash names', () => {
    const stored = withPromptTexts(spec(dirWith({ 'file-intent.md': CUSTOM_FILE_INTENT })));
    const t = (stored.params.prompts as Record<string, { file: string; sha256: string; text: string }>)['file-intent']!;
    const edited = { ...stored, params: { ...stored.params, prompts: { 'file-intent': { ...t, text: `${t.text}more\n` } } } };
    expect(() => new OpenAIPolicy(edited, {})).toThrow(PolicyConfigError);
    expect(() => new OpenAIPolicy(edited, {})).toThrow(/the text of "file-intent" \(.*file-intent\.md\) is not the one its sha256 names/);
  });

  it('for a directory that is not there', () => {
    const dir = join(tempDir(), 'missing');
    expect(() => withPromptTexts(spec(dir))).toThrow(`prompts: cannot read the directory ${dir}: ENOENT`);
    mkdirSync(dir);
    expect(() => withPromptTexts(spec(dir))).toThrow(`prompts: ${dir} holds no template`);
  });
});
