// In a synthesis, the words that came from a lab are marked in the section's editor, and
// hovering them names their source: the lab, its section, and whether the lab changed
// them since. The server lists the passages with the words each left in the synthesis
// (`pulled_url`, app/modules/synthesis/pages.marks); here those words are looked for in
// the editor's own text, which people keep typing in: the marks follow each change at
// once, and are looked for again a moment after the typing stops. Words no longer found
// (deleted or rewritten in the synthesis) are marked no more.

import { StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView, ViewPlugin, hoverTooltip } from '@codemirror/view'

import { format } from './i18n.js'

// Looking for the words again costs one search per passage in the section's text, never
// in the whole document: done once the typing has paused this long.
const LOCATE_AFTER_MS = 300
const REFRESHED = 'tavolo:synthesis-refreshed'

// One list for every section of the page, asked again whenever the synthesis's page
// (static/src/synthesis.js) redraws its lists: a passage pulled or updated, a lab's text
// changed.
const source = {
  url: null,
  passages: [],
  listeners: new Set(),
  loading: null,

  start (url) {
    if (this.url) return
    this.url = url
    document.addEventListener(REFRESHED, () => this.load())
    this.load()
  },

  async load () {
    if (this.loading) return this.loading
    this.loading = (async () => {
      try {
        const response = await fetch(this.url, { credentials: 'same-origin' })
        if (!response.ok) return
        this.passages = (await response.json()).passages || []
        for (const listener of this.listeners) listener()
      } catch {
        // Offline: the marks stay as they were until the next redraw of the page.
      } finally {
        this.loading = null
      }
    })()
    return this.loading
  }
}

const setFound = StateEffect.define()

const markOf = Decoration.mark({ class: 'tv-pulled' })
const lineOf = Decoration.line({ class: 'tv-pulled-line' })

function decorate (doc, found) {
  const ranges = []
  for (const passage of found) {
    ranges.push(markOf.range(passage.from, passage.to))
    const last = doc.lineAt(passage.to).number
    for (let number = doc.lineAt(passage.from).number; number <= last; number++) {
      ranges.push(lineOf.range(doc.line(number).from))
    }
  }
  return Decoration.set(ranges, true)
}

// Each passage where its words are, in the editor's offsets; mapped through every change
// until the words are looked for again.
const field = StateField.define({
  create: () => ({ found: [], decorations: Decoration.none }),
  update (value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setFound)) return { found: effect.value, decorations: decorate(tr.state.doc, effect.value) }
    }
    if (!tr.docChanged) return value
    const found = value.found
      .map(p => ({ ...p, from: tr.changes.mapPos(p.from, 1), to: tr.changes.mapPos(p.to, -1) }))
      .filter(p => p.from < p.to)
    return { found, decorations: value.decorations.map(tr.changes) }
  },
  provide: f => EditorView.decorations.from(f, value => value.decorations)
})

// Where each passage's words are now: of their occurrences, the one nearest to where the
// passage was (a sentence pulled twice is two passages, each at its own place).
function locate (text, passages, before = new Map()) {
  const taken = new Set()
  const found = []
  for (const passage of passages) {
    const quote = passage.quote
    if (!quote || !quote.trim()) continue
    const near = before.get(passage.id) ?? passage.start ?? 0
    let best = -1
    for (let at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) {
      if (taken.has(at)) continue
      if (best === -1 || Math.abs(at - near) < Math.abs(best - near)) best = at
    }
    if (best === -1) continue
    taken.add(best)
    found.push({ passage, from: best, to: best + quote.length })
  }
  return found.sort((a, b) => a.from - b.from)
}

function follow (sectionId) {
  return ViewPlugin.fromClass(class {
    constructor (view) {
      this.view = view
      this.timer = null
      this.reload = () => this.locateNow()
      source.listeners.add(this.reload)
      // Not while the editor is being set up: a view cannot dispatch from its constructor.
      queueMicrotask(() => this.locateNow())
    }

    update (update) {
      if (!update.docChanged) return
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.locateNow(), LOCATE_AFTER_MS)
    }

    locateNow () {
      clearTimeout(this.timer)
      const mine = source.passages.filter(p => p.section_id === sectionId)
      const previous = this.view.state.field(field).found
      if (mine.length === 0 && previous.length === 0) return
      const before = new Map(previous.map(p => [p.passage.id, p.from]))
      const found = locate(this.view.state.doc.toString(), mine, before)
      this.view.dispatch({ effects: setFound.of(found) })
    }

    destroy () {
      clearTimeout(this.timer)
      source.listeners.delete(this.reload)
    }
  })
}

function tooltipOf (passage, t) {
  const dom = document.createElement('div')
  dom.className = 'tv-pulled-tip'
  const origin = document.createElement('p')
  origin.className = 'tv-pulled-tip__origin'
  let text = format(t.pulled_from, { lab: passage.lab, section: passage.section })
  if (passage.version) text += `, ${format(t.pulled_version, { name: passage.version })}`
  origin.textContent = text
  dom.append(origin)
  const note = { changed: t.pulled_changed, lost: t.pulled_lost }[passage.state]
  if (note) {
    const state = document.createElement('p')
    state.className = `tv-pulled-tip__state tv-pulled-tip__state--${passage.state}`
    state.textContent = note
    dom.append(state)
  }
  return { dom }
}

function hover (t) {
  return hoverTooltip((view, pos, side) => {
    const hit = view.state.field(field).found.find(p =>
      (p.from < pos || (p.from === pos && side > 0)) && (pos < p.to || (pos === p.to && side < 0)))
    if (!hit) return null
    return { pos: hit.from, end: hit.to, above: true, create: () => tooltipOf(hit.passage, t) }
  }, { hoverTime: 250 })
}

// Nothing at all in a document that is not a synthesis.
export function pulledPassages (sectionId, url, t) {
  if (!url) return []
  source.start(url)
  return [
    field,
    follow(sectionId),
    hover(t),
    EditorView.baseTheme({
      '.tv-pulled': { textDecoration: 'underline dotted #5b8bc4', textUnderlineOffset: '0.25em' },
      '.tv-pulled-line': { boxShadow: 'inset 3px 0 0 #b8cfe8' },
      '.tv-pulled-tip': { maxWidth: '24rem', padding: '0.5rem 0.75rem', fontSize: '0.875rem', lineHeight: '1.4' },
      '.tv-pulled-tip p': { margin: '0' },
      '.tv-pulled-tip p + p': { marginTop: '0.25rem' },
      '.tv-pulled-tip__state': { fontWeight: '600' },
      '.tv-pulled-tip__state--changed': { color: '#8a4b00' }
    })
  ]
}
