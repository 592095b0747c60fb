/*
 * wsload: the producer and consumer of benchmarks/websocket.sh, the same
 * program for every relay measured. libwebsockets client, one thread.
 *
 *   wsload throughput HOST PORT SECONDS WINDOW SIZE
 *       a consumer on /out, then a producer on /in sending binary messages of
 *       SIZE bytes as fast as the relay takes them, with at most WINDOW
 *       messages in flight (sent by the producer, not yet received by the
 *       consumer: both connections live in this process, so the producer
 *       reads the consumer's count directly). After a 1 s warm-up, counts
 *       the messages the consumer receives over SECONDS. Checks order and
 *       loss by sequence number. Prints one line of key=value pairs.
 *   wsload latency HOST PORT SECONDS RATE SIZE
 *       the same pair of connections; the producer sends RATE messages/s for
 *       SECONDS, each stamped with CLOCK_MONOTONIC at the moment it is
 *       written; the consumer computes one-way latency on arrival. The
 *       first WARMUP_MSGS (100) messages are not counted. Prints p50/p99.
 *   wsload idle HOST PORT PATH COUNT
 *       opens COUNT WebSocket connections to PATH (at most 64 handshakes at a
 *       time), prints "ready COUNT" once all are established, then keeps
 *       them open and idle until SIGTERM/SIGINT.
 *
 * Message layout: byte 0 'S' (sync) or 'D' (data), then the sequence number,
 * the send time in ns and this run's random id as three little-endian
 * uint64s, padded to SIZE. Messages of another run (still queued in a relay
 * when that run's connections closed) are counted as stale and ignored.
 * Before measuring, the producer sends a sync message every 100 ms until the
 * consumer has one, so both relays are known to route /in to /out.
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <time.h>

#define WARMUP_MSGS 100
#define MAX_SIZE 65536

enum mode { THROUGHPUT, LATENCY, IDLE };
enum role { CONSUMER = 1, PRODUCER = 2, IDLER = 3, PACER = 4 };
enum phase { CONNECTING, SYNCING, RUNNING, DRAINING, DONE };

static enum mode mode;
static const char *host;
static int port;
static double seconds;
static long window_msgs, rate;
static size_t size;
static const char *idle_path;
static long idle_count;

static struct lws_context *context;
static struct lws *consumer, *producer;
static enum phase phase = CONNECTING;
static volatile sig_atomic_t stop;
static int failed;

static uint64_t sent, received;        /* data messages */
static uint64_t out_of_order, stale, run_id;
static uint64_t expected_seq;
static int sync_seen;
static uint64_t t_start_ns;            /* of the run (after sync) */
static uint64_t count_at_measure_start, t_measure_start_ns, t_measure_end_ns, count_at_measure_end;
static struct rusage ru_start, ru_end;
static int producer_waiting;           /* window full: wake on the next arrival */
static uint64_t last_progress_ns;

static uint64_t *latencies;            /* ns, by sequence number */
static uint8_t *got;
static uint64_t total_to_send;

static long idle_established, idle_closed, idle_started;

static lws_sorted_usec_list_t sul_tick;

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(const struct rusage *r) {
	return r->ru_utime.tv_sec + r->ru_utime.tv_usec / 1e6 + r->ru_stime.tv_sec + r->ru_stime.tv_usec / 1e6;
}

static struct lws *connect_to(const char *path, enum role role) {
	struct lws_client_connect_info i;
	struct lws *wsi = NULL;
	memset(&i, 0, sizeof i);
	i.context = context;
	i.address = host;
	i.port = port;
	i.path = path;
	i.host = host;
	i.origin = host;
	i.ssl_connection = 0;
	i.local_protocol_name = "wsload";
	i.opaque_user_data = (void *)(intptr_t)role;
	i.pwsi = &wsi;
	lws_client_connect_via_info(&i);
	return wsi;
}

