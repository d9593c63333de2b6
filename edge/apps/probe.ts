/**
 * Is an app's service port answering? Any HTTP answer counts (an app need not serve `/`): a
 * hung event loop accepts the connection in the kernel but never answers, which a bare TCP
 * connect would miss.
 */
import { request } from 'node:http';

export function probeHttp(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
