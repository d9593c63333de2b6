// Discovery from a driver form: the running driver's `discover` (BACnet Who-Is, ONVIF WS-Discovery),
// the devices that answered, and one click to put a found device into the form.
import { t } from './i18n.js';
import { h, api, note, table, errorText, fill } from './core.js';

const BACNET_DEVICE_OBJECT = 8;
const safeName = (s) =>
  String(s)
    .replace(/[^A-Za-z0-9_.:@-]/g, '-')
    .slice(0, 64);

/**
 * What a found device becomes in the form: the device, and for BACnet a directed channel of the
 * driver's inline channel table (the point tables name devices by channel; seed 001 L16634-16648).
 */
export function foundToDevice(type, found, config) {
  if (type === 'bacnet-v3') {
    const name = found.objects?.find((o) => o.objectType === BACNET_DEVICE_OBJECT)?.name;
    const device = { deviceName: `BACnet-${found.deviceId}`, alias: name ?? '', custom: {} };
    const channels = Array.isArray(config.channels) ? config.channels : null;
    if (!channels || channels.some((c) => c?.deviceId === found.deviceId)) return { device };
    const like = channels[0] ?? {};
    const channel = {
      id: `bacnet-${found.deviceId}`,
      transport: 'udp',
      nic: like.nic ?? 'eth0',
      deviceId: found.deviceId,
      reportMs: like.reportMs ?? 5000,
      offlineMs: like.offlineMs ?? 50_000,
      mode: 'directed',
      maxApdu: found.maxApdu,
      address: found.address,
    };
    return { device, channels: [...channels, channel] };
  }
  if (type === 'onvif-camera')
    return { device: { deviceName: safeName(`cam-${found.ip}`), alias: found.name ?? '', custom: { ip: found.ip, port: found.port } } };
  return { device: { deviceName: safeName(found.deviceName ?? found.id ?? found.gbId ?? found.address ?? 'device'), custom: {} } };
}

function describeFound(type, f) {
  if (type === 'bacnet-v3')
    return {
      id: String(f.deviceId),
      address: f.address,
      name: f.objects?.find((o) => o.objectType === BACNET_DEVICE_OBJECT)?.name ?? '',
      extra: f.objects ? String(f.objects.length) : (f.error ?? ''),
    };
  return {
    id: String(f.deviceName ?? f.id ?? f.xaddr ?? ''),
    address: f.ip ? `${f.ip}:${f.port ?? ''}` : String(f.address ?? ''),
    name: String(f.name ?? f.model ?? ''),
    extra: f.configured ? `${t('forms.configured')}: ${f.configured}` : '',
  };
}

/** The discovery box of a deployed driver; `onFound(found)` puts one into the form. */
export function discoverPanel(driverName, type, onFound) {
  const targets = h('input#discover-targets', { placeholder: '192.168.1.20:47808', autocomplete: 'off' });
  const out = h('div#discover-result');
  const run = h('button#discover-run', { type: 'button', onclick: discover }, t('forms.discover'));
  async function discover() {
    run.disabled = true;
    fill(out, note('info', t('forms.discovering')));
    const list = targets.value
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const r = await api('POST', `/drivers/${encodeURIComponent(driverName)}/discover`, list.length ? { targets: list } : {});
      fill(
        out,
        r.devices.length === 0
          ? note('info', t('forms.noneFound'))
          : [
              h('p', t('forms.found', { n: r.devices.length })),
              h(
                'div.scroll',
                table(
                  [t('forms.id'), t('forms.address'), t('forms.alias'), t('forms.objects'), ''],
                  r.devices.map((f, i) => {
                    const d = describeFound(type, f);
                    return h(
                      'tr',
                      h('td', d.id),
                      h('td', d.address),
                      h('td', d.name),
                      h('td', d.extra),
                      h(
                        'td',
                        h(
                          'button.small',
                          {
                            id: `found-add-${i}`,
                            type: 'button',
                            onclick: () => out.append(note('ok', t('forms.foundAdded', { name: onFound(f) }))),
                          },
                          t('forms.addFound'),
                        ),
                      ),
                    );
                  }),
                  { id: 'discover-table' },
                ),
              ),
            ],
      );
    } catch (err) {
      fill(out, note('error', errorText(err)));
    } finally {
      run.disabled = false;
    }
  }
  return h(
    'details.discover#discover-box',
    h('summary', t('forms.discover')),
    h('p.muted', t('forms.discoverHint')),
    h('label', t('forms.targets'), targets),
    h('div.actions', run),
    out,
  );
}
