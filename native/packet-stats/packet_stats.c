/*
 * packetStatistics(fd): the kernel's PACKET_STATISTICS of an AF_PACKET socket
 * (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS)), i.e. what libpcap's
 * pcap_stats_linux() (pcap-linux.c) turns into pcap_stats()' ps_recv / ps_drop.
 * The `cap` binding does not expose pcap_stats(); the socket libpcap reads it
 * from is a descriptor of this very process, so we read the same counters.
 *
 * Kernel semantics (net/packet/af_packet.c, packet_getsockopt()):
 *   - the counters are RESET on every read (memset of po->stats, atomic_xchg of
 *     po->tp_drops): the caller must accumulate;
 *   - tp_packets already includes tp_drops ("st.stats1.tp_packets += drops");
 *   - a TPACKET_V3 socket returns struct tpacket_stats_v3 (adds tp_freeze_q_cnt),
 *     anything else struct tpacket_stats; the length written back says which.
 *
 * Only getsockopt: this addon never opens, binds, sends or changes anything.
 * Plain C against Node-API (node_api.h), no other dependency.
 */
#include <node_api.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifdef __linux__
#include <linux/if_packet.h>
#endif

#define CHECK(call)                                                             \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      napi_throw_error(env, "EPACKETSTATS", "Node-API call failed: " #call);  \
      return NULL;                                                              \
    }                                                                           \
  } while (0)

static napi_value set_number(napi_env env, napi_value obj, const char *key, double value) {
  napi_value v;
  CHECK(napi_create_double(env, value, &v));
  CHECK(napi_set_named_property(env, obj, key, v));
  return obj;
}

static napi_value packet_statistics(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type = napi_undefined;
  if (argc >= 1) CHECK(napi_typeof(env, argv[0], &type));
  if (type != napi_number) {
    napi_throw_type_error(env, "EINVAL", "packetStatistics(fd): fd must be a number");
    return NULL;
  }
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  if (fd < 0) {
    napi_throw_range_error(env, "EBADF", "packetStatistics(fd): fd must not be negative");
    return NULL;
  }
#ifdef __linux__
  struct tpacket_stats_v3 st;
  memset(&st, 0, sizeof st);
  socklen_t len = sizeof st;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) {
    int err = errno;
    char msg[160];
    snprintf(msg, sizeof msg, "getsockopt(%d, SOL_PACKET, PACKET_STATISTICS): %s", (int)fd, strerror(err));
    napi_throw_error(env, err == EBADF ? "EBADF" : err == ENOTSOCK ? "ENOTSOCK" : err == ENOPROTOOPT ? "ENOPROTOOPT" : err == EOPNOTSUPP ? "EOPNOTSUPP" : "EPACKETSTATS", msg);
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_object(env, &out));
  if (!set_number(env, out, "packets", (double)st.tp_packets)) return NULL;
  if (!set_number(env, out, "drops", (double)st.tp_drops)) return NULL;
  /* only a TPACKET_V3 socket writes the whole struct; V1/V2 stop after tp_drops */
  if (len >= sizeof(struct tpacket_stats_v3) && !set_number(env, out, "freezeQueue", (double)st.tp_freeze_q_cnt)) return NULL;
  return out;
#else
  napi_throw_error(env, "ENOTSUP", "PACKET_STATISTICS exists only on Linux");
  return NULL;
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "packetStatistics", NAPI_AUTO_LENGTH, packet_statistics, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "packetStatistics", fn));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
