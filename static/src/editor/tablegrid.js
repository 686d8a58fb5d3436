// Tables edited as a grid, the way people know them from Word: in the writing view each
// table of the text is shown as a grid of cells, one field per cell, with buttons to add
// and remove rows and columns. The Markdown table stays in the text; every keystroke in
// a cell becomes a small change of that text (tables.js), so someone typing elsewhere
// in the section is not disturbed, and a change by someone else shows in the grid.
// The «Markdown» switch shows the table as text again.

import { EditorSelection, EditorState, Facet, Prec, StateField, Transaction } from '@codemirror/state'
import { Decoration, EditorView, WidgetType, keymap } from '@codemirror/view'
import { ensureSyntaxTree, syntaxTree } from '@codemirror/language'
import { ySyncAnnotation } from 'y-codemirror.next'

import { format } from './i18n.js'
import { cellSource, cellText, deleteColumn, deleteRow, insertColumn, insertRow, readTable, setCell, tableTexts } from './tables.js'

// What the grid writes is not typing: the filter that keeps typing out of a table's
// edges must let it through.
const GRID_EDIT = 'tv.table'
const HINT = /^([_*])\[[^\[\]\n]*\S[^\[\]\n]*\]\1$/

// The tables the grid can stand for: those of whole lines at the top of the text (a
// table inside a list or a quote stays as text).
function findTables (state) {
  const tree = ensureSyntaxTree(state, state.doc.length, 200) || syntaxTree(state)
  const tables = []
  const cursor = tree.topNode.cursor()
  if (!cursor.firstChild()) return tables
  do {
    if (cursor.name !== 'Table') continue
    const first = state.doc.lineAt(cursor.from)
    const last = state.doc.lineAt(cursor.to)
    if (first.text.slice(0, cursor.from - first.from).trim() !== '') continue
    const lines = []
    for (let n = first.number; n <= last.number; n++) {
      const line = state.doc.line(n)
      lines.push({ from: line.from, text: line.text })
    }
    const table = readTable(lines)
    if (table) tables.push(table)
  } while (cursor.nextSibling())
  return tables
}

function editableIn (state) {
  return state.facet(EditorView.editable) && !state.readOnly
}

function element (tag, className, attributes = {}) {
  const node = document.createElement(tag)
  if (className) node.className = className
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  return node
}

let gridCount = 0
const FITS_CONTENT = typeof CSS !== 'undefined' && CSS.supports('field-sizing', 'content')

// The arrows move between cells from the first or the last line of a cell's text.
function caretAt (field, end) {
  if (field.selectionStart !== field.selectionEnd) return false
  return end ? field.selectionEnd === field.value.length : field.selectionStart === 0
}

// The DOM of one table's grid; it lives as long as the table does, across every
// change of its text, so that the cell being typed in keeps the focus.
class Grid {
  constructor (view, widget) {
    this.view = view
    this.t = widget.config.t
    this.config = widget.config
    this.index = widget.index
    this.writable = widget.writable
    this.active = { row: widget.writable ? 1 : 0, column: 0 }
    this.focusAfterUpdate = null
    this.id = `tv-grid-${++gridCount}`
    this.dom = element('div', 'tv-grid', { contenteditable: 'false', role: 'group' })
    this.dom.tvGrid = this
    this.table = element('table', 'tv-grid__table')
    // Only the table scrolls sideways on a phone; its buttons and hint stay in view.
    const scroller = element('div', 'tv-grid__scroll')
    scroller.append(this.table)
    this.dom.append(scroller)
    if (this.writable) this._buildTools()
    this.update(widget)
    this.dom.addEventListener('input', event => this._typed(event))
    this.dom.addEventListener('keydown', event => this._key(event))
    this.dom.addEventListener('focusin', event => this._focused(event))
  }

