// A template's hints ("_[Ente]_": a bracketed hint in italics, the whole emphasis) stand
// out in the editor as they do in the preview and in the checklist before freezing, so
// that writers see at a glance what is still to be replaced. The same rule as the
// renderer's (app/core/render.py), on the Markdown source.

import { Decoration, MatchDecorator, ViewPlugin } from '@codemirror/view'

const HINT = /(?<![\w*_\\])([_*])\[[^\[\]\n]*\S[^\[\]\n]*\]\1(?![\w*_])/g

export function templateHints (title) {
  const decorated = new MatchDecorator({
    regexp: HINT,
    decoration: Decoration.mark({ class: 'tv-placeholder', attributes: { title } })
  })
  return ViewPlugin.fromClass(class {
    constructor (view) { this.decorations = decorated.createDeco(view) }
    update (update) { this.decorations = decorated.updateDeco(update, this.decorations) }
  }, { decorations: plugin => plugin.decorations })
}
