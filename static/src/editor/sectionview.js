// One section on the page: toolbar, CodeMirror bound to the section's Y.Text, word
// count, save indicator and preview. The replica (replica.js) owns the text and its
// journey to the server; this file only shows it and lets people write.

import * as Y from 'yjs'
import { Compartment, EditorState, Prec, Transaction } from '@codemirror/state'
import { EditorView, drawSelection, highlightSpecialChars, keymap, placeholder } from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { HighlightStyle, LanguageSupport, syntaxHighlighting } from '@codemirror/language'
import { markdownKeymap, markdownLanguage, pasteURLAsLink } from '@codemirror/lang-markdown'
import { tags } from '@lezer/highlight'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'

import { annotations } from './annotations.js'
import { richPaste } from './clipboard.js'
import { templateHints } from './hints.js'
import { format, plural } from './i18n.js'
import { livePreview } from './livepreview.js'
import { pulledPassages } from './pulled.js'
import { insertLink, insertTable, toggleInline, toggleLinePrefix } from './markdown.js'
import { openGrid, stepOutOfTable, tableGrid } from './tablegrid.js'
import { SectionAwareness, cursorToJSON } from './presence.js'
import { countWords, limitStatus } from './words.js'

const SVG = 'http://www.w3.org/2000/svg'
const ICONS = {
  bullet: 'M9 6h11M9 12h11M9 18h11M4.5 6h.01M4.5 12h.01M4.5 18h.01',
  ordered: 'M10 6h10M10 12h10M10 18h10M4 4.5h1.5v4M3.5 8.5h3.5M3.5 14a1.5 1.5 0 0 1 3 0c0 1.2-3 2-3 4h3',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  quote: 'M5 17c0-5 1-8 5-10M14 17c0-5 1-8 5-10M5 17h4v-4H5zM14 17h4v-4h-4z',
  table: 'M3 5h18v14H3zM3 10h18M3 15h18M12 5v14',
  undo: 'M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
  redo: 'm15 14 5-5-5-5M20 9H10a6 6 0 0 0 0 12h3',
  preview: 'M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12zM12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z',
  markdown: 'M2.5 6h19v12h-19zM6 15V9l2.5 3L11 9v6M17 9v6M14.5 12.5 17 15l2.5-2.5'
}

// The «Markdown» switch is a person's choice, for every section and every visit.
const SOURCE_KEY = 'tavolo.editor.markdown'
const SOURCE_EVENT = 'tavolo:markdown-mode'

function storedSourceMode () {
  try {
    return localStorage.getItem(SOURCE_KEY) === 'source'
  } catch {
    return false
  }
}

// Markdown shown the way it will read: headings large, bold bold, italics italic, and
// the marks themselves (##, **, _, -) and link addresses in grey, present but quiet, for
// people who have never seen Markdown.
const PROSE = HighlightStyle.define([
  { tag: tags.heading1, fontWeight: '700', fontSize: '1.3em' },
  { tag: tags.heading2, fontWeight: '700', fontSize: '1.2em' },
  { tag: tags.heading3, fontWeight: '700', fontSize: '1.1em' },
  { tag: [tags.heading4, tags.heading5, tags.heading6], fontWeight: '700' },
  { tag: tags.strong, fontWeight: '700' },
  { tag: tags.emphasis, fontStyle: 'italic' },
  { tag: tags.url, color: '#4b5a69', textDecoration: 'underline' },
  { tag: tags.quote, color: '#33475b', fontStyle: 'italic' },
  { tag: tags.monospace, fontFamily: 'ui-monospace, "Roboto Mono", monospace' },
  { tag: [tags.processingInstruction, tags.contentSeparator, tags.labelName], color: '#5c6f82' }
])

const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)

function shortcut (key) {
  return IS_MAC ? `⌘${key}` : `Ctrl+${key}`
}

// Letter icons (G for grassetto, C for corsivo, T for titoletto) depend on the
// language, so they come with the page's texts; they are drawn in SVG, hidden from
// screen readers like the other icons, since the button's name already says it.
function icon (name, letters) {
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('class', `tv-icon tv-icon--${name}`)
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  if (letters[name]) {
    const letter = document.createElementNS(SVG, 'text')
    letter.setAttribute('x', '12')
    letter.setAttribute('y', '18')
    letter.setAttribute('text-anchor', 'middle')
    letter.textContent = letters[name]
    svg.append(letter)
    return svg
  }
  const path = document.createElementNS(SVG, 'path')
  path.setAttribute('d', ICONS[name])
  svg.append(path)
  return svg
}

