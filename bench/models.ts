/**
 * bench/models: what a search costs a GPU scoring node in vLLM mode (`prompt_logprobs`, no prefix
 * cache) against SGLang mode (`/generate` with `logprob_start_len`, radix cache), on the same
 * searches, and whether the orchestration keeps the GPU busy.
 *
 *   nice -n 10 npx tsx bench/models.ts [--runs 1,4,16] [--chunks 3] [--proposer plan|grounded]
 *
 * A run refines `--chunks` consecutive chunks (~600 characters, whole lines) from the middle of
 * one real file of node_modules, each by an MCTS search (grounded proposer, 16 scorer calls in
 * batches of 8) whose context is the last 16,000 characters before the chunk (what the executor
 * sends). Runs at once use different files. Every run has its own scorer (OpenAIScorer in
 * `prompt_logprobs` mode, or SGLangScorer) against one in-process GPU model (bench/models/gpu-server.ts:
 * a prefill cost per computed token, a cost per pass, a decode cost, a batch capacity, the prefix
 * cache in SGLang mode; the server really waits the simulated time).
 *
 * Printed per mode and number of runs at once: prompts scored, prefill (computed) tokens per
 * scored prompt, cached tokens, the GPU's busy share (busy time over the wall time from the first
 * prompt to the last pass), this process's CPU time per scored prompt (what the orchestration
 * costs, whatever the machine's load), the cores of such work one GPU needs to stay busy (CPU ms
 * over GPU ms per prompt; this process has one: the runs share its event loop, and the simulated
 * server's HTTP side runs on it too), retries, and whether both modes found the same. Then
 * the ratio vLLM / SGLang of prefill tokens per scored prompt, and the busy share at the largest
 * number of runs against the 90% target.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GroundedProposer } from '../src/search/grounded-proposer.ts';
import { Mcts } from '../src/search/mcts.ts';
import { OpenAIScorer } from '../src/search/score/openai.ts';
import { SGLangScorer } from '../src/search/score/sglang.ts';
import type { Scorer } from '../src/search/score/types.ts';
import type { Proposal, ProposalRequest, Proposer } from '../src/search/proposer.ts';
import { GpuServer, type GpuModel } from './models/gpu-server.ts';

type Mode = 'vllm' | 'sglang';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const RUNS = arg('runs', '1,4,16').split(',').map(Number);
const CHUNKS = Number(arg('chunks', '3'));
const BUDGET = 16;
const BATCH = 8;
const CONTEXT_CHARS = 16_000;
const CHUNK_CHARS = 600;
const PROPOSER = arg('proposer', 'plan');
const MODES = arg('modes', 'vllm,sglang').split(',') as Mode[];

/** An H100-class node serving a small code model: ~100k prefill tokens/s, a 4 ms pass, 8 ms per decode step. */
const GPU: Omit<GpuModel, 'prefixCache'> = { prefillMsPerToken: 0.01, passMs: 4, decodeMs: 8, batchTokens: 32_768 };
const MODEL = 'sim/coder-7b';

const FILES = [
  'fastify/fastify.js', 'find-my-way/index.js', 'ajv/dist/core.js', 'json5/dist/index.js', 'msgpackr/unpack.js', 'openai/client.js',
  'picomatch/lib/parse.js', 'source-map-js/lib/source-map-consumer.js', 'tweetnacl/nacl.js', 'ipaddr.js/lib/ipaddr.js', 'ignore/legacy.js',
  'fast-uri/index.js', 'acorn-loose/dist/acorn-loose.js', '@nats-io/jetstream/lib/consumer.js', 'tree-sitter/index.js', 'graphology/specs/mutation.js',
];

interface Problem {
  context: string;
  target: string;
}

/** A run's searches: consecutive chunks from the middle of `file`, each with the 16,000 characters before it. */
function problemsOf(file: string): Problem[] {
  const text = readFileSync(join(import.meta.dirname, '../node_modules', file), 'utf8');
  const out: Problem[] = [];
  let at = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  for (let k = 0; k < CHUNKS && at < text.length; k++) {
    let end = text.indexOf('\n', at + CHUNK_CHARS);
    end = end < 0 ? text.length : end + 1;
    out.push({ context: `// ${file}\n${text.slice(Math.max(0, at - CONTEXT_CHARS), at)}`, target: text.slice(at, end) });
    at = end;
  }
  return out;
}

const PLAN = [
  'Check the arguments before doing any work', 'Handle the error path first and return early', 'Keep the state in one object',
  'Reuse the helper defined above', 'Walk the input once and collect the results', 'Return the same shape in every branch',
  'Guard against a missing value', 'Build the result step by step', 'Register the handler once it is ready',
  'Fall back to the default when nothing is given', 'Normalise the input first', 'Emit the event when the work is done',
];

/**
 * Plan-like steps that never run out (the grounded proposer offers only a few per chunk of real
 * code, so its searches end after ~4 calls): a search spends its whole budget in full batches.
 */
class PlanProposer implements Proposer {
  readonly name = 'plan';
  async propose(req: ProposalRequest): Promise<Proposal[]> {
    const left = PLAN.filter((s) => !req.steps.includes(s));
    const at = (req.seed >>> 0) % Math.max(1, left.length);
    return [...left.slice(at), ...left.slice(0, at)].slice(0, req.k).map((text) => ({ text }));
  }
}

const proposer = (): Proposer => (PROPOSER === 'grounded' ? new GroundedProposer({ language: 'javascript' }) : new PlanProposer());

