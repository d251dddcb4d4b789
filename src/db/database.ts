import {
  StatementType,
  DOUBLE,
  VARCHAR,
  DuckDBScalarFunction,
  DuckDBInstance,
  listValue,
  type DuckDBConnection,
  type DuckDBValue,
  type DuckDBAppender,
  type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import type { Logger } from '../core/log.ts';
import { silentLogger } from '../core/log.ts';
import { DbError, errorMessage } from '../core/errors.ts';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

export interface RunOptions {
  /** A short name for the step, in logs and error messages: `ingest.registration.load`. */
  step?: string;
}

export interface OpenOptions {
  readOnly?: boolean;
  logger?: Logger;
  /** DuckDB settings: threads, memory_limit, temp_directory, ... */
  settings?: Record<string, string>;
}

/**
 * The one door to DuckDB. Every statement goes through `run`/`all`, which log the step and,
 * on failure, throw a `DbError` naming the step and carrying the SQL.
 */
export class Db {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly path: string,
    readonly readOnly: boolean,
    private readonly logger: Logger,
  ) {}

  /** Opens (or creates) a database file; `:memory:` for an in-memory one. */
  static async open(path: string, options: OpenOptions = {}): Promise<Db> {
    const config: Record<string, string> = { ...(options.settings ?? {}) };
    if (options.readOnly) config['access_mode'] = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (error) {
      throw new DbError(`Cannot open database "${path}": ${errorMessage(error)}`, { path });
    }
    const conn = await instance.connect();
    return new Db(instance, conn, path, options.readOnly === true, options.logger ?? silentLogger());
  }

  /** Runs a statement (or several separated by `;` when no params) and discards the result. */
  async run(sql: string, params?: Params, options: RunOptions = {}): Promise<void> {
    await this.exec(sql, params, options, false);
  }

  /** Runs a query and returns its rows as plain JS values (numbers, strings, Dates; BIGINT as bigint). */
  async all<T = Row>(sql: string, params?: Params, options: RunOptions = {}): Promise<T[]> {
    return (await this.exec(sql, params, options, true)) as T[];
  }

  /** Runs a query and returns its rows with every value as JSON-safe text/number (money stays exact). */
  async allJson<T = Row>(sql: string, params?: Params, options: RunOptions = {}): Promise<T[]> {
    const step = options.step ?? 'query';
    const started = performance.now();
    try {
      const reader = await this.conn.runAndReadAll(sql, params);
      this.logger.debug({ step, ms: Math.round(performance.now() - started) }, 'sql');
      return reader.getRowObjectsJson() as T[];
    } catch (error) {
      throw this.wrap(error, sql, step);
    }
  }

  /** The first row of a query, or undefined. */
  async one<T = Row>(sql: string, params?: Params, options: RunOptions = {}): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params, options);
    return rows[0];
  }

  /** The kind of each statement in `sql` (SELECT, INSERT, COPY, ATTACH, ...), without running any. */
  async statementKinds(sql: string): Promise<string[]> {
    try {
      const statements = await this.conn.extractStatements(sql);
      const kinds: string[] = [];
      for (let i = 0; i < statements.count; i++) {
        const prepared = await statements.prepare(i);
        kinds.push(StatementType[prepared.statementType] ?? 'UNKNOWN');
      }
      return kinds;
    } catch (error) {
      throw this.wrap(error, sql, 'query.parse');
    }
  }

  /** Streams a query's rows as JSON-safe objects, a chunk (about 2,048 rows) at a time. */
  async *streamJson(sql: string, params?: Params, options: RunOptions = {}): AsyncGenerator<{ columns: string[]; rows: Array<Record<string, unknown>> }> {
    const step = options.step ?? 'stream';
    let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
    try {
      result = await this.conn.stream(sql, params);
    } catch (error) {
      throw this.wrap(error, sql, step);
    }
    const columns = result.columnNames();
    for await (const rows of result.yieldRowObjectJson()) yield { columns, rows };
  }

  /**
   * A query's rows as JSON-safe objects, a chunk (about 2,048 rows) at a time, from a result
   * DuckDB materialises first (within memory_limit). Unlike streamJson, a query that fails half
   * way throws instead of ending early: node-api's streaming fetch returns "no more rows" for
   * an error too (duckdb_result_error is not exposed), which would cut an export short silently.
   * Row keys and `columns` are the deduplicated column names (`a`, `a_1`).
   */
  async *chunksJson(sql: string, params?: Params, options: RunOptions = {}): AsyncGenerator<{ columns: string[]; rows: Array<Record<string, unknown>> }> {
    const step = options.step ?? 'query';
    let result: Awaited<ReturnType<DuckDBConnection['run']>>;
    try {
      result = await this.conn.run(sql, params);
    } catch (error) {
      throw this.wrap(error, sql, step);
    }
    const columns = result.deduplicatedColumnNames();
    for await (const rows of result.yieldRowObjectJson()) yield { columns, rows };
  }

  /** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    await this.run('BEGIN TRANSACTION', undefined, options);
    try {
      const result = await fn();
      await this.run('COMMIT', undefined, options);
      return result;
    } catch (error) {
      try {
        await this.conn.run('ROLLBACK');
      } catch (rollbackError) {
        this.logger.error({ err: errorMessage(rollbackError) }, 'rollback failed');
      }
      throw error;
    }
  }

  /** An appender for bulk inserts from JS (for the few tables filled from JS, such as manifests). */
  async appender(table: string): Promise<DuckDBAppender> {
    return this.conn.createAppender(table);
  }

  /**
   * Registers a JS function over text arguments as a SQL function of this connection, for the
   * few things SQL cannot do itself (character-level similarity of Chinese names: DuckDB's
   * string distances count bytes). NULL arguments give NULL without calling `fn`.
   */
  registerTextFunction(name: string, arity: number, returns: 'VARCHAR' | 'DOUBLE', fn: (...args: string[]) => string | number | null): void {
    this.conn.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        returnType: returns === 'VARCHAR' ? VARCHAR : DOUBLE,
        parameterTypes: Array.from({ length: arity }, () => VARCHAR),
        mainFunction: (_info, input, output) => {
          const vectors = Array.from({ length: arity }, (_, i) => input.getColumnVector(i));
          for (let row = 0; row < input.rowCount; row++) {
            output.setItem(row, fn(...vectors.map((v) => v.getItem(row) as string)));
          }
          output.flush();
        },
      }),
    );
  }

  /** Interrupts the statement running on this connection: it fails with an INTERRUPT error (`recon query --timeout`). */
  interrupt(): void {
    this.conn.interrupt();
  }

  /** Closes the connection and the database (flushing a file database to disk). */
  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private async exec(sql: string, params: Params | undefined, options: RunOptions, read: boolean): Promise<Row[] | undefined> {
    const step = options.step ?? 'sql';
    const started = performance.now();
    try {
      if (read) {
        const reader =
          params && !Array.isArray(params) ? await (await this.prepareNamed(sql, params)).runAndReadAll() : await this.conn.runAndReadAll(sql, params);
        const rows = reader.getRowObjectsJS() as Row[];
        this.logger.debug({ step, ms: Math.round(performance.now() - started), rows: rows.length }, 'sql');
        return rows;
      }
      if (params && !Array.isArray(params)) await this.runScript(sql, params);
      else await this.conn.run(sql, params);
      this.logger.debug({ step, ms: Math.round(performance.now() - started) }, 'sql');
      return undefined;
    } catch (error) {
      throw this.wrap(error, sql, step);
    }
  }

  /** Prepares one statement and binds the named parameters it uses (a step's parameters may hold more). */
  private async prepareNamed(sql: string, params: Record<string, DuckDBValue>): Promise<DuckDBPreparedStatement> {
    const prepared = await this.conn.prepare(sql);
    const values: Record<string, DuckDBValue> = {};
    for (let p = 1; p <= prepared.parameterCount; p++) {
      const name = prepared.parameterName(p);
      if (!(name in params)) throw new Error(`no value for parameter $${name}`);
      values[name] = params[name] as DuckDBValue;
    }
    if (prepared.parameterCount > 0) prepared.bind(values);
    return prepared;
  }

  /**
   * Runs a script of several statements with named parameters: DuckDB binds parameters to one
   * prepared statement, so each statement gets the subset of the names it uses.
   */
  private async runScript(sql: string, params: Record<string, DuckDBValue>): Promise<void> {
    const statements = await this.conn.extractStatements(sql);
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      const values: Record<string, DuckDBValue> = {};
      for (let p = 1; p <= prepared.parameterCount; p++) {
        const name = prepared.parameterName(p);
        if (!(name in params)) throw new Error(`no value for parameter $${name}`);
        values[name] = params[name] as DuckDBValue;
      }
      if (prepared.parameterCount > 0) prepared.bind(values);
      await prepared.run();
    }
  }

  private wrap(error: unknown, sql: string, step: string): DbError {
    const message = errorMessage(error);
    this.logger.debug({ step, err: message, sql: sql.slice(0, 4000) }, 'sql failed');
    return new DbError(`Database step "${step}" failed: ${message}`, { step, sql });
  }
}

/** Opens a fresh in-memory database (tests and one-off work). */
export function memoryDb(logger?: Logger): Promise<Db> {
  return Db.open(':memory:', logger ? { logger } : {});
}

/** A list of text values as one parameter (`col IN (SELECT unnest($1::VARCHAR[]))`). */
export function textList(values: readonly string[]): DuckDBValue {
  return listValue([...values]);
}
