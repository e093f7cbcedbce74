// npm run key -- create <user> | list <user> | revoke <key-prefix>
import { parseArgs } from 'node:util';
import { displayPrefix, generateApiKey, hashApiKey } from '../src/services/auth/api-keys.js';
import { withCliDatabase } from '../src/cli-database.js';
import { findLiveKeysByPrefix, findUserByName, insertApiKey, listApiKeys, revokeApiKey } from '../src/db/queries/users.js';
import { notifyProcesses } from '../src/db/notifications.js';
import { runCli } from '../src/run-cli.js';

const HELP = `Usage:
  npm run key -- create <user>        create an API key; it is printed once and never stored
  npm run key -- list <user>          the user's keys: shown prefix, created, last used, revoked
  npm run key -- revoke <key-prefix>  revoke the key whose shown prefix (or whole key) starts so

Send a key as "x-api-key: KEY" or "Authorization: Bearer KEY". A revoked key is refused at once
by every server process on the same Postgres (told over LISTEN/NOTIFY), and within 10 seconds
in any case.`;

class UsageError extends Error {}
const iso = (d: Date | null) => (d ? d.toISOString() : '-');

await runCli(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [command, argument] = positionals;
  if (values.help || !command) return console.log(HELP);
  try {
    if (!argument) throw new UsageError(command === 'revoke' ? 'Give the key prefix to revoke.' : 'Give a user name.');
    await withCliDatabase(async ({ db, pool }) => {
      if (command === 'create' || command === 'list') {
        const user = await findUserByName(db, argument.toLowerCase());
        if (!user) throw new UsageError(`No user named ${argument}. Create one with: npm run user -- create ${argument}`);
        if (command === 'create') {
          const key = generateApiKey();
          await insertApiKey(db, user.id, displayPrefix(key), hashApiKey(key));
          console.error(`API key for ${user.name} (shown once; only its hash is stored):`);
          console.log(key);
        } else {
          const keys = await listApiKeys(db, user.id);
          if (keys.length === 0) console.log(`${user.name} has no keys.`);
          for (const k of keys)
            console.log(
              `${k.prefix}…  created ${iso(k.createdAt)}  last used ${iso(k.lastUsedAt)}  ${k.revokedAt ? `revoked ${iso(k.revokedAt)}` : 'active'}`,
            );
        }
        return;
      }
      if (command === 'revoke') {
        const prefix = displayPrefix(argument); // a whole key works too
        if (prefix.length < 8) throw new UsageError('Give at least the first 8 characters of the key (e.g. sk-np-Ab).');
        const matches = await findLiveKeysByPrefix(db, prefix);
        if (matches.length === 0) throw new UsageError(`No active key starts with ${prefix}.`);
        if (matches.length > 1) throw new UsageError(`${matches.length} active keys start with ${prefix}; give more characters.`);
        await revokeApiKey(db, matches[0]!.id);
        // Running servers drop their cached key checks now rather than when they expire.
        if (pool) await notifyProcesses(pool, { caches: ['keys'] });
        console.log(`Revoked ${matches[0]!.prefix}…`);
        return;
      }
      throw new UsageError(`Unknown command "${command}".`);
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${HELP}`);
    process.exitCode = 2;
  }
});
