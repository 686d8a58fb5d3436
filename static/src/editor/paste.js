// Text pasted from Word, LibreOffice, Google Docs or a web page comes as HTML; it becomes
// the Markdown a person would have written: headings, paragraphs, bold, italics, struck
// text, links (http, https and mailto only), lists, tables (the first row is the header,
// merged cells are split) and line breaks. Fonts, colours, sizes, classes, Word's
// mso- styles and Google Docs' wrappers go; images go too, and are counted, so that the
// person is told. Only what app/core/render.py renders is written.
//
// The HTML is parsed by the browser's DOMParser, which runs no script and loads nothing;
// it is never put into the page.

// Beyond this the paste is plain text: a converter's work should stay well under a
// second, and a section's text is smaller still (SECTION_MAX_BYTES).
const MAX_HTML = 3 * 1024 * 1024
// Deeper elements are taken as plain text; lists and quotes deeper than these levels
// are written at the deepest one (the renderer stops nesting at 20 blocks).
const MAX_DEPTH = 100
const MAX_LIST_DEPTH = 6
const MAX_QUOTE_DEPTH = 4
const MAX_COLUMNS = 64

const DROP = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'meta', 'link', 'title', 'base',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'audio', 'video',
  'source', 'track', 'map', 'area', 'button', 'input', 'select', 'option', 'textarea',
  'datalist', 'output', 'progress', 'meter', 'dialog', 'math', 'xml', 'o:p', 'colgroup', 'col'
])
const IMAGES = new Set(['img', 'picture', 'svg', 'canvas', 'image', 'v:imagedata', 'v:shape', 'v:image'])
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'center', 'dd', 'details', 'div', 'dl',
  'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'header', 'hgroup', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary',
  'table', 'caption', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'ul', 'menu', 'dir', 'legend'
])
// Elements that make HTML worth converting: without any, the plain text of the
// clipboard is the better paste (a code editor's coloured lines, say).
const STRUCTURE = 'p, h1, h2, h3, h4, h5, h6, ul, ol, li, table, blockquote, b, strong, i, em, a[href], s, strike, del'

function styleValue (style, property) {
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':')
    if (colon < 0) continue
    if (declaration.slice(0, colon).trim().toLowerCase() === property) {
      return declaration.slice(colon + 1).trim().toLowerCase()
    }
  }
  return null
}

function safeHref (href) {
  const url = (href || '').trim()
  if (!/^(https?:\/\/[^\s/]|mailto:[^\s])/i.test(url)) return null
  return url.replace(/[\s()<>]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))
}

// The formatting an element adds to (or takes off) what it holds. Google Docs wraps a
// whole paste in <b style="font-weight:normal">, and marks bold with font-weight:700.
function formatOf (el, outer) {
  const fmt = { ...outer }
  const tag = el.localName
  if (tag === 'b' || tag === 'strong') fmt.bold = true
  if (tag === 'i' || tag === 'em' || tag === 'cite' || tag === 'dfn' || tag === 'var') fmt.italic = true
  if (tag === 's' || tag === 'strike' || tag === 'del') fmt.strike = true
  if (tag === 'code' || tag === 'kbd' || tag === 'samp' || tag === 'tt') fmt.code = true
  if (tag === 'a' && el.hasAttribute('href')) fmt.href = safeHref(el.getAttribute('href'))
  const style = el.getAttribute('style')
  if (style) {
    const weight = styleValue(style, 'font-weight')
    if (weight && /^(bold|bolder|[6-9]00)$/.test(weight)) fmt.bold = true
    if (weight && /^(normal|lighter|[1-5]00)$/.test(weight)) fmt.bold = false
    const slant = styleValue(style, 'font-style')
    if (slant && /^(italic|oblique)/.test(slant)) fmt.italic = true
    if (slant === 'normal') fmt.italic = false
    const decoration = styleValue(style, 'text-decoration') || styleValue(style, 'text-decoration-line')
    if (decoration && decoration.includes('line-through')) fmt.strike = true
  }
  return fmt
}

