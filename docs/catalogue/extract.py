#!/usr/bin/env python3
"""Extract failure-class log templates from strongSwan / libreswan release tags.
Reads only format-string literals from the daemons' public source (facts), writes JSON.
usage: extract.py STRONGSWAN_GITDIR LIBRESWAN_GITDIR OPENSWAN_GITDIR OUTDIR"""
import json, re, subprocess, sys

SS_TAGS = ['4.6.4', '5.0.4', '5.3.5', '5.5.3', '5.6.3', '5.8.4', '5.9.14', '6.0.0', '6.0.6']
LS_TAGS = ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4']
OS_TAGS = ['v2.6.38', 'v2.6.51']
SS_PATHS = re.compile(r'^src/libhydra/plugins/kernel_netlink/.*\.c$|^src/libcharon/(sa/.*|plugins/kernel_netlink/.*|plugins/revocation/.*)\.c$|^src/libstrongswan/(credentials/credential_manager|plugins/revocation/.*)\.c$')
LS_PATHS = re.compile(r'^programs/pluto/[^/]+\.c$')

# order matters: first match wins
CLASSES = [
    ('kernel', r'^Netlink request|^installing trap failed'),
    ('ts', r'^no matching CHILD_SA config'),
    ('success-ike', r'^IKE_SA %s\[%d\] established|ISAKMP SA established|established IKE SA|IKE SA established|^established ISAKMP SA|STATE_MAIN_[IR]4|STATE_AGGR_[IR][23]: sent|ISAKMP SA established'),
    ('success-child', r'^(?:%s)?CHILD_SA %s\{%[du]\} established|IPsec SA established|established Child SA|Child SA established|^established %s'),
    ('proposal', r'proposal|NO_PROPOSAL_CHOSEN|NO_PROP|DH group|KE method|Key Exchange Method|INVALID_KE|no acceptable (?:ENCRYPTION|INTEGRITY|PSEUDO|DIFFIE|KEY_EXCHANGE)|transform'),
    ('ts', r'traffic selector|TS_UNACCEPTABLE|INVALID_ID_INFORMATION|\bTS[ir]?\b'),
    ('auth', r'AUTHENTICATION_FAILED|authentication (?:of .* )?failed|MAC mismatch|shared key|preshared|pre-shared|PSK|signature (?:verification )?failed|AUTH payload|authentication failure|RSA signature|no shared key|EAP.*fail|decryption failed'),
    ('cert', r'certificate|\bcert\b|\bCRL\b|\bcrl\b|OCSP|ocsp|revoked|trust chain|issuer|\bCA\b'),
    ('identity', r'peer config|IKE config|no config|no suitable connection|no matching|does not match|ID_|\bIDi\b|\bIDr\b|peer ID|identity|no connection'),
    ('give-up', r'retransmit|giving up|timeout exceeded|max number of retransmissions|No response|no response|peer not responding'),
    ('dpd', r'\bDPD\b|dead peer|liveness|R_U_THERE'),
    ('nat', r'\bNAT\b|NAT-T|NATD|behind|port float|switching to port 4500|floating'),
    ('frag', r'fragment'),
    ('kernel', r'unable to install|unable to add|unable to update|unable to delete|installing .*failed|failed to install|install.*policy failed|kernel|netlink|XFRM|xfrm|SAD|SPD|policy.*failed|route.*failed'),
]
CLASS_RES = [(c, re.compile(r, re.I if c in ('give-up',) else 0)) for c, r in CLASSES]
# noise: debug-ish or purely informational lines that merely mention a keyword
NOISE = re.compile(r'^(?:error (?:reading from|sending to) netlink socket|received corrupted netlink|received invalid netlink sequence|unable to receive from xfrm|interface address %H not found|closing |received retransmit of|received (?:end entity|issuer|attribute) cert|received CRL|received OCSP|received (?:empty )?OCSP cert request|received %u cert requests|received hash-and-url|sending (?:end entity|issuer|attribute|OCSP)|verifying peer certificate|peer certificate successfully|no IDi configured|no IDr configured|switching to peer config|received EAP identity|client did not send|looking for |DPD not supported|sending DPD|sending IKE message with length|received fragment #|received duplicate fragment|retransmitting Netlink|received unknown|XFRM interface|unable to (?:create|bind|receive from) (?:XFRM|netlink)|netlink (?:event )?read error|netlink write error|netlink response exceeds|unable to add attribute|received netlink error|failed to (?:create|delete|bring up) XFRM|HW offload is not|kernel-netlink plugin might|getting SPD hash|setting SPD hash|unable to flush|deleting policy|unable to delete|allocated SPI not found|unable to copy|all (?:CRL|OCSP) validation disabled|no hasher|unable to get random|unable to build NATD|unable to determine source|cert payload %N not supported|certificate encoding|encoding certificate|encoding ocsp|ignoring certificate request|no %s configured|received ME_CONNECT|outbound CHILD_SA|not establishing CHILD_SA|ignore NAT mapping|sending retransmit|received lifetime|expected IPComp|peer did not acc+ept our IPComp|peer didn.t accept our proposed IPComp|received IPCOMP|unable to allocate a CPI|ignoring KE|already retried|received invalid DPD|installing trap failed$|uninstalling shunt|delete during reauth|reauthentication failed|Aggressive Mode PSK disabled|unable to install source route|installing virtual IP|no interface available|XAuth username|received %N, EAP)|^(?:%s$|%N$|%B$|  |adding |added |loaded |loading |using |sending cert|received cert req|plugin|creating |destroying |checking |parsed |generating |selected |selecting |supported|registering|  %s|no resolv|found \d|querying|fetching|requesting|crl correctly|ocsp response correctly|  reached|reached self-signed|certificate status is (?:good|not available)|certificate status is good)|^\s*$|^%s %s$')

