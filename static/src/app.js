// What every page needs from JavaScript. The Content-Security-Policy runs no inline
// script and no onclick attribute, so behaviours are declared in the markup with data
// attributes and attached here; every page works without them, only less comfortably.

const INSTALLED = Symbol.for('tavolo.app')

// The token Flask-WTF expects from scripts, read from the page that rendered the form.
export function csrfToken () {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? ''
}

// fetch() with the CSRF token attached: for scripts that change something on the server
// without submitting a form. Requests that change nothing need no token.
export function csrfFetch (resource, options = {}) {
  const method = (options.method ?? 'GET').toUpperCase()
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return fetch(resource, options)
  const headers = new Headers(options.headers)
  headers.set('X-CSRFToken', csrfToken())
  return fetch(resource, { credentials: 'same-origin', ...options, headers })
}

// <form data-confirm="…"> or <button data-confirm="…">: asks before an action that cannot
// be undone (revoking a link, freezing a document). The question comes from the template,
// so it is translated like any other text.
function confirmBeforeSubmit (event) {
  const question = event.submitter?.dataset.confirm ?? event.target.dataset?.confirm
  if (question && !window.confirm(question)) event.preventDefault()
}

// After a refused form the page comes back with the errors: taking the focus to the first
// wrong field lets keyboard and screen reader users land on the problem, not at the top.
function focusFirstError () {
  const field = document.querySelector('main [aria-invalid="true"]')
  if (field && document.activeElement === document.body) field.focus()
}

// <form data-auto-submit>: the personal link's page enters at once. The form, not the
// link itself, changes who is logged in, so that an image or a prefetch of the link
// changes nothing; only a page opened in the browser runs this script.
function submitAutomatically () {
  const form = document.querySelector('form[data-auto-submit]')
  if (form) form.requestSubmit()
}

// Other bundles import the helpers above and so carry a copy of this module: the page
// behaviours must be attached once, whichever copy runs first.
if (!document[INSTALLED]) {
  document[INSTALLED] = true
  document.addEventListener('submit', confirmBeforeSubmit)
  focusFirstError()
  submitAutomatically()
}
