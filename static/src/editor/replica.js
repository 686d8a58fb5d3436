// One section's text in this browser: a Y.Doc kept in IndexedDB, and the changes the
// server has not acknowledged yet. Nothing here touches the page; the view listens.
//
// Every local change is written to IndexedDB by y-indexeddb before anything is sent, so
// a closed tab, a reload or a lost connection loses nothing; the server's
// acknowledgement (sent only once the change is stored there) is what makes a change
// "saved". On every (re)connection the sync step compares state vectors, so whatever
// the server lacks travels again, whether it was never sent, lost on the way, or typed
// in a previous visit to the page.

import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { fromWire, toWire } from './wire.js'

// Origin of the changes that came from the server: they are neither sent back nor undoable.
const FROM_SERVER = Symbol('server')

// Keystrokes this close together travel as one `update`: fewer frames for the room to
// relay and far below the server's per-connection rate limit.
const SEND_DELAY_MS = 50
// Offline, typing that continues within this pause is counted as one change.
const BURST_PAUSE_MS = 1000
// A transient refusal (rate limit, server error) is retried after this long.
const RETRY_MS = 2000

function storeName (documentId, sectionId) {
  return `tavolo-doc${documentId}-sec${sectionId}`
}

const PENDING_KEY = 'pending'
const META_KEY = 'meta'

let storageProbe = null

// IndexedDB can be missing or refused (some private modes): the editor then still
// works, in memory, and the page warns before it is closed with unsaved changes.
export function storageAvailable () {
  if (storageProbe === null) {
    storageProbe = new Promise(resolve => {
      try {
        const request = indexedDB.open('tavolo-probe')
        request.onsuccess = () => { request.result.close(); resolve(true) }
        request.onerror = () => resolve(false)
        request.onblocked = () => resolve(false)
      } catch {
        resolve(false)
      }
    })
  }
  return storageProbe
}

function deleteStore (name) {
  return new Promise(resolve => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })
}

function stateLacks (doc, serverVector) {
  const server = Y.decodeStateVector(serverVector)
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if ((server.get(client) || 0) < clock) return true
  }
  return false
}

export class SectionReplica {
  // transport: { connected, ready, request(event, payload) → Promise<reply> }
  constructor ({ documentId, sectionId, clientId, transport, useStorage }) {
    this.sectionId = sectionId
    this.clientId = clientId
    this.transport = transport
    this.useStorage = useStorage
    this.name = storeName(documentId, sectionId)
    this.seq = 0
    this.entries = []
    this.synced = false
    this.everSynced = false
    this.meta = {}
    this.refusal = null
    this.listeners = new Set()
    this.sendTimer = null
    this.retryTimer = null
    this.doc = null
    this.persistence = null
    // Local changes handed to IndexedDB, and how many of them it has confirmed written.
    this.deviceWrites = 0
    this.deviceWritten = 0
  }

  // Resolves once the text stored on this device (if any) is loaded.
  async open () {
    this._attach(new Y.Doc())
    if (!this.useStorage) return this
    this.persistence = new IndexeddbPersistence(this.name, this.doc)
    await this.persistence.whenSynced
    const [pending, meta] = await Promise.all([
      this.persistence.get(PENDING_KEY),
      this.persistence.get(META_KEY)
    ])
    this.meta = meta || {}
    this.everSynced = Boolean(this.meta.synced)
    if (pending > 0) {
      // Changes typed before the page was closed or reloaded: their content is in the
      // stored Y.Doc, and the next sync sends whatever of it the server lacks.
      this.entries.push({ seq: null, update: null, edits: pending, touched: 0 })
    }
    return this
  }

  get text () {
    return this.doc.getText('body')
  }

  get pendingCount () {
    return this.entries.reduce((sum, entry) => sum + entry.edits, 0)
  }

  // 'loading' before the text was ever received, 'saved' when the server acknowledged
  // every local change, 'saving' while acknowledgements are awaited online, 'offline'
  // while changes wait for a connection, 'refused' when the server will not take them.
  get status () {
    if (!this.everSynced && !this.synced) return 'loading'
    if (this.entries.length === 0) return 'saved'
    if (this.refusal) return 'refused'
    return this.transport.connected ? 'saving' : 'offline'
  }