def git(gitdir, *args):
    return subprocess.run(['git', '-C', gitdir, *args], capture_output=True, text=True, errors='replace').stdout

STR = r'"((?:[^"\\]|\\.)*)"'
def join_literals(s):
    """concatenate adjacent C string literals at the start of s (after optional whitespace)"""
    out, pos = [], 0
    while True:
        m = re.compile(r'\s*' + STR).match(s, pos)
        if not m: break
        out.append(m.group(1)); pos = m.end()
        # skip PRI macros between literals
        m2 = re.compile(r'\s*(PRI\w+|PRIu64)').match(s, pos)
        if m2: out.append('%u'); pos = m2.end()
    return ''.join(out) if out else None

SS_CALL = re.compile(r'\bDBG[01]\s*\(\s*DBG_\w+\s*,')
LS_CALL = re.compile(r'\b(llog|log_state|loglog|libreswan_log|plog|llog_sa|log_ike_sa|log_child_sa|log_md|llog_md|log_message|openswan_log|log_pending|llog_rc|whack_log|loglog_rc|llog_pexpect|log_logger|llog_error|log_errno|LOG_ERRNO|llog_errno)\s*\(')

def extract(gitdir, tag, paths, call_re, daemon):
    files = [f for f in git(gitdir, 'ls-tree', '-r', '--name-only', tag).split('\n') if paths.match(f)]
    found = []
    for f in files:
        src = git(gitdir, 'show', f'{tag}:{f}')
        for m in call_re.finditer(src):
            rest = src[m.end(): m.end() + 600]
            if daemon in ('libreswan', 'openswan'):
                # skip leading non-literal arguments (stream, rc, st, logger, ...)
                depth, i = 0, 0
                while i < len(rest) and rest[i] != '"':
                    if rest[i] == '(': depth += 1
                    elif rest[i] == ')':
                        if depth == 0: break
                        depth -= 1
                    elif rest[i] == ';': break
                    i += 1
                if i >= len(rest) or rest[i] != '"': continue
                rest = rest[i:]
            t = join_literals(rest)
            if not t: continue
            t = t.replace('\\"', '"').replace('\\n', '').replace('\\t', ' ')
            found.append((t, f))
    return found

