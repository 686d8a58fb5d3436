// @mentions in comment boxes: typing @ and the first letters lists the workshop's
// members whose name matches, so that a mention is spelled as the server knows the
// name (app/core/mentions.py) and the person is notified. Arrows move, Enter or Tab
// inserts, Escape closes; the typing is never taken over.

const MAX_SHOWN = 6
// "@" at the start or after a blank, then up to three words of a name being typed.
const TYPING = /(?:^|\s)@([\p{L}'’.-]*(?: [\p{L}'’.-]*){0,2})$/u

function fold (text) {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('it')
}

export function followMentions (names, i18n) {
  if (!names.length) return
  let open = null // { box, list, matches, active, start }

  function close () {
    if (!open) return
    open.list.remove()
    open.status.remove()
    open.box.removeAttribute('aria-activedescendant')
    open = null
  }

  function render () {
    const { box, list, matches, active } = open
    list.replaceChildren(...matches.map((name, i) => {
      const item = document.createElement('li')
      item.id = `${box.id}-mention-${i}`
      item.setAttribute('role', 'option')
      item.setAttribute('aria-selected', String(i === active))
      item.className = `mention-option${i === active ? ' mention-option--active' : ''}`
      item.textContent = name
      item.addEventListener('mousedown', event => { event.preventDefault(); insert(i) })
      return item
    }))
    box.setAttribute('aria-activedescendant', `${box.id}-mention-${active}`)
    const count = i18n.mention_count.replace('%(count)s', String(matches.length))
    list.setAttribute('aria-label', i18n.mentions)
    if (open.status.textContent !== count) open.status.textContent = count
  }

  function insert (index) {
    const { box, matches, start } = open
    const end = box.selectionStart
    const name = `@${matches[index]} `
    box.setRangeText(name, start, end, 'end')
    box.dispatchEvent(new Event('input', { bubbles: true }))
    close()
  }

  function suggest (box) {
    const before = box.value.slice(0, box.selectionStart)
    const typing = TYPING.exec(before)
    if (!typing) return close()
    const wanted = fold(typing[1])
    const matches = names.filter(name => fold(name).startsWith(wanted) ||
      fold(name).split(' ').some(word => word.startsWith(wanted))).slice(0, MAX_SHOWN)
    if (!matches.length) return close()
    if (!open || open.box !== box) {
      close()
      const list = document.createElement('ul')
      list.id = `${box.id}-mentions`
      list.className = 'mention-list'
      list.setAttribute('role', 'listbox')
      // A textarea cannot be a combobox: the count is said in a live region instead.
      const status = document.createElement('span')
      status.className = 'visually-hidden'
      status.setAttribute('aria-live', 'polite')
      box.after(list, status)
      box.setAttribute('aria-controls', list.id)
      box.setAttribute('aria-autocomplete', 'list')
      open = { box, list, status }
    }
    Object.assign(open, { matches, active: 0, start: before.length - typing[1].length - 1 })
    render()
  }

  document.addEventListener('input', event => {
    const box = event.target
    if (box instanceof HTMLTextAreaElement && box.closest('[data-comment-form]') && box.id) suggest(box)
  })
  document.addEventListener('keydown', event => {
    if (!open || event.target !== open.box) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const step = event.key === 'ArrowDown' ? 1 : -1
      open.active = (open.active + step + open.matches.length) % open.matches.length
      render()
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault()
      insert(open.active)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      close()
    }
  })
  document.addEventListener('focusout', event => { if (open && event.target === open.box) close() })
}
