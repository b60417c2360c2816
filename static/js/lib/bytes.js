// Whether a byte grid holds the cells already painted: a grid on a canvas is not painted again.
// What was painted is kept as a copy, so a decoder that reuses its buffer cannot fool the check.

/** Whether `bytes` equals `kept` (a copy made by keep()). */
export function sameBytes(bytes, kept) {
  if (!bytes || !kept || bytes.length !== kept.length) return false;
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] !== kept[i]) return false;
  return true;
}

export function keep(bytes) {
  return Uint8Array.from(bytes);
}