// Word's lists are paragraphs with a style "mso-list:l0 level2 lfo1" and their number
// or bullet written out in a span Word itself hides (mso-list:Ignore), between
// <![if !supportLists]> comments: they become the lists they are.
function wordListInfo (p) {
  const style = p.getAttribute('style') || ''
  const list = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(style)
  const className = p.getAttribute('class') || ''
  if (!list && !/^MsoListParagraph/i.test(className)) return null
  const marker = wordMarker(p)
  if (!list && marker === null) return null
  return { id: list ? list[1] : 'l', level: list ? Number(list[2]) : 1, marker: marker || '' }
}

// The number or bullet Word wrote: in a span it hides, or between the comments.
function wordMarker (p) {
  const ignored = [...p.querySelectorAll('[style*="mso-list"]')].find(el => /mso-list:\s*ignore/i.test(el.getAttribute('style')))
  if (ignored) {
    const text = ignored.textContent
    ignored.remove()
    return text.replace(/\s+/g, ' ').trim()
  }
  const walker = p.ownerDocument.createTreeWalker(p, NodeFilter.SHOW_COMMENT)
  while (walker.nextNode()) {
    const comment = walker.currentNode
    if (!/^\[if !supportLists\]/i.test(comment.data)) continue
    let text = ''
    let node = comment.nextSibling
    while (node && !(node.nodeType === 8 && /^\[endif\]/i.test(node.data))) {
      const next = node.nextSibling
      text += node.textContent
      node.remove()
      node = next
    }
    return text.replace(/\s+/g, ' ').trim()
  }
  return null
}

function wordLists (root) {
  const parents = new Set()
  for (const p of root.querySelectorAll('p[style*="mso-list"], p[class^="MsoListParagraph" i]')) parents.add(p.parentNode)
  for (const parent of parents) {
    let run = []
    const flush = () => {
      if (run.length > 0) buildWordList(run)
      run = []
    }
    for (const child of [...parent.childNodes]) {
      if (child.nodeType === 3 && !child.data.trim()) continue
      const info = child.nodeType === 1 && child.localName === 'p' ? wordListInfo(child) : null
      if (info && (run.length === 0 || run[0].info.id === info.id)) {
        run.push({ p: child, info })
      } else {
        flush()
        if (info) run.push({ p: child, info })
      }
    }
    flush()
  }
}

function buildWordList (items) {
  const doc = items[0].p.ownerDocument
  const first = items[0].p
  const stack = []
  let top = null
  for (const { p, info } of items) {
    const ordered = /^\(?([0-9]+|[a-z]|[ivxlcdm]+)[.)]/i.test(info.marker)
    while (stack.length > 0 && stack[stack.length - 1].level > info.level) stack.pop()
    let current = stack[stack.length - 1]
    if (!current || current.level < info.level) {
      const list = doc.createElement(ordered ? 'ol' : 'ul')
      const start = /^\(?([0-9]+)[.)]/.exec(info.marker)
      if (ordered && start && start[1] !== '1') list.setAttribute('start', start[1])
      if (current) {
        const parentItem = current.list.lastElementChild || current.list.appendChild(doc.createElement('li'))
        parentItem.append(list)
      } else {
        top = list
      }
      current = { level: info.level, list }
      stack.push(current)
    }
    const li = doc.createElement('li')
    li.append(...p.childNodes)
    current.list.append(li)
  }
  first.before(top)
  for (const { p } of items) p.remove()
}

function clean (root) {
  let images = 0
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT)
  const comments = []
  while (walker.nextNode()) comments.push(walker.currentNode)
  // What Word writes for old browsers between <![if !supportLists]> and <![endif]>
  // (the list marks it writes anew) goes with the comments themselves.
  for (const comment of comments) {
    if (/^\[if !supportLists\]/i.test(comment.data) && comment.parentNode) {
      let node = comment.nextSibling
      while (node && !(node.nodeType === 8 && /^\[endif\]/i.test(node.data))) {
        const next = node.nextSibling
        node.remove()
        node = next
      }
    }
  }
  for (const comment of comments) comment.remove()
  for (const el of [...root.querySelectorAll('*')]) {
    if (!el.isConnected) continue
    const tag = el.localName
    if (IMAGES.has(tag)) {
      images += 1
      el.remove()
    } else if (DROP.has(tag) || tag.startsWith('v:') || tag.startsWith('w:data')) {
      el.remove()
    } else if (el.getAttribute('aria-hidden') === 'true' || /display:\s*none|mso-hide:\s*all/i.test(el.getAttribute('style') || '')) {
      el.remove()
    }
  }
  return images
}

