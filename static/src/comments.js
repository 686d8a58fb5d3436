// Comments on the document page. Every comment form works without this script (it
// posts and the page comes back); here the same forms are sent with fetch and the
// section's comments are swapped in place, so nobody loses their place in the text.
// The list is re-fetched when someone else changes a comment (the `tavolo:changed`
// event the editor re-dispatches) and when the section's text changes, because a
// passage that was commented may have been rewritten or deleted meanwhile.

import { csrfFetch } from './app.js'
import { followMentions } from './comments/mentions.js'

const i18n = JSON.parse(document.getElementById('comments-i18n')?.textContent ?? '{}')
const FAILED = i18n.failed ?? 'Non inviato: riprova.'
// Text changes arrive keystroke by keystroke: re-locate the passages once typing pauses.
const TEXT_SETTLE_MS = 1500

// The latest selection in each section's editor: {start, end, quote}, code points.
const selections = new Map()
const textTimers = new Map()

function areaOf (sectionId) {
  return document.querySelector(`[data-comments][data-section-id="${CSS.escape(String(sectionId))}"]`)
}

// What the person is in the middle of, so a refresh does not take it away: typed drafts,
// open forms, the folded or unfolded list, and the field that had the focus.
function snapshot (area, except) {
  const drafts = new Map()
  for (const field of area.querySelectorAll('[data-draft]')) {
    if (field.value !== field.defaultValue && field.form !== except) drafts.set(field.dataset.draft, field.value)
  }
  const focused = area.contains(document.activeElement) ? document.activeElement : null
  const sent = except?.closest('details[data-key]')
  const opened = [...area.querySelectorAll('details[data-key]')]
    .filter(d => d.open && d !== sent).map(d => d.dataset.key)
  return {
    drafts,
    opened,
    focusId: focused?.id,
    caret: focused && 'selectionStart' in focused ? [focused.selectionStart, focused.selectionEnd] : null
  }
}

function restore (area, state) {
  // The server unfolds the list when it has open discussions; a person who folded or
  // unfolded it themselves keeps their choice.
  const details = area.querySelector('[data-comments-details]')
  if (details && area.dataset.listChoice) details.open = area.dataset.listChoice === 'open'
  if (details && state.drafts.size > 0) details.open = true
  for (const key of state.opened) {
    const opened = area.querySelector(`details[data-key="${CSS.escape(key)}"]`)
    if (opened) opened.open = true
  }
  for (const [key, value] of state.drafts) {
    const field = area.querySelector(`[data-draft="${CSS.escape(key)}"]`)
    if (!field) continue
    field.value = value
    for (let parent = field.closest('details'); parent; parent = parent.parentElement?.closest('details')) parent.open = true
  }
  const focused = state.focusId && document.getElementById(state.focusId)
  if (focused && area.contains(focused)) {
    focused.focus({ preventScroll: true })
    if (state.caret) focused.setSelectionRange(...state.caret)
  }
  offerSelection(area)
}

function replace (area, html, except = null) {
  const state = snapshot(area, except)
  area.innerHTML = html
  revealPassageButtons(area)
  restore(area, state)
  document.dispatchEvent(new CustomEvent('tavolo:comments-rendered', { detail: { sectionId: area.dataset.sectionId } }))
}

async function refresh (area) {
  if (!area) return
  try {
    const response = await fetch(area.dataset.fragmentUrl, { credentials: 'same-origin' })
    if (response.ok) replace(area, await response.text())
  } catch {
    // Offline: the list refreshes with the next change once the connection is back.
  }
}

async function refreshPanel () {
  const panel = document.querySelector('[data-deliberation-panel]')
  if (!panel) return
  try {
    const response = await fetch(panel.dataset.fragmentUrl, { credentials: 'same-origin' })
    if (response.ok) panel.innerHTML = await response.text()
  } catch {
    // As above: the next change brings it up to date.
  }
}

// "Ancora alla selezione": offered while the person has a passage selected in the
// section, and ticked by default, since selecting first is how one says "about this".
function offerSelection (area) {
  const form = area.querySelector('[data-new-comment]')
  if (!form) return
  const choice = form.querySelector('[data-anchor-choice]')
  const selection = selections.get(area.dataset.sectionId)
  const has = Boolean(selection?.quote.trim())
  if (has && choice.hidden) form.querySelector('[data-anchor-toggle]').checked = true
  choice.hidden = !has
  if (has) {
    const quote = selection.quote
    form.querySelector('[data-anchor-preview]').textContent = quote.length > 120 ? `${quote.slice(0, 119)}…` : quote
  }
}

