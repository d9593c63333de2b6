/** The console's view of the person-elevator linkage: the same operations (and checks) as the cloud's services. */
import type { ElevatorLinkage } from '../../elevators/index.js';
import type { ElevatorsConsoleService } from '../services.js';

export function elevatorsConsoleService(e: ElevatorLinkage): ElevatorsConsoleService {
  return {
    relations: () => e.store.relations().map((r) => ({ ...r, users: e.store.usersPage(r.dataId, '', 0).total })),
    addRelation: (params) => e.api.addRelation(params, 'console'),
    updateRelation: (params) => e.api.updateRelation(params, 'console'),
    deleteRelation: (dataId) => e.api.deleteRelation({ dataId }),
    users: (dataId, like, limit) => {
      e.api.queryRelation({ dataId }); // an unknown relation is refused, not an empty list
      const page = e.store.usersPage(dataId, like, limit);
      return { total: page.total, users: page.users.map(({ expiryMs: _ms, ...u }) => u) };
    },
    saveUser: (params) => void e.api.saveUser(params),
    deleteUser: (params) => e.api.deleteUser(params),
    records: (limit, dataId) =>
      e.records.list({ limit, ...(dataId ? { dataId } : {}) }).map((r) => ({ ...r.record, dataId: r.dataId, uploaded: r.uploaded })),
  };
}
