/** `node dist/scripts/sim/face-algo/index.js [port]`: run the simulated face algorithm service. */
import { startFaceAlgoSim } from './server.js';

const port = Number(process.argv[2] ?? 8090);
const sim = await startFaceAlgoSim({ port });
process.stdout.write(`face algorithm simulator on ${sim.url}\n`);
