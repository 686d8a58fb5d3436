// Live co-editing on the document page: every `.section-editor` becomes an editor
// bound to the section's shared text (see editor/live.js and docs/editor.md).

import './editor.css'
import { readData } from './editor/i18n.js'
import { LiveDocument } from './editor/live.js'
import { followOutline } from './editor/outline.js'

function start () {
  const config = readData('editor-config')
  const i18n = readData('editor-i18n')
  const mounts = [...document.querySelectorAll('.section-editor[data-section-id]')]
  if (!config || !i18n || mounts.length === 0) return
  followOutline(i18n)
  new LiveDocument(config, i18n).start(mounts)
}

// A module script runs once the page is parsed: every mount point is already there.
start()