function fillAnchor (form) {
  if (!form.matches('[data-new-comment]')) return
  const area = form.closest('[data-comments]')
  const selection = selections.get(area.dataset.sectionId)
  const wanted = !form.querySelector('[data-anchor-choice]').hidden && form.querySelector('[data-anchor-toggle]').checked
  for (const field of form.querySelectorAll('[data-anchor-field]')) {
    field.value = wanted && selection ? String(selection[field.dataset.anchorField]) : ''
  }
}

async function send (event) {
  const form = event.target.closest?.('[data-comment-form]')
  if (!form || event.defaultPrevented) return
  event.preventDefault()
  fillAnchor(form)
  const area = form.closest('[data-comments]')
  const slot = form.querySelector('[data-comment-error]')
  const buttons = form.querySelectorAll('button')
  const data = new FormData(form, event.submitter)
  buttons.forEach(b => { b.disabled = true })
  slot.textContent = ''
  try {
    // Not form.action: a control named "action" (resolve / reopen) shadows it.
    const response = await csrfFetch(form.getAttribute('action'), {
      method: 'POST', body: data, headers: { Accept: 'application/json' }
    })
    const payload = await response.json().catch(() => ({}))
    if (!response.ok || typeof payload.html !== 'string') {
      slot.textContent = typeof payload.error === 'string' ? payload.error : (payload.error?.message ?? FAILED)
      form.querySelector('textarea, input:not([type=hidden])')?.focus()
      return
    }
    replace(area, payload.html, form)
    document.getElementById(`commento-${payload.comment_id}`)?.scrollIntoView({ block: 'nearest' })
  } catch {
    slot.textContent = FAILED
  } finally {
    buttons.forEach(b => { if (b.isConnected) b.disabled = false })
  }
}

// "Mostra nel testo" needs the editor, so it appears only where this script runs.
function revealPassageButtons (root) {
  for (const button of root.querySelectorAll('[data-show-passage]')) button.hidden = false
}

function showPassage (event) {
  const button = event.target.closest?.('[data-show-passage]')
  if (!button) return
  const thread = button.closest('[data-comment-id]')
  const area = button.closest('[data-comments]')
  document.dispatchEvent(new CustomEvent('tavolo:show-passage', {
    detail: { sectionId: area.dataset.sectionId, commentId: thread.dataset.commentId }
  }))
}

function rememberListChoice (event) {
  const summary = event.target.closest?.('[data-comments-details] > summary')
  if (!summary) return
  const area = summary.closest('[data-comments]')
  area.dataset.listChoice = summary.parentElement.open ? 'closed' : 'open'
}

function onSelection ({ detail }) {
  const key = String(detail.sectionId)
  selections.set(key, detail)
  const area = areaOf(key)
  if (!area) return
  offerSelection(area)
  // Every change of the text moves the selection too: wait for a pause, then let the
  // server place the passages again in the text it now holds.
  if (!area.querySelector('[data-anchor-start], .comment-thread--orphaned')) return
  clearTimeout(textTimers.get(key))
  textTimers.set(key, setTimeout(() => refresh(area), TEXT_SETTLE_MS))
}

function onChanged ({ detail }) {
  if (detail?.kind === 'comments') refresh(areaOf(detail.section_id))
  refreshPanel()
}

// Changes announced while this page was offline or its tab asleep never reached it:
// catch up once it is back (after a moment, so the connection is up again).
const CATCH_UP_MS = 2000
function catchUp () {
  setTimeout(() => {
    document.querySelectorAll('[data-comments]').forEach(refresh)
    refreshPanel()
  }, CATCH_UP_MS)
}

window.addEventListener('online', catchUp)
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') catchUp()
})
document.addEventListener('submit', send)
document.addEventListener('click', rememberListChoice)
document.addEventListener('click', showPassage)
revealPassageButtons(document)
document.addEventListener('tavolo:selection', onSelection)
document.addEventListener('tavolo:changed', onChanged)
followMentions(JSON.parse(document.getElementById('mention-names')?.textContent ?? '[]'), i18n)
