/** The public surface of search over reasoning: every name other modules may import. */
export { joinReasoning, reasoningTokens, reward, DEFAULT_LAMBDA, type ObjectiveOptions } from './objective.ts';
export { GuardedProposer, strictGuard, normaliseStep, type Proposal, type ProposalRequest, type Proposer, type GuardedProposal, type ProposalStats, type RewriteContext } from './proposer.ts';
export { GroundedProposer, namedIdentifiers, type GroundedProposerOptions } from './grounded-proposer.ts';
export { targetFacts, importBindings, docComment, type TargetFacts, type ImportBinding } from './facts.ts';
export { Evaluator, sequenceKey, type Evaluation } from './evaluator.ts';
export { Mcts, type MctsOptions } from './mcts.ts';
export { Greedy } from './baselines/greedy.ts';
export { BestOfN } from './baselines/best-of-n.ts';
export { HillClimbing, type HillClimbingOptions } from './baselines/hill-climbing.ts';
export { SegmentRefinement, type SegmentRefinementOptions } from './baselines/segment-refinement.ts';
export { searchMethod, METHOD_NAMES, type MethodName } from './methods.ts';
export { SearchService, requestRefine, type SearchServiceOptions, type RefineMeta } from './service.ts';
export * as searchProtocol from './protocol.ts';
export type * from './types.ts';
