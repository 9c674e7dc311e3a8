import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Step } from '../../src/agents/types.ts';
import { histogramBins, histogramSvg, wantsLogBins } from '../../src/dataset/card-plots.ts';
import { CardInputError, CardTally, hubLicences, renderCard, sizeCategory, summarise, writeCard, type TokenSplit } from '../../src/dataset/card.ts';
import { renderStep } from '../../src/dataset/format.ts';
import type { DatasetRecordV2, IndexedStep } from '../../src/dataset/record.ts';

// ---- hand-built records ----

type Block = [Omit<Step, 'policy' | 'text'> & { text?: string }, number];
interface RecordSpec {
  repo: string;
  licence: string | null;
  chunk: number;
  context?: Block[];
  steps: Block[];
  search?: Array<{ step: number; path: string; baseline: number; best: number; target: number }>;
}

const step = (s: Block[0], index: number): IndexedStep => ({ text: `text of step ${index}`, policy: 'grounded@1', ...s, index });

function record(spec: RecordSpec): DatasetRecordV2 {
  const context = (spec.context ?? []).map(([s], i) => step(s, i));
  const steps = spec.steps.map(([s], i) => step(s, 100 * spec.chunk + i));
  const blocks = [...(spec.context ?? []), ...spec.steps].map(([, n]) => n);
  const all = [...context, ...steps];
  const text = all.map(renderStep).join('');
  const count = blocks.reduce((a, b) => a + b, 0);
  const train = spec.steps.reduce((n, [s, t]) => n + (s.train ? t : 0), 0);
  return {
    id: `${spec.repo}/run-1#${spec.chunk}`,
    format: 2,
    repo: { name: spec.repo, origin: null, commit: null, licence: spec.licence, licence_source: spec.licence ? 'LICENSE' : null, languages: {}, files: [] },
    run: {
      id: 'run-1', seed: 1, budget: 16, fault_rate: 0, policies: {}, scorer: { kind: 'embedded', model: null },
      search: { method: 'mcts', batch: 4 }, tokenizer: 'llama-3', context_tokens: 16384,
    },
    chunk: { index: spec.chunk, count: 2, first_step: steps[0]?.index ?? 0 },
    context,
    steps,
    search: (spec.search ?? []).map((s) => ({
      step: s.step, path: s.path, method: 'mcts', scorerCalls: 16, reward: 0, baselineLogprob: s.baseline, bestLogprob: s.best, targetTokens: s.target,
    })),
    text,
    mask: [],
    tokens: { count, train, masked: count - train, mask: [], blocks },
    stats: { steps: steps.length, chars: text.length, train_chars: 0, masked_chars: 0 },
  };
}

// Step.untrained's file reasons (UntrainedFileReason) beside `faulty-draft`.
const untrained = (reason: string) => ({ untrained: reason }) as unknown as Pick<Step, 'untrained'>;

/** Repository alpha (TypeScript, MIT) in two chunks; beta (Python, Apache-2.0 OR MIT) in one. */
function fixtureRecords(): DatasetRecordV2[] {
  return [
    record({
      repo: 'alpha', licence: 'MIT', chunk: 0,
      steps: [
        [{ role: 'planner', kind: 'observation', tool: 'brief', train: false }, 40],
        [{ role: 'planner', kind: 'action', tool: 'plan', train: true }, 30],
        [{ role: 'coder', kind: 'think', path: 'src/a.ts', train: true }, 20],
        [{ role: 'coder', kind: 'action', tool: 'write', path: 'src/a.ts', train: true }, 50],
        [{ role: 'tester', kind: 'action', tool: 'check', path: 'src/a.ts', train: true }, 5],
        [{ role: 'tester', kind: 'observation', tool: 'check', path: 'src/a.ts', train: false }, 15],
        [{ role: 'coder', kind: 'action', tool: 'write', path: 'package-lock.json', train: false, ...untrained('lock-file') }, 100],
      ],
      search: [{ step: 2, path: 'src/a.ts', baseline: -60, best: -40, target: 50 }],
    }),
    record({
      repo: 'alpha', licence: 'MIT', chunk: 1,
      context: [[{ role: 'planner', kind: 'action', tool: 'plan', train: true }, 30]],
      steps: [
        [{ role: 'coder', kind: 'think', path: 'src/b.ts', train: true }, 10],
        [{ role: 'coder', kind: 'action', tool: 'write', path: 'src/b.ts', train: true }, 60],
      ],
      search: [{ step: 100, path: 'src/b.ts', baseline: -42, best: -30, target: 40 }],
    }),
    record({
      repo: 'beta', licence: 'Apache-2.0 OR MIT', chunk: 0,
      steps: [
        [{ role: 'planner', kind: 'observation', tool: 'brief', train: false }, 25],
        [{ role: 'coder', kind: 'think', path: 'main.py', train: true }, 12],
        [{ role: 'coder', kind: 'action', tool: 'write', path: 'main.py', train: true }, 48],
        [{ role: 'coder', kind: 'action', tool: 'write', path: 'main.py', train: false, untrained: 'faulty-draft' }, 30],
      ],
      search: [{ step: 1, path: 'main.py', baseline: -22, best: -10, target: 24 }],
    }),
  ];
}

