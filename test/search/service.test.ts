/** The search service on both transports: durable refine jobs, progress with the tree, results, discovery. */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Bus, type Incoming } from '../../src/bus/mod.ts';
import { Knowledge, guardOf } from '../../src/boundary/mod.ts';
import { requestRefine, SearchService, searchProtocol } from '../../src/search/mod.ts';
import { EmbeddedScorer } from '../../src/search/score/mod.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { unique, waitFor } from '../support/wait.ts';

const preceding = "import { join } from 'node:path';\n\n/** Resolves a file under the root. */\n";
const target = `export function resolveUnder(root, name) {
  if (!name) throw new Error('name required');
  const full = join(root, name);
  return full;
}
`;

// The knowledge boundary at the target: the file's head is written, the name was declared.
const known = new Knowledge('javascript').addText(preceding).addNames(['resolveUnder']);
const boundary = { answer: known.answer(target), prefix: [] };

function scorer(): EmbeddedScorer {
  const s = new EmbeddedScorer();
  s.train("import { join } from 'node:path';\nexport function helper(a, b) {\n  return join(a, b);\n}\n");
  return s;
}

interface Transport {
  name: string;
  open(): Promise<{ service: Bus; client: Bus; close(): Promise<void> }>;
}

let nats: NatsServerHandle | undefined;
const transports: Transport[] = [
  {
    name: 'MemoryBus',
    open: async () => {
      const bus = new MemoryBus();
      return { service: bus, client: bus, close: () => bus.close() };
    },
  },
];
if (natsServerAvailable()) {
  transports.push({
    name: 'NatsBus',
    open: async () => {
      const service = await NatsBus.connect({ servers: nats!.url });
      const client = await NatsBus.connect({ servers: nats!.url });
      return { service, client, close: async () => void (await Promise.all([service.close(), client.close()])) };
    },
  });
}

beforeAll(async () => {
  if (natsServerAvailable()) nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe.each(transports)('search service on $name', (transport) => {
  it('refines as durable work: progress events with the tree, one result, status and discovery', async () => {
    const { service: sbus, client, close } = await transport.open();
    const run = unique('run');
    const svc = await SearchService.start({ bus: sbus, scorer: scorer() });
    try {
      const progress: Incoming<searchProtocol.ProgressEvent>[] = [];
      const results: Incoming<searchProtocol.ResultEvent>[] = [];
      const s1 = client.subscribe<searchProtocol.ProgressEvent>(searchProtocol.progressSubject(run), (m) => void progress.push(m), { accept: { [searchProtocol.SEARCH_PROGRESS]: searchProtocol.ProgressEvent } });
      const s2 = client.subscribe<searchProtocol.ResultEvent>(searchProtocol.resultSubject(run), (m) => void results.push(m), { accept: { [searchProtocol.SEARCH_RESULT]: searchProtocol.ResultEvent } });
      await client.flush();
      const req = {
        id: 'job-1',
        context: preceding,
        target,
        preceding,
        language: 'javascript' as const,
        imports: [{ name: 'join', module: 'node:path' }],
        knownIdentifiers: [...known.knownNames()],
        boundary,
        budget: { scorerCalls: 24, batchSize: 4 },
        seed: 2,
        progressMs: 0,
      };
      await requestRefine(client, req, { run });
      await requestRefine(client, req, { run }); // same id: deduplicated by the queue
      await waitFor(() => results.length >= 1, 'a search result');
      await client.flush();
      const result = results[0]!.body;
      expect(result.ok).toBe(true);
      expect(result.result!.scorerCalls).toBeLessThanOrEqual(24);
      expect(result.result!.reward).toBeGreaterThan(0);
      expect(result.result!.steps.length).toBeGreaterThan(0);
      // Every step it kept is inside the boundary the request named.
      expect(guardOf(boundary).admits(result.result!.steps)).toBe(true);
      expect(result.result!.tree.nodes.length).toBeGreaterThan(1);
      expect(results[0]!.run).toBe(run);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress[progress.length - 1]!.body.tree!.nodes.length).toBeGreaterThan(1);
      const status = await client.request<searchProtocol.ServiceStatus>(searchProtocol.statusSubject(), { type: searchProtocol.SEARCH_STATUS_REQUEST, body: {} });
      expect(status.body).toMatchObject({ instance: svc.instance, jobs: 1, failed: 0, inFlight: 0 });
      const found = await client.discover(searchProtocol.SEARCH_SERVICE);
      expect(found.map((f) => f.name)).toContain(searchProtocol.SEARCH_SERVICE);
      expect(results).toHaveLength(1);
      await s1.unsubscribe();
      await s2.unsubscribe();
    } finally {
      await svc.stop();
      await close();
    }
  });

  it('rejects a malformed job without running it', async () => {
    const { service: sbus, client, close } = await transport.open();
    const svc = await SearchService.start({ bus: sbus, scorer: scorer() });
    try {
      const queue = await client.workQueue(searchProtocol.SEARCH_QUEUE, { subjects: [searchProtocol.refineSubject()], ackWaitMs: 30_000, maxDeliver: 3 });
      await queue.enqueue(searchProtocol.refineSubject(), { type: searchProtocol.SEARCH_REFINE, body: { id: 'bad', target: '' } });
      await waitFor(async () => (await queue.info()).messages === 0, 'the malformed job to leave the queue');
      expect(svc.status().jobs).toBe(0);
    } finally {
      await svc.stop();
      await close();
    }
  });
});

describe.runIf(natsServerAvailable())('retrace search-service', () => {
  it('runs as its own process and answers refine jobs', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'search-service', '--nats', nats!.url, '--train', 'src/search/objective.ts'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const client = await NatsBus.connect({ servers: nats!.url });
    try {
      await waitFor(() => stderr.includes('consuming'), 'the search service to start', 20_000);
      const run = unique('cli');
      const results: Incoming<searchProtocol.ResultEvent>[] = [];
      const sub = client.subscribe<searchProtocol.ResultEvent>(searchProtocol.resultSubject(run), (m) => void results.push(m));
      await client.flush();
      await requestRefine(client, { id: unique('job'), context: '', target, budget: { scorerCalls: 8 }, method: 'hill-climbing' }, { run });
      await waitFor(() => results.length === 1, 'the result from the service process', 20_000);
      expect(results[0]!.body.ok).toBe(true);
      expect(results[0]!.body.result!.method).toBe('hill-climbing');
      await sub.unsubscribe();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await client.close();
    }
  });
});
