/**
 * Search benchmark: `npx tsx bench/search.ts` (`--quick`, `--per-language N`, `--tuning`,
 * `--svg PATH`, `--json PATH`, `--seed N`, `--mcts JSON`, `--resamples N`, `--proposer openai`).
 *
 * `--proposer openai`: the openai policy's proposer (src/agents/openai/) instead of the grounded
 * one, against an in-process chat-completions server (test/agents/support/fake-chat.ts, real HTTP
 * on loopback, its `varied` proposals: plain statements about the target's sketch, a different
 * draw per seed and steps so far), through the real client; 4 targets per language by default,
 * one per package (about 3 minutes of CPU).
 * It shows how the methods separate when the proposer's space is larger than the grounded one's.
 *
 * Targets: top-level definitions of real code nobody here wrote, in seven languages
 * (bench/search/sources.ts): JavaScript and TypeScript from node_modules, Python's standard
 * library, the Go sources, Rust crates, the JDK's java.* sources, C examples and sources under
 * /usr. Packages, not targets, are split into a report set and a disjoint tuning set, per source
 * (bench/search/split.ts; `--tuning` runs the tuning set, for developing methods, never for
 * reporting). Per package an embedded scorer trained on the package's other files, never on a
 * target's file; the grounded proposer; the knowledge boundary of docs/reasoning.md (known: the
 * package's other files' names and the target's file up to it; the target is the answer).
 *
 * Every method gets the same problem (proposer, scorer, guard, seed) and the same budget, batch
 * size 1, and runs once per target at the largest budget; its answer at each smaller budget is
 * read off its anytime curve, which is what a run with that budget returns (test/search/
 * methods.test.ts checks it); the proposer calls and the wall time by each budget are read off
 * the same run (bench/search/measure.ts).
 *
 * Prints, overall and per language: mean reward per method and budget; MCTS minus each baseline,
 * paired per target; MCTS@64 minus hill-climbing@128; 95% CIs by bootstrap over packages
 * (bench/search/bootstrap.ts); scorer calls, proposer calls and wall time per search; how many
 * searches stopped before their budget; the share of the best sequences' steps that state only
 * names known at the target (the target not consulted); proposals refused by the boundary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { identifiersOf, Knowledge, SequenceGuard } from '../src/boundary/mod.ts';
import { FileParser } from '../src/graph/mod.ts';
import { BestOfN } from '../src/search/baselines/best-of-n.ts';
import { Greedy } from '../src/search/baselines/greedy.ts';
import { HillClimbing } from '../src/search/baselines/hill-climbing.ts';
import { SegmentRefinement } from '../src/search/baselines/segment-refinement.ts';
import { GroundedProposer } from '../src/search/grounded-proposer.ts';
import { Mcts, type MctsOptions } from '../src/search/mcts.ts';
import { EmbeddedScorer } from '../src/search/score/mod.ts';
import type { SearchMethod } from '../src/search/types.ts';
import { OpenAIPolicy } from '../src/agents/openai/mod.ts';
import { FakeChat } from '../test/agents/support/fake-chat.ts';
import { rewardPlot } from './search/plot.ts';
import { CostTimeline, statesOnlyKnownNames } from './search/measure.ts';
import { costTable, differenceInterval, differenceTable, rewardInterval, rewardTable, showDifference, showInterval, tally, type TargetRecord } from './search/report.ts';
import { packageSources } from './search/sources.ts';
import { packagesOf, type Side } from './search/split.ts';
import { cutPackage, LANGUAGES, type BenchLanguage, type BenchPackage } from './search/targets.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'per-language': { type: 'string' },
    tuning: { type: 'boolean', default: false },
    svg: { type: 'string' },
    json: { type: 'string' },
    seed: { type: 'string', default: '1' },
    mcts: { type: 'string', default: '{}' },
    resamples: { type: 'string' },
    scratch: { type: 'string', default: '.scratch/bench-search' },
    proposer: { type: 'string', default: 'grounded' },
  },
});
if (args.proposer !== 'grounded' && args.proposer !== 'openai') {
  console.error(`bench/search: --proposer takes grounded or openai, not "${args.proposer}"`);
  process.exit(2);
}
const openai = args.proposer === 'openai' ? await openAIProposers() : undefined;

const BUDGETS = [8, 16, 32, 64, 128];
const MAX = BUDGETS[BUDGETS.length - 1]!;
const TRAIN_CAP = 400_000;
/** Targets per package: one with the openai proposer, so that its few targets still come from many packages. */
const PER_PACKAGE = openai ? 1 : 5;
const perLanguage = Number(args['per-language'] ?? (args.quick ? 10 : openai ? 4 : 50));
const resamples = Number(args.resamples ?? (args.quick ? 500 : 2000));
const seed = Number(args.seed);
const side: Side = args.tuning ? 'tuning' : 'report';

