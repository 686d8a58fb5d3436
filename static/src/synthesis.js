// The page of a synthesis: the passage a facilitator selects in a lab's text, beside the
// sections, becomes the «Inserisci il passaggio selezionato» form of that text; and the
// lists of pulled passages under the sections are re-fetched when someone pulls or
// updates one (the server's `changed` event, kind "synthesis").
//
// Each lab's text is the section's exact text in one element (used passages wrapped in
// <mark>, nothing else added), so the characters before a point of the selection,
// counted inside that element, are its offset in the lab's text. The server checks the
// offsets against the words selected, which are sent too.

const pane = document.querySelector('[data-synthesis-sources]')

function textOf (node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement
  return element?.closest('[data-source-text]') || null
}

// How many characters of `text` come before (node, offset).
function offsetIn (text, node, offset) {
  const range = document.createRange()
  range.selectNodeContents(text)
  range.setEnd(node, offset)
  return range.toString().length
}

function forms () {
  return [...pane.querySelectorAll('[data-pull-form]')]
}

function clear (form) {
  for (const name of ['start', 'end', 'quote']) form.querySelector(`[data-pull-${name}]`).value = ''
  form.querySelector('[data-pull-selection]').hidden = true
}

// Only a selection inside one lab's text counts; one that leaves it (or none at all,
// as when the person then opens the list of sections) keeps the last one chosen.
function selected () {
  const selection = document.getSelection()
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return
  const range = selection.getRangeAt(0)
  const text = textOf(range.startContainer)
  if (!text || text !== textOf(range.endContainer)) return
  const start = offsetIn(text, range.startContainer, range.startOffset)
  const end = offsetIn(text, range.endContainer, range.endOffset)
  const quote = range.toString()
  if (end <= start || !quote.trim()) return
  const form = text.closest('[data-source-section]')?.querySelector('[data-pull-form]')
  if (!form) return
  for (const other of forms()) if (other !== form) clear(other)
  form.querySelector('[data-pull-start]').value = String(start)
  form.querySelector('[data-pull-end]').value = String(end)
  form.querySelector('[data-pull-quote]').value = quote
  const words = quote.trim().replace(/\s+/g, ' ')
  form.querySelector('[data-pull-preview]').textContent =
    words.length > 160 ? `${words.slice(0, 80)} … ${words.slice(-60)}` : words
  form.querySelector('[data-pull-selection]').hidden = false
}

// Someone typing a reason or holding the focus in a list keeps it: the list waits.
function busy (list) {
  return list.contains(document.activeElement) && document.activeElement !== document.body
}

async function refresh () {
  try {
    const response = await fetch(pane.dataset.provenanceUrl, { credentials: 'same-origin' })
    if (!response.ok) return
    const template = document.createElement('template')
    template.innerHTML = await response.text()
    for (const fresh of template.content.querySelectorAll('[data-provenance-section]')) {
      const id = fresh.dataset.provenanceSection
      const list = document.querySelector(`[data-provenance-section="${id}"]`)
      if (!list || busy(list)) continue
      const open = list.querySelector('details')?.open
      if (open) fresh.querySelector('details')?.setAttribute('open', '')
      list.replaceWith(fresh)
    }
  } catch {
    // Offline: the next change, or a reload, brings the lists up to date.
  }
}

if (pane) {
  document.addEventListener('selectionchange', selected)
  document.addEventListener('tavolo:changed', event => {
    if (event.detail?.kind === 'synthesis') refresh()
  })
}
