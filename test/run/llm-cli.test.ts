/**
 * `retrace run` and `retrace corpus` with served models, as a user runs them (real processes):
 * `--llm` behind every role against the fake chat server (the real wire format, through the real
 * client), a `--config` file under the flags, and preflight failing a run before anything is
 * written.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { freePort } from '../support/nats-server.ts';
import { retraceCli } from '../support/retrace-cli.ts';
import { tempDir } from '../support/tmp.ts';

const fixture = join(import.meta.dirname, '../agents/fixtures/mini');
const tmp = tempDir('retrace-llm-cli-');
let chat: FakeChat;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  chat = await FakeChat.start();
  env = { ...process.env, OPENAI_API_KEY: chat.opts.apiKey };
});
afterAll(async () => {
  await chat.close();
});

/** How many requests carried each role's system prompt. */
function requestsByRole(): Record<string, number> {
  const roles: Record<string, number> = {};
  for (const r of chat.requests) {
    const role = /You are the (\w+)/.exec(r.messages?.[0]?.content ?? '')?.[1];
    if (role) roles[role] = (roles[role] ?? 0) + 1;
  }
  return roles;
}

describe('retrace run with a served model', { timeout: 120_000 }, () => {
  it('--llm puts the model behind every role but the one --policy sets', async () => {
    chat.reset();
    const out = join(tmp, 'llm.jsonl');
    const r = await retraceCli(['run', fixture, '-o', out, '--llm', `openai:${chat.baseURL}#${chat.opts.model}`, '--policy', 'tester=grounded', '--budget', '2', '--fault-rate', '1', '--json'], { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.verify[0].ok).toBe(true);
    const roles = requestsByRole();
    expect(Object.keys(roles).sort()).toEqual(['architect', 'coder', 'debugger', 'planner']);
  });

  it('takes its settings from a TOML config, the flags over it', async () => {
    chat.reset();
    const config = join(tmp, 'retrace.toml');
    writeFileSync(
      config,
      [`llm = "openai:${chat.baseURL}#${chat.opts.model}"`, 'faultRate = 0.0', '[policies]', 'planner = "grounded"', '[search]', 'budget = 0', '[output]', `out = "${join(tmp, 'from-config.jsonl')}"`, 'card = false', ''].join('\n'),
    );
    const r = await retraceCli(['run', fixture, '--config', config, '--budget', '2', '--json'], { env, cwd: tmp });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.out).toBe(join(tmp, 'from-config.jsonl'));
    expect(summary.card).toEqual([]);
    expect(summary.episodes.total).toBe(0);
    // --budget 2 over the file's 0: the search ran.
    expect(summary.searches).toBeGreaterThan(0);
    expect(requestsByRole().planner).toBeUndefined();
    expect(requestsByRole().architect).toBeGreaterThan(0);
  });

  it('refuses a config with an unknown key, naming it, before anything runs', async () => {
    const config = join(tmp, 'typo.json');
    writeFileSync(config, JSON.stringify({ search: { budgett: 4 } }));
    const r = await retraceCli(['run', fixture, '--config', config, '-o', join(tmp, 'typo.jsonl')], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown key "search.budgett" (search takes: budget, maxContextTokens)');
    expect(existsSync(join(tmp, 'typo.jsonl'))).toBe(false);
  });

  it('reports a misspelt policy param as unknown', async () => {
    const r = await retraceCli(['run', fixture, '--policy', 'coder={"id":"openai","params":{"modle":"x"}}'], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown param "modle"');
    expect(r.stderr).not.toContain('model:');
  });
});

describe('preflight from the command line', { timeout: 120_000 }, () => {
  it('a dead endpoint fails `retrace run` with exit 2, and nothing is written', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/v1`;
    const out = join(tmp, 'dead.jsonl');
    const r = await retraceCli(['run', fixture, '-o', out, '--llm', `openai:${dead}#m`], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('retrace run: preflight: 1 of 1 endpoints cannot be used');
    expect(r.stderr).toContain('model for planner, architect, coder, tester, debugger');
    expect(r.stderr).toContain(`${dead} (GET /models): cannot connect (ECONNREFUSED)`);
    // No dataset, trace or checkpoint.
    expect(readdirSync(tmp).filter((f) => f.startsWith('dead'))).toEqual([]);
  });

  it('a wrong scorer base URL fails `retrace corpus` with exit 2 and the /v1 hint, and no corpus folder', async () => {
    const outDir = join(tmp, 'corpus-out');
    const r = await retraceCli(['corpus', fixture, '--out-dir', outDir, '--scorer', `openai:${chat.url}#${chat.opts.model}`], { env, cwd: tmp });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`scorer: ${chat.url} (GET /models): 404`);
    expect(r.stderr).toContain(`try ${chat.url}/v1`);
    expect(existsSync(outDir)).toBe(false);
  });
});
