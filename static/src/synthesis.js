// The page of a synthesis: the passage a facilitator selects in a lab's text, beside the
// sections, becomes the «Inserisci il passaggio selezionato» form of that text; the lists
// of pulled passages under the sections and the labs' texts beside them are re-fetched
// when someone pulls or updates one (the server's `changed` event, kind "synthesis") or
// when a lab's text changes (the labs' version, asked every few seconds).
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

// Someone selecting words in a lab's text, or choosing where to put them, keeps the pane
// as it is: it waits to be redrawn until the mouse is up, the selection is gone from it
// and the focus elsewhere.
let pressed = false

function paneBusy () {
  const active = document.activeElement
  if (pressed || (pane.contains(active) && active.matches('select, input, textarea'))) return true
  const selection = document.getSelection()
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return false
  return selection.getRangeAt(0).intersectsNode(pane)
}

// The structure of a pane: its labs and their sections, in order. The same structure is
// redrawn text by text, each lab's section keeping what the person chose in its form.
function structure (root) {
  return [...root.querySelectorAll('[data-lab], [data-source-section]')]
    .map(node => node.dataset.lab
      ? `l${node.dataset.lab}:${node.querySelector('summary')?.textContent}`
      : `s${node.dataset.sourceSection}`)
    .join(',')
}

const KEPT = ['[data-pull-start]', '[data-pull-end]', '[data-pull-quote]']

function carry (old, fresh) {
  const target = old.querySelector('select[name=target]')
  const chosen = fresh.querySelector('select[name=target]')
  if (target && chosen && [...chosen.options].some(o => o.value === target.value && !o.disabled)) {
    chosen.value = target.value
  }
  const pending = old.querySelector('[data-pull-quote]')?.value
  if (!pending || !fresh.querySelector('[data-pull-form]')) return
  for (const name of KEPT) fresh.querySelector(name).value = old.querySelector(name).value
  fresh.querySelector('[data-pull-preview]').textContent = old.querySelector('[data-pull-preview]').textContent
  fresh.querySelector('[data-pull-selection]').hidden = false
}

function redrawPane (fresh) {
  if (structure(fresh) === structure(pane)) {
    for (const block of fresh.querySelectorAll('[data-source-section]')) {
      const old = pane.querySelector(`[data-source-section="${block.dataset.sourceSection}"]`)
      carry(old, block)
      old.replaceWith(block)
    }
  } else {
    const closed = new Set([...pane.querySelectorAll('[data-lab]:not([open])')].map(d => d.dataset.lab))
    const scrolled = pane.scrollTop
    for (const block of fresh.querySelectorAll('[data-source-section]')) {
      const old = pane.querySelector(`[data-source-section="${block.dataset.sourceSection}"]`)
      if (old) carry(old, block)
    }
    for (const lab of fresh.querySelectorAll('[data-lab]')) lab.open = !closed.has(lab.dataset.lab)
    pane.replaceChildren(...fresh.childNodes)
    pane.scrollTop = scrolled
  }
  pane.dataset.version = fresh.dataset.version
}

// Whether the pane still has to be redrawn: the labs' texts moved, or a passage was
// pulled or updated, while the person was busy in it.
let wanted = false

async function refresh () {
  wanted = true
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
    const fresh = template.content.querySelector('[data-synthesis-sources]')
    if (fresh && !paneBusy()) {
      redrawPane(fresh)
      wanted = false
    }
    document.dispatchEvent(new CustomEvent('tavolo:synthesis-refreshed'))
  } catch {
    // Offline: the next change, or a reload, brings the lists up to date.
  }
}

// A lab's text changes in the lab's own page, whose live connection this page does not
// share: the labs' version is asked every few seconds, answered "not modified" while
// nothing changed.
const EVERY_MS = 3000

function follow () {
  let running = false
  setInterval(async () => {
    if (running || document.visibilityState !== 'visible') return
    running = true
    try {
      if (!wanted) {
        const response = await fetch(pane.dataset.versionUrl, { credentials: 'same-origin', cache: 'no-cache' })
        if (!response.ok) return
        const { version } = await response.json()
        wanted = String(version) !== pane.dataset.version
      }
      if (wanted && !paneBusy()) await refresh()
    } catch {
      // Offline for a moment: the next round asks again.
    } finally {
      running = false
    }
  }, EVERY_MS)
}

if (pane) {
  document.addEventListener('selectionchange', selected)
  document.addEventListener('tavolo:changed', event => {
    if (event.detail?.kind === 'synthesis') refresh()
  })
  document.addEventListener('pointerdown', event => { pressed = pane.contains(event.target) })
  document.addEventListener('pointerup', () => { pressed = false })
  document.addEventListener('pointercancel', () => { pressed = false })
  follow()
}
