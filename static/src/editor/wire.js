// Binary fields of the live protocol travel as base64 text (docs/protocol.md, version 2):
// a text message is one frame, which two server threads cannot interleave.

const CHUNK = 0x8000

export function toWire (bytes) {
  let binary = ''
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK))
  }
  return btoa(binary)
}

export function fromWire (text) {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
