// Lists of features a user collects (Prisma `List` and `ListsOnNeurons`).
import { foreignKey, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { neuron } from './features.js';

export const list = pgTable(
  'List',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    /** Text whose activations are computed for each feature added (needs an inference server). */
    defaultTestText: text('defaultTestText'),
    userId: text('userId').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updatedAt', { precision: 3, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('List_userId_idx').on(t.userId)],
);

export const listsOnNeurons = pgTable(
  'ListsOnNeurons',
  {
    modelId: text('modelId').notNull(),
    layer: text('layer').notNull(),
    index: text('index').notNull(),
    listId: text('listId')
      .notNull()
      .references(() => list.id, { onDelete: 'cascade' }),
    description: text('description'),
    addedAt: timestamp('addedAt', { precision: 3, mode: 'date' }).notNull().defaultNow(),
    userId: text('userId').notNull(),
  },
  (t) => [
    primaryKey({ name: 'ListsOnNeurons_pkey', columns: [t.modelId, t.layer, t.index, t.listId] }),
    foreignKey({
      name: 'ListsOnNeurons_neuron_fkey',
      columns: [t.modelId, t.layer, t.index],
      foreignColumns: [neuron.modelId, neuron.layer, neuron.index],
    }).onDelete('cascade'),
    index('ListsOnNeurons_listId_idx').on(t.listId),
  ],
);
