// The document page's link to the versions says how many are saved. When a version is
// saved, by a facilitator on another page or by Tavolo as a section is locked or the
// document frozen, the server tells every open page (`tavolo:changed`, kind "versions")
// and the link is reloaded.

async function refresh () {
  const links = document.querySelector('[data-history-links]')
  if (!links) return
  try {
    const response = await fetch(links.dataset.fragmentUrl, { credentials: 'same-origin' })
    if (!response.ok) return
    const template = document.createElement('template')
    template.innerHTML = await response.text()
    const fresh = template.content.querySelector('[data-history-links]')
    if (fresh) links.replaceWith(fresh)
  } catch {
    // Offline: the next version saved brings the count up to date.
  }
}

document.addEventListener('tavolo:changed', event => {
  if (event.detail?.kind === 'versions') refresh()
})
