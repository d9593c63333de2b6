import { request } from 'node:http';

/** Read an SSE stream over a real socket until `until` matches the text received. */
export function readStream(url: string, cookie: string, until: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = request(url, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (until.test(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', (err) => (text && until.test(text) ? resolve(text) : reject(err)));
    setTimeout(() => {
      req.destroy();
      reject(new Error(`stream timed out; got: ${text.slice(0, 300)}`));
    }, timeoutMs).unref();
    req.end();
  });
}
