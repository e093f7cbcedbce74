// The engine's worker thread: answers equal the in-thread ones, typed errors cross back as typed
// errors, frames stream while it generates, and a cancelled request stops between tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { inProcessEngine, workerEngine, type Engine } from '../../src/engine/worker/host.js';
import { expected } from './fixtures.js';
import { makeModelsDir, SAE_PROMPT } from './models-dir.js';

const limits = { tokenLimit: 400, maxTokens: 1024 };
const steer = (nCompletionTokens: number) => ({
  model: 'tiny-gpt2',
  prompt: expected.prompts[1]!.text,
  vectors: [{ hook: 'blocks.1.hook_resid_pre', steeringVector: new Array(32).fill(0.5), strength: 2 }],
  types: ['STEERED', 'DEFAULT'],
  nCompletionTokens,
  temperature: 0,
  strengthMultiplier: 1,
  freqPenalty: 0,
  seed: 1,
  steerMethod: 'SIMPLE_ADDITIVE',
  normalizeSteering: false,
});

describe('engine worker', () => {
  let models: ReturnType<typeof makeModelsDir>;
  let worker: Engine;
  let local: Engine;
  beforeAll(() => {
    models = makeModelsDir();
    worker = workerEngine({ modelsDir: models.dir, limits });
    local = inProcessEngine({ modelsDir: models.dir, limits });
  });
  afterAll(async () => {
    await worker?.close();
    models?.remove();
  });

  it('answers as the in-thread engine does', async () => {
    const body = {
      model: 'tiny-gpt2',
      sourceSet: 'res-std',
      selectedSources: [],
      sortByTokenIndexes: [],
      ignoreBos: true,
      prompt: SAE_PROMPT,
    };
    expect(await worker.call('all', body)).toEqual(await local.call('all', body));
    expect(await worker.call('steer', steer(6))).toEqual(await local.call('steer', steer(6)));
  });

  it('sends typed errors back as typed errors', async () => {
    const error = await worker.call('tokenize', { model: 'gpt2-xl', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('BAD_REQUEST');
  });

  it('streams frames and stops generating when the request is cancelled', async () => {
    const controller = new AbortController();
    const frames: { outputs: { output: string }[] }[] = [];
    const result = (await worker.call(
      'steer',
      steer(120),
      (frame) => {
        frames.push(frame as (typeof frames)[number]);
        controller.abort();
      },
      controller.signal,
    )) as { outputs: { type: string; output: string }[] };
    const full = (await local.call('steer', { ...steer(120), types: ['STEERED'] })) as { outputs: { output: string }[] };
    expect(frames.length).toBeGreaterThan(0);
    // Cancelled after the first frame: far fewer than 120 tokens, and DEFAULT never started.
    expect(frames.length).toBeLessThan(60);
    expect(full.outputs[0]!.output.startsWith(result.outputs[0]!.output)).toBe(true);
    expect(result.outputs[0]!.output.length).toBeLessThan(full.outputs[0]!.output.length);
    expect(result.outputs[1]).toEqual({ type: 'DEFAULT', output: '', logprobs: null });
  });
});