function fixtureTally(): CardTally {
  const tally = new CardTally();
  for (const r of fixtureRecords()) tally.add(r);
  return tally;
}

const OPTS = { name: 'Retrace sample', files: ['data-00000.jsonl', 'data-00001.jsonl'], format: 'jsonl' as const };

const asObject = (m: ReadonlyMap<string, TokenSplit>) => Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]));
const sumOf = (m: ReadonlyMap<string, TokenSplit>, key: keyof TokenSplit) => [...m.values()].reduce((n, v) => n + v[key], 0);

function frontMatter(readme: string): string {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(readme);
  if (!m) throw new Error('no front matter');
  return m[1]!;
}

/** A real YAML parser when one is at hand (PyYAML), else null. */
function parseYamlWithPython(yaml: string): unknown | null {
  const probe = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const out = execFileSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: yaml, encoding: 'utf8' });
  return JSON.parse(out);
}

/** Well-formed XML, as far as an SVG of elements, attributes and text goes: balanced tags, quoted attributes, escaped text. */
function checkXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(last, m.index);
    expect(between, `text before ${m[0]}`).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
    last = m.index + m[0].length;
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(xml.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  expect(xml.trimStart().startsWith('<svg')).toBe(true);
}

const barCounts = (svg: string) => [...svg.matchAll(/<rect class="bar" data-count="(\d+)"/g)].map((m) => Number(m[1]));

// ---- the tally ----

describe('CardTally', () => {
  const tally = fixtureTally();

  it('counts records, own steps and repeated context steps', () => {
    expect(tally.records).toBe(3);
    expect(tally.steps).toBe(13);
    expect(tally.contextSteps).toBe(1);
    expect(tally.contextTokens).toBe(30);
  });

  it('splits the tokens into trained and masked, context always masked', () => {
    expect(tally.total).toEqual({ tokens: 475, trained: 235, masked: 240 });
    expect(tally.total.trained + tally.total.masked).toBe(tally.total.tokens);
  });

  it('tallies tokens by role', () => {
    expect(asObject(tally.byRole)).toEqual({
      planner: { tokens: 125, trained: 30, masked: 95 },
      coder: { tokens: 330, trained: 200, masked: 130 },
      tester: { tokens: 20, trained: 5, masked: 15 },
    });
  });

  it('tallies tokens by step kind, actions by tool', () => {
    expect(asObject(tally.byKind)).toEqual({
      observation: { tokens: 80, trained: 0, masked: 80 },
      'action:plan': { tokens: 60, trained: 30, masked: 30 },
      think: { tokens: 42, trained: 42, masked: 0 },
      'action:write': { tokens: 288, trained: 158, masked: 130 },
      'action:check': { tokens: 5, trained: 5, masked: 0 },
    });
  });

  it("tallies tokens by the language of the step's file, `other` without one", () => {
    expect(asObject(tally.byLanguage)).toEqual({
      other: { tokens: 225, trained: 30, masked: 195 },
      typescript: { tokens: 160, trained: 145, masked: 15 },
      python: { tokens: 90, trained: 60, masked: 30 },
    });
  });

  it('every breakdown sums to the total', () => {
    for (const m of [tally.byRole, tally.byKind, tally.byLanguage, tally.repos as ReadonlyMap<string, TokenSplit>]) {
      for (const key of ['tokens', 'trained', 'masked'] as const) expect(sumOf(m, key)).toBe(tally.total[key]);
    }
  });

  it('tallies repositories: records, steps, tokens, refined steps, licences', () => {
    const alpha = tally.repos.get('alpha')!;
    expect({ ...alpha, licences: [...alpha.licences] }).toEqual({ tokens: 360, trained: 175, masked: 185, records: 2, steps: 9, refined: 2, licences: ['MIT'] });
    const beta = tally.repos.get('beta')!;
    expect({ records: beta.records, steps: beta.steps, tokens: beta.tokens, refined: beta.refined, licences: [...beta.licences] }).toEqual({
      records: 1, steps: 4, tokens: 115, refined: 1, licences: ['Apache-2.0 OR MIT'],
    });
  });

  it('gives each refined step its gain in nats per target token', () => {
    expect(tally.searchGains).toEqual([0.4, 0.3, 0.5]);
    const s = summarise(tally.searchGains)!;
    expect(s.count).toBe(3);
    expect(s.mean).toBeCloseTo(0.4, 12);
    expect([s.min, s.q1, s.median, s.q3, s.max].map((v) => Number(v.toFixed(12)))).toEqual([0.3, 0.35, 0.4, 0.45, 0.5]);
  });

  it('tallies untrained writes by reason with their files', () => {
    const u = Object.fromEntries([...tally.untrained].map(([k, v]) => [k, { steps: v.steps, tokens: v.tokens, files: [...v.files] }]));
    expect(u).toEqual({
      'lock-file': { steps: 1, tokens: 100, files: ['alpha:package-lock.json'] },
      'faulty-draft': { steps: 1, tokens: 30, files: ['beta:main.py'] },
    });
  });

  it('records the tokenizer and context length of the runs', () => {
    expect([...tally.tokenizers]).toEqual([['llama-3', 3]]);
    expect([...tally.contextLengths]).toEqual([[16384, 3]]);
    expect(tally.recordsWithIds).toBe(0);
  });

  it('refuses a record whose blocks do not match its steps', () => {
    const bad = fixtureRecords()[1]!;
    bad.tokens.blocks = bad.tokens.blocks.slice(1);
    expect(() => new CardTally().add(bad)).toThrow(CardInputError);
  });
});

