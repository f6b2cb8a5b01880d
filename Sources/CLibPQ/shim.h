#ifndef LEADFLOW_CLIBPQ_SHIM_H
#define LEADFLOW_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
