/*
 * A libpcap capture read on its own thread, handed to JavaScript one batch at a time.
 *
 * Why (issue 21 §1, measured): the `cap` binding calls into JavaScript once per frame
 * (about 4.5 µs of CPU per frame with an empty handler on the benchmark machine), so
 * the capture could not drain libpcap's ring past ~20,000 frames/s. Here a thread
 * runs pcap_dispatch() and appends each frame to a batch buffer; the main thread is
 * told (one threadsafe-function call per hand-off, never per frame) and decodes each
 * batch in place. The batch buffers are a fixed pool of JavaScript Buffers handed to
 * open() (kept alive by references; their memory never moves): no copy, no
 * allocation per batch. While JavaScript is busy the thread fills one pool buffer
 * after the other; when none is free the frame is dropped and counted
 * (queueDropped), so memory never grows past the pool.
 *
 * A pool buffer is FREE, FILLING (the thread's), FULL (waiting, in fill order) or
 * LENT (JavaScript decoding it, during the onBatch call or until take()'s caller is
 * done: take() is only called after stop(), when the thread no longer writes).
 *
 * Batch record layout (host byte order, read by src/sources/live/batch-records.ts):
 *   u32 caplen | u32 len (wire length) | u32 ts_sec | u32 ts_usec | caplen bytes
 * records back to back, no padding.
 *
 * libpcap is opened as tcpdump opens it: pcap_create, snaplen, promiscuous, buffer
 * size, a read timeout (TPACKET_V3 blocks are handed over when full or after it),
 * NOT immediate mode (immediate mode forces TPACKET_V2 with one max-size slot per
 * frame), then the BPF filter. pcap_stats() is called on the reader thread after each
 * dispatch (at most every 50 ms) and once more before the thread ends, and by stats()
 * on the main thread while the capture runs: a TPACKET_V3 dispatch does not return
 * while no block is retired (an idle link), so the thread's copy alone would go stale.
 * The two callers are serialised (stats_mu); pcap_stats_linux() (libpcap 1.10
 * pcap-linux.c) only does getsockopt(PACKET_STATISTICS) and updates handlep->stat and
 * handlep->proc_dropped, which the read path never touches.
 *
 * Plain C on Node-API; links libpcap. Never sends: pcap_inject/pcap_sendpacket are
 * not used.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD_HEADER 16
#define STATS_EVERY_NS 50000000LL
#define MAX_SLOTS 64

enum { SLOT_FREE, SLOT_FILLING, SLOT_FULL, SLOT_LENT };

typedef struct {
  uint8_t *data;
  size_t size;
  size_t used;
  uint32_t count;
  int state;
  uint64_t seq; /* fill order of FULL slots */
} slot_t;

typedef struct {
  pcap_t *p;
  int linktype;
  int snaplen;

  pthread_t thread;
  int thread_started;
  int joined;
  volatile int stopping;

  pthread_mutex_t mu;
  pthread_mutex_t stats_mu; /* serialises pcap_stats() between the thread and stats() */
  /* the pool of batch buffers (JavaScript's memory, see the header comment) */
  slot_t slots[MAX_SLOTS];
  int nslots;
  napi_ref refs_js[MAX_SLOTS];
  int filling; /* the slot the thread writes, or -1 */
  uint64_t seq;
  size_t capacity; /* sum of the slots' sizes */
  int notify_pending;

  /* counters (under mu) */
  double queue_dropped;
  double queue_dropped_bytes;
  double delivered;
  double ps_recv;
  double ps_drop;
  double ps_ifdrop;
  int stats_ok;
  char stats_err[PCAP_ERRBUF_SIZE];
  char read_err[PCAP_ERRBUF_SIZE];
  int read_failed;

  napi_threadsafe_function tsfn;
  int tsfn_live;
  /* freed when both the JS wrapper and the threadsafe function let go */
  int refs;
} reader_t;

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, "EPCAPREADER", "Node-API call failed: " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void unref(reader_t *r) {
  if (--r->refs > 0) return;
  pthread_mutex_destroy(&r->mu);
  pthread_mutex_destroy(&r->stats_mu);
  free(r);
}