// ---- the header ----

describe('the YAML header', () => {
  const { readme } = renderCard(fixtureTally(), OPTS);
  const yaml = frontMatter(readme);

  it('parses as YAML with the Hub fields', () => {
    const parsed = parseYamlWithPython(yaml);
    if (parsed !== null) {
      expect(parsed).toEqual({
        license: ['apache-2.0', 'mit'],
        language: ['en'],
        tags: ['code', 'agent-trajectories', 'retrace', 'typescript', 'python'],
        size_categories: ['n<1K'],
        task_categories: ['text-generation'],
        pretty_name: 'Retrace sample',
        configs: [{ config_name: 'default', data_files: [{ split: 'train', path: ['data-00000.jsonl', 'data-00001.jsonl'] }] }],
      });
    } else {
      // No YAML parser installed: every line is a comment, a `key: value`, a `key:` or a list item.
      for (const line of yaml.split('\n')) expect(line).toMatch(/^(#.*|( *- )?[a-z_]+:( \S.*)?|( *)- \S.*)$/);
      expect(yaml).toContain('license:\n- apache-2.0\n- mit\n');
    }
  });

  it('puts programming languages under tags, English under language, and says why', () => {
    expect(yaml).toMatch(/^language:\n- en$/m);
    expect(yaml).toMatch(/^# `language` is for natural languages/m);
    expect(readme).toContain("The Hub's `language` field is for natural languages");
  });

  it('maps SPDX ids to the Hub ids, `other` with license_name, `unknown` for none', () => {
    expect(hubLicences(['MIT', 'GPL-3.0-only', 'LGPL-2.1-or-later'])).toEqual({ ids: ['gpl-3.0', 'lgpl-2.1', 'mit'], name: null });
    expect(hubLicences([null, 'LicenseRef-Acme'])).toEqual({ ids: ['other', 'unknown'], name: 'licenseref-acme' });
    expect(hubLicences(['0BSD', 'LicenseRef-Acme'])).toEqual({ ids: ['other'], name: 'several-licences' });
    const tally = new CardTally();
    tally.add(record({ repo: 'gamma', licence: 'LicenseRef-Acme', chunk: 0, steps: [[{ role: 'coder', kind: 'think', train: true }, 3]] }));
    const header = frontMatter(renderCard(tally, OPTS).readme);
    expect(header).toMatch(/^license: other\nlicense_name: licenseref-acme$/m);
  });

  it('buckets the record count the way the Hub does', () => {
    expect([0, 999, 1000, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000].map(sizeCategory)).toEqual([
      'n<1K', 'n<1K', '1K<n<10K', '1K<n<10K', '10K<n<100K', '10K<n<100K', '100K<n<1M', '100K<n<1M', '1M<n<10M',
    ]);
    expect(sizeCategory(2e12)).toBe('n>1T');
  });

  it('quotes a name that is not a plain YAML word', () => {
    const { readme: r } = renderCard(fixtureTally(), { ...OPTS, name: 'Retrace: "v2" # sample' });
    const parsed = parseYamlWithPython(frontMatter(r)) as { pretty_name: string } | null;
    if (parsed !== null) expect(parsed.pretty_name).toBe('Retrace: "v2" # sample');
    expect(frontMatter(r)).toContain('pretty_name: "Retrace: \\"v2\\" # sample"');
  });
});

// ---- the markdown ----

describe('the card body', () => {
  const { readme } = renderCard(fixtureTally(), {
    ...OPTS,
    fidelity: fidelityFixture(),
  });

  it('shows how to load the dataset and apply the token mask', () => {
    expect(readme).toContain('ds = load_dataset("path/to/this/folder", split="train")');
    expect(readme).toContain('load_dataset("json", data_files=["data-00000.jsonl","data-00001.jsonl"], split="train")');
    expect(readme).toContain('for start, end in rec["tokens"]["mask"]:');
    expect(readme).toContain('labels[start:end] = [IGNORE] * (end - start)');
  });

  it('tabulates tokens with trained and masked', () => {
    expect(readme).toContain('| `coder` | 330 | 200 | 130 | 69.5% |');
    expect(readme).toContain('| `action:write` | 288 | 158 | 130 | 60.6% |');
    expect(readme).toContain('| `typescript` | 160 | 145 | 15 | 33.7% |');
  });

  it('summarises repositories, search gains, untrained writes and licences', () => {
    expect(readme).toContain('| `alpha` | MIT | 2 | 9 | 360 | 175 | 2 |');
    expect(readme).toContain('| 3 | 0.4000 | 0.3000 | 0.3500 | 0.4000 | 0.4500 | 0.5000 |');
    expect(readme).toContain('| `lock-file` | 1 | 1 | 100 |');
    expect(readme).toContain('| `Apache-2.0 OR MIT` | 1 |');
  });

  it('tabulates the fidelity figures when given', () => {
    expect(readme).toContain('| `keywordStatements.count` | 2 |');
    expect(readme).toContain('| `openings.cover50Per100` | 12.50 |');
    expect(readme).toContain('| `search.logLossReduction` | 25.0% |');
    expect(readme).toContain('| `boundary.segments` | 1 copy, 0 literal, 3 name of 40 |');
    expect(renderCard(fixtureTally(), OPTS).readme).not.toContain('## Fidelity');
  });

  it('links the plots', () => {
    expect(readme).toContain('![tokens per repository](tokens-per-repo.svg)');
    expect(readme).toContain('![search gain per refined step](search-gain.svg)');
  });

  it('is deterministic', () => {
    expect(renderCard(fixtureTally(), OPTS)).toEqual(renderCard(fixtureTally(), OPTS));
  });

  it('needs the output files', () => {
    expect(() => renderCard(fixtureTally(), { ...OPTS, files: [] })).toThrow(CardInputError);
  });
});

// ---- the plots ----

describe('histograms', () => {
  it('bins every value once', () => {
    const values = [1, 2, 2, 3, 5, 8, 13, 21, 34, 55, 89];
    for (const log of [false, true]) {
      const bins = histogramBins(values, log);
      expect(bins.reduce((n, b) => n + b.count, 0)).toBe(values.length);
      expect(bins[0]!.lo).toBeCloseTo(1, 9);
      expect(bins[bins.length - 1]!.hi).toBeCloseTo(89, 9);
    }
  });

  it('uses log-spaced bins when the range is wide', () => {
    expect(wantsLogBins([10, 50_000])).toBe(true);
    expect(wantsLogBins([10, 500])).toBe(false);
    expect(wantsLogBins([0, 50_000])).toBe(false);
    const bins = histogramBins([10, 100, 1000, 10_000, 100_000], true);
    const widths = bins.map((b) => Math.log10(b.hi) - Math.log10(b.lo));
    for (const w of widths) expect(w).toBeCloseTo(widths[0]!, 9);
  });

  it('draws tokens per repository on a log axis when repositories differ by orders of magnitude', () => {
    const tally = new CardTally();
    for (const [repo, tokens] of [['small', 10], ['mid', 2_000], ['large', 50_000]] as const) {
      tally.add(record({ repo, licence: 'MIT', chunk: 0, steps: [[{ role: 'coder', kind: 'think', train: true }, tokens]] }));
    }
    const svg = renderCard(tally, OPTS).plots['tokens-per-repo.svg']!;
    checkXml(svg);
    expect(svg).toContain('tokens (log scale)');
    expect(svg).toContain('>1k</text>');
    expect(barCounts(svg).reduce((a, b) => a + b, 0)).toBe(3);
    expect(renderCard(fixtureTally(), OPTS).plots['tokens-per-repo.svg']).not.toContain('log scale');
  });

  it('bins a single repeated value into one non-empty bin', () => {
    const bins = histogramBins([7, 7, 7], false);
    expect(bins.filter((b) => b.count > 0)).toHaveLength(1);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3);
  });

  it("draws well-formed SVG whose bars' counts sum to the values", () => {
    const { plots } = renderCard(fixtureTally(), OPTS);
    expect(Object.keys(plots).sort()).toEqual(['search-gain.svg', 'tokens-per-repo.svg']);
    for (const svg of Object.values(plots)) checkXml(svg);
    expect(barCounts(plots['tokens-per-repo.svg']!).reduce((a, b) => a + b, 0)).toBe(2);
    expect(barCounts(plots['search-gain.svg']!).reduce((a, b) => a + b, 0)).toBe(3);
    expect(plots['search-gain.svg']).toContain('Search gain per refined step');
  });

  it('escapes labels', () => {
    const svg = histogramSvg(histogramBins([1, 2], false), { title: 'a <b> & "c"', xLabel: 'x', log: false });
    checkXml(svg);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
  });
});

// ---- empty ----

describe('an empty dataset', () => {
  it('renders without NaN, undefined or Infinity', () => {
    const { readme, plots } = renderCard(new CardTally(), OPTS);
    for (const text of [readme, ...Object.values(plots)]) expect(text).not.toMatch(/NaN|undefined|Infinity/);
    expect(readme).toContain('No refined steps.');
    expect(readme).toContain('license: unknown');
    expect(readme).toContain('- n<1K');
    for (const svg of Object.values(plots)) {
      checkXml(svg);
      expect(svg).toContain('no data');
    }
  });

  it('renders a dataset with no search without NaN', () => {
    const tally = new CardTally();
    tally.add(record({ repo: 'delta', licence: 'ISC', chunk: 0, steps: [[{ role: 'planner', kind: 'action', tool: 'plan', train: true }, 9]] }));
    const { readme, plots } = renderCard(tally, OPTS);
    for (const text of [readme, ...Object.values(plots)]) expect(text).not.toMatch(/NaN|undefined|Infinity/);
    expect(readme).toContain('No refined steps.');
    expect(barCounts(plots['tokens-per-repo.svg']!)).toContain(1);
  });
});

// ---- writing ----

describe('writeCard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-card-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes README.md and the plots next to the output', () => {
    const paths = writeCard(join(dir, 'out'), fixtureTally(), OPTS);
    expect(paths).toEqual(['README.md', 'tokens-per-repo.svg', 'search-gain.svg'].map((f) => join(dir, 'out', f)));
    const { readme, plots } = renderCard(fixtureTally(), OPTS);
    expect(readFileSync(paths[0]!, 'utf8')).toBe(readme);
    expect(readFileSync(paths[2]!, 'utf8')).toBe(plots['search-gain.svg']);
  });
});