  _buildTools () {
    const t = this.t
    this.tools = element('div', 'tv-grid__tools')
    this.buttons = {}
    const actions = [
      ['addRow', t.table_add_row, () => this._structure(insertRow(this._current(), this.active.row), this.active.row + 1, this.active.column)],
      ['deleteRow', t.table_delete_row, () => this._structure(deleteRow(this._current(), this.active.row), Math.min(this.active.row, this.rows - 2), this.active.column)],
      ['addColumn', t.table_add_column, () => this._structure(insertColumn(this._current(), this.active.column), this.active.row, this.active.column + 1)],
      ['deleteColumn', t.table_delete_column, () => this._structure(deleteColumn(this._current(), this.active.column), this.active.row, Math.max(0, this.active.column - 1))]
    ]
    for (const [name, label, run] of actions) {
      const button = element('button', `tv-grid__tool tv-grid__tool--${name}`, { type: 'button' })
      button.append(element('span', 'tv-grid__tool-icon', { 'aria-hidden': 'true' }))
      const text = element('span', 'tv-grid__tool-label')
      text.textContent = label
      button.append(text)
      button.addEventListener('click', () => {
        if (!this._current()) return
        run()
      })
      this.buttons[name] = button
      this.tools.append(button)
    }
    this.hint = element('p', 'tv-grid__hint', { id: `${this.id}-hint` })
    this.hint.textContent = t.table_hint
    this.dom.setAttribute('aria-describedby', this.hint.id)
    this.dom.append(this.tools, this.hint)
  }

  // The table in the current text: its position moves as people type above it.
  _current () {
    const tables = this.view.state.field(gridField).tables
    return tables.find(table => table.from === this.from) || null
  }

  update (widget) {
    this.from = widget.table.from
    this.to = widget.table.to
    this.index = widget.index
    this.aligns = widget.table.aligns
    const texts = widget.texts
    const shape = `${texts.length}x${widget.table.columns}`
    if (shape !== this.shape) {
      const focused = this._cellOf(document.activeElement)
      this._rebuild(texts)
      this.shape = shape
      const target = this.focusAfterUpdate || focused
      if (target) this.focusCell(target.row, target.column, false)
    } else {
      this._refresh(texts)
      if (this.focusAfterUpdate) this.focusCell(this.focusAfterUpdate.row, this.focusAfterUpdate.column, false)
    }
    this.focusAfterUpdate = null
    this.rows = texts.length
    this.columns = widget.table.columns
    this._label(texts)
  }

  _rebuild (texts) {
    const head = element('thead')
    const body = element('tbody')
    this.cells = texts.map((row, r) => {
      const tr = element('tr')
      const cells = row.map((text, c) => {
        const cell = element(r === 0 ? 'th' : 'td', '', r === 0 ? { scope: 'col' } : {})
        let field
        if (this.writable) {
          // A text area, so that a sentence wraps inside its cell as in Word.
          field = element('textarea', 'tv-grid__cell', { rows: '1', spellcheck: 'true' })
          field.value = text
        } else {
          field = element('span', 'tv-grid__cell')
          field.textContent = text
        }
        field.dataset.row = String(r)
        field.dataset.column = String(c)
        cell.append(field)
        tr.append(cell)
        return field
      })
      ;(r === 0 ? head : body).append(tr)
      return cells
    })
    this.table.replaceChildren(head, body)
    this._align()
    // The grid is put in the page after it is built: its fields are measured then.
    if (!FITS_CONTENT) requestAnimationFrame(() => this._fitAll())
  }

  // Where the browser cannot size a text area to its content (field-sizing), the
  // heights follow the text here.
  _fit (field) {
    if (FITS_CONTENT || !this.writable) return
    field.style.height = 'auto'
    field.style.height = `${field.scrollHeight}px`
  }

  _fitAll () {
    for (const row of this.cells) for (const field of row) this._fit(field)
  }

  // Other people's changes come in while someone types here: a field shows the text
  // unless it already says the same (the spaces being typed at its end included).
  _refresh (texts) {
    texts.forEach((row, r) => row.forEach((text, c) => {
      const field = this.cells[r][c]
      if (!this.writable) {
        if (field.textContent !== text) field.textContent = text
        return
      }
      if (cellText(cellSource(field.value)) === text) return
      const focused = document.activeElement === field
      const caret = field.selectionStart
      field.value = text
      if (focused) field.setSelectionRange(Math.min(caret, text.length), Math.min(caret, text.length))
      this._fit(field)
    }))
    this._align()
  }

