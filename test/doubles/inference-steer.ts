// The inference stand-in's /v1/steer/completion and /v1/steer/completion-chat: one frame per
// generated token; tokens are a hash of the prompt, seed and steering, so tests can predict them.
import { hash } from './inference-tokens.js';

type Body = Record<string, unknown>;
type Answer = { status: number; body: unknown } | { frames: unknown[]; last: unknown };

/** The i-th generated token: DEFAULT depends on prompt and seed; STEERED also on the steering. */
export function steerToken(type: 'DEFAULT' | 'STEERED', prompt: string, body: Record<string, unknown>, i: number): string {
  const base = `${prompt}|${body.seed}|${body.temperature}|${i}`;
  if (type === 'DEFAULT') return ` d${hash(base) % 1000}`;
  const steering = JSON.stringify([body.features ?? null, body.vectors ?? null, body.strengthMultiplier, body.steerMethod]);
  return ` s${hash(`${base}|${steering}`) % 1000}`;
}

/** How the stand-in renders a chat: `<role>content</role>` per message, then the model's turn. */
export function chatTemplate(messages: Array<{ role: string; content: string }>): string {
  return messages.map((m) => `<${m.role}>${m.content}</${m.role}>`).join('') + '<model>';
}

function logprobsOf(token: string, n: number) {
  const h = hash(token);
  return {
    token,
    logprob: -(h % 100) / 10,
    topLogprobs: Array.from({ length: n }, (_, k) => ({ token: `${token}~${k}`, logprob: -(h % 100) / 10 - k })),
  };
}

/** A steer request's frames: one per generated token, each carrying every type's output so far. */
export function steer(path: string, body: Body): Answer {
  const chat = path === '/v1/steer/completion-chat';
  const types = body.types as Array<'DEFAULT' | 'STEERED'>;
  const hasFeatures = Array.isArray(body.features);
  const hasVectors = Array.isArray(body.vectors);
  if (hasFeatures === hasVectors) return { status: 400, body: { error: 'Exactly one of features or vectors must be provided' } };
  const messages = chat ? (body.prompt as Array<{ role: string; content: string }>) : [];
  const promptText = chat ? chatTemplate(messages) : (body.prompt as string);
  const n = body.nCompletionTokens as number;
  const nLogprobs = (body.nLogprobs as number | undefined) ?? 0;
  const frames: unknown[] = [];
  for (let i = 1; i <= n; i++) {
    const outputs = types.map((type) => {
      const generated = Array.from({ length: i }, (_, k) => steerToken(type, promptText, body, k));
      const text = generated.join('');
      const logprobs = nLogprobs > 0 ? generated.map((t) => logprobsOf(t, nLogprobs)) : null;
      return chat
        ? { type, raw: promptText + text, chatTemplate: [...messages, { role: 'model', content: text }], logprobs }
        : { type, output: text, logprobs };
    });
    frames.push(chat ? { outputs, input: { raw: promptText, chatTemplate: messages } } : { outputs });
  }
  return { frames, last: frames.at(-1) };
}
