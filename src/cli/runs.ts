/**
 * `retrace runs --nats URL [--json]`: the runs a cluster has seen, from their manifests in KV
 * `retrace-runs` (written by `retrace run --nats`): status, files written of the total, the
 * repository, when it started and when it last reported. A run still "started" that has not
 * reported for a while is marked: its driver may have died (`retrace run --resume` goes on).
 * `--corpora` lists the corpora of `retrace corpus --nats` instead; `--corpus ID` one corpus's
 * repositories with their outcomes.
 */
import type { Command } from 'commander';
import { buckets } from '../bus/mod.ts';
import { corpusRepositories, listCorpora, type CorpusStatus } from '../corpus/cluster.ts';
import type { RunManifest } from '../run/run-job.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

/** A running run that has not reported for this long is shown as silent. */
const SILENT_MS = 5 * 60_000;

function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

export function formatRuns(runs: readonly RunManifest[], now = Date.now()): string {
  if (runs.length === 0) return 'no runs\n';
  const rows = runs.map((m) => {
    let status: string = m.status;
    if (m.status === 'started' && now - Date.parse(m.updated) > SILENT_MS) status = 'started (silent: driver gone?)';
    if (m.status === 'finished' && m.failures) status = `finished, ${m.failures} failed`;
    if (m.status === 'failed' && m.error) status = `failed: ${m.error.slice(0, 80)}`;
    return [m.run, status, `${m.done}/${m.files} files`, m.repo, `started ${age(m.started, now)}`, `updated ${age(m.updated, now)}`];
  });
  const widths = rows[0]!.map((_c, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** The corpora of a cluster, one line each: repositories finished, failed and pending. */
export function formatCorpora(corpora: readonly CorpusStatus[]): string {
  if (corpora.length === 0) return 'no corpora\n';
  return corpora.map((c) => `corpus ${c.id}  ${c.finished}/${c.repositories} repositories finished  ${c.failed} failed  ${c.pending} pending  created ${c.created}`).join('\n') + '\n';
}

/** A corpus's repositories, one line each: key, status (and the error or the driver), path. */
export function formatCorpusRepositories(repos: Awaited<ReturnType<typeof corpusRepositories>>): string {
  return repos
    .map((r) => {
      const o = r.outcome;
      const status = !o ? 'pending' : o.status === 'failed' ? `failed: ${o.error?.class}: ${o.error?.message.slice(0, 80)}` : `finished${o.figures ? `, ${o.figures.files} files, ${o.figures.trainTokens} tokens trained` : ''}${o.driver ? ` by ${o.driver}` : ''}`;
      return `${r.key}  ${status}  ${r.path}`;
    })
    .join('\n') + '\n';
}

interface RunsOptions {
  nats: string[];
  json?: boolean;
  corpora?: boolean;
  corpus?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('runs')
    .description('list the runs on a NATS cluster (KV retrace-runs): status, progress, age; and the corpora (retrace corpus --nats)')
    .option('--json', 'print the manifests as JSON')
    .option('--corpora', 'list the corpora instead: repositories finished, failed and pending')
    .option('--corpus <id>', "list one corpus's repositories with their outcomes");
  addNatsOptions(cmd).action(async (opts: RunsOptions) => {
    const bus = await connectFromOptions(opts.nats, undefined, 'retrace-runs');
    try {
      if (opts.corpus !== undefined) {
        const repos = await corpusRepositories(bus, opts.corpus);
        process.stdout.write(opts.json ? `${JSON.stringify(repos)}\n` : formatCorpusRepositories(repos));
        return;
      }
      if (opts.corpora) {
        const corpora = await listCorpora(bus);
        process.stdout.write(opts.json ? `${JSON.stringify(corpora)}\n` : formatCorpora(corpora));
        return;
      }
      const kv = await bus.kv<RunManifest>(buckets.runs);
      const runs: RunManifest[] = [];
      for (const key of await kv.keys()) {
        const e = await kv.get(key);
        if (e?.value) runs.push(e.value);
      }
      runs.sort((a, b) => (a.started < b.started ? 1 : a.started > b.started ? -1 : 0));
      process.stdout.write(opts.json ? `${JSON.stringify(runs)}\n` : formatRuns(runs));
    } finally {
      await bus.close();
    }
  });
}
