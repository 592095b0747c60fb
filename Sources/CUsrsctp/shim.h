#ifndef JUNCTION_CUSRSCTP_SHIM_H
#define JUNCTION_CUSRSCTP_SHIM_H
/*
 * usrsctp 0.9.5 for JunctionRTC (SCTP over AF_CONN). Swift cannot call or
 * implement C variadics, and cannot build or read structs that end in a
 * flexible array member: those few things live here as static inline
 * functions. Everything else is called from Swift directly.
 *
 * usrsctp's pkg-config file adds -DINET -DINET6; usrsctp.h does not need
 * them (they only matter when building the library), so this module links
 * it through the module map alone and SwiftPM warns about nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <usrsctp.h>

/* The conn_output callback usrsctp_init takes (AF_CONN packets out). */
typedef int (*junction_sctp_conn_output)(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df);

/* usrsctp_init without UDP encapsulation (port 0) and without the variadic
 * debug printer, which Swift cannot provide: NULL keeps usrsctp silent. */
static inline void junction_usrsctp_init(junction_sctp_conn_output output) {
    usrsctp_init(0, output, NULL);
}

/* MSG_NOTIFICATION is defined by usrsctp.h only when the C library lacks it. */
static inline int junction_sctp_msg_notification(void) { return MSG_NOTIFICATION; }

/*
 * One message through usrsctp_sendv with a struct sctp_sendv_spa: stream,
 * payload protocol id (host order here, network order on the wire),
 * ordering and the PR-SCTP policy (SCTP_PR_SCTP_NONE, _TTL or _RTX) with
 * its value. Returns what usrsctp_sendv returns; errno is left as it set it.
 */
static inline ssize_t junction_usrsctp_sendv_spa(struct socket *sock, const void *data, size_t length,
                                                 uint16_t sid, uint32_t ppid, int unordered,
                                                 uint16_t pr_policy, uint32_t pr_value) {
    struct sctp_sendv_spa spa;
    memset(&spa, 0, sizeof(spa));
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID | SCTP_SEND_PRINFO_VALID;
    spa.sendv_sndinfo.snd_sid = sid;
    spa.sendv_sndinfo.snd_ppid = htonl(ppid);
    spa.sendv_sndinfo.snd_flags = unordered ? SCTP_UNORDERED : 0;
    spa.sendv_prinfo.pr_policy = pr_policy;
    spa.sendv_prinfo.pr_value = pr_policy == SCTP_PR_SCTP_NONE ? 0 : pr_value;
    return usrsctp_sendv(sock, data, length, NULL, 0, &spa, (socklen_t)sizeof(spa), SCTP_SENDV_SPA, 0);
}

/*
 * Resets the outgoing side of `count` streams (RFC 8831 §6.7, RFC 6525):
 * struct sctp_reset_streams ends in a flexible array. usrsctp defers an
 * outgoing reset until the stream's queued data has gone out. Returns 0, or
 * -1 with errno set.
 */
static inline int junction_usrsctp_reset_outgoing_streams(struct socket *sock, const uint16_t *sids, uint16_t count) {
    size_t length = sizeof(struct sctp_reset_streams) + (size_t)count * sizeof(uint16_t);
    struct sctp_reset_streams *request = calloc(1, length);
    if (request == NULL) {
        errno = ENOMEM;
        return -1;
    }
    request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    request->srs_number_streams = count;
    if (count > 0) memcpy(request->srs_stream_list, sids, (size_t)count * sizeof(uint16_t));
    int status = usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, request, (socklen_t)length);
    int saved = errno;
    free(request);
    errno = saved;
    return status;
}

/*
 * Notification parsing. A notification arrives as bytes from usrsctp_recvv
 * (flag MSG_NOTIFICATION); these read it without trusting its lengths and
 * without alignment assumptions.
 */

/* The sn_type of a notification, or 0 when `length` cannot hold a header or
 * the header's own length disagrees with it. */
static inline uint16_t junction_sctp_notification_type(const void *bytes, size_t length) {
    struct sctp_tlv header;
    if (bytes == NULL || length < sizeof(header)) return 0;
    memcpy(&header, bytes, sizeof(header));
    if (header.sn_length > length || header.sn_length < sizeof(header)) return 0;
    return header.sn_type;
}

/* The fields of an SCTP_ASSOC_CHANGE notification that matter here. */
typedef struct {
    uint16_t state;            /* SCTP_COMM_UP, SCTP_COMM_LOST, SCTP_RESTART, ... */
    uint16_t error;
    uint16_t outbound_streams;
    uint16_t inbound_streams;
} junction_sctp_assoc_change;

/* Fills `out` from an SCTP_ASSOC_CHANGE notification; 0 on success, -1 if
 * the bytes are not one. */
static inline int junction_sctp_parse_assoc_change(const void *bytes, size_t length, junction_sctp_assoc_change *out) {
    struct sctp_assoc_change change;
    if (out == NULL || junction_sctp_notification_type(bytes, length) != SCTP_ASSOC_CHANGE) return -1;
    if (length < sizeof(change)) return -1;
    memcpy(&change, bytes, sizeof(change));
    out->state = change.sac_state;
    out->error = change.sac_error;
    out->outbound_streams = change.sac_outbound_streams;
    out->inbound_streams = change.sac_inbound_streams;
    return 0;
}

/*
 * Reads an SCTP_STREAM_RESET_EVENT: its flags (SCTP_STREAM_RESET_INCOMING_SSN,
 * _OUTGOING_SSN, _DENIED, _FAILED) into `flags`, and up to `capacity` stream
 * ids from its variable-length list into `streams`. Returns the number of
 * ids in the event (0 means every stream; it may exceed `capacity`, in
 * which case only the first `capacity` were copied), or -1 if the bytes are
 * not one.
 */
static inline int junction_sctp_parse_stream_reset(const void *bytes, size_t length, uint16_t *flags,
                                                   uint16_t *streams, size_t capacity) {
    struct sctp_stream_reset_event event;
    if (flags == NULL || junction_sctp_notification_type(bytes, length) != SCTP_STREAM_RESET_EVENT) return -1;
    if (length < sizeof(event)) return -1;
    memcpy(&event, bytes, sizeof(event));
    size_t total = event.strreset_length < length ? event.strreset_length : length;
    if (total < sizeof(event)) return -1;
    size_t count = (total - sizeof(event)) / sizeof(uint16_t);
    size_t copied = count < capacity ? count : capacity;
    if (streams != NULL && copied > 0) memcpy(streams, (const uint8_t *)bytes + sizeof(event), copied * sizeof(uint16_t));
    *flags = event.strreset_flags;
    return (int)count;
}
#endif
