/* Static memory of the reference firmware: every pool in one place. */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H

#define FW_MAX_PROGRAMS 2u          /* program slots loaded at the same time */
#define FW_STACK_SIZE 512u          /* eBPF bytes per frame */
#define FW_CALL_DEPTH 8u            /* frames per program */
#define FW_MAX_REGIONS 16u          /* region table entries per program */
#define FW_VM_MEM_BYTES (FW_STACK_SIZE * FW_CALL_DEPTH + 1024u)
#define FW_ARENA_BYTES (24u * 1024u) /* loader arena: code copy, data, maps */
#define FW_JIT_BYTES (32u * 1024u)   /* generated Thumb-2 code per program */
#define FW_JIT_RT_BYTES 1024u         /* the JIT's shared runtime (once) */
#define FW_KV_ENTRIES 32u            /* per program and global */
#define FW_BUDGET 1000000u           /* backward jumps + calls per run */
#define FW_CTX_BYTES 256u            /* context buffer handed to each run */
#define FW_NUM_HELPERS 32u           /* IoT + map helpers */

#endif
