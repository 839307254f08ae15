import pg from 'pg';

/** The parts of node-pg's connection a query writes the extended protocol to. */
interface Wire {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(msg: { text: string; name?: string; types?: unknown }): void;
  bind(msg: object): void;
  execute(msg: object): void;
}

/** pg.Query's members this file relies on (not in its type declarations). */
interface QueryInternals {
  name?: string;
  text?: string;
  types?: unknown;
  callback?: (err: Error | null, res?: pg.QueryResult) => void;
  requiresPreparation(): boolean;
  submit(connection: Wire): Error | null;
  handleCommandComplete(msg: { text?: string }, connection: Wire): void;
}

const QueryBase = pg.Query as unknown as new (
  config: unknown,
  values?: unknown,
  callback?: (err: Error | null, res?: pg.QueryResult) => void,
) => QueryInternals;

/**
 * A statement sent with `begin` in front of it, in one write and one reply: `begin` as an
 * extended-protocol Bind/Execute without a Sync of its own, so the statement's Sync ends both and
 * its reply is the only result. The transaction's first round trip carries its begin instead of a
 * round trip of its own (node-pg otherwise sends a query only after the previous one's reply).
 * A named statement not parsed yet is parsed before the begin: node-pg takes the first
 * ParseComplete for the statement's, and if its parse fails nothing after it runs.
 */
class BeginThenQuery extends QueryBase {
  /** For whoever counts statements by the queries a client is given: this one is two. */
  readonly beginsTransaction = true;
  private begun = false;

  override submit(connection: Wire): Error | null {
    connection.stream.cork?.();
    try {
      const name = this.name;
      if (
        name &&
        this.text &&
        connection.parsedStatements[name] === undefined &&
        !connection.submittedNamedStatements[name]
      ) {
        connection.parse({ text: this.text, name, types: this.types });
        // As node-pg records a parse it sent, so it does not send it again.
        connection.submittedNamedStatements[name] = this.text;
      }
      connection.parse({ text: 'begin', name: '' });
      connection.bind({});
      connection.execute({});
      return super.submit(connection);
    } finally {
      connection.stream.uncork?.();
    }
  }

  override handleCommandComplete(msg: { text?: string }, connection: Wire): void {
    // The first command completed is the begin's.
    if (!this.begun) {
      this.begun = true;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}

/**
 * `client` for a transaction not begun yet: its first query goes out with the `begin` (see
 * BeginThenQuery), the others as usual. `begun()` says whether a query was sent (then the caller
 * commits or rolls back); `begin()` begins it without one (before a savepoint or commit).
 */
export function beginWithFirstQuery(client: pg.PoolClient): {
  client: pg.PoolClient;
  begun(): boolean;
  begin(): Promise<void>;
} {
  let begun = false;
  const first = (config: unknown, values?: unknown): Promise<pg.QueryResult> => {
    begun = true;
    return new Promise((resolve, reject) => {
      const query = new BeginThenQuery(config, values, (err, res) => (err ? reject(err) : resolve(res!)));
      // A statement without parameters could be several (simple protocol only): begin it alone.
      if (!query.requiresPreparation()) {
        client
          .query('begin')
          .then(() => client.query(config as pg.QueryConfig, values as unknown[]))
          .then(resolve, reject);
        return;
      }
      void client.query(query as unknown as pg.Submittable);
    });
  };
  const wrapped = new Proxy(client, {
    get(target, prop) {
      if (prop === 'query' && !begun) return first;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    client: wrapped,
    begun: () => begun,
    async begin() {
      if (begun) return;
      begun = true;
      await client.query('begin');
    },
  };
}
