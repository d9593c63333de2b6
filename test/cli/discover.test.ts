/**
 * The `edge discover <kind>` frame (edge/cli/discover.ts): what it refuses before any probe is
 * sent — an unknown kind (every kind's usage), nowhere to look, a target of the wrong form (the
 * kind's usage alone) and a NIC without an IPv4 address (named, exit 1). The probes themselves
 * are tested against simulators in test/bacnet/tables.test.ts and test/onvif/discovery.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { discoverCommand } from '../../edge/cli/discover.js';

describe('edge discover frame', () => {
  let err: string[];
  beforeEach(() => {
    err = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('an unknown or missing kind prints the usage of every kind and exits 2', async () => {
    expect(await discoverCommand(['modbus', '--target', '127.0.0.1'])).toBe(2);
    expect(await discoverCommand([])).toBe(2);
    const usage = err[0]!;
    expect(usage).toContain('usage: edge discover onvif [--nic eth0 | --interface ip]');
    expect(usage).toContain('usage: edge discover bacnet [--nic eth0 | --broadcast ip[:port]]');
  });

  it('nowhere to look, or a target of the wrong form, prints that kind’s usage and exits 2', async () => {
    expect(await discoverCommand(['onvif'])).toBe(2);
    expect(err.at(-1)).toBe('usage: edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]\n');
    expect(await discoverCommand(['onvif', '--target', 'http://127.0.0.1/'])).toBe(2);
    expect(await discoverCommand(['bacnet', '--wait', '100'])).toBe(2);
    expect(err.at(-1)).toMatch(/^usage: edge discover bacnet .*\n$/);
    expect(err.at(-1)).not.toContain('onvif');
  });

  it('a NIC without an IPv4 address is named, exit 1', async () => {
    expect(await discoverCommand(['onvif', '--nic', 'no-such-nic0'])).toBe(1);
    expect(await discoverCommand(['bacnet', '--nic', 'no-such-nic0'])).toBe(1);
    expect(err).toEqual([
      'edge discover onvif: no IPv4 address on NIC no-such-nic0\n',
      'edge discover bacnet: no IPv4 address on NIC no-such-nic0\n',
    ]);
  });
});
