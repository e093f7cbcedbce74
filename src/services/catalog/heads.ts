// POST /api/model/head-metrics/{list,get} and /api/model/head-sequences/get. Upstream reads them
// from its ModelHeadMetrics and ModelHeadSequence tables, which its public exports do not carry:
// a mirror holds none, so these answer as upstream does for a model without head data (an empty
// list; "Head metrics not found"), after the usual model access check.
import type { Db } from '../../db/client.js';
import { findModel } from '../../db/queries/models.js';
import { NotFound } from '../../errors.js';
import { canRead, type Viewer } from '../access/viewer.js';

async function assertReadableModel(db: Db, modelId: string, viewer: Viewer | null) {
  const model = await findModel(db, modelId);
  if (!model || !canRead(model, viewer)) throw new NotFound();
}

export async function headMetricsList(db: Db, modelId: string, viewer: Viewer | null): Promise<never[]> {
  await assertReadableModel(db, modelId, viewer);
  return [];
}

export async function headMetrics(db: Db, modelId: string, viewer: Viewer | null): Promise<never> {
  await assertReadableModel(db, modelId, viewer);
  throw new NotFound('Head metrics not found');
}

export async function headSequences(db: Db, modelId: string, viewer: Viewer | null): Promise<never[]> {
  await assertReadableModel(db, modelId, viewer);
  return [];
}
