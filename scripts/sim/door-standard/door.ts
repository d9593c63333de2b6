/**
 * A simulated door terminal speaking the device side of the standard protocol exactly: its own
 * HTTP server (the E→D endpoints), `/connect` to the edge with a correct sign, keep-alive both
 * ways, stored faces/cards/BLE cards/rules, and the D→E calls a real door makes (QR scan, card
 * swipe, alarms, intercom). Many instances run in one process: each binds its own 127.0.0.x,
 * both for its server and as the source address of its requests, so the edge sees distinct IPs.
 */
import { EventEmitter } from 'node:events';
import {
  DoorCode,
  DoorEdgeClient,
  DoorHttpServer,
  TokenTable,
  computeSign,
  failure,
  silentLog,
  success,
  type DoorLog,
  type DoorReply,
  type ElevatorCall,
  type ElevatorInfo,
  type FloorCommand,
  type Obj,
  type RunState,
  type SignMethod,
} from '../../../protocols/door-standard/index.js';
import { NO_SOURCE_LIMITS } from '../../../protocols/common/http-listener.js';
import { DoorState } from './door-state.js';
import { solidPng } from './png.js';
import { routesOf } from './routes.js';

export interface SimDoorOptions {
  sn: string;
  /** The door's IPv4 (a 127.0.0.x address for simulation). */
  ip: string;
  /** Its HTTP server port; 0 picks a free one. */
  port: number;
  mac?: string;
  /** `http://127.0.0.1:10000`. */
  edgeUrl: string;
  keepaliveS?: number;
  signMethod?: SignMethod;
  /** Send keep-alives on a timer (off in tests that drive time themselves). */
  autoKeepalive?: boolean;
  /** Most faces one queryFaces reply carries. */
  faceQueryPageSize?: number;
  log?: DoorLog;
}

export interface SimDoorEvents {
  open: [source: string];
  connected: [];
  edgeConnected: [];
  request: [path: string];
  elevatorCommand: [command: ElevatorCommand];
}

/** One elevator command as the gateway received it. */
export type ElevatorCommand =
  | { path: '/elevator/call'; value: ElevatorCall; at: number }
  | { path: '/elevator/releaseFloors' | '/elevator/activateFloor'; value: FloorCommand; at: number };

/** One photo for every pass report: building a PNG per pass would cost the sender more than the box. */
const PASS_PHOTO = solidPng();

const macFor = (ip: string): string =>
  ['02', '00', ...ip.split('.').map((n) => Number(n).toString(16).padStart(2, '0').toUpperCase())].join('-');

