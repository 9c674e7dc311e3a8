/**
 * The grounded policy: offline and deterministic for a seed. Everything it says comes from the
 * facts (graph and real files), so every name it mentions exists; seeded choices vary the order and
 * wording. It needs no model and no network, so the whole pipeline runs anywhere.
 *
 * Every text is trained on before a write, so each is built as candidate sentences and says only
 * what the input's guard keeps (docs/reasoning.md): the facts may hold the answer (signatures, doc
 * comments, local names); what is said never does.
 */
import type { Proposer } from '../../search/proposer.ts';
import type {
  CheckReviewInput,
  DesignInput,
  DesignOutput,
  DiagnoseInput,
  FileIntentInput,
  PlanInput,
  PlanOutput,
  Policy,
  PolicySpec,
  ProposerContext,
  TestIntentInput,
} from '../policy.ts';
import { diagnosisText, reviewText } from './checks.ts';
import { designFile } from './design.ts';
import { fileIntentText, testIntentText } from './intent.ts';
import { planRepository } from './plan.ts';
import { groundedProposerFor } from './proposer.ts';

export { milestonesFor } from './plan.ts';

export class GroundedPolicy implements Policy {
  readonly id = 'grounded';
  constructor(readonly spec: PolicySpec = { id: 'grounded', params: {} }) {}

  async plan(input: PlanInput, seed: number): Promise<PlanOutput> {
    return planRepository(input, seed);
  }

  async design(input: DesignInput, seed: number): Promise<DesignOutput> {
    return designFile(input, seed);
  }

  async fileIntent(input: FileIntentInput, seed: number): Promise<string> {
    return fileIntentText(input, seed);
  }

  proposer(ctx: ProposerContext): Proposer {
    return groundedProposerFor(ctx);
  }

  async reviewChecks(input: CheckReviewInput, seed: number): Promise<string> {
    return reviewText(input, seed);
  }

  async diagnose(input: DiagnoseInput, seed: number): Promise<string> {
    return diagnosisText(input, seed);
  }

  async testIntent(input: TestIntentInput, seed: number): Promise<string> {
    return testIntentText(input, seed);
  }

  async close(): Promise<void> {}
}
