#ifndef LEADFLOW_CZEROMQ_SHIM_H
#define LEADFLOW_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>
#include <poll.h>
// An eventfd is the wake-up signal a socket's owner thread polls beside its ZeroMQ sockets; Glibc's Swift
// module does not export it.
#include <sys/eventfd.h>
#endif
