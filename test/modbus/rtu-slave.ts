/** The RTU tests' pymodbus slave: its registers, and the gaps between the answers it sent. */
import { observeFor } from '../helpers/wait.js';
import { answerTimes } from './helpers.js';

/** The slave's table: what the main device's points read. */
export function slaveSpec(): unknown {
  return {
    hr: [
      { addr: 0, type: 'int16', value: -1234 },
      { addr: 2, type: 'uint32', value: 3123456789, wordswap: true },
      { addr: 5, type: 'float', value: 3.14159, byteswap: true },
      { addr: 8, type: 'string', value: 'PUMP-7', count: 4 },
      { addr: 13, type: 'uint16', value: 0b0100 },
    ],
    ir: [{ addr: 100, type: 'int32', value: -42 }],
    co: { '5': 1 },
    di: { '9': 1 },
  };
}

/** Gaps (ms) between consecutive answers the slave sent during the next `ms`. */
export async function answerGaps(log: string, ms: number): Promise<number[]> {
  const from = answerTimes(log).length;
  await observeFor(ms); // the measured window
  const t = answerTimes(log).slice(from);
  return t.slice(1).map((x, i) => x - t[i]!);
}