const mctsOptions = JSON.parse(args.mcts) as MctsOptions;
const methods: SearchMethod[] = [new Greedy(), new BestOfN(), new HillClimbing({ iterations: 3 }), new HillClimbing(), new SegmentRefinement(), new Mcts(mctsOptions)];
const names = methods.map((m) => m.name);
const REFERENCE = 'mcts';
const HILL_PAPER = 'hill-climbing-3it';
const baselines = names.filter((n) => n !== REFERENCE);

/** Packages of one side in hash order, cut until every language has its targets. */
function selectPackages(): BenchPackage[] {
  const parser = new FileParser();
  const counts = new Map<BenchLanguage, number>(LANGUAGES.map((l) => [l, 0]));
  const out: BenchPackage[] = [];
  const sources = packageSources({ nodeModules: 'node_modules', scratch: args.scratch });
  for (const src of packagesOf(sources, (s) => s.name, (s) => s.kind, side)) {
    const offers: BenchLanguage[] = src.kind === 'node' ? ['javascript', 'typescript'] : [src.kind];
    const wanted = new Set(offers.filter((l) => counts.get(l)! < perLanguage));
    if (wanted.size === 0) continue;
    const pkg = cutPackage(src, parser, { wanted, perPackage: PER_PACKAGE });
    if (!pkg) continue;
    out.push(pkg);
    for (const t of pkg.targets) counts.set(t.group, counts.get(t.group)! + 1);
    if ([...counts.values()].every((n) => n >= perLanguage)) break;
  }
  return out;
}

const started = performance.now();
const packages = selectPackages();
const cutMs = performance.now() - started;
const records: (TargetRecord & { group: BenchLanguage })[] = [];
const steps = { accepted: 0, knownNamesOnly: 0 };
const proposals = { proposed: 0, refused: 0 };
let trainMs = 0;

for (const pkg of packages) {
  const t0 = performance.now();
  const scorer = new EmbeddedScorer();
  const trainedNames = new Set<string>();
  let bytes = 0;
  for (const file of pkg.training) {
    const text = readFileSync(file, 'utf8');
    if (bytes < TRAIN_CAP) scorer.train(text);
    bytes += text.length;
    for (const n of identifiersOf(text)) trainedNames.add(n);
  }
  trainMs += performance.now() - t0;
  for (const t of pkg.targets) {
    // Known before a target: the names of the package's other files, and its own file up to it.
    const known = new Knowledge(t.language).addNames(trainedNames).addText(t.preceding);
    const guard = new SequenceGuard(known.answer(t.target));
    const proposer = openai
      ? openai.policy.proposer({ path: t.file, language: t.language, preceding: t.preceding, knownIdentifiers: known.knownNames(), boundary: { answer: known.answer(t.target), prefix: [] } })
      : new GroundedProposer({ language: t.language, preceding: t.preceding, imports: t.imports, knownIdentifiers: known.knownNames() });
    const record: TargetRecord & { group: BenchLanguage } = { pkg: pkg.name, group: t.group, runs: {} };
    for (const method of methods) {
      const cost = new CostTimeline(proposer, scorer);
      const r = await method.search({ context: t.context, target: t.target, proposer: cost.proposer, scorer: cost.scorer, seed, guard }, { scorerCalls: MAX, batchSize: 1 });
      const total = cost.finish();
      record.runs[method.name] = {
        rewards: BUDGETS.map((b) => (r.curve.length === 0 ? 0 : r.curve[Math.min(b, r.curve.length) - 1]!)),
        costs: BUDGETS.map((b) => cost.at(b, total)),
        stopped: r.stopped,
      };
      proposals.proposed += r.proposals.proposed;
      proposals.refused += r.proposals.copyRejections;
      for (const step of r.steps) {
        steps.accepted++;
        if (statesOnlyKnownNames(step, known)) steps.knownNamesOnly++;
      }
    }
    records.push(record);
  }
}

const opts = { budgets: BUDGETS, reference: REFERENCE, resamples, seed: 1 };
const at = (b: number): number => BUDGETS.indexOf(b);
const nPackages = (rs: readonly TargetRecord[]): number => new Set(rs.map((r) => r.pkg)).size;
const groups: { label: string; records: TargetRecord[] }[] = [
  { label: 'overall', records },
  ...LANGUAGES.map((l) => ({ label: l, records: records.filter((r) => r.group === l) })).filter((g) => g.records.length > 0),
];

