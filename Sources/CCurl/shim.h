// Typed wrappers for libcurl's variadic functions, which Swift cannot call.
// All logic lives in Swift (CertCyclePublish); this file only fixes the argument types.
#ifndef CERTCYCLE_CCURL_SHIM_H
#define CERTCYCLE_CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode certcycle_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode certcycle_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode certcycle_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode certcycle_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*certcycle_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode certcycle_easy_setopt_write_function(CURL *handle, certcycle_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode certcycle_easy_setopt_header_function(CURL *handle, certcycle_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

typedef size_t (*certcycle_read_callback)(char *buffer, size_t size, size_t count, void *context);

/* The SMTP upload reads the message through this callback (CURLOPT_READFUNCTION). */
static inline CURLcode certcycle_easy_setopt_read_function(CURL *handle, certcycle_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

static inline CURLcode certcycle_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode certcycle_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode certcycle_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode certcycle_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

#endif
