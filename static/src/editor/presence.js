// Who is in the document and where: the panel at the top of the page, and the other
// people's cursors inside each editor.
//
// Presence travels through the server (`awareness` out, `presence` in), which names
// people itself: nobody can appear under somebody else's name. y-codemirror.next draws
// remote selections from an awareness object; SectionAwareness is the small part of the
// y-protocols Awareness interface it reads, filled from `presence`.

import * as Y from 'yjs'
import { format, plural } from './i18n.js'

// Keys for other people's states: negative, so they never collide with the Y.Doc's
// own client id, which the binding skips as "me".
const keys = new Map()
function keyFor (sid) {
  if (!keys.has(sid)) keys.set(sid, -(keys.size + 1))
  return keys.get(sid)
}

const MAX_ID = Number.MAX_SAFE_INTEGER
const MAX_ASSOC = 2 ** 31 - 1

function isId (value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    [value.client, value.clock].every(part => Number.isInteger(part) && part >= 0 && part <= MAX_ID)
}

// A position in this section's text as the editor sends it (Y.relativePositionToJSON);
// the same rule as the server's. Anything else, relayed by an older server or another
// process, made the remote-cursor plugin throw and stopped the editor of everyone.
function isPosition (json) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false
  if (!Object.keys(json).every(key => key === 'tname' || key === 'item' || key === 'assoc')) return false
  if (json.tname !== 'body') return false
  if ('assoc' in json && !(Number.isInteger(json.assoc) && Math.abs(json.assoc) <= MAX_ASSOC)) return false
  return !('item' in json) || isId(json.item)
}

// The other person's selection, or null when it is not one this editor can draw.
function remoteCursor (cursor) {
  if (cursor === null || typeof cursor !== 'object' || !isPosition(cursor.anchor) || !isPosition(cursor.head)) {
    return null
  }
  try {
    return {
      anchor: Y.createRelativePositionFromJSON(cursor.anchor),
      head: Y.createRelativePositionFromJSON(cursor.head)
    }
  } catch {
    return null
  }
}

export class SectionAwareness {
  constructor (doc, onLocalCursor) {
    this.doc = doc
    this.onLocalCursor = onLocalCursor
    this.local = { cursor: null }
    this.states = new Map()
    this.signature = new Map()
    this.listeners = new Set()
  }

  getStates () {
    return this.states
  }

  getLocalState () {
    return this.local
  }

  setLocalStateField (field, value) {
    this.local[field] = value
    if (field === 'cursor') this.onLocalCursor(value)
  }

  on (name, listener) {
    if (name === 'change') this.listeners.add(listener)
  }

  off (name, listener) {
    this.listeners.delete(listener)
  }

  // people: the `presence` entries of the others whose cursor is in this section.
  setPeople (people) {
    const added = []
    const updated = []
    const removed = []
    const seen = new Set()
    for (const person of people) {
      const key = keyFor(person.sid)
      seen.add(key)
      const signature = JSON.stringify([person.name, person.color, person.cursor])
      if (this.signature.get(key) === signature) continue
      const cursor = remoteCursor(person.cursor)
      this.states.set(key, { user: { name: person.name, color: person.color, colorLight: `${person.color}33` }, cursor })
      ;(this.signature.has(key) ? updated : added).push(key)
      this.signature.set(key, signature)
    }
    for (const key of [...this.states.keys()]) {
      if (!seen.has(key)) {
        this.states.delete(key)
        this.signature.delete(key)
        removed.push(key)
      }
    }
    if (added.length || updated.length || removed.length) {
      for (const listener of this.listeners) listener({ added, updated, removed }, 'presence')
    }
  }
}

export function cursorToJSON (cursor) {
  if (!cursor) return null
  return { anchor: Y.relativePositionToJSON(cursor.anchor), head: Y.relativePositionToJSON(cursor.head) }
}

// One line per person, however many tabs they have open: the most active tab wins.
function byPerson (people) {
  const chosen = new Map()
  for (const person of people) {
    const current = chosen.get(person.person_id)
    const better = !current ||
      (current.idle && !person.idle) ||
      (current.idle === person.idle && current.section_id == null && person.section_id != null)
    if (better) chosen.set(person.person_id, person)
  }
  return [...chosen.values()]
}

export class PresencePanel {
  constructor (root, i18n) {
    this.root = root
    this.i18n = i18n
    this.list = root.querySelector('[data-presence-list]')
    this.summary = root.querySelector('[data-presence-summary]')
  }

  render (people, me, sectionTitles) {
    const t = this.i18n
    const persons = byPerson(people).sort((a, b) =>
      Number(a.idle) - Number(b.idle) || a.name.localeCompare(b.name, 'it'))
    this.summary.textContent = plural(persons.length, t.presence_one, t.presence_other)
    const items = persons.map(person => {
      const item = document.createElement('li')
      item.className = 'presence__person'
      if (person.idle) item.classList.add('presence__person--idle')
      const dot = document.createElement('span')
      dot.className = 'presence__dot'
      dot.style.backgroundColor = person.color
      dot.setAttribute('aria-hidden', 'true')
      const name = document.createElement('span')
      name.className = 'presence__name'
      name.textContent = me && person.person_id === me.id ? format(t.presence_you, { name: person.name }) : person.name
      const where = document.createElement('span')
      where.className = 'presence__where'
      const title = person.section_id != null ? sectionTitles.get(person.section_id) : null
      where.textContent = title ? format(t.presence_in_section, { title }) : t.presence_in_document
      item.append(dot, name, where)
      if (person.idle) {
        const idle = document.createElement('span')
        idle.className = 'presence__idle'
        idle.textContent = t.presence_idle
        item.append(idle)
      }
      return item
    })
    this.list.replaceChildren(...items)
    this.root.hidden = false
  }
}
