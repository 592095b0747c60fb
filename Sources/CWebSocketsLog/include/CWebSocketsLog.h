#ifndef JUNCTION_CWEBSOCKETSLOG_H
#define JUNCTION_CWEBSOCKETSLOG_H

/* Sets which libwebsockets log levels (LLL_ bits) reach lws' own logger;
 * call it with the same mask given to lws_set_log_level. */
void junction_lws_log_filter(int mask);

#endif
