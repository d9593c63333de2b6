/** The start banner names the config the box was started with, so the printed commands work as printed. */
import { describe, expect, it } from 'vitest';
import { readyBanner } from '../../edge/cli/start.js';

const runtime = {
  readyMs: 12,
  config: { http: { host: '127.0.0.1' }, bus: { host: '127.0.0.1' } },
  httpPort: 8080,
  consoleUrl: () => 'http://127.0.0.1:8080/',
  console: undefined,
  busPort: undefined,
  dataDir: '/var/lib/edge',
  files: undefined,
} as unknown as Parameters<typeof readyBanner>[0];

describe('start banner', () => {
  it('prints tail with the -c the box was started with', () => {
    expect(readyBanner(runtime, 'config/site.yaml')).toContain('npm run edge -- tail -c config/site.yaml\n');
  });
  it('quotes a path the shell would split', () => {
    expect(readyBanner(runtime, "/etc/edge/my box's.yaml")).toContain(`tail -c '/etc/edge/my box'\\''s.yaml'\n`);
  });
  it('prints no -c when none was given', () => {
    expect(readyBanner(runtime, undefined)).toContain('npm run edge -- tail\n');
  });
});