// ---------------------------------------------------------------------------------
// From the cleaned DOM to blocks: { type: 'paragraph'|'heading'|'list'|'quote'|'table'
// |'code'|'rule', ... }, with inline content as runs { text, bold, italic, strike,
// code, href } and { br: true }.

class Collector {
  constructor (flat = false) {
    this.flat = flat
    this.blocks = []
    this.runs = []
  }

  text (data, fmt) {
    const text = data.replace(/[\u200b\ufeff\u00ad]/g, '').replace(/\s+/g, ' ')
    if (text) this.runs.push({ text, bold: !!fmt.bold && !fmt.plain, italic: !!fmt.italic, strike: !!fmt.strike, code: !!fmt.code, href: fmt.href || null })
  }

  br () {
    this.runs.push(this.flat ? { text: ' ' } : { br: true })
  }

  flush () {
    if (this.flat) {
      this.runs.push({ text: ' ' })
      return
    }
    if (this.runs.some(run => run.text && run.text.trim())) this.blocks.push({ type: 'paragraph', runs: this.runs })
    this.runs = []
  }

  block (block) {
    this.flush()
    this.blocks.push(block)
  }
}

function inlineRuns (el, fmt, depth) {
  const collector = new Collector(true)
  walk(el, fmt, collector, depth)
  return collector.runs
}

function walk (node, fmt, out, depth) {
  for (const child of node.childNodes) {
    if (child.nodeType === 3) {
      out.text(child.data, fmt)
      continue
    }
    if (child.nodeType !== 1) continue
    if (depth > MAX_DEPTH) {
      out.text(child.textContent, fmt)
      continue
    }
    element(child, fmt, out, depth + 1)
  }
}

function element (el, outer, out, depth) {
  const tag = el.localName
  const fmt = formatOf(el, outer)
  if (tag === 'br') {
    out.br()
    return
  }
  if (!BLOCKS.has(tag)) {
    walk(el, fmt, out, depth)
    return
  }
  if (out.flat) {
    out.flush()
    walk(el, fmt, out, depth)
    out.flush()
    return
  }
  const heading = /^h([1-6])$/.exec(tag)
  const title = tag === 'p' && /^MsoTitle$/i.test(el.getAttribute('class') || '')
  if (heading || title) {
    out.block({ type: 'heading', level: heading ? Number(heading[1]) : 1, runs: inlineRuns(el, { ...fmt, plain: true }, depth) })
  } else if (tag === 'ul' || tag === 'ol' || tag === 'menu' || tag === 'dir') {
    out.block(list(el, fmt, depth, 1))
  } else if (tag === 'blockquote') {
    out.block({ type: 'quote', blocks: blocksOf(el, fmt, depth) })
  } else if (tag === 'pre') {
    out.block({ type: 'code', text: el.textContent.replace(/\r\n?/g, '\n').replace(/\n$/, '') })
  } else if (tag === 'hr') {
    out.block({ type: 'rule' })
  } else if (tag === 'table') {
    table(el, fmt, out, depth)
  } else {
    out.flush()
    walk(el, fmt, out, depth)
    out.flush()
  }
}

function blocksOf (el, fmt, depth) {
  const collector = new Collector()
  walk(el, fmt, collector, depth)
  collector.flush()
  return collector.blocks
}

function list (el, fmt, depth, level) {
  const ordered = el.localName === 'ol'
  if (depth > MAX_DEPTH) {
    const collector = new Collector()
    collector.text(el.textContent, fmt)
    collector.flush()
    return { type: 'list', ordered, start: 1, items: [collector.blocks] }
  }
  const start = ordered ? Math.max(0, Math.min(999999999, parseInt(el.getAttribute('start') || '1', 10) || 1)) : 1
  const items = []
  for (const child of el.childNodes) {
    if (child.nodeType === 1 && (child.localName === 'ul' || child.localName === 'ol')) {
      // Google Docs puts a nested list beside the items, not inside one.
      if (items.length === 0) items.push([])
      items[items.length - 1].push(...listBlocks(child, fmt, depth, level))
    } else if (child.nodeType === 1 && child.localName === 'li') {
      items.push(itemBlocks(child, formatOf(child, fmt), depth + 1, level))
    } else if (child.nodeType === 1 || (child.nodeType === 3 && child.data.trim())) {
      if (items.length === 0) items.push([])
      const holder = el.ownerDocument.createElement('div')
      holder.append(child.cloneNode(true))
      items[items.length - 1].push(...blocksOf(holder, fmt, depth + 1))
    }
  }
  return { type: 'list', ordered, start, items: items.filter(blocks => blocks.length > 0) }
}

