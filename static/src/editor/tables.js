// A Markdown (GFM) table as the grid edits it. The text stays the one truth: a table is
// read from the section's current text each time, and every edit becomes changes to
// that text, as small as they can be, so that someone typing elsewhere in the section,
// or in another cell of the same table, is not disturbed.
//
// Rows are split the way the renderer (markdown-it) splits them: on every pipe not
// preceded by a backslash, ignoring a leading and a trailing pipe; cells are trimmed.

const ALIGN_OF = { left: ':---', center: ':---:', right: '---:', null: '---' }

// Cells of one line, with their places in the line: `from`/`to` span the raw cell
// between its pipes, `start`/`end` its trimmed content.
export function splitRow (line) {
  const first = line.length - line.trimStart().length
  const last = line.trimEnd().length
  const bounds = [first - 1]
  for (let i = first; i < last; i++) {
    if (line[i] === '|' && line[i - 1] !== '\\') bounds.push(i)
  }
  bounds.push(last)
  const cells = []
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k] + 1
    const to = bounds[k + 1]
    const raw = line.slice(from, to)
    const lead = raw.length - raw.trimStart().length
    const content = raw.trim()
    cells.push({ from, to, start: from + lead, end: from + lead + content.length, source: content })
  }
  if (cells.length > 0 && line[first] === '|') cells.shift()
  if (cells.length > 0 && last > first && line[last - 1] === '|' && line[last - 2] !== '\\') cells.pop()
  return cells
}

// What a person sees in a cell: the Markdown of its content, with the table's own
// escape for pipes taken off.
export function cellText (source) {
  return source.replace(/\\\|/g, '|')
}

// What a cell holds for what a person typed: one line (a cell cannot break one), pipes
// escaped so that they stay in the cell.
export function cellSource (text) {
  return text.replace(/[\r\n]+/g, ' ').trim().replace(/\|/g, '\\|')
}

function alignment (source) {
  const left = source.startsWith(':')
  const right = source.endsWith(':')
  if (left && right) return 'center'
  if (right) return 'right'
  if (left) return 'left'
  return null
}

// The table whose lines are `lines` ({ from, text }, the header first, then the
// delimiter row, then the body), or null when they do not make one.
export function readTable (lines) {
  if (lines.length < 2) return null
  const rows = lines.map(line => ({ from: line.from, to: line.from + line.text.length, text: line.text, cells: splitRow(line.text) }))
  const [header, delimiter, ...body] = rows
  if (header.cells.length === 0 || delimiter.cells.length !== header.cells.length) return null
  return {
    from: header.from,
    to: rows[rows.length - 1].to,
    columns: header.cells.length,
    aligns: delimiter.cells.map(cell => alignment(cell.source)),
    delimiter,
    rows: [header, ...body]
  }
}

// The text of every cell, row by row (the header first), as the grid shows it.
export function tableTexts (table) {
  return table.rows.map(row => Array.from({ length: table.columns }, (_, c) => (row.cells[c] ? cellText(row.cells[c].source) : '')))
}

// One change for a new text of the part [from, to) of the document, keeping what the
// old and the new text share at both ends.
export function minimalChange (from, oldText, newText) {
  let start = 0
  const shortest = Math.min(oldText.length, newText.length)
  while (start < shortest && oldText[start] === newText[start]) start++
  let end = 0
  while (end < shortest - start && oldText[oldText.length - 1 - end] === newText[newText.length - 1 - end]) end++
  if (start === oldText.length && start === newText.length) return null
  return { from: from + start, to: from + oldText.length - end, insert: newText.slice(start, newText.length - end) }
}

function rowLine (sources) {
  return `| ${sources.join(' | ')} |`
}

function delimiterLine (aligns) {
  return rowLine(aligns.map(align => ALIGN_OF[align]))
}

function rowSources (table, row) {
  return Array.from({ length: table.columns }, (_, c) => (row.cells[c] ? row.cells[c].source : ''))
}

// The changes that write `text` into the cell at (row, column), row 0 being the header.
export function setCell (table, row, column, text) {
  const line = table.rows[row]
  const source = cellSource(text)
  const cell = line.cells[column]
  // A row without its outer pipes may change shape when its first or last cell empties
  // ("a | b" with "a" gone is one cell): it gets them, as the grid writes rows.
  const bare = !/^\s*\|/.test(line.text) || !/(^|[^\\])\|\s*$/.test(line.text)
  if (!cell || bare) {
    const sources = rowSources(table, line)
    sources[column] = source
    return lineChanges(line, rowLine(sources))
  }
  if (cell.start === cell.end) {
    if (source === '') return []
    // An empty cell: the content goes after one space, with one before the next pipe.
    const raw = cell.to - cell.from
    const at = line.from + cell.from + Math.min(1, raw)
    const insert = (raw === 0 ? ' ' : '') + source + (raw < 2 ? ' ' : '')
    return [{ from: at, to: at, insert }]
  }
  // A backslash right before the next pipe would escape it.
  const padded = source.endsWith('\\') && cell.end === cell.to ? `${source} ` : source
  const change = minimalChange(line.from + cell.start, cell.source, padded)
  return change ? [change] : []
}

function lineChanges (row, text) {
  const change = minimalChange(row.from, row.text, text)
  return change ? [change] : []
}

// A new empty row after `row` (0 is the header: the new row becomes the first of the
// body). It goes in before the closing pipe of the row above ("| a |" becomes
// "| a |\n|  |"), inside the table: text someone starts right after the table at the
// same moment stays after it.
export function insertRow (table, row) {
  const anchor = row === 0 ? table.delimiter : table.rows[row]
  const empty = rowLine(Array(table.columns).fill(''))
  const end = anchor.text.trimEnd().length
  if (anchor.text[end - 1] === '|' && anchor.text[end - 2] !== '\\') {
    const at = anchor.from + end - 1
    return [{ from: at, to: at, insert: '|\n' + empty.slice(0, -1) }]
  }
  return [{ from: anchor.to, to: anchor.to, insert: '\n' + empty }]
}

// The body row `row` (from 1) goes, with its line.
export function deleteRow (table, row) {
  if (row < 1 || row >= table.rows.length) return []
  const line = table.rows[row]
  const previous = row === 1 ? table.delimiter : table.rows[row - 1]
  return [{ from: previous.to, to: line.to, insert: '' }]
}

// Columns change every line; each line gets its own small change.
function rewriteColumns (table, edit) {
  const changes = []
  for (const row of table.rows) {
    const sources = rowSources(table, row)
    changes.push(...lineChanges(row, rowLine(edit(sources, ''))))
  }
  const aligns = edit([...table.aligns], null)
  changes.push(...lineChanges(table.delimiter, delimiterLine(aligns)))
  return changes.sort((a, b) => a.from - b.from)
}

export function insertColumn (table, column) {
  return rewriteColumns(table, (cells, empty) => {
    cells.splice(column + 1, 0, empty)
    return cells
  })
}

export function deleteColumn (table, column) {
  if (table.columns < 2) return []
  return rewriteColumns(table, cells => {
    cells.splice(column, 1)
    return cells
  })
}

// The Markdown of a new table of `columns` columns: header texts, then empty rows.
export function newTable (headers, rows) {
  const lines = [rowLine(headers.map(cellSource)), delimiterLine(headers.map(() => null))]
  for (let i = 0; i < rows; i++) lines.push(rowLine(headers.map(() => '')))
  return lines.join('\n')
}
