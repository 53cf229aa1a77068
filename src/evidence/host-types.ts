/** Facts read from the local host by read-only probes (--host). */
export interface HostFacts {
  probes: unknown[];
}
