// `cargo xtask bench`'s saving and reading figures (form_in_browser.rs),
// evaluated in the served app's page after PouchDB: the tablet app's own
// storage code (its `bench_save_read` export) beside raw IndexedDB and
// PouchDB, the same responses, in the same page of the same browser, one
// after the other, each in a database of its own.
//
// Defines `window.thamgiaSaveRead({ responses, saved, reads, names })`,
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

  // The app: its store saves one completed response as the fill page does
  // (the record, its outbox entry and the seq counter in one strict
  // transaction) and reads every response decoded into Rust values.
  async function app(name, responses, saved, reads) {
    const json = JSON.stringify(responses);
    const figures = JSON.parse(
      await window.wasmBindings.bench_save_read(name, json, saved, reads),
    );
    return { save: figures.save_ms, read: figures.read_ms, count: figures.read };
  }

  // Raw IndexedDB: one `put` per readwrite transaction with
  // `durability: "strict"`, awaited until it commits; `getAll()` to read.
  async function raw(name, responses, saved, reads) {
    const database = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () =>
        req.result.createObjectStore(STORE, { keyPath: 'response.id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`${name} is held open elsewhere`));
    });
    try {
      const save = [];
      for (let i = 0; i < saved; i += 1) {
        const start = now();
        const transaction = database.transaction(STORE, 'readwrite', { durability: 'strict' });
        transaction.objectStore(STORE).put(record(responses[i], i + 1));
        await committed(transaction);
        save.push(now() - start);
      }
      const rest = database.transaction(STORE, 'readwrite');
      for (let i = saved; i < responses.length; i += 1) {
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
      return { save, read, count };
    } finally {
      database.close();
    }
  }

  // PouchDB (its IndexedDB adapter): one `put` per response, awaited;
  // `allDocs({ include_docs: true })` to read.
  async function pouch(name, responses, saved, reads) {
    const doc = (response, seq) => ({ _id: response.id, ...record(response, seq) });
    const database = new PouchDB(name);
    try {
      // Opened before the clock starts, as the others are.
      await database.info();
      const save = [];
      for (let i = 0; i < saved; i += 1) {
        const start = now();
        await database.put(doc(responses[i], i + 1));
        save.push(now() - start);
      }
      for (let from = saved; from < responses.length; from += 1000) {
        const batch = responses
          .slice(from, from + 1000)
          .map((response, offset) => doc(response, from + offset + 1));
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
      return { save, read, count };
    } finally {
      await database.close();
    }
  }

  async function cleanup(names) {
    for (const name of [names.app, names.raw, ...(names.others || [])]) {
      await deleteDatabase(name);
    }
    await new PouchDB(names.pouch).destroy();
  }

  window.thamgiaSaveReadCleanup = cleanup;
  window.thamgiaSaveRead = async ({ responses, saved, reads, names }) => {
    await cleanup(names);
    const figures = {};
    figures.raw = await raw(names.raw, responses, saved, reads);
    figures.app = await app(names.app, responses, saved, reads);
    figures.pouch = await pouch(names.pouch, responses, saved, reads);
    return figures;
  };
  return true;
})();
