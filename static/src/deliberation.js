// Amendments and votes of each section on the document page: refreshed when anyone
// changes them (the editor's connection re-dispatches the server's `changed` event as
// `tavolo:changed`), and a proposal started from the passage selected in the editor.
// Everything here is a convenience: the panels are plain HTML with plain forms.

import { csrfFetch } from './app.js'

const KINDS = new Set(['amendments', 'votes'])
// Longer selections make a link too long for some proxies: propose on the section.
const QUOTE_MAX = 1500

function panels (sectionId) {
  const all = document.querySelectorAll('[data-deliberation-section]')
  return [...all].filter(panel => sectionId == null || panel.dataset.sectionId === String(sectionId))
}

// Someone typing a reason in the panel must not lose it to a refresh: the refresh waits
// until the focus leaves the panel.
function busy (panel) {
  const active = document.activeElement
  return panel.contains(active) && active.matches('input, textarea')
}

async function refresh (panel) {
  if (busy(panel)) {
    panel.dataset.stale = 'true'
    return
  }
  delete panel.dataset.stale
  const response = await fetch(panel.dataset.fragmentUrl, { credentials: 'same-origin' })
  if (!response.ok) return
  const html = await response.text()
  if (busy(panel)) {
    panel.dataset.stale = 'true'
    return
  }
  const opened = new Set([...panel.querySelectorAll('details[open]')].map(key))
  panel.innerHTML = html
  for (const details of panel.querySelectorAll('details')) {
    if (opened.has(key(details))) details.open = true
  }
  showPassageLink(panel, selections.get(panel.dataset.sectionId))
}

// <details> are told apart by their class and position among the same class.
function key (details) {
  const same = [...details.parentElement.children].filter(el => el.className === details.className)
  return `${details.className}:${same.indexOf(details)}`
}

const selections = new Map()

function showPassageLink (panel, selection) {
  const link = panel.querySelector('[data-propose-passage]')
  if (!link) return
  const usable = selection && selection.quote.trim() && selection.quote.length <= QUOTE_MAX
  link.hidden = !usable
  if (!usable) return
  const url = new URL(link.getAttribute('href').split('?')[0], window.location.href)
  url.searchParams.set('start', selection.start)
  url.searchParams.set('end', selection.end)
  url.searchParams.set('quote', selection.quote)
  link.href = url.pathname + url.search
}

// The panel's forms are sent in the background: reloading the page for each vote would
// reload every live editor too, on the room's poor Wi-Fi. A refusal is shown beside the
// form, with what was typed still in it; without the script the forms post as usual.
async function send (event) {
  const form = event.target.closest?.('[data-deliberation-form]')
  const panel = form?.closest('[data-deliberation-section]')
  if (!panel || event.defaultPrevented) return
  event.preventDefault()
  const slot = form.querySelector('[data-deliberation-error]')
  // Read before the buttons are disabled: a disabled button sends no value.
  const body = new FormData(form, event.submitter)
  const buttons = [...form.querySelectorAll('button')]
  buttons.forEach(button => { button.disabled = true })
  try {
    const response = await csrfFetch(form.action, {
      method: 'POST',
      body,
      headers: { Accept: 'application/json' }
    })
    const answer = await response.json()
    if (!response.ok) {
      if (slot) slot.textContent = answer.error
      return
    }
    if (document.activeElement && panel.contains(document.activeElement)) document.activeElement.blur()
    await refresh(panel)
  } catch {
    if (slot) slot.textContent = panel.dataset.failedMessage
  } finally {
    buttons.forEach(button => { button.disabled = false })
  }
}

document.addEventListener('submit', send)

document.addEventListener('tavolo:changed', event => {
  const detail = event.detail || {}
  if (!KINDS.has(detail.kind)) return
  for (const panel of panels(detail.section_id)) refresh(panel)
})

document.addEventListener('tavolo:selection', event => {
  const selection = event.detail
  selections.set(String(selection.sectionId), selection)
  for (const panel of panels(selection.sectionId)) showPassageLink(panel, selection)
})

document.addEventListener('focusout', event => {
  const panel = event.target.closest?.('[data-deliberation-section]')
  if (!panel || panel.dataset.stale !== 'true') return
  // After the focus has moved: still inside the panel means still busy.
  setTimeout(() => { if (panel.dataset.stale === 'true') refresh(panel) }, 0)
})