static void fail(const char *why) {
	fprintf(stderr, "wsload: %s\n", why);
	failed = 1;
	stop = 1;
	lws_cancel_service(context);
}

static void schedule_tick(lws_usec_t us);
static void start_pacing(void);

/* Timer: sync retries, phase changes, latency pacing, stall detection. */
static void tick(lws_sorted_usec_list_t *sul) {
	(void)sul;
	uint64_t now = now_ns();
	switch (phase) {
	case CONNECTING:
		if (mode == IDLE) {
			while (idle_started < idle_count && idle_started - idle_established - idle_closed < 64) {
				idle_started++;
				if (!connect_to(idle_path, IDLER)) { fail("idle connect failed"); return; }
			}
			if (idle_established == idle_count) {
				printf("ready %ld\n", idle_established);
				fflush(stdout);
				phase = RUNNING;
			}
			schedule_tick(10 * LWS_US_PER_MS);
			return;
		}
		schedule_tick(100 * LWS_US_PER_MS);
		return;
	case SYNCING:
		if (sync_seen) {
			phase = RUNNING;
			t_start_ns = now;
			last_progress_ns = now;
			t_measure_start_ns = 0; /* throughput: set when the 1 s warm-up ends */
			lws_callback_on_writable(producer);
			if (mode == THROUGHPUT) schedule_tick(1000 * LWS_US_PER_MS);
			else start_pacing();
			return;
		}
		lws_callback_on_writable(producer); /* another sync message */
		schedule_tick(100 * LWS_US_PER_MS);
		return;
	case RUNNING:
		if (mode == IDLE) {
			if (idle_closed) { fail("an idle connection was closed by the relay"); return; }
			schedule_tick(100 * LWS_US_PER_MS);
			return;
		}
		if (mode == THROUGHPUT) {
			if (now - last_progress_ns > 5000000000ull) { fail("no progress for 5 s"); return; }
			if (!t_measure_start_ns) {
				t_measure_start_ns = now;
				count_at_measure_start = received;
				getrusage(RUSAGE_SELF, &ru_start);
				t_measure_end_ns = now + (uint64_t)(seconds * 1e9);
			} else if (now >= t_measure_end_ns) {
				t_measure_end_ns = now;
				count_at_measure_end = received;
				getrusage(RUSAGE_SELF, &ru_end);
				phase = DONE;
				stop = 1;
				lws_cancel_service(context);
				return;
			}
			uint64_t left_us = (t_measure_end_ns - now) / 1000;
			schedule_tick(left_us > 500000 ? 500000 : (lws_usec_t)left_us + 1);
			return;
		}
		/* LATENCY: paced by the timerfd (see start_pacing). */
		return;
	case DRAINING:
		phase = DONE;
		stop = 1;
		lws_cancel_service(context);
		return;
	case DONE:
		return;
	}
}

static void schedule_tick(lws_usec_t us) {
	lws_sul_schedule(context, 0, &sul_tick, tick, us);
}

/* Latency pacing: a periodic timerfd watched by lws (its own timers spin
 * through the last partial millisecond before they are due). Each expiry
 * asks for WRITEABLE, which sends every message due by then. */
static void start_pacing(void) {
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0) { fail("timerfd_create failed"); return; }
	long period_ns = 1000000000L / rate;
	struct itimerspec its = { { period_ns / 1000000000L, period_ns % 1000000000L },
	                          { period_ns / 1000000000L, period_ns % 1000000000L } };
	if (timerfd_settime(fd, 0, &its, NULL)) { fail("timerfd_settime failed"); return; }
	lws_sock_file_fd_type u;
	u.filefd = fd;
	struct lws *wsi = lws_adopt_descriptor_vhost(lws_get_vhost_by_name(context, "default"),
	                                             LWS_ADOPT_RAW_FILE_DESC, u, "wsload", NULL);
	if (!wsi) { fail("could not watch the timerfd"); return; }
	lws_set_opaque_user_data(wsi, (void *)(intptr_t)PACER);
}

