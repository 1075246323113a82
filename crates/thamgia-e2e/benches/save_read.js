// `cargo xtask bench`'s saving and reading figures (form_in_browser.rs),
// evaluated in the served app's page after PouchDB: the tablet app's own
// storage code (its `bench_save_read` export) beside raw IndexedDB and
// PouchDB, the same responses, in the same page of the same browser, each
// in a database of its own: the saves in interleaved rounds, and the
// reads too (each round every way reads everything once, the order
// turning each round).
//
// Beside them, three floors for the save only, in plain JS: raw
// IndexedDB's strict put committed at once (`commit()`); the app's
// completion reading first replayed (`replica`: what the app falls back to
// when its expectation fails, and all it did before schema version 6);
// and a completion that reads nothing before it commits (`blind`), another
// design of a save without reads, beside which the app's own tells what
// its wasm and its requests add.
//
// Defines `window.thamgiaSaveRead({ responses, saved, rounds, reads, names })`,
// which resolves to `{ app, raw, pouch, raw_commit, replica, blind }`, each `{ save:
// [ms of each save], read: [ms of each read], count: responses read }`
// (the floors read nothing: `read` empty, `count` 0), and
// `window.thamgiaSaveReadCleanup(names)`, which deletes the databases.
window.thamgiaSaveReadLoaded = (() => {
  const STORE = 'responses';
  const now = () => performance.now();

  const request = (req) =>
    new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });

  const committed = (transaction) =>
    new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error('transaction aborted'));
    });

  // An open connection (the app's store) is asked to close by
  // `versionchange`, and the deletion goes on once it has: `blocked` is
  // only waited through.
  const deleteDatabase = (name) =>
    new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });

  // Saves `from..to` one after another with `saveOne(i)`, each awaited and
  // timed: the ms of each save.
  const timed = async (from, to, saveOne) => {
    const save = [];
    for (let i = from; i < to; i += 1) {
      const start = now();
      await saveOne(i);
      save.push(now() - start);
    }
    return save;
  };

  // Asks `transaction` to commit now, and resolves once it did.
  const commitNow = (transaction) => {
    const done = committed(transaction);
    transaction.commit();
    return done;
  };

  // Opens the database `name`, made by `upgrade` when it is new.
  const openDatabase = (name, upgrade) =>
    new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => upgrade(req.result);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`${name} is held open elsewhere`));
    });

  // The app's stored shapes, for the floors (src/storage/encoding.rs and
  // connection.rs): a record's JSON as UTF-8 bytes under `$json`, beside the
  // values its store's key path and indexes read; and the responses store
  // with the app's key path and indexes.
  const encoder = new TextEncoder();
  const bytes = (value) => encoder.encode(JSON.stringify(value));
  const storedResponse = (response, sync) => ({
    $json: bytes({ response, sync }),
    response: { id: response.id, updated_at: response.updated_at },
    sync: { type: sync.type },
  });
  const createResponsesStore = (db) => {
    const stored = db.createObjectStore('responses', { keyPath: 'response.id' });
    stored.createIndex('sync_state', 'sync.type');
    stored.createIndex('updated', 'response.updated_at');
  };

  // What the app keeps for a completed response waiting to be sent:
  // the response and where it is in the sync (`StoredResponse`).
  const record = (response, seq) => ({ response, sync: { type: 'waiting', seq } });

  // Each way below is opened once, saves a slice of the responses one by
  // one when asked (`save(from, to)`: each awaited, each timed), then
  // stores the rest untimed (`fill(from)`), reads every response when
  // asked (`readAll()`: timed, resolving to `{ ms, count }`), and is
  // closed. The saves and the reads of the ways are made in interleaved
  // rounds (see `thamgiaSaveRead`), so that a slower stretch of the
  // disk's flushes or of the machine falls on every way alike.

  // The app: its store saves one completed response as the fill page does
  // (saved as a draft first, untimed; then the record, its outbox entry,
  // the next seq and the seq's marker with the change of the counts, in
  // one strict transaction, without reading first) and reads every
  // response decoded into Rust values. Each slice is saved by one call of its `bench_save_read`
  // export, which opens the store before its clock starts.
  function app(name, responses) {
    const call = async (slice, saved, reads) =>
      JSON.parse(
        await window.wasmBindings.bench_save_read(name, JSON.stringify(slice), saved, reads),
      );
    // How many of the app's completions were written without reading first.
    let asExpected = 0;
    return {
      async save(from, to) {
        const figures = await call(responses.slice(from, to), to - from, 0);
        asExpected += figures.as_expected;
        return figures.save_ms;
      },
      async fill(from) {
        await call(responses.slice(from), 0, 0);
      },
      async readAll() {
        const figures = await call([], 0, 1);
        return { ms: figures.read_ms[0], count: figures.read };
      },
      asExpected: () => asExpected,
      async close() {},
    };
  }

  // Raw IndexedDB: one `put` per readwrite transaction with
  // `durability: "strict"`, awaited until it commits; `getAll()` to read.
  // With `commitAtOnce`, the transaction is asked to commit (`commit()`)
  // right after its put, instead of committing by itself once the put's
  // answer came back and nothing followed it: one round trip to the
  // browser's IndexedDB fewer.
  async function raw(name, responses, { commitAtOnce = false } = {}) {
    const database = await openDatabase(name, (db) =>
      db.createObjectStore(STORE, { keyPath: 'response.id' }),
    );
    return {
      save: (from, to) =>
        timed(from, to, (i) => {
          const transaction = database.transaction(STORE, 'readwrite', { durability: 'strict' });
          transaction.objectStore(STORE).put(record(responses[i], i + 1));
          return commitAtOnce ? commitNow(transaction) : committed(transaction);
        }),
      async fill(from) {
        const rest = database.transaction(STORE, 'readwrite');
        for (let i = from; i < responses.length; i += 1) {
          rest.objectStore(STORE).put(record(responses[i], i + 1));
        }
        await committed(rest);
      },
      async readAll() {
        const start = now();
        const all = await request(
          database.transaction(STORE, 'readonly').objectStore(STORE).getAll(),
        );
        return { ms: now() - start, count: all.length };
      },
      async close() {
        database.close();
      },
    };
  }

  // The app's completion reading first replayed in plain JS, as the app's
  // storage made it before schema version 6 when it knew what the stores
  // held (its reads and writes made at once, the reads checked before the
  // commit; now `complete_reading_first` awaits the reads before making
  // the writes): the app's three stores, key
  // paths and indexes; its records' shape (the record's JSON as UTF-8
  // bytes under `$json`, beside the values a key path or an index reads);
  // the same seven requests in the same order, made before any is awaited
  // (the stored response, the bookkeeping and the counts read; the outbox
  // entry with its copy of the response added; the response, the
  // bookkeeping and the counts written); the reads awaited, then the
  // writes, then `commit()`. The bookkeeping and the counts are kept in
  // memory, as the app's tab does, and the reads are not checked. What the
  // app adds to this is its wasm: the records encoded in Rust, and the
  // crossings into JS and the futures around each request.
  async function replica(name, responses) {
    const database = await openDatabase(name, (db) => {
      db.createObjectStore('meta');
      createResponsesStore(db);
      db.createObjectStore('outbox', { keyPath: 'seq' });
    });
    const bookkeeping = {
      client_id: '00000000-0000-4000-8000-000000000001',
      next_seq: 1,
      cursor: 0,
      last_success_ms: null,
      clock: { ms: 0, counter: 0 },
      past_client_ids: [],
      cursor_token: null,
    };
    const counts = { drafts: 0, waiting: 0, synced: 0, refused: 0 };
    return {
      save: (from, to) =>
        timed(from, to, async (i) => {
          const response = responses[i];
          const seq = bookkeeping.next_seq;
          const transaction = database.transaction(['meta', 'responses', 'outbox'], 'readwrite', {
            durability: 'strict',
          });
          const meta = transaction.objectStore('meta');
          const stored = transaction.objectStore('responses');
          const outbox = transaction.objectStore('outbox');
          const reads = [
            request(stored.get(response.id)),
            request(meta.get('sync')),
            request(meta.get('counts')),
          ];
          bookkeeping.next_seq = seq + 1;
          counts.waiting += 1;
          const sync = { type: 'waiting', seq };
          const writes = [
            request(
              outbox.add({
                $json: bytes({ seq, mutation: { seq, change: { type: 'submit_response', response } } }),
                seq,
              }),
            ),
            request(stored.put(storedResponse(response, sync))),
            request(meta.put({ $json: bytes(bookkeeping) }, 'sync')),
            request(meta.put({ $json: bytes(counts) }, 'counts')),
          ];
          for (const read of reads) {
            await read;
          }
          for (const write of writes) {
            await write;
          }
          await commitNow(transaction);
        }),
      async close() {
        database.close();
      },
    };
  }

  // A completion that reads nothing before it commits, in another design
  // than the app's (see README's performance section), where a mutation is
  // numbered when it is sent rather than when it is made. Four writes, made at once and
  // followed by `commit()`, none awaited: the response (the app's record,
  // indexes and all); its mutation, not numbered yet, under a key
  // IndexedDB's own key generator gives, so the sync can number such
  // entries in the order they were made (reading the seq counter, before
  // each push), with a unique index on the response's id, so that
  // completing a response twice fails the second transaction instead of
  // being checked by a read; a marker that the response was completed,
  // `add`ed under its id, which does the same once its entry was numbered
  // and sent; and a change of the counts, added to be summed when home
  // reads them, instead of the counts read and written.
  async function blind(name, responses) {
    const database = await openDatabase(name, (db) => {
      createResponsesStore(db);
      db.createObjectStore('unnumbered', { autoIncrement: true }).createIndex(
        'response',
        'response_id',
        { unique: true },
      );
      db.createObjectStore('completed');
      db.createObjectStore('count_changes', { autoIncrement: true });
    });
    const stores = ['responses', 'unnumbered', 'completed', 'count_changes'];
    return {
      save: (from, to) =>
        timed(from, to, (i) => {
          const response = responses[i];
          const transaction = database.transaction(stores, 'readwrite', { durability: 'strict' });
          transaction.objectStore('responses').put(storedResponse(response, { type: 'waiting' }));
          transaction
            .objectStore('unnumbered')
            .add({
              $json: bytes({ change: { type: 'submit_response', response } }),
              response_id: response.id,
            });
          transaction.objectStore('completed').add(true, response.id);
          transaction.objectStore('count_changes').add({ waiting: 1 });
          return commitNow(transaction);
        }),
      async close() {
        database.close();
      },
    };
  }

  // PouchDB (its IndexedDB adapter): one `put` per response, awaited;
  // `allDocs({ include_docs: true })` to read.
  async function pouch(name, responses) {
    const doc = (response, seq) => ({ _id: response.id, ...record(response, seq) });
    const database = new PouchDB(name);
    // Opened before any clock starts, as the others are.
    await database.info();
    return {
      save: (from, to) => timed(from, to, (i) => database.put(doc(responses[i], i + 1))),
      async fill(from) {
        for (let start = from; start < responses.length; start += 1000) {
          const batch = responses
            .slice(start, start + 1000)
            .map((response, offset) => doc(response, start + offset + 1));
          const refused = (await database.bulkDocs(batch)).find((result) => result.error);
          if (refused) {
            throw new Error(`PouchDB refused ${refused.id}: ${refused.message || refused.error}`);
          }
        }
      },
      async readAll() {
        const start = now();
        const all = await database.allDocs({ include_docs: true });
        return { ms: now() - start, count: all.rows.length };
      },
      async close() {
        await database.close();
      },
    };
  }

  async function cleanup(names) {
    for (const name of [names.app, names.raw, names.raw_commit, names.replica, names.blind, ...(names.others || [])]) {
      await deleteDatabase(name);
    }
    await new PouchDB(names.pouch).destroy();
  }

  window.thamgiaSaveReadCleanup = cleanup;
  // `saved` responses saved one by one by each way, in `rounds` rounds
  // (each way saves the round's slice in turn, the order turning each
  // round), then the rest stored by each, then everything read `reads`
  // times by each, in rounds again (each way reads once a round, the
  // order turning each round).
  window.thamgiaSaveRead = async ({ responses, saved, rounds, reads, names }) => {
    await cleanup(names);
    const ways = {
      raw: await raw(names.raw, responses),
      app: app(names.app, responses),
      pouch: await pouch(names.pouch, responses),
      raw_commit: await raw(names.raw_commit, responses, { commitAtOnce: true }),
      replica: await replica(names.replica, responses),
      blind: await blind(names.blind, responses),
    };
    const order = ['raw', 'app', 'pouch', 'raw_commit', 'replica', 'blind'];
    const save = Object.fromEntries(order.map((way) => [way, []]));
    try {
      for (let round = 0; round < rounds; round += 1) {
        const from = Math.floor((saved * round) / rounds);
        const to = Math.floor((saved * (round + 1)) / rounds);
        for (let turn = 0; turn < order.length; turn += 1) {
          const way = order[(round + turn) % order.length];
          save[way].push(...(await ways[way].save(from, to)));
        }
      }
      // The floors are for the save only: they store and read nothing more.
      const readers = ['raw', 'app', 'pouch'];
      for (const way of readers) {
        await ways[way].fill(saved);
      }
      const read = Object.fromEntries(order.map((way) => [way, []]));
      const count = Object.fromEntries(order.map((way) => [way, 0]));
      for (let round = 0; round < reads; round += 1) {
        for (let turn = 0; turn < readers.length; turn += 1) {
          const way = readers[(round + turn) % readers.length];
          const figure = await ways[way].readAll();
          read[way].push(figure.ms);
          count[way] = figure.count;
        }
      }
      return Object.fromEntries(
        order.map((way) => [
          way,
          {
            save: save[way],
            read: read[way],
            count: count[way],
            as_expected: ways[way].asExpected ? ways[way].asExpected() : 0,
          },
        ]),
      );
    } finally {
      for (const way of order) {
        await ways[way].close();
      }
    }
  };
  return true;
})();
