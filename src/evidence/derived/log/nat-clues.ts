/**
 * What a log line's own facts say about NAT between the peers, where the daemon does not
 * say it: a peer whose IKE comes from a source port other than 500 and 4500 went through a
 * NAT that translates ports (IKE is sent from 500, and from 4500 after NAT-T, RFC 3947 §3 /
 * RFC 7296 §2.23); a peer that presents a private address (RFC 1918, RFC 6598) as its ID
 * where its packets come from elsewhere is behind NAT and names its inside address.
 */

/** Which non-public IPv4 space an address is in: RFC 1918 private or RFC 6598 shared (carrier-grade NAT); undefined otherwise. */
export function privateV4Kind(address: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(address);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address (RFC 1918)';
  if (a === 100 && b >= 64 && b <= 127) return 'a carrier-grade NAT address (RFC 6598)';
  return undefined;
}

export function privateV4(address: string): boolean {
  return privateV4Kind(address) !== undefined;
}

/** A translated source port: the peer's IKE did not come from 500 or 4500. */
export function translatedPortClue(port: number | undefined): string | undefined {
  return port !== undefined && port !== 500 && port !== 4500 ? `the request came from source port ${port}, neither 500 nor 4500: a NAT between the peers translated it, so the peer is behind NAT` : undefined;
}

/** An IP-address ID (`ipaddr:10.222.191.127`, `10.222.191.127`) that is private while the packets came from another address. */
export function privateIdClue(received: string | undefined, from: string | undefined): string | undefined {
  const id = received?.replace(/^(ipaddr|ID_IPV4_ADDR|IPV4_ADDR):/i, '');
  // without the address its packets came from, a private ID says nothing of NAT (both peers may sit on private networks)
  if (!id || !from || !privateV4(id) || id === from) return undefined;
  return `the peer presented its private address ${id} as ID while its packets came from ${from}: it is behind NAT and names its inside address`;
}