/* The message layout (see the top of this file) at p. */
static void fill_message(unsigned char *p, char kind, uint64_t seq, uint64_t t) {
	p[0] = (unsigned char)kind;
	memcpy(p + 1, &seq, 8);
	memcpy(p + 9, &t, 8);
	memcpy(p + 17, &run_id, 8);
}

static int write_message(struct lws *wsi, char kind, uint64_t seq) {
	static unsigned char buf[LWS_PRE + MAX_SIZE];
	unsigned char *p = buf + LWS_PRE;
	fill_message(p, kind, seq, now_ns());
	return lws_write(wsi, p, size, LWS_WRITE_BINARY) < (int)size ? -1 : 0;
}

/* Throughput: the producer's messages go out as ready-made client frames
 * (FIN + binary, masked with a fixed non-zero key, so every relay unmasks
 * them), as many as the window allows and BATCH_BYTES holds, in one write.
 * One send() per message would make this program, not the relay, the
 * bottleneck: the relay still parses and forwards every message on its own. */
#define BATCH_BYTES (64 * 1024)
#define MAX_FRAME (14 + MAX_SIZE)
static const unsigned char mask_key[4] = { 0x5a, 0xc3, 0x17, 0x9e };

/* Frame header length for SIZE-byte payloads: 2, plus 2 or 8 of extended length, plus the mask. */
static size_t header_size(void) { return (size < 126 ? 2 : size < 65536 ? 4 : 10) + 4; }

static size_t put_frame(unsigned char *f, char kind, uint64_t seq, uint64_t t) {
	size_t h = 0;
	f[h++] = 0x82;
	if (size < 126) {
		f[h++] = (unsigned char)(0x80 | size);
	} else if (size < 65536) {
		f[h++] = 0x80 | 126;
		f[h++] = (unsigned char)(size >> 8);
		f[h++] = (unsigned char)size;
	} else {
		f[h++] = 0x80 | 127;
		for (int shift = 56; shift >= 0; shift -= 8) f[h++] = (unsigned char)((uint64_t)size >> shift);
	}
	memcpy(f + h, mask_key, 4);
	h += 4;
	unsigned char *p = f + h;
	memset(p, 0, size);
	fill_message(p, kind, seq, t);
	for (size_t i = 0; i < size; i++) p[i] ^= mask_key[i & 3];
	return h + size;
}

static int write_batch(struct lws *wsi) {
	static unsigned char buf[LWS_PRE + BATCH_BYTES + MAX_FRAME];
	unsigned char *p = buf + LWS_PRE;
	size_t frame = header_size() + size, n = 0;
	uint64_t t = now_ns();
	/* At least one frame, however large SIZE is. */
	while (sent - received < (uint64_t)window_msgs && (n == 0 || n + frame <= BATCH_BYTES)) {
		n += put_frame(p + n, 'D', sent, t);
		sent++;
	}
	if (!n) return 0;
	/* LWS_WRITE_RAW: the bytes are already frames; lws buffers what the socket does not take. */
	return lws_write(wsi, p, n, LWS_WRITE_RAW) < (int)n ? -1 : 0;
}

