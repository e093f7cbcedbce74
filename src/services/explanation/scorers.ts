// EleutherAI's scorers as Neuronpedia's autointerp server runs them (sae-auto-interp):
// - fuzz (eleuther_fuzz): the LLM judges whether the << >>-marked tokens of each example match the
//   explanation; activating examples mark their strong tokens, the zero set marks random ones;
// - detection (eleuther_recall): the LLM judges whether each unmarked example shows the feature;
//   both score balanced accuracy, (TPR + TNR) / 2 (arXiv 2410.13928; EleutherAI's result analysis);
// - embedding (eleuther_embedding): the explanation embedded as a query, examples as documents,
//   score = ROC AUC of cosine similarity separating activating from zero examples.
// Prompt wording is ours. Deliberate difference: a batch answer is accepted when it has one item
// per example of that batch (upstream demands exactly 5 even for a shorter last batch).
import type { ChatClient, ChatMessage } from '../../upstream/chat.js';
import type { EmbeddingClient } from '../../upstream/embeddings.js';
import { InvalidInput, UpstreamFailed } from '../../errors.js';
import { selectExamples, type ExampleActivation } from './explainer.js';
import { mulberry32 } from '../../random.js';

export const BATCH_SIZE = 5;
export const FUZZ_THRESHOLD = 0.3;

export interface Sample {
  tokens: string[];
  values: number[];
  groundTruth: boolean;
  /** 1 for activating examples, -1 for the zero set, as upstream's breakdown. */
  distance: 1 | -1;
}

/** Upstream's data: the zero set (≤5 examples that never fire) and up to 20 activating ones, values scaled to a max of 10. */
export function scoringSamples(activations: ExampleActivation[]): { activating: Sample[]; zero: Sample[] } {
  const examples = selectExamples(activations, Number.MAX_SAFE_INTEGER);
  const zero = examples
    .filter((e) => e.maxValue === 0)
    .slice(0, 5)
    .map((e): Sample => ({ tokens: e.tokens, values: e.values, groundTruth: false, distance: -1 }));
  const activating = examples
    .slice(0, 20)
    .filter((e) => e.maxValue > 0)
    .map((e): Sample => ({ tokens: e.tokens, values: e.values.map((v) => (v * 10) / e.maxValue), groundTruth: true, distance: 1 }));
  if (activating.length === 0 || zero.length === 0) {
    throw new InvalidInput('Scoring needs at least one activating example and one example where the feature does not fire (maxValue 0).');
  }
  return { activating, zero };
}

function wrap(tokens: string[], marked: boolean[]): string {
  let out = '';
  tokens.forEach((token, i) => {
    if (marked[i] && !marked[i - 1]) out += '<<';
    out += token;
    if (marked[i] && !marked[i + 1]) out += '>>';
  });
  return out;
}

