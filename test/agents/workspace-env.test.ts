/**
 * The checks' environment learned a few files at a time (letting the event loop turn, so parse
 * trees are freed as it goes) is the environment learned in one go.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspaces } from '../../src/agents/workspace.ts';

// More source files than are learned between two turns of the loop.
const repo = join(import.meta.dirname, '../../node_modules/zod/src/v3');

describe('the checks environment', () => {
  it('learned a few files at a time (twice at once) is the one learned in one go', async () => {
    const atOnce = (await new Workspaces().get({ name: 'zod', root: repo })).env();
    const ws = await new Workspaces().get({ name: 'zod', root: repo });
    await Promise.all([ws.learnEnv(), ws.learnEnv()]);
    const learned = ws.env();
    expect([...learned.globals]).toEqual([...atOnce.globals]);
    expect([...learned.varyingArity]).toEqual([...atOnce.varyingArity]);
    expect(learned.globals.size).toBeGreaterThan(10);
    expect(ws.env()).toBe(learned);
  });
});
