// How a value is shown: pretty JSON, YAML or plain text, or a hex dump when it is not text.
import { asText } from './api.js';

/** {kind: 'JSON'|'YAML'|'text'|'binary', text: what to show, editable: whether it is edited as text}. */
export function describe(bytes) {
  const t = asText(bytes);
  if (t === null) return { kind: 'binary', text: hexDump(bytes), editable: false };
  const trimmed = t.trim();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length > 1) {
    try {
      return { kind: 'JSON', text: JSON.stringify(JSON.parse(trimmed), null, 2), editable: true, raw: t };
    } catch (e) { /* not JSON after all */ }
  }
  if (looksLikeYaml(t)) return { kind: 'YAML', text: t, editable: true, raw: t };
  return { kind: 'text', text: t, editable: true, raw: t };
}

function looksLikeYaml(t) {
  const lines = t.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (lines.length < 2 && !t.startsWith('---')) return false;
  return t.startsWith('---') || lines.every((l) => /^\s*(- |[\w.\-"']+\s*:(\s|$))/.test(l));
}

/** 16 bytes a line: offset, hex, printable characters. At most 64 KiB shown. */
export function hexDump(bytes) {
  const lines = [];
  const n = Math.min(bytes.length, 65536);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const chars = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(off.toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + '  ' + chars);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}
