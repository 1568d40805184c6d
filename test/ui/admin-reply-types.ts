/**
 * The admin UI declares the replies it reads (`src/ui/api/types.ts`: its build has none of the server's
 * code). This file has no tests to run: it makes `npm run typecheck` fail as soon as a reply the server
 * builds no longer satisfies what the UI expects of it.
 */
import type * as Server from '../../src/services/admin-service.js';
import type * as Ui from '../../src/ui/api/types.js';

/** Compiles only when `Actual` can stand wherever `Expected` is read. */
type Satisfies<Actual extends Expected, Expected> = [Actual, Expected];

export type AdminReplyContract = [
  Satisfies<Server.Overview, Ui.Overview>,
  Satisfies<Server.WorkerTypeDetails, Ui.WorkerTypeDetails>,
  Satisfies<Server.History, Ui.History>,
];
