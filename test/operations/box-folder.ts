/** A stopped box on disk for backup/restore tests: config file, database, driver data, secrets. */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, migrate } from '../../edge/store/db.js';
import { coreMigrations } from '../../edge/store/core.js';

export interface BoxFolder {
  dir: string;
  config: string;
  dataDir: string;
}

/** `tag` goes into every file so two boxes can be told apart. */
export function makeBoxFolder(dir: string, tag: string, opts: { rows?: number } = {}): BoxFolder {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'box.yaml');
  const dataDir = join(dir, 'data');
  writeFileSync(config, `box: { name: box-${tag}, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { port: 0 }\n`);
  const db = openDatabase(join(dataDir, 'edge.db'));
  migrate(db, 'core', coreMigrations);
  db.exec('CREATE TABLE cloud_subdevice_secrets (device TEXT PRIMARY KEY, secret TEXT NOT NULL, iot_id TEXT, at INTEGER NOT NULL)');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT NOT NULL)');
  db.prepare('INSERT INTO cloud_subdevice_secrets VALUES (?, ?, NULL, 1)').run('PK/door-1', `secret-${tag}`);
  const ins = db.prepare('INSERT INTO t (tag) VALUES (?)');
  for (let i = 0; i < (opts.rows ?? 3); i++) ins.run(tag);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  mkdirSync(join(dataDir, 'drivers', 'Door_Std', 'groups'), { recursive: true });
  writeFileSync(join(dataDir, 'drivers', 'Door_Std', 'door-standard-intercom.json'), JSON.stringify({ tag }));
  writeFileSync(join(dataDir, 'drivers', 'Door_Std', 'groups', `${'g'.repeat(120)}.json`), tag); // a path over 100 bytes
  mkdirSync(join(dataDir, 'access', 'faces'), { recursive: true });
  writeFileSync(join(dataDir, 'access', 'faces', 'a.jpg'), Buffer.from(`jpeg-${tag}`));
  writeFileSync(join(dataDir, 'device-rsa-key.pem'), `KEY-${tag}`);
  writeFileSync(join(dataDir, 'bus-credentials.json'), JSON.stringify({ username: 'edge-local', password: `pw-${tag}` }));
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  writeFileSync(join(dataDir, 'logs', 'edge.log'), `log-${tag}`);
  return { dir, config, dataDir };
}

/** Every file under `dir` with its content (the database as its rows' tags), for comparing whole folders. */
export function folderImage(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, path)).isDirectory()) Object.assign(out, folderImage(dir, path));
    else if (!/^edge\.db-|restore-state\.json$|^logs\//.test(path))
      out[path] = path === 'edge.db' ? 'db' : readFileSync(join(dir, path), 'utf8');
  }
  return out;
}