  _align () {
    this.cells.forEach(row => row.forEach((field, c) => {
      field.parentElement.style.textAlign = this.aligns[c] || ''
      field.classList.toggle('tv-placeholder', HINT.test((this.writable ? field.value : field.textContent).trim()))
    }))
  }

  _label (texts) {
    const t = this.t
    this.dom.setAttribute('aria-label', format(t.table_label, { number: this.index + 1, rows: texts.length, columns: this.columns }))
    const names = texts[0].map((text, c) => text.trim() || format(t.table_column, { number: c + 1 }))
    this.cells.forEach((row, r) => row.forEach((field, c) => {
      const label = r === 0
        ? format(t.table_header_cell, { number: c + 1 })
        : format(t.table_cell, { row: r, column: names[c] })
      if (this.writable) field.setAttribute('aria-label', label)
    }))
    if (this.buttons) this._renderTools()
  }

  _renderTools () {
    const t = this.t
    const { row, column } = this.active
    const name = this.cells[0][column] ? (this.cells[0][column].value || '').trim() : ''
    const columnName = name || format(t.table_column, { number: column + 1 })
    this.buttons.addRow.setAttribute('aria-label', row === 0 ? t.table_add_first_row : format(t.table_add_row_after, { row }))
    this.buttons.deleteRow.setAttribute('aria-label', format(t.table_delete_row_number, { row }))
    this.buttons.deleteRow.disabled = row === 0 || this.rows <= 2
    this.buttons.addColumn.setAttribute('aria-label', format(t.table_add_column_after, { column: columnName }))
    this.buttons.deleteColumn.setAttribute('aria-label', format(t.table_delete_column_named, { column: columnName }))
    this.buttons.deleteColumn.disabled = this.columns <= 1
  }

  _cellOf (node) {
    if (!node || !this.dom.contains(node) || !node.dataset || node.dataset.row === undefined) return null
    return { row: Number(node.dataset.row), column: Number(node.dataset.column) }
  }

  _focused (event) {
    const cell = this._cellOf(event.target)
    if (!cell) return
    this.active = cell
    if (this.buttons) this._renderTools()
  }

  focusCell (row, column, select = true) {
    const target = this.cells[Math.max(0, Math.min(row, this.cells.length - 1))]
    const field = target && target[Math.max(0, Math.min(column, target.length - 1))]
    if (!field || !this.writable) return false
    field.focus()
    if (select) field.select()
    return true
  }

  _typed (event) {
    const field = event.target
    const cell = this._cellOf(field)
    const table = this._current()
    if (!cell || !table) return
    // A pasted line break becomes a space: a Markdown table's cell is one line.
    if (/[\r\n]/.test(field.value)) {
      const caret = field.selectionStart
      field.value = field.value.replace(/\r\n?|\n/g, ' ')
      field.setSelectionRange(caret, caret)
    }
    this._fit(field)
    const changes = setCell(table, cell.row, cell.column, field.value)
    this._classify(field)
    if (changes.length === 0) return
    this.view.dispatch({ changes, userEvent: GRID_EDIT })
    // A change the editor refused (a hard word limit) leaves the cell as the text has it.
    const now = this._current()
    const stored = now && now.rows[cell.row] && now.rows[cell.row].cells[cell.column]
    const text = stored ? cellText(stored.source) : ''
    if (cellText(cellSource(field.value)) !== text) {
      field.value = text
      this._fit(field)
    }
  }

  _classify (field) {
    field.classList.toggle('tv-placeholder', HINT.test(field.value.trim()))
  }

  _structure (changes, row, column) {
    if (changes.length === 0) return
    this.focusAfterUpdate = { row: Math.max(0, row), column: Math.max(0, column) }
    this.view.dispatch({ changes, userEvent: GRID_EDIT })
  }

  // Back to the text, before or after the table.
  leave (after) {
    const { state } = this.view
    let anchor = after ? this.to : this.from
    if (after && this.to < state.doc.length) anchor = this.to + 1
    if (!after && this.from > 0) anchor = this.from - 1
    this.view.focus()
    this.view.dispatch({ selection: EditorSelection.cursor(anchor), scrollIntoView: true })
  }

