// The document page's live connection (docs/protocol.md): one Socket.IO connection,
// the sections' replicas and views, the connection banner and the presence panel.

import { io } from 'socket.io-client'

import { PresencePanel } from './presence.js'
import { SectionReplica, storageAvailable } from './replica.js'
import { SectionView } from './sectionview.js'
import { fromWire } from './wire.js'

const PROTOCOL = 2
// A request unanswered for this long means the connection is dead even if the browser
// has not noticed yet (a suspended laptop, a Wi-Fi access point that dropped us): it is
// replaced, rather than leaving people typing into a connection that carries nothing.
const ACK_TIMEOUT_MS = 10000
// Cursor moves are sent at most this often; presence is not worth a frame per key.
const CURSOR_INTERVAL_MS = 200
// Without keyboard, pointer or focus activity for this long a person shows as idle.
const IDLE_AFTER_MS = 2 * 60 * 1000
const BANNER_SUCCESS_MS = 6000
const WRITING_ROLES = new Set(['facilitator', 'participant'])

// Not crypto.randomUUID: the laptop in the room serves plain HTTP on the local network,
// which is not a secure context, and getRandomValues works everywhere.
function randomId () {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  return Array.from(bytes, byte => byte.toString(16).padStart(2, '0')).join('')
}

class Banner {
  constructor (root) {
    this.root = root
    this.timer = null
    this.kind = null
  }

  show (kind, text, { autoHide = false } = {}) {
    clearTimeout(this.timer)
    if (this.kind === kind && this.root.textContent === text) return
    this.kind = kind
    const message = document.createElement('p')
    message.className = `live-banner__message live-banner__message--${kind}`
    message.textContent = text
    this.root.replaceChildren(message)
    if (autoHide) this.timer = setTimeout(() => this.hide(), BANNER_SUCCESS_MS)
  }

  hide () {
    clearTimeout(this.timer)
    this.kind = null
    this.root.replaceChildren()
  }
}

export class LiveDocument {
  constructor (config, i18n) {
    this.config = config
    this.t = i18n
    this.documentId = config.document_id
    this.clientId = randomId()
    this.sections = new Map()
    this.titles = new Map()
    this.role = config.role || null
    this.me = null
    this.joined = false
    this.wasDisconnected = false
    this.fatal = false
    this.spot = { sectionId: null, cursor: null }
    this.idle = false
    this.idleTimer = null
    this.cursorTimer = null
    this.banner = new Banner(document.getElementById('live-banner'))
    const panel = document.getElementById('live-presence')
    this.presence = panel ? new PresencePanel(panel, i18n) : null
    this.people = []
    this.socket = io({
      // Ignored by the server: a proxy in front of several server processes sends every
      // connection of one document to the same process (docs/deployment.md).
      query: { d: String(this.documentId) },
      autoConnect: false,
      withCredentials: true,
      transports: ['websocket', 'polling'],
      // A network that blocks WebSocket (some proxies do) still gets long-polling.
      tryAllTransports: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      randomizationFactor: 0.5,
      timeout: ACK_TIMEOUT_MS
    })
    const socket = this.socket
    this.transport = {
      get connected () { return socket.connected },
      ready: false,
      request: (event, payload) => this.request(event, payload)
    }
  }

  async start (mounts) {
    this.useStorage = await storageAvailable()
    await Promise.all(mounts.map(mount => this._open(mount)))
    this._listen()
    this._active()
    this.socket.connect()
  }

  async _open (mount) {
    const sectionId = Number(mount.dataset.sectionId)
    if (!Number.isInteger(sectionId) || this.sections.has(sectionId)) return
    const replica = new SectionReplica({
      documentId: this.documentId,
      sectionId,
      clientId: this.clientId,
      transport: this.transport,
      useStorage: this.useStorage
    })
    await replica.open()
    const view = new SectionView(mount, replica, {
      i18n: this.t,
      csrfToken: this.config.csrf_token,
      previewUrl: id => this.config.preview_url.replace('{id}', String(id)),
      sectionMaxBytes: this.config.section_max_bytes || null,
      pulledUrl: this.config.pulled_url || null,
      canWrite: () => WRITING_ROLES.has(this.role),
      onFocus: id => this._moveTo(id),
      onCursor: (id, cursor) => this._cursorMoved(id, cursor)
    })
    replica.onChange(what => this._replicaChanged(replica, what))
    // The server-rendered text, state and word count are the page without JavaScript;
    // the editor now shows the same, live, so the static copies would only go stale.
    const section = mount.closest('section')
    for (const stale of section ? section.querySelectorAll('.section-body, .section-meta') : []) {
      stale.hidden = true
    }
    if (view.title) this.titles.set(sectionId, view.title)
    this.sections.set(sectionId, { replica, view })
  }

