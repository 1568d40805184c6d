import type { WorkerType, WorkerTypeDefinition } from '../domain/worker-type.js';
import { sameDefinition } from '../domain/worker-type.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Database, Queryable } from './database.js';

export type ChangeAction = 'create' | 'update' | 'remove' | 'rollback';

export interface WorkerTypeVersion {
  version: number;
  action: ChangeAction;
  changedBy: string;
  changedAt: string;
  lastModified: string | null;
  definition: WorkerTypeDefinition | null;
}

/** What a committed change tells the rest of the system, written in the same transaction. */
export interface WorkerTypeChange {
  action: ChangeAction;
  /** What the change means to the outside world (a rollback may re-create a removed worker type). */
  event: 'created' | 'updated' | 'removed';
  workerType: string;
  /** The definition after the change; for removals, the one removed. */
  definition: WorkerTypeDefinition;
  changedBy: string;
  at: Date;
}

/** Called inside the change's transaction (event outbox, removal queue): all or nothing. */
export type ChangeListener = (tx: Queryable, change: WorkerTypeChange) => Promise<void>;

interface Row {
  name: string;
  definition: WorkerTypeDefinition;
  last_modified: Date;
  revision: number;
}

function toWorkerType(row: Row): WorkerType {
  return { ...row.definition, workerType: row.name, lastModified: row.last_modified.toISOString() };
}

/**
 * Worker type definitions and their history. Every write runs in one transaction with a row lock, so
 * concurrent updates are serialised and never lose a write, and writes its version and change listeners
 * (events, removal queue) atomically with it.
 */
export class WorkerTypeStore {
  constructor(
    private readonly db: Database,
    private readonly listeners: readonly ChangeListener[] = [],
  ) {}

  /** Reads through `tx` when given: inside a transaction, PGlite runs nothing else until it ends. */
  async get(name: string, tx: Queryable = this.db): Promise<WorkerType | undefined> {
    const rows = await tx.query<Row>('SELECT * FROM worker_types WHERE name = $1', [name]);
    return rows[0] ? toWorkerType(rows[0]) : undefined;
  }

  /**
   * In the caller's transaction: whether `name` is still defined as last modified at `lastModified`. Its
   * row is locked for share, so no change to it commits before the caller's transaction does.
   */
  async isCurrent(tx: Queryable, name: string, lastModified: string): Promise<boolean> {
    const rows = await tx.query<{ last_modified: Date }>(
      'SELECT last_modified FROM worker_types WHERE name = $1 FOR SHARE',
      [name],
    );
    return rows[0]?.last_modified.toISOString() === lastModified;
  }

  async names(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>('SELECT name FROM worker_types ORDER BY name');
    return rows.map((r) => r.name);
  }

  async all(): Promise<WorkerType[]> {
    const rows = await this.db.query<Row>('SELECT * FROM worker_types ORDER BY name');
    return rows.map(toWorkerType);
  }