  _key (event) {
    const cell = this._cellOf(event.target)
    if (!cell || !this.writable) return
    const mod = event.ctrlKey || event.metaKey
    const key = event.key
    let handled = true
    if (mod && !event.altKey && (key === 'z' || key === 'Z')) {
      if (event.shiftKey) this.config.redo()
      else this.config.undo()
    } else if (mod && !event.altKey && (key === 'y' || key === 'Y')) {
      this.config.redo()
    } else if (mod || event.altKey) {
      handled = false
    } else if (key === 'Enter') {
      // A cell holds one line: Enter goes to the cell below, as in a spreadsheet, and
      // from the last row adds one.
      if (cell.row + 1 < this.rows) this.focusCell(cell.row + 1, cell.column, false)
      else this._structure(insertRow(this._current(), cell.row), cell.row + 1, cell.column)
    } else if (key === 'ArrowDown' && !event.shiftKey && caretAt(event.target, true)) {
      if (cell.row + 1 < this.rows) this.focusCell(cell.row + 1, cell.column, false)
      else this.leave(true)
    } else if (key === 'ArrowUp' && !event.shiftKey && caretAt(event.target, false)) {
      if (cell.row > 0) this.focusCell(cell.row - 1, cell.column, false)
      else this.leave(false)
    } else if (key === 'Escape') {
      this.leave(true)
    } else {
      handled = false
    }
    if (handled) event.preventDefault()
  }
}

class GridWidget extends WidgetType {
  constructor (table, index, writable, config) {
    super()
    this.table = table
    this.index = index
    this.writable = writable
    this.config = config
    this.texts = tableTexts(table)
    this.key = JSON.stringify([table.from, table.aligns, this.texts])
  }

  eq (other) {
    return other.key === this.key && other.index === this.index && other.writable === this.writable
  }

  toDOM (view) {
    return new Grid(view, this).dom
  }

  // The same grid is kept while its table changes, so that the focus stays in it.
  updateDOM (dom) {
    const grid = dom.tvGrid
    if (!grid || grid.index !== this.index || grid.writable !== this.writable) return false
    grid.update(this)
    return true
  }

  get estimatedHeight () {
    return 44 * this.texts.length + (this.writable ? 90 : 10)
  }

  ignoreEvent () {
    return true
  }
}

function gridOf (view, table) {
  for (const dom of view.contentDOM.querySelectorAll('.tv-grid')) {
    if (dom.tvGrid && dom.tvGrid.from === table.from) return dom.tvGrid
  }
  return null
}

// Each section's texts (t) and its undo and redo, which take back only this person's
// changes.
const gridConfig = Facet.define({ combine: values => values[0] })

const gridField = StateField.define({
  create: state => build(state),
  update (value, tr) {
    const changed = tr.docChanged ||
      syntaxTree(tr.state) !== syntaxTree(tr.startState) ||
      editableIn(tr.state) !== editableIn(tr.startState)
    return changed ? build(tr.state) : value
  },
  provide: f => [
    EditorView.decorations.from(f, value => value.decorations),
    EditorView.atomicRanges.of(view => view.state.field(f).decorations)
  ]
})

function build (state) {
  const config = state.facet(gridConfig)
  const tables = findTables(state)
  const editable = editableIn(state)
  const decorations = Decoration.set(tables.map((table, index) =>
    Decoration.replace({ widget: new GridWidget(table, index, editable, config), block: true }).range(table.from, table.to)
  ))
  return { tables, decorations }
}

// Moves the focus into the grid of the first table that ends at or after `pos`.
export function openGrid (view, pos, row = 0, column = 0) {
  const field = view.state.field(gridField, false)
  const table = field && field.tables.find(table => table.to >= pos)
  const grid = table && gridOf(view, table)
  return Boolean(grid && grid.focusCell(row, column))
}