  onChange (listener) {
    this.listeners.add(listener)
  }

  _changed (what) {
    for (const listener of this.listeners) listener(what, this)
  }

  _attach (doc) {
    this.doc = doc
    doc.getText('body')
    doc.on('update', (update, origin) => {
      if (origin === FROM_SERVER || origin === this.persistence) return
      this._record(update)
    })
  }

  // IndexedDB writes are asynchronous: a page closed a few milliseconds after a
  // keystroke could lose it. y-indexeddb writes each change in its own transaction;
  // a read of the same store begun afterwards completes only once those writes have.
  _confirmDeviceWrite () {
    const db = this.persistence && this.persistence.db
    if (!db) return
    const upTo = ++this.deviceWrites
    const check = db.transaction(['updates'], 'readonly')
    check.oncomplete = () => { this.deviceWritten = Math.max(this.deviceWritten, upTo) }
  }

  get writingToDevice () {
    return this.deviceWritten < this.deviceWrites
  }

  _record (update) {
    this._confirmDeviceWrite()
    const now = Date.now()
    const last = this.entries[this.entries.length - 1]
    if (last && last.seq === null && last.update && now - last.touched < BURST_PAUSE_MS) {
      last.update = Y.mergeUpdates([last.update, update])
      last.touched = now
    } else {
      this.entries.push({ seq: null, update, edits: 1, touched: now })
      this._storePending()
    }
    this._changed('status')
    this._scheduleSend(SEND_DELAY_MS)
  }

  _storePending () {
    if (this.persistence) this.persistence.set(PENDING_KEY, this.pendingCount)
  }

  storeMeta (meta) {
    this.meta = { ...this.meta, ...meta }
    if (this.persistence) this.persistence.set(META_KEY, this.meta)
  }

  connectionChanged () {
    if (!this.transport.connected) {
      this.synced = false
      clearTimeout(this.sendTimer)
    }
    this._changed('status')
  }

  // Sync step of the protocol: take what the server has, then give what it lacks.
  async sync () {
    const doc = this.doc
    const reply = await this.transport.request('sync', {
      section_id: this.sectionId,
      state_vector: toWire(Y.encodeStateVector(doc))
    })
    if (doc !== this.doc) return
    if (!reply.ok) {
      this._refused(reply.error)
      return
    }
    const serverVector = fromWire(reply.state_vector)
    if (this._fromAnotherHistory(serverVector)) {
      // This device kept a copy of a section the server no longer has (its database was
      // replaced, say after a rehearsal on the same laptop, and the id was reused):
      // merging it would put old text into somebody else's document.
      await this.reload()
      return
    }
    Y.applyUpdate(doc, fromWire(reply.update), FROM_SERVER)
    if (this.entries.length > 0 || stateLacks(doc, serverVector)) {
      // Whatever was sent before the connection dropped may or may not have been
      // stored: one update computed against the server's own state covers it all.
      this.entries = [{
        seq: null,
        update: Y.encodeStateAsUpdate(doc, serverVector),
        edits: Math.max(1, this.pendingCount),
        touched: 0
      }]
    }
    this.synced = true
    this.refusal = null
    this.everSynced = true
    this.storeMeta({ synced: true, serverVector: [...Y.decodeStateVector(serverVector)] })
    this._changed('synced')
    this._changed('status')
    this._send()
  }

  // A server's history only grows: a clock lower than one it reported before means
  // another history, not the same one later.
  _fromAnotherHistory (serverVector) {
    if (!this.meta.serverVector) return false
    const now = Y.decodeStateVector(serverVector)
    return this.meta.serverVector.some(([client, clock]) => (now.get(client) || 0) < clock)
  }

  applyRemote (updates) {
    Y.transact(this.doc, () => {
      for (const update of updates) Y.applyUpdate(this.doc, fromWire(update), FROM_SERVER)
    }, FROM_SERVER)
  }

