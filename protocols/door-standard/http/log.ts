/** The logger shape the protocol code needs; a pino logger fits it. Protocol code imports no runtime. */
export interface DoorLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLog: DoorLog = { debug() {}, info() {}, warn() {}, error() {} };
