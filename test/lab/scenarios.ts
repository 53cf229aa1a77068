/**
 * The lab's scenarios: each is one real failure (or the healthy baseline) produced
 * by two strongSwan daemons and an nftables middle box, with the finding codes
 * ipsec-doctor must report on each kind of input.
 *
 * Left is always the initiator (192.0.2.10, 10.1.0.0/24), right the responder
 * (198.51.100.20, 10.2.0.0/24). With kernel-libipsec, strongSwan 5.9 forces UDP
 * encapsulation: ESP travels on UDP 4500 and both sides log "remote host is behind
 * NAT" even without a NAT, so NAT_DETECTED is neither expected nor forbidden from one
 * log outside the real-NAT scenario; from both logs of the healthy tunnel it is
 * UDP_ENCAPSULATION_FORCED (neither log says its own host is behind NAT).
 */
import { ADDR } from './topology.js';
import type { Scenario, TrafficStep } from './scenario-types.js';

const bothWays = (count = 3, size = 56): TrafficStep[] => [
  { from: 'left', size, count, df: false },
  { from: 'right', size, count, df: false },
];

/** Codes no scenario but the one that injects the matching fault may report. */
const FAILURE_CODES = ['AUTH_FAILED', 'IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH', 'PEER_ID_MISMATCH', 'TS_MISMATCH', 'IKE_NO_RESPONSE', 'DPD_TIMEOUT'];
const except = (...codes: string[]) => FAILURE_CODES.filter((c) => !codes.includes(c));
/** What the SA tables (both peers' `swanctl --list-sas`) can say; `tables(...codes)` expects those and no other. */
const TABLE_CODES = ['ESP_ONE_WAY', 'NO_ESP', 'SA_SPI_MISMATCH', 'CHILD_SA_MISSING', 'TS_MISMATCH'];
const tables = (...codes: string[]) => ({ bothTables: { codes, absent: TABLE_CODES.filter((c) => !codes.includes(c)) } });

/** What the firewall check can say about the middle box's ruleset; `firewall(...codes)` expects those and no other. */
const FIREWALL_CODES = ['FIREWALL_BLOCKS_IKE', 'FIREWALL_BLOCKS_NAT_T', 'FIREWALL_BLOCKS_ESP', 'FIREWALL_BLOCKS_AH', 'ICMP_FRAG_NEEDED_BLOCKED', 'DECRYPTED_TRAFFIC_BLOCKED', 'DECRYPTED_TRAFFIC_UNFILTERED'];
const firewall = (...codes: string[]) => {
  const e = { codes, absent: FIREWALL_CODES.filter((c) => !codes.includes(c)) };
  return { middleRuleset: e, middleRulesetJson: e };
};

/**
 * The middle box is a stateful router that forwards only what an IPsec path needs
 * (IKE, NAT-T, ESP, the ICMP errors PMTU discovery relies on) — loaded in every
 * scenario, so the firewall check has a real forwarding firewall to judge and the
 * healthy run proves it finds nothing wrong with one. Faults go into their own
 * table: a DROP in any base chain of a hook is final, an ACCEPT ends only its own
 * chain (nft(8) "VERDICT STATEMENT"), so a fault wins over this table's accepts.
 */
export const MIDDLE_BOX_FIREWALL = `table inet ipsdl_router {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    udp dport { 500, 4500 } accept
    meta l4proto esp accept
    icmp type { destination-unreachable, time-exceeded, echo-request } accept
  }
}
`;

// A table in the middle box; the forward chain sees transit traffic only.
const forwardDrop = (rule: string) => `table inet ipsdl_fault {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ${rule}
  }
}
`;

