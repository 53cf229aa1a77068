import { defineCheck } from '../src/engine/define-check.js';
import { lvsDiagnoses } from '../src/evidence/derived/ipvs/diagnoses.js';
import { forwardingOf, ruleRef, serviceName, serviceNames, serviceRefs as svcRefs } from '../src/evidence/derived/ipvs/paths.js';
import { directRoutingFix, freeMark, fwmarkFix, markFix, onePacketFix, persistenceFix, persistenceHint, realPortFix, udpTimeoutFix } from '../src/evidence/derived/ipvs/fix.js';

export default defineCheck({
  meta: {
    id: 'lvs-director',
    title: 'LVS (IPVS) director in front of IPsec gateways',
    stage: 'path',
    description:
      'IPVS schedules UDP 500 and UDP 4500 as separate connections and keeps a client on one real server only within one persistent firewall-mark (or port-zero) service (ip_vs_core.c ip_vs_sched_persist); ' +
      'it never schedules ESP or AH but forwards them along the client\'s UDP 500 ↔ 500 entry (ip_vs_proto_ah_esp.c); UDP entries expire 300 s after their last packet (ip_vs_proto_udp.c, ipvsadm --set). ' +
      'LVS-NAT rewrites the outer addresses, which AH authenticates (RFC 4302 §3.3.3.1) and transport-mode checksums cover (RFC 3948 §3.1.2) — the LVS IPsec HOWTO (J. Anastasov, 2002).',
    requires: ['ipvs'],
    codes: {
      LVS_IKE_NAT_T_SPLIT: {
        severity: 'error',
        message: 'On the director, UDP {vip}:500 and UDP {vip}:4500 go to {how} ({services}): a client\'s IKE_SA_INIT and its NAT-T IKE_AUTH are scheduled separately over {realServers}, so they can reach different real servers, and the second has no IKE SA.',
        hint: 'Keep each client\'s UDP 500 and 4500 on one real server with one persistent firewall-mark service: {fix}.',
      },
      LVS_IKE_PORT_NOT_BALANCED: {
        severity: 'error',
        message: 'The director balances UDP {vip}:{present} to {realServers} ({forwarding}) but no service takes UDP {vip}:{missing}: {consequence}',
        hint: 'Balance UDP 500 and 4500 together, so a client stays on one real server: {fix}.',
      },
      LVS_FWMARK_INCOMPLETE: {
        severity: 'error',
        message: 'Firewall-mark service {fwmark} takes UDP {vip}:{marked} ({markRule}), but UDP {vip}:{unmarked} gets no mark {fwmark} and goes to {instead}: the client\'s IKE and NAT-T are split. ESP and AH need no mark: IPVS forwards them along the client\'s UDP 500 entry.',
        hint: 'Mark UDP {unmarked} the same way: {fix}.',
      },
      LVS_FWMARK_UNVERIFIED: {
        severity: 'info',
        message: 'Which packets reach firewall-mark service {fwmark} is decided by the director\'s mangle rules, and {reason}: whether UDP 500 and 4500 both carry mark {fwmark} (and what else on the director is balanced) is not judged.',
        hint: 'Pass the director\'s ruleset with it: `iptables-save` (its mangle table) or `nft list ruleset`.',
      },
      LVS_ESP_ENTRY_MISSED: {
        severity: 'warning',
        stage: 'traffic',
        message: '{what}: IPVS forwards ESP and AH only along a UDP entry between port 500 of the client and port 500 of the VIP (and of the real server), so {consequence}',
        hint: 'Let IKE run from port 500 to port 500 through the director: {fix}.',
      },
      LVS_ONE_PACKET_SCHEDULING: {
        severity: 'error',
        message: '{service} uses one-packet scheduling (ops): each UDP packet is scheduled on its own and its entry dropped at once, so {consequence}.',
        hint: 'Turn it off for IPsec: {fix}.',
      },
      LVS_PERSISTENCE_SHORT: {
        severity: 'warning',
        message: '{service} holds a client on its real server for {persistence} s while {conn} ({source}) keeps an IKE SA up to {lifetime} s and may stay silent for {silence} s ({silenceKey}), longer than UDP entries live ({udpTimeout} s): late in the IKE SA\'s life its next IKE message can be scheduled to another real server, which has no IKE SA.',
        hint: 'Make persistence outlast the IKE SA: {fix}; or keep entries alive with DPD more often than every {udpTimeout} s.',
      },
      LVS_UDP_TIMEOUT_SHORT: {
        severity: 'warning',
        message: 'UDP entries on the director expire {udpTimeout} s after their last packet ({timeoutFrom}); {conn} ({source}) may leave a quiet tunnel silent for {silence} s ({silenceKey}), and {service} is not persistent: the next IKE message is scheduled afresh and can reach a real server without the IKE SA.',
        hint: 'Let UDP entries outlive the silence: {fix}, or make the service persistent for the IKE SA lifetime.',
      },
      LVS_AH_THROUGH_NAT: {
        severity: 'error',
        message: '{conn} ({source}) protects traffic with AH ({child}), and {service} forwards by LVS-NAT: AH\'s ICV covers the outer addresses the director rewrites (RFC 4302 §3.3.3.1), so every AH packet fails its check; NAT-T carries only ESP (RFC 3948).',
        hint: 'Use ESP instead of AH (swanctl `esp_proposals`, ipsec.conf `esp=`/`phase2=esp`), or forward by direct routing: {fix}.',
      },
      LVS_TRANSPORT_BEHIND_NAT: {
        severity: 'warning',
        message: '{conn} ({source}) uses transport mode ({child}), and {service} forwards by LVS-NAT: the inner TCP/UDP checksums cover the addresses the director rewrites (RFC 3948 §3.1.2), so the real server must ignore or fix them (Linux does for UDP-encapsulated ESP only), and both IKE daemons must accept transport mode across NAT (RFC 7296 §2.23.1).',
        hint: 'Use tunnel mode (swanctl `mode = tunnel`, ipsec.conf `type=tunnel`), or direct routing: {fix}.',
      },
      LVS_NO_IKE_SERVICE: {
        severity: 'info',
        message: '{count=1?The virtual service in {sources} does not receive|None of the {count} virtual services in {sources} receives} IKE (UDP 500 or 4500): this director balances no IPsec, so nothing about IPsec was judged on it.',
        hint: 'If IPsec gateways stand behind it, balance UDP 500 and 4500 to them: {fix}.',
      },
    },
  },
  run(ctx) {
    const d = lvsDiagnoses(ctx.evidence);
    if (!d) return;
    const { director } = d;
    const mark = freeMark(director);
    const persistence = persistenceHint(ctx.evidence.configs);
    const vipOf = (v: { vip?: string }) => v.vip ?? 'any address';
    for (const s of d.split) {
      const unsure = s.unverifiedFwmarks.length > 0;
      ctx.report({
        code: 'LVS_IKE_NAT_T_SPLIT', ...(unsure ? { severity: 'warning' as const } : {}),
        data: {
          vip: vipOf(s.vip), how: s.fwmarkNoPersistence ? 'one firewall-mark service without persistence' : 'two independent services', services: serviceNames(s.services),
          realServers: [...new Set(s.realServers.map((r) => r.address))].join(', '), fix: fwmarkFix(s.vip.vip, s.realServers, mark, persistence),
          ...(unsure ? { severityReason: `firewall-mark service(s) ${serviceNames(s.unverifiedFwmarks)} exist and the director's mangle rules were not given: a mark on these packets would send them there first` } : {}),
        },
        evidence: svcRefs(s.services),
      });
    }
    for (const n of d.notBalanced) {
      ctx.report({
        code: 'LVS_IKE_PORT_NOT_BALANCED', ...(n.missing === 4500 && !n.masq ? { severity: 'warning' as const } : {}),
        data: {
          vip: vipOf(n.vip), present: n.present, missing: n.missing, realServers: [...new Set(n.service.realServers.map((r) => r.address))].join(', '), forwarding: forwardingOf(n.service), fix: fwmarkFix(n.vip.vip, n.service.realServers, mark, persistence),
          consequence: n.missing === 500
            ? 'clients start IKE on UDP 500 (RFC 7296 §2), and plain ESP follows only a client\'s UDP 500 entry (ip_vs_proto_ah_esp.c): those packets reach the director itself, not a gateway.'
            : `after NAT detection IKE and ESP move to UDP 4500 (RFC 7296 §2.23, RFC 3948), which reaches the director itself, not the gateway that holds the IKE SA.${n.masq ? ' Behind LVS-NAT every client does: the real server finds the hash of the VIP, not of its own address, in NAT_DETECTION_DESTINATION_IP.' : ''}`,
          ...(n.missing === 4500 && !n.masq ? { severityReason: 'direct routing/tunnelling keeps the addresses: only clients behind a NAT move to UDP 4500' } : {}),
        },
        evidence: svcRefs([n.service]),
      });
    }
    for (const f of d.fwmarkIncomplete) {
      ctx.report({
        code: 'LVS_FWMARK_INCOMPLETE',
        data: {
          fwmark: f.fwmark.service.fwmark, vip: vipOf(f.vip), marked: f.marked, unmarked: f.unmarked, markRule: f.fwmark.markRule ? `${f.fwmark.markRule.ruleset.source}:${f.fwmark.markRule.rule.at.line}` : 'its mangle rule',
          instead: f.instead ? `${serviceName(f.instead)}, scheduled on its own` : 'no service (the director itself)', fix: markFix(f.vip.vip, f.unmarked, f.fwmark.service.fwmark!),
        },
        evidence: [...svcRefs([f.fwmark.service]), ...(f.fwmark.markRule ? [ruleRef(f.fwmark.markRule.rule)] : []), ...(f.instead ? [f.instead.at] : [])],
      });
    }
    for (const u of d.fwmarkUnverified) {
      ctx.report({ code: 'LVS_FWMARK_UNVERIFIED', data: { fwmark: u.coverage.service.fwmark, reason: u.rulesets.length ? `no rule in ${u.rulesets.join(', ')} sets it` : 'no ruleset was given' }, evidence: [u.coverage.service.at] });
    }
    for (const e of d.espEntry) {
      ctx.report({
        code: 'LVS_ESP_ENTRY_MISSED',
        data: e.realServer
          ? { what: `${serviceName(e.service)} sends IKE to real server ${e.realServer.address} on port ${e.port} (LVS-NAT)`, consequence: 'the real server\'s ESP replies match no entry and leave with its own address, which the client does not accept: peers that do not use NAT-T get no ESP back.', fix: `keep port 500 on the real servers, ${realPortFix(e.service, e.realServer)}`, port: e.port }
          : { what: `${e.conn?.name} uses IKE port ${e.port} (\`${e.setting?.excerpt}\`)`, consequence: 'its plain ESP finds no entry and reaches the director itself (ESP inside UDP 4500 is not affected).', fix: 'use port 500 for IKE (swanctl `local_port`/`remote_port`, libreswan `ikeport`), or force UDP encapsulation (swanctl `encap = yes`, ipsec.conf `forceencaps=yes`/`encapsulation=yes`)' },
        evidence: [...svcRefs([e.service]).slice(0, 1), ...(e.realServer ? [e.realServer.at] : []), ...(e.setting ? [{ ...e.setting.at, excerpt: e.setting.excerpt }] : [])],
      });
    }
    for (const o of d.onePacket) {
      const consequence = o.breaks.map((b) => ({ esp: 'plain ESP and AH find no UDP 500 entry to follow', replies: 'the real servers\' replies find no entry to be translated back to the VIP (LVS-NAT)', sticky: 'consecutive packets of one client go to different real servers (no persistence)' })[b]).join('; ');
      ctx.report({ code: 'LVS_ONE_PACKET_SCHEDULING', data: { service: serviceName(o.service), consequence, fix: onePacketFix(o.service) }, evidence: [o.service.onePacket ?? o.service.at] });
    }
    for (const s of d.stickiness) {
      const timeoutFrom = director.udpTimeout ? `${director.udpTimeout.at.source}:${director.udpTimeout.at.line}` : 'the kernel default; `ipvsadm -L -n --timeout` shows the running value';
      const lenient = s.masq ? { severityReason: 'behind LVS-NAT the peers use NAT-T, and the real server\'s NAT-T keepalives (every 20 s by default) keep its UDP 4500 entry alive unless keepalives are off' } : {};
      const refs = [s.service.at, ...(director.udpTimeout ? [director.udpTimeout.at] : []), { ...s.silence.at, excerpt: s.silence.excerpt }];
      const common = { service: serviceName(s.service), conn: s.conn.name, source: s.source, silence: s.silence.value, silenceKey: s.silence.key ?? s.silence.excerpt, udpTimeout: s.udpTimeout, ...(s.matched ? {} : { scope: 'no config names the VIP or a real server: every config given was compared' }), ...lenient };
      if (s.persistent) {
        const lifetime = s.lifetime?.value ?? persistence;
        ctx.report({ code: 'LVS_PERSISTENCE_SHORT', ...(s.masq ? { severity: 'info' as const } : {}), data: { ...common, persistence: s.service.persistence?.value, lifetime, fix: persistenceFix(s.service, lifetime) }, evidence: refs });
      } else ctx.report({ code: 'LVS_UDP_TIMEOUT_SHORT', ...(s.masq ? { severity: 'info' as const } : {}), data: { ...common, timeoutFrom, fix: udpTimeoutFix(s.silence.value + 60) }, evidence: refs });
    }
    for (const n of d.natUnfriendly) {
      ctx.report({
        code: n.kind === 'ah' ? 'LVS_AH_THROUGH_NAT' : 'LVS_TRANSPORT_BEHIND_NAT',
        data: { conn: n.conn.name, source: n.source, child: `${n.child.name}: \`${n.setting.excerpt}\``, service: serviceName(n.service), fix: directRoutingFix(n.service), ...(n.matched ? {} : { scope: 'no config names the VIP or a real server: every config given was compared' }) },
        evidence: [n.service.at, ...n.service.realServers.filter((r) => r.forwarding.value === 'masq').map((r) => r.at), { ...n.setting.at, excerpt: n.setting.excerpt }],
      });
    }
    const seen = director.services.length ? director.services.slice(0, 10).map((s) => s.at) : director.udpTimeout ? [director.udpTimeout.at] : [];
    if (!director.vips.length && !d.fwmarkUnverified.length && seen.length) {
      ctx.report({ code: 'LVS_NO_IKE_SERVICE', data: { count: director.services.length, sources: director.sources.join(', '), fix: fwmarkFix(undefined, [], mark, persistence) }, evidence: seen });
    }
  },
});
