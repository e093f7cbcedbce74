// The fuzz run's findings as one compact report: grouped by route, then by problem, with one
// reproducer each (mutation, target, answer excerpt, and the error the server logged).
import type { Failure } from './verdict.js';

/** The gist of a pino error line: type, message and the first frame in our own code. */
export function logGist(lines: string[]): string | undefined {
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string; stack?: string } };
      if (!entry.err) continue;
      const frame = entry.err.stack
        ?.split('\n')
        .find((l) => l.includes('/src/'))
        ?.trim();
      // A failed query's message is its SQL; the database's reason is in the stack's "caused by".
      const message = String(entry.err.message ?? entry.msg);
      const cause = entry.err.stack?.split('\n').find((l) => l.startsWith('caused by:'));
      const short = message.length > 160 ? `${message.slice(0, 160)}…` : message;
      return `${entry.err.type ?? 'Error'}: ${short}${cause ? ` ${cause}` : ''}${frame ? ` (${frame.replace(/^.*\/src\//, 'src/').replace(/\)$/, '')})` : ''}`;
    } catch {
      // not JSON: skip
    }
  }
  return undefined;
}

export function formatReport(failures: Failure[], total: number): string {
  const byRoute = new Map<string, Failure[]>();
  for (const failure of failures) byRoute.set(failure.route, [...(byRoute.get(failure.route) ?? []), failure]);
  const lines = [`${failures.length} of ${total} fuzzed requests failed, on ${byRoute.size} routes:`];
  for (const [route, list] of [...byRoute].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push('', `${route} (${list.length})`);
    const byProblem = new Map<string, Failure[]>();
    for (const failure of list) byProblem.set(failure.problem, [...(byProblem.get(failure.problem) ?? []), failure]);
    for (const [problem, group] of byProblem) {
      const where = [...new Set(group.map((f) => `${f.mutation}@${f.target}`))];
      const auths = [...new Set(group.map((f) => f.auth))].join('/');
      lines.push(
        `  ${problem} ×${group.length} [${auths}]: ${where.slice(0, 10).join(', ')}${where.length > 10 ? `, … ${where.length - 10} more` : ''}`,
      );
      const example = group.find((f) => f.log) ?? group[0]!;
      lines.push(`    e.g. ${example.mutation}@${example.target} → ${example.status} ${example.excerpt}`);
      if (example.log) lines.push(`    log: ${example.log}`);
    }
  }
  return lines.join('\n');
}