# pluto prints many config-time, helper and kernel-plumbing lines; only negotiation-time failure
# signals are kept (a narrower positive list than charon's)
LS_CLASSES = [
    ('dpd', r'declaring peer dead'),
    ('success-ike', r'ISAKMP SA established|established IKE SA(?:$|;)'),
    ('success-child', r'IPsec SA established|established Child SA(?:$|;)'),
    ('auth', r'requires ECDSA|rejected by peer|authentication failure|[Aa]uthentication failed|AUTH mismatch|AUTHENTICATION_FAILED|No matching PSK|Peer attempted PSK|RSA authentication of|signature .*failed|digital signature|pre-?shared|no PSK|no RSA public key|failed RSA|failed ECDSA'),
    ('proposal', r'NO_PROPOSAL_CHOSEN|no local proposal|no acceptable|proposal refused|INVALID_KE_PAYLOAD|OAKLEY proposal|No CHILD SA proposals|not acceptable|no proposal'),
    ('ts', r'TS_UNACCEPTABLE|INVALID_ID_INFORMATION|[Tt]raffic [Ss]elector|TSi/TSr|subnet returned doesn.t match|cannot respond to IPsec SA request because no connection'),
    ('identity', r'no suitable connection|no connection has been authorized|no matching connection|does not match (?:expected|connection ID)|IDr payload|peer ID|SubjectAltName does not match'),
    ('cert', r'certificate (?:revoked|rejected|payload rejected|is expired|has expired)|revoked|X509: |end certificate invalid|CRL (?:is )?expired|ERROR: .*certificate|certificate .*invalid|no EE-cert|end cert is a root|cert.*not valid'),
    ('give-up', r'timeout exceeded|retransmission; will wait|No response|no acceptable response|max number of retransmissions|retransmit so timing out'),
    ('dpd', r'DPD action|liveness action|DPD: .*timeout|R_U_THERE.*timeout|liveness.*timeout|dead peer|peer .*is dead'),
    ('nat', r'NAT-Traversal: Result|NAT detected|NAT-T|behind NAT|floating|NAT: '),
    ('frag', r'fragment'),
    ('kernel', r'(?:unable|failed) to (?:add|install|replace|update)|installing IPsec SA failed|ERROR: netlink .*response|netlink response for .*errno|kernel (?:failed|algorithm does not like)|failed to add SPD|outbound failed|route_and_eroute\(\) failed|kernel expired our reserved'),
]
LS_CLASS_RES = [(c, re.compile(r)) for c, r in LS_CLASSES]
LS_NOISE = re.compile(r'^max number of retransmissions \(%d\) reached %s%s$|revoked certs: |^\s|must only be used|addrtypeof|port-4500 floating|Transport [Mm]ode (?:not allowed|disabled)|received Vendor ID payload|port floating turned off|create socket for NAT-T|^PAUL:|^%s mode peer ID is|^retransmit so timing out|^NAT-Traversal support|MS-818043|^IKEv2 mode peer ID is|connection allows unmatched|^Traffic Selector %s$|^Traffic Selector of type Security Label %s$|computing DH in the background|^no fragments|^discarding fragments received during|IMPAIR|FIPS|[Ff]ailed to add connection|warning:|WARNING:|^NSS|whack|plutomain|xfrmi|XFRMi|xfrm interface|ipsec-interface|KLIPS|PF_KEY|pfkey|MOBIKE|keep-alive|NAT-OA|connection %s|%s\(\)|setsockopt|dropping fragment|TS overflow|duplicate|IKEv1 Aggressive Mode with PSK is vulnerable|malformed TSi')
LS_BAD_FILES = re.compile(r'connections\.c|plutomain|whack|kernel_pfkey|kernel_bsdkame|kernel_xfrm_interface|ipsec_interface|impair|fetch\.c|keys\.c|nss_ocsp|x509_ocsp|root_certs|server_pool|linux_audit|plutoalg|visit_connection|initiate\.c|rcv_whack')

def classify_ls(t, f):
    if LS_NOISE.search(t) or LS_BAD_FILES.search(f): return None
    for c, r in LS_CLASS_RES:
        if r.search(t): return c
    return None

def classify(t):
    if NOISE.search(t): return None
    for c, r in CLASS_RES:
        if r.search(t): return c
    return None

def build(gitdir, tags, paths, call_re, daemon):
    entries = {}
    for tag in tags:
        for t, f in extract(gitdir, tag, paths, call_re, daemon):
            if daemon in ('libreswan', 'openswan'): c = classify_ls(t, f)
            else: c = None if 'connect_manager' in f or 'mediation' in f else classify(t)
            if not c: continue
            e = entries.setdefault(t, {'template': t, 'class': c, 'versions': [], 'file': f})
            if tag not in e['versions']: e['versions'].append(tag)
    if daemon in ('libreswan', 'openswan'):
        for c, t, v, f in (LS_COMPOSED if daemon == 'libreswan' else OS_COMPOSED):
            entries.setdefault(t, {'template': t, 'class': c, 'versions': v, 'file': f, 'composed': True})
    return sorted(entries.values(), key=lambda e: (e['class'], e['template']))