export class SimulatedDoor extends EventEmitter<SimDoorEvents> {
  readonly opts: Required<SimDoorOptions>;
  readonly state = new DoorState();
  readonly edge: DoorEdgeClient;
  readonly #tokens = new TokenTable<string>();
  #server: DoorHttpServer | undefined;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  /** The seed's reportRunState example (L36606-36620). */
  #runState: RunState[] = [
    { elevatorId: '01', currentFloor: '9', carState: 1, carDirection: 2 },
    { elevatorId: '02', currentFloor: '1', carState: 0, carDirection: 0 },
  ];
  #reconnecting: Promise<DoorReply> | undefined;
  /** The edge holds a valid token of ours (it completed its half of /connect). */
  edgeConnected = false;
  /** Requests received per path (tests assert on what the edge sent). */
  readonly received = new Map<string, number>();
  readonly calls: { path: string; body: Obj }[] = [];
  /** Elevator commands carried out, oldest first (elevator-gateway role). */
  readonly elevatorCommands: ElevatorCommand[] = [];
  /** Answer elevator commands with code 99 and this text (a gateway that cannot reach its cars). */
  elevatorRefuses: string | undefined;
  /** What `/elevator/info/get` answers: the seed's example (L37130-37150) unless a test sets another. */
  elevatorInfo: ElevatorInfo = {
    elevatorMode: 'ALL',
    floorInfoList: [
      {
        elevatorId: '01',
        elevatorName: 'dongti',
        isDualCardDoor: true,
        floorInfo: [
          { floor: '5', roomList: ['501', '502'] },
          { floor: '6', roomList: ['601', '602'] },
        ],
      },
    ],
  };

  constructor(options: SimDoorOptions) {
    super();
    this.opts = {
      mac: macFor(options.ip),
      keepaliveS: 30,
      signMethod: 'md5',
      autoKeepalive: true,
      faceQueryPageSize: 200,
      log: silentLog,
      ...options,
    };
    this.edge = new DoorEdgeClient({ baseUrl: this.opts.edgeUrl, localAddress: this.opts.ip });
  }

  get port(): number {
    return this.#server?.address.port ?? this.opts.port;
  }

  async start(): Promise<void> {
    // A door serves the box only: the box's own calls (card batches back to back) are never rate-limited.
    const access = {
      tokens: this.#tokens,
      open: (source: string) => this.#open(source),
      elevatorCommand: (path: ElevatorCommand['path'], value: FloorCommand | ElevatorCall) => this.#elevatorCommand(path, value),
      runState: () => this.#runState,
    };
    this.#server = new DoorHttpServer(routesOf(this, access), {
      host: this.opts.ip,
      port: this.opts.port,
      log: this.opts.log,
      ...NO_SOURCE_LIMITS,
    });
    await this.#server.listen();
  }

  async stop(): Promise<void> {
    clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    await this.#server?.close();
  }

  /** Our half of /connect (L34942-34950). Resolves with the edge's reply. */
  async connect(): Promise<DoorReply> {
    const time = Math.floor(Date.now() / 1000);
    const f = { time, mac: this.opts.mac, sn: this.opts.sn, ip: this.opts.ip };
    const reply = await this.edge.connect({
      ...f,
      keepalive: this.opts.keepaliveS,
      signMethod: this.opts.signMethod,
      sign: computeSign(this.opts.signMethod, f),
    });
    if (reply.code === 0) {
      this.emit('connected');
      if (this.opts.autoKeepalive && !this.#keepaliveTimer) {
        this.#keepaliveTimer = setInterval(() => void this.keepalive().catch(() => undefined), this.opts.keepaliveS * 1000);
        this.#keepaliveTimer.unref();
      }
    }
    return reply;
  }

  /** One heartbeat; an invalid token (code 4) means reconnect (L35059-35060). */
  async keepalive(): Promise<DoorReply> {
    const reply = await this.edge.keepalive();
    if (reply.code === DoorCode.TOKEN_INVALID) return this.connect();
    return reply;
  }

  /**
   * A request that carried `staleToken` was answered code 4 (the box restarted or revoked us):
   * connect again. Requests in flight with the same token share one /connect, because every
   * /connect supersedes the token the previous one got and a reconnect per answer would revoke
   * the tokens of its siblings in turn.
   */
  reconnect(staleToken: string | undefined): Promise<DoorReply> {
    if (this.#reconnecting) return this.#reconnecting;
    if (this.edge.token !== staleToken) return Promise.resolve(success());
    this.#reconnecting = this.connect().finally(() => (this.#reconnecting = undefined));
    return this.#reconnecting;
  }

  /**
   * Report a pass the door let through on its own (card, BLE, device-side face), without
   * consulting its whitelist or face library: load and crash tests send thousands of distinct
   * credentials. Same messages as swipeCard, bleOpen and faceMatched; a code 4 answer starts a
   * reconnect and is returned as is (the door does not resend).
   */
  async reportPass(kind: 'card' | 'ble' | 'face', id: string, similarity = '0.91'): Promise<DoorReply> {
    this.#open(kind);
    const token = this.edge.token;
    const reply =
      kind === 'card'
        ? await this.edge.cardPassEvent(id)
        : kind === 'ble'
          ? await this.edge.blePassEvent(id)
          : await this.edge.facePassEvent({ filename: 'pass.png', contentType: 'image/png', data: PASS_PHOTO }, { faceId: id, similarity });
    if (reply.code === DoorCode.TOKEN_INVALID) void this.reconnect(token).catch(() => undefined);
    return reply;
  }

  /** scanQr, reconnecting on a code 4 answer like reportPass. */
  async scanQrReconnecting(code: string): Promise<DoorReply> {
    const token = this.edge.token;
    const reply = await this.scanQr(code);
    if (reply.code === DoorCode.TOKEN_INVALID) void this.reconnect(token).catch(() => undefined);
    return reply;
  }

  /** Wait until the edge has connected back (the two-way connection is complete). */
  waitEdgeConnected(timeoutMs = 10_000): Promise<void> {
    if (this.edgeConnected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.opts.sn}: edge did not connect back in ${timeoutMs} ms`)), timeoutMs);
      this.once('edgeConnected', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  #open(source: string): void {
    this.state.opens++;
    this.emit('open', source);
  }

  /** Scan a QR code: the edge decides (L35864-35923). */
  async scanQr(code: string): Promise<DoorReply> {
    const reply = await this.edge.qrcode(code);
    if (reply.code === 0) this.#open('qrcode');
    return reply;
  }

  /** Swipe a card: the door decides from its whitelist; a pass is reported, a refusal is alarm 2. */
  async swipeCard(cardId: string): Promise<DoorReply> {
    if (!this.state.cardValid(this.state.cards, cardId)) return this.edge.alarmEvent(2, cardId);
    this.#open('card');
    return this.edge.cardPassEvent(cardId);
  }

  async bleOpen(cardId: string): Promise<DoorReply> {
    if (!this.state.cardValid(this.state.bleCards, cardId)) return this.edge.alarmEvent(3, cardId);
    this.#open('ble');
    return this.edge.blePassEvent(cardId);
  }

  /** Edge-side face compare: send a photo (L35423-35517). */
  async presentFace(photo = solidPng(), temperature?: string): Promise<DoorReply> {
    const reply = await this.edge.recognize(
      { filename: 'face.png', contentType: 'image/png', data: photo },
      { disableEdgeDetectFace: '1', ...(temperature ? { temperature } : {}) },
    );
    if (reply.code === 0) this.#open('face');
    return reply;
  }

  /** Device-side compare: a stored face matched; report the pass with the photo (L35786-35861). */
  async faceMatched(faceId: string, similarity = '0.91'): Promise<DoorReply> {
    if (!this.state.faces.has(faceId)) return failure(DoorCode.AUTH_FAILED, 'face not in the device library');
    this.#open('face');
    return this.edge.facePassEvent({ filename: 'pass.png', contentType: 'image/png', data: solidPng() }, { faceId, similarity });
  }

  raiseAlarm(alarmType: number, cardId?: string): Promise<DoorReply> {
    return this.edge.alarmEvent(alarmType, cardId);
  }

  /**
   * An elevator command the gateway carried out (§8.3-8.5), as parsed from the wire. While
   * `elevatorRefuses` is set the gateway answers 99 (other error) instead.
   */
  #elevatorCommand(path: ElevatorCommand['path'], value: FloorCommand | ElevatorCall): DoorReply {
    if (this.elevatorRefuses) return failure(DoorCode.OTHER, this.elevatorRefuses);
    const command = { path, value, at: Date.now() } as ElevatorCommand;
    this.elevatorCommands.push(command);
    this.emit('elevatorCommand', command);
    return success();
  }

  reportRunState(state: RunState[]): Promise<DoorReply> {
    this.#runState = state;
    return this.edge.reportRunState(state);
  }
}
