/**
 * One live convention document in the browser: the Y.Doc, its y-websocket connection to
 * `/yjs/<docName>`, the ordered clauses, who is editing which clause, and the connection state.
 * Edits made offline stay in the Y.Doc and merge when the connection returns.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { readAuthMessage } from 'y-protocols/auth';

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

/** y-websocket message types: sync (its sub-types: SyncStep2 = 1, Update = 2), and auth: the
 * y-protocols permission denied the document server sends once to a read-only member. */
const MESSAGE_SYNC = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
const MESSAGE_AUTH = 2;
const COLORS = ['#b3261e', '#0b5cad', '#146c2e', '#8a4b00', '#6b2fa3', '#00677d', '#a1145a', '#4a5d00'];

function newClauseId(): string {
  const a = new Uint8Array(9);
  crypto.getRandomValues(a);
  return (
    'c' +
    Array.from(a, (b) => b.toString(36).padStart(2, '0'))
      .join('')
      .slice(0, 14)
  );
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
  /** Open IME compositions on this page; while > 0 the document is held (see `holdForComposition`). */
  #holds = 0;
  #heldIn: Uint8Array[] = [];
  #heldOut: Uint8Array[] = [];
  #heldStep2 = false;

  constructor(docName: string, user: { name: string }, origin = location.origin) {
    this.clausesArray = this.doc.getArray('clauses');
    const wsUrl = origin.replace(/^http/, 'ws') + '/yjs';
    this.provider = new WebsocketProvider(wsUrl, docName, this.doc, { disableBc: true, maxBackoffTime: 5000 });
    // Permission denied (reason `read-only`): the document is shown, edits are neither sent on nor
    // stored. Replaces y-websocket's handler, which only prints a console warning.
    this.provider.messageHandlers[MESSAGE_AUTH] = (_enc, decoder) => {
      try {
        readAuthMessage(decoder, this.doc, () => (this.#readOnly = true));
      } catch {
        /* ignore */
      }
    };
    this.#holdableSync();
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

  /**
   * Holds the document still for the length of one IME composition, as if this page were briefly
   * offline: remote updates are queued instead of applied, and local updates (the pinyin being
   * composed) are queued instead of sent. Returns the release; the last release sends the local
   * updates first, then applies the remote ones, so Yjs merges the two like any concurrent edits.
   *
   * Why: y-tiptap renders every remote update by replacing the editor's whole content. If that
   * happens during a composition, ProseMirror loses track of the composing text node and reads
   * the pinyin back as typed text ("噪zaoyin音" on every page), and the others would see (and
   * type next to) half-composed pinyin. Awareness (cursors) still flows while held.
   */
  holdForComposition(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holds > 0) return;
      const out = this.#heldOut.splice(0);
      const incoming = this.#heldIn.splice(0);
      if (out.length) this.provider._updateHandler(Y.mergeUpdates(out), null);
      if (incoming.length) Y.applyUpdate(this.doc, Y.mergeUpdates(incoming), this.provider);
      if (this.#heldStep2 && !this.provider.synced) this.provider.synced = true;
      this.#heldStep2 = false;
    };
  }

  /** Routes the provider's sync messages and local updates through the composition hold. */
  #holdableSync(): void {
    const provider = this.provider;
    const handleSync = provider.messageHandlers[MESSAGE_SYNC]!;
    provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, p, emitSynced, messageType) => {
      if (this.#holds > 0) {
        const peek = decoding.clone(decoder);
        const type = decoding.readVarUint(peek);
        if (type === SYNC_STEP2 || type === SYNC_UPDATE) {
          // Nothing is written to `encoder`, so y-websocket sends no reply.
          this.#heldIn.push(decoding.readVarUint8Array(peek));
          if (type === SYNC_STEP2 && emitSynced) this.#heldStep2 = true;
          return;
        }
      }
      handleSync(encoder, decoder, p, emitSynced, messageType);
    };
    this.doc.off('update', provider._updateHandler);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (this.#holds > 0 && origin !== provider) this.#heldOut.push(update);
      else provider._updateHandler(update, origin);
    });
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
