/** The container mode's command line (built only: no container runtime runs on this machine). */
import { describe, expect, it } from 'vitest';
import { containerArgv } from '../../edge/apps/container.js';
import type { AppSpec } from '../../edge/apps/app-process.js';

const spec: AppSpec = {
  name: 'parking-adapter',
  version: '1.0.0',
  dir: '/opt/apps/parking-adapter',
  command: ['node', 'main.js'],
  env: { 'iot.hosting.appSecret': 'very-secret', PE_APP_DATA_DIR: '/var/lib/pe/app-data/parking-adapter', PE_APP_NAME: 'parking-adapter' },
  memoryMb: 128,
  ports: [10071],
};

describe('container command line', () => {
  it('runs the app folder read-only with its memory limit, host network, and env names only', () => {
    const argv = containerArgv(spec, { runtime: 'podman', image: 'node:20-alpine' });
    expect(argv).toEqual([
      'podman',
      'run',
      '--rm',
      '--name',
      'pe-app-parking-adapter',
      '--network',
      'host',
      '--memory',
      '128m',
      '--memory-swap',
      '128m',
      '-e',
      'PE_APP_DATA_DIR',
      '-e',
      'PE_APP_NAME',
      '-e',
      'iot.hosting.appSecret',
      '-v',
      '/opt/apps/parking-adapter:/app:ro',
      '-v',
      '/var/lib/pe/app-data/parking-adapter:/var/lib/pe/app-data/parking-adapter',
      '-w',
      '/app',
      'node:20-alpine',
      'node',
      'main.js',
    ]);
    expect(argv.join(' ')).not.toContain('very-secret');
  });

  it('refuses an image name that could be an option', () => {
    expect(() => containerArgv(spec, { runtime: 'docker', image: '--privileged' })).toThrow(RangeError);
    expect(containerArgv(spec, { runtime: 'docker', image: 'registry.local/pe/app:1.0' })[0]).toBe('docker');
  });
});
