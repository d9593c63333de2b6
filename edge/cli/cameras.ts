/**
 * `edge cameras [-c box.yaml] [--json]`: the GB28181 cameras and NVRs of the config with their
 * channels and last logged state, and the discovered list (docs/video.md).
 * `edge cameras accept <gbId> [--name N] [--alias A] [--nvr] -c box.yaml`: a discovered device or
 * channel written into the config file as a device; a running daemon applies it on SIGHUP (the
 * console's accept redeploys at once).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readBoxFile } from '../eba/apply.js';
import { ConfigError, loadConfig, parseConfig } from '../config/load.js';
import { resolve } from 'node:path';
import { AcceptError, acceptCamera, cameraView, type ConfiguredCamera } from '../video/cameras.js';

const USAGE = `usage: edge cameras [-c box.yaml] [--json]
       edge cameras accept <gbId> [--name DEVICE_NAME] [--alias ALIAS] [--nvr] -c box.yaml
`;

const line = (c: ConfiguredCamera, indent: string) =>
  `${indent}${c.gbId}  ${c.productKey}/${c.deviceName}${c.alias ? ` (${c.alias})` : ''}  ${c.state}  [${c.driver}]\n`;

export async function camerasCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        name: { type: 'string' },
        alias: { type: 'string' },
        nvr: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`edge cameras: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = values.config ?? process.env.EDGE_CONFIG;
  try {
    if (positionals[0] === 'accept') {
      const gbId = positionals[1];
      if (!gbId || !/^\d{20}$/.test(gbId) || !file) {
        process.stderr.write(`edge cameras accept needs a 20-digit GB id and the config file (-c)\n${USAGE}`);
        return 2;
      }
      const box = readBoxFile(file);
      const r = acceptCamera(box.text, cameraView(box.config, box.dataDir), gbId, {
        ...(values.name ? { name: values.name } : {}),
        ...(values.alias ? { alias: values.alias } : {}),
        ...(values.nvr ? { nvr: true } : {}),
      });
      parseConfig(r.text, box.file); // the file stays a valid config, or nothing is written
      writeFileSync(box.file, r.text);
      process.stdout.write(
        `accepted ${gbId} as ${String(r.device.productKey)}/${String(r.device.deviceName)} in driver ${r.driver}\n  config: ${box.file}\n  a running daemon applies it on SIGHUP (systemctl reload property-edge, or kill -HUP <pid>)\n`,
      );
      return 0;
    }
    if (positionals.length > 0) {
      process.stderr.write(USAGE);
      return 2;
    }
    const { config, baseDir } = loadConfig(file);
    const view = cameraView(config, resolve(baseDir, config.box.dataDir));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`configured (${view.configured.length}):\n`);
    for (const c of view.configured) {
      process.stdout.write(line(c, '  '));
      for (const ch of c.channels) process.stdout.write(line(ch, '    └ '));
    }
    process.stdout.write(`discovered (${view.discovered.length}), accept with: edge cameras accept <gbId> -c box.yaml\n`);
    for (const d of view.discovered)
      process.stdout.write(
        `  ${d.gbId}  ${d.kind}${d.parent ? ` of ${d.parent}` : ''}${d.suggestedName ? `  ${d.suggestedName}` : ''}${d.address ? `  from ${d.address}` : ''}  last seen ${new Date(d.lastSeen).toISOString()}  [${d.driver}]\n`,
      );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config ${p.path}: ${p.message} (hint: ${p.hint})\n`);
      return 1;
    }
    if (err instanceof AcceptError) {
      process.stderr.write(`edge cameras accept: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
