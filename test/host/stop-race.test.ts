/**
 * A driver that reports `ready` after its stop was sent (it had not read the stop yet) must not
 * be restarted when it then exits: the host had stopped it. Before the fix this left orphan
 * driver processes behind after many redeploys (found by the suite's leak check in the config
 * fuzz test). A scripted channel plays the child, so the order is exact.
 */
import { describe, expect, it } from 'vitest';
import { DriverProcess } from '../../edge/host/driver-process.js';
import type { ChannelEvents, ChannelFactory } from '../../edge/host/channel.js';
import type { HostToDriver } from '../../edge/host/sdk/protocol.js';
import { silentLogger } from '../../edge/log.js';
import { observeFor } from '../helpers/wait.js';
import { tmpdir } from 'node:os';

describe('driver stop racing its start', () => {
  it('a ready after the stop keeps it stopping; its end is a stop, not a crash to restart', async () => {
    const spawned: Array<{ events: ChannelEvents; sent: HostToDriver[] }> = [];
    const channel: ChannelFactory = (_target, events) => {
      const c = { events, sent: [] as HostToDriver[] };
      spawned.push(c);
      return { pid: undefined, send: (m) => void c.sent.push(m), kill: () => events.onEnd('killed') };
    };
    const states: string[] = [];
    const proc = new DriverProcess(
      { name: 'Race_Test', module: '', transport: 'mqtt', config: {}, devices: [] },
      {
        callbacks: {
          onProps: () => {},
          onEvent: () => {},
          onDeviceStatus: () => {},
          onDown: () => {},
          onState: (s) => void states.push(s),
        },
        log: silentLogger(),
        logDir: tmpdir(),
        dataDir: tmpdir(),
        mqttChannel: channel,
      },
      { restartBaseMs: 10, restartMaxMs: 20, stopTimeoutMs: 5000 },
    );
    proc.start();
    expect(spawned).toHaveLength(1);
    const stopped = proc.stop();
    expect(spawned[0]!.sent.map((m) => m.t)).toEqual(['init', 'stop']);
    spawned[0]!.events.onMessage({ t: 'ready' }); // the child finished its init before it read the stop
    expect(proc.state).toBe('stopping');
    spawned[0]!.events.onEnd('exited with code 0');
    await stopped;
    expect(proc.state).toBe('stopped');
    await observeFor(100); // quiet: no restart timer may fire (base 10 ms)
    expect(spawned).toHaveLength(1);
    expect(states).not.toContain('running');
    expect(states).not.toContain('restarting');
  });
});