await openai?.chat.close();
console.log(`search bench (${side} set${args.quick ? ', quick' : ''}, ${openai ? `openai proposer against the in-process test server (${openai.policy.model}, varied proposals)` : 'grounded proposer'}): ${records.length} targets from ${packages.length} packages, budgets ${BUDGETS.join('/')}, batch 1, seed ${seed}, ${resamples} bootstrap resamples over packages`);
console.log(`| language | packages | targets |\n|---|---:|---:|`);
for (const g of groups) console.log(`| ${g.label} | ${nPackages(g.records)} | ${g.records.length} |`);

console.log(`\nHeadline, per language (95% CI by bootstrap over packages; ▲ above 0, ▼ below, · includes 0; MCTS wins/ties/losses per target)`);
console.log(`| language | MCTS@64 | ${HILL_PAPER}@128 | MCTS@64 − ${HILL_PAPER}@128 | MCTS@64 − hill-climbing@128 | ${[16, 128].map((b) => `MCTS − best-of-n @${b}`).join(' | ')} |`);
console.log(`|---|---|---|---|---|---|---|`);
for (const g of groups) {
  const hc = differenceInterval(g.records, REFERENCE, at(64), HILL_PAPER, at(128), opts);
  const hcu = differenceInterval(g.records, REFERENCE, at(64), 'hill-climbing', at(128), opts);
  const bon = [16, 128].map((b) => differenceInterval(g.records, REFERENCE, at(b), 'best-of-n', at(b), opts));
  console.log(
    `| ${g.label} | ${showInterval(rewardInterval(g.records, REFERENCE, at(64), opts))} | ${showInterval(rewardInterval(g.records, HILL_PAPER, at(128), opts))} | ${showDifference(hc)} (${tally(g.records, REFERENCE, at(64), HILL_PAPER, at(128))}) | ${showDifference(hcu)} (${tally(g.records, REFERENCE, at(64), 'hill-climbing', at(128))}) | ${bon.map((ci, i) => `${showDifference(ci)} (${tally(g.records, REFERENCE, at([16, 128][i]!), 'best-of-n', at([16, 128][i]!))})`).join(' | ')} |`,
  );
}

for (const g of groups) {
  console.log(`\n### ${g.label}: ${g.records.length} targets, ${nPackages(g.records)} packages`);
  console.log('\nMean reward R (nats per target token, lambda 0.0005), mean [95% CI]');
  for (const line of rewardTable(g.records, names, opts)) console.log(line);
  console.log(`\nMCTS minus baseline, paired per target: mean [95% CI] ▲/·/▼ (wins/ties/losses)`);
  for (const line of differenceTable(g.records, baselines, opts)) console.log(line);
}

console.log(`\nCost per search (means over ${records.length} targets): scorer calls · proposer calls · wall ms by each budget; searches that stopped before ${MAX} calls with nothing left to score`);
for (const line of costTable(records, names, BUDGETS)) console.log(line);

const pct = (a: number, b: number): string => `${((100 * a) / Math.max(1, b)).toFixed(2)}%`;
console.log(`\nSteps of the best sequences (all methods): ${steps.accepted}; stating only names known at the target (its file before it, the package's other files, the language; the target not consulted): ${steps.knownNamesOnly} (${pct(steps.knownNamesOnly, steps.accepted)})`);
console.log(`Refused by the knowledge boundary: ${proposals.refused} of ${proposals.proposed} proposals`);
console.log(`Cutting targets ${(cutMs / 1000).toFixed(1)} s; scorer training ${(trainMs / 1000).toFixed(1)} s; total ${((performance.now() - started) / 1000).toFixed(1)} s`);

/** The openai policy against an in-process test chat server whose proposals differ (see the module comment). */
async function openAIProposers(): Promise<{ chat: FakeChat; policy: OpenAIPolicy }> {
  const chat = await FakeChat.start({ proposals: 'varied' });
  const policy = new OpenAIPolicy({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey } });
  return { chat, policy };
}

const series = names.map((n) => ({
  name: n,
  points: BUDGETS.map((b, i) => {
    const ci = rewardInterval(records, n, i, opts);
    return { budget: b, mean: ci.mean, ci: (ci.hi - ci.lo) / 2 };
  }),
}));
if (args.svg) {
  writeFileSync(args.svg, rewardPlot(series, `Reward vs budget, ${records.length} targets, 7 languages`));
  console.log(`plot: ${args.svg}`);
}
if (args.json) writeFileSync(args.json, JSON.stringify({ budgets: BUDGETS, side, packages: packages.map((p) => ({ name: p.name, targets: p.targets.map((t) => t.id) })), records }, null, 2));

