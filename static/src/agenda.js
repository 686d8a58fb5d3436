// The agenda's clock. In the programme and on the workshop's page, the running session
// is marked, and the mark moves at each session's start and end without a reload. In
// the document page: above each section worked on by the session
// running now, «Sessione 1 · Abitare — termina tra 12:34», a warning from five minutes
// before the end (shown, and announced once to screen readers), and for facilitators
// the one-click extension. The sessions come from the server with its clock, so a
// laptop whose clock is wrong still counts down to the room's end; they are asked for
// again when the server says the agenda changed (an extension, a new session).

const config = JSON.parse(document.getElementById('agenda-config')?.textContent ?? 'null')
let sessions = []
let offset = 0 // server time minus this browser's time, in ms
const warned = new Set()

function format (template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ''))
}

function clockText (ms) {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = String(total % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`
}

async function load () {
  try {
    const response = await fetch(config.url, { credentials: 'same-origin' })
    if (!response.ok) return
    const data = await response.json()
    offset = Date.parse(data.now) - Date.now()
    sessions = data.sessions.map(s => ({
      ...s,
      startMs: Date.parse(s.start),
      endMs: Date.parse(s.end),
      warningMs: Date.parse(s.warning_from)
    }))
    render()
  } catch {
    // Offline: the countdown goes on with what it knows; the next change brings it up to date.
  }
}

function extendForm (session) {
  const form = document.createElement('form')
  form.method = 'post'
  form.action = session.extend_url
  form.className = 'd-inline-flex gap-1 ms-2'
  const hidden = (name, value) => {
    const input = document.createElement('input')
    input.type = 'hidden'
    input.name = name
    input.value = value
    form.append(input)
  }
  hidden('csrf_token', config.csrf_token)
  hidden('document_id', String(config.document_id))
  for (const minutes of [5, 10]) {
    const button = document.createElement('button')
    button.type = 'submit'
    button.name = 'minutes'
    button.value = String(minutes)
    button.className = 'btn btn-outline-primary btn-sm py-0'
    button.textContent = format(config.t.extend, { minutes })
    form.append(button)
  }
  return form
}

function render () {
  const now = Date.now() + offset
  for (const box of document.querySelectorAll('[data-agenda-clock]')) {
    const sectionId = Number(box.dataset.agendaClock)
    const session = sessions.find(s => s.sections.includes(sectionId) && s.startMs <= now && now < s.endMs)
    if (!session) {
      box.hidden = true
      box.dataset.sessionId = ''
      continue
    }
    const left = session.endMs - now
    const warning = now >= session.warningMs
    if (box.dataset.sessionId !== String(session.id) || box.dataset.end !== session.end) {
      box.dataset.sessionId = String(session.id)
      box.dataset.end = session.end
      box.replaceChildren()
      const label = document.createElement('span')
      label.className = 'agenda-clock-text'
      box.append(label)
      if (config.may_extend) box.append(extendForm(session))
    }
    box.hidden = false
    box.classList.toggle('agenda-warning', warning)
    box.querySelector('.agenda-clock-text').textContent =
      format(config.t.countdown, { number: session.number, title: session.title, time: clockText(left) }) +
      (warning ? ' · ' + config.t.warning : '')
    const key = `${session.id}@${session.end}`
    if (warning && !warned.has(key)) {
      warned.add(key)
      announce(format(config.t.announce, { number: session.number, title: session.title }))
    }
  }
}

function announce (text) {
  const region = document.getElementById('agenda-announcer')
  if (!region) return
  region.textContent = ''
  // A new text node after a moment: screen readers announce changes, not repeats.
  setTimeout(() => { region.textContent = text }, 50)
}

// The programme and the workshop's page: the running session, by the server's clock.
const pageNow = document.querySelector('[data-agenda-now]')
const pageOffset = pageNow ? Date.parse(pageNow.dataset.agendaNow) - Date.now() : 0

function highlight () {
  const now = Date.now() + pageOffset
  for (const item of document.querySelectorAll('[data-agenda-start]')) {
    const running = Date.parse(item.dataset.agendaStart) <= now && now < Date.parse(item.dataset.agendaEnd)
    item.classList.toggle('agenda-running', running)
    if (running) item.setAttribute('aria-current', 'true')
    else item.removeAttribute('aria-current')
    const badge = item.querySelector('[data-agenda-badge]')
    if (badge) badge.hidden = !running
  }
}

if (pageNow) setInterval(highlight, 1000)

if (config) {
  load()
  setInterval(render, 1000)
  document.addEventListener('tavolo:changed', event => {
    if (event.detail?.kind === 'agenda') load()
  })
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') load()
  })
}
