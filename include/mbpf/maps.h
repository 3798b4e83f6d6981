/* microbpf maps: ARRAY and HASH with fixed capacity in caller memory.
 *
 * A map never allocates: mbpf_map_mem_size says how many bytes it needs and
 * mbpf_map_init lays it out in memory the caller gives (the image loader uses
 * its arena). Values live in one contiguous block (mbpf_map_values) that the
 * loader binds as a read/write region, so a pointer returned by lookup is
 * checked like every other pointer; keys and bookkeeping are outside it, so
 * a program can never corrupt the map's structure.
 */
#ifndef MBPF_MAPS_H
#define MBPF_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/image.h"
#include "mbpf/mbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Update flags (Linux numbers). */
#define MBPF_ANY 0u     /* create or replace */
#define MBPF_NOEXIST 1u /* create only */
#define MBPF_EXIST 2u   /* replace only */

/* Errors returned by the map helpers to the program (negative errno, as
 * Linux: programs compare them). */
#define MBPF_MAP_ENOENT (-2)
#define MBPF_MAP_E2BIG (-7)
#define MBPF_MAP_EEXIST (-17)
#define MBPF_MAP_EINVAL (-22)

struct mbpf_map {
    /* Fields are private. */
    uint32_t type;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t count;        /* HASH: live entries */
    uint32_t num_buckets;  /* HASH: power of two */
    uint8_t *values;       /* max_entries * value_size bytes (8-aligned) */
    uint8_t *keys;         /* HASH: max_entries * key_size bytes */
    uint32_t *next;        /* HASH: per entry, next in chain or free list */
    uint32_t *buckets;     /* HASH: chain heads */
    uint32_t free_head;    /* HASH: first free entry */
    uint32_t pad;
};

/* Bytes mbpf_map_init needs for this map (0 if the definition is invalid). */
size_t mbpf_map_mem_size(uint32_t type, uint32_t key_size, uint32_t value_size,
                         uint32_t max_entries);

/* Lays the map out in mem (any alignment) and clears it. MBPF_E_ARG for an
 * unsupported type or bad sizes, MBPF_E_NOSPACE if mem is too small. */
int mbpf_map_init(mbpf_map *map, uint32_t type, uint32_t key_size, uint32_t value_size,
                  uint32_t max_entries, void *mem, size_t mem_len);

/* Empties the map (ARRAY: all values zero). */
void mbpf_map_clear(mbpf_map *map);

/* Pointer to the value for key, or NULL. */
void *mbpf_map_lookup(mbpf_map *map, const void *key);

/* Returns 0 or a negative MBPF_MAP_E* (ENOENT for EXIST on a missing key,
 * EEXIST for NOEXIST on a present key, E2BIG when full or the index is out
 * of range, EINVAL for bad flags; ARRAY entries always exist). */
int mbpf_map_update(mbpf_map *map, const void *key, const void *value, uint64_t flags);

/* 0, MBPF_MAP_ENOENT, or MBPF_MAP_EINVAL for ARRAY (elements cannot be deleted). */
int mbpf_map_delete(mbpf_map *map, const void *key);

/* The value storage, a region of mbpf_map_values_len bytes. */
uint8_t *mbpf_map_values(const mbpf_map *map);
uint32_t mbpf_map_values_len(const mbpf_map *map);

/* Adds bpf_map_lookup_elem / update_elem / delete_elem (MBPF_HELPER_MAP_*)
 * to a helper set. Their map argument is checked with vm->map_check. */
int mbpf_maps_register_helpers(mbpf_helpers *set);

#ifdef __cplusplus
}
#endif

#endif /* MBPF_MAPS_H */
