/* microbpf compile-time configuration.
 *
 * Every limit here is a default or an upper bound; the embedder overrides any of
 * them with -D on the command line or by pointing MBPF_USER_CONFIG at a header of
 * its own (littlefs style). Run-time settings live in struct mbpf_config.
 */
#ifndef MBPF_CONFIG_H
#define MBPF_CONFIG_H

#ifdef MBPF_USER_CONFIG
#include MBPF_USER_CONFIG
#endif

/* Bytes of eBPF stack per call frame (RFC 9669 programs expect 512). */
#ifndef MBPF_DEFAULT_STACK_SIZE
#define MBPF_DEFAULT_STACK_SIZE 512u
#endif

/* Frames a program may have live at once: the entry function plus local calls. */
#ifndef MBPF_DEFAULT_CALL_DEPTH
#define MBPF_DEFAULT_CALL_DEPTH 8u
#endif

/* Hard upper bound for the run-time call depth setting. */
#ifndef MBPF_MAX_CALL_DEPTH
#define MBPF_MAX_CALL_DEPTH 64u
#endif

/* Default execution budget per run, counted in taken backward jumps plus
 * local calls (see docs/architecture.md for why those two events). */
#ifndef MBPF_DEFAULT_BUDGET
#define MBPF_DEFAULT_BUDGET 10000000u
#endif

/* Largest program the verifier accepts unless the config says less. */
#ifndef MBPF_DEFAULT_MAX_INSNS
#define MBPF_DEFAULT_MAX_INSNS 65536u
#endif

/* Direct-threaded dispatch needs GCC/Clang "labels as values". */
#ifndef MBPF_USE_COMPUTED_GOTO
#if defined(__GNUC__) || defined(__clang__)
#define MBPF_USE_COMPUTED_GOTO 1
#else
#define MBPF_USE_COMPUTED_GOTO 0
#endif
#endif

#endif /* MBPF_CONFIG_H */
