/**
 * A small reconstruction of the fixture over a real nats-server, with the team, the conductor
 * and the observers on separate connections (as separate processes would be), and hooks for the
 * observers (recorder, OTLP export) started before the run and stopped after every message of
 * it has arrived.
 */
import { join } from 'node:path';
import { NatsBus, type Bus, type Outgoing } from '../../../src/bus/mod.ts';
import { Workspaces } from '../../../src/agents/workspace.ts';
import { conduct, type RunRecord } from '../../../src/run/conductor.ts';
import { startTeam } from '../../../src/run/embedded.ts';
import { waitFor } from '../../support/wait.ts';

export const fixtureRoot = join(import.meta.dirname, '../../agents/fixtures/mini');

export interface Observer {
  readonly count: number;
  stop(): Promise<void>;
}

export interface ObservedRun {
  record: RunRecord;
  /** Work messages handed out (one per result). */
  jobs: string[];
  /** How many searches the agents published. */
  searches: number;
  /** Every message of the run: work + results + steps + searches + the injected ones. */
  messages: number;
}

/** A message sent by the test itself before the run (e.g. one whose body is hostile HTML). */
export interface Injected extends Outgoing {
  subject: string;
}

/** Runs the fixture as `run` over NATS at `url`; `observe` starts observers on their own connection. */
export async function runObserved(url: string, run: string, observe: (bus: Bus) => Promise<Observer[]>, inject: Injected[] = []): Promise<ObservedRun> {
  const agentsBus = await NatsBus.connect({ servers: url });
  const driverBus = await NatsBus.connect({ servers: url });
  const observerBus = await NatsBus.connect({ servers: url });
  // Counted on yet another connection: the ground truth the observers are held to.
  const countBus = await NatsBus.connect({ servers: url });
  let searches = 0;
  const counting = countBus.subscribe(`retrace.${run}.event.search`, () => void searches++);
  await countBus.flush();
  try {
    const observers = await observe(observerBus);
    await observerBus.flush();
    for (const { subject, ...msg } of inject) await driverBus.publish(subject, msg);
    const workspaces = new Workspaces();
    const team = await startTeam({ bus: agentsBus, workspaces });
    const jobs: string[] = [];
    let record: RunRecord;
    try {
      record = await conduct({
        bus: driverBus,
        workspaces,
        run,
        repo: { name: 'mini', root: fixtureRoot },
        seed: 5,
        budget: 4,
        faultRate: 1,
        onResult: (r) => void jobs.push(r.job),
      });
    } finally {
      await team.stop();
    }
    // The server has routed everything the agents sent once it answers their ping; the counting
    // connection's ping is answered after those messages reach it.
    await agentsBus.flush();
    await countBus.flush();
    const messages = 2 * jobs.length + record.steps.length + searches + inject.length;
    // Steps and searches are published without waiting; wait until every observer has all.
    for (const o of observers) await waitFor(() => o.count >= messages, `an observer to see ${messages} messages (saw ${o.count})`);
    for (const o of observers) await o.stop();
    return { record, jobs, searches, messages };
  } finally {
    await counting.unsubscribe();
    await Promise.all([agentsBus.close(), driverBus.close(), observerBus.close(), countBus.close()]);
  }
}
