// `cargo xtask bench`'s saving and reading figures (form_in_browser.rs),
// evaluated in the served app's page after PouchDB: the tablet app's own
// storage code (its `bench_save_read` export) beside raw IndexedDB and
// PouchDB, the same responses, in the same page of the same browser, each
// in a database of its own: the saves in interleaved rounds, the reads
// one way after the other.
//
// Defines `window.thamgiaSaveRead({ responses, saved, rounds, reads, names })`,
// which resolves to `{ app, raw, pouch }`, each `{ save: [ms of each
// save], read: [ms of each read], count: responses read }`, and
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

  // What the app keeps for a completed response waiting to be sent:
  // the response and where it is in the sync (`StoredResponse`).
  const record = (response, seq) => ({ response, sync: { type: 'waiting', seq } });

  // Each way below is opened once, saves a slice of the responses one by
  // one when asked (`save(from, to)`: each awaited, each timed), then
  // stores the rest untimed and reads every response (`finish`), and is
  // closed. The saves of the three ways are made in interleaved rounds
  // (see `thamgiaSaveRead`), so that a slower stretch of the disk's
  // flushes falls on all three alike.

  // The app: its store saves one completed response as the fill page does
  // (the record, its outbox entry, the seq counter and the kept counts in
  // one strict transaction) and reads every response decoded into Rust
  // values. Each slice is saved by one call of its `bench_save_read`
  // export, which opens the store before its clock starts.
  function app(name, responses) {
    const call = async (slice, saved, reads) =>
      JSON.parse(
        await window.wasmBindings.bench_save_read(name, JSON.stringify(slice), saved, reads),
      );
    return {
      async save(from, to) {
        return (await call(responses.slice(from, to), to - from, 0)).save_ms;
      },
      async finish(from, reads) {
        const figures = await call(responses.slice(from), 0, reads);
        return { read: figures.read_ms, count: figures.read };
      },
      async close() {},
    };
  }

  // Raw IndexedDB: one `put` per readwrite transaction with
  // `durability: "strict"`, awaited until it commits; `getAll()` to read.
  async function raw(name, responses) {
    const database = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () =>
        req.result.createObjectStore(STORE, { keyPath: 'response.id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`${name} is held open elsewhere`));
    });
    return {
      async save(from, to) {
        const save = [];
        for (let i = from; i < to; i += 1) {
          const start = now();
          const transaction = database.transaction(STORE, 'readwrite', { durability: 'strict' });
          transaction.objectStore(STORE).put(record(responses[i], i + 1));
          await committed(transaction);
          save.push(now() - start);
        }
        return save;
      },
      async finish(from, reads) {
        const rest = database.transaction(STORE, 'readwrite');
        for (let i = from; i < responses.length; i += 1) {
          rest.objectStore(STORE).put(record(responses[i], i + 1));
        }
        await committed(rest);
        const read = [];
        let count = 0;
        for (let round = 0; round < reads; round += 1) {
          const start = now();
          const all = await request(
            database.transaction(STORE, 'readonly').objectStore(STORE).getAll(),
          );
          read.push(now() - start);
          count = all.length;
        }
        return { read, count };
      },
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
      async save(from, to) {
        const save = [];
        for (let i = from; i < to; i += 1) {
          const start = now();
          await database.put(doc(responses[i], i + 1));
          save.push(now() - start);
        }
        return save;
      },
      async finish(from, reads) {
        for (let start = from; start < responses.length; start += 1000) {
          const batch = responses
            .slice(start, start + 1000)
            .map((response, offset) => doc(response, start + offset + 1));
          const refused = (await database.bulkDocs(batch)).find((result) => result.error);
          if (refused) {
            throw new Error(`PouchDB refused ${refused.id}: ${refused.message || refused.error}`);
          }
        }
        const read = [];
        let count = 0;
        for (let round = 0; round < reads; round += 1) {
          const start = now();
          const all = await database.allDocs({ include_docs: true });
          read.push(now() - start);
          count = all.rows.length;
        }
        return { read, count };
      },
      async close() {
        await database.close();
      },
    };
  }

  async function cleanup(names) {
    for (const name of [names.app, names.raw, ...(names.others || [])]) {
      await deleteDatabase(name);
    }
    await new PouchDB(names.pouch).destroy();
  }

  window.thamgiaSaveReadCleanup = cleanup;
  // `saved` responses saved one by one by each way, in `rounds` rounds
  // (each way saves the round's slice in turn, the order turning each
  // round), then the rest stored and everything read by each way alone.
  window.thamgiaSaveRead = async ({ responses, saved, rounds, reads, names }) => {
    await cleanup(names);
    const ways = {
      raw: await raw(names.raw, responses),
      app: app(names.app, responses),
      pouch: await pouch(names.pouch, responses),
    };
    const order = ['raw', 'app', 'pouch'];
    const save = { raw: [], app: [], pouch: [] };
    try {
      for (let round = 0; round < rounds; round += 1) {
        const from = Math.floor((saved * round) / rounds);
        const to = Math.floor((saved * (round + 1)) / rounds);
        for (let turn = 0; turn < order.length; turn += 1) {
          const way = order[(round + turn) % order.length];
          save[way].push(...(await ways[way].save(from, to)));
        }
      }
      const figures = {};
      for (const way of order) {
        const { read, count } = await ways[way].finish(saved, reads);
        figures[way] = { save: save[way], read, count };
      }
      return figures;
    } finally {
      for (const way of order) {
        await ways[way].close();
      }
    }
  };
  return true;
})();
