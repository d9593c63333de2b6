/**
 * The restored config keeps what belongs to the box it lands on, not to the box that was backed
 * up: where it keeps its data and where it listens (a replacement box may sit on other ports or
 * another data folder). Everything else — drivers, devices, rules, cloud — comes from the backup.
 */
import { parseDocument } from 'yaml';

export const LOCAL_SETTINGS: ReadonlyArray<readonly string[]> = [
  ['box', 'dataDir'],
  ['http'],
  ['bus', 'host'],
  ['bus', 'port'],
  ['files', 'host'],
  ['files', 'port'],
  ['files', 'outsidePort'],
  ['files', 'publicHost'],
  ['files', 'publicPort'],
];

/** The backup's config text with the local box's listen and data settings (comments kept). */
export function withLocalSettings(backupText: string, localText: string | undefined): string {
  if (localText === undefined) return backupText;
  const doc = parseDocument(backupText);
  const local = parseDocument(localText);
  for (const path of LOCAL_SETTINGS) {
    const value = local.getIn(path, true);
    if (value !== undefined) {
      if (path.length > 1 && !doc.hasIn(path.slice(0, -1))) continue; // a section the backup does not use stays off
      doc.setIn(path, value);
    } else if (doc.hasIn(path)) doc.deleteIn(path);
  }
  return doc.toString();
}
