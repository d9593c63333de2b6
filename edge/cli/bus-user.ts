/**
 * `edge bus-user`: the local apps' bus users, one per app with its own topic rights
 * (docs/security.md). Run it as the box's user: it edits dataDir/bus-users.json, which the
 * running daemon picks up within a second (a removed or changed user's connections are closed).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFilterList } from '../bus/acl.js';
import { BusUserError, BusUserStore, listBusUsers } from '../bus/users.js';
import { loadConfig } from '../config/load.js';

const USAGE = `usage: edge bus-user <add|set|remove|list> [-c box.yaml]
  add NAME --read FILTERS --write FILTERS   a new user; prints its generated password once
  set NAME --read FILTERS --write FILTERS   replace a user's rights (its connections are closed)
  remove NAME                               remove a user (its connections are closed)
  list [--json]                             users and their rights
FILTERS: MQTT topic filters, comma-separated or repeated, e.g. --read '/sys/+/+/thing/event/#,/edge/#'
`;

export async function busUserCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        read: { type: 'string', multiple: true },
        write: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`edge bus-user: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, name] = positionals;
  const { config, baseDir } = loadConfig(values.config ?? process.env.EDGE_CONFIG);
  const store = new BusUserStore(resolve(baseDir, config.box.dataDir));
  const read = parseFilterList(values.read ?? []);
  const write = parseFilterList(values.write ?? []);
  const needName = (): string => {
    if (!name) throw new BusUserError('name the user');
    return name;
  };
  try {
    switch (action) {
      case 'add': {
        const user = needName();
        if (read.problems.length + write.problems.length > 0) throw new BusUserError([...read.problems, ...write.problems].join('; '));
        const { password } = store.add(user, { read: read.filters, write: write.filters }, (n) =>
          config.bus.users.some((u) => u.username === n),
        );
        process.stdout.write(`username: ${user}\npassword: ${password}\n`);
        process.stderr.write('the password is shown only now: give it to the app\n');
        if (read.filters.length + write.filters.length === 0)
          process.stderr.write('this user may read and write nothing yet: grant rights with edge bus-user set\n');
        return 0;
      }
      case 'set': {
        if (read.problems.length + write.problems.length > 0) throw new BusUserError([...read.problems, ...write.problems].join('; '));
        store.setRights(needName(), { read: read.filters, write: write.filters });
        process.stdout.write(`rights of ${name} replaced\n`);
        return 0;
      }
      case 'remove':
        store.remove(needName());
        process.stdout.write(`bus user ${name} removed\n`);
        return 0;
      case 'list': {
        const users = listBusUsers(config.bus.users, store);
        if (values.json) process.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
        else
          for (const u of users)
            process.stdout.write(`${u.username}\t(${u.source})\tread: ${u.read.join(',') || '-'}\twrite: ${u.write.join(',') || '-'}\n`);
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return 2;
    }
  } catch (err) {
    if (!(err instanceof BusUserError)) throw err;
    process.stderr.write(`edge bus-user: ${err.message}\n`);
    return 1;
  }
}
