import type { FastifyInstance } from 'fastify';
import type { UiPluginOptions } from '../../src/api/ui-plugin.js';
import type { Runtime } from '../../src/main.js';
import { listen } from '../../src/server.js';
import type { AdminService } from '../../src/services/admin-service.js';

export interface AdminApp {
  url: string;
  app: FastifyInstance;
  admin: AdminService;
  close(): Promise<void>;
}

/** The runtime's HTTP app as `server` serves it (API, admin endpoints, UI), listening on a free port. */
export async function startAdminApp(runtime: Runtime, ui: UiPluginOptions = {}): Promise<AdminApp> {
  const app = await runtime.buildApiApp(ui);
  const url = await listen(app, 0, '127.0.0.1');
  return { url, app, admin: runtime.admin, close: () => app.close() };
}
