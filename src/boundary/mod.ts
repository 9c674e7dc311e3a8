/** The knowledge boundary: what reasoning may know before a write (docs/reasoning.md). */
export { Knowledge, SequenceGuard, GrowingSequence, openGuard, guardOf, boundarySpecSchema, MAX_COPY_RUN, COPY_NGRAM, type BoundarySpec, type AnswerSpec, type BoundaryViolation, type ViolationKind } from './boundary.ts';
export { copyTokens, identifiersOf, literalsOf, namesIn, quotesString, statedNames, type StatedName, type CodeLiterals } from './text.ts';
export { isAmbient, isKeyword } from './lexicon.ts';
export { NameSetView } from './name-set.ts';
