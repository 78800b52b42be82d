// The last model trained on the train page, kept in IndexedDB so the draw page can load it.
const DB = 'webgpu-cnn', STORE = 'models', KEY = 'last';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error(`IndexedDB: ${r.error?.message ?? 'cannot open'}`));
  });
}

function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const req = f(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => { resolve(req.result); db.close(); };
    req.onerror = () => { reject(new Error(`IndexedDB: ${req.error?.message ?? 'request failed'}`)); db.close(); };
  }));
}

export const saveLastModel = (bytes: Uint8Array, name: string) => tx('readwrite', (s) => s.put({ bytes, name, saved: Date.now() }, KEY));
export const loadLastModel = () => tx<{ bytes: Uint8Array; name: string; saved: number } | undefined>('readonly', (s) => s.get(KEY));
