/**
 * One live convention document in the browser: the Y.Doc, its y-websocket connection to
 * `/yjs/<docName>`, the ordered clauses, who is editing which clause, and the connection state.
 * Edits made offline stay in the Y.Doc and merge when the connection returns.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';

export type ConnectionState = 'online' | 'reconnecting' | 'offline';

export interface ClauseHandle {
  id: string;
  map: Y.Map<unknown>;
  body: Y.XmlFragment;
}

export interface Editor {
  clientId: number;
  name: string;
  color: string;
  clauseId: string | null;
}

/** Custom message the document server sends once to a read-only member. */
const MESSAGE_NOTICE = 100;
const COLORS = ['#b3261e', '#0b5cad', '#146c2e', '#8a4b00', '#6b2fa3', '#00677d', '#a1145a', '#4a5d00'];

function newClauseId(): string {
  const a = new Uint8Array(9);
  crypto.getRandomValues(a);
  return 'c' + Array.from(a, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 14);
}

export class ConventionDoc {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly clausesArray: Y.Array<Y.Map<unknown>>;

  #clauses = $state<ClauseHandle[]>([]);
  #title = $state('');
  #connection = $state<ConnectionState>('reconnecting');
  #synced = $state(false);
  #readOnly = $state(false);
  #editors = $state<Editor[]>([]);

  constructor(docName: string, user: { name: string }, origin = location.origin) {
    this.clausesArray = this.doc.getArray('clauses');
    const wsUrl = origin.replace(/^http/, 'ws') + '/yjs';
    this.provider = new WebsocketProvider(wsUrl, docName, this.doc, { disableBc: true, maxBackoffTime: 5000 });
    this.provider.messageHandlers[MESSAGE_NOTICE] = (_enc, decoder) => {
      // Payload: a JSON string, e.g. {"type":"read_only"}.
      try {
        const text = decoding.readVarString(decoder);
        if (text.includes('read_only')) this.#readOnly = true;
      } catch {
        /* ignore */
      }
    };
    const color = COLORS[this.doc.clientID % COLORS.length]!;
    this.provider.awareness.setLocalStateField('user', { name: user.name, color });

    this.provider.on('status', ({ status }: { status: string }) => {
      this.#connection = status === 'connected' ? 'online' : status === 'connecting' ? 'reconnecting' : 'offline';
    });
    this.provider.on('sync', (synced: boolean) => (this.#synced = synced));
    const refresh = () => this.#refresh();
    this.clausesArray.observe(refresh);
    this.doc.getMap('meta').observe(refresh);
    this.provider.awareness.on('change', () => this.#refreshEditors());
    addEventListener('online', () => this.provider.connect());
    this.#refresh();
  }

  get clauses(): ClauseHandle[] {
    return this.#clauses;
  }
  get title(): string {
    return this.#title;
  }
  get connection(): ConnectionState {
    return this.#connection;
  }
  get synced(): boolean {
    return this.#synced;
  }
  get readOnly(): boolean {
    return this.#readOnly;
  }
  /** Other people here, with the clause each is editing. */
  get editors(): Editor[] {
    return this.#editors;
  }

  #refresh(): void {
    this.#title = String(this.doc.getMap('meta').get('title') ?? '');
    this.#clauses = this.clausesArray.toArray().flatMap((map) => {
      const id = map.get('id');
      const body = map.get('body');
      return typeof id === 'string' && body instanceof Y.XmlFragment ? [{ id, map, body }] : [];
    });
  }

  #refreshEditors(): void {
    const list: Editor[] = [];
    this.provider.awareness.getStates().forEach((s, clientId) => {
      if (clientId === this.doc.clientID || !s.user) return;
      list.push({ clientId, name: String(s.user.name ?? '?'), color: String(s.user.color ?? '#444'), clauseId: s.editing ?? null });
    });
    this.#editors = list;
  }

  /** Tells others which clause this person is editing (null: none). */
  setEditing(clauseId: string | null): void {
    this.provider.awareness.setLocalStateField('editing', clauseId);
  }

  /** Inserts an empty clause at `index` (default: the end) and returns its id. */
  addClause(index = this.clausesArray.length): string {
    const id = newClauseId();
    this.doc.transact(() => {
      const map = new Y.Map<unknown>();
      map.set('id', id);
      const body = new Y.XmlFragment();
      map.set('body', body);
      this.clausesArray.insert(index, [map]);
      body.insert(0, [new Y.XmlElement('paragraph')]);
    });
    return id;
  }

  deleteClause(id: string): void {
    const i = this.#indexOf(id);
    if (i >= 0) this.clausesArray.delete(i, 1);
  }

  /**
   * Moves a clause by id. Yjs cannot move an item, so the clause is re-inserted as a copy with the
   * same id in one transaction; an edit someone makes to that clause at the same instant is lost.
   */
  moveClause(id: string, to: number): void {
    const from = this.#indexOf(id);
    if (from < 0) return;
    const target = Math.max(0, Math.min(to, this.clausesArray.length - 1));
    if (target === from) return;
    this.doc.transact(() => {
      const copy = this.clausesArray.get(from).clone();
      this.clausesArray.delete(from, 1);
      this.clausesArray.insert(target, [copy]);
    });
  }

  #indexOf(id: string): number {
    return this.clausesArray.toArray().findIndex((clause) => clause.get('id') === id);
  }

  destroy(): void {
    this.provider.destroy();
    this.doc.destroy();
  }
}
