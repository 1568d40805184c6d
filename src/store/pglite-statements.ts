import { type PGlite, parse, protocol } from '@electric-sql/pglite';

/** Past this many distinct texts, new ones run unnamed (parsed each time) so memory stays bounded. */
const MAX_PREPARED = 256;

interface Statement {
  /** The server-side name; '' is the unnamed statement, replaced by the next Parse. */
  name: string;
  /** The parameters' type OIDs, as the server inferred them: they choose each value's serializer. */
  paramTypes: number[];
}

/**
 * Runs statements as named prepared statements, one exchange with PGlite per run.
 *
 * PGlite's own `query` parses, plans and describes the text every time, in six exchanges with the
 * WASM module (Parse, Describe, Bind, Describe, Execute, Sync), each with its own fixed cost. Our
 * stores send the same few dozen texts over and over, so the text is parsed and described once
 * (types learned then) and each run is Bind + Describe + Execute + Sync in one message: 2 to 2.5×
 * less CPU a statement. Values are serialized and rows parsed by PGlite's own serializers and
 * parsers, exactly as its `query` does (its `blob` option, for COPY to and from files, is not offered: no
 * store uses it). The caller holds PGlite's query lock.
 */
export class PgliteStatements {
  private readonly prepared = new Map<string, Statement>();
  private nextId = 0;

  constructor(private readonly db: PGlite) {}

  /**
   * `retryStalePlan`: a statement whose result columns changed under it (ALTER TABLE of a
   * `SELECT *`) fails once with "cached plan must not change result type"; outside a transaction it
   * is prepared again and rerun. Inside one the transaction is already aborted, so it only forgets it.
   */
  async run<Row>(sql: string, params: readonly unknown[], retryStalePlan: boolean): Promise<Row[]> {
    const statement = this.prepared.get(sql) ?? (await this.prepare(sql));
    try {
      return await this.execute<Row>(statement, params);
    } catch (error) {
      if (!isStalePlan(error)) throw withQuery(error, sql);
      await this.forget(sql);
      if (!retryStalePlan) throw withQuery(error, sql);
      const again = await this.prepare(sql);
      return this.execute<Row>(again, params).catch((retryError: unknown) => {
        throw withQuery(retryError, sql);
      });
    }
  }

  /** How many texts are prepared now (for tests). */
  get size(): number {
    return this.prepared.size;
  }

  private async prepare(sql: string): Promise<Statement> {
    const name = this.prepared.size < MAX_PREPARED ? `aws_provisioner_${this.nextId++}` : '';
    const s = protocol.serialize;
    let messages: Awaited<ReturnType<PGlite['execProtocol']>>['messages'];
    try {
      ({ messages } = await this.db.execProtocol(
        Buffer.concat([s.parse({ name, text: sql }), s.describe({ type: 'S', name }), s.sync()]),
        { syncToFs: false },
      ));
    } catch (error) {
      throw withQuery(error, sql);
    }
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    if (name !== '') this.prepared.set(sql, statement);
    return statement;
  }

  private async execute<Row>(statement: Statement, params: readonly unknown[]): Promise<Row[]> {
    const s = protocol.serialize;
    const values = params.map((value, index) => this.serialize(value, statement.paramTypes[index]));
    const { messages } = await this.db.execProtocol(
      Buffer.concat([
        s.bind({ statement: statement.name, values }),
        s.describe({ type: 'P' }),
        s.execute({}),
        s.sync(),
      ]),
      { syncToFs: false },
    );
    return (parse.parseResults(messages, this.db.parsers)[0]?.rows ?? []) as Row[];
  }

  /** What PGlite's `query` does with a value: its serializer for the parameter's type, else toString. */
  private serialize(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.db.serializers[type];
    return serializer ? serializer(value) : String(value);
  }

  private async forget(sql: string): Promise<void> {
    const statement = this.prepared.get(sql);
    if (!statement) return;
    this.prepared.delete(sql);
    const s = protocol.serialize;
    await this.db.execProtocol(Buffer.concat([s.close({ type: 'S', name: statement.name }), s.sync()]), {
      syncToFs: false,
      throwOnError: false,
    });
  }
}

/** SQLSTATE 0A000 (feature not supported) is also raised for other things; the message tells. */
function isStalePlan(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === '0A000' &&
    error.message.includes('cached plan must not change result type')
  );
}

/**
 * Names the statement on the error, as PGlite's `query` does; unlike it, never the parameters, which
 * can hold secrets and would reach the logs with the error.
 */
function withQuery(error: unknown, sql: string): unknown {
  if (error instanceof Error) Object.assign(error, { query: sql });
  return error;
}