/** Fuzz text: activating examples mark tokens ≥ 0.3 × max; zero examples mark k random tokens (k = mean active tokens). */
export function fuzzText(sample: Sample, k: number): string {
  if (sample.groundTruth) {
    const max = Math.max(...sample.values);
    return wrap(
      sample.tokens,
      sample.values.map((v) => v >= FUZZ_THRESHOLD * max && v > 0),
    );
  }
  const random = mulberry32(22); // upstream reseeds before each example
  const positions = sample.tokens.map((_, i) => i);
  for (let i = positions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  const marked = new Array<boolean>(sample.tokens.length).fill(false);
  for (const p of positions.slice(0, Math.min(k, positions.length))) marked[p] = true;
  return wrap(sample.tokens, marked);
}

const FUZZ_SYSTEM = `You are an intelligent and meticulous linguistics researcher. You will be given a description of a text feature, followed by text examples in which some tokens are wrapped in << and >>. Some examples are correctly labeled: every marked token is an instance of the described feature. Others are mislabeled. An example counts as correct only if every marked token fits the description. Answer with a Python list with one entry per example, 1 for correctly labeled and 0 for mislabeled, and nothing else.`;
const DETECTION_SYSTEM = `You are an intelligent and meticulous linguistics researcher. You will be given a description of a text feature, followed by text examples. Decide for each example whether it contains the described feature. Answer with a Python list with one entry per example, 1 if the example shows the feature and 0 if it does not, and nothing else.`;

const FUZZ_SHOTS: Array<[string, string]> = [
  [
    'Feature explanation: Words about weather.\n\nText examples:\n\nExample 0: it started to <<rain>> heavily\nExample 1: the <<cat>> slept\nExample 2: a cold <<wind>> blew\nExample 3: we ate <<dinner>> late\nExample 4: bright <<sunshine>> all day',
    '[1, 0, 1, 0, 1]',
  ],
  [
    'Feature explanation: Numbers written as digits.\n\nText examples:\n\nExample 0: <<the>> road\nExample 1: a <<blue>> car\nExample 2: she <<ran>> home\nExample 3: <<old>> books\nExample 4: the <<end>>',
    '[0, 0, 0, 0, 0]',
  ],
  [
    'Feature explanation: Closing parentheses.\n\nText examples:\n\nExample 0: (see above<<)>>\nExample 1: f(x<<)>>\nExample 2: (a, b<<)>>\nExample 3: (note<<)>>\nExample 4: g(y<<)>>',
    '[1, 1, 1, 1, 1]',
  ],
];
const DETECTION_SHOTS: Array<[string, string]> = [
  [
    'Feature explanation: Words about weather.\n\nText examples:\n\nExample 0: it started to rain heavily\nExample 1: the cat slept\nExample 2: a cold wind blew\nExample 3: we ate dinner late\nExample 4: bright sunshine all day',
    '[1, 0, 1, 0, 1]',
  ],
  [
    'Feature explanation: Numbers written as digits.\n\nText examples:\n\nExample 0: the road\nExample 1: a blue car\nExample 2: she ran home\nExample 3: old books\nExample 4: the end',
    '[0, 0, 0, 0, 0]',
  ],
  [
    'Feature explanation: Closing parentheses.\n\nText examples:\n\nExample 0: (see above)\nExample 1: f(x)\nExample 2: (a, b)\nExample 3: (note)\nExample 4: g(y)',
    '[1, 1, 1, 1, 1]',
  ],
];

export function scorerMessages(kind: 'fuzz' | 'detection', explanation: string, texts: string[]): ChatMessage[] {
  const shots = kind === 'fuzz' ? FUZZ_SHOTS : DETECTION_SHOTS;
  const examples = texts.map((text, i) => `Example ${i}: ${text}`).join('\n');
  return [
    { role: 'system', content: kind === 'fuzz' ? FUZZ_SYSTEM : DETECTION_SYSTEM },
    ...shots.flatMap(([user, assistant]): ChatMessage[] => [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ]),
    { role: 'user', content: `Feature explanation: ${explanation}\n\nText examples:\n\n${examples}` },
  ];
}

/** The first `[…]` list of 0/1 with exactly `count` items; undefined otherwise. */
export function parsePredictions(answer: string, count: number): boolean[] | undefined {
  const match = /\[[^\]\n]*\]/.exec(answer);
  if (!match) return undefined;
  try {
    const list = JSON.parse(match[0]) as unknown;
    if (!Array.isArray(list) || list.length !== count || !list.every((v) => v === 0 || v === 1)) return undefined;
    return list.map((v) => v === 1);
  } catch {
    return undefined;
  }
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface ScoreResult {
  value: number;
  details: Array<Record<string, unknown>>;
}

/** Fuzz or detection: batches of 5, each answer retried once if it does not parse, then balanced accuracy. */
export async function classifierScore(
  kind: 'fuzz' | 'detection',
  explanation: string,
  data: { activating: Sample[]; zero: Sample[] },
  llm: ChatClient,
  model: string,
  random: () => number = Math.random,
): Promise<ScoreResult> {
  const k = Math.ceil(data.activating.reduce((sum, s) => sum + s.values.filter((v) => v !== 0).length, 0) / data.activating.length);
  const samples = shuffle([...data.activating, ...data.zero], random).map((s) => ({
    sample: s,
    text: kind === 'fuzz' ? fuzzText(s, k) : s.tokens.join(''),
  }));
  const details: Array<Record<string, unknown>> = [];
  for (let start = 0; start < samples.length; start += BATCH_SIZE) {
    const batch = samples.slice(start, start + BATCH_SIZE);
    const messages = scorerMessages(
      kind,
      explanation,
      batch.map((b) => b.text),
    );
    let predictions: boolean[] | undefined;
    for (let attempt = 0; attempt < 2 && !predictions; attempt++) {
      predictions = parsePredictions(await llm.complete(model, messages, { maxTokens: 500, temperature: 1.0 }), batch.length);
    }
    if (!predictions) throw new UpstreamFailed('The LLM answered twice without a list of 0/1 per example; no score was stored.');
    batch.forEach(({ sample, text }, i) => {
      const prediction = predictions![i]!;
      details.push({
        text: sample.tokens.join(''),
        distance: sample.distance,
        ground_truth: sample.groundTruth,
        prediction,
        highlighted: kind === 'fuzz',
        correct: prediction === sample.groundTruth,
        probability: 0,
        conditional_probability: 0,
        activations: sample.values,
        str_tokens: sample.tokens,
        shown: text,
      });
    });
  }
  const rate = (truth: boolean) => {
    const rows = details.filter((d) => d.ground_truth === truth);
    return rows.length === 0 ? 0 : rows.filter((d) => d.correct).length / rows.length;
  };
  return { value: (rate(true) + rate(false)) / 2, details };
}

/** P(similarity of an activating example > that of a zero example), ties counting half: ROC AUC. */
export function rocAuc(positives: number[], negatives: number[]): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((v, i) => {
    dot += v * b[i]!;
    na += v * v;
    nb += b[i]! * b[i]!;
  });
  return dot / (Math.sqrt(na * nb) || 1);
};

/** The query text sent for the explanation: an instruction, then `Query:` and the explanation. */
export const embeddingQuery = (explanation: string) =>
  `Instruct: Given a description of a text feature, retrieve text passages that show it\nQuery:${explanation}`;

export async function embeddingScore(
  explanation: string,
  data: { activating: Sample[]; zero: Sample[] },
  embeddings: EmbeddingClient,
  random: () => number = Math.random,
): Promise<ScoreResult> {
  const samples = shuffle([...data.activating, ...data.zero], random);
  const vectors = await embeddings.embed([embeddingQuery(explanation), ...samples.map((s) => s.tokens.join(''))]);
  const query = vectors[0]!;
  const details = samples.map((s, i) => ({
    text: s.tokens.join(''),
    distance: s.distance,
    similarity: cosine(query, vectors[i + 1]!),
    activations: s.values,
    str_tokens: s.tokens,
  }));
  const value = rocAuc(
    details.filter((d) => d.distance > 0).map((d) => d.similarity),
    details.filter((d) => d.distance < 0).map((d) => d.similarity),
  );
  return { value, details };
}
