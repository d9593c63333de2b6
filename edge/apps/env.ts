/**
 * The environment an app process gets, and nothing else — never the box's own (its secrets, the
 * cloud's credentials): the seed's `iot.hosting.*` variables [seed 001 L33840-33848, L39938-39946],
 * the platform's `PE_*` addresses, then the manifest's env and the config's (the config wins).
 * The platform's keys are set last, so no app or config can point an app at another's data.
 */
export interface AppEnvInput {
  name: string;
  appKey: string;
  appSecret: string;
  /** host:port of the data-model API. */
  apiDomain: string;
  dataDir: string;
  serviceBus: string;
  fileService?: string | undefined;
  manifestEnv: Readonly<Record<string, string>>;
  configEnv: Readonly<Record<string, string>>;
}

/** A fixed search path (not the daemon's): apps that run tools find the system's. */
export const APP_PATH = '/usr/local/bin:/usr/bin:/bin';

export function appEnv(i: AppEnvInput): Record<string, string> {
  return {
    PATH: APP_PATH,
    ...i.manifestEnv,
    ...i.configEnv,
    'iot.hosting.appKey': i.appKey,
    'iot.hosting.appSecret': i.appSecret,
    'iot.hosting.api.domain': i.apiDomain,
    PE_APP_NAME: i.name,
    PE_APP_DATA_DIR: i.dataDir,
    PE_SERVICE_BUS: i.serviceBus,
    ...(i.fileService ? { PE_FILE_SERVICE: i.fileService } : {}),
  };
}
