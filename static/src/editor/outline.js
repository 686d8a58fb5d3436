// The index beside the text and each section's line of state follow the room live:
// word counts as anyone types, badges as facilitators lock, open or approve a section
// or freeze the document. The server renders them first (templates/documents/_macros.html);
// here they are kept current with the same words and colours, from what the editors
// announce on the page ('tavolo:words', 'tavolo:section-state').

import { format, plural } from './i18n.js'

const BADGE_COLOURS = ['bg-success', 'bg-secondary', 'bg-primary', 'bg-dark']
const COLOUR = { open: 'bg-success', locked: 'bg-secondary', approved: 'bg-primary', frozen: 'bg-dark', published: 'bg-dark' }
const LIMIT_CLASSES = {
  near: ['text-dark', 'bg-warning', 'px-1', 'rounded'],
  over: ['text-white', 'bg-danger', 'px-1', 'rounded']
}

function places (sectionId) {
  return document.querySelectorAll(`[data-outline-section="${sectionId}"]`)
}

function wordsText (t, { words, limit, status }, compact) {
  let text = limit ? format(t.words_limit, { count: words, limit }) : plural(words, t.words_one, t.words_other)
  if (status === 'near') text += ` · ${t.words_near}`
  if (status === 'over') {
    text += ` · ${compact ? t.words_over_short : plural(words - limit, t.words_over_one, t.words_over_other)}`
  }
  return text
}

function showWords (t, detail) {
  for (const place of places(detail.sectionId)) {
    const count = place.querySelector('[data-section-words]')
    if (!count) continue
    count.textContent = wordsText(t, detail, count.dataset.compact === 'y')
    count.className = `word-count word-count-${detail.status}`
    count.classList.add(...(LIMIT_CLASSES[detail.status] || []))
  }
}

function showState (t, { sectionId, state, documentStatus }) {
  const status = document.querySelector('[data-document-status]')
  if (status && t.document_statuses[documentStatus]) status.textContent = t.document_statuses[documentStatus]
  const shown = documentStatus && documentStatus !== 'draft' ? documentStatus : state
  const label = t.section_badges[shown]
  if (!label) return
  for (const place of places(sectionId)) {
    const badge = place.querySelector('[data-section-badge]')
    if (!badge) continue
    badge.textContent = label
    badge.classList.remove(...BADGE_COLOURS)
    badge.classList.add(COLOUR[shown])
  }
}

export function followOutline (t) {
  document.addEventListener('tavolo:words', event => showWords(t, event.detail))
  document.addEventListener('tavolo:section-state', event => showState(t, event.detail))
}
