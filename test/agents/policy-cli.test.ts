/**
 * `retrace policy set|reset|history` on a real nats-server: a spec with a param its policy does
 * not take, or an unknown policy, is refused (exit 2) and nothing is stored; reset removes the
 * role's policy; history lists the revisions the bucket keeps, resets included.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyBucket, policyHistory } from '../../src/agents/policy-store.ts';
import { PolicyParamsError, UnknownPolicyError } from '../../src/agents/policy.ts';
import { defaultRegistry } from '../../src/agents/registry.ts';
import { NatsBus } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';

const bin = join(import.meta.dirname, '../../bin/retrace.js');
let server: NatsServerHandle;
let bus: NatsBus;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await NatsBus.connect({ servers: server.url });
});
afterAll(async () => {
  await bus?.close();
  await server?.stop();
});

function policy(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'policy', ...args, '--nats', server.url], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the registry checks a spec', () => {
  it('against the params its policy takes', () => {
    const registry = defaultRegistry();
    expect(registry.check({ id: 'grounded' })).toEqual({ id: 'grounded', params: {} });
    expect(registry.check({ id: 'openai', params: { model: 'm', temperature: 0.5 } })).toEqual({ id: 'openai', params: { model: 'm', temperature: 0.5 } });
    expect(() => registry.check({ id: 'grounded', params: { from: 'cli' } })).toThrow(PolicyParamsError);
    expect(() => registry.check({ id: 'grounded', params: { from: 'cli' } })).toThrow('policy "grounded": unknown param "from" (known: none)');
    expect(() => registry.check({ id: 'openai', params: { model: 'm', temprature: 1 } })).toThrow(/unknown param "temprature" \(known: apiKey, apiKeyEnv, baseURL, .*temperature/);
    expect(() => registry.check({ id: 'openai', params: { model: 'm', temperature: 'hot' } })).toThrow(/temperature: /);
    expect(() => registry.check({ id: 'gpt', params: {} })).toThrow(UnknownPolicyError);
    expect(registry.paramsOf('grounded')).toEqual([]);
  });
});

describe('retrace policy', { timeout: 120_000 }, () => {
  it('set refuses unknown params and policies with exit 2, storing nothing', async () => {
    const unknownParam = policy('set', 'tester', '{"id":"grounded","params":{"from":"cli"}}');
    expect(unknownParam.status).toBe(2);
    expect(unknownParam.stderr).toMatch(/unknown param "from"/);
    expect(policy('set', 'tester', '{"id":"nope"}').status).toBe(2);
    expect(policy('set', 'tester', '{"id":"openai","params":{"baseURL":"http://gpu:8000/v1"}}').status).toBe(2);
    expect(await (await policyBucket(bus)).get('tester')).toBeUndefined();
  });

  it('set, reset and history follow the revisions of a role', async () => {
    const set = policy('set', 'coder', '{"id":"openai","params":{"baseURL":"http://gpu:8000/v1","model":"m"}}');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^coder -> openai@\d+$/m);
    const reset = policy('reset', 'coder');
    expect(reset.status, reset.stderr).toBe(0);
    expect(await (await policyBucket(bus)).get('coder')).toBeUndefined();
    expect(policy('set', 'coder', '{"id":"grounded"}').status).toBe(0);

    const history = policy('history', 'coder');
    expect(history.status, history.stderr).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^coder +@\d+ openai \{"baseURL":"http:\/\/gpu:8000\/v1","model":"m"\}$/);
    expect(lines[1]).toMatch(/^coder +@\d+ reset/);
    expect(lines[2]).toMatch(/^coder +@\d+ grounded \{\}$/);
    const revisions = (await policyHistory(bus, 'coder')).map((r) => r.revision);
    expect(JSON.parse(policy('history', 'coder', '--json').stdout).map((r: { revision: number }) => r.revision)).toEqual(revisions);
    expect(policy('history', 'debugger').stdout).toBe('debugger: never set (default: grounded@0)\n');
  });
});