static void on_message(const unsigned char *p, size_t len) {
	if (len < 25) { fail("short message"); return; }
	uint64_t seq, t, id;
	memcpy(&seq, p + 1, 8);
	memcpy(&t, p + 9, 8);
	memcpy(&id, p + 17, 8);
	if (id != run_id) { stale++; return; }
	if (p[0] == 'S') { sync_seen = 1; return; }
	uint64_t now = now_ns();
	received++;
	last_progress_ns = now;
	if (seq != expected_seq) out_of_order++;
	expected_seq = seq + 1;
	if (mode == LATENCY && seq < total_to_send && !got[seq]) {
		got[seq] = 1;
		latencies[seq] = now - t;
	}
	/* Woken once a quarter of the window is free, so batches stay large. */
	if (mode == THROUGHPUT && producer_waiting && phase == RUNNING &&
	    sent - received <= (uint64_t)(window_msgs - (window_msgs + 3) / 4)) {
		producer_waiting = 0;
		lws_callback_on_writable(producer);
	}
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
	(void)user;
	enum role role = (enum role)(intptr_t)lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (role == IDLER) { idle_established++; break; }
		if (role == CONSUMER) {
			consumer = wsi;
			producer = connect_to("/in", PRODUCER);
			if (!producer) fail("producer connect failed");
		} else if (role == PRODUCER) {
			phase = SYNCING;
			lws_callback_on_writable(wsi);
			schedule_tick(100 * LWS_US_PER_MS);
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "wsload: connection error: %s\n", in ? (const char *)in : "?");
		fail("connection error");
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE: {
		if (role != CONSUMER) break;
		/* Messages are small and arrive in one piece; reassemble anyway. */
		static unsigned char msg[MAX_SIZE];
		static size_t have;
		if (have + len <= sizeof msg) memcpy(msg + have, in, len);
		have += len;
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			on_message(msg, have);
			have = 0;
		}
		break;
	}
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (role != PRODUCER) break;
		if (phase == SYNCING) {
			if (!sync_seen && write_message(wsi, 'S', 0)) { fail("write failed"); return -1; }
			break;
		}
		if (phase != RUNNING) break;
		if (mode == THROUGHPUT) {
			/* Fill the window in batches; stop when the socket would block. */
			int n = 0;
			while (sent - received < (uint64_t)window_msgs) {
				if (n && lws_send_pipe_choked(wsi)) { lws_callback_on_writable(wsi); return 0; }
				if (write_batch(wsi)) { fail("write failed"); return -1; }
				n++;
			}
			producer_waiting = 1;
		} else if (mode == LATENCY) {
			uint64_t period = 1000000000ull / (uint64_t)rate;
			uint64_t now = now_ns();
			uint64_t due = now >= t_start_ns ? (now - t_start_ns) / period + 1 : 0;
			if (due > total_to_send) due = total_to_send;
			int n = 0;
			while (sent < due) {
				if (n && lws_send_pipe_choked(wsi)) { lws_callback_on_writable(wsi); return 0; }
				if (write_message(wsi, 'D', sent)) { fail("write failed"); return -1; }
				sent++;
				n++;
			}
		}
		break;
	case LWS_CALLBACK_RAW_RX_FILE: {
		if (role != PACER) break;
		uint64_t expirations;
		if (read(lws_get_socket_fd(wsi), &expirations, sizeof expirations) < 0) break;
		if (phase != RUNNING) return -1;
		if (sent < total_to_send) {
			lws_callback_on_writable(producer);
			break;
		}
		phase = DRAINING;
		getrusage(RUSAGE_SELF, &ru_end);
		schedule_tick(2000 * LWS_US_PER_MS);
		return -1; /* closes the timerfd */
	}
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_CLOSED:
		if (role == IDLER) { idle_closed++; break; }
		if (phase != DONE && !stop) fail("a connection was closed by the relay");
		break;
	default:
		break;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void on_signal(int sig) {
	(void)sig;
	stop = 1;
	if (context) lws_cancel_service(context);
}

static void usage(void) {
	fprintf(stderr, "usage: wsload throughput HOST PORT SECONDS WINDOW SIZE\n"
	                "       wsload latency HOST PORT SECONDS RATE SIZE\n"
	                "       wsload idle HOST PORT PATH COUNT\n");
	exit(2);
}

