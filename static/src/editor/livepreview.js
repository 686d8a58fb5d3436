// The text shown the way it will read, as in a word processor: the Markdown marks
// (## before a heading, ** around bold, _ around italics, ~~ around struck text, the
// address of a link, the backslash of an escape) are hidden, and come back where the
// cursor is, so that they can still be seen and changed; list marks show as bullets.
// The text itself is never changed: the marks are only hidden from sight (and from
// screen readers), and copying, the word count and everything else see the Markdown.

import { RangeSetBuilder } from '@codemirror/state'
import { Decoration, ViewPlugin } from '@codemirror/view'
import { syntaxTree } from '@codemirror/language'

const hidden = Decoration.mark({ class: 'tv-md-hidden' })
const bullet = Decoration.mark({ class: 'tv-md-bullet' })
const linkText = Decoration.mark({ class: 'tv-md-link' })
const quoteLine = Decoration.line({ class: 'tv-md-quote' })

const INLINE = new Set(['Emphasis', 'StrongEmphasis', 'Strikethrough', 'InlineCode'])
const INLINE_MARKS = new Set(['EmphasisMark', 'StrikethroughMark', 'CodeMark'])

function touches (ranges, from, to) {
  return ranges.some(range => range.from <= to && range.to >= from)
}

function lineOf (state, pos) {
  const line = state.doc.lineAt(pos)
  return { from: line.from, to: line.to }
}

// A mark and the space that follows it (after "##" or ">").
function withSpace (state, from, to) {
  return state.doc.sliceString(to, to + 1) === ' ' ? to + 1 : to
}

function decorate (view) {
  const { state } = view
  // Away from the editor nothing is being written: every mark is hidden.
  const ranges = view.hasFocus ? state.selection.ranges : []
  const marks = []
  const lines = []
  const hide = (from, to) => { if (to > from) marks.push([from, to, hidden]) }
  const tree = syntaxTree(state)
  for (const { from, to } of view.visibleRanges) {
    tree.iterate({
      from,
      to,
      enter: node => {
        const name = node.name
        if (/^ATXHeading[1-6]$/.test(name)) {
          const line = lineOf(state, node.from)
          if (touches(ranges, line.from, line.to)) return false
          const mark = node.node.getChild('HeaderMark')
          if (mark && mark.from === node.from) hide(mark.from, withSpace(state, mark.from, mark.to))
          // The closing hashes of "## Title ##" go too.
          const closing = node.node.getChildren('HeaderMark').find(m => m.from > node.from)
          if (closing) hide(closing.from, closing.to)
          return true
        }
        if (INLINE.has(name)) {
          if (touches(ranges, node.from, node.to)) return true
          for (let child = node.node.firstChild; child; child = child.nextSibling) {
            if (INLINE_MARKS.has(child.name)) hide(child.from, child.to)
          }
          return true
        }
        if (name === 'Link') {
          const url = node.node.getChild('URL')
          // "[x]" with nothing after it is not a link for the renderer (a footnote,
          // a template's "[Ente]"): it stays as written.
          if (!url || touches(ranges, node.from, node.to)) return true
          const children = []
          for (let child = node.node.firstChild; child; child = child.nextSibling) children.push(child)
          const open = children[0]
          const close = children.find((child, i) => i > 0 && child.name === 'LinkMark' && state.doc.sliceString(child.from, child.to) === ']')
          if (!open || open.name !== 'LinkMark' || !close) return true
          hide(open.from, open.to)
          if (close.from > open.to) marks.push([open.to, close.from, linkText])
          hide(close.from, node.to)
          return true
        }
        if (name === 'Autolink') {
          if (touches(ranges, node.from, node.to)) return false
          hide(node.from, node.from + 1)
          marks.push([node.from + 1, node.to - 1, linkText])
          hide(node.to - 1, node.to)
          return false
        }
        if (name === 'Escape') {
          if (!touches(ranges, node.from, node.to)) hide(node.from, node.from + 1)
          return false
        }
        if (name === 'HardBreak') {
          if (state.doc.sliceString(node.from, node.from + 1) === '\\' && !touches(ranges, node.from, node.from + 1)) {
            hide(node.from, node.from + 1)
          }
          return false
        }
        if (name === 'ListMark') {
          const list = node.node.parent && node.node.parent.parent
          if (list && list.name === 'BulletList' && !touches(ranges, node.from, node.to + 1)) {
            marks.push([node.from, node.to, bullet])
          }
          return false
        }
        if (name === 'QuoteMark') {
          const line = lineOf(state, node.from)
          lines.push(line.from)
          if (!touches(ranges, line.from, line.to)) hide(node.from, withSpace(state, node.from, node.to))
          return false
        }
        return true
      }
    })
  }
  const builder = new RangeSetBuilder()
  const all = [
    ...lines.map(at => [at, at, quoteLine, -1]),
    ...marks.map(([from, to, deco]) => [from, to, deco, 0])
  ].sort((a, b) => a[0] - b[0] || a[3] - b[3] || a[1] - b[1])
  let lastLine = -1
  for (const [from, to, deco, kind] of all) {
    if (kind < 0) {
      if (from === lastLine) continue
      lastLine = from
    }
    builder.add(from, to, deco)
  }
  return builder.finish()
}

export const livePreview = ViewPlugin.fromClass(class {
  constructor (view) {
    this.decorations = decorate(view)
  }

  update (update) {
    if (update.docChanged || update.selectionSet || update.viewportChanged || update.focusChanged ||
        syntaxTree(update.state) !== syntaxTree(update.startState)) {
      this.decorations = decorate(update.view)
    }
  }
}, { decorations: plugin => plugin.decorations })
