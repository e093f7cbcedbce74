// Explanations of features, their scores, and the lookup tables naming explainers and scorers.
import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, foreignKey, index, integer, jsonb, pgTable, text, timestamp, vector } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { model } from './models.js';
import { neuron } from './features.js';

/** Dimensions of the exported explanation embeddings (OpenAI text-embedding-3-large at 256). */
export const EXPLANATION_EMBEDDING_DIMENSIONS = 256;

const updatedAt = () => timestamp('updatedAt', { precision: 3, mode: 'date' }).notNull().defaultNow();

export const explanation = pgTable(
  'Explanation',
  {
    id: text('id').primaryKey(),
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    layer: text('layer').notNull(),
    index: text('index').notNull(),
    embedding: vector('embedding', { dimensions: EXPLANATION_EMBEDDING_DIMENSIONS }),
    description: text('description').notNull(),
    authorId: text('authorId').notNull(),
    triggeredByUserId: text('triggeredByUserId'),
    notes: text('notes'),
    scoreV1: doublePrecision('scoreV1').notNull().default(0),
    scoreV2: doublePrecision('scoreV2'),
    umap_x: doublePrecision('umap_x').default(0),
    umap_y: doublePrecision('umap_y').default(0),
    umap_cluster: integer('umap_cluster').default(0),
    umap_log_feature_sparsity: doublePrecision('umap_log_feature_sparsity').default(0),
    /** Name of the ExplanationType (method), e.g. `oai_token-act-pair`; no foreign key so imports need no config first. */
    typeName: text('typeName'),
    /** Name of the ExplanationModelType (the LLM that wrote it), e.g. `gpt-4o-mini`. */
    explanationModelName: text('explanationModelName'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    foreignKey({
      name: 'Explanation_neuron_fkey',
      columns: [t.modelId, t.layer, t.index],
      foreignColumns: [neuron.modelId, neuron.layer, neuron.index],
    }).onDelete('cascade'),
    index('Explanation_modelId_layer_index_idx').on(t.modelId, t.layer, t.index),
    index('Explanation_typeName_explanationModelName_idx').on(t.typeName, t.explanationModelName),
    // Semantic search: approximate nearest neighbours by cosine distance.
    index('Explanation_embedding_hnsw_idx').using('hnsw', t.embedding.op('vector_cosine_ops')),
    // Full-text search when no embedding service is configured.
    index('Explanation_description_fts_idx').using('gin', sql`to_tsvector('english', ${t.description})`),
  ],
);

export const explanationScore = pgTable(
  'ExplanationScore',
  {
    id: text('id').primaryKey(),
    initiatedByUserId: text('initiatedByUserId').notNull(),
    value: doublePrecision('value').notNull(),
    explanationId: text('explanationId')
      .notNull()
      .references(() => explanation.id, { onDelete: 'cascade' }),
    explanationScoreTypeName: text('explanationScoreTypeName').notNull(),
    explanationScoreModelName: text('explanationScoreModelName').notNull(),
    /** Scorer-specific details as a JSON string, as upstream stores them. */
    jsonDetails: text('jsonDetails').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [
    index('ExplanationScore_explanationId_type_model_idx').on(t.explanationId, t.explanationScoreTypeName, t.explanationScoreModelName),
  ],
);

/** An explanation method, e.g. `oai_token-act-pair`, `eleuther_acts_top20`. */
export const explanationType = pgTable('ExplanationType', {
  name: text('name').primaryKey(),
  displayName: text('displayName').notNull(),
  description: text('description').notNull(),
  featured: boolean('featured').notNull().default(true),
  isAttention: boolean('isAttention').notNull().default(false),
  explainerModelSettingsId: text('explainerModelSettingsId'),
  settings: text('settings'),
  url: text('url'),
  creatorName: text('creatorName').notNull(),
  creatorId: text('creatorId').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** An LLM that writes explanations, e.g. `gpt-4o-mini`. */
export const explanationModelType = pgTable('ExplanationModelType', {
  name: text('name').primaryKey(),
  displayName: text('displayName').notNull(),
  description: text('description').notNull(),
  featured: boolean('featured').notNull().default(true),
  openRouterModelId: text('openRouterModelId'),
  url: text('url'),
  creatorName: text('creatorName').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** A scoring method, e.g. `eleuther_fuzz`, `eleuther_recall`, `eleuther_embedding`. */
export const explanationScoreType = pgTable('ExplanationScoreType', {
  name: text('name').primaryKey(),
  displayName: text('displayName').notNull(),
  description: text('description').notNull(),
  featured: boolean('featured').notNull().default(true),
  isAttention: boolean('isAttention').notNull().default(false),
  scoreDescription: text('scoreDescription'),
  scorerModel: text('scorerModel'),
  settings: text('settings'),
  url: text('url'),
  creatorName: text('creatorName').notNull(),
  creatorId: text('creatorId').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** An LLM that scores explanations. */
export const explanationScoreModel = pgTable('ExplanationScoreModel', {
  name: text('name').primaryKey(),
  displayName: text('displayName').notNull(),
  description: text('description').notNull(),
  featured: boolean('featured').notNull().default(true),
  openRouterModelId: text('openRouterModelId'),
  url: text('url'),
  creatorName: text('creatorName').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** An evaluation kind for sources (e.g. SAE Bench metrics), from the exports' config/eval_type.jsonl. */
export const evalType = pgTable('EvalType', {
  name: text('name').primaryKey(),
  displayName: text('displayName').notNull(),
  description: text('description').notNull(),
  longerDescription: text('longerDescription').notNull().default(''),
  outputSchema: jsonb('outputSchema').notNull(),
  featured: boolean('featured').notNull().default(false),
  url: text('url'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