/* ---------- reader thread ---------- */

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  reader_t *r = (reader_t *)user;
  uint32_t caplen = h->caplen;
  size_t need = RECORD_HEADER + (size_t)caplen;
  pthread_mutex_lock(&r->mu);
  slot_t *s = r->filling >= 0 ? &r->slots[r->filling] : NULL;
  if (s && s->used + need > s->size) {
    /* full: it waits for JavaScript in fill order; the thread moves on to a free slot */
    if (s->used) {
      s->state = SLOT_FULL;
      s->seq = ++r->seq;
    } else {
      s->state = SLOT_FREE; /* cannot happen: open() checks every slot holds a whole frame */
    }
    r->filling = -1;
    s = NULL;
  }
  if (!s) {
    for (int i = 0; i < r->nslots; i++) {
      if (r->slots[i].state == SLOT_FREE && r->slots[i].size >= need) {
        r->filling = i;
        s = &r->slots[i];
        s->state = SLOT_FILLING;
        s->used = 0;
        s->count = 0;
        break;
      }
    }
  }
  if (!s) {
    r->queue_dropped += 1;
    r->queue_dropped_bytes += h->len;
    pthread_mutex_unlock(&r->mu);
    return;
  }
  uint8_t *dst = s->data + s->used;
  uint32_t hdr[4] = {caplen, h->len, (uint32_t)h->ts.tv_sec, (uint32_t)h->ts.tv_usec};
  memcpy(dst, hdr, RECORD_HEADER);
  memcpy(dst + RECORD_HEADER, bytes, caplen);
  s->used += need;
  s->count++;
  pthread_mutex_unlock(&r->mu);
}

static void read_stats(reader_t *r) {
  struct pcap_stat st;
  memset(&st, 0, sizeof st);
  pthread_mutex_lock(&r->stats_mu);
  int rc = pcap_stats(r->p, &st);
  pthread_mutex_unlock(&r->stats_mu);
  pthread_mutex_lock(&r->mu);
  if (rc == 0) {
    r->stats_ok = 1;
    r->ps_recv = st.ps_recv;
    r->ps_drop = st.ps_drop;
    r->ps_ifdrop = st.ps_ifdrop;
  } else {
    r->stats_ok = 0;
    snprintf(r->stats_err, sizeof r->stats_err, "%s", pcap_geterr(r->p));
  }
  pthread_mutex_unlock(&r->mu);
}

static void notify(reader_t *r) {
  int call = 0;
  pthread_mutex_lock(&r->mu);
  int waiting = r->filling >= 0 && r->slots[r->filling].count > 0;
  for (int i = 0; i < r->nslots && !waiting; i++) waiting = r->slots[i].state == SLOT_FULL;
  if (waiting && !r->notify_pending) {
    r->notify_pending = 1;
    call = 1;
  }
  pthread_mutex_unlock(&r->mu);
  if (call && napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking) != napi_ok) {
    /* closing: JavaScript drains with take() after stop */
    pthread_mutex_lock(&r->mu);
    r->notify_pending = 0;
    pthread_mutex_unlock(&r->mu);
  }
}

static void *reader_main(void *arg) {
  reader_t *r = (reader_t *)arg;
  int64_t last_stats = 0;
  while (!r->stopping) {
    int n = pcap_dispatch(r->p, -1, on_packet, (u_char *)r);
    if (n == PCAP_ERROR) {
      pthread_mutex_lock(&r->mu);
      r->read_failed = 1;
      snprintf(r->read_err, sizeof r->read_err, "%s", pcap_geterr(r->p));
      pthread_mutex_unlock(&r->mu);
      break;
    }
    int64_t t = now_ns();
    if (t - last_stats >= STATS_EVERY_NS) {
      read_stats(r);
      last_stats = t;
    }
    notify(r);
  }
  /* the last counters, the socket still open (pcap_close comes after the join) */
  read_stats(r);
  notify(r);
  return NULL;
}

/* ---------- main thread ---------- */

static int set_num(napi_env env, napi_value obj, const char *key, double v);
static int set_str(napi_env env, napi_value obj, const char *key, const char *s);

/*
 * Lends JavaScript every slot with frames, in fill order (FULL ones, then the one being
 * filled, which the thread leaves for a free one). Returns how many; `out` gets the indexes.
 */