// Typing right at a table's edge would land in its first or last line, hidden behind
// the grid: it starts a paragraph of its own instead, a blank line away from the table.
// Other people's changes and undo (which come through the binding) are left as they are.
const keepTypingOutside = EditorState.transactionFilter.of(tr => {
  if (!tr.docChanged || tr.annotation(ySyncAnnotation) !== undefined || tr.isUserEvent(GRID_EDIT)) return tr
  const tables = tr.startState.field(gridField).tables
  if (tables.length === 0) return tr
  const changes = []
  tr.changes.iterChanges((fromA, toA, fromB, toB, inserted) => changes.push({ from: fromA, to: toA, insert: inserted.toString() }))
  if (changes.length !== 1 || changes[0].from !== changes[0].to || !changes[0].insert) return tr
  const change = changes[0]
  const table = tables.find(table => change.from === table.from || change.from === table.to)
  if (!table) return tr
  const after = change.from === table.to
  const have = (after ? /^\n*/ : /\n*$/).exec(change.insert)[0].length
  if (have >= 2) return tr
  const blank = '\n'.repeat(2 - have)
  const insert = after ? blank + change.insert : change.insert + blank
  const end = change.from + (after ? insert.length : change.insert.length)
  return { changes: { from: change.from, insert }, selection: EditorSelection.cursor(end), userEvent: tr.annotation(Transaction.userEvent), scrollIntoView: true }
})

// A table at the very start or end of the text has no line beside it for the browser
// to put the caret in, and what is typed there would be lost: the first key starts a
// paragraph of its own before or after the table.
const typeAtTheEdges = Prec.high(EditorView.domEventHandlers({
  keydown (event, view) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || view.state.readOnly) return false
    const typed = event.key === 'Enter' ? '' : [...event.key].length === 1 ? event.key : null
    const range = view.state.selection.main
    if (typed === null || !range.empty) return false
    const { doc } = view.state
    const tables = view.state.field(gridField).tables
    const atEnd = range.head === doc.length && tables.some(table => table.to === doc.length)
    const atStart = range.head === 0 && tables.some(table => table.from === 0)
    if (!atEnd && !atStart) return false
    const insert = atEnd ? `\n\n${typed}` : `${typed}\n\n`
    view.dispatch({
      changes: { from: range.head, insert },
      selection: EditorSelection.cursor(range.head + (atEnd ? insert.length : typed.length)),
      userEvent: 'input.type',
      scrollIntoView: true
    })
    return true
  }
}))

// Before a toolbar command: a cursor on a table's edge moves to a new line beside it,
// so that a heading or a list is not written into the table.
export function stepOutOfTable (view) {
  const field = view.state.field(gridField, false)
  const range = view.state.selection.main
  const table = field && range.empty && field.tables.find(table => range.head === table.from || range.head === table.to)
  if (!table) return
  const after = range.head === table.to
  view.dispatch({
    changes: { from: range.head, insert: '\n\n' },
    selection: EditorSelection.cursor(after ? range.head + 2 : range.head)
  })
}

// From the text into the grid with the keys that would cross it: the arrows from the
// line above or below, Backspace right after it, Delete right before it.
function enterAcross (view, forward) {
  const range = view.state.selection.main
  if (!range.empty) return false
  const moved = view.moveVertically(range, forward)
  const crossed = view.state.field(gridField).tables.find(table => forward
    ? range.head < table.from && moved.head >= table.from
    : range.head > table.to && moved.head <= table.to)
  const grid = crossed && gridOf(view, crossed)
  return Boolean(grid && grid.focusCell(forward ? 0 : grid.rows - 1, 0, false))
}

function enterBeside (view, side) {
  const range = view.state.selection.main
  if (!range.empty) return false
  const table = view.state.field(gridField).tables.find(table => (side < 0 ? table.to : table.from) === range.head)
  const grid = table && gridOf(view, table)
  return Boolean(grid && grid.focusCell(side < 0 ? grid.rows - 1 : 0, side < 0 ? grid.columns - 1 : 0, false))
}

const gridKeys = Prec.high(keymap.of([
  { key: 'ArrowDown', run: view => enterAcross(view, true) },
  { key: 'ArrowUp', run: view => enterAcross(view, false) },
  { key: 'Backspace', run: view => enterBeside(view, -1) },
  { key: 'Delete', run: view => enterBeside(view, 1) }
]))

export function tableGrid (config) {
  return [gridConfig.of(config), gridField, keepTypingOutside, typeAtTheEdges, gridKeys]
}
