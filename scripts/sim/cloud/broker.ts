/**
 * A real mosquitto on a free loopback port, for tests, the demo and the bench. Persistence is
 * on so the stand-in's session (and QoS 1 messages queued for it) survive a broker restart,
 * which is what the IoT Platform guarantees to the cloud side during an outage.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface BrokerOptions {
  /** Working folder for conf, password file and persistence. */
  dir: string;
  port?: number;
  /** username → password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
}

export class Mosquitto {
  readonly dir: string;
  port = 0;
  #proc: ChildProcess | undefined;
  readonly #users: Record<string, string> | undefined;

  constructor(options: BrokerOptions) {
    this.dir = options.dir;
    this.port = options.port ?? 0;
    this.#users = options.users;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    // Said plainly up front: spawning a missing binary fails later as an unhandled ENOENT.
    if (!existsSync(MOSQUITTO))
      throw new Error(
        `mosquitto is not installed at ${MOSQUITTO}: run \`bash scripts/install-test-deps.sh\` (or apt-get install mosquitto), or set MOSQUITTO to its path`,
      );
    if (this.port === 0) this.port = await freePort();
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'persistence true',
      `persistence_location ${join(this.dir, 'data')}/`,
      'autosave_interval 1',
      'max_queued_messages 0', // the stand-in must not lose what queues while it reconnects
      'queue_qos0_messages true',
      'max_inflight_messages 100',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ];
    // As root mosquitto drops to the 'mosquitto' user, which cannot read a private temp dir.
    if (process.getuid?.() === 0) lines.push('user root');
    if (this.#users) {
      const file = join(this.dir, 'passwd');
      writeFileSync(
        file,
        `${Object.entries(this.#users)
          .map(([u, p]) => `${u}:${p}`)
          .join('\n')}\n`,
        { mode: 0o600 },
      );
      const r = spawnSync('mosquitto_passwd', ['-U', file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      lines.push('allow_anonymous false', `password_file ${file}`);
    } else {
      lines.push('allow_anonymous true');
    }
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, `${lines.join('\n')}\n`);
    const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.#proc = proc;
    const until = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
      if (Date.now() > until) throw new Error(`mosquitto did not listen on ${this.port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Graceful stop (SIGTERM: persistence is written). */
  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill('SIGTERM');
    });
    this.#proc = undefined;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
