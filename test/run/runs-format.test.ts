/** `retrace runs`' table: statuses, silent drivers, failures, ages. */
import { describe, expect, it } from 'vitest';
import { formatRuns } from '../../src/cli/runs.ts';

const now = Date.parse('2026-11-25T12:00:00Z');
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

describe('formatRuns', () => {
  it('shows each run, marks a run that stopped reporting, and says why one failed', () => {
    const text = formatRuns(
      [
        { run: 'a-s1', status: 'started', repo: 'a', files: 10, done: 4, started: at(3), updated: at(0.5) },
        { run: 'b-s1', status: 'started', repo: 'b', files: 10, done: 2, started: at(90), updated: at(30) },
        { run: 'c-s1', status: 'finished', repo: 'c', files: 5, done: 5, failures: 1, started: at(200), updated: at(190) },
        { run: 'd-s1', status: 'failed', repo: 'd', files: 5, done: 0, error: 'no planner agent', started: at(3000), updated: at(3000) },
      ],
      now,
    );
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^a-s1\s+started\s+4\/10 files\s+a\s+started 3m ago\s+updated 30s ago$/);
    expect(lines[1]).toMatch(/^b-s1\s+started \(silent: driver gone\?\)\s+2\/10 files/);
    expect(lines[2]).toMatch(/^c-s1\s+finished, 1 failed\s+5\/5 files\s+c\s+started 3h ago/);
    expect(lines[3]).toMatch(/^d-s1\s+failed: no planner agent\s+0\/5 files\s+d\s+started 50h ago/);
    expect(formatRuns([], now)).toBe('no runs\n');
  });
});