// A list inside a list, or its items as paragraphs once lists are deep enough.
function listBlocks (el, fmt, depth, level) {
  if (level < MAX_LIST_DEPTH) return [list(el, fmt, depth + 1, level + 1)]
  const flat = list(el, fmt, depth + 1, level)
  return flat.items.flat()
}

function itemBlocks (li, fmt, depth, level) {
  const collector = new Collector()
  for (const child of li.childNodes) {
    if (child.nodeType === 1 && (child.localName === 'ul' || child.localName === 'ol')) {
      collector.flush()
      collector.blocks.push(...listBlocks(child, fmt, depth, level))
    } else if (child.nodeType === 3) {
      collector.text(child.data, fmt)
    } else if (child.nodeType === 1) {
      element(child, fmt, collector, depth + 1)
    }
  }
  collector.flush()
  return collector.blocks
}

function rowsOf (tableEl) {
  const rows = []
  const visit = node => {
    for (const child of node.children) {
      if (child.localName === 'tr') rows.push(child)
      else if (['thead', 'tbody', 'tfoot'].includes(child.localName)) visit(child)
    }
  }
  visit(tableEl)
  return rows
}

// Merged cells are split: the text stays in the first cell, the others are empty.
function table (el, fmt, out, depth) {
  for (const caption of el.querySelectorAll(':scope > caption')) {
    out.block({ type: 'paragraph', runs: inlineRuns(caption, fmt, depth) })
  }
  const grid = []
  const rows = rowsOf(el)
  rows.forEach((tr, r) => {
    grid[r] = grid[r] || []
    let c = 0
    for (const cell of tr.children) {
      if (cell.localName !== 'td' && cell.localName !== 'th') continue
      while (grid[r][c] !== undefined) c++
      const span = Math.max(1, Math.min(MAX_COLUMNS, parseInt(cell.getAttribute('colspan') || '1', 10) || 1))
      const down = Math.max(1, Math.min(rows.length - r, parseInt(cell.getAttribute('rowspan') || '1', 10) || 1))
      const runs = inlineRuns(cell, r === 0 ? { ...formatOf(cell, fmt), plain: true } : formatOf(cell, fmt), depth)
      for (let dr = 0; dr < down; dr++) {
        grid[r + dr] = grid[r + dr] || []
        for (let dc = 0; dc < span; dc++) grid[r + dr][c + dc] = dr === 0 && dc === 0 ? runs : []
      }
      c += span
    }
  })
  const filled = grid.filter(row => row && row.length > 0).map(row => {
    if (row.length <= MAX_COLUMNS) return row
    // Wider than any table of a document: what lies beyond goes into the last column.
    const kept = row.slice(0, MAX_COLUMNS)
    kept[MAX_COLUMNS - 1] = row.slice(MAX_COLUMNS - 1).flatMap(runs => [...(runs || []), { text: ' ' }])
    return kept
  })
  const columns = Math.max(0, ...filled.map(row => row.length))
  if (filled.length === 0 || columns === 0) return
  // A table of one cell is a frame around text (web pages lay out with them).
  if (filled.length === 1 && columns === 1) {
    const cell = rows[0].querySelector('td, th')
    if (!cell) return
    out.flush()
    out.blocks.push(...blocksOf(cell, formatOf(cell, fmt), depth))
    return
  }
  out.block({ type: 'table', rows: filled.map(row => Array.from({ length: columns }, (_, c) => row[c] || [])) })
}

// ---------------------------------------------------------------------------------
// From blocks to Markdown.

