// Features ("neurons" upstream) and their top activating examples, with Neuronpedia's column names.
import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, foreignKey, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, floatArray, intArray, textArray } from './columns.js';
import { visibility } from './enums.js';
import { model, source, sourceSet } from './models.js';

/** One feature of one source. `layer` is the source id (e.g. `6-res-jb`); `index` is a string, as upstream. */
export const neuron = pgTable(
  'Neuron',
  {
    modelId: text('modelId')
      .notNull()
      .references(() => model.id, { onDelete: 'cascade' }),
    layer: text('layer').notNull(),
    index: text('index').notNull(),
    sourceSetName: text('sourceSetName'),
    creatorId: text('creatorId'),
    createdAt: createdAt(),
    /** Largest activation seen in the dashboard's dataset; scales the UI's bars. */
    maxActApprox: doublePrecision('maxActApprox').default(0),
    /** True for uploaded steering vectors (then `vector` holds the values). */
    hasVector: boolean('hasVector').notNull().default(false),
    vector: floatArray('vector'),
    vectorLabel: text('vectorLabel'),
    vectorDefaultSteerStrength: doublePrecision('vectorDefaultSteerStrength').default(10),
    hookName: text('hookName'),
    topkCosSimIndices: intArray('topkCosSimIndices'),
    topkCosSimValues: floatArray('topkCosSimValues'),
    neuron_alignment_indices: intArray('neuron_alignment_indices'),
    neuron_alignment_values: floatArray('neuron_alignment_values'),
    neuron_alignment_l1: floatArray('neuron_alignment_l1'),
    correlated_neurons_indices: intArray('correlated_neurons_indices'),
    correlated_neurons_pearson: floatArray('correlated_neurons_pearson'),
    correlated_neurons_l1: floatArray('correlated_neurons_l1'),
    correlated_features_indices: intArray('correlated_features_indices'),
    correlated_features_pearson: floatArray('correlated_features_pearson'),
    correlated_features_l1: floatArray('correlated_features_l1'),
    /** Bottom logits: tokens and values. */
    neg_str: textArray('neg_str'),
    neg_values: floatArray('neg_values'),
    /** Top logits: tokens and values. */
    pos_str: textArray('pos_str'),
    pos_values: floatArray('pos_values'),
    /** Fraction of tokens on which the feature fires (density); -1 when unknown for uploads. */
    frac_nonzero: doublePrecision('frac_nonzero').notNull().default(0),
    freq_hist_data_bar_heights: floatArray('freq_hist_data_bar_heights'),
    freq_hist_data_bar_values: floatArray('freq_hist_data_bar_values'),
    logits_hist_data_bar_heights: floatArray('logits_hist_data_bar_heights'),
    logits_hist_data_bar_values: floatArray('logits_hist_data_bar_values'),
    decoder_weights_dist: floatArray('decoder_weights_dist'),
    umap_cluster: integer('umap_cluster'),
    umap_log_feature_sparsity: doublePrecision('umap_log_feature_sparsity'),
    umap_x: doublePrecision('umap_x'),
    umap_y: doublePrecision('umap_y'),
    /**
     * Our extension: a feature's own visibility, for uploads that share a source with other users'
     * (e.g. vectors in `6-neuronpedia-resid-pre`). Null: as its source.
     */
    visibility: visibility('visibility'),
  },
  (t) => [
    // The primary key doubles as the index for a feature read by (modelId, layer, index) and a source's features.
    primaryKey({ name: 'Neuron_modelId_layer_index_key', columns: [t.modelId, t.layer, t.index] }),
    foreignKey({ name: 'Neuron_modelId_layer_fkey', columns: [t.modelId, t.layer], foreignColumns: [source.modelId, source.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      name: 'Neuron_modelId_sourceSetName_fkey',
      columns: [t.modelId, t.sourceSetName],
      foreignColumns: [sourceSet.modelId, sourceSet.name],
    }).onDelete('cascade'),
    index('Neuron_creatorId_hasVector_idx').on(t.creatorId, t.hasVector),
    // Features with their own PRIVATE or UNLISTED visibility are few: searches list them (to leave
    // them out) through this small index.
    index('Neuron_not_public_idx')
      .on(t.modelId, t.layer, t.index)
      .where(sql`${t.visibility} <> 'PUBLIC'`),
  ],
);

/**
 * One activating example of a feature: a token window and the feature's value on each token.
 * Partitioned by model, one partition per model (migrations/0013, src/db/partitions.ts; drizzle-kit
 * does not model partitioning), so the key holds `modelId`: a partitioned table's unique keys must
 * include its partition key.
 */
export const activation = pgTable(
  'Activation',
  {
    id: text('id').notNull(),
    tokens: text('tokens').array().notNull(),
    dataIndex: text('dataIndex'),
    index: text('index').notNull(),
    layer: text('layer').notNull(),
    modelId: text('modelId').notNull(),
    dataSource: text('dataSource'),
    maxValue: doublePrecision('maxValue').notNull(),
    maxValueTokenIndex: integer('maxValueTokenIndex').notNull(),
    minValue: doublePrecision('minValue').notNull(),
    values: doublePrecision('values').array().notNull(),
    dfaValues: floatArray('dfaValues'),
    dfaTargetIndex: integer('dfaTargetIndex'),
    dfaMaxValue: doublePrecision('dfaMaxValue'),
    zQIndices: intArray('zQIndices'),
    zKIndices: intArray('zKIndices'),
    zValues: floatArray('zValues'),
    creatorId: text('creatorId').notNull(),
    createdAt: createdAt(),
    lossValues: floatArray('lossValues'),
    logitContributions: text('logitContributions'),
    /** Quantile bin this example was sampled from (dashboards show examples per bin). */
    binMin: doublePrecision('binMin'),
    binMax: doublePrecision('binMax'),
    binContains: doublePrecision('binContains'),
    qualifyingTokenIndex: integer('qualifyingTokenIndex'),
  },
  (t) => [
    primaryKey({ name: 'Activation_pkey', columns: [t.modelId, t.id] }),
    foreignKey({
      name: 'Activation_neuron_fkey',
      columns: [t.modelId, t.layer, t.index],
      foreignColumns: [neuron.modelId, neuron.layer, neuron.index],
    }).onDelete('cascade'),
    // A feature's activations strongest first: the order every read returns them in.
    index('Activation_feature_maxValue_idx').on(t.modelId, t.layer, t.index, t.maxValue.desc()),
  ],
);