static int lend_ready(reader_t *r, int *out) {
  int n = 0;
  pthread_mutex_lock(&r->mu);
  for (;;) {
    int next = -1;
    for (int i = 0; i < r->nslots; i++)
      if (r->slots[i].state == SLOT_FULL && (next < 0 || r->slots[i].seq < r->slots[next].seq)) next = i;
    if (next < 0) break;
    r->slots[next].state = SLOT_LENT;
    out[n++] = next;
  }
  if (r->filling >= 0 && r->slots[r->filling].count > 0) {
    r->slots[r->filling].state = SLOT_LENT;
    out[n++] = r->filling;
    r->filling = -1;
  }
  for (int i = 0; i < n; i++) r->delivered += r->slots[out[i]].count;
  pthread_mutex_unlock(&r->mu);
  return n;
}

static void give_back(reader_t *r, const int *lent, int n) {
  pthread_mutex_lock(&r->mu);
  for (int i = 0; i < n; i++) r->slots[lent[i]].state = SLOT_FREE;
  pthread_mutex_unlock(&r->mu);
}

/* the threadsafe function's call: one per hand-off; onBatch(slot, bytes, count) per lent slot */
static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  reader_t *r = (reader_t *)context;
  if (env == NULL || js_cb == NULL) return;
  pthread_mutex_lock(&r->mu);
  r->notify_pending = 0;
  pthread_mutex_unlock(&r->mu);
  int lent[MAX_SLOTS];
  int n = lend_ready(r, lent);
  napi_value undef;
  int ok = napi_get_undefined(env, &undef) == napi_ok;
  for (int i = 0; i < n && ok; i++) {
    napi_value argv[3];
    slot_t *s = &r->slots[lent[i]];
    ok = napi_create_int32(env, lent[i], &argv[0]) == napi_ok && napi_create_double(env, (double)s->used, &argv[1]) == napi_ok &&
         napi_create_uint32(env, s->count, &argv[2]) == napi_ok && napi_call_function(env, undef, js_cb, 3, argv, NULL) == napi_ok;
  }
  /* decoded (or the callback threw: the exception goes up as any other); the slots are free again */
  give_back(r, lent, n);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref((reader_t *)data);
}

static void stop_reader(reader_t *r) {
  if (r->thread_started && !r->joined) {
    r->stopping = 1;
    pcap_breakloop(r->p);
    pthread_join(r->thread, NULL);
    r->joined = 1;
  }
  if (r->tsfn_live) {
    r->tsfn_live = 0;
    /* abort: queued calls are not made; JavaScript drains the rest with take() */
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
  }
  if (r->p) {
    pcap_close(r->p);
    r->p = NULL;
  }
}

static void wrapper_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  reader_t *r = (reader_t *)data;
  stop_reader(r);
  for (int i = 0; i < r->nslots; i++)
    if (r->refs_js[i]) napi_delete_reference(env, r->refs_js[i]);
  unref(r);
}

static reader_t *unwrap_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "EINVAL", "not a pcap reader");
    return NULL;
  }
  return (reader_t *)data;
}

/*
 * take(): after stop(), the frames the thread read that JavaScript has not had: an
 * array of { slot, bytes, count } in fill order. The slots count as free again at once,
 * which is safe only because the thread has ended (stop() joined it).
 */
static napi_value js_take(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  reader_t *r = unwrap_this(env, info, &argc, NULL);
  if (!r) return NULL;
  if (!r->joined) {
    napi_throw_error(env, "EBUSY", "take() is for after stop(); batches come through onBatch meanwhile");
    return NULL;
  }
  int lent[MAX_SLOTS];
  int n = lend_ready(r, lent);
  napi_value arr;
  CHECK(napi_create_array_with_length(env, (size_t)n, &arr));
  for (int i = 0; i < n; i++) {
    napi_value o;
    CHECK(napi_create_object(env, &o));
    if (!set_num(env, o, "slot", lent[i]) || !set_num(env, o, "bytes", (double)r->slots[lent[i]].used) || !set_num(env, o, "count", r->slots[lent[i]].count)) return NULL;
    CHECK(napi_set_element(env, arr, (uint32_t)i, o));
  }
  give_back(r, lent, n);
  return arr;
}

