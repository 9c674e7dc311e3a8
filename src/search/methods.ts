/** Search methods by name: what a refine request may ask for. */
import { BestOfN } from './baselines/best-of-n.ts';
import { Greedy } from './baselines/greedy.ts';
import { HillClimbing } from './baselines/hill-climbing.ts';
import { SegmentRefinement } from './baselines/segment-refinement.ts';
import { Mcts } from './mcts.ts';
import type { SearchMethod } from './types.ts';

export const METHOD_NAMES = ['mcts', 'greedy', 'best-of-n', 'hill-climbing', 'segment-refinement'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export function searchMethod(name: MethodName): SearchMethod {
  switch (name) {
    case 'mcts':
      return new Mcts();
    case 'greedy':
      return new Greedy();
    case 'best-of-n':
      return new BestOfN();
    case 'hill-climbing':
      return new HillClimbing();
    case 'segment-refinement':
      return new SegmentRefinement();
  }
}
