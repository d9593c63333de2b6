import type { Runtime } from '../runtime.js';
import { type CloudConfig, cloudWanted, internetProbeTarget, parseCloudConfig } from '../cloud/config.js';
import { APP_ROOT } from '../config/paths.js';
import { appTargets } from '../ota/app-target.js';
import { installDirOf } from '../ota/box-target.js';
import { OtaService, type OtaServiceDeps } from '../ota/service.js';
import { subDeviceFirmware } from '../ota/sub-devices.js';
import { InternetProbe } from '../box-health/probe.js';
import { boxR41, registerR41Metrics } from '../box-health/box.js';
import { VERSION } from '../version.js';
import { CloudLink } from '../cloud/link.js';
import { cloudOutboxWriter, type CloudOutboxTarget } from '../cloud/access-outbox.js';
import { cloudLinkView } from '../console/adapters/cloud.js';
import { accessGatewayServices } from '../access/gateway-services.js';
import { rulesGatewayServices } from '../rules/gateway-services.js';
import { backupGatewayServices } from '../backup/gateway-service.js';
import { alarmCloudOutbox } from '../rules/cloud-outbox.js';
import { recordCloudOutbox } from '../datamodel/cloud-outbox.js';
import type { Part } from './part.js';

/** The Alink link to the cloud; only with a `cloud` section, so the embedded-defaults start stays offline. */
export function cloudPart(rt: Runtime): Part | undefined {
  if (!cloudWanted(rt.config.cloud)) return undefined;
  return {
    name: 'cloud',
    start: async () => {
      const cfg = parseCloudConfig(rt.config.cloud);
      // The link and OTA need each other: OTA publishes through the link, the link subscribes OTA's topics.
      let link: CloudLink | undefined;
      const ota = cfg.ota.enabled
        ? otaService(rt, cfg, {
            publish: (topic, body) => link?.publishNow(topic, body) ?? false,
            nextId: () => link?.nextRequestId() ?? String(Date.now()),
          })
        : undefined;
      const cloud = new CloudLink(
        {
          db: rt.db,
          events: rt.events,
          registry: rt.registry,
          host: rt.host,
          log: rt.logOf('cloud'),
          config: () => rt.config,
          redeploy: (next, source) => rt.redeploy(next, source),
          publishLocal: (topic, payload, retain) =>
            rt.broker?.aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain, dup: false }, () => undefined),
          ...(ota ? { extension: ota.extension } : {}),
          gatewayServices: new Map([
            ...(rt.access ? accessGatewayServices(rt.access) : []),
            ...(rt.elevators?.gatewayServices() ?? []),
            ...(rt.rules ? rulesGatewayServices(rt.rules) : []),
            ...(rt.apps?.gatewayServices() ?? []),
            ...(rt.backups ? backupGatewayServices(rt.backups) : []),
          ]),
        },
        cfg,
      );
      link = cloud;
      rt.cloud = cloud;
      rt.ota = ota;
      await cloud.start();
      attachRecordUploads(rt, cloud);
      cloud.registerMetrics(rt.metrics.registry);
      rt.clockWarnMs = cfg.health.clockWarnMs;
      rt.internetProbe = new InternetProbe({
        target: internetProbeTarget(cfg),
        intervalMs: cfg.health.probeIntervalS * 1000,
        timeoutMs: cfg.health.probeTimeoutMs,
      });
      rt.internetProbe.start();
      registerR41Metrics(rt.metrics.registry, () => boxR41(rt));
      rt.consoleServices.cloud ??= cloudLinkView(cloud, () => boxR41(rt));
    },
    stop: async () => {
      await rt.internetProbe?.stop();
      await rt.cloud?.stop();
    },
  };
}

function otaService(rt: Runtime, cfg: CloudConfig, link: Pick<OtaServiceDeps, 'publish' | 'nextId'>): OtaService {
  return new OtaService(
    {
      log: rt.logOf('ota'),
      gateway: { productKey: cfg.productKey, deviceName: cfg.deviceName },
      version: VERSION,
      dataDir: rt.dataDir,
      baseDir: rt.baseDir,
      host: rt.host,
      ...link,
      requestRestart: () => rt.requestRestart(),
      apps: rt.apps ? appTargets(rt.apps, rt.logOf('ota')) : undefined,
      subDevices: subDeviceFirmware({
        log: rt.logOf('ota'),
        devices: () => rt.registry.list(),
        driverType: (name) => rt.host.configs.find((c) => c.name === name)?.type,
        callService: (pk, dn, id, params) => rt.host.callService(pk, dn, id, params),
        queue: rt.faceQueue,
        files: rt.files,
        terminalTimeoutMs: cfg.ota.terminalTimeoutS * 1000,
      }),
    },
    { installDir: cfg.ota.installDir ?? installDirOf(APP_ROOT), driverReadyS: cfg.ota.driverReadyS },
  );
}

interface RecordUpload {
  /** Log field and message for the records made without the cloud, queued when it is attached. */
  field: string;
  queuedMessage: string;
  acknowledged(refs: readonly string[]): void;
  attach(target: CloudOutboxTarget): number;
}

/**
 * Every record area (passes, face sync statuses, elevator calls, security and rule alarms, data-model records) writes
 * its upload into the one durable outbox in its own transaction, and learns of the cloud's acks.
 */
function attachRecordUploads(rt: Runtime, cloud: CloudLink): void {
  const { access, elevators, security, rules, dataModel } = rt;
  const uploads: Array<RecordUpload | undefined> = [
    access && {
      field: 'records',
      queuedMessage: 'pass records recorded without the cloud queued as history',
      acknowledged: (refs) => access.records.acknowledged(refs),
      attach: (target) => access.attachOutbox(cloudOutboxWriter(target)),
    },
    elevators && {
      field: 'records',
      queuedMessage: 'elevator linkage records made without the cloud queued as history',
      acknowledged: (refs) => elevators.records.acknowledged(refs),
      attach: (target) => elevators.attachOutbox(cloudOutboxWriter(target)),
    },
    security && {
      field: 'alarms',
      queuedMessage: 'security alarms stored without the cloud queued as history',
      acknowledged: (refs) => security.acknowledged(refs),
      attach: (target) => security.attachOutbox(cloudOutboxWriter(target)),
    },
    rules && {
      field: 'records',
      queuedMessage: 'alarm records raised without the cloud queued',
      acknowledged: (refs) => rules.acknowledged(refs),
      attach: (target) => rules.attachOutbox(alarmCloudOutbox(target)),
    },
    dataModel && {
      field: 'records',
      queuedMessage: 'data-model records stored without the cloud queued as history',
      acknowledged: (refs) => dataModel.acknowledged(refs),
      attach: (target) => dataModel.attachOutbox(recordCloudOutbox(target)),
    },
  ];
  const target: CloudOutboxTarget = { outbox: cloud.outbox, gateway: cloud.gateway, isOnline: () => cloud.online };
  for (const upload of uploads) {
    if (!upload) continue;
    cloud.outbox.onAcknowledged((refs) => upload.acknowledged(refs));
    const queued = upload.attach(target);
    if (queued > 0) rt.log.info({ [upload.field]: queued }, upload.queuedMessage);
  }
}
