/**
 * The client library for apps hosted on the box (docs/parking.md shows it in use): the
 * environment, the API Gateway request signer, the data-model client and the service-model
 * provider helper. It imports nothing from the box (edge/, drivers/): an app talks HTTP only.
 */
export { type AppEnv, AppEnvError, envPort, envString, readAppEnv } from './env.js';
export { DataModelClient, type DataModelClientOptions, DataModelError, type UploadTarget } from './data-model.js';
export { BodyTooLargeError, parseJson, readBody } from './http-body.js';
export { type JsonHandler, JsonServer, sendJson } from './json-server.js';
export { contentMd5, SIGNED_HEADER_NAMES, signature, signRequest, stringToSign } from './signer.js';
export {
  ENVELOPE_ERROR,
  parseEnvelope,
  type ServiceAnswer,
  type ServiceEnvelope,
  ServiceError,
  type ServiceHandler,
  ServiceServer,
  type ServiceServerOptions,
} from './service-server.js';
