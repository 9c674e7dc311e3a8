/**
 * Scorers per corpus: trained on exactly the files a request names, shared between requests at
 * the same count, never trained further while a search holds them (a concurrent request for a
 * longer corpus gets its own), rebuilt when a request goes back; texts read from the graph
 * service or a root that may not be left. Scoring nodes score requests naming a corpus with such a
 * scorer — the scores an agent's own search computes — and nodes without corpora ignore it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { GraphClient, GraphVersionError, indexRepo, serveGraph } from '../../src/graph/mod.ts';
import { corpusReader, CorpusPathError, CorpusScorers, EmbeddedScorer, ScoringClient, ScoringNode, type CorpusRef, type ScoreItem } from '../../src/search/score/mod.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const docs = [
  'export function add(a, b) {\n  return a + b;\n}\n',
  'export function mul(a, b) {\n  return a * b;\n}\n',
  'import { add } from "./a.js";\nexport const twice = (x) => add(x, x);\n',
  'export class Stack {\n  items = [];\n  push(x) { this.items.push(x); }\n}\n',
];
const files = docs.map((_d, i) => `f${i}.js`);
for (const [i, d] of docs.entries()) writeFileSync(join(tmp, files[i]!), d);
const items: ScoreItem[] = [
  { context: 'export function sub(a, b) {\n', target: '  return a - b;\n}\n' },
  { context: '', target: 'import { mul } from "./b.js";\nexport const square = (x) => mul(x, x);\n' },
];

function fresh(count: number): EmbeddedScorer {
  const s = new EmbeddedScorer();
  for (const d of docs.slice(0, count)) s.train(d);
  return s;
}
const logprobs = async (s: { scoreBatch(i: readonly ScoreItem[]): Promise<Array<{ logprob: number }>> }) => (await s.scoreBatch(items)).map((r) => r.logprob);
const text = (i: number) => docs[i]!;

describe('CorpusScorers', () => {
  it('scores as a scorer trained on exactly the corpus; extends a free one, rebuilds going back', async () => {
    const c = new CorpusScorers();
    expect(await c.use('k', 2, text, logprobs)).toEqual(await logprobs(fresh(2)));
    expect(await c.use('k', 3, text, logprobs)).toEqual(await logprobs(fresh(3)));
    expect(c.size).toBe(1);
    expect(await c.use('k', 1, text, logprobs)).toEqual(await logprobs(fresh(1)));
    expect(await c.use('other', 4, text, logprobs)).toEqual(await logprobs(fresh(4)));
    // Different counts give different scores: the test can tell them apart.
    expect(await logprobs(fresh(1))).not.toEqual(await logprobs(fresh(4)));
  });

  it('never trains a scorer further while a search holds it', async () => {
    const c = new CorpusScorers();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let longer: Promise<number[]> | undefined;
    const first = c.use('k', 2, text, async (scorer) => {
      // While this search holds its scorer, a request for a longer corpus comes and finishes.
      longer = c.use('k', 4, text, logprobs);
      await longer;
      release();
      await held;
      return logprobs(scorer);
    });
    expect(await first).toEqual(await logprobs(fresh(2)));
    expect(await longer!).toEqual(await logprobs(fresh(4)));
  });

  it('shares one scorer between requests at the same count', async () => {
    const c = new CorpusScorers();
    const seen: EmbeddedScorer[] = [];
    await Promise.all([1, 2, 3].map(() => c.use('k', 3, text, async (s) => void seen.push(s))));
    expect(new Set(seen).size).toBe(1);
  });

  it('trains the kind of scorer it is given (a node of another n-gram order)', async () => {
    const c = new CorpusScorers(4, () => new EmbeddedScorer({ order: 3 }));
    const order3 = new EmbeddedScorer({ order: 3 });
    for (const d of docs.slice(0, 3)) order3.train(d);
    expect(await c.use('k', 3, text, logprobs)).toEqual(await logprobs(order3));
    expect(await logprobs(order3)).not.toEqual(await logprobs(fresh(3)));
  });

  it('drops a scorer whose texts could not be read, and says why', async () => {
    const c = new CorpusScorers();
    const ref: CorpusRef = { key: 'k', files: ['f0.js', 'gone.js'], root: tmp };
    await expect(c.useRef(ref, corpusReader(), logprobs)).rejects.toThrow(/ENOENT.*gone\.js/);
    expect(c.size).toBe(0);
    expect(await c.useRef({ ...ref, files: files.slice(0, 2) }, corpusReader(), logprobs)).toEqual(await logprobs(fresh(2)));
  });
});

describe('corpusReader', () => {
  it('reads from the graph service what it reads from the root, and refuses paths leaving the root', async () => {
    const bus = new MemoryBus();
    const handle = await serveGraph({ bus, graph: await indexRepo(tmp, { cache: false }), repo: 'corp' });
    const viaGraph = await corpusReader(bus)({ key: 'k', files, graph: 'corp' }, files);
    const viaFs = await corpusReader()({ key: 'k', files, root: tmp }, files);
    expect(viaGraph).toEqual(docs);
    expect(viaFs).toEqual(docs);
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../x']) {
      await expect(corpusReader()({ key: 'k', files: [bad], root: tmp }, [bad])).rejects.toThrow(CorpusPathError);
    }
    await expect(corpusReader()({ key: 'k', files, graph: 'corp' }, files)).rejects.toThrow(/no bus/);
    // A corpus pinned to a version: read only from a service that serves that version.
    const digest = (await new GraphClient(bus, 'corp').snapshot()).digest;
    expect(await corpusReader(bus)({ key: 'k', files, graph: 'corp', digest }, files)).toEqual(docs);
    await expect(corpusReader(bus)({ key: 'k', files, graph: 'corp', digest: '0'.repeat(64) }, files)).rejects.toThrow(GraphVersionError);
    await handle.stop();
  });
});

describe('scoring nodes and corpora', () => {
  it('score a request naming a corpus as a scorer trained on it; a node without corpora ignores it', async () => {
    const bus = new MemoryBus();
    const graphHandle = await serveGraph({ bus, graph: await indexRepo(tmp, { cache: false }), repo: 'corp' });
    const node = await ScoringNode.start({ bus, scorer: new EmbeddedScorer(), backend: 'embedded', corpora: new CorpusScorers() });
    const client = new ScoringClient({ bus, model: 'embedded-kn4', chunkSize: 1 });
    for (const count of [3, 1, 4]) {
      const ref: CorpusRef = { key: 'run1:corp', files: files.slice(0, count), graph: 'corp' };
      expect(await logprobs(client.withCorpus(ref))).toEqual(await logprobs(fresh(count)));
    }
    // The node's own (untrained) scorer for requests without a corpus.
    expect(await logprobs(client)).toEqual(await logprobs(new EmbeddedScorer()));
    await node.stop();

    const plain = await ScoringNode.start({ bus, scorer: fresh(1), backend: 'embedded' });
    expect(await logprobs(client.withCorpus({ key: 'x', files, root: tmp }))).toEqual(await logprobs(fresh(1)));
    // A corpus naming neither a graph service nor a root is refused by the node's schema.
    await expect(client.withCorpus({ key: 'x', files } as CorpusRef).scoreBatch(items)).rejects.toThrow(/graph service or a root/);
    await plain.stop();
    await graphHandle.stop();
  });
});