function fidelityFixture() {
  const leaks = (copy: number, names: number, checked: number) => ({ checked, copyLeaks: copy, ngramCopies: copy, literalLeaks: 0, nameViolations: names, examples: { copy: [], literal: [], name: [] } });
  const count = (n: number) => ({ count: n, examples: [] });
  const bucket = { writes: 1, codeChars: 100, reasoningChars: 50, writesWithoutReasoning: 0, reasoningPerCode: 0.5, noReasoningShare: 0 };
  return {
    runs: 2, records: 3, steps: 13, files: 4, writes: 5,
    boundary: { segments: leaks(1, 3, 40), designs: leaks(0, 0, 4), plan: leaks(0, 0, 4) },
    inventedNames: count(0), keywordStatements: count(2),
    openings: { thinks: 8, distinct: 3, cover50: 1, cover90: 2, cover50Per100: 12.5, top: [] },
    reasoningPerCode: { lt500: bucket, lt2k: bucket, lt10k: bucket, ge10k: bucket },
    over2k: { writes: 2, codeChars: 200, reasoningChars: 100, reasoningPerCode: 0.5 },
    testFiles: { writes: 1, codeChars: 10, reasonedChars: 10, reasoningChars: 5, share: 1, reasoningPerCode: 0.5 },
    chars: { trained: { total: 1, byRole: {} }, masked: { total: 1, byRole: {} } },
    narratedFailures: count(0), unwrittenReads: count(0), falseAlreadyWritten: count(0),
    faultyDrafts: { trained: 0, inconsistent: 0, examples: [] },
    search: { refined: 3, scorerCalls: 48, meanReward: 0.1, medianScorerCalls: 16, atBudgetShare: 1, logLossReduction: 0.25 },
  };
}
