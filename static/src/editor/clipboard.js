// Pasting into a section: HTML (from Word, LibreOffice, Google Docs, a web page) goes in
// as Markdown (paste.js); plain text goes in as it is, through CodeMirror. Images are
// not pasted, and the person is told.

import { EditorView } from '@codemirror/view'

import { htmlToMarkdown } from './paste.js'

const encoder = new TextEncoder()

// Where pasted blocks go: on lines of their own, a blank line away from the text around
// them, so that a pasted table or list is one and not the end of a paragraph.
export function blockInsertion (state, markdown) {
  const range = state.selection.main
  const line = state.doc.lineAt(range.from)
  const endLine = state.doc.lineAt(range.to)
  const before = state.doc.sliceString(line.from, range.from)
  const after = state.doc.sliceString(range.to, endLine.to)
  const from = before.trim() ? range.from : line.from
  const to = after.trim() ? range.to : endLine.to
  let prefix = ''
  if (before.trim()) prefix = '\n\n'
  else if (line.number > 1 && state.doc.line(line.number - 1).text.trim()) prefix = '\n'
  let suffix = ''
  if (after.trim()) suffix = '\n\n'
  else if (endLine.number < state.doc.lines && state.doc.line(endLine.number + 1).text.trim()) suffix = '\n'
  return { from, to, insert: prefix + markdown + suffix, cursor: from + prefix.length + markdown.length }
}

function imageFiles (data) {
  return [...(data.items || [])].filter(item => item.kind === 'file' && item.type.startsWith('image/')).length
}

// `writable()` says whether the person may write now; `notify(kind, count)` shows
// "images" (not pasted) or "too_long" (nothing pasted); `maxBytes` is the section's limit.
export function richPaste ({ writable, notify, maxBytes }) {
  return EditorView.domEventHandlers({
    paste (event, view) {
      const data = event.clipboardData
      if (!data || !writable()) return false
      const html = data.getData('text/html')
      const files = imageFiles(data)
      if (!html) {
        if (files > 0 && !data.getData('text/plain')) {
          event.preventDefault()
          notify('images', files)
          return true
        }
        return false
      }
      const { markdown, images, inline } = htmlToMarkdown(html)
      if (images > 0 || (files > 0 && !markdown)) notify('images', Math.max(images, files))
      // Nothing the plain text lacks: CodeMirror pastes the plain text.
      if (markdown === null) return false
      event.preventDefault()
      if (!markdown) return true
      const { state } = view
      const change = inline
        ? { from: state.selection.main.from, to: state.selection.main.to, insert: markdown, cursor: state.selection.main.from + markdown.length }
        : blockInsertion(state, markdown)
      if (maxBytes) {
        const size = encoder.encode(state.doc.toString()).length -
          encoder.encode(state.doc.sliceString(change.from, change.to)).length +
          encoder.encode(change.insert).length
        if (size > maxBytes) {
          notify('too_long', maxBytes)
          return true
        }
      }
      view.dispatch({
        changes: { from: change.from, to: change.to, insert: change.insert },
        selection: { anchor: change.cursor },
        userEvent: 'input.paste',
        scrollIntoView: true
      })
      return true
    }
  })
}
