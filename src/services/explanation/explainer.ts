// eleuther_acts_top20, as EleutherAI's default explainer (sae-auto-interp, used by Neuronpedia's
// autointerp server) builds it: the top 20 distinct activating examples, tokens above 0.6 of each
// example's maximum wrapped in << >> (neighbours share a pair), a system prompt and three worked
// examples, and the answer read after "[EXPLANATION]:". Prompt wording is ours.
import type { ChatMessage } from '../../upstream/chat.js';

export interface ExampleActivation {
  tokens: string[];
  values: number[];
  maxValue: number;
}

export const TOP_EXAMPLES = 20;
export const MARK_THRESHOLD = 0.6;

/** Distinct examples (by their text; the last duplicate wins, as upstream), strongest first, top 20. */
export function selectExamples<T extends ExampleActivation>(activations: T[], count = TOP_EXAMPLES): T[] {
  const byText = new Map<string, T>();
  for (const a of activations) byText.set(a.tokens.join(''), a);
  return [...byText.values()].sort((a, b) => b.maxValue - a.maxValue).slice(0, count);
}

/** The example's text with its strongest tokens (above 0.6 x its max) wrapped in << >>. */
export function markExample(example: ExampleActivation): string {
  const max = Math.max(...example.values);
  const threshold = MARK_THRESHOLD * max;
  let out = '';
  let open = false;
  example.tokens.forEach((token, i) => {
    const marked = max > 0 && example.values[i]! > threshold;
    if (marked && !open) out += '<<';
    if (!marked && open) out += '>>';
    open = marked;
    out += token;
  });
  return open ? `${out}>>` : out;
}

const SYSTEM = `You are a meticulous AI researcher studying what a single neuron-like feature of a language model responds to. You will see text examples in which the tokens where the feature is most active are wrapped in << and >>. Find what the marked tokens, and their context, have in common, and describe that pattern in one short phrase or sentence. Do not mention the markers, do not list examples, and keep it concise. End your answer with a line that starts with "[EXPLANATION]:" followed by the explanation.`;

const FEW_SHOT: Array<[string, string]> = [
  [
    'Example 1: and then it was <<raining cats and dogs>> outside\nExample 2: she was <<over the moon>> about the news\nExample 3: the test was <<a piece of cake>> for him',
    '[EXPLANATION]: Common English idioms and figurative expressions.',
  ],
  [
    'Example 1: this box is <<heav>>ier than that one\nExample 2: a <<fast>>er way to get there\nExample 3: the <<tall>>er of the two trees',
    '[EXPLANATION]: The stem of an adjective just before a comparative "-er" ending.',
  ],
  [
    'Example 1: he opened the <<bottle>> of "wine"\nExample 2: a <<cup>> of "coffee" please\nExample 3: pass me the <<jar>> of "honey"\nExample 4: two <<bags>> of "flour"',
    '[EXPLANATION]: Nouns for containers, right before the quoted thing they hold.',
  ],
];

export function explainerMessages(examples: ExampleActivation[]): ChatMessage[] {
  const lines = examples.map((e, i) => `Example ${i + 1}: ${markExample(e)}`).join('\n');
  return [
    { role: 'system', content: SYSTEM },
    ...FEW_SHOT.flatMap(([user, assistant]): ChatMessage[] => [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ]),
    { role: 'user', content: `\n${lines}\n` },
  ];
}

/** The text after the first "[EXPLANATION]:", trimmed; undefined when there is none. */
export function parseExplanation(answer: string): string | undefined {
  const match = /\[EXPLANATION\]:(.*)/s.exec(answer);
  const text = match?.[1]?.trim();
  return text ? text : undefined;
}
