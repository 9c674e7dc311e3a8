/** The public surface of scoring: every name other modules may import. */
export type { ScoreItem, ScoreOptions, ScoreResult, Scorer } from './types.ts';
export { sumLogprobs } from './types.ts';
export {
  ScorerAuthError,
  ScorerBadResponseError,
  ScorerError,
  ScorerRateLimitedError,
  ScorerUnreachableError,
  UnsupportedServerError,
} from './errors.ts';
export { EmbeddedScorer, type EmbeddedScorerOptions, type NextTokenDistribution } from './embedded.ts';
export { OpenAIScorer, type OpenAIScorerOptions, type EndpointConfig, type PromptLogprobMode } from './openai.ts';
export { SGLangScorer, type SGLangScorerOptions, type SGLangScorerCalls } from './sglang.ts';
export { tokenize } from './tokenize.ts';
export { ScoringNode, type ScoringNodeOptions, type TrainableScorer } from './node.ts';
export { ScoringClient, type ScoringClientOptions } from './client.ts';
export { scoreSubject, trainSubject, CorpusRefSchema, type CorpusRef, type NodeStats } from './protocol.ts';
export { CorpusScorers, CorpusPathError, corpusReader, type CorpusReader } from './corpus.ts';