  /**
   * Creates `name`, or succeeds idempotently when the same definition exists (keeping its lastModified).
   * A different existing definition is a conflict.
   */
  async create(
    name: string,
    definition: WorkerTypeDefinition,
    changedBy: string,
    now: Date,
  ): Promise<{ workerType: WorkerType; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const row = await this.insertNew(tx, name, definition, now);
      if (row) {
        await this.record(tx, row, 'create', 'created', changedBy, now);
        return { workerType: toWorkerType(row), created: true };
      }
      const existing = await this.lock(tx, name);
      if (!existing || !sameDefinition(existing.definition, definition)) {
        throw new ConflictError('WorkerType already exists with different definition', {
          error: 'WorkerType already exists with different definition',
        });
      }
      await this.notify(tx, {
        action: 'create',
        event: 'created',
        workerType: name,
        definition,
        changedBy,
        at: now,
      });
      return { workerType: toWorkerType(existing), created: false };
    });
  }

  /** Applies `change` to the stored definition (keys it names replace the stored ones). */
  async update(
    name: string,
    change: (stored: WorkerTypeDefinition) => WorkerTypeDefinition,
    changedBy: string,
    now: Date,
    action: 'update' | 'rollback' = 'update',
  ): Promise<WorkerType> {
    return this.db.transaction(async (tx) => {
      const existing = await this.lock(tx, name);
      if (!existing) throw notFound(name);
      const rows = await tx.query<Row>(
        `UPDATE worker_types SET definition = $2, last_modified = $3, revision = revision + 1
         WHERE name = $1 RETURNING *`,
        [name, JSON.stringify(change(existing.definition)), now],
      );
      const row = rows[0] as Row;
      await this.record(tx, row, action, 'updated', changedBy, now);
      return toWorkerType(row);
    });
  }

  /** Removes `name`; false when it did not exist (nothing recorded, nothing announced). */
  async remove(name: string, changedBy: string, now: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<Row>('DELETE FROM worker_types WHERE name = $1 RETURNING *', [name]);
      const row = rows[0];
      if (!row) return false;
      await tx.query(
        `INSERT INTO worker_type_versions
           (worker_type, revision, action, definition, last_modified, changed_by, changed_at)
         VALUES ($1, $2, 'remove', NULL, NULL, $3, $4)`,
        [name, row.revision + 1, changedBy, now],
      );
      await this.notify(tx, {
        action: 'remove',
        event: 'removed',
        workerType: name,
        definition: row.definition,
        changedBy,
        at: now,
      });
      return true;
    });
  }

  /** Restores the definition of `version` (re-creating the worker type if it was removed). */
  async rollback(name: string, version: number, changedBy: string, now: Date): Promise<WorkerType> {
    const target = (await this.versions(name)).find((v) => v.version === version);
    if (!target) throw new NotFoundError(`${name} has no version ${version}`);
    if (!target.definition)
      throw new ConflictError(`version ${version} of ${name} is a removal; pick another`);
    const definition = target.definition;
    if (await this.get(name)) return this.update(name, () => definition, changedBy, now, 'rollback');
    return this.db.transaction(async (tx) => {
      const row = await this.insertNew(tx, name, definition, now);
      if (!row) throw new ConflictError(`${name} was re-created concurrently; retry the rollback`);
      await this.record(tx, row, 'rollback', 'created', changedBy, now);
      return toWorkerType(row);
    });
  }

  /** Every recorded change of `name`, oldest first. */
  async versions(name: string): Promise<WorkerTypeVersion[]> {
    const rows = await this.db.query<{
      revision: number;
      action: ChangeAction;
      changed_by: string;
      changed_at: Date;
      last_modified: Date | null;
      definition: WorkerTypeDefinition | null;
    }>('SELECT * FROM worker_type_versions WHERE worker_type = $1 ORDER BY id', [name]);
    return rows.map((r) => ({
      version: r.revision,
      action: r.action,
      changedBy: r.changed_by,
      changedAt: r.changed_at.toISOString(),
      lastModified: r.last_modified ? r.last_modified.toISOString() : null,
      definition: r.definition,
    }));
  }

  /** Inserts `name` unless it exists; its revision continues the numbering of its history. */
  private async insertNew(tx: Queryable, name: string, definition: WorkerTypeDefinition, now: Date) {
    const rows = await tx.query<Row>(
      `INSERT INTO worker_types (name, definition, last_modified, revision)
       VALUES ($1, $2, $3, (SELECT coalesce(max(revision), 0) + 1 FROM worker_type_versions WHERE worker_type = $1))
       ON CONFLICT (name) DO NOTHING RETURNING *`,
      [name, JSON.stringify(definition), now],
    );
    return rows[0];
  }

  private async lock(tx: Queryable, name: string): Promise<Row | undefined> {
    const rows = await tx.query<Row>('SELECT * FROM worker_types WHERE name = $1 FOR UPDATE', [name]);
    return rows[0];
  }

  private async record(
    tx: Queryable,
    row: Row,
    action: ChangeAction,
    event: WorkerTypeChange['event'],
    changedBy: string,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO worker_type_versions
         (worker_type, revision, action, definition, last_modified, changed_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.name, row.revision, action, JSON.stringify(row.definition), row.last_modified, changedBy, now],
    );
    await this.notify(tx, {
      action,
      event,
      workerType: row.name,
      definition: row.definition,
      changedBy,
      at: now,
    });
  }

  private async notify(tx: Queryable, change: WorkerTypeChange): Promise<void> {
    for (const listener of this.listeners) await listener(tx, change);
  }
}

/** The 404 of every route about an unknown worker type, with the original's legacy keys. */
export function notFound(name: string): NotFoundError {
  return new NotFoundError(`${name} not found`, { error: 'ResourceNotFound', msg: `${name} not found` });
}