int main(int argc, char **argv) {
	if (argc < 6) usage();
	host = argv[2];
	port = atoi(argv[3]);
	if (!strcmp(argv[1], "throughput") && argc == 7) {
		mode = THROUGHPUT; seconds = atof(argv[4]); window_msgs = atol(argv[5]); size = (size_t)atol(argv[6]);
	} else if (!strcmp(argv[1], "latency") && argc == 7) {
		mode = LATENCY; seconds = atof(argv[4]); rate = atol(argv[5]); size = (size_t)atol(argv[6]);
	} else if (!strcmp(argv[1], "idle") && argc == 6) {
		mode = IDLE; idle_path = argv[4]; idle_count = atol(argv[5]); size = 25;
	} else usage();
	if (size < 25 || size > MAX_SIZE) { fprintf(stderr, "wsload: SIZE must be within 25…%d\n", MAX_SIZE); return 2; }
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		run_id = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
	}
	if (mode == LATENCY) {
		total_to_send = (uint64_t)(seconds * rate) + WARMUP_MSGS;
		latencies = calloc(total_to_send, sizeof *latencies);
		got = calloc(total_to_send, 1);
	}

	lws_set_log_level(LLL_ERR, NULL);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	static struct lws_protocols protocols[] = {
		{ "wsload", callback, 0, MAX_SIZE, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 },
	};
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.gid = -1;
	info.uid = -1;
	if (mode == IDLE) info.fd_limit_per_thread = (unsigned)idle_count + 64;
	context = lws_create_context(&info);
	if (!context) { fprintf(stderr, "wsload: lws_create_context failed\n"); return 1; }

	if (mode == IDLE) {
		schedule_tick(1);
	} else if (!connect_to("/out", CONSUMER)) {
		fprintf(stderr, "wsload: consumer connect failed\n");
		return 1;
	}
	uint64_t deadline = now_ns() + (uint64_t)((seconds + 30) * 1e9);
	while (!stop) {
		lws_service(context, 0);
		if (mode != IDLE && now_ns() > deadline) { fail("timed out"); break; }
	}

	int rc = failed ? 1 : 0;
	if (!failed && mode == THROUGHPUT) {
		double secs = (t_measure_end_ns - t_measure_start_ns) / 1e9;
		uint64_t n = count_at_measure_end - count_at_measure_start;
		double cpu = cpu_seconds(&ru_end) - cpu_seconds(&ru_start);
		printf("msgs=%llu seconds=%.3f rate=%.0f cpu=%.0f%% sent=%llu received=%llu out_of_order=%llu stale=%llu window=%ld size=%zu\n",
		       (unsigned long long)n, secs, n / secs, 100.0 * cpu / secs, (unsigned long long)sent,
		       (unsigned long long)received, (unsigned long long)out_of_order, (unsigned long long)stale, window_msgs, size);
		if (out_of_order) rc = 1;
	} else if (!failed && mode == LATENCY) {
		uint64_t *v = malloc(total_to_send * sizeof *v), n = 0, lost = 0;
		for (uint64_t s = WARMUP_MSGS; s < total_to_send; s++) {
			if (got[s]) v[n++] = latencies[s]; else lost++;
		}
		if (!n) { fprintf(stderr, "wsload: nothing received\n"); return 1; }
		qsort(v, n, sizeof *v, cmp_u64);
		double secs = (now_ns() - t_start_ns) / 1e9;
		(void)secs;
		double cpu = cpu_seconds(&ru_end);
		printf("p50_ms=%.3f p99_ms=%.3f max_ms=%.3f count=%llu lost=%llu out_of_order=%llu stale=%llu rate=%ld cpu_total_s=%.2f\n",
		       v[(n - 1) * 50 / 100] / 1e6, v[(n - 1) * 99 / 100] / 1e6, v[n - 1] / 1e6,
		       (unsigned long long)n, (unsigned long long)lost, (unsigned long long)out_of_order, (unsigned long long)stale, rate, cpu);
		if (lost || out_of_order) rc = 1;
	} else if (mode == IDLE) {
		fprintf(stderr, "wsload: idle: %ld established, %ld closed\n", idle_established, idle_closed);
	}
	lws_context_destroy(context);
	return rc;
}
