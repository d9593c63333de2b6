/**
 * `edge discover <kind> [--nic eth0 | <the kind's own place to look>] [--target ...] [--wait ms] [--json]`
 *
 * The one frame of the site-discovery commands: it parses the options every kind shares, checks
 * there is somewhere to look (a NIC, the kind's own option, or targets), resolves the NIC, runs
 * the kind's probe and prints what answered — as JSON or the kind's lines. Each kind is its own
 * module: `bacnet` (discover-bacnet.ts) and `onvif` (discover-onvif.ts). They work without the
 * daemon and never send to every interface or 255.255.255.255.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { nicAddress } from '../../protocols/bacnet/nic.js';
import { bacnetDiscovery } from './discover-bacnet.js';
import { onvifDiscovery } from './discover-onvif.js';

export type OptionValues = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

export interface DiscoverRequest {
  nic: NonNullable<ReturnType<typeof nicAddress>> | undefined;
  targets: string[];
  waitMs: number;
  /** The kind's own options, as given. */
  values: OptionValues;
}

export interface DiscoveryKind<Found> {
  /** The usage line of `edge discover <kind>`. */
  usage: string;
  /** Options of its own, beside --nic, --target, --wait and --json. */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Its own option that says where to look without --nic or --target (bacnet --broadcast, onvif --interface). */
  placeOption: string;
  /** The form a --target must have (checked before anything is sent). */
  target?: RegExp;
  defaultWaitMs: number;
  probe(request: DiscoverRequest): Promise<Found[]>;
  render(found: Found[]): string;
}

// Each kind's own types stay in its module; the frame handles them alike.
const KINDS: Readonly<Record<string, DiscoveryKind<unknown>>> = {
  onvif: onvifDiscovery as DiscoveryKind<unknown>,
  bacnet: bacnetDiscovery as DiscoveryKind<unknown>,
};

const usageOf = (kinds: DiscoveryKind<unknown>[]): string => kinds.map((k) => `usage: ${k.usage}\n`).join('');

export async function discoverCommand(args: string[]): Promise<number> {
  const name = args[0] ?? '';
  const kind = KINDS[name];
  if (!kind) {
    process.stderr.write(usageOf(Object.values(KINDS)));
    return 2;
  }
  const values: OptionValues = parseArgs({
    args: args.slice(1),
    allowPositionals: true,
    options: {
      ...kind.options,
      nic: { type: 'string' },
      target: { type: 'string', multiple: true },
      wait: { type: 'string', default: String(kind.defaultWaitMs) },
      json: { type: 'boolean', default: false },
    },
  }).values;
  const nicName = typeof values.nic === 'string' ? values.nic : undefined;
  const targets = [values.target ?? []].flat().filter((t): t is string => typeof t === 'string');
  const pattern = kind.target;
  if ((!nicName && !values[kind.placeOption] && targets.length === 0) || (pattern && targets.some((t) => !pattern.test(t)))) {
    process.stderr.write(usageOf([kind]));
    return 2;
  }
  const nic = nicName ? nicAddress(nicName) : undefined;
  if (nicName && !nic) {
    process.stderr.write(`edge discover ${name}: no IPv4 address on NIC ${nicName}\n`);
    return 1;
  }
  try {
    const waitMs = Math.max(100, Math.min(30_000, Number(values.wait) || kind.defaultWaitMs));
    const found = await kind.probe({ nic, targets, waitMs, values });
    process.stdout.write(values.json ? `${JSON.stringify(found, null, 1)}\n` : kind.render(found));
    return 0;
  } catch (err) {
    process.stderr.write(`edge discover ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
