#ifndef LEADFLOW_CCURL_SHIM_H
#define LEADFLOW_CCURL_SHIM_H
#include <curl/curl.h>
#endif