static napi_value js_stop(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  reader_t *r = unwrap_this(env, info, &argc, NULL);
  if (!r) return NULL;
  stop_reader(r);
  napi_value undef;
  CHECK(napi_get_undefined(env, &undef));
  return undef;
}

static int set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  if (napi_create_double(env, v, &n) != napi_ok) return 0;
  return napi_set_named_property(env, obj, key, n) == napi_ok;
}

static int set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) return 0;
  return napi_set_named_property(env, obj, key, v) == napi_ok;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  reader_t *r = unwrap_this(env, info, &argc, NULL);
  if (!r) return NULL;
  napi_value out;
  CHECK(napi_create_object(env, &out));
  /* fresh while running (the thread may sit in poll() on an idle link); after stop, the thread's last read */
  if (r->p && r->thread_started && !r->joined) read_stats(r);
  pthread_mutex_lock(&r->mu);
  double recv = r->ps_recv, drop = r->ps_drop, ifdrop = r->ps_ifdrop, qd = r->queue_dropped, qdb = r->queue_dropped_bytes, dl = r->delivered;
  double queued = 0, queued_bytes = 0;
  for (int i = 0; i < r->nslots; i++) {
    if (r->slots[i].state == SLOT_FULL || r->slots[i].state == SLOT_FILLING) {
      queued += r->slots[i].count;
      queued_bytes += (double)r->slots[i].used;
    }
  }
  int ok = r->stats_ok, failed = r->read_failed;
  char serr[PCAP_ERRBUF_SIZE], rerr[PCAP_ERRBUF_SIZE];
  memcpy(serr, r->stats_err, sizeof serr);
  memcpy(rerr, r->read_err, sizeof rerr);
  pthread_mutex_unlock(&r->mu);
  int good = set_num(env, out, "queueDropped", qd) && set_num(env, out, "queueDroppedBytes", qdb) && set_num(env, out, "delivered", dl) &&
             set_num(env, out, "queued", queued) && set_num(env, out, "queuedBytes", queued_bytes) && set_num(env, out, "queueBytes", (double)r->capacity);
  if (good && ok) good = set_num(env, out, "psRecv", recv) && set_num(env, out, "psDrop", drop) && set_num(env, out, "psIfdrop", ifdrop);
  if (good && !ok && serr[0]) good = set_str(env, out, "statsError", serr);
  if (good && failed) good = set_str(env, out, "readError", rerr);
  if (!good) {
    napi_throw_error(env, "EPCAPREADER", "cannot build the stats object");
    return NULL;
  }
  return out;
}

static char *get_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  if (napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) {
    free(s);
    return NULL;
  }
  return s;
}