function element (tag, className, attributes = {}) {
  const node = document.createElement(tag)
  if (className) node.className = className
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  return node
}

export class SectionView {
  constructor (mount, replica, context) {
    this.mount = mount
    this.replica = replica
    this.context = context
    this.t = context.i18n
    this.sectionId = replica.sectionId
    this.title = replica.meta.title || this._titleFromPage()
    this.wordLimit = replica.meta.word_limit || null
    this.hardLimit = Boolean(replica.meta.word_limit_hard)
    this.editable = Boolean(replica.meta.editable)
    this.state = replica.meta.state || 'open'
    this.available = true
    this.previewing = false
    this.limitShown = 'none'
    this.view = null
    this.undoManager = null
    this.awareness = null
    this.access = new Compartment()
    this.labels = new Compartment()
    this.mode = new Compartment()
    this.sourceMode = storedSourceMode()
    this.noticeTimer = null
    this._build()
    document.addEventListener(SOURCE_EVENT, event => this._setSourceMode(event.detail.source))
    this.bind()
    replica.onChange(what => this._replicaChanged(what))
  }

  _titleFromPage () {
    const section = this.mount.closest('section, article')
    const heading = section && section.querySelector('h1, h2, h3, h4, h5, h6')
    return heading ? heading.textContent.trim() : ''
  }

  get writable () {
    return this.available && this.editable && (this.replica.synced || this.replica.everSynced)
  }

