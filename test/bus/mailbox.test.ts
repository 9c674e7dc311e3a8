import { describe, expect, it } from 'vitest';
import { Mailbox } from '../../src/bus/mailbox.ts';
import { sleep } from '../support/wait.ts';

describe('mailbox', () => {
  it('runs at most `concurrency` tasks at once, in arrival order, and drains', async () => {
    const box = new Mailbox(2, () => {});
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    for (let i = 0; i < 6; i++) {
      box.push(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
      });
    }
    await box.drain();
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(box.size).toBe(0);
  });

  it('reports a failing task and goes on', async () => {
    const errors: unknown[] = [];
    const box = new Mailbox(1, (e) => errors.push(e));
    const done: number[] = [];
    box.push(async () => {
      throw new Error('x');
    });
    box.push(async () => void done.push(1));
    await box.drain();
    expect(errors).toHaveLength(1);
    expect(done).toEqual([1]);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new Mailbox(0, () => {})).toThrow(RangeError);
  });
});
