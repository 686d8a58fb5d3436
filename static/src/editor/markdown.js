// Formatting commands for people who do not know Markdown: each button writes the
// Markdown for them, and pressing it again on formatted text takes the formatting off.

import { EditorSelection } from '@codemirror/state'

// A double click on Windows selects the trailing space too; "**parola **" would not be
// bold, so the markers go around the visible text only.
function trimmed (doc, from, to) {
  const text = doc.sliceString(from, to)
  const start = text.length - text.trimStart().length
  const end = text.trimEnd().length
  return start >= end ? { from, to } : { from: from + start, to: from + end }
}

export function toggleInline (view, marker, placeholderText) {
  const { state } = view
  const size = marker.length
  view.dispatch(state.changeByRange(range => {
    const { from, to } = trimmed(state.doc, range.from, range.to)
    const before = state.doc.sliceString(from - size, from)
    const after = state.doc.sliceString(to, to + size)
    if (from !== to && before === marker && after === marker) {
      return {
        changes: [{ from: from - size, to: from }, { from: to, to: to + size }],
        range: EditorSelection.range(from - size, to - size)
      }
    }
    const selected = state.doc.sliceString(from, to)
    if (selected.length > 2 * size && selected.startsWith(marker) && selected.endsWith(marker)) {
      const inner = selected.slice(size, -size)
      return { changes: { from, to, insert: inner }, range: EditorSelection.range(from, from + inner.length) }
    }
    const text = from === to ? placeholderText : selected
    return {
      changes: { from, to, insert: marker + text + marker },
      range: EditorSelection.range(from + size, from + size + text.length)
    }
  }))
  return true
}

const PREFIXES = {
  heading: /^#{1,6}\s+/,
  bullet: /^\s*[-*+]\s+/,
  ordered: /^\s*\d+[.)]\s+/,
  quote: /^>\s?/
}

// What a prefix replaces when it is added: a bulleted list becomes numbered (and back)
// in one press, and a heading of any level becomes a subheading of the section.
const REPLACES = { heading: PREFIXES.heading, bullet: PREFIXES.ordered, ordered: PREFIXES.bullet, quote: null }

const INSERTS = { heading: () => '### ', bullet: () => '- ', ordered: n => `${n}. `, quote: () => '> ' }

// Headings, lists and quotes are line prefixes: on every line of the selection the
// prefix is added, or taken off when every line already has it.
export function toggleLinePrefix (view, kind) {
  const { state } = view
  const numbers = new Set()
  for (const range of state.selection.ranges) {
    const last = state.doc.lineAt(range.to).number
    for (let n = state.doc.lineAt(range.from).number; n <= last; n++) numbers.add(n)
  }
  const lines = [...numbers].sort((a, b) => a - b).map(n => state.doc.line(n))
  const written = lines.length === 1 ? lines : lines.filter(line => line.text.trim() !== '')
  const pattern = PREFIXES[kind]
  const remove = written.length > 0 && written.every(line => pattern.test(line.text))
  const changes = written.map((line, index) => {
    if (remove) return { from: line.from, to: line.from + line.text.match(pattern)[0].length }
    const replaced = REPLACES[kind] && line.text.match(REPLACES[kind])
    return { from: line.from, to: line.from + (replaced ? replaced[0].length : 0), insert: INSERTS[kind](index + 1) }
  })
  const changeSet = state.changes(changes)
  // Mapped forward, so that the cursor on an empty line ends up after the new "- ".
  view.dispatch({ changes: changeSet, selection: state.selection.map(changeSet, 1), scrollIntoView: true })
  return true
}

export function insertLink (view, placeholderText) {
  const { state } = view
  const range = state.selection.main
  const { from, to } = trimmed(state.doc, range.from, range.to)
  const selected = state.doc.sliceString(from, to)
  const isAddress = /^(https?:\/\/|www\.)\S+$/i.test(selected)
  if (isAddress) {
    const address = selected.startsWith('www.') ? `https://${selected}` : selected
    const insert = `[${placeholderText}](${address})`
    view.dispatch({
      changes: { from, to, insert },
      selection: EditorSelection.range(from + 1, from + 1 + placeholderText.length),
      scrollIntoView: true
    })
    return true
  }
  const text = selected || placeholderText
  const address = 'https://'
  const insert = `[${text}](${address})`
  const addressStart = from + text.length + 3
  view.dispatch({
    changes: { from, to, insert },
    selection: selected
      ? EditorSelection.range(addressStart, addressStart + address.length)
      : EditorSelection.range(from + 1, from + 1 + text.length),
    scrollIntoView: true
  })
  return true
}

// A table needs blank lines around it to be a table, so it gets them: its own last line
// break and the one already ending the current line make the blank line after it.
export function insertTable (view, firstColumn, secondColumn) {
  const { state } = view
  const line = state.doc.lineAt(state.selection.main.head)
  const empty = line.text.trim() === ''
  const at = empty ? line.from : line.to
  const previous = line.number > 1 ? state.doc.line(line.number - 1) : null
  const before = empty ? (previous && previous.text.trim() !== '' ? '\n' : '') : '\n\n'
  const insert = `${before}| ${firstColumn} | ${secondColumn} |\n| --- | --- |\n|  |  |\n`
  const start = at + before.length + 2
  view.dispatch({
    changes: { from: at, to: empty ? line.to : at, insert },
    selection: EditorSelection.range(start, start + firstColumn.length),
    scrollIntoView: true
  })
  return true
}