  _build () {
    const t = this.t
    const id = `tv-section-${this.sectionId}`
    this.ids = { words: `${id}-words`, save: `${id}-save`, notice: `${id}-notice`, preview: `${id}-preview` }
    const root = element('div', 'tv-editor')
    this.letters = { bold: t.bold_letter, italic: t.italic_letter, heading: t.heading_letter }
    // One toolbar with the preview switch at its end: on a phone its buttons wrap into
    // two rows, every one of them in sight.
    this.toolbar = element('div', 'tv-editor__toolbar', { role: 'toolbar' })
    const groups = [
      ['bold', t.bold, shortcut('B'), this._command(view => toggleInline(view, '**', t.bold_text))],
      ['italic', t.italic, shortcut('I'), this._command(view => toggleInline(view, '_', t.italic_text))],
      ['heading', t.heading, null, this._command(view => toggleLinePrefix(view, 'heading'))],
      ['bullet', t.bullet, null, this._command(view => toggleLinePrefix(view, 'bullet'))],
      ['ordered', t.ordered, null, this._command(view => toggleLinePrefix(view, 'ordered'))],
      ['link', t.link, shortcut('K'), this._command(view => insertLink(view, t.link_text))],
      ['quote', t.quote, null, this._command(view => toggleLinePrefix(view, 'quote'))],
      ['table', t.table, null, this._command(view => this._insertTable(view))],
      ['undo', t.undo, shortcut('Z'), () => this.undoManager && this.undoManager.undo()],
      ['redo', t.redo, IS_MAC ? '⇧⌘Z' : 'Ctrl+Y', () => this.undoManager && this.undoManager.redo()]
    ]
    this.buttons = {}
    for (const [name, label, keys, run] of groups) {
      const button = element('button', `tv-tool tv-tool--${name}`, { type: 'button', tabindex: '-1' })
      if (keys) {
        button.title = `${label} (${keys})`
        button.setAttribute('aria-keyshortcuts', keys.replace('Ctrl+', 'Control+').replace('⌘', 'Meta+').replace('⇧', 'Shift+'))
      } else {
        button.title = label
      }
      const text = element('span', 'tv-tool__label')
      text.textContent = label
      button.append(icon(name, this.letters), text)
      button.addEventListener('click', () => {
        if (!this.view || !this.writable) return
        // A new table's grid takes the focus itself.
        if (run(this.view) !== 'grid') this.view.focus()
      })
      // Keeps the editor's selection: a click on a button must not take the focus first.
      button.addEventListener('mousedown', event => event.preventDefault())
      this.buttons[name] = button
      this.toolbar.append(button)
      if (name === 'table') {
        this.separator = element('span', 'tv-editor__separator', { 'aria-hidden': 'true' })
        this.toolbar.append(this.separator)
      }
    }
    this.markdownButton = element('button', 'tv-tool tv-tool--markdown', {
      type: 'button', 'aria-pressed': String(this.sourceMode), tabindex: '-1', title: t.markdown_title
    })
    const markdownLabel = element('span', 'tv-tool__label')
    markdownLabel.textContent = t.markdown
    this.markdownButton.append(icon('markdown', this.letters), markdownLabel)
    this.markdownButton.addEventListener('click', () => this._toggleSourceMode())
    this.markdownButton.addEventListener('mousedown', event => event.preventDefault())
    this.toolbar.append(this.markdownButton)
    this.previewButton = element('button', 'tv-tool tv-tool--preview', {
      type: 'button', 'aria-pressed': 'false', 'aria-controls': this.ids.preview, tabindex: '-1'
    })
    const previewLabel = element('span', 'tv-tool__label tv-tool__label--always')
    previewLabel.textContent = t.preview
    this.previewButton.append(icon('preview', this.letters), previewLabel)
    this.previewButton.addEventListener('click', () => this._togglePreview())
    this.toolbar.append(this.previewButton)
    this.buttons.bold.tabIndex = 0
    this.toolbar.addEventListener('keydown', event => this._toolbarKey(event))

    this.notice = element('p', 'tv-editor__notice', { id: this.ids.notice })
    this.notice.hidden = true
    this.message = element('div', 'tv-editor__message', { role: 'status', 'aria-live': 'polite' })
    this.surface = element('div', 'tv-editor__surface')
    this.preview = element('div', 'tv-editor__preview', { id: this.ids.preview, tabindex: '-1' })
    this.preview.hidden = true

    const footer = element('div', 'tv-editor__footer')
    this.words = element('span', 'tv-editor__words', { id: this.ids.words })
    this.announcer = element('span', 'tv-visually-hidden', { role: 'status', 'aria-live': 'polite' })
    this.save = element('span', 'tv-editor__save', {
      id: this.ids.save, role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true'
    })
    footer.append(this.words, this.announcer, this.save)

    root.append(this.toolbar, this.notice, this.message, this.surface, this.preview, footer)
    root.dataset.markdown = this.sourceMode ? 'source' : 'live'
    this.root = root
    this.mount.replaceChildren(root)
    this._renderLabels()
  }

  _usableButtons () {
    return [...this.toolbar.querySelectorAll('button:not([disabled]):not([hidden])')]
  }

  // Roving focus (one Tab stop for the whole toolbar): the stop moves to a button that
  // can be used when its own becomes hidden or disabled.
  _keepTabStop () {
    const buttons = this._usableButtons()
    if (buttons.some(button => button.tabIndex === 0)) return
    for (const button of this.toolbar.querySelectorAll('button')) button.tabIndex = -1
    if (buttons.length > 0) buttons[0].tabIndex = 0
  }

  _toolbarKey (event) {
    const buttons = this._usableButtons()
    const index = buttons.indexOf(document.activeElement)
    if (index < 0) return
    const target = {
      ArrowRight: buttons[(index + 1) % buttons.length],
      ArrowLeft: buttons[(index - 1 + buttons.length) % buttons.length],
      Home: buttons[0],
      End: buttons[buttons.length - 1]
    }[event.key]
    if (!target) return
    event.preventDefault()
    for (const button of buttons) button.tabIndex = -1
    target.tabIndex = 0
    target.focus()
  }

  _renderLabels () {
    this.toolbar.setAttribute('aria-label', format(this.t.toolbar_label, { title: this.title }))
    this.previewButton.setAttribute('aria-label', format(this.t.preview_label, { title: this.title }))
    this.preview.setAttribute('aria-label', format(this.t.preview_label, { title: this.title }))
  }

