/**
 * `npm run bench -- bacnet --prof <dir>`: preloaded into the daemon and, through the inherited
 * NODE_OPTIONS (`--cpu-prof` itself is not allowed there), its driver process. Profiles the
 * process from its start for PROF_MS and writes `<dir>/<script>-<pid>.cpuprofile` (open it in
 * Chrome DevTools or speedscope).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

const dir = process.env.PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  setTimeout(
    () => {
      session.post('Profiler.stop', (err, r) => {
        if (!err) writeFileSync(join(dir, `${basename(process.argv[1] ?? 'node')}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
      });
    },
    Number(process.env.PROF_MS ?? 10_000),
  ).unref();
}
