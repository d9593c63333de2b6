/**
 * What a protocol plugs into the EBA table machinery: its channel and point table schemas,
 * the conversion of checked rows into its driver's tables, and the check that a point can feed
 * a thing-model property. The device table is shared (devices-table.ts).
 */
import type { Property } from '../thing/tsl.js';
import type { Row, TableSpec } from './table-schema.js';

export interface EbaProfile {
  /** The driver type (folder of drivers/) whose config the tables become. */
  driverType: string;
  /** Name of the driver instance an import creates when the box config has none of this type. */
  defaultDriverName?: string;
  channels: TableSpec;
  points: TableSpec;
  /** Row keys: a channel's id, a point's id, the point's channel. */
  keys: { channelId: string; pointId: string; pointChannel: string };
  /** Why this point cannot feed this property, or undefined when it can. */
  propertyMismatch?(point: Row, property: Property): string | undefined;
  /** Checked rows → the JSON the driver reads (tables file). */
  toDriverTables(channels: Row[], points: Row[]): Record<string, unknown>;
  /** The inverse, for export. */
  fromDriverTables(tables: Record<string, unknown>): { channels: Row[]; points: Row[] };
}
