import { checkCommand } from './check.js';
import { startCommand } from './start.js';
import { tailCommand } from './tail.js';
// check.js (through edge/config-check.ts) registers the areas' config-section checks, which every command that reads a config needs.

const USAGE = `usage: edge <command> [options]

  start [-c box.yaml]        run the daemon (no -c: embedded defaults with demo devices)
  check <box.yaml>           validate a box config; prints every error with its path and a hint
  tail [-c box.yaml] [filter] print what the local bus carries (default filter: /sys/# and /edge/#)
  import points <file> [-c box.yaml] [--driver name] [--report out.csv]
                             validate an EBA point-table workbook and apply it (docs/eba.md)
  export points <out.xlsx> [-c box.yaml] [--template]
                             write the point tables (or the blank template) back
  discover bacnet [--nic eth0 | --target ip:port] [--json]
                             list the BACnet devices that answer Who-Is, with their objects
  discover onvif [--nic eth0 | --target ip[:port]] [--json]
                             list the ONVIF cameras that answer a WS-Discovery probe (docs/video.md)
  bus-user add|set|remove|list [NAME] [--read FILTERS] [--write FILTERS]
                             the local apps' bus users and their topic rights (docs/security.md)
  backup [-c box.yaml] [-o file] [--passphrase-file f]
                             one file with config, database snapshot, data folders (docs/operations.md)
  restore <file> -c box.yaml [--force] [--passphrase-file f]
                             replace this (stopped) box's data and config with a backup's
  cameras [-c box.yaml] [--json] | cameras accept <gbId> [--name N] [--alias A] [--nvr] -c box.yaml
                             GB28181 cameras with channels and state, the discovered list; accept one (docs/video.md)
  keys [-c box.yaml] [--json] print the box's public device key (alarm units, docs/security-devices.md)
  version                    print the version
`;

export type Command = (args: string[]) => Promise<number | undefined>;

const commands: Record<string, Command> = {
  start: startCommand,
  check: checkCommand,
  tail: tailCommand,
  version: async () => {
    const { VERSION } = await import('../runtime.js');
    process.stdout.write(`${VERSION}\n`);
    return 0;
  },
};

/** Register commands contributed by other areas (import, discover, simulate). */
export function registerCommand(name: string, cmd: Command): void {
  commands[name] = cmd;
}

// EBA point tables (edge/eba); loaded on use so exceljs does not slow every command.
registerCommand('import', async (args) => (await import('./import.js')).importCommand(args));
registerCommand('export', async (args) => (await import('./import.js')).exportCommand(args));
// Local apps' bus users (edge/bus/users.ts).
registerCommand('bus-user', async (args) => (await import('./bus-user.js')).busUserCommand(args));
// The box's public keys for installers (edge/keys).
registerCommand('keys', async (args) => (await import('./keys.js')).keysCommand(args));
// Backup and restore (edge/backup).
registerCommand('backup', async (args) => (await import('./backup.js')).backupCommand(args));
registerCommand('restore', async (args) => (await import('./restore.js')).restoreCommand(args));
// GB28181 cameras and the discovered list (edge/video).
registerCommand('cameras', async (args) => (await import('./cameras.js')).camerasCommand(args));
// BACnet Who-Is on site (drivers/bacnet-v3); loaded on use.
registerCommand('discover', async (args) => (await import('./discover.js')).discoverCommand(args));

export async function runCli(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`edge: unknown command ${name}\n${USAGE}`);
    return 2;
  }
  return cmd(rest);
}
