// Response schema of GET /api/models (the catalog).
import { Type } from 'typebox';
import { ModelRow, SourceRow, SourceSetRow } from './rows.js';

const featureCount = Type.Integer({ minimum: 0, description: 'Features (Neuron rows) held by this mirror.' });

export const CatalogResponse = Type.Object(
  {
    models: Type.Array(
      Type.Intersect([
        ModelRow,
        Type.Object({
          sourceSets: Type.Array(
            Type.Intersect([
              SourceSetRow,
              Type.Object({ featureCount, sources: Type.Array(Type.Intersect([SourceRow, Type.Object({ featureCount })])) }),
            ]),
          ),
        }),
      ]),
    ),
  },
  { title: 'Catalog' },
);
