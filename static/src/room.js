// The room's shared state on the pages that follow it: the speaking queue, redrawn when
// the room changes, and the facilitator's line to everyone. Pages with a live
// connection (the document) hear of the line at once; the others ask the room's version
// every few seconds, a request of a few bytes answered "not modified" while nothing
// changes, which a weak Wi-Fi carries better than a connection kept open.

const EVERY_MS = 3000

function announcementParts () {
  const box = document.querySelector('[data-room-announcement]')
  return box ? { box, text: box.querySelector('[data-room-message]') } : null
}

function showAnnouncement (message, until) {
  const parts = announcementParts()
  if (!parts) return
  parts.text.textContent = message || ''
  if (until) parts.box.dataset.until = until
  else delete parts.box.dataset.until
  parts.box.classList.toggle('d-none', !message)
}

// A line is shown for the minutes the facilitator chose, and leaves by itself.
function expireAnnouncement () {
  const parts = announcementParts()
  const until = parts?.box.dataset.until
  if (until && Date.parse(until) <= Date.now()) showAnnouncement('', null)
}

// Someone typing in the region (a request's topic, a correction of a commitment) keeps
// what they typed: the region waits to be redrawn while a field holds something other
// than what the page brought, or while the person is in a field.
function changed (field) {
  if (field.matches('select')) return [...field.options].some(o => o.selected !== o.defaultSelected)
  if (field.matches('[type=checkbox], [type=radio]')) return field.checked !== field.defaultChecked
  return field.value !== field.defaultValue
}

function busy (region) {
  const active = document.activeElement
  if (region.contains(active) && active.matches('input, textarea') && active.value !== '') return true
  return [...region.querySelectorAll('input:not([type=hidden]), textarea, select')].some(changed)
}

// What the person opened (a correction form, a history) stays open after a redraw:
// found again by the nearest element with an id and its place among that one's.
function openDetails (region) {
  return [...region.querySelectorAll('details[open]')].flatMap(details => {
    const owner = details.parentElement?.closest('[id]')
    if (!owner || !region.contains(owner)) return []
    return [{ id: owner.id, index: [...owner.querySelectorAll('details')].indexOf(details) }]
  })
}

function reopen (region, opened) {
  for (const { id, index } of opened) {
    const owner = region.querySelector(`[id="${CSS.escape(id)}"]`)
    owner?.querySelectorAll('details')[index]?.setAttribute('open', '')
  }
}

async function redraw (region) {
  const response = await fetch(window.location.href, { credentials: 'same-origin' })
  if (!response.ok) return false
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html')
  const replacement = fresh.querySelector('[data-room-live]')
  if (!replacement) return false
  const opened = openDetails(region)
  region.innerHTML = replacement.innerHTML
  reopen(region, opened)
  region.dataset.version = replacement.dataset.version
  const announcement = fresh.querySelector('[data-room-announcement]')
  const current = announcementParts()
  if (announcement && current) current.box.replaceWith(announcement)
  return true
}

function follow (region) {
  let running = false
  setInterval(async () => {
    expireAnnouncement()
    if (running || document.visibilityState !== 'visible' || busy(region)) return
    running = true
    try {
      const response = await fetch(region.dataset.versionUrl, {
        credentials: 'same-origin',
        cache: 'no-cache'
      })
      if (!response.ok) return
      const { version } = await response.json()
      if (String(version) !== region.dataset.version) await redraw(region)
    } catch {
      // Offline for a moment: the next round asks again.
    } finally {
      running = false
    }
  }, EVERY_MS)
}

const region = document.querySelector('[data-room-live]')
if (region) follow(region)
else setInterval(expireAnnouncement, EVERY_MS)

document.addEventListener('tavolo:changed', event => {
  if (event.detail?.kind === 'broadcast') showAnnouncement(event.detail.message, event.detail.until)
})