function escapeText (text, inTable) {
  let escaped = text
    .replace(/\\(?=[!-/:-@[-`{-~]|$)/g, '\\\\')
    .replace(/[*`[\]<~]/g, '\\$&')
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
    .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
  if (inTable) escaped = escaped.replace(/\|/g, '\\|')
  return escaped
}

// What would make a line something else than text when it starts it: "# ", "> ",
// "- ", "+ ", "1. ", "1) ", or a line of "-" or "=" under a paragraph.
function escapeLineStart (line) {
  return line
    .replace(/^(#{1,6})(?=\s|$)/, '\\$1')
    .replace(/^>/, '\\>')
    .replace(/^([-+])(?=\s|$)/, '\\$1')
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
    .replace(/^([-=])(?=\1*\s*$)/, '\\$1')
}

function codeSpan (text) {
  const longest = Math.max(0, ...(text.match(/`+/g) || []).map(ticks => ticks.length))
  const fence = '`'.repeat(longest + 1)
  const pad = /^`|`$/.test(text) || /^ .* $/.test(text) ? ' ' : ''
  return fence + pad + text + pad + fence
}

function sameFormat (a, b) {
  return a.bold === b.bold && a.italic === b.italic && a.strike === b.strike && a.code === b.code && a.href === b.href
}

// Adjacent runs of the same formatting are joined and spaces collapsed across them, so
// that markers go around words, not around every span Word wrote.
function normalise (runs) {
  // Markers around punctuation that touches a letter are not markers for CommonMark
  // ("a**:**b"): such punctuation takes the formatting of the text before it, which
  // looks the same.
  let previous = null
  const adjusted = runs.map((run, i) => {
    if (run.br) {
      previous = null
      return run
    }
    const copy = { ...run }
    const next = runs[i + 1]
    if (!copy.code && copy.text.trim() && ![...copy.text].some(wordChar)) {
      const own = wanted(copy)
      const opens = previous && wordChar(previous.text[previous.text.length - 1]) && own.some(kind => !wanted(previous).includes(kind))
      const closes = next && !next.br && wordChar(next.text[0]) && own.some(kind => !wanted(next).includes(kind))
      if (opens || closes) {
        const model = previous || { bold: false, italic: false, strike: false }
        Object.assign(copy, { bold: model.bold, italic: model.italic, strike: model.strike })
      }
    }
    if (copy.text.trim()) previous = copy
    return copy
  })
  const joined = []
  for (const run of adjusted) {
    const last = joined[joined.length - 1]
    if (run.br) {
      joined.push(run)
    } else if (last && !last.br && sameFormat(last, run)) {
      last.text += run.text
    } else {
      joined.push({ ...run })
    }
  }
  let space = true
  for (const run of joined) {
    if (run.br) {
      space = true
      continue
    }
    run.text = run.text.replace(/ {2,}/g, ' ')
    if (space) run.text = run.text.replace(/^ /, '')
    if (run.text) space = run.text.endsWith(' ')
  }
  const kept = joined.filter(run => run.br || run.text)
  // No break at the ends of a paragraph, and no space before a break.
  while (kept.length && kept[0].br) kept.shift()
  while (kept.length && kept[kept.length - 1].br) kept.pop()
  for (let i = 0; i < kept.length; i++) {
    if (!kept[i].br && (i + 1 === kept.length || kept[i + 1].br)) kept[i].text = kept[i].text.replace(/ $/, '')
  }
  return kept.filter(run => run.br || run.text)
}

function wanted (run) {
  if (run.code) return []
  const markers = []
  if (run.strike) markers.push('~~')
  if (run.bold) markers.push('**')
  if (run.italic) markers.push('_')
  return markers
}

const PUNCTUATION = /[\p{P}\p{S}]/u
// Punctuation at a formatted run's edge, with the spaces between it and the words.
const LEADING_PUNCTUATION = /^[\p{P}\p{S}][\s\p{P}\p{S}]*/u
const TRAILING_PUNCTUATION = /[\s\p{P}\p{S}]*[\p{P}\p{S}]$/u

// A letter or digit, as CommonMark sees it: neither space nor punctuation. A marker
// between such a character and a punctuation mark opens or closes nothing.
function wordChar (char) {
  return Boolean(char) && !/\s/.test(char) && !PUNCTUATION.test(char)
}

// Inline Markdown of runs that share one link (or none). Markers open and close at
// run boundaries, around the words and not their spaces; a punctuation mark at the
// edge of a formatted run next to a letter goes outside the markers, where CommonMark
// would otherwise not see them as markers.
function formatted (runs, { inTable }) {
  const pieces = []
  const open = []
  let space = false
  const lastChar = () => {
    for (let i = pieces.length - 1; i >= 0; i--) if (pieces[i]) return pieces[i][pieces[i].length - 1]
    return ''
  }
  const close = (count, next) => {
    while (open.length > count) {
      const marker = open.pop()
      if (marker.kind === '_' && wordChar(next)) pieces[marker.at] = '*'
      pieces.push(pieces[marker.at])
    }
  }
  const kept = want => {
    let count = 0
    while (count < open.length && want.includes(open[count].kind)) count++
    return count
  }
  // For each run: the markers the next text before a break wants, and the character
  // that follows the run.
  const nextWant = new Array(runs.length).fill(null)
  const nextChar = new Array(runs.length).fill('')
  for (let i = runs.length - 2; i >= 0; i--) {
    const next = runs[i + 1]
    if (next.br) {
      nextChar[i] = '\n'
    } else {
      nextChar[i] = next.text[0]
      nextWant[i] = next.text.trim() ? wanted(next) : nextWant[i + 1]
    }
  }
  const emit = text => pieces.push(escapeText(text, inTable))
  // How many markers a run with `want` closes and opens where it starts.
  const changes = want => {
    const count = kept(want)
    return open.length - count + want.filter(kind => !open.slice(0, count).some(marker => marker.kind === kind)).length
  }
  runs.forEach((run, index) => {
    if (run.br) {
      close(0, '\n')
      pieces.push(inTable ? ' ' : '\\\n')
      space = false
      return
    }
    let core = run.text.trim()
    if (!core) {
      space = true
      return
    }
    const lead = space || run.text !== run.text.trimStart()
    const trailing = run.text !== run.text.trimEnd()
    const after = trailing ? ' ' : nextChar[index]
    const continued = nextWant[index] || []
    let want = wanted(run)
    // Inside a word CommonMark follows formatting that starts or ends on plain text
    // ("a**b**c"), not a change from one formatting to another ("a*b***c*",
    // "a~~**b**~~c"): there the word goes on as it started.
    if (!lead && wordChar(lastChar()) && wordChar(core[0]) && changes(want) > 0 &&
        (changes(want) > 1 || (open.length > 0 && want.length > 0))) {
      want = open.map(marker => marker.kind)
    }
    // Punctuation that ends the run before a letter goes after the markers closing there.
    let tail = ''
    if (wordChar(after) && want.some(kind => !continued.includes(kind))) {
      const punctuation = TRAILING_PUNCTUATION.exec(core)
      if (punctuation) {
        tail = punctuation[0]
        core = core.slice(0, -tail.length)
        if (!core) want = open.slice(0, kept(continued)).map(marker => marker.kind)
      }
    }
    close(kept(want), lead ? ' ' : (core || tail)[0])
    if (lead) pieces.push(' ')
    space = trailing
    const opening = want.filter(kind => !open.some(marker => marker.kind === kind))
    // Likewise punctuation that starts it after a letter goes before the opening markers.
    if (core && opening.length > 0 && wordChar(lastChar())) {
      const punctuation = LEADING_PUNCTUATION.exec(core)
      if (punctuation) {
        emit(punctuation[0])
        core = core.slice(punctuation[0].length)
      }
    }
    if (core) {
      const intraword = wordChar(lastChar())
      for (const kind of opening) {
        open.push({ kind, at: pieces.length })
        pieces.push(kind === '_' && intraword ? '*' : kind)
      }
      pieces.push(run.code ? codeSpan(core) : escapeText(core, inTable))
    }
    if (tail) {
      close(kept(continued), tail[0])
      emit(tail)
    }
    if (!nextWant[index]) close(0, after)
  })
  close(0, '')
  // A space at the end stays: a link or other text may follow.
  if (space) pieces.push(' ')
  return pieces.join('')
}

function inline (runs, options = {}) {
  const segments = []
  for (const run of normalise(runs)) {
    const last = segments[segments.length - 1]
    const href = run.br ? null : run.href
    if (last && last.href === href && !run.br) last.runs.push(run)
    else segments.push({ href, runs: [run] })
  }
  let out = ''
  for (const { href, runs: part } of segments) {
    const text = formatted(part, options)
    if (!href || !text.trim()) {
      out += text
      continue
    }
    const plain = part.map(run => run.text || '').join('')
    const lead = /^\s/.test(text) ? ' ' : ''
    const trail = /\s$/.test(text) ? ' ' : ''
    if (part.every(run => !run.bold && !run.italic && !run.strike && !run.code) &&
        (plain.trim() === href || `mailto:${plain.trim()}` === href)) {
      out += `${lead}<${plain.trim()}>${trail}`
      continue
    }
    // A "!" just before the link would make it an image.
    if (!lead && /(^|[^\\])(\\\\)*!$/.test(out)) out = out.slice(0, -1) + '\\!'
    out += `${lead}[${text.trim()}](${href})${trail}`
  }
  return out
}

function paragraph (runs) {
  return inline(runs).split('\n').map(escapeLineStart).join('\n')
}

function indent (text, prefix, first = prefix) {
  return text.split('\n').map((line, i) => (line ? (i === 0 ? first : prefix) + line : line)).join('\n')
}

function serialise (blocks, inItem = false) {
  const parts = []
  blocks.forEach((block, i) => {
    const text = blockText(block)
    if (!text.trim()) return
    // A list right under its item's paragraph stays tight.
    const tight = inItem && block.type === 'list' && i > 0 && blocks[i - 1].type === 'paragraph'
    parts.push({ text, tight })
  })
  return parts.map((part, i) => (i === 0 ? '' : part.tight ? '\n' : '\n\n') + part.text).join('')
}

function blockText (block) {
  switch (block.type) {
    case 'paragraph':
      return paragraph(block.runs)
    case 'heading': {
      const text = inline(block.runs).replace(/\\\n/g, ' ').replace(/(\s)(#+)\s*$/, '$1\\$2')
      return text.trim() ? `${'#'.repeat(block.level)} ${text}` : ''
    }
    case 'list':
      return block.items.map((blocks, i) => {
        const marker = block.ordered ? `${block.start + i}. ` : '- '
        const body = serialise(blocks, true)
        return body.trim() ? indent(body, ' '.repeat(marker.length), marker) : marker.trimEnd()
      }).join('\n')
    case 'quote': {
      const body = serialise(limitQuotes(block.blocks, 1))
      return body.split('\n').map(line => (line ? `> ${line}` : '>')).join('\n')
    }
    case 'code': {
      const longest = Math.max(2, ...(block.text.match(/`+/g) || []).map(ticks => ticks.length))
      const fence = '`'.repeat(longest + 1)
      return block.text.trim() ? `${fence}\n${block.text}\n${fence}` : ''
    }
    case 'rule':
      return '---'
    case 'table':
      return tableText(block.rows)
  }
  return ''
}

function limitQuotes (blocks, level) {
  return blocks.flatMap(block => {
    if (block.type !== 'quote') return [block]
    return level >= MAX_QUOTE_DEPTH ? limitQuotes(block.blocks, level) : [{ ...block, blocks: limitQuotes(block.blocks, level + 1) }]
  })
}

function tableText (rows) {
  const line = cells => `| ${cells.join(' | ')} |`
  const texts = rows.map(row => row.map(runs => inline(runs, { inTable: true }).trim()))
  const columns = texts[0].length
  return [line(texts[0]), line(Array(columns).fill('---')), ...texts.slice(1).map(line)].join('\n')
}

// ---------------------------------------------------------------------------------

// { markdown, images, inline } for an HTML fragment: markdown is null when the HTML
// says nothing the plain text does not (no paragraphs, lists, tables or formatting),
// images counts the images left out, inline is true for a single paragraph.
export function htmlToMarkdown (html) {
  const plain = { markdown: null, images: 0, inline: true }
  if (typeof html !== 'string' || html.length > MAX_HTML) return plain
  const root = new DOMParser().parseFromString(html, 'text/html').body
  if (!root) return plain
  wordLists(root)
  const images = clean(root)
  if (!root.querySelector(STRUCTURE)) {
    return { markdown: root.textContent.trim() ? null : '', images, inline: true }
  }
  const blocks = blocksOf(root, {}, 0)
  const markdown = serialise(blocks).trim()
  return { markdown, images, inline: blocks.length === 1 && blocks[0].type === 'paragraph' }
}
