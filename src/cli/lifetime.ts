/**
 * How a long-lived command (an agent service) learns it should stop: SIGTERM, SIGINT, or — when
 * asked to watch — its parent process going away. The last is what `npx retrace agent ...` needs:
 * npx starts `sh -c retrace ...`, and killing npx kills the shell without reaching the node process
 * under it, which would run on, orphaned; a process whose parent changed (it was re-parented to
 * init or a subreaper) stops as if told to. Not by default otherwise: a service started in the
 * background by a script that then exits (services/launch.sh, `nohup ... &`) must go on. A second
 * signal while the command drains ends the process at once.
 */

export type StopReason = 'SIGTERM' | 'SIGINT' | 'parent-gone';

export interface StopOptions {
  /** Stop when the parent process goes away. */
  watchParent?: boolean;
  /** How often the parent is looked at (ms). */
  parentCheckMs?: number;
  /** Told once, when the first reason to stop arrives. */
  onStop?: (reason: StopReason) => void;
}

/** Whether npm started this process (`npx retrace ...`, `npm run retrace ...`): its lifecycle variable is set. */
export function startedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_lifecycle_event !== undefined;
}

/** Exit codes of a second signal, by the shell's convention (128 + the signal's number). */
const FORCED_EXIT: Record<'SIGTERM' | 'SIGINT', number> = { SIGTERM: 143, SIGINT: 130 };

/** Resolves with the first reason to stop; a later SIGTERM or SIGINT exits the process. */
export function untilStopped(opts: StopOptions = {}): Promise<StopReason> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (reason: StopReason) => {
      if (stopping) {
        if (reason !== 'parent-gone') process.exit(FORCED_EXIT[reason]);
        return;
      }
      stopping = true;
      clearInterval(watch);
      opts.onStop?.(reason);
      resolve(reason);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    const watch = setInterval(() => {
      if (opts.watchParent && process.ppid !== parent) stop('parent-gone');
    }, opts.parentCheckMs ?? 1000);
    watch.unref();
  });
}
