/**
 * Splits charon's "%H[%Y]...%H[%Y]" (address[identity]...address[identity]), as in
 * "IKE_SA x[1] established between A[idA]...B[idB]" and "looking for peer configs
 * matching A[idA]...B[idB]". Identities (DNs) contain spaces, commas and '=' but
 * never "]...", so the first "]..." separates the halves. Linear, never throws.
 */
export interface HostIdPair {
  local: string;
  localId: string;
  remote: string;
  remoteId: string;
}

export function parseHostIdPair(text: string): HostIdPair | undefined {
  const sep = text.indexOf(']...');
  if (sep === -1 || !text.endsWith(']')) return undefined;
  const left = text.slice(0, sep);
  const right = text.slice(sep + 4, -1);
  const lo = left.indexOf('[');
  const ro = right.indexOf('[');
  if (lo <= 0 || ro <= 0) return undefined;
  return { local: left.slice(0, lo), localId: left.slice(lo + 1), remote: right.slice(0, ro), remoteId: right.slice(ro + 1) };
}