  request (event, payload) {
    return new Promise((resolve, reject) => {
      const socket = this.socket
      if (!socket.connected) {
        reject(new Error('offline'))
        return
      }
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (error, reply) => {
        if (error) {
          if (socket.connected) this._replaceConnection()
          reject(error)
          return
        }
        resolve(reply)
      })
    })
  }

  // Closing the transport makes Socket.IO notice the loss and start reconnecting with
  // its usual backoff, exactly as after a dropped connection.
  _replaceConnection () {
    if (this.socket.io.engine) this.socket.io.engine.close()
  }

  // A new attempt now, instead of waiting out the current backoff delay.
  _reconnectNow () {
    if (this.socket.connected || this.fatal) return
    this.socket.disconnect()
    this.socket.connect()
  }

  _listen () {
    const socket = this.socket
    socket.on('connect', () => this._connected())
    socket.on('disconnect', reason => this._disconnected(reason))
    socket.on('connect_error', error => this._connectError(error))
    socket.on('updates', payload => {
      const section = this.sections.get(payload.section_id)
      if (section) section.replica.applyRemote(payload.updates)
    })
    socket.on('presence', payload => this._presence(payload))
    socket.on('section_state', payload => this._sectionState(payload))
    socket.on('reset', payload => this._reset(payload))
    socket.on('error', payload => this._serverError(payload))
    // Comments, amendments, votes…: the page's other parts listen on the document
    // rather than opening a second connection.
    socket.on('changed', payload => {
      document.dispatchEvent(new CustomEvent('tavolo:changed', { detail: payload }))
    })

    window.addEventListener('offline', () => this._replaceConnection())
    window.addEventListener('online', () => this._reconnectNow())
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this._reconnectNow()
        this._active()
      } else {
        this._setIdle(true)
      }
    })
    for (const name of ['keydown', 'pointerdown', 'focusin']) {
      document.addEventListener(name, () => this._active(), { passive: true })
    }
    window.addEventListener('beforeunload', event => {
      // Without IndexedDB the text lives only in this tab until the server has it; with
      // it, the last keystrokes may still be on their way to the device's store.
      for (const { replica } of this.sections.values()) {
        if (this.useStorage ? replica.writingToDevice : replica.pendingCount > 0) {
          event.preventDefault()
          return
        }
      }
    })
  }

  async _connected () {
    this.joined = false
    this.transport.ready = false
    let reply
    try {
      reply = await this.request('join', { document_id: this.documentId, protocol: PROTOCOL })
    } catch {
      return
    }
    if (!reply.ok) {
      this._failed(reply.error)
      return
    }
    this.joined = true
    this.transport.ready = true
    this.role = reply.role
    this.me = reply.me
    const listed = new Set()
    for (const info of reply.sections) {
      this.titles.set(info.id, info.title)
      const section = this.sections.get(info.id)
      if (!section) continue
      listed.add(info.id)
      section.view.configure({ title: info.title, state: info.state, editable: info.editable, wordLimit: info.word_limit, hardLimit: info.word_limit_hard })
      section.replica.storeMeta({ title: info.title, state: info.state, editable: info.editable, word_limit: info.word_limit, word_limit_hard: info.word_limit_hard })
    }
    for (const [id, section] of this.sections) {
      if (!listed.has(id)) section.view.unavailable()
    }
    await Promise.all([...listed].map(id => this._sync(this.sections.get(id).replica)))
    this._sendSpot()
    this._renderBanner()
    this._renderPresence()
  }

  async _sync (replica) {
    try {
      await replica.sync()
    } catch {
      // The connection went away meanwhile; the next `connect` syncs again.
    }
  }

  _disconnected (reason) {
    this.joined = false
    this.transport.ready = false
    this.wasDisconnected = true
    for (const { replica } of this.sections.values()) replica.connectionChanged()
    if (reason === 'io server disconnect' && !this.fatal) {
      // The server closed this connection on purpose; Socket.IO does not retry then.
      setTimeout(() => this._reconnectNow(), 1000)
    }
    this._renderBanner()
  }

  _connectError (error) {
    if (!this.socket.active) {
      // Refused by the server (not logged in, foreign origin): retrying cannot help.
      this.fatal = true
      this.banner.show('error', (error.data && error.data.message) || this.t.connection_refused)
      return
    }
    this.wasDisconnected = true
    this._renderBanner()
  }

  _failed (error) {
    const code = error && error.code
    if (code === 'rate_limited' || code === 'server_error') {
      setTimeout(() => this._replaceConnection(), 2000)
      return
    }
    // Revoked, unknown document, unsupported protocol: retrying cannot help, and the
    // message says what to do. The text on this device stays in IndexedDB.
    this.fatal = true
    this.banner.show('error', error.message)
    this.socket.disconnect()
  }

  _renderBanner () {
    if (this.fatal) return
    const t = this.t
    if (!this.socket.connected) {
      if (!this.wasDisconnected) return
      const text = !WRITING_ROLES.has(this.role)
        ? t.banner_offline_reader
        : this.useStorage ? t.banner_offline : t.banner_offline_unstored
      this.banner.show('offline', text)
      return
    }
    if (!this.wasDisconnected || !this.joined) return
    // A section whose changes the server refuses says so itself; it is not "sending".
    if ([...this.sections.values()].some(({ replica }) => replica.status === 'saving')) {
      this.banner.show('sending', t.banner_sending)
    } else {
      this.wasDisconnected = false
      this.banner.show('back', t.banner_back, { autoHide: true })
    }
  }

  _replicaChanged (replica, what) {
    if (what === 'status') this._renderBanner()
    if (what === 'rejoin') this._replaceConnection()
  }

  _sectionState ({ section_id: sectionId, state, editable, document_status: documentStatus }) {
    document.dispatchEvent(new CustomEvent('tavolo:section-state', {
      detail: { sectionId, state, documentStatus }
    }))
    const section = this.sections.get(sectionId)
    if (!section) return
    // `editable` says whether people whose role writes may write now.
    const mine = editable && WRITING_ROLES.has(this.role)
    section.view.configure({ state, editable: mine })
    section.replica.storeMeta({ state, editable: mine })
  }

  async _reset ({ section_id: sectionId, update, reason }) {
    const section = this.sections.get(sectionId)
    if (!section) return
    // Only locked, approved or frozen sections refuse edits; `section_state` says which.
    section.view.configure({ editable: false })
    section.view.showMessage(reason.message, 'warning')
    await section.replica.rebuild(fromWire(update))
    this._renderPresence()
  }

  _serverError ({ code, message, event }) {
    // A refused edit of a locked section is explained in the section by `reset`, one
    // the server could not store by the section itself, beside «Non salvato».
    if (code === 'section_locked' || this.fatal) return
    if (code === 'server_error' && event === 'update') return
    if (code === 'revoked' || code === 'logged_out') {
      this._failed({ code, message })
      return
    }
    this.banner.show('error', message, { autoHide: true })
  }

  // The whole list when this page joins, then only what changed (docs/protocol.md).
  _presence ({ people = [], gone = [], full = false }) {
    const bySid = new Map(full ? [] : this.people.map(person => [person.sid, person]))
    for (const sid of gone) bySid.delete(sid)
    for (const person of people) bySid.set(person.sid, person)
    this.people = [...bySid.values()]
    this._renderPresence()
  }

  _renderPresence () {
    const mySid = this.socket.id
    for (const [id, section] of this.sections) {
      section.view.setPeople(this.people.filter(person => person.sid !== mySid && person.section_id === id && person.cursor))
    }
    if (this.presence) this.presence.render(this.people, this.me, this.titles)
  }

  _moveTo (sectionId) {
    if (this.spot.sectionId === sectionId) return
    this.spot = { sectionId, cursor: null }
    this._sendSpot()
  }

  _cursorMoved (sectionId, cursor) {
    this.spot = { sectionId, cursor }
    if (this.cursorTimer !== null) return
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null
      this._sendSpot()
    }, CURSOR_INTERVAL_MS)
  }

  _sendSpot () {
    if (!this.joined || !this.me) return
    this.request('awareness', {
      section_id: this.spot.sectionId,
      state: { cursor: this.spot.cursor, idle: this.idle }
    }).catch(() => {})
  }

  _active () {
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this._setIdle(true), IDLE_AFTER_MS)
    if (this.idle) this._setIdle(false)
  }

  _setIdle (idle) {
    if (this.idle === idle) return
    this.idle = idle
    this._sendSpot()
  }
}
