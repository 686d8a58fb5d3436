// Commented passages, highlighted in the section's editor. The comments list (rendered
// by the server, see templates/comments/) says where each open thread's passage is, in
// code points of the text the server holds; here those spans become marks that follow
// the text as people type, until the list is rendered again with fresh positions.
// A click on "Mostra nel testo" beside a comment scrolls the editor to its passage.

import { StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView, ViewPlugin } from '@codemirror/view'

const setPassages = StateEffect.define()
const setCurrent = StateEffect.define()

const mark = Decoration.mark({ class: 'tv-annotation' })
const currentMark = Decoration.mark({ class: 'tv-annotation tv-annotation--current' })

// Code points (the server's unit) to UTF-16 offsets (CodeMirror's), clamped to the text.
function toOffsets (text, spans) {
  const wanted = new Set(spans.flatMap(s => [s.start, s.end]))
  const offsets = new Map()
  let points = 0
  let units = 0
  for (const char of text) {
    if (wanted.has(points)) offsets.set(points, units)
    points += 1
    units += char.length
  }
  const at = point => offsets.get(point) ?? Math.min(units, text.length)
  return spans
    .map(s => ({ id: s.id, from: at(s.start), to: at(s.end) }))
    .filter(s => s.from < s.to)
}

function build (passages, current) {
  const ranges = passages
    .map(p => (p.id === current ? currentMark : mark).range(p.from, p.to))
    .sort((a, b) => a.from - b.from || a.to - b.to)
  return Decoration.set(ranges)
}

const field = StateField.define({
  create: () => ({ passages: [], current: null, decorations: Decoration.none }),
  update (value, tr) {
    let { passages, current } = value
    let changed = false
    if (tr.docChanged) {
      passages = passages
        .map(p => ({ id: p.id, from: tr.changes.mapPos(p.from, 1), to: tr.changes.mapPos(p.to, -1) }))
        .filter(p => p.from < p.to)
    }
    for (const effect of tr.effects) {
      if (effect.is(setPassages)) { passages = effect.value; changed = true }
      if (effect.is(setCurrent)) { current = effect.value; changed = true }
    }
    if (!changed && !tr.docChanged) return value
    return { passages, current, decorations: build(passages, current) }
  },
  provide: f => EditorView.decorations.from(f, value => value.decorations)
})

function spansOnPage (sectionId) {
  const area = document.querySelector(`[data-comments][data-section-id="${CSS.escape(String(sectionId))}"]`)
  if (!area) return []
  return [...area.querySelectorAll('.comment-thread[data-anchor-start]:not(.comment-thread--resolved)')].map(el => ({
    id: el.dataset.commentId,
    start: Number(el.dataset.anchorStart),
    end: Number(el.dataset.anchorEnd)
  }))
}

function follow (sectionId) {
  return ViewPlugin.fromClass(class {
    constructor (view) {
      this.view = view
      this.onRendered = event => {
        if (String(event.detail?.sectionId) === String(sectionId)) this.load()
      }
      this.onShow = event => {
        if (String(event.detail?.sectionId) === String(sectionId)) this.show(event.detail.commentId)
      }
      document.addEventListener('tavolo:comments-rendered', this.onRendered)
      document.addEventListener('tavolo:show-passage', this.onShow)
      // Not while the editor is being set up: a view cannot dispatch from its constructor.
      queueMicrotask(() => this.load())
    }

    load () {
      const passages = toOffsets(this.view.state.doc.toString(), spansOnPage(sectionId))
      this.view.dispatch({ effects: setPassages.of(passages) })
    }

    show (commentId) {
      const passage = this.view.state.field(field).passages.find(p => p.id === String(commentId))
      if (!passage) return
      this.view.dispatch({
        effects: [setCurrent.of(passage.id), EditorView.scrollIntoView(passage.from, { y: 'center' })]
      })
      this.view.dom.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
    }

    destroy () {
      document.removeEventListener('tavolo:comments-rendered', this.onRendered)
      document.removeEventListener('tavolo:show-passage', this.onShow)
    }
  })
}

export function annotations (sectionId) {
  return [
    field,
    follow(sectionId),
    EditorView.baseTheme({
      '.tv-annotation': { backgroundColor: '#fff3cd', borderBottom: '2px solid #a66300' },
      '.tv-annotation--current': { backgroundColor: '#ffe08a' }
    })
  ]
}