  // (Re)creates CodeMirror on the replica's current Y.Doc; a `reset` replaces the doc.
  bind () {
    if (this.view) this.view.destroy()
    if (this.undoManager) this.undoManager.destroy()
    const doc = this.replica.doc
    const ytext = this.replica.text
    // Only changes typed here are undoable: the binding adds its own origin to this empty
    // set, so undo never takes back what other people wrote.
    this.undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set() })
    for (const event of ['stack-item-added', 'stack-item-popped', 'stack-cleared']) {
      this.undoManager.on(event, () => this._renderUndo())
    }
    this.awareness = new SectionAwareness(doc, cursor => this.context.onCursor(this.sectionId, cursorToJSON(cursor)))
    const t = this.t
    this.view = new EditorView({
      parent: this.surface,
      state: EditorState.create({
        doc: ytext.toString(),
        extensions: [
          Prec.high(keymap.of([
            { key: 'Mod-b', run: this._command(view => toggleInline(view, '**', t.bold_text)), preventDefault: true },
            { key: 'Mod-i', run: this._command(view => toggleInline(view, '_', t.italic_text)), preventDefault: true },
            { key: 'Mod-k', run: this._command(view => insertLink(view, t.link_text)), preventDefault: true }
          ])),
          // Ctrl+Z in a read-only section must not take back anything either.
          keymap.of([
            ...yUndoManagerKeymap.map(binding => ({ ...binding, run: view => !this.writable || binding.run(view) })),
            ...defaultKeymap
          ]),
          yCollab(ytext, this.awareness, { undoManager: this.undoManager }),
          richPaste({
            writable: () => this.writable,
            notify: (kind, count) => this._pasteNotice(kind, count),
            maxBytes: this.context.sectionMaxBytes
          }),
          // Markdown with tables (GFM), lists that continue on Enter and pasted addresses
          // that become links; without markdown()'s embedded HTML support, which would
          // add a third to the bundle for something the renderer switches off anyway.
          new LanguageSupport(markdownLanguage, [Prec.high(keymap.of(markdownKeymap)), pasteURLAsLink]),
          syntaxHighlighting(PROSE),
          highlightSpecialChars(),
          drawSelection(),
          // Before the comments' and hints' marks: a hidden Markdown mark then sits
          // inside their highlight instead of cutting it in pieces.
          this.mode.of(this._modeExtensions()),
          annotations(this.sectionId),
          pulledPassages(this.sectionId, this.context.pulledUrl, t),
          EditorState.transactionFilter.of(tr => this._withinHardLimit(tr)),
          templateHints(t.template_hint),
          EditorView.lineWrapping,
          placeholder(t.placeholder),
          EditorView.contentAttributes.of({
            spellcheck: 'true',
            autocorrect: 'on',
            autocapitalize: 'sentences',
            lang: document.documentElement.lang || 'it'
          }),
          this.labels.of(this._labelAttributes()),
          this.access.of(this._accessExtensions()),
          EditorView.updateListener.of(update => {
            if (update.docChanged) {
              this._renderWords()
              if (this.previewing) this._schedulePreview()
            }
            if (update.focusChanged && update.view.hasFocus) this.context.onFocus(this.sectionId)
            if (update.selectionSet || update.docChanged) this._announceSelection(update.state)
          })
        ]
      })
    })
    this._renderAccess()
    this._renderWords()
    this._renderStatus()
    this._renderUndo()
  }

  // A toolbar command or its shortcut, for people who may write; in the writing view a
  // cursor at a table's edge first moves to a line of its own (tablegrid.js).
  _command (run) {
    return view => {
      if (!this.writable) return false
      if (!this.sourceMode) stepOutOfTable(view)
      return run(view)
    }
  }

  // In the writing view a new table opens in the grid, its first heading selected.
  _insertTable (view) {
    const t = this.t
    insertTable(view, t.table_first, t.table_second)
    if (this.sourceMode) return true
    return openGrid(view, view.state.selection.main.head) ? 'grid' : true
  }

  _modeExtensions () {
    if (this.sourceMode) return []
    return [
      livePreview,
      tableGrid({
        t: this.t,
        undo: () => this.writable && this.undoManager && this.undoManager.undo(),
        redo: () => this.writable && this.undoManager && this.undoManager.redo()
      })
    ]
  }

  _toggleSourceMode () {
    const source = !this.sourceMode
    try {
      localStorage.setItem(SOURCE_KEY, source ? 'source' : 'live')
    } catch {
      // Without storage the choice lasts as long as the page.
    }
    document.dispatchEvent(new CustomEvent(SOURCE_EVENT, { detail: { source } }))
  }

  _setSourceMode (source) {
    if (source === this.sourceMode) return
    this.sourceMode = source
    this.markdownButton.setAttribute('aria-pressed', String(source))
    this.root.dataset.markdown = source ? 'source' : 'live'
    if (!this.view) return
    const hadFocus = this.surface.contains(document.activeElement)
    this.view.dispatch({ effects: this.mode.reconfigure(this._modeExtensions()) })
    if (hadFocus && !this.surface.contains(document.activeElement)) this.view.focus()
  }

  _pasteNotice (kind, count) {
    const t = this.t
    const text = kind === 'images'
      ? plural(count, t.paste_images_one, t.paste_images_other)
      : format(t.paste_too_long, { kb: Math.floor(count / 1024) })
    this.showMessage(text, 'warning')
    const shown = this.message.firstChild
    clearTimeout(this.noticeTimer)
    this.noticeTimer = setTimeout(() => {
      if (this.message.firstChild === shown) this.message.replaceChildren()
    }, 20000)
  }

  // Comments and amendments start from a selected passage; they learn of it through
  // the page rather than reaching into the editor. Positions count code points, as the
  // server does (CodeMirror counts UTF-16 units).
  _announceSelection (state) {
    const { from, to } = state.selection.main
    const doc = state.doc
    const codePoints = text => [...text].length
    const start = codePoints(doc.sliceString(0, from))
    const quote = doc.sliceString(from, to)
    document.dispatchEvent(new CustomEvent('tavolo:selection', {
      detail: { sectionId: this.sectionId, start, end: start + codePoints(quote), quote }
    }))
  }

  _labelAttributes () {
    return EditorView.contentAttributes.of({
      'aria-label': this.title,
      'aria-describedby': `${this.ids.notice} ${this.ids.words} ${this.ids.save}`
    })
  }

  _accessExtensions () {
    if (this.writable) return []
    // Still focusable, so that keyboard and screen reader users can read and copy.
    return [
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ tabindex: '0', 'aria-readonly': 'true' })
    ]
  }

  configure ({ title, state, editable, wordLimit, hardLimit }) {
    if (title !== undefined && title !== this.title) {
      this.title = title
      this._renderLabels()
      this.view.dispatch({ effects: this.labels.reconfigure(this._labelAttributes()) })
    }
    if (wordLimit !== undefined) this.wordLimit = wordLimit
    if (hardLimit !== undefined) this.hardLimit = Boolean(hardLimit)
    if (state !== undefined) this.state = state
    const wasWritable = this.writable
    if (editable !== undefined) this.editable = editable
    this.available = true
    this._renderAccess()
    if (wasWritable !== this.writable && this.replica.everSynced) {
      // Locking shows the notice above the text; opening again says so in words too.
      if (this.writable) {
        this.showMessage(this.t.reopened, 'info')
      } else {
        this.announcer.textContent = this._noticeText()
      }
    }
    this._renderWords()
  }

  unavailable () {
    this.available = false
    this._renderAccess()
    this.showMessage(this.t.section_missing, 'warning')
  }

  _renderAccess () {
    const writable = this.writable
    this.view.dispatch({ effects: this.access.reconfigure(this._accessExtensions()) })
    this.root.dataset.access = writable ? 'write' : 'read'
    for (const button of [...Object.values(this.buttons), this.separator]) {
      button.hidden = !writable || this.previewing
    }
    this.markdownButton.hidden = this.previewing
    const notice = writable ? '' : this._noticeText()
    this.notice.textContent = notice
    this.notice.hidden = !notice
    this._renderUndo()
  }

  _noticeText () {
    const t = this.t
    if (!this.replica.everSynced && !this.replica.synced) return t.loading_notice
    if (!this.available) return t.section_missing
    if (!this.context.canWrite()) return t.readonly_role
    if (this.state === 'locked') return t.readonly_locked
    if (this.state === 'approved') return t.readonly_approved
    return t.readonly_other
  }

  _renderUndo () {
    if (!this.undoManager) return
    const writable = this.writable
    this.buttons.undo.disabled = !writable || this.undoManager.undoStack.length === 0
    this.buttons.redo.disabled = !writable || this.undoManager.redoStack.length === 0
    this._keepTabStop()
  }

  // A hard limit refuses what the person types or pastes past it, here at once; the
  // server refuses it too (words_over_limit), for any client. Changes from the room
  // (no user event) always pass: the text is the room's.
  _withinHardLimit (tr) {
    if (!tr.docChanged || !this.hardLimit || !this.wordLimit || !tr.annotation(Transaction.userEvent)) return tr
    const after = countWords(tr.newDoc.toString())
    if (after <= this.wordLimit || after <= countWords(tr.startState.doc.toString())) return tr
    this.showMessage(format(this.t.hard_limit_reached, { limit: this.wordLimit }), 'warning')
    return []
  }

  _renderWords () {
    const t = this.t
    const count = countWords(this.replica.text.toString())
    const status = limitStatus(count, this.wordLimit)
    let text = this.wordLimit
      ? format(t.words_limit, { count, limit: this.wordLimit })
      : plural(count, t.words_one, t.words_other)
    if (this.hardLimit && this.wordLimit) text += ` — ${t.words_hard}`
    if (status === 'near') text += ` — ${t.words_near}`
    if (status === 'over') text += ` — ${plural(count - this.wordLimit, t.words_over_one, t.words_over_other)}`
    this.words.textContent = text
    this.words.dataset.limit = status
    document.dispatchEvent(new CustomEvent('tavolo:words', {
      detail: { sectionId: this.sectionId, words: count, limit: this.wordLimit, status }
    }))
    // Announced once when the limit comes close or is passed, not at every word.
    if (status !== this.limitShown) {
      if (status === 'near' || status === 'over') this.announcer.textContent = text
      this.limitShown = status
    }
  }

  _renderStatus () {
    const t = this.t
    const status = this.replica.status
    const count = this.replica.pendingCount
    const text = {
      loading: t.loading,
      saved: t.saved,
      saving: t.saving,
      offline: plural(count, t.offline_one, t.offline_other),
      refused: t.refused
    }[status]
    if (this.save.dataset.status === status && this.save.textContent === text) return
    this.save.dataset.status = status
    this.save.textContent = text
  }

  _replicaChanged (what) {
    if (what === 'status') this._renderStatus()
    if (what === 'synced') this._renderAccess()
    if (what === 'rebuilt') this.bind()
    if (what === 'refused' && this.replica.refusal) this.showMessage(this.replica.refusal.message, 'warning')
    if (what === 'recovered') this.message.replaceChildren()
  }

  showMessage (text, kind) {
    const paragraph = element('p', `tv-editor__alert tv-editor__alert--${kind}`)
    paragraph.textContent = text
    this.message.replaceChildren(paragraph)
  }

  setPeople (people) {
    this.awareness.setPeople(people)
  }

  async _togglePreview () {
    this.previewing = !this.previewing
    this.previewButton.setAttribute('aria-pressed', String(this.previewing))
    this.root.dataset.preview = String(this.previewing)
    this.surface.hidden = this.previewing
    this.preview.hidden = !this.previewing
    this._renderAccess()
    if (this.previewing) {
      await this._loadPreview()
      this.preview.focus()
    } else {
      this.view.focus()
    }
  }

  // While the preview is open it follows the text, other people's changes included.
  _schedulePreview () {
    clearTimeout(this.previewTimer)
    this.previewTimer = setTimeout(() => this._loadPreview(false), 800)
  }

  async _loadPreview (announce = true) {
    const t = this.t
    if (announce) {
      this.preview.replaceChildren(Object.assign(element('p', 'tv-editor__preview-status'), { textContent: t.preview_loading }))
    }
    let html = null
    try {
      const response = await fetch(this.context.previewUrl(this.sectionId), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.context.csrfToken },
        body: JSON.stringify({ body: this.replica.text.toString() })
      })
      if (response.ok) html = (await response.json()).html
    } catch {
      html = null
    }
    if (!this.previewing) return
    if (typeof html === 'string') {
      // Rendered by the server with raw HTML off and sanitised: safe by construction.
      this.preview.innerHTML = html
    } else {
      this.preview.replaceChildren(Object.assign(element('p', 'tv-editor__preview-status'), { textContent: t.preview_error }))
    }
  }
}