static int get_prop_int(napi_env env, napi_value obj, const char *key, int64_t *out) {
  napi_value v;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return 0;
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/* throws the pcap error with a code JavaScript can tell apart */
static napi_value throw_pcap(napi_env env, const char *code, const char *what, const char *msg) {
  char full[PCAP_ERRBUF_SIZE + 96];
  snprintf(full, sizeof full, "%s%s%s", what, what[0] ? ": " : "", msg);
  napi_throw_error(env, code, full);
  return NULL;
}

/* compiles the BPF filter for the device's netmask (unknown when it has none) and sets it: 0, or -1 with pcap_geterr(p) saying why */
static int apply_filter(pcap_t *p, const char *device, const char *filter) {
  struct bpf_program fp;
  char errbuf[PCAP_ERRBUF_SIZE];
  bpf_u_int32 net = 0, mask = 0;
  if (pcap_lookupnet(device, &net, &mask, errbuf) == -1) net = 0;
  if (pcap_compile(p, &fp, filter, 1, net ? mask : PCAP_NETMASK_UNKNOWN) == -1) return -1;
  int set = pcap_setfilter(p, &fp);
  pcap_freecode(&fp);
  return set;
}

/*
 * open({ device, filter, snaplen, bufferSize, pool, timeoutMs, onBatch }) →
 * { reader, dlt, dltName }. `pool`: 2–64 Buffers, each able to hold one whole record
 * (16 + snaplen bytes); onBatch(slot, bytes, count) is called with pool[slot]'s first
 * `bytes` bytes lent for the call. Throws libpcap's own message on failure.
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype t = napi_undefined;
  if (argc >= 1) CHECK(napi_typeof(env, argv[0], &t));
  if (t != napi_object) {
    napi_throw_type_error(env, "EINVAL", "open(options): options must be an object");
    return NULL;
  }
  napi_value o = argv[0], v, on_batch;
  int64_t snaplen = 0, buffer_size = 0, timeout_ms = 0;
  if (!get_prop_int(env, o, "snaplen", &snaplen) || !get_prop_int(env, o, "bufferSize", &buffer_size) ||
      !get_prop_int(env, o, "timeoutMs", &timeout_ms) ||
      snaplen < 1 || snaplen > 262144 || buffer_size < 0 || buffer_size > INT32_MAX || timeout_ms < 1 || timeout_ms > 60000) {
    napi_throw_range_error(env, "EINVAL", "open(options): snaplen, bufferSize and timeoutMs must be numbers in range");
    return NULL;
  }
  napi_value pool;
  bool is_array = false;
  uint32_t nslots = 0;
  CHECK(napi_get_named_property(env, o, "pool", &pool));
  CHECK(napi_is_array(env, pool, &is_array));
  if (is_array) CHECK(napi_get_array_length(env, pool, &nslots));
  if (!is_array || nslots < 2 || nslots > MAX_SLOTS) {
    napi_throw_range_error(env, "EINVAL", "open(options): pool must be an array of 2 to 64 Buffers");
    return NULL;
  }
  napi_value slot_values[MAX_SLOTS];
  uint8_t *slot_data[MAX_SLOTS];
  size_t slot_size[MAX_SLOTS];
  for (uint32_t i = 0; i < nslots; i++) {
    bool is_buffer = false;
    void *data = NULL;
    size_t len = 0;
    CHECK(napi_get_element(env, pool, i, &slot_values[i]));
    CHECK(napi_is_buffer(env, slot_values[i], &is_buffer));
    if (is_buffer) CHECK(napi_get_buffer_info(env, slot_values[i], &data, &len));
    if (!is_buffer || len < (size_t)(RECORD_HEADER + snaplen)) {
      napi_throw_range_error(env, "EINVAL", "open(options): each pool Buffer must hold 16 + snaplen bytes");
      return NULL;
    }
    slot_data[i] = data;
    slot_size[i] = len;
  }
  CHECK(napi_get_named_property(env, o, "onBatch", &on_batch));
  CHECK(napi_typeof(env, on_batch, &t));
  if (t != napi_function) {
    napi_throw_type_error(env, "EINVAL", "open(options): onBatch must be a function");
    return NULL;
  }
  CHECK(napi_get_named_property(env, o, "device", &v));
  char *device = get_string(env, v);
  CHECK(napi_get_named_property(env, o, "filter", &v));
  char *filter = get_string(env, v);
  if (!device || !filter) {
    free(device);
    free(filter);
    napi_throw_type_error(env, "EINVAL", "open(options): device and filter must be strings");
    return NULL;
  }

  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = 0;
  pcap_t *p = pcap_create(device, errbuf);
  if (!p) {
    free(device);
    free(filter);
    return throw_pcap(env, "EPCAPOPEN", "", errbuf);
  }
  const char *failed = NULL;
  if (pcap_set_snaplen(p, (int)snaplen) != 0) failed = "cannot set the snap length";
  else if (pcap_set_promisc(p, 1) != 0) failed = "cannot set promiscuous mode";
  else if (pcap_set_buffer_size(p, (int)buffer_size) != 0) failed = "cannot set the buffer size";
  else if (pcap_set_timeout(p, (int)timeout_ms) != 0) failed = "cannot set the read timeout";
  if (failed) {
    pcap_close(p);
    free(device);
    free(filter);
    return throw_pcap(env, "EPCAPOPEN", "", failed);
  }
  int rc = pcap_activate(p);
  if (rc < 0) {
    /* PCAP_ERROR_PERM_DENIED, NO_SUCH_DEVICE, …: pcap_geterr has the details, or the code's words */
    char msg[PCAP_ERRBUF_SIZE + 64];
    const char *detail = pcap_geterr(p);
    snprintf(msg, sizeof msg, "%s", detail && detail[0] ? detail : pcap_statustostr(rc));
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE && !strstr(msg, "No such device")) strncat(msg, " (No such device)", sizeof msg - strlen(msg) - 1);
    pcap_close(p);
    free(device);
    free(filter);
    return throw_pcap(env, rc == PCAP_ERROR_PERM_DENIED ? "EPERM" : "EPCAPOPEN", "", msg);
  }
  if (filter[0] && apply_filter(p, device, filter) == -1) {
    char msg[PCAP_ERRBUF_SIZE];
    snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
    pcap_close(p);
    free(device);
    free(filter);
    return throw_pcap(env, "EPCAPFILTER", "", msg);
  }
  free(device);
  free(filter);

  reader_t *r = calloc(1, sizeof *r);
  if (!r) {
    pcap_close(p);
    napi_throw_error(env, "ENOMEM", "cannot allocate the capture reader");
    return NULL;
  }
  r->nslots = (int)nslots;
  r->filling = -1;
  for (uint32_t i = 0; i < nslots; i++) {
    r->slots[i].data = slot_data[i];
    r->slots[i].size = slot_size[i];
    r->slots[i].state = SLOT_FREE;
    r->capacity += slot_size[i];
    /* the Buffers stay alive (and their memory in place) as long as the reader */
    if (napi_create_reference(env, slot_values[i], 1, &r->refs_js[i]) != napi_ok) {
      for (uint32_t j = 0; j < i; j++) napi_delete_reference(env, r->refs_js[j]);
      pcap_close(p);
      free(r);
      napi_throw_error(env, "EPCAPREADER", "napi_create_reference failed");
      return NULL;
    }
  }
  r->p = p;
  r->snaplen = (int)snaplen;
  r->linktype = pcap_datalink(p);
  pthread_mutex_init(&r->mu, NULL);
  pthread_mutex_init(&r->stats_mu, NULL);
  r->refs = 1; /* the wrapper's; the threadsafe function takes the second below */

  napi_value self, name;
  CHECK(napi_create_object(env, &self));
  if (napi_wrap(env, self, r, wrapper_finalize, NULL, NULL) != napi_ok) {
    pcap_close(p);
    unref(r);
    napi_throw_error(env, "EPCAPREADER", "napi_wrap failed");
    return NULL;
  }
  CHECK(napi_create_string_utf8(env, "ipsec-doctor pcap reader", NAPI_AUTO_LENGTH, &name));
  if (napi_create_threadsafe_function(env, on_batch, NULL, name, 0, 1, r, tsfn_finalize, r, call_js, &r->tsfn) != napi_ok) {
    napi_throw_error(env, "EPCAPREADER", "napi_create_threadsafe_function failed");
    return NULL; /* the wrapper's finalizer closes the pcap_t */
  }
  r->refs++;
  r->tsfn_live = 1;
  if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
    napi_throw_error(env, "EPCAPREADER", "cannot start the capture thread");
    stop_reader(r);
    return NULL;
  }
  r->thread_started = 1;

  napi_value fn, out, num;
  CHECK(napi_create_function(env, "take", NAPI_AUTO_LENGTH, js_take, NULL, &fn));
  CHECK(napi_set_named_property(env, self, "take", fn));
  CHECK(napi_create_function(env, "stop", NAPI_AUTO_LENGTH, js_stop, NULL, &fn));
  CHECK(napi_set_named_property(env, self, "stop", fn));
  CHECK(napi_create_function(env, "stats", NAPI_AUTO_LENGTH, js_stats, NULL, &fn));
  CHECK(napi_set_named_property(env, self, "stats", fn));
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "reader", self));
  CHECK(napi_create_int32(env, r->linktype, &num));
  CHECK(napi_set_named_property(env, out, "dlt", num));
  const char *dlt_name = pcap_datalink_val_to_name(r->linktype);
  if (!set_str(env, out, "dltName", dlt_name ? dlt_name : "")) return NULL;
  return out;
}

static napi_value js_lib_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value s;
  CHECK(napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &s));
  return s;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  CHECK(napi_create_function(env, "open", NAPI_AUTO_LENGTH, js_open, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "open", fn));
  CHECK(napi_create_function(env, "libVersion", NAPI_AUTO_LENGTH, js_lib_version, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "libVersion", fn));
  napi_value n;
  CHECK(napi_create_uint32(env, RECORD_HEADER, &n));
  CHECK(napi_set_named_property(env, exports, "recordHeaderBytes", n));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
