/**
 * The gateway services of hosted apps, called by the cloud on the gateway device:
 * `InvokeServiceModel {serviceModelId, method, body}` goes through the service bus's routing (so
 * cloud SaaS calls reach the same app the LAN does), `DeployApp` installs a pushed package
 * (deploy.ts).
 */
import type { Answer } from '../errors.js';
import { ALINK, answerOf, edgeError } from '../errors.js';
import type { GatewayService } from '../cloud/downlink.js';
import type { ServiceBus } from './service-bus.js';

const SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

export async function invokeServiceModel(bus: ServiceBus, params: unknown): Promise<Answer> {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const { serviceModelId, method, body } = p;
  if (typeof serviceModelId !== 'string' || !SEGMENT.test(serviceModelId))
    return answerOf(edgeError('EDGE_ERR_REQUEST_INVALID', 'serviceModelId: required'));
  if (typeof method !== 'string' || !SEGMENT.test(method)) return answerOf(edgeError('EDGE_ERR_REQUEST_INVALID', 'method: required'));
  if (typeof body !== 'object' && typeof body !== 'string')
    return answerOf(edgeError('EDGE_ERR_REQUEST_INVALID', 'body: the call envelope'));
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const answer = await bus.invoke(serviceModelId, method, bytes, 'application/json');
  const text = answer.body.toString('utf8');
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // an app answering plain text: passed on as text
  }
  // The bus's own refusals carry their code; an app's answer, whatever it says, is data.
  if (answer.origin === 'bus') {
    const e = data as { code: number; message: string };
    return { code: e.code, message: e.message };
  }
  return { code: ALINK.SUCCESS, message: 'success', data };
}

export function appGatewayServices(bus: ServiceBus, deploy?: GatewayService): Map<string, GatewayService> {
  return new Map<string, GatewayService>([
    ['InvokeServiceModel', (params) => invokeServiceModel(bus, params)],
    ...(deploy ? ([['DeployApp', deploy]] as const) : []),
  ]);
}
