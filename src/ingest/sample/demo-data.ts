// A fresh embedded database gets a small sample (gpt2-small, source 6-res-jb, 300 features with
// activations and explanations), so `npm start` on a new machine serves something to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../db/client.js';
import { countModels } from '../../db/queries/models.js';
import { importExport } from '../import-export.js';
import { writeSampleExport } from './sample-export.js';

/** Imports the demo sample when the database holds no model at all; returns whether it did. */
export async function loadDemoDataIfEmpty(database: Database): Promise<boolean> {
  if ((await countModels(database.db)) > 0) return false;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'neuronpedia-demo-'));
  try {
    await writeSampleExport(folder, {
      modelId: 'gpt2-small',
      setName: 'res-jb',
      layers: [6],
      featuresPerSource: 300,
      activationsPerFeature: 8,
      tokensPerActivation: 32,
    });
    await importExport(database, { location: folder });
    return true;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