# pluto assembles its most important lines from several literals (jam/lswlog fragments and the
# state-story table), which a literal scan cannot return whole: these were read by hand at the
# tags listed (files named) and are marked composed.
LS_COMPOSED = [
    ('give-up', '%s: retransmission; will wait %s seconds for response', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/retransmit.c'),
    ('give-up', '%s: %s second timeout exceeded after %lu retransmits.  No response (or no acceptable response) to our first IKEv1 message', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/timer.c'),
    ('give-up', '%s: %s second timeout exceeded after %lu retransmits.  No response (or no acceptable response) to our first IKEv2 message', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/timer.c'),
    ('give-up', '%s: %s second timeout exceeded after %lu retransmits.  Possible authentication failure: no acceptable response to our first encrypted message', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/timer.c'),
    ('dpd', 'STATE_V2_ESTABLISHED_IKE_SA: %s second timeout exceeded after %lu retransmits.  No response (or no acceptable response) to our IKEv2 message', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/timer.c'),
    ('auth', 'probable authentication failure (mismatch of preshared secrets?): malformed payload in packet', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/ikev1.c'),
    ('success-ike', '%s: ISAKMP SA established {auth=%s cipher=%s integ=%s group=%s}', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/ikev1_states.c'),
    ('success-child', '%s: IPsec SA established tunnel mode {ESP=>0x%08x <0x%08x xfrm=%s NATOA=none NATD=none DPD=passive}', ['v3.32', 'v4.10'], 'programs/pluto/ikev1_states.c'),
    ('success-ike', 'established IKE SA; authenticated peer using authby=secret and ID_FQDN %s', ['v5.0', 'v5.2', 'v5.4'], 'programs/pluto/ikev2_ike_auth.c'),
    ('success-child', 'established Child SA; IPsec tunnel [%s] -> [%s] {ESP/ESN=>0x%08x <0x%08x xfrm=%s DPD=passive}', ['v5.0', 'v5.2', 'v5.4'], 'programs/pluto/state.c'),
    # single literals whose class word (the notify name) is a runtime %s, so the class regexes cannot see it;
    # v3.32 jams the first one from fragments (ikev2_parent.c, "STF_FAIL+v2N_" before the name), v5.4 prints it only with debugging
    ('proposal', '%s failed, responder SA processing returned %s', ['v3.32', 'v4.10', 'v5.0', 'v5.2'], 'programs/pluto/ikev2_child.c'),
    ('proposal', 'responding to %s message (ID %u) from %s with %s notification %s', ['v3.32', 'v4.10', 'v5.0', 'v5.2', 'v5.4'], 'programs/pluto/ikev2_send.c'),
    ('proposal', 'responding to %s (%d) message (Message ID %u) with unencrypted notification %s', ['v4.10', 'v5.0'], 'programs/pluto/ikev2_send.c'),
]

# Openswan 2.6 (xelerance/Openswan): state stories in lib/libpluto/pluto_constants.c, give-ups in
# programs/pluto/timer.c (details string chosen by state)
OS_COMPOSED = [
    ('give-up', '%s: retransmission; will wait %lus for response', OS_TAGS, 'programs/pluto/timer.c'),
    ('give-up', 'max number of retransmissions (%d) reached %s.  No response (or no acceptable response) to our first IKE message', OS_TAGS, 'programs/pluto/timer.c'),
    ('give-up', 'max number of retransmissions (%d) reached %s.  Possible authentication failure: no acceptable response to our first encrypted message', OS_TAGS, 'programs/pluto/timer.c'),
    ('give-up', 'max number of retransmissions (%d) reached %s.  No acceptable response to our first Quick Mode message: perhaps peer likes no proposal', OS_TAGS, 'programs/pluto/timer.c'),
    ('success-ike', '%s: ISAKMP SA established {auth=%s cipher=%s prf=%s group=%s}', OS_TAGS, 'lib/libpluto/pluto_constants.c'),
    ('success-child', '%s: sent QI2, IPsec SA established tunnel mode {ESP=>0x%08x <0x%08x xfrm=%s NATOA=none NATD=none DPD=none}', OS_TAGS, 'lib/libpluto/pluto_constants.c'),
]

if __name__ == '__main__':
    ss, ls, os_, out = sys.argv[1:5]
    for name, tags, data in (('strongswan', SS_TAGS, build(ss, SS_TAGS, SS_PATHS, SS_CALL, 'strongswan')),
                             ('libreswan', LS_TAGS, build(ls, LS_TAGS, LS_PATHS, LS_CALL, 'libreswan')),
                             ('openswan', OS_TAGS, build(os_, OS_TAGS, LS_PATHS, LS_CALL, 'openswan'))):
        with open(f'{out}/{name}.json', 'w') as fh:
            json.dump({'daemon': name, 'tags': tags, 'entries': data}, fh, indent=1)
        from collections import Counter
        print(name, len(data), Counter(e['class'] for e in data))
