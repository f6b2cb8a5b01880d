#ifndef LEADFLOW_CZEROMQ_SHIM_H
#define LEADFLOW_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#include <string.h>

/// zmq_msg_t is opaque; these helpers keep Swift from depending on its layout beyond its size.
static inline int czmq_errno(void) { return zmq_errno(); }
#endif
