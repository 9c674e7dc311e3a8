/**
 * Long documents are written in sections, as code is written in chunks: a README over the chunk
 * size is cut at its headings and paragraphs, and each piece is written after reasoning that says
 * what it is for from what is known (the code it documents, written before it), never in its own
 * words. Data stays one write without a search. A piece of code that cannot be cut (one long
 * comment) gets an outline before its search, so the longest writes do not have the least reasoning.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';
import { computeStats } from '../../src/stats/mod.ts';
import type { Step } from '../../src/agents/types.ts';
import { tempDir } from '../support/tmp.ts';

const queue = `/** A first-in, first-out queue of jobs. */
export class JobQueue {
  private jobs: string[] = [];

  /** Adds a job at the back. */
  enqueue(job: string): void {
    this.jobs.push(job);
  }

  /** Takes the job at the front, if there is one. */
  dequeue(): string | undefined {
    return this.jobs.shift();
  }

  /** Empties the queue, giving back what it held. */
  drain(): string[] {
    return this.jobs.splice(0);
  }
}
`;

const notes = `/*
${Array.from({ length: 60 }, (_, i) => ` * Note ${i}: the retry policy waits a little longer after each failure, up to a bound, so that a flood of failures does not spin.`).join('\n')}
 */
export function backoff(attempt: number): number {
  return Math.min(1000, 10 * 2 ** attempt);
}
`;

const section = (title: string, body: string) => `## ${title}\n\n${body}\n\n\`\`\`ts\nimport { JobQueue } from './src/queue.js';\n\nconst q = new JobQueue();\nq.enqueue('build');\nq.enqueue('test');\nconsole.log(q.dequeue());\n\`\`\`\n\n${'This part of the guide goes on for a while, so that the whole document is long. '.repeat(6)}\n`;
const readme = `# jobs\n\nA tiny job queue for scripts.\n\n${[
  section('Installation', 'Install it from the registry with your package manager, then import the class.'),
  section('Adding work', 'Call `enqueue` with the name of a job: it goes to the back of `JobQueue`.'),
  section('Taking work', 'Call `dequeue` to take the job at the front; it gives `undefined` when there is none.'),
  section('Emptying everything', 'Call `drain` to take every job at once, in order, leaving the queue empty.'),
  section('Retrying', 'The `backoff` helper says how long to wait before the next attempt.'),
].join('\n')}`;

const data = JSON.stringify({ jobs: Array.from({ length: 120 }, (_, i) => ({ id: i, name: `job-${i}`, priority: i % 3 })) }, null, 2);

function repo(): string {
  const root = tempDir();
  const files = { 'package.json': '{ "name": "jobs", "version": "1.0.0", "type": "module" }\n', 'src/queue.ts': queue, 'src/notes.ts': notes, 'README.md': readme, 'fixtures/jobs.json': data };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** For each write to `path`: the trained thinks about `path` since the write before it. */
function segments(steps: readonly Step[], path: string): Array<{ write: Step; thinks: Step[] }> {
  const out: Array<{ write: Step; thinks: Step[] }> = [];
  let between: Step[] = [];
  for (const s of steps) {
    if (s.tool === 'write' || s.tool === 'edit') {
      if (s.path === path) out.push({ write: s, thinks: between.filter((x) => x.kind === 'think' && x.train !== false && x.path === path) });
      between = [];
    } else between.push(s);
  }
  return out;
}

describe('documents are written in sections', () => {
  it('a long README: several writes, each after a trained think that does not state its heading; a data file: one write, after searched reasoning', async () => {
    const root = repo();
    const out = join(tempDir(), 'data.jsonl');
    const run = await runJob({ repoPath: root, out, seed: 1, budget: 8, faultRate: 0, resume: false });
    expect(run.failures).toEqual([]);
    const steps = readFileSync(out, 'utf8').trim().split('\n').flatMap((l) => (JSON.parse(l) as { steps: Step[] }).steps);

    const doc = segments(steps, 'README.md');
    expect(doc.length).toBeGreaterThanOrEqual(3);
    expect(doc.map((d) => d.write.text).join('')).toBe(readme);
    expect(doc.map((d) => d.write.write!.mode)).toEqual(['create', ...doc.slice(1).map(() => 'append')]);
    for (const { write, thinks } of doc) {
      expect(thinks.length, write.text.slice(0, 60)).toBeGreaterThan(0);
      for (const heading of write.text.match(/^#+ .+$/gm) ?? []) {
        const words = heading.replace(/^#+\s*/, '').toLowerCase();
        for (const t of thinks) expect(t.text.toLowerCase(), `${heading} in "${t.text}"`).not.toContain(words);
      }
    }
    // The reasoning before the pieces is searched, and some of it names the code the README documents.
    expect(steps.some((s) => s.path === 'README.md' && s.kind === 'think' && s.search)).toBe(true);
    expect(doc.some((d) => d.thinks.some((t) => /`(JobQueue|enqueue|dequeue|drain|backoff|src\/queue\.ts)`/.test(t.text)))).toBe(true);

    // A data file is written whole, after searched reasoning that says what it holds (src/search/facts/data.ts).
    const json = segments(steps, 'fixtures/jobs.json');
    expect(json).toHaveLength(1);
    expect(json[0]!.thinks.length).toBeGreaterThan(0);
    expect(steps.some((s) => s.path === 'fixtures/jobs.json' && s.kind === 'think' && s.search)).toBe(true);

    // The long comment of src/notes.ts is one chunk over the target: an outline comes before its search.
    const long = segments(steps, 'src/notes.ts').find((d) => d.write.text.length >= 2000)!;
    expect(long).toBeDefined();
    // The first of them is the intent; then the outline (three statements for this length) and the searched steps.
    expect(long.thinks.filter((t) => t.role === 'coder').length - 1).toBeGreaterThanOrEqual(3);

    const t = (await computeStats([out])).total;
    const b = t.boundary.segments;
    expect({ copy: b.copyLeaks, literal: b.literalLeaks, name: b.nameViolations }).toEqual({ copy: 0, literal: 0, name: 0 });
    expect(t.boundary.designs.nameViolations + t.boundary.designs.copyLeaks + t.boundary.designs.literalLeaks).toBe(0);
  }, 180_000);
});