function scorerFor(mode: Mode, url: string): Scorer {
  return mode === 'vllm'
    ? new OpenAIScorer({ model: MODEL, endpoints: [`${url}/v1`], mode: 'prompt_logprobs' })
    : new SGLangScorer({ model: MODEL, endpoints: [url] });
}

async function oneRun(mode: Mode, url: string, file: string, seed: number, retries: number[]): Promise<number[]> {
  const scorer = scorerFor(mode, url);
  const rewards: number[] = [];
  for (const p of problemsOf(file)) {
    const r = await new Mcts().search({ ...p, proposer: proposer(), scorer, seed, maxSteps: 4 }, { scorerCalls: BUDGET, batchSize: BATCH });
    rewards.push(r.reward);
  }
  retries.push((scorer as OpenAIScorer | SGLangScorer).calls().retries);
  await scorer.close();
  return rewards;
}

interface Case {
  mode: Mode;
  runs: number;
  prompts: number;
  prefillPerPrompt: number;
  cachedPerPrompt: number;
  busy: number;
  /** The GPU's busy time per scored prompt. */
  gpuMsPerPrompt: number;
  /** Requests sent again (a timeout or an error on a loaded machine): their prompts are counted again. */
  retries: number;
  wallS: number;
  /** This process's CPU time (the runs and the simulated server's HTTP side) per scored prompt. */
  cpuMsPerPrompt: number;
  /** Of it, the simulated server's parsing, tokenizing and answering (a real server's CPU). */
  serverMsPerPrompt: number;
  rewards: number[];
}

async function measure(mode: Mode, runs: number): Promise<Case> {
  const server = await GpuServer.start({ ...GPU, prefixCache: mode === 'sglang' }, MODEL);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const retries: number[] = [];
  const rewards = (await Promise.all(FILES.slice(0, runs).map((f, k) => oneRun(mode, server.url, f, k + 1, retries)))).flat();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out: Case = {
    mode,
    runs,
    prompts: server.prompts,
    prefillPerPrompt: server.prefillTokens / server.prompts,
    cachedPerPrompt: server.cachedTokens / server.prompts,
    busy: server.busyShare(),
    gpuMsPerPrompt: server.busyMs / server.prompts,
    retries: retries.reduce((a, b) => a + b, 0),
    wallS,
    cpuMsPerPrompt: (cpu.user + cpu.system) / 1000 / server.prompts,
    serverMsPerPrompt: server.serverMs / server.prompts,
    rewards,
  };
  await server.close();
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (RUNS.some((n) => n > FILES.length)) throw new Error(`at most ${FILES.length} runs at once (one file each)`);
  console.log(`GPU model: ${GPU.prefillMsPerToken} ms per computed token, ${GPU.passMs} ms per pass, ${GPU.decodeMs} ms per decode step, ${fmt(GPU.batchTokens)} tokens per pass`);
  console.log(`searches: MCTS (${PROPOSER} proposer), ${BUDGET} scorer calls in batches of ${BATCH}, ${CHUNKS} chunks per run, context ${fmt(CONTEXT_CHARS)} characters\n`);
  console.log('| mode | runs at once | prompts scored | prefill tokens / prompt | cached tokens / prompt | GPU busy | GPU ms / prompt | CPU ms / prompt | of it, server | cores to keep the GPU busy (ours only) | retries | wall s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const cases: Case[] = [];
  for (const runs of RUNS) {
    for (const mode of MODES) {
      const c = await measure(mode, runs);
      cases.push(c);
      const cores = c.cpuMsPerPrompt / c.gpuMsPerPrompt;
      const ours = (c.cpuMsPerPrompt - c.serverMsPerPrompt) / c.gpuMsPerPrompt;
      console.log(`| ${mode} | ${runs} | ${fmt(c.prompts)} | ${fmt(c.prefillPerPrompt)} | ${fmt(c.cachedPerPrompt)} | ${(c.busy * 100).toFixed(1)}% | ${c.gpuMsPerPrompt.toFixed(1)} | ${c.cpuMsPerPrompt.toFixed(1)} | ${c.serverMsPerPrompt.toFixed(1)} | ${cores.toFixed(2)} (${ours.toFixed(2)}) | ${c.retries} | ${c.wallS.toFixed(1)} |`);
    }
  }
  console.log('');
  if (MODES.length < 2) return;
  for (const runs of RUNS) {
    const v = cases.find((c) => c.mode === 'vllm' && c.runs === runs)!;
    const s = cases.find((c) => c.mode === 'sglang' && c.runs === runs)!;
    const same = v.rewards.every((r, k) => Math.abs(r - s.rewards[k]!) < 1e-9);
    console.log(`${runs} runs: prefill tokens per scored prompt vLLM / SGLang = ${(v.prefillPerPrompt / s.prefillPerPrompt).toFixed(1)}x; GPU time per prompt ${(v.gpuMsPerPrompt / s.gpuMsPerPrompt).toFixed(1)}x; same search results in both modes: ${same ? 'yes' : 'NO'}`);
  }
  const top = Math.max(...RUNS);
  for (const mode of ['vllm', 'sglang'] as const) {
    const c = cases.find((x) => x.mode === mode && x.runs === top)!;
    console.log(`GPU busy at ${top} runs, ${mode}: ${(c.busy * 100).toFixed(1)}% (target >= 90%: ${c.busy >= 0.9 ? 'met' : 'MISSED'})`);
  }
}

await main();
