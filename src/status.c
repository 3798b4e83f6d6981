/* Names of the status codes: static strings, so an embedder can log them
 * without any formatting support. */
#include "mbpf/mbpf.h"

const char *mbpf_strerror(int status)
{
    switch (status) {
    case MBPF_OK: return "ok";
    case MBPF_E_ARG: return "bad argument";
    case MBPF_E_NOSPACE: return "not enough memory provided";
    case MBPF_E_VERIFY: return "program rejected by the verifier";
    case MBPF_E_MEM: return "memory access out of bounds";
    case MBPF_E_BUDGET: return "execution budget exhausted";
    case MBPF_E_HELPER: return "helper reported an error";
    case MBPF_E_BAD_HELPER: return "unknown or forbidden helper";
    case MBPF_E_DEPTH: return "call depth exceeded";
    case MBPF_E_IMAGE: return "malformed program image";
    case MBPF_E_STATE: return "API used in the wrong state";
    case MBPF_E_JIT: return "JIT compilation failed";
    default: return "unknown status";
    }
}
