/**
 * A device protocol's HTTP server on the shared device listener (http-listener.ts): the
 * protocol's servers (door standard, face terminals, indoor alarm units, security event API)
 * extend it and only say how they serve a request; listening, the port and closing are here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpListener, type ListenerOptions } from './http-listener.js';

export abstract class DeviceHttpServer {
  /** The shared listener: its limits in force and what it refused. */
  readonly listener: HttpListener;

  constructor(options: ListenerOptions) {
    this.listener = new HttpListener((req, res) => void this.serve(req, res), options);
  }

  /** One request, already admitted by the listener's limits; answers it whatever happens. */
  protected abstract serve(req: IncomingMessage, res: ServerResponse): Promise<void>;

  listen(): Promise<AddressInfo> {
    return this.listener.listen();
  }

  get address(): AddressInfo {
    return this.listener.address;
  }

  get port(): number {
    return this.listener.port;
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
