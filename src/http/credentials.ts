// The one API key a request carries, from every `x-api-key` and `Authorization` header it sent.
// A credential that is present counts even when it is wrong: two different keys, or an
// Authorization header that is not `Bearer <key>`, are refused rather than letting one header win
// or the request pass as anonymous. Node's parsed headers hide exactly those cases (it keeps only
// the first of repeated Authorization headers and joins repeated x-api-key values with ", "), so
// the raw header list is read.

export type Credentials = { kind: 'none' } | { kind: 'key'; key: string } | { kind: 'invalid'; reason: CredentialProblem };

export type CredentialProblem = 'empty-x-api-key' | 'not-bearer' | 'conflicting';

/** RFC 6750's form: the scheme (case-insensitive), spaces, one token. */
const BEARER = /^Bearer +(\S+)$/i;

/** `rawHeaders` as Node gives it: name, value, name, value, … */
export function credentialsFromRawHeaders(rawHeaders: readonly string[]): Credentials {
  const keys = new Set<string>();
  let problem: CredentialProblem | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim();
    if (name === 'x-api-key') {
      // An empty value usually comes from a script whose key variable is unset: say so, rather
      // than answering as if no key had been meant.
      if (value === '') problem ??= 'empty-x-api-key';
      else keys.add(value);
    } else if (name === 'authorization') {
      const bearer = BEARER.exec(value);
      if (bearer) keys.add(bearer[1]!);
      else problem = 'not-bearer';
    }
  }
  if (problem) return { kind: 'invalid', reason: problem };
  if (keys.size > 1) return { kind: 'invalid', reason: 'conflicting' };
  const [key] = keys;
  return key === undefined ? { kind: 'none' } : { kind: 'key', key };
}
