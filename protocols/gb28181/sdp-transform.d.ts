/** The part of sdp-transform (no published types) that ./sdp.ts uses. */
declare module 'sdp-transform' {
  export interface SdpMedia {
    type: string;
    port: number;
    protocol: string;
    payloads?: string | number;
    rtp?: Array<{ payload: number; codec: string; rate?: number }>;
    direction?: string;
    setup?: string;
    connection?: { version: number; ip: string };
  }
  export interface SessionDescription {
    origin?: { username: string; address: string };
    name?: string;
    connection?: { version: number; ip: string };
    timing?: { start: number; stop: number };
    media?: SdpMedia[];
  }
  export function parse(sdp: string): SessionDescription;
}
