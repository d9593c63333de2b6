/**
 * The simulator's WS-Discovery responder (ONVIF Core, device discovery): a Probe whose Types are empty or name
 * NetworkVideoTransmitter (or Device) is answered with one ProbeMatch relating to its MessageID.
 */
import { randomUUID } from 'node:crypto';
import { escapeXml, node, parseRequest, text } from './soap.js';
import { XMLParser } from 'fast-xml-parser';

const headerParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false });

export function probeAnswer(xml: string, me: { urn: string; xaddr: string; model: string }): string | undefined {
  const r = parseRequest(xml);
  if (r?.action !== 'Probe') return undefined;
  const types = text(r.body.Types) ?? '';
  if (types && !/NetworkVideoTransmitter|Device\b/.test(types)) return undefined;
  let messageId: string | undefined;
  try {
    messageId = text(node(node(node(headerParser.parse(xml)).Envelope).Header).MessageID);
  } catch {
    return undefined;
  }
  if (!messageId || messageId.length > 200) return undefined;
  const scopes = [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Profile/Streaming',
    `onvif://www.onvif.org/hardware/${encodeURIComponent(me.model)}`,
    'onvif://www.onvif.org/name/Uniview-SIM',
    'onvif://www.onvif.org/location/country/china',
  ].join(' ');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<SOAP-ENV:Header><wsa:MessageID>uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${escapeXml(messageId)}</wsa:RelatesTo>` +
    '<wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
    '<wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>' +
    `<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${me.urn}</wsa:Address></wsa:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${escapeXml(scopes)}</d:Scopes><d:XAddrs>${escapeXml(me.xaddr)}</d:XAddrs>` +
    '<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>'
  );
}
