/** The simulated panels a test file opens, on the receiver's TCP or UDP port, all closed in one call. */
import { SimulatedPanel, type PanelOptions } from '../../scripts/sim/dc09-panel/panel.js';

export interface Panels {
  /** A panel on 127.0.0.1 (TCP unless `transport: 'udp'`), with the file's default account. */
  panel(o?: Partial<PanelOptions>): SimulatedPanel;
  closeAll(): Promise<void>;
}

export function panels(ports: () => { tcp: number; udp: number }, account: string): Panels {
  const open: SimulatedPanel[] = [];
  return {
    panel(o = {}) {
      const { tcp, udp } = ports();
      const p = new SimulatedPanel({ host: '127.0.0.1', port: o.transport === 'udp' ? udp : tcp, transport: 'tcp', account, ...o });
      open.push(p);
      return p;
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((p) => p.close()));
    },
  };
}
