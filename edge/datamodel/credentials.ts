/**
 * Who may call the data-model API: the apps part (edge/apps) owns the apps' keys and the models
 * each may read and write (from its manifest) and passes a lookup in. `*` in a list grants every
 * model. Insert needs the model in `write`; a query needs it in `read` or `write`.
 */
export interface AppCredentials {
  app: string;
  appSecret: string;
  read: readonly string[];
  write: readonly string[];
}

export type AppCredentialsLookup = (appKey: string) => AppCredentials | undefined;

const grants = (list: readonly string[], modelId: string): boolean => list.includes('*') || list.includes(modelId);

export const mayWrite = (c: AppCredentials, modelId: string): boolean => grants(c.write, modelId);
export const mayRead = (c: AppCredentials, modelId: string): boolean => grants(c.read, modelId) || grants(c.write, modelId);
