// Shows an import's progress: on a terminal, a bar with files done, rows/s, MB/s and an ETA; in a
// pipe or CI, a plain log line every few seconds. Ends with a summary table.
import cliProgress from 'cli-progress';
import type { ImportEvent, ImportSummary } from './import-export.js';

const mb = (bytes: number) => bytes / (1024 * 1024);

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000) {
  const tty = Boolean(stream.isTTY);
  let totalBytes = 0;
  let doneBytes = 0; // bytes of finished files
  let currentBytes = 0;
  let rows = 0;
  let currentLines = 0;
  let filesDone = 0;
  let filesTotal = 0;
  let started = performance.now();
  let lastLog = 0;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream,
          format: '{bar} {percentage}% | files {files} | {rows} rows | {rps} rows/s | {mbps} MB/s | ETA {eta_formatted} | {file}',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;

  const values = (file = '') => {
    const seconds = Math.max(0.001, (performance.now() - started) / 1000);
    const done = rows + currentLines;
    return {
      files: `${filesDone}/${filesTotal}`,
      rows: done,
      rps: Math.round(done / seconds),
      mbps: (mb(doneBytes + currentBytes) / seconds).toFixed(1),
      file,
    };
  };

  return (event: ImportEvent) => {
    switch (event.type) {
      case 'start':
        totalBytes = Math.max(1, event.totalBytes);
        filesTotal = event.files.length;
        started = performance.now();
        bar?.start(totalBytes, 0, values());
        if (!tty) stream.write(`import: ${filesTotal} files, ${mb(totalBytes).toFixed(1)} MB\n`);
        break;
      case 'file-start':
        currentBytes = 0;
        currentLines = 0;
        break;
      case 'progress':
        currentBytes = event.bytesRead;
        currentLines = event.lines;
        bar?.update(doneBytes + currentBytes, values(event.file.key));
        if (!tty && performance.now() - lastLog > intervalMs) {
          lastLog = performance.now();
          const v = values(event.file.key);
          stream.write(
            `import: files ${v.files}, ${v.rows} rows, ${v.rps} rows/s, ${v.mbps} MB/s, ${((100 * (doneBytes + currentBytes)) / totalBytes).toFixed(0)}% (${event.file.key})\n`,
          );
        }
        break;
      case 'file-done':
        filesDone++;
        doneBytes += event.file.size;
        currentBytes = 0;
        currentLines = 0;
        rows += event.lines;
        bar?.update(doneBytes, values(event.file.key));
        if (event.message) {
          if (bar) bar.stop();
          stream.write(`import: ${event.status}: ${event.message}\n`);
          if (bar) bar.start(totalBytes, doneBytes, values());
        }
        break;
    }
    if (event.type === 'file-done' && filesDone === filesTotal) bar?.stop();
  };
}

/** Lists at most this many files per kind (blocked, retried, changed) in the summary. */
const LISTED = 20;

export function formatSummary(summary: ImportSummary, peakRssBytes?: number): string {
  const seconds = summary.elapsedMs / 1000;
  const f = summary.files;
  const imported = [f.retried && `${f.retried} retried`, f.resumed && `${f.resumed} resumed`].filter(Boolean).join(', ');
  const lines = [
    `Files: ${f.total} (imported ${f.imported}${imported ? ` (${imported})` : ''}, already imported ${f.skipped}, changed since import ${f.changed}, failed ${f.failed}, blocked ${f.blocked})`,
    '',
    '| table | lines read | rows inserted | rejected |',
    '| --- | ---: | ---: | ---: |',
    ...Object.entries(summary.tables).map(([table, c]) => `| ${table} | ${c.lines} | ${c.inserted} | ${c.rejected} |`),
    '',
  ];
  const totalLines = Object.values(summary.tables).reduce((sum, c) => sum + c.lines, 0);
  lines.push(
    `Elapsed ${seconds.toFixed(1)} s, ${Math.round(totalLines / Math.max(seconds, 0.001))} lines/s, ${(mb(summary.bytes) / Math.max(seconds, 0.001)).toFixed(1)} MB/s of stored files` +
      (peakRssBytes ? `, peak RSS ${Math.round(mb(peakRssBytes))} MB` : ''),
    `Rejected records: ${summary.rejected}${summary.stoppedEarly ? ' (stopped early: --max-errors exceeded)' : ''}`,
  );
  const list = (items: string[], say: (item: string) => string) => {
    for (const item of items.slice(0, LISTED)) lines.push(say(item));
    if (items.length > LISTED) lines.push(`  … and ${items.length - LISTED} more`);
  };
  list(summary.changedFiles, (key) => `Changed since imported (not re-imported): ${key}`);
  list(summary.retriedFiles, (key) => `Retried (rows of it had a missing parent last time): ${key}`);
  list(
    summary.blockedFiles.map((b) => `${b.file} (${b.blockedBy} was not imported)`),
    (text) => `Blocked, not loaded: ${text}`,
  );
  if (summary.blockedFiles.length > 0) lines.push('Blocked files load on the next run once the files they depend on import.');
  return lines.join('\n');
}
