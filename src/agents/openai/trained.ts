/**
 * Which texts of each role's answer are trained on, in the order a trajectory shows them
 * (src/agents/machines/common.ts renders plans and designs), so that the boundary checks them as
 * one sequence and a repair puts each kept sentence back where it came from.
 */
import type { DesignOutput, PlanOutput } from '../policy.ts';
import type { TrainedTexts } from './boundary.ts';

const nonEmpty = (texts: readonly string[]): string[] => texts.filter((t) => t.trim().length > 0);

/** A plan: thoughts, overview, requirements, then each milestone's title and goal. Its overview is what it must say. */
export const planTexts: TrainedTexts<PlanOutput> = {
  texts: (v) => [...v.thoughts, v.plan.overview, ...v.plan.requirements, ...v.plan.milestones.flatMap((m) => [m.title, m.goal])],
  withTexts: (v, texts) => {
    let at = 0;
    const next = (): string => texts[at++] ?? '';
    const thoughts = nonEmpty(v.thoughts.map(next));
    const overview = next();
    const requirements = nonEmpty(v.plan.requirements.map(next));
    // A milestone keeps its files whatever its words lose: the plan must still cover the order.
    const milestones = v.plan.milestones.map((m, i) => {
      const title = next();
      const goal = next();
      return { title: title.length > 0 ? title : `Milestone ${i + 1}`, goal, files: m.files };
    });
    return { thoughts, plan: { overview, requirements, milestones } };
  },
  usable: (v) => v.plan.overview.length > 0,
};

/**
 * A design: the thought, the responsibility, the interface entries, and each dependency as its
 * path and its why (rendered `path: why`). A dependency whose path the guard refuses (an external
 * module the file's imports name, not yet in anything known) is dropped whole; the others keep
 * whatever of their why is left. It must keep a thought and a responsibility.
 */
export const designTexts: TrainedTexts<DesignOutput> = {
  texts: (v) => [v.thought, v.design.responsibility, ...v.design.publicInterface, ...v.design.dependencies.flatMap((d) => [d.path, d.why])],
  withTexts: (v, texts) => {
    let at = 0;
    const next = (): string => texts[at++] ?? '';
    const thought = next();
    const responsibility = next();
    const publicInterface = nonEmpty(v.design.publicInterface.map(next));
    const dependencies = v.design.dependencies.flatMap((d) => {
      const path = next();
      const why = next();
      return path.length > 0 ? [{ path: d.path, why }] : [];
    });
    return { thought, design: { path: v.design.path, responsibility, publicInterface, dependencies } };
  },
  usable: (v) => v.thought.length > 0 && v.design.responsibility.length > 0,
};

/** A free-text thought: it must not be empty. */
export const thoughtTexts: TrainedTexts<string> = {
  texts: (v) => [v],
  withTexts: (_v, texts) => texts[0] ?? '',
  usable: (v) => v.length > 0,
};
