/** GB/T 28181-2016 SIP server side: what drivers use. */
export type { Catalog } from './catalog.js';
export { DigestAuth, digestResponse, parseAuthorization } from './digest.js';
export { SIP_LIMITS, sipLimitsSetting, type SipLimits } from './limits.js';
export { buildDeviceXml, decodeBody, parseManscdp, type CatalogItem, type Manscdp } from './manscdp.js';
export { header, parseMessage, serialize, type SipMessage, type SipRequest, type SipResponse } from './message.js';
export { GB_ID } from './registrar.js';
export { Gb28181Server, type ServerEvents, type ServerOptions } from './server.js';
export type { Peer } from './transport.js';
