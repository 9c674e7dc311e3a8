/**
 * Live policy swap over a real nats-server: the coder's policy changes in the middle of a run;
 * steps before carry the old revision, steps after the new one; no piece of work is lost or done
 * twice, and the trajectory still replays to the repository.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { setPolicy } from '../../src/agents/policy-store.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { replay, verifyFiles } from '../../src/run/replay.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';

const root = join(import.meta.dirname, 'fixtures/mini');
let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('live policy swap', () => {
  it('applies a new coder policy at the next piece of work, mid-run', async () => {
    const agentsBus = await NatsBus.connect({ servers: server.url });
    const driverBus = await NatsBus.connect({ servers: server.url });
    const workspaces = new Workspaces();
    const first = await setPolicy(driverBus, 'coder', { id: 'grounded', params: { variant: 'first' } });
    const team = await startTeam({ bus: agentsBus, live: true, workspaces });
    const coderPolicy = team.policies.get('coder')!;
    await waitFor(() => coderPolicy.current().revision === first, 'the first coder policy');
    let swappedTo = 0;
    const jobs: string[] = [];
    const record = await conduct({
      bus: driverBus,
      workspaces,
      run: 'swap1',
      repo: { name: 'mini', root },
      seed: 11,
      budget: 2,
      faultRate: 0,
      onResult: async (r) => {
        jobs.push(r.job);
        if (r.role === 'coder' && swappedTo === 0) {
          swappedTo = await setPolicy(driverBus, 'coder', { id: 'grounded', params: { variant: 'second' } });
          await waitFor(() => coderPolicy.current().revision === swappedTo, 'the swap to reach the coder');
        }
      },
    });
    const coderTags = record.steps.filter((s) => s.role === 'coder').map((s) => s.policy);
    const firstTag = `grounded@${first}`;
    const secondTag = `grounded@${swappedTo}`;
    expect(new Set(coderTags)).toEqual(new Set([firstTag, secondTag]));
    const switchAt = coderTags.indexOf(secondTag);
    expect(coderTags.slice(0, switchAt).every((t) => t === firstTag)).toBe(true);
    expect(coderTags.slice(switchAt).every((t) => t === secondTag)).toBe(true);
    // Other roles never saw a coder policy.
    expect(record.steps.filter((s) => s.role !== 'coder').every((s) => s.policy === 'grounded@0')).toBe(true);
    // Nothing lost, nothing twice.
    expect(new Set(jobs).size).toBe(jobs.length);
    const files = (await workspaces.get({ name: 'mini', root })).graph.data.files.map((f) => f.path);
    expect(verifyFiles(replay(record.steps), root, files).ok).toBe(true);
    await team.stop();
    await agentsBus.close();
    await driverBus.close();
  }, 60_000);
});
