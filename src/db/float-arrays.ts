// Faster reading of real[] and double precision[] columns. Activation values, histograms and
// logits are float arrays, and the drivers' generic array parser walks the text one character at
// a time: for a page of features it cost more than the queries themselves. An array of plain
// numbers in Postgres' text form (`{1.5,-2,3e-05}`, nested braces for more dimensions) becomes
// JSON by swapping braces for brackets; anything else (NULL, NaN, Infinity, explicit bounds) goes
// to the driver's own parser.

export const FLOAT4_ARRAY_OID = 1021;
export const FLOAT8_ARRAY_OID = 1022;

const PLAIN_NUMBERS = /^[-+\d.eE,{}]*$/;

export function fastFloatArrayParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    if (!PLAIN_NUMBERS.test(text)) return fallback(text);
    try {
      return JSON.parse(text.replaceAll('{', '[').replaceAll('}', ']'));
    } catch {
      return fallback(text);
    }
  };
}
