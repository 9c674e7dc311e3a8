import { EmbeddedScorer } from '../../src/search/score/embedded.ts';
import { runScorerConformance } from './conformance.ts';
import { realCode } from './support/real-code.ts';

runScorerConformance({
  name: 'EmbeddedScorer (untrained)',
  make: async () => new EmbeddedScorer(),
});

runScorerConformance({
  name: 'EmbeddedScorer (trained on installed packages, order 3)',
  make: async () => {
    const scorer = new EmbeddedScorer({ order: 3 });
    for (const file of realCode(40)) scorer.train(file.text);
    return scorer;
  },
});