export const scenarios: Scenario[] = [
  {
    name: 'healthy',
    title: 'Healthy IKEv2 PSK tunnel with traffic both ways',
    injected: 'Nothing: both peers agree on everything; pings of 56 and 1000 bytes pass through the tunnel in both directions.',
    traffic: [...bothWays(3), { from: 'left', size: 1000, count: 2, df: true }, { from: 'right', size: 1000, count: 2, df: true }],
    establishes: true,
    live: true,
    hostAudit: true,
    expect: {
      ...tables(),
      ...firewall(),
      responderLog: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      initiatorLog: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      bothLogs: { codes: ['TUNNEL_ESTABLISHED', 'UDP_ENCAPSULATION_FORCED'], absent: [...FAILURE_CODES, 'NAT_DETECTED'] },
      leftPcap: { absent: ['IKE_NO_RESPONSE', 'ESP_ONE_WAY', 'NO_ESP', 'PMTU_BLACKHOLE', 'IKE_FRAGMENTS_DROPPED', 'NAT_T_BLOCKED', 'NO_IPSEC_PACKETS'] },
      middlePcap: { absent: ['IKE_NO_RESPONSE', 'ESP_ONE_WAY', 'NO_ESP', 'PMTU_BLACKHOLE', 'NO_IPSEC_PACKETS'] },
      // ipsec0 (kernel-libipsec's TUN device) carries the pings in cleartext: no IPsec, said at info
      leftInnerPcap: { codes: ['NO_IPSEC_PACKETS'], absent: ['PMTU_BLACKHOLE'] },
      configs: { absent: ['IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH', 'PEER_ID_MISMATCH', 'TS_MISMATCH', 'DPD_DISABLED', 'PSK_MISMATCH', 'PSK_MISSING', 'PSK_NOT_COMPARED'] },
    },
  },
  {
    name: 'psk-mismatch',
    title: 'Pre-shared keys differ',
    injected: 'The responder (right) holds a different PSK for the same pair of identities; the responder rejects the initiator\'s AUTH payload and answers AUTHENTICATION_FAILED.',
    right: { psk: 'lab-only-other-psk-Kp4w' },
    traffic: [],
    establishes: false,
    expect: {
      ...firewall(),
      responderLog: { codes: ['AUTH_FAILED'], absent: ['TUNNEL_ESTABLISHED', 'LOG_FROM_INITIATOR'] },
      initiatorLog: { codes: ['AUTH_FAILED', 'LOG_FROM_INITIATOR'], absent: ['TUNNEL_ESTABLISHED'] },
      bothLogs: { codes: ['AUTH_FAILED'], absent: ['TUNNEL_ESTABLISHED', 'IKE_PROPOSAL_MISMATCH'] },
      leftPcap: { absent: ['IKE_NO_RESPONSE', 'IKE_PROPOSAL_MISMATCH'] },
      // config-diff compares the two secrets by keyed digest (never shown)
      configs: { codes: ['PSK_MISMATCH'], absent: ['PSK_MISSING', 'PSK_NOT_COMPARED'] },
    },
  },
  {
    name: 'ike-proposal-mismatch',
    title: 'IKE proposals have nothing in common',
    injected: 'The initiator offers aes256-sha256-modp2048, the responder only accepts aes128-sha1-modp3072: the responder answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN.',
    right: { proposals: 'aes128-sha1-modp3072' },
    traffic: [],
    establishes: false,
    expect: {
      ...firewall(),
      responderLog: { codes: ['IKE_PROPOSAL_MISMATCH'], absent: ['TUNNEL_ESTABLISHED', 'CHILD_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
      initiatorLog: { codes: ['IKE_PROPOSAL_MISMATCH', 'LOG_FROM_INITIATOR'], absent: ['TUNNEL_ESTABLISHED'] },
      bothLogs: { codes: ['IKE_PROPOSAL_MISMATCH'], absent: ['TUNNEL_ESTABLISHED'] },
      leftPcap: { codes: ['IKE_PROPOSAL_MISMATCH'], absent: ['IKE_NO_RESPONSE'] },
      middlePcap: { codes: ['IKE_PROPOSAL_MISMATCH'] },
      configs: { codes: ['IKE_PROPOSAL_MISMATCH'] },
    },
  },
  {
    name: 'esp-proposal-mismatch',
    title: 'ESP (CHILD_SA) proposals have nothing in common',
    injected: 'IKE agrees, but the initiator offers ESP aes256-sha256 and the responder only accepts aes128-sha1: IKE_AUTH is answered with NO_PROPOSAL_CHOSEN for the CHILD_SA, the IKE_SA stays up.',
    right: { espProposals: 'aes128-sha1' },
    traffic: [],
    establishes: false,
    expect: {
      ...tables('CHILD_SA_MISSING'),
      ...firewall(),
      responderLog: { codes: ['CHILD_PROPOSAL_MISMATCH'], absent: ['IKE_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
      initiatorLog: { codes: ['CHILD_PROPOSAL_MISMATCH'], absent: ['IKE_PROPOSAL_MISMATCH', 'AUTH_FAILED'] },
      bothLogs: { codes: ['CHILD_PROPOSAL_MISMATCH'], absent: ['IKE_PROPOSAL_MISMATCH'] },
      leftPcap: { absent: ['IKE_NO_RESPONSE', 'IKE_PROPOSAL_MISMATCH'] },
      configs: { codes: ['CHILD_PROPOSAL_MISMATCH'], absent: ['IKE_PROPOSAL_MISMATCH'] },
    },
  },
  {
    name: 'peer-id-mismatch',
    title: 'The responder expects another identity for the initiator',
    injected: "The initiator authenticates as 'left.example'; the responder's connection expects remote id 'branch.example', finds no peer config and answers AUTHENTICATION_FAILED.",
    right: { remoteId: 'branch.example', pskIds: ['right.example', 'branch.example', 'left.example'] },
    traffic: [],
    establishes: false,
    expect: {
      ...firewall(),
      responderLog: { codes: ['PEER_ID_MISMATCH'], absent: ['TUNNEL_ESTABLISHED'] },
      initiatorLog: { codes: ['AUTH_FAILED', 'LOG_FROM_INITIATOR'], absent: ['TUNNEL_ESTABLISHED'] },
      bothLogs: { codes: ['PEER_ID_MISMATCH'], absent: ['TUNNEL_ESTABLISHED'] },
      configs: { codes: ['PEER_ID_MISMATCH'] },
    },
  },
  {
    name: 'ts-mismatch',
    title: 'Traffic selectors do not match',
    injected: `The initiator proposes ${ADDR.leftSubnet} === ${ADDR.rightSubnet}; the responder's child only allows 10.9.0.0/24 as the remote side and answers TS_UNACCEPTABLE.`,
    right: { remoteTs: '10.9.0.0/24' },
    traffic: [],
    establishes: false,
    expect: {
      ...tables('CHILD_SA_MISSING'),
      ...firewall(),
      responderLog: { codes: ['TS_MISMATCH'], absent: ['AUTH_FAILED', 'IKE_PROPOSAL_MISMATCH'] },
      initiatorLog: { codes: ['TS_MISMATCH'], absent: ['AUTH_FAILED'] },
      bothLogs: { codes: ['TS_MISMATCH'] },
      configs: { codes: ['TS_MISMATCH'] },
    },
  },
  {
    name: 'udp500-dropped',
    title: 'UDP 500 dropped on the path: the peer never answers',
    injected: 'The middle box drops every forwarded UDP packet to port 500: the initiator retransmits IKE_SA_INIT and gives up; the responder never sees anything.',
    faultBefore: forwardDrop('udp dport 500 drop'),
    traffic: [],
    establishes: false,
    live: true,
    expect: {
      ...firewall('FIREWALL_BLOCKS_IKE'),
      initiatorLog: { codes: ['IKE_NO_RESPONSE'], absent: ['TUNNEL_ESTABLISHED', 'AUTH_FAILED'] },
      responderLog: { absent: ['TUNNEL_ESTABLISHED'] },
      bothLogs: { codes: ['IKE_NO_RESPONSE'], absent: ['TUNNEL_ESTABLISHED'] },
      leftPcap: { codes: ['IKE_NO_RESPONSE'], absent: ['NO_IPSEC_PACKETS'] },
      // the middle box forwarded nothing towards the responder: its capture there holds no IPsec
      middlePcap: { codes: ['NO_IPSEC_PACKETS'] },
    },
  },
  {
    name: 'esp-return-dropped',
    title: 'ESP from the responder dropped after the tunnel is up',
    injected: 'After both SAs are established the middle box drops ESP-in-UDP (UDP 4500 with a non-zero SPI where the non-ESP marker would be, RFC 3948 §2.2) coming from the responder; IKE on 4500 still passes. Pings from left get no reply.',
    faultAfter: forwardDrop(`ip saddr ${ADDR.right} udp sport 4500 @th,64,32 != 0 drop`),
    traffic: [],
    trafficAfterFault: [{ from: 'left', size: 56, count: 5, df: false, expectLost: true }],
    establishes: true,
    live: true,
    expect: {
      ...tables('ESP_ONE_WAY'),
      // the table and the capture of the same run make one finding (SA table and capture)
      leftTableAndPcap: { codes: ['ESP_ONE_WAY'] },
      ...firewall('FIREWALL_BLOCKS_NAT_T'),
      responderLog: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      initiatorLog: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      bothLogs: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      leftPcap: { codes: ['ESP_ONE_WAY'], absent: ['IKE_NO_RESPONSE'] },
      // the cleartext side holds no IPsec at all: nothing to say about ESP there
      leftInnerPcap: { absent: ['ESP_ONE_WAY', 'NO_ESP'] },
      middlePcap: { absent: ['ESP_ONE_WAY'] },
    },
  },
  {
    name: 'dpd-timeout',
    title: 'Everything dropped after establishment: DPD declares the peer dead',
    injected: 'DPD every 2 s on both sides (dpd_action = clear). Once the tunnel is up and has carried traffic, the middle box drops every forwarded packet; both peers send DPD (empty INFORMATIONAL) requests, retransmit them and give up.',
    left: { dpdDelay: '2s', dpdAction: 'clear' },
    right: { dpdDelay: '2s', dpdAction: 'clear' },
    faultAfter: forwardDrop('drop'),
    traffic: bothWays(2),
    settleMs: 13_000,
    establishes: true,
    installedAtEnd: false,
    expect: {
      ...firewall('FIREWALL_BLOCKS_IKE', 'FIREWALL_BLOCKS_NAT_T', 'FIREWALL_BLOCKS_ESP', 'ICMP_FRAG_NEEDED_BLOCKED'),
      responderLog: { codes: ['DPD_TIMEOUT'], absent: except('DPD_TIMEOUT', 'IKE_NO_RESPONSE') },
      initiatorLog: { codes: ['DPD_TIMEOUT'], absent: except('DPD_TIMEOUT', 'IKE_NO_RESPONSE') },
      bothLogs: { codes: ['DPD_TIMEOUT'] },
      leftPcap: { codes: ['IKE_NO_RESPONSE'], note: 'warning alone; info given a log whose DPD_TIMEOUT names the same peer' },
    },
  },
  {
    name: 'idle-tunnel',
    title: 'Tunnel up, nothing sent through it',
    injected: 'Nothing is broken: the tunnel comes up and no traffic is routed into it for 13 s. DPD every 4 s (dpd_delay = 4s) keeps IKE INFORMATIONAL exchanges on UDP 4500 going, so the captures run on well past the Child SA without a single ESP packet.',
    left: { dpdDelay: '4s' },
    right: { dpdDelay: '4s' },
    traffic: [],
    settleMs: 13_000,
    establishes: true,
    expect: {
      ...tables('NO_ESP'),
      ...firewall(),
      bothLogs: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      leftPcap: { codes: ['NO_ESP'], absent: ['ESP_ONE_WAY', 'IKE_NO_RESPONSE', 'PMTU_BLACKHOLE'] },
      middlePcap: { codes: ['NO_ESP'], absent: ['ESP_ONE_WAY', 'IKE_NO_RESPONSE'] },
    },
  },
  {
    name: 'dpd-disabled',
    title: 'Tunnel up, but neither side runs dead peer detection',
    injected: 'Neither connection sets dpd_delay (swanctl default 0 = DPD off): the tunnel works, but a dead peer would only be noticed at rekey time.',
    left: { dpdDelay: undefined, dpdAction: undefined },
    right: { dpdDelay: undefined, dpdAction: undefined },
    traffic: bothWays(2),
    establishes: true,
    expect: {
      ...tables(),
      ...firewall(),
      bothLogs: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      configs: { codes: ['DPD_DISABLED'], absent: ['IKE_PROPOSAL_MISMATCH', 'CHILD_PROPOSAL_MISMATCH', 'TS_MISMATCH', 'PEER_ID_MISMATCH'] },
    },
  },
  {
    name: 'pmtu-blackhole',
    title: 'Path MTU black hole: narrow far link, ICMP fragmentation-needed dropped',
    injected: 'The middle↔right link has MTU 1280 and the middle box drops the ICMP "fragmentation needed" (type 3 code 4) it generates. Small pings pass through the tunnel; 1300-byte DF pings become ~1390-byte DF ESP-in-UDP packets that the router discards silently.',
    farLinkMtu: 1280,
    faultBefore: `table inet ipsdl_fault {
  chain output {
    type filter hook output priority 0; policy accept;
    icmp type destination-unreachable icmp code frag-needed drop
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    icmp type destination-unreachable icmp code frag-needed drop
  }
}
`,
    traffic: [...bothWays(3), { from: 'left', size: 1300, count: 4, df: true, expectLost: true }],
    establishes: true,
    expect: {
      ...firewall('ICMP_FRAG_NEEDED_BLOCKED'),
      bothLogs: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      leftPcap: { codes: ['PMTU_BLACKHOLE'], absent: ['ICMP_FRAG_NEEDED_SEEN', 'IKE_NO_RESPONSE'] },
      // the cleartext side: 1328-byte DF echo requests unanswered, 84-byte ones answered
      leftInnerPcap: { codes: ['PMTU_BLACKHOLE'], absent: ['ICMP_FRAG_NEEDED_SEEN'] },
    },
  },
  {
    name: 'ike-fragments-dropped',
    title: 'Large IKE_AUTH fragmented at IP level, fragments dropped',
    injected: 'Certificate authentication with RSA-4096 certificates carrying 60 subjectAltNames and IKEv2 fragmentation (RFC 7383) off on both sides: IKE_AUTH exceeds the 1500-byte MTU and leaves the initiator as IP fragments; the middle box drops IP fragments (before reassembly, prerouting priority -450).',
    auth: 'cert',
    left: { fragmentation: 'no' },
    right: { fragmentation: 'no' },
    faultBefore: `table ip ipsdl_fault {
  chain prerouting {
    type filter hook prerouting priority -450; policy accept;
    ip frag-off & 0x3fff != 0 drop
  }
}
`,
    traffic: [],
    establishes: false,
    expect: {
      initiatorLog: { codes: ['IKE_NO_RESPONSE'], absent: ['TUNNEL_ESTABLISHED', 'AUTH_FAILED'] },
      bothLogs: { codes: ['IKE_NO_RESPONSE'], absent: ['TUNNEL_ESTABLISHED', 'AUTH_FAILED'] },
      leftPcap: { codes: ['IKE_FRAGMENTS_DROPPED'] },
      // `ip frag-off & 0x3fff != 0` depends on the packet being a fragment, which the evaluator cannot know:
      // it warns that every flow, IKE included, may be dropped by that rule
      middleRuleset: { codes: ['FIREWALL_BLOCKS_IKE'] },
      middleRulesetJson: { codes: ['FIREWALL_BLOCKS_IKE'] },
    },
  },
  {
    name: 'cert-ip-fragments-pass',
    title: 'Control for ike-fragments-dropped: the same large IKE_AUTH, fragments allowed',
    injected: 'Nothing: the certificates and settings of ike-fragments-dropped (RSA 4096, 60 subjectAltNames, IKEv2 fragmentation off) with no filter on the middle box. IKE_AUTH still leaves as IP fragments, they are reassembled and the tunnel comes up — proof that the failure there is the dropped fragments, not the certificates.',
    auth: 'cert',
    left: { fragmentation: 'no' },
    right: { fragmentation: 'no' },
    traffic: bothWays(2),
    establishes: true,
    expect: {
      ...firewall(),
      bothLogs: { codes: ['TUNNEL_ESTABLISHED'], absent: FAILURE_CODES },
      leftPcap: { absent: ['IKE_FRAGMENTS_DROPPED', 'IKE_NO_RESPONSE', 'ESP_ONE_WAY'] },
    },
  },
  {
    name: 'nat-udp4500-blocked',
    title: 'Real NAT on the path and UDP 4500 blocked',
    injected: 'The middle box masquerades the left network behind 198.51.100.1 and drops UDP 4500: IKE_SA_INIT on port 500 succeeds and both sides detect the NAT, then IKE_AUTH moves to port 4500 (RFC 7296 §2.23) and is never answered.',
    right: { remoteAddrs: '%any' },
    faultBefore: `table ip ipsdl_fault {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "ethr" masquerade
  }
  chain forward {
    type filter hook forward priority 0; policy accept;
    udp dport 4500 drop
  }
}
`,
    traffic: [],
    establishes: false,
    expect: {
      ...firewall('FIREWALL_BLOCKS_NAT_T'),
      initiatorLog: { codes: ['NAT_DETECTED', 'IKE_NO_RESPONSE', 'NAT_T_BLOCKED'], absent: ['TUNNEL_ESTABLISHED'] },
      responderLog: { codes: ['NAT_DETECTED'], absent: ['TUNNEL_ESTABLISHED'] },
      bothLogs: { codes: ['NAT_DETECTED', 'IKE_NO_RESPONSE', 'NAT_T_BLOCKED'], absent: ['UDP_ENCAPSULATION_FORCED'] },
      leftPcap: { codes: ['NAT_T_BLOCKED'] },
      middlePcap: { codes: ['NAT_DETECTED'] },
    },
  },
];

export function scenarioByName(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`unknown lab scenario '${name}' (known: ${scenarios.map((x) => x.name).join(', ')})`);
  return s;
}
