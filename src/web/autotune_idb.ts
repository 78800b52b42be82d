// Autotune results in the browser: IndexedDB, one record per cache key (adapter, engine
// version, kernel build). Without IndexedDB (private windows) results live for the page only.
import { memoryStore, type AutotuneStore, type CachedChoice } from '../kernels/select.js';

const DB = 'webgpu-cnn-autotune', STORE = 'choices';

function open(): Promise<IDBDatabase> {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

function request<T>(db: IDBDatabase, mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((ok, fail) => {
    const req = f(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => ok(req.result as T);
    req.onerror = () => fail(req.error);
  });
}

export function indexedDbStore(): AutotuneStore {
  if (typeof indexedDB === 'undefined') return memoryStore();
  return {
    where: `IndexedDB ${DB}`,
    load: async (key) => ((await request<Record<string, CachedChoice> | undefined>(await open(), 'readonly', (s) => s.get(key))) ?? {}),
    save: async (key, entries) => { await request(await open(), 'readwrite', (s) => s.put(entries, key)); },
  };
}
