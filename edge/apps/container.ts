/**
 * The command line of the optional container mode (docs/apps.md): the same app spec run by
 * docker or podman instead of as a plain process. Built and unit-tested only: no container
 * runtime could run here (the docker CLI without a daemon), so the supervisor does not use it yet.
 * Environment values are never put on the command line (`ps` shows it to every user): each is
 * named with `-e KEY` and the runtime takes its value from its own environment, which the
 * supervisor sets to the app's environment only.
 */
import type { AppSpec } from './app-process.js';

export type ContainerRuntime = 'docker' | 'podman';

export interface ContainerOptions {
  runtime: ContainerRuntime;
  image: string;
  /** Where the app folder is mounted (read-only) and the working directory. */
  workdir?: string;
}

const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;

/** argv for `spawn(argv[0], argv.slice(1), {env: spec.env})`; throws on an image name that is not one. */
export function containerArgv(spec: AppSpec, o: ContainerOptions): string[] {
  if (!IMAGE.test(o.image)) throw new RangeError(`not a container image name: ${JSON.stringify(o.image)}`);
  const workdir = o.workdir ?? '/app';
  const dataDir = spec.env.PE_APP_DATA_DIR;
  return [
    o.runtime,
    'run',
    '--rm',
    '--name',
    `pe-app-${spec.name}`,
    // The app reaches the bus, the data-model API and the file service on the box's loopback.
    '--network',
    'host',
    '--memory',
    `${spec.memoryMb}m`,
    '--memory-swap',
    `${spec.memoryMb}m`,
    ...Object.keys(spec.env)
      .sort()
      .flatMap((k) => ['-e', k]),
    '-v',
    `${spec.dir}:${workdir}:ro`,
    ...(dataDir ? ['-v', `${dataDir}:${dataDir}`] : []),
    '-w',
    workdir,
    o.image,
    ...spec.command,
  ];
}
