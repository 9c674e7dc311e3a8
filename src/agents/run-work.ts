/**
 * One piece of work, start to finish, with no bus: the role's machine decides, the executor
 * carries out each command, until the machine is done. The agent host wraps this with the queue,
 * heartbeats and the results; tests and the in-process preset may call it directly.
 */
import { createActor, type AnyStateMachine } from 'xstate';
import { architectMachine } from './machines/architect.ts';
import type { Answer, Command, Speaker } from './machines/common.ts';
import { coderMachine } from './machines/coder.ts';
import { debuggerMachine } from './machines/debugger.ts';
import { plannerMachine } from './machines/planner.ts';
import { testerMachine } from './machines/tester.ts';
import {
  architectExecutor,
  coderExecutor,
  debuggerExecutor,
  plannerExecutor,
  testerExecutor,
  type Execute,
  type ExecutorDeps,
} from './executor.ts';
import type { Work, WorkResult } from './protocol.ts';
import type { Step } from './types.ts';
import { isProsePath } from '../search/facts/prose.ts';
import { isDataPath } from '../search/facts/data.ts';

function setUp(work: Work, deps: ExecutorDeps, speaker: Speaker): { machine: AnyStateMachine; input: unknown; execute: Execute } {
  switch (work.role) {
    case 'planner':
      return { machine: plannerMachine, input: { speaker }, execute: plannerExecutor(work, deps) };
    case 'architect':
      return { machine: architectMachine, input: { speaker, files: work.milestone.files }, execute: architectExecutor(work, deps) };
    case 'coder': {
      const facts = deps.ws.facts(work.path);
      return {
        machine: coderMachine,
        input: {
          speaker,
          path: work.path,
          reads: deps.ws.readsFor(work.path),
          chunks: deps.ws.chunks(work.path).length,
          // Code, prose documents and structured data (a manifest, a figure: said from its structure)
          // get searched reasoning before each chunk; lock files and large data do not.
          refine: facts.language !== null || isProsePath(work.path, deps.ws.read(work.path)) || isDataPath(work.path, deps.ws.read(work.path)),
        },
        execute: coderExecutor(work, deps),
      };
    }
    case 'tester':
      return {
        machine: testerMachine,
        input: {
          speaker,
          path: work.path,
          mode: work.mode,
          reads: work.mode === 'write-test' ? deps.ws.readsFor(work.path) : [],
          chunks: work.mode === 'write-test' ? deps.ws.chunks(work.path).length : 0,
        },
        execute: testerExecutor(work, deps),
      };
    case 'debugger':
      return { machine: debuggerMachine, input: { speaker, path: work.path }, execute: debuggerExecutor(work, deps) };
  }
}

export interface RunWorkHooks {
  /** After each command is carried out: heartbeat here. */
  onCommand?: (cmd: Command) => void;
}

export async function runWork(work: Work, deps: ExecutorDeps, speaker: Speaker, hooks: RunWorkHooks = {}): Promise<Omit<WorkResult, 'by'>> {
  const { machine, input, execute } = setUp(work, deps, speaker);
  const actor = createActor(machine, { input }).start();
  try {
    for (;;) {
      const snap = actor.getSnapshot();
      if (snap.status === 'done') break;
      const cmd = snap.context.pending as Command | null;
      if (!cmd) throw new Error(`${work.role} machine is stuck in ${JSON.stringify(snap.value)} with nothing to do`);
      const answer: Answer = await execute(cmd);
      hooks.onCommand?.(cmd);
      actor.send(answer);
      if (actor.getSnapshot().context.pending === cmd && actor.getSnapshot().status !== 'done') {
        throw new Error(`${work.role} machine did not accept ${answer.type} for ${cmd.kind}`);
      }
    }
    const out = actor.getSnapshot().output as { steps: Step[] } & Record<string, unknown>;
    const result: Omit<WorkResult, 'by'> = { run: work.run, job: work.job, role: work.role, steps: out.steps };
    if (out.plan) result.plan = out.plan as NonNullable<WorkResult['plan']>;
    if (out.designs) result.designs = out.designs as NonNullable<WorkResult['designs']>;
    if (typeof out.content === 'string') result.content = out.content;
    if (typeof out.passed === 'boolean') result.passed = out.passed;
    if (Array.isArray(out.findings)) result.findings = out.findings as NonNullable<WorkResult['findings']>;
    if (Array.isArray(out.faultyChunks)) result.faulty = out.faultyChunks.length > 0;
    if (work.role === 'debugger') {
      const edit = (out as unknown as { edit: { old: string; new: string } }).edit;
      result.content = applyEdit(work.content, edit);
    }
    return result;
  } finally {
    actor.stop();
  }
}

/** `old` must occur exactly once in `text`. */
export function applyEdit(text: string, edit: { old: string; new: string }): string {
  const i = text.indexOf(edit.old);
  if (i < 0 || text.indexOf(edit.old, i + 1) >= 0) {
    throw new Error(`edit does not apply: the text to replace occurs ${i < 0 ? 'nowhere' : 'more than once'}`);
  }
  return text.slice(0, i) + edit.new + text.slice(i + edit.old.length);
}
