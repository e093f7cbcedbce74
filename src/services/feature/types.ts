// The row types the feature services answer with, named for the edge (routes, pages), which may
// not import the data layer itself.
export type { ActivationRow, NeuronRow } from '../../db/queries/features.js';
export type { ExplanationWithScores } from '../../db/queries/explanations.js';
