// npm run user -- create <name> [--admin] | set-limit <name> <group> <n|default> | show <name>
import { parseArgs } from 'node:util';
import { withCliDatabase } from '../src/cli-database.js';
import { createUser, findUserByName, setUserRateLimit } from '../src/db/queries/users.js';
import { RATE_LIMIT_GROUPS } from '../src/services/rate-limit/groups.js';
import { runCli } from '../src/run-cli.js';

const HELP = `Usage:
  npm run user -- create <name> [--admin]         create a user (then: npm run key -- create <name>)
  npm run user -- set-limit <name> <group> <n>    this user's own limit per window for an endpoint group
  npm run user -- set-limit <name> <group> default
  npm run user -- show <name>

Names: 1 to 39 letters, digits, dashes or periods (stored lower-case), as on neuronpedia.org.
Groups: ${Object.keys(RATE_LIMIT_GROUPS).join(', ')}.
Works on DATABASE_URL or the embedded database in DATA_DIR (not while a server holds that folder).`;

class UsageError extends Error {}

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { admin: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, name, ...rest] = positionals;
  if (values.help || !command) return console.log(HELP);
  try {
    if (!name) throw new UsageError('Give a user name.');
    const userName = name.toLowerCase();
    await withCliDatabase(async ({ db }) => {
      if (command === 'create') {
        if (!/^[a-z0-9.-]{1,39}$/.test(userName)) throw new UsageError('Names have 1 to 39 letters, digits, dashes or periods.');
        if (await findUserByName(db, userName)) throw new UsageError(`A user named ${userName} exists already.`);
        const user = await createUser(db, userName, values.admin ?? false);
        console.log(
          `Created ${user.admin ? 'admin ' : ''}user ${user.name} (id ${user.id}). Create a key with: npm run key -- create ${user.name}`,
        );
        return;
      }
      const user = await findUserByName(db, userName);
      if (!user) throw new UsageError(`No user named ${userName}.`);
      if (command === 'show') {
        console.log(
          JSON.stringify(
            { id: user.id, name: user.name, admin: user.admin, rateLimits: user.rateLimits, createdAt: user.createdAt },
            null,
            2,
          ),
        );
      } else if (command === 'set-limit') {
        const [group, value] = rest;
        if (!group || !(group in RATE_LIMIT_GROUPS)) throw new UsageError(`Give a group: ${Object.keys(RATE_LIMIT_GROUPS).join(', ')}.`);
        const limit = value === 'default' ? null : Number(value);
        if (limit !== null && !(Number.isInteger(limit) && limit >= 0))
          throw new UsageError('Give a whole number of requests per window, or "default".');
        await setUserRateLimit(db, user.id, group, limit);
        console.log(
          limit === null
            ? `${user.name} now has the configured ${group} limit.`
            : `${user.name} may now make ${limit} ${group} requests per window.`,
        );
      } else throw new UsageError(`Unknown command "${command}".`);
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${HELP}`);
    process.exitCode = 2;
  }
});