  _scheduleSend (delay) {
    if (this.sendTimer !== null) return
    this.sendTimer = setTimeout(() => {
      this.sendTimer = null
      this._send()
    }, delay)
  }

  _send () {
    if (!this.transport.ready || !this.synced) return
    for (const entry of this.entries) {
      if (entry.seq !== null || entry.update === null) continue
      entry.seq = ++this.seq
      this._emit(entry, entry.seq)
    }
  }

  async _emit (entry, seq) {
    let reply
    try {
      reply = await this.transport.request('update', {
        section_id: this.sectionId,
        update: toWire(entry.update),
        client_id: this.clientId,
        seq
      })
    } catch {
      // No acknowledgement: the connection is being replaced (see live.js) and the
      // sync after reconnecting covers this update.
      return
    }
    if (!this.entries.includes(entry) || entry.seq !== seq) return
    if (reply.ok) {
      this.entries.splice(this.entries.indexOf(entry), 1)
      const recovered = this.refusal !== null
      this.refusal = null
      this._storePending()
      if (recovered) this._changed('recovered')
      this._changed('status')
      return
    }
    entry.seq = null
    this._refused(reply.error)
  }

  _refused (error) {
    const code = error && error.code
    // out_of_order: an earlier change of this replica was refused for a passing reason
    // and is still to be sent; sending both again, in order, stores them.
    if (code === 'rate_limited' || code === 'server_error' || code === 'out_of_order') {
      clearTimeout(this.retryTimer)
      this.retryTimer = setTimeout(() => this._send(), RETRY_MS)
      if (code === 'server_error' && !this.refusal) {
        // The server could not store it (its database unreachable, say): the change
        // stays here and goes again, and meanwhile the section says it is not saved,
        // with the server's words, until a change is stored.
        this.refusal = error
        this._changed('refused')
        this._changed('status')
      }
      return
    }
    if (code === 'not_joined') {
      this._changed('rejoin')
      return
    }
    if (code === 'section_locked') {
      // The server keeps the text as a proposal and sends `reset`, which rebuilds this.
      return
    }
    if (code === 'too_large' || code === 'text_too_long' || code === 'words_over_limit' ||
        code === 'bad_request' || code === 'foreign_client') {
      // The server can never store this change: show the text as it is stored, so
      // that nobody goes on writing on top of something the others do not see.
      this.refusal = error
      this._changed('refused')
      this.reload()
      return
    }
    this.refusal = error
    this._changed('refused')
    this._changed('status')
  }

  // Replaces the local replica by the server's full state.
  async reload () {
    const empty = Y.encodeStateVector(new Y.Doc())
    let reply
    try {
      reply = await this.transport.request('sync', { section_id: this.sectionId, state_vector: toWire(empty) })
    } catch {
      // Disconnected meanwhile: the sync after reconnecting decides again.
      return
    }
    if (!reply.ok) return
    this.meta = { ...this.meta, serverVector: [...Y.decodeStateVector(fromWire(reply.state_vector))], synced: true }
    this.everSynced = true
    await this.rebuild(fromWire(reply.update))
  }

  // `reset` of the protocol: drop this section's replica, its pending changes and its
  // stored copy, and start again from the server's full state.
  async rebuild (state) {
    const previous = this.doc
    const previousPersistence = this.persistence
    clearTimeout(this.sendTimer)
    this.sendTimer = null
    this.entries = []
    this.persistence = null
    const doc = new Y.Doc()
    Y.applyUpdate(doc, state, FROM_SERVER)
    this._attach(doc)
    this.synced = this.transport.ready
    this._changed('rebuilt')
    this._changed('status')
    previous.destroy()
    if (previousPersistence) {
      await previousPersistence.destroy()
      await deleteStore(this.name)
    }
    if (this.useStorage && this.doc === doc) {
      this.persistence = new IndexeddbPersistence(this.name, doc)
      await this.persistence.whenSynced
      this.persistence.set(META_KEY, this.meta)
      this._storePending()
    }
  }
}
