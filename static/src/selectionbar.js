// A floating bar at the selected passage: «Commenta», «Proponi emendamento» and «Impegno»
// where the eye already is, instead of a checkbox inside a collapsed panel further down.
// It only offers what the page offers this person (the comment form, the passage's
// amendment link, the commitments register's form), and only moves the focus there: the
// forms stay the ones that send.

const bar = document.querySelector('[data-selection-bar]')
let current = null
let quote = ''

function commentForm (sectionId) {
  const area = document.querySelector(`[data-comments][data-section-id="${sectionId}"]`)
  return area?.querySelector('[data-new-comment]') || null
}

function amendmentLink (sectionId) {
  const panel = document.querySelector(`[data-deliberation-section][data-section-id="${sectionId}"]`)
  const link = panel?.querySelector('[data-propose-passage]')
  return link && !link.hidden ? link : null
}

function hide () {
  bar.hidden = true
  current = null
  quote = ''
}

function place () {
  const selection = document.getSelection()
  if (!selection || selection.rangeCount === 0) return hide()
  const rect = selection.getRangeAt(0).getBoundingClientRect()
  if (!rect.width && !rect.height) return hide()
  bar.hidden = false
  const top = window.scrollY + rect.top - bar.offsetHeight - 8
  const left = Math.min(
    Math.max(8, window.scrollX + rect.left),
    window.scrollX + document.documentElement.clientWidth - bar.offsetWidth - 8
  )
  bar.style.top = `${Math.max(window.scrollY + 8, top)}px`
  bar.style.left = `${left}px`
}

function show ({ detail }) {
  if (!detail.quote.trim()) return hide()
  const sectionId = String(detail.sectionId)
  const comment = bar.querySelector('[data-selection-comment]')
  const amend = bar.querySelector('[data-selection-amend]')
  const commitment = bar.querySelector('[data-selection-commitment]')
  comment.hidden = !commentForm(sectionId)
  // Deliberation's own listener has set the link for this very selection by now.
  setTimeout(() => {
    amend.hidden = !amendmentLink(sectionId)
    if (comment.hidden && amend.hidden && !commitment) return hide()
    if (commitment) commitment.hidden = false
    current = sectionId
    quote = detail.quote
    // After the editor has drawn its selection.
    requestAnimationFrame(place)
  }, 0)
}

function comment () {
  const form = commentForm(current)
  if (!form) return
  form.closest('details').open = true
  const toggle = form.querySelector('[data-anchor-toggle]')
  if (toggle) toggle.checked = true
  const text = form.querySelector('textarea')
  text.scrollIntoView({ block: 'center' })
  text.focus()
  hide()
}

function amend () {
  const link = amendmentLink(current)
  if (link) window.location.assign(link.href)
}

// The register's form opens with the section chosen and the passage copied in.
function commit () {
  const button = bar.querySelector('[data-selection-commitment]')
  const query = new URLSearchParams({ sezione: current, passaggio: quote })
  window.location.assign(`${button.dataset.href}?${query}#nuovo`)
}

if (bar) {
  document.addEventListener('tavolo:selection', show)
  bar.querySelector('[data-selection-comment]').addEventListener('click', comment)
  bar.querySelector('[data-selection-amend]').addEventListener('click', amend)
  bar.querySelector('[data-selection-commitment]')?.addEventListener('click', commit)
  // A click on the bar's buttons must not take the selection away before it is used.
  bar.addEventListener('mousedown', event => event.preventDefault())
  document.addEventListener('keydown', event => { if (event.key === 'Escape') hide() })
  window.addEventListener('resize', () => { if (current) place() })
}
